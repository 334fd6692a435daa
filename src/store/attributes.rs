//! Admin-defined attributes of a person (name → string value), released to a client only
//! through its claim mapping ([`super::client_claims`]). Deleting a person deletes theirs.

use std::collections::BTreeMap;

use super::{Store, StoreResult};
use crate::with_pool;

impl Store {
    /// Sets an attribute; returns whether it replaced a value.
    pub async fn set_user_attribute(
        &self,
        user_id: &str,
        name: &str,
        value: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let existed = self.user_attributes(user_id).await?.contains_key(name);
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO user_attributes (user_id, attribute, value, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, attribute) DO UPDATE SET \
                 value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(user_id)
            .bind(name)
            .bind(value)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(existed)
    }

    /// Removes an attribute; false when the person had none of that name.
    pub async fn unset_user_attribute(&self, user_id: &str, name: &str) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM user_attributes WHERE user_id = $1 AND attribute = $2")
                .bind(user_id)
                .bind(name)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// A person's attributes by name.
    pub async fn user_attributes(&self, user_id: &str) -> StoreResult<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT attribute, value FROM user_attributes WHERE user_id = $1")
                .bind(user_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().collect())
    }
}

//! Consent a person gave a third-party client, remembered per person and client as the
//! union of the scopes granted so far.

use serde::Serialize;

use super::{Store, StoreResult};
use crate::scope::ScopeSet;
use crate::with_pool;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Consent {
    pub user_id: String,
    pub client_id: String,
    /// Space-separated scopes.
    pub scope: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Consent {
    /// True when every scope in `wanted` was granted.
    pub fn covers<'a>(&self, mut wanted: impl Iterator<Item = &'a str>) -> bool {
        let granted = ScopeSet::parse(&self.scope);
        wanted.all(|w| granted.contains(w))
    }
}

const COLUMNS: &str = "user_id, client_id, scope, created_at, updated_at";

impl Store {
    pub async fn get_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<Consent>> {
        let sql = format!("SELECT {COLUMNS} FROM consents WHERE user_id = $1 AND client_id = $2");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(user_id).bind(client_id).fetch_optional(pool).await?
        }))
    }

    /// Stores the scopes granted (the caller passes the union with what was granted before).
    pub async fn save_consent(
        &self,
        user_id: &str,
        client_id: &str,
        scope: &str,
        now: i64,
    ) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO consents (user_id, client_id, scope, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) ON CONFLICT (user_id, client_id) \
                 DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at",
            )
            .bind(user_id)
            .bind(client_id)
            .bind(scope)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn delete_consent(&self, user_id: &str, client_id: &str) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
                .bind(user_id)
                .bind(client_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Every client a person has consented to, newest first.
    pub async fn list_consents(&self, user_id: &str) -> StoreResult<Vec<Consent>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM consents WHERE user_id = $1 ORDER BY updated_at DESC, client_id"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await?
        }))
    }
}

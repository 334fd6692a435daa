//! Per-client claim mappings: the claim `claim` released to the client carries the
//! person's attribute `attribute` ([`super::attributes`]). Deleting a client deletes its
//! mappings.

use std::collections::BTreeMap;

use super::{Store, StoreResult};
use crate::with_pool;

impl Store {
    /// A client's mappings: claim name → attribute name.
    pub async fn client_claims(&self, client_id: &str) -> StoreResult<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT claim, attribute FROM client_claims WHERE client_id = $1")
                .bind(client_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// Replaces a client's mappings with `claims`, in one database transaction.
    pub async fn set_client_claims(
        &self,
        client_id: &str,
        claims: &BTreeMap<String, String>,
    ) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            let mut conn = pool.acquire().await?;
            let mut db_txn = sqlx::Connection::begin(conn.raw()?).await?;
            sqlx::query("DELETE FROM client_claims WHERE client_id = $1")
                .bind(client_id)
                .execute(&mut *db_txn)
                .await?;
            for (claim, attribute) in claims {
                sqlx::query(
                    "INSERT INTO client_claims (client_id, claim, attribute) VALUES ($1, $2, $3)",
                )
                .bind(client_id)
                .bind(claim)
                .bind(attribute)
                .execute(&mut *db_txn)
                .await?;
            }
            db_txn.commit().await?;
        });
        Ok(())
    }

    /// The mapped claims a client receives about a person: claim name → the value of the
    /// attribute it is mapped to, for the attributes the person has.
    pub async fn mapped_claims(
        &self,
        client_id: &str,
        user_id: &str,
    ) -> StoreResult<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT c.claim, a.value FROM client_claims c JOIN user_attributes a \
                 ON a.attribute = c.attribute AND a.user_id = $2 WHERE c.client_id = $1",
            )
            .bind(client_id)
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().collect())
    }
}

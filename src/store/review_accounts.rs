//! Review accounts: identifiers that sign in with a fixed code (stored as a keyed hash)
//! until an expiry, without any message being sent. For app-store reviewers.

use super::{Store, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewAccount {
    pub identifier: String,
    pub channel: String,
    pub code_hash: Vec<u8>,
    pub expires_at: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub uses: i64,
}

const COLUMNS: &str = "identifier, channel, code_hash, expires_at, created_at, last_used_at, uses";

impl Store {
    /// Adds a review account, or replaces the code and expiry of an existing one.
    pub async fn upsert_review_account(&self, a: &ReviewAccount) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO review_accounts (identifier, channel, code_hash, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (identifier) DO UPDATE SET \
                 channel = excluded.channel, code_hash = excluded.code_hash, \
                 expires_at = excluded.expires_at",
            )
            .bind(&a.identifier)
            .bind(&a.channel)
            .bind(&a.code_hash)
            .bind(a.expires_at)
            .bind(a.created_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn get_review_account(&self, identifier: &str) -> StoreResult<Option<ReviewAccount>> {
        let sql = format!("SELECT {COLUMNS} FROM review_accounts WHERE identifier = $1");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(identifier).fetch_optional(pool).await?
        }))
    }

    /// The review account for `identifier` when it has not expired at `now`.
    pub async fn active_review_account(
        &self,
        identifier: &str,
        now: i64,
    ) -> StoreResult<Option<ReviewAccount>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM review_accounts WHERE identifier = $1 AND expires_at > $2"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(identifier).bind(now).fetch_optional(pool).await?
        }))
    }

    pub async fn list_review_accounts(&self) -> StoreResult<Vec<ReviewAccount>> {
        let sql = format!("SELECT {COLUMNS} FROM review_accounts ORDER BY identifier");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        }))
    }

    pub async fn delete_review_account(&self, identifier: &str) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM review_accounts WHERE identifier = $1")
                .bind(identifier)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn record_review_account_use(&self, identifier: &str, now: i64) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE review_accounts SET uses = uses + 1, last_used_at = $1 WHERE identifier = $2",
            )
            .bind(now)
            .bind(identifier)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}

//! Bearer tokens of the admin HTTP API. Only a keyed hash of each token is stored.

use super::{Store, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AdminToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct UsedToken {
    id: String,
    name: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    token_hash: Vec<u8>,
}

const COLUMNS: &str = "id, name, created_at, last_used_at, revoked_at";

impl Store {
    pub async fn insert_admin_token(
        &self,
        id: &str,
        name: &str,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO admin_tokens (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(name)
            .bind(token_hash)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Finds the live token with this hash and records its use, in one statement.
    /// Returns the token and its stored hash (for a constant-time check by the caller).
    pub async fn use_admin_token(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<Option<(AdminToken, Vec<u8>)>> {
        let sql = format!(
            "UPDATE admin_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL \
             RETURNING {COLUMNS}, token_hash"
        );
        let row: Option<UsedToken> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(now).bind(token_hash).fetch_optional(pool).await?
        });
        Ok(row.map(|r| {
            (
                AdminToken {
                    id: r.id,
                    name: r.name,
                    created_at: r.created_at,
                    last_used_at: r.last_used_at,
                    revoked_at: r.revoked_at,
                },
                r.token_hash,
            )
        }))
    }

    /// True when at least one token has not been revoked (the admin API is on).
    pub async fn admin_api_enabled(&self) -> StoreResult<bool> {
        let n: i64 = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM admin_tokens WHERE revoked_at IS NULL")
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    pub async fn list_admin_tokens(&self) -> StoreResult<Vec<AdminToken>> {
        let sql = format!("SELECT {COLUMNS} FROM admin_tokens ORDER BY created_at, id");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        }))
    }

    /// Revokes a token by id; true when this call revoked it.
    pub async fn revoke_admin_token(&self, id: &str, now: i64) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("UPDATE admin_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }
}

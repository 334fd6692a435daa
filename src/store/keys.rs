//! Signing keys. Private parts are stored encrypted; the store never sees them in clear.

use super::{Store, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    /// Encrypted PKCS#8 DER.
    pub private_key: Vec<u8>,
    pub public_jwk: String,
    pub created_at: i64,
    pub activates_at: i64,
    pub retired_at: Option<i64>,
    pub unpublish_at: Option<i64>,
}

const COLUMNS: &str =
    "kid, alg, private_key, public_jwk, created_at, activates_at, retired_at, unpublish_at";

impl Store {
    pub async fn insert_key(&self, k: &StoredKey) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO signing_keys (kid, alg, private_key, public_jwk, created_at, \
                 activates_at, retired_at, unpublish_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&k.kid)
            .bind(&k.alg)
            .bind(&k.private_key)
            .bind(&k.public_jwk)
            .bind(k.created_at)
            .bind(k.activates_at)
            .bind(k.retired_at)
            .bind(k.unpublish_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Keys still published at `now` (newest first).
    pub async fn published_keys(&self, now: i64) -> StoreResult<Vec<StoredKey>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM signing_keys WHERE unpublish_at IS NULL OR unpublish_at > $1 \
             ORDER BY activates_at DESC, kid"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(now).fetch_all(pool).await?
        }))
    }

    pub async fn all_keys(&self) -> StoreResult<Vec<StoredKey>> {
        let sql = format!("SELECT {COLUMNS} FROM signing_keys ORDER BY created_at, kid");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        }))
    }

    /// Marks every key of `alg` that signs at `now`, other than `keep_kid`, as retired from
    /// `retire_at`, and unpublished from `unpublish_at`.
    pub async fn retire_keys(
        &self,
        alg: &str,
        keep_kid: &str,
        retire_at: i64,
        unpublish_at: i64,
    ) -> StoreResult<u64> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE signing_keys SET retired_at = $1, unpublish_at = $2 \
                 WHERE alg = $3 AND kid <> $4 AND retired_at IS NULL",
            )
            .bind(retire_at)
            .bind(unpublish_at)
            .bind(alg)
            .bind(keep_kid)
            .execute(pool)
            .await?
            .rows_affected()
        }))
    }
}

//! Fixed-window counters behind every rate limit. One atomic upsert per event, so limits
//! hold across concurrent requests and across replicas.

use super::{Store, StoreResult};
use crate::with_pool;

impl Store {
    /// Adds `by` to the counter of `key` in the window starting at `window_start` and
    /// returns the new count.
    pub async fn bump_counter(
        &self,
        key: &str,
        window_start: i64,
        expires_at: i64,
        by: i64,
    ) -> StoreResult<i64> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "INSERT INTO rate_counters (key, window_start, count, expires_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + excluded.count \
                 RETURNING count",
            )
            .bind(key)
            .bind(window_start)
            .bind(by)
            .bind(expires_at)
            .fetch_one(pool)
            .await?
        }))
    }

    /// The current count of `key` in the window starting at `window_start` (0 when none).
    pub async fn read_counter(&self, key: &str, window_start: i64) -> StoreResult<i64> {
        let v: Option<i64> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT count FROM rate_counters WHERE key = $1 AND window_start = $2")
                .bind(key)
                .bind(window_start)
                .fetch_optional(pool)
                .await?
        });
        Ok(v.unwrap_or(0))
    }
}

//! Fixed-window counters behind every rate limit. One atomic statement per request however
//! many rules it counts, so limits hold across concurrent requests and across replicas.

use super::{Db, Store, StoreResult};
use crate::with_pool;

/// One counter: its key and the start and end of its window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterWindow {
    pub key: String,
    pub window_start: i64,
    pub expires_at: i64,
}

/// `(key = $a AND window_start = $b) OR …` over `n` counters, parameters from `first`.
fn match_windows(n: usize, first: usize) -> String {
    (0..n)
        .map(|i| {
            let p = first + 2 * i;
            format!("(key = ${} AND window_start = ${})", p, p + 1)
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// Takes one event back from `n` counters (parameters: key, window start, per counter).
///
/// PostgreSQL locks the rows an UPDATE changes in whatever order its plan finds them, and
/// two requests locking the same two counters in opposite orders deadlock: there the rows
/// are locked first, in key order (the order [`Store::bump_counters`] writes them in).
/// SQLite has one writer at a time and needs no order.
fn refund_sql(db: &Db, n: usize) -> String {
    let matching = match_windows(n, 1);
    match db {
        Db::Sqlite(_) => {
            format!("UPDATE rate_counters SET count = count - 1 WHERE count > 0 AND ({matching})")
        }
        Db::Postgres(_) => format!(
            "UPDATE rate_counters SET count = count - 1 WHERE count > 0 AND (key, window_start) IN \
             (SELECT key, window_start FROM rate_counters WHERE count > 0 AND ({matching}) \
             ORDER BY key, window_start FOR UPDATE)"
        ),
    }
}

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
        let w = [CounterWindow {
            key: key.to_string(),
            window_start,
            expires_at,
        }];
        Ok(self
            .bump_counters(&w, by)
            .await?
            .first()
            .copied()
            .unwrap_or(0))
    }

    /// Adds `by` to every counter in one upsert and returns their new counts, in the order
    /// given. The keys must be distinct (a statement may update a row only once).
    pub async fn bump_counters(&self, windows: &[CounterWindow], by: i64) -> StoreResult<Vec<i64>> {
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        // Rows in key order, so concurrent upserts of the same counters lock them in the
        // same order (PostgreSQL would otherwise deadlock them).
        let mut sorted: Vec<&CounterWindow> = windows.iter().collect();
        sorted.sort_by(|a, b| (&a.key, a.window_start).cmp(&(&b.key, b.window_start)));
        let values = (0..windows.len())
            .map(|i| {
                let p = 4 * i + 1;
                format!("(${}, ${}, ${}, ${})", p, p + 1, p + 2, p + 3)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO rate_counters (key, window_start, count, expires_at) VALUES {values} \
             ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + excluded.count \
             RETURNING key, window_start, count"
        );
        let rows: Vec<(String, i64, i64)> = with_pool!(&self.db, pool => {
            let mut q = sqlx::query_as(&sql);
            for w in &sorted {
                q = q.bind(&w.key).bind(w.window_start).bind(by).bind(w.expires_at);
            }
            q.fetch_all(pool).await?
        });
        Ok(in_order(windows, &rows))
    }

    /// The current count of `key` in the window starting at `window_start` (0 when none).
    pub async fn read_counter(&self, key: &str, window_start: i64) -> StoreResult<i64> {
        let w = [CounterWindow {
            key: key.to_string(),
            window_start,
            expires_at: 0,
        }];
        Ok(self.read_counters(&w).await?.first().copied().unwrap_or(0))
    }

    /// The current counts of several counters (0 for those not started), in one query, in
    /// the order given.
    pub async fn read_counters(&self, windows: &[CounterWindow]) -> StoreResult<Vec<i64>> {
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT key, window_start, count FROM rate_counters WHERE {}",
            match_windows(windows.len(), 1)
        );
        let rows: Vec<(String, i64, i64)> = with_pool!(&self.db, pool => {
            let mut q = sqlx::query_as(&sql);
            for w in windows {
                q = q.bind(&w.key).bind(w.window_start);
            }
            q.fetch_all(pool).await?
        });
        Ok(in_order(windows, &rows))
    }

    /// Takes one event back from every counter that has one, in one statement (a counter
    /// never goes below zero).
    pub async fn refund_counters(&self, windows: &[CounterWindow]) -> StoreResult<()> {
        if windows.is_empty() {
            return Ok(());
        }
        let sql = refund_sql(&self.db, windows.len());
        with_pool!(&self.db, pool => {
            let mut q = sqlx::query(&sql);
            for w in windows {
                q = q.bind(&w.key).bind(w.window_start);
            }
            q.execute(pool).await?;
        });
        Ok(())
    }
}

/// The count of each window from `rows` (`key, window_start, count`), 0 when absent.
fn in_order(windows: &[CounterWindow], rows: &[(String, i64, i64)]) -> Vec<i64> {
    windows
        .iter()
        .map(|w| {
            rows.iter()
                .find(|(k, s, _)| *k == w.key && *s == w.window_start)
                .map(|r| r.2)
                .unwrap_or(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_matched_with_numbered_parameters() {
        assert_eq!(
            match_windows(2, 1),
            "(key = $1 AND window_start = $2) OR (key = $3 AND window_start = $4)"
        );
    }

    #[test]
    fn counts_come_back_in_the_order_asked() {
        let w = |k: &str| CounterWindow {
            key: k.into(),
            window_start: 10,
            expires_at: 20,
        };
        let rows = vec![("b".to_string(), 10, 2), ("a".to_string(), 10, 1)];
        assert_eq!(in_order(&[w("a"), w("b"), w("c")], &rows), vec![1, 2, 0]);
    }
}

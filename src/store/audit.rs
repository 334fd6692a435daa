//! The append-only audit trail. Details never contain a code, secret or token.

use serde::Serialize;

use tokio::sync::oneshot::error::TryRecvError;

use super::{Store, StoreError, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEvent {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

/// A new event, before it has an id.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEvent<'a> {
    pub kind: &'a str,
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub detail: serde_json::Value,
}

/// Most events written by one statement (6 parameters each).
const MAX_BATCH: usize = 128;

/// Audit events waiting to be written, for group commit: concurrent requests' events are
/// written together, one INSERT and one commit for all of them, and every request still
/// waits until its own event is stored. Alone, a request writes its event at once.
#[derive(Debug, Default)]
pub struct AuditQueue {
    pending: std::sync::Mutex<Vec<Pending>>,
    /// Held by the request writing a batch; the others queue behind it and their events
    /// go into the next batch.
    writer: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Pending {
    row: Row,
    done: tokio::sync::oneshot::Sender<Written>,
}

/// What became of a queued event.
#[derive(Debug)]
enum Written {
    Stored,
    /// The database could not be reached: the request hears so without trying again.
    Unavailable(String),
    /// The batch failed for another reason (one event the database refuses must not cost
    /// the others theirs): the request writes its event alone, for its own answer.
    Failed,
}

#[derive(Debug, Clone)]
struct Row {
    at: i64,
    kind: String,
    user_id: Option<String>,
    client_id: Option<String>,
    ip: Option<String>,
    detail: String,
}

impl AuditQueue {
    fn take(&self) -> Vec<Pending> {
        let mut q = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let n = q.len().min(MAX_BATCH);
        q.drain(..n).collect()
    }
}

impl Store {
    /// Appends an event and counts it in the metrics. A failure to write it is logged, not
    /// returned: an event must never fail the request that caused it.
    pub async fn record(&self, at: i64, e: NewAuditEvent<'_>) {
        self.metrics.observe_event(e.kind, &e.detail);
        let kind = e.kind;
        if let Err(err) = self.audit(at, e).await {
            tracing::warn!(error = %err, kind, "could not write audit event");
        }
    }

    /// Appends an event (group-committed with concurrent ones, see [`AuditQueue`]).
    pub async fn audit(&self, at: i64, e: NewAuditEvent<'_>) -> StoreResult<()> {
        let detail = if e.detail.is_null() {
            "{}".to_string()
        } else {
            e.detail.to_string()
        };
        let row = Row {
            at,
            kind: e.kind.to_string(),
            user_id: e.user_id.map(str::to_string),
            client_id: e.client_id.map(str::to_string),
            ip: e.ip.map(str::to_string),
            detail,
        };
        let (done, mut stored) = tokio::sync::oneshot::channel();
        self.audit_queue
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Pending {
                row: row.clone(),
                done,
            });
        loop {
            let writing = self.audit_queue.writer.lock().await;
            let written = match stored.try_recv() {
                Ok(w) => Some(w),
                Err(TryRecvError::Closed) => Some(Written::Failed),
                Err(TryRecvError::Empty) => None,
            };
            let batch = match written {
                Some(w) => {
                    drop(writing);
                    return self.written(w, row).await;
                }
                None => self.audit_queue.take(),
            };
            if batch.is_empty() {
                // Ours is in a batch still being written, whose request went away.
                drop(writing);
                let w = (&mut stored).await.unwrap_or(Written::Failed);
                return self.written(w, row).await;
            }
            // The batch is written by a task of its own: a request that goes away (its
            // client disconnected) must not take the other requests' events with it, nor
            // leave them unsure whether theirs were written.
            let store = self.clone();
            let write = tokio::spawn(async move {
                let rows: Vec<Row> = batch.iter().map(|p| p.row.clone()).collect();
                let result = store.insert_audit_rows(&rows).await;
                for p in batch {
                    let _ = p.done.send(match &result {
                        Ok(()) => Written::Stored,
                        Err(e) if e.is_unavailable() => Written::Unavailable(e.to_string()),
                        Err(_) => Written::Failed,
                    });
                }
            });
            // A panic in the task drops the senders: every waiter then writes its own.
            let _ = write.await;
        }
    }

    /// The answer for a queued event once its batch is over.
    async fn written(&self, w: Written, row: Row) -> StoreResult<()> {
        match w {
            Written::Stored => Ok(()),
            Written::Unavailable(e) => Err(StoreError::Unavailable(e)),
            Written::Failed => self.insert_audit_rows(&[row]).await,
        }
    }

    async fn insert_audit_rows(&self, rows: &[Row]) -> StoreResult<()> {
        let values = (0..rows.len())
            .map(|i| {
                let p = 6 * i + 1;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    p,
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO audit_events (at, kind, user_id, client_id, ip, detail) VALUES {values}"
        );
        // A batch's statement is prepared for that batch alone: kept in every connection's
        // statement cache, one per batch size, they cost tens of megabytes of memory.
        let keep_prepared = rows.len() == 1;
        with_pool!(&self.db, pool => {
            let mut q = sqlx::query(&sql).persistent(keep_prepared);
            for r in rows {
                q = q
                    .bind(r.at)
                    .bind(&r.kind)
                    .bind(&r.user_id)
                    .bind(&r.client_id)
                    .bind(&r.ip)
                    .bind(&r.detail);
            }
            q.execute(pool).await?;
        });
        Ok(())
    }

    /// Events at or after `since`, oldest first, optionally of one kind.
    pub async fn audit_events(
        &self,
        since: i64,
        kind: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, at, kind, user_id, client_id, ip, detail FROM audit_events \
                 WHERE at >= $1 AND ($2 IS NULL OR kind = $2) ORDER BY id LIMIT $3",
            )
            .bind(since)
            .bind(kind)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}

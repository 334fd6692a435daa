//! Event webhooks (table `webhooks`): where events are sent, which, with what secret (kept
//! encrypted), and how far along the audit trail each has come (`cursor`).

use super::audit::AuditEvent;
use super::{Store, StoreResult};
use crate::with_pool;

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    /// Event names separated by spaces (`events::EventSet::from_stored`).
    pub events: String,
    /// The signing secret, encrypted with the server secret.
    pub secret: Vec<u8>,
    /// The id of the last audit event this webhook has considered.
    pub cursor: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The outbox channel name of webhook deliveries (`outbox::webhook::CHANNEL`).
const CHANNEL: &str = "webhook";

const COLUMNS: &str = "id, url, events, secret, cursor, created_at, updated_at";

impl Store {
    /// Adds a subscription whose events start after the newest audit event: it receives
    /// what happens from now on.
    pub async fn insert_webhook(
        &self,
        id: &str,
        url: &str,
        events: &str,
        secret: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO webhooks (id, url, events, secret, cursor, created_at, updated_at) \
                 SELECT $1, $2, $3, $4, COALESCE(MAX(id), 0), $5, $5 FROM audit_events",
            )
            .bind(id)
            .bind(url)
            .bind(events)
            .bind(secret)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        let sql = format!("SELECT {COLUMNS} FROM webhooks ORDER BY created_at, id");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        }))
    }

    pub async fn get_webhook(&self, id: &str) -> StoreResult<Option<Webhook>> {
        let sql = format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        }))
    }

    /// Removes a subscription; its messages not yet delivered are dropped when their turn
    /// comes. True when it existed.
    pub async fn delete_webhook(&self, id: &str) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM webhooks WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Audit events after id `after`, in id order, up to the first written after `upto`
    /// (excluded, with every later one: the cursor never passes an event left for later),
    /// at most `limit`.
    pub async fn audit_events_after(
        &self,
        after: i64,
        upto: i64,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>> {
        let mut rows: Vec<AuditEvent> = with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, at, kind, user_id, client_id, ip, detail FROM audit_events \
                 WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        if let Some(first_late) = rows.iter().position(|r| r.at > upto) {
            rows.truncate(first_late);
        }
        Ok(rows)
    }

    /// Moves webhook `id`'s cursor from `from` to `to` and writes its `messages` (sealed
    /// payloads, due at once) to the outbox, in one transaction. False, and nothing
    /// written, when the cursor was no longer at `from` (another replica got there first)
    /// or the webhook is gone: each event is queued once.
    pub async fn advance_webhook(
        &self,
        id: &str,
        from: i64,
        to: i64,
        messages: &[Vec<u8>],
        now: i64,
        give_up_at: i64,
    ) -> StoreResult<bool> {
        Ok(with_pool!(&self.db, pool => {
            let mut conn = pool.acquire().await?;
            let mut db_txn = sqlx::Connection::begin(conn.raw()?).await?;
            let moved = sqlx::query(
                "UPDATE webhooks SET cursor = $1, updated_at = $2 WHERE id = $3 AND cursor = $4",
            )
            .bind(to)
            .bind(now)
            .bind(id)
            .bind(from)
            .execute(&mut *db_txn)
            .await?
            .rows_affected();
            if moved != 1 {
                db_txn.rollback().await?;
                false
            } else {
                for payload in messages {
                    sqlx::query(super::outbox::INSERT_DUE_MESSAGE_SQL)
                    .bind(CHANNEL)
                    .bind(id)
                    .bind(payload)
                    .bind(now)
                    .bind(give_up_at)
                    .execute(&mut *db_txn)
                    .await?;
                }
                db_txn.commit().await?;
                true
            }
        }))
    }
}

//! The delivery outbox: messages written in the same transaction as the state that needs
//! them, then claimed and delivered by a worker on any replica.
//!
//! A claim is a lease (`claimed_by`, `claimed_until`) taken by one atomic `UPDATE`; every
//! later change is conditional on still holding it, so two replicas never deliver the same
//! row while its lease runs, and a replica that died holding claims loses them when the
//! lease ends. On PostgreSQL the claim's sub-select also takes `FOR UPDATE SKIP LOCKED`, so
//! concurrent workers skip each other's rows instead of queueing behind them; on SQLite the
//! single `UPDATE` already runs under the database's one write lock.

use super::login::{NewCode, SET_LOGIN_CODE_SQL};
use super::text_enum::TextEnum;
use super::{Db, Store, StoreResult};
use crate::channel::Channel;
use crate::with_pool;

/// Delivered and failed rows are kept this long (for the person's page and operators).
pub const KEEP_FINISHED_SECONDS: i64 = 86_400;

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Waiting for an attempt (or in one).
    Pending,
    Delivered,
    /// Failed for good.
    Failed,
    /// A stand-in completed without sending (an address that may not sign in): to the
    /// person and to the metrics it looks like a delivered message; the audit trail says
    /// `code_not_sent`.
    Discarded,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        self.as_text()
    }
}

impl TextEnum for MessageStatus {
    fn as_text(&self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Failed => "failed",
            MessageStatus::Discarded => "discarded",
        }
    }
    fn from_text(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => MessageStatus::Pending,
            "delivered" => MessageStatus::Delivered,
            "failed" => MessageStatus::Failed,
            "discarded" => MessageStatus::Discarded,
            _ => return None,
        })
    }
}

crate::text_column!(MessageStatus);

/// A message to write.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub channel: Channel,
    pub recipient: &'a str,
    pub login_tx: Option<&'a str>,
    /// Encrypted by the caller.
    pub payload: &'a [u8],
    pub give_up_at: i64,
}

/// A claimed message, ready to deliver.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    /// As stored: a row written by a later version may name a channel this one does not
    /// know, and must then fail on its own instead of stopping the claim of every other
    /// row ([`Claimed::channel`] decodes it).
    pub channel: String,
    pub recipient: String,
    pub login_tx: Option<String>,
    pub payload: Option<Vec<u8>>,
    /// Including this one.
    pub attempts: i64,
    pub give_up_at: i64,
    pub created_at: i64,
}

impl Claimed {
    /// The row's channel, when it is one this version knows.
    pub fn channel(&self) -> Option<Channel> {
        Channel::parse(&self.channel)
    }
}

/// One row as operators and tests see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub login_tx: Option<String>,
    pub payload: Option<Vec<u8>>,
    pub status: MessageStatus,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub give_up_at: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub delivered_at: Option<i64>,
}

const ROW_COLUMNS: &str = "id, channel, recipient, login_tx, payload, status, attempts, \
                           next_attempt_at, give_up_at, claimed_by, claimed_until, last_error, \
                           created_at, updated_at, delivered_at";

/// What [`Store::set_login_code_and_enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeStored {
    /// The cooldown has not passed or the sign-in is over: nothing was written.
    Refused,
    /// The code was stored with its message, already claimed by the caller.
    Stored { message_id: i64 },
}

/// Writes a message already claimed by its writer (binds: channel, recipient, sign-in,
/// payload, now, give-up time, replica, lease end).
/// Writes a message that is due at once and claimed by nobody, inside the caller's
/// transaction: the next worker round on any replica delivers it. Binds: channel (a
/// notification channel of its own, such as back-channel logout or webhooks), recipient,
/// the payload sealed by the caller, now, the give-up time.
pub(super) const INSERT_DUE_MESSAGE_SQL: &str =
    "INSERT INTO outbox (channel, recipient, payload, status, attempts, \
     next_attempt_at, give_up_at, created_at, updated_at) \
     VALUES ($1, $2, $3, 'pending', 0, $4, $5, $4, $4)";

const INSERT_MESSAGE_SQL: &str =
    "INSERT INTO outbox (channel, recipient, login_tx, payload, status, attempts, \
     next_attempt_at, give_up_at, claimed_by, claimed_until, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, 'pending', 1, $5, $6, $7, $8, $5, $5) RETURNING id";

/// The outbox as a whole, for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Depth {
    pub pending: i64,
    pub oldest_pending_created_at: Option<i64>,
}

impl Store {
    /// The transactional outbox write: stores the sign-in's new code and, in the same
    /// transaction, the message that carries it, already claimed by `replica` until
    /// `lease_until` so the caller can hand it to a delivery at once. Either both are
    /// written or neither. The statements are the same for every message (a stand-in too:
    /// what it is, is sealed in its payload).
    pub async fn set_login_code_and_enqueue(
        &self,
        tx_id: &str,
        code: &NewCode<'_>,
        now: i64,
        message: &NewMessage<'_>,
        replica: &str,
        lease_until: i64,
    ) -> StoreResult<CodeStored> {
        Ok(with_pool!(&self.db, pool => {
            let mut conn = pool.acquire().await?;
            conn.record("BEGIN");
            let set_code = conn.record(SET_LOGIN_CODE_SQL);
            let insert = conn.record(INSERT_MESSAGE_SQL);
            let mut db_txn = sqlx::Connection::begin(conn.raw()?).await?;
            let n = sqlx::query(set_code)
                .bind(code.identifier)
                .bind(code.channel.as_str())
                .bind(code.code_hash)
                .bind(code.expires_at)
                .bind(now)
                .bind(tx_id)
                .bind(code.cooldown_cutoff)
                .execute(&mut *db_txn)
                .await?
                .rows_affected();
            if n != 1 {
                db_txn.rollback().await?;
                conn.record("ROLLBACK");
                CodeStored::Refused
            } else {
                let message_id = sqlx::query_scalar::<_, i64>(insert)
                    .bind(message.channel.as_str())
                    .bind(message.recipient)
                    .bind(message.login_tx)
                    .bind(message.payload)
                    .bind(now)
                    .bind(message.give_up_at)
                    .bind(replica)
                    .bind(lease_until)
                    .fetch_one(&mut *db_txn)
                    .await?;
                db_txn.commit().await?;
                conn.record("COMMIT");
                CodeStored::Stored { message_id }
            }
        }))
    }

    /// Claims up to `limit` due messages for `replica` until `lease_until`, counting one
    /// attempt for each. Rows claimed by a live lease are skipped.
    pub async fn claim_due_messages(
        &self,
        replica: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> StoreResult<Vec<Claimed>> {
        let lock = match self.db {
            Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            Db::Sqlite(_) => "",
        };
        // The conditions are repeated outside the sub-select: on PostgreSQL a row updated
        // by a concurrent claim is re-checked against them before this UPDATE touches it.
        let sql = format!(
            "UPDATE outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1, \
             updated_at = $3 \
             WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' \
                          AND next_attempt_at <= $3 \
                          AND (claimed_until IS NULL OR claimed_until <= $3) \
                          ORDER BY next_attempt_at, id LIMIT $4{lock}) \
             AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= $3) \
             RETURNING id, channel, recipient, login_tx, payload, attempts, give_up_at, created_at"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(replica)
                .bind(lease_until)
                .bind(now)
                .bind(limit.max(1))
                .fetch_all(pool)
                .await?
        }))
    }

    /// Marks a claimed message delivered and forgets its payload. False when the claim was
    /// lost (the lease ended and another replica took the row).
    pub async fn mark_message_delivered(
        &self,
        id: i64,
        replica: &str,
        now: i64,
    ) -> StoreResult<bool> {
        self.complete_message(id, replica, now, MessageStatus::Delivered)
            .await
    }

    /// Completes a claimed stand-in without sending it, and forgets its payload. False when
    /// the claim was lost.
    pub async fn mark_message_discarded(
        &self,
        id: i64,
        replica: &str,
        now: i64,
    ) -> StoreResult<bool> {
        self.complete_message(id, replica, now, MessageStatus::Discarded)
            .await
    }

    /// Ends a claimed message with `status` (delivered or discarded) while the claim holds.
    async fn complete_message(
        &self,
        id: i64,
        replica: &str,
        now: i64,
        status: MessageStatus,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE outbox SET status = $4, payload = NULL, delivered_at = $3, \
                 claimed_until = NULL, last_error = NULL, updated_at = $3 \
                 WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
            )
            .bind(id)
            .bind(replica)
            .bind(now)
            .bind(status.as_text())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Gives a claimed message back for another attempt at `next_attempt_at`.
    pub async fn schedule_message_retry(
        &self,
        id: i64,
        replica: &str,
        now: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE outbox SET next_attempt_at = $3, claimed_by = NULL, claimed_until = NULL, \
                 last_error = $4, updated_at = $5 \
                 WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
            )
            .bind(id)
            .bind(replica)
            .bind(next_attempt_at)
            .bind(error)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Marks a claimed message failed for good and forgets its payload; in the same
    /// transaction withdraws the sign-in's code `clear_code = (tx id, code hash)` if it is
    /// still that code (nobody received it; a newer code is left alone).
    pub async fn mark_message_failed(
        &self,
        id: i64,
        replica: &str,
        now: i64,
        error: &str,
        clear_code: Option<(&str, &[u8])>,
    ) -> StoreResult<bool> {
        Ok(with_pool!(&self.db, pool => {
            let mut conn = pool.acquire().await?;
            let mut db_txn = sqlx::Connection::begin(conn.raw()?).await?;
            let n = sqlx::query(
                "UPDATE outbox SET status = 'failed', payload = NULL, claimed_until = NULL, \
                 last_error = $3, updated_at = $4 \
                 WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
            )
            .bind(id)
            .bind(replica)
            .bind(error)
            .bind(now)
            .execute(&mut *db_txn)
            .await?
            .rows_affected();
            if let (1, Some((tx_id, code_hash))) = (n, clear_code) {
                sqlx::query(
                    "UPDATE login_transactions SET code_hash = NULL, code_expires_at = NULL, \
                     code_sent_at = NULL, attempts = 0 WHERE id = $1 AND code_hash = $2",
                )
                .bind(tx_id)
                .bind(code_hash)
                .execute(&mut *db_txn)
                .await?;
            }
            db_txn.commit().await?;
            n == 1
        }))
    }

    /// Gives back every claim `replica` still holds (at shutdown), so another replica can
    /// deliver those messages at once instead of after the lease.
    pub async fn release_message_claims(&self, replica: &str, now: i64) -> StoreResult<u64> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL, updated_at = $2 \
                 WHERE claimed_by = $1 AND status = 'pending' AND claimed_until IS NOT NULL",
            )
            .bind(replica)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        }))
    }

    /// The newest message of a sign-in, if any.
    pub async fn latest_message_for_tx(&self, tx_id: &str) -> StoreResult<Option<OutboxRow>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM outbox WHERE login_tx = $1 ORDER BY id DESC LIMIT 1"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(tx_id).fetch_optional(pool).await?
        }))
    }

    /// Every message of a sign-in, oldest first.
    pub async fn messages_for_tx(&self, tx_id: &str) -> StoreResult<Vec<OutboxRow>> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM outbox WHERE login_tx = $1 ORDER BY id");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(tx_id).fetch_all(pool).await?
        }))
    }

    /// Every message, oldest first (operators, tests).
    pub async fn all_messages(&self) -> StoreResult<Vec<OutboxRow>> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM outbox ORDER BY id");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        }))
    }

    /// How many messages wait, and since when.
    pub async fn outbox_depth(&self) -> StoreResult<Depth> {
        let (pending, oldest): (i64, Option<i64>) = with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'")
                .fetch_one(pool)
                .await?
        });
        Ok(Depth {
            pending,
            oldest_pending_created_at: oldest,
        })
    }
}

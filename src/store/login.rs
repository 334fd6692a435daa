//! Sign-ins in progress and their one live code.
//!
//! Every change to a code is one conditional `UPDATE`, so concurrent requests cannot pass a
//! limit: the attempt counter is raised and checked in the same statement, and a code is
//! consumed only by the request whose `UPDATE` still finds it.

use super::clients::{Client, ClientRow};
use super::{Store, StoreResult};
use crate::channel::Channel;
use crate::with_pool;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoginTx {
    pub id: String,
    pub client_id: String,
    /// The validated authorization request, as JSON.
    pub request: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub identifier: Option<String>,
    pub channel: Option<Channel>,
    pub code_expires_at: Option<i64>,
    pub code_sent_at: Option<i64>,
    pub attempts: i64,
    pub completed_at: Option<i64>,
}

const COLUMNS: &str = "id, client_id, request, created_at, expires_at, identifier, channel, \
                       code_expires_at, code_sent_at, attempts, completed_at";

/// The query of [`Store::get_login_tx_and_client`], built once.
static TX_AND_CLIENT_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let tx_cols = COLUMNS
        .split(',')
        .map(|c| format!("t.{0} AS t_{0}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let client_cols = super::clients::COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {tx_cols}, {client_cols} FROM login_transactions t \
         JOIN clients c ON c.id = t.client_id WHERE t.id = $1 AND t.expires_at > $2"
    )
});

/// A sign-in and its client ([`Store::get_login_tx_and_client`]): the sign-in's columns
/// are prefixed `t_`, the client's keep their names.
#[derive(sqlx::FromRow)]
struct TxAndClient {
    t_id: String,
    t_client_id: String,
    t_request: String,
    t_created_at: i64,
    t_expires_at: i64,
    t_identifier: Option<String>,
    t_channel: Option<Channel>,
    t_code_expires_at: Option<i64>,
    t_code_sent_at: Option<i64>,
    t_attempts: i64,
    t_completed_at: Option<i64>,
    #[sqlx(flatten)]
    client: ClientRow,
}

/// What one counted attempt found.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeAttempt {
    pub code_hash: Vec<u8>,
    pub attempts: i64,
    pub identifier: String,
    pub channel: Option<Channel>,
}

/// The channel of a stored sign-in, where none means email (rows written before phone
/// sign-in).
fn or_email(c: Option<Channel>) -> Channel {
    c.unwrap_or(Channel::Email)
}

impl LoginTx {
    /// The channel of the sign-in's identifier (email when the row names none).
    pub fn channel(&self) -> Channel {
        or_email(self.channel)
    }
}

impl CodeAttempt {
    /// The channel of the identifier whose code was tried (email when the row names none).
    pub fn channel(&self) -> Channel {
        or_email(self.channel)
    }
}

/// A new code for a sign-in.
#[derive(Debug, Clone)]
pub struct NewCode<'a> {
    pub identifier: &'a str,
    pub channel: Channel,
    pub code_hash: &'a [u8],
    pub expires_at: i64,
    /// A code to the same identifier sent after this time blocks a new one (cooldown).
    pub cooldown_cutoff: i64,
}

/// Stores a new code unless the cooldown has not passed (binds: identifier, channel, hash,
/// code expiry, now, tx id, cooldown cutoff). Shared with the outbox's transactional write.
pub(super) const SET_LOGIN_CODE_SQL: &str =
    "UPDATE login_transactions SET identifier = $1, channel = $2, code_hash = $3, \
     code_expires_at = $4, code_sent_at = $5, attempts = 0 \
     WHERE id = $6 AND completed_at IS NULL AND expires_at > $5 \
     AND (code_sent_at IS NULL OR identifier IS NULL OR identifier <> $1 \
          OR code_sent_at <= $7)";

impl Store {
    pub async fn insert_login_tx(
        &self,
        id: &str,
        client_id: &str,
        request: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO login_transactions (id, client_id, request, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(client_id)
            .bind(request)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Writes a sign-in whose id was drawn earlier (a sealed sign-in the person has just
    /// acted on), unless one with that id exists: true only for the one request that wrote
    /// it, so a sealed value starts at most one transaction.
    pub async fn insert_login_tx_once(
        &self,
        id: &str,
        client_id: &str,
        request: &str,
        created_at: i64,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO login_transactions (id, client_id, request, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(client_id)
            .bind(request)
            .bind(created_at)
            .bind(expires_at)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Deletes a sign-in that was written by a request whose answer failed (the browser
    /// session that would own it is not saved then), so that nothing half-made is left.
    pub async fn delete_login_tx(&self, id: &str) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM login_transactions WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// A sign-in that has not expired.
    pub async fn get_login_tx(&self, id: &str, now: i64) -> StoreResult<Option<LoginTx>> {
        let sql =
            format!("SELECT {COLUMNS} FROM login_transactions WHERE id = $1 AND expires_at > $2");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(id).bind(now).fetch_optional(pool).await?
        }))
    }

    /// A sign-in that has not expired and its client, in one query (None when either is
    /// gone): what every sign-in page starts with.
    pub async fn get_login_tx_and_client(
        &self,
        id: &str,
        now: i64,
    ) -> StoreResult<Option<(LoginTx, Client)>> {
        let row: Option<TxAndClient> = with_pool!(&self.db, pool => {
            sqlx::query_as(&TX_AND_CLIENT_SQL).bind(id).bind(now).fetch_optional(pool).await?
        });
        let Some(r) = row else {
            return Ok(None);
        };
        let tx = LoginTx {
            id: r.t_id,
            client_id: r.t_client_id,
            request: r.t_request,
            created_at: r.t_created_at,
            expires_at: r.t_expires_at,
            identifier: r.t_identifier,
            channel: r.t_channel,
            code_expires_at: r.t_code_expires_at,
            code_sent_at: r.t_code_sent_at,
            attempts: r.t_attempts,
            completed_at: r.t_completed_at,
        };
        Ok(Some((tx, Client::try_from(r.client)?)))
    }

    /// Stores a new code (burning any previous one) unless the cooldown for the same
    /// identifier has not passed or the sign-in is over. Returns false when refused.
    pub async fn set_login_code(
        &self,
        id: &str,
        code: &NewCode<'_>,
        now: i64,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(SET_LOGIN_CODE_SQL)
            .bind(code.identifier)
            .bind(code.channel.as_str())
            .bind(code.code_hash)
            .bind(code.expires_at)
            .bind(now)
            .bind(id)
            .bind(code.cooldown_cutoff)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Forgets the live code and its send time (after a failed delivery), so the person can
    /// ask again at once and nothing half-made is left.
    pub async fn clear_login_code(&self, id: &str) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE login_transactions SET code_hash = NULL, code_expires_at = NULL, \
                 code_sent_at = NULL, attempts = 0 WHERE id = $1",
            )
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Forgets the identifier (the person chose "use a different address").
    pub async fn reset_login_identifier(&self, id: &str) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE login_transactions SET identifier = NULL, channel = NULL, \
                 code_hash = NULL, code_expires_at = NULL, attempts = 0 \
                 WHERE id = $1 AND completed_at IS NULL",
            )
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Counts one attempt atomically and returns the stored hash to compare against, or
    /// None when there is no live code (none sent, expired, burnt, or out of attempts).
    pub async fn count_code_attempt(
        &self,
        id: &str,
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Option<CodeAttempt>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(
                "UPDATE login_transactions SET attempts = attempts + 1 \
                 WHERE id = $1 AND code_hash IS NOT NULL AND code_expires_at > $2 \
                 AND attempts < $3 AND completed_at IS NULL AND expires_at > $2 \
                 RETURNING code_hash, attempts, identifier, channel",
            )
            .bind(id)
            .bind(now)
            .bind(max_attempts)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Consumes the code: true only for the one request that still finds it live.
    pub async fn consume_login_code(
        &self,
        id: &str,
        code_hash: &[u8],
        now: i64,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE login_transactions SET code_hash = NULL, completed_at = $1 \
                 WHERE id = $2 AND code_hash = $3 AND completed_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .bind(code_hash)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Burns the live code (no attempts left).
    pub async fn burn_login_code(&self, id: &str) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query("UPDATE login_transactions SET code_hash = NULL WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends a sign-in that needs no code (single sign-on), so it cannot be replayed.
    pub async fn complete_login_tx(&self, id: &str, now: i64) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE login_transactions SET code_hash = NULL, completed_at = $1 \
                 WHERE id = $2 AND completed_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }
}

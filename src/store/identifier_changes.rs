//! Identifiers a signed-in person is adding to their account, until the code sent to the
//! new address or number is typed: one at a time per person, counted like a sign-in's code.

use super::users::{Channel, User, COLUMNS};
use super::{Store, StoreError, StoreResult};
use crate::with_pool;

/// The identifier being added, and its code's state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentifierChange {
    pub channel: String,
    pub identifier: String,
    pub code_expires_at: i64,
    pub code_sent_at: i64,
    pub attempts: i64,
}

impl IdentifierChange {
    pub fn channel(&self) -> Channel {
        Channel::from_stored(Some(&self.channel))
    }
}

/// One counted try at an identifier's code.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangeAttempt {
    pub code_hash: Vec<u8>,
    pub attempts: i64,
    pub channel: String,
    pub identifier: String,
}

/// What attaching a verified identifier did.
#[derive(Debug, PartialEq, Eq)]
pub enum Attached {
    Done(User),
    /// Another account holds it (the unique constraint said so).
    HeldElsewhere,
    /// The person is gone.
    NoUser,
}

fn column(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Sms => "phone",
    }
}

impl Store {
    /// Starts (or restarts, with a new code) adding `identifier` to the person's account.
    /// A new code burns the previous one and its tries.
    pub async fn start_identifier_change(
        &self,
        user_id: &str,
        channel: Channel,
        identifier: &str,
        code_hash: &[u8],
        expires_at: i64,
        now: i64,
    ) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO identifier_changes \
                 (user_id, channel, identifier, code_hash, code_expires_at, code_sent_at, attempts) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0) \
                 ON CONFLICT (user_id) DO UPDATE SET channel = excluded.channel, \
                 identifier = excluded.identifier, code_hash = excluded.code_hash, \
                 code_expires_at = excluded.code_expires_at, \
                 code_sent_at = excluded.code_sent_at, attempts = 0",
            )
            .bind(user_id)
            .bind(channel.as_str())
            .bind(identifier)
            .bind(code_hash)
            .bind(expires_at)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The identifier being added, while its code is live.
    pub async fn get_identifier_change(
        &self,
        user_id: &str,
        now: i64,
    ) -> StoreResult<Option<IdentifierChange>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT channel, identifier, code_expires_at, code_sent_at, attempts \
                 FROM identifier_changes \
                 WHERE user_id = $1 AND code_hash IS NOT NULL AND code_expires_at > $2",
            )
            .bind(user_id)
            .bind(now)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Counts one try atomically and returns the hash to compare against; None when no
    /// live code is left (none, expired, burnt, or out of tries).
    pub async fn count_identifier_attempt(
        &self,
        user_id: &str,
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Option<ChangeAttempt>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(
                "UPDATE identifier_changes SET attempts = attempts + 1 \
                 WHERE user_id = $1 AND code_hash IS NOT NULL AND code_expires_at > $2 \
                 AND attempts < $3 \
                 RETURNING code_hash, attempts, channel, identifier",
            )
            .bind(user_id)
            .bind(now)
            .bind(max_attempts)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Ends the change: its code is gone (used, burnt or cancelled). True for the one
    /// request that still found this code.
    pub async fn end_identifier_change(
        &self,
        user_id: &str,
        code_hash: Option<&[u8]>,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            match code_hash {
                Some(h) => sqlx::query(
                    "DELETE FROM identifier_changes WHERE user_id = $1 AND code_hash = $2",
                )
                .bind(user_id)
                .bind(h)
                .execute(pool)
                .await?
                .rows_affected(),
                None => sqlx::query("DELETE FROM identifier_changes WHERE user_id = $1")
                    .bind(user_id)
                    .execute(pool)
                    .await?
                    .rows_affected(),
            }
        });
        Ok(n == 1)
    }

    /// Sets the person's identifier of this channel, verified. Refused when another
    /// account holds it.
    pub async fn attach_identifier(
        &self,
        user_id: &str,
        channel: Channel,
        identifier: &str,
        now: i64,
    ) -> StoreResult<Attached> {
        let col = column(channel);
        let sql = format!(
            "UPDATE users SET {col} = $1, {col}_verified = TRUE, updated_at = $2 \
             WHERE id = $3 RETURNING {COLUMNS}"
        );
        let res: Result<Option<User>, StoreError> = async {
            Ok(with_pool!(&self.db, pool => {
                sqlx::query_as(&sql)
                    .bind(identifier)
                    .bind(now)
                    .bind(user_id)
                    .fetch_optional(pool)
                    .await?
            }))
        }
        .await;
        match res {
            Ok(Some(u)) => Ok(Attached::Done(u)),
            Ok(None) => Ok(Attached::NoUser),
            Err(e) if e.is_unique_violation() => Ok(Attached::HeldElsewhere),
            Err(e) => Err(e),
        }
    }

    /// Removes the person's identifier of this channel, unless it is their only one.
    /// True when it was removed.
    pub async fn detach_identifier(
        &self,
        user_id: &str,
        channel: Channel,
        now: i64,
    ) -> StoreResult<bool> {
        let (col, other) = match channel {
            Channel::Email => ("email", "phone"),
            Channel::Sms => ("phone", "email"),
        };
        let sql = format!(
            "UPDATE users SET {col} = NULL, {col}_verified = FALSE, updated_at = $1 \
             WHERE id = $2 AND {col} IS NOT NULL AND {other} IS NOT NULL"
        );
        let n = with_pool!(&self.db, pool => {
            sqlx::query(&sql).bind(now).bind(user_id).execute(pool).await?.rows_affected()
        });
        Ok(n == 1)
    }
}

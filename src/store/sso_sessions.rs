//! The records of SSO sessions (table `user_sessions`), so admins can list and end them.
//!
//! The browser's session record (table `sessions`, managed by tower-sessions) carries the
//! same id under [`SSO_SID_KEY`]. Ending an SSO session marks its row here and
//! deletes the browser session record, so no replica accepts that cookie again.

use serde::Serialize;

use super::{Store, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SsoSessionRecord {
    pub id: String,
    pub user_id: String,
    /// JSON array.
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
}

impl SsoSessionRecord {
    pub fn is_active(&self, now: i64) -> bool {
        self.ended_at.is_none() && self.expires_at > now
    }
}

/// Key, in the browser's session record, of the recorded sign-in's id (a row of
/// `user_sessions`). The store owns it because it finds session records by it.
pub const SSO_SID_KEY: &str = "sso_sid";

const COLUMNS: &str = "id, user_id, amr, created_at, expires_at, ended_at, end_reason";

/// The `LIKE` pattern that finds a browser session record carrying `sid`. Session ids are
/// lower-case hex, so they contain no `LIKE` wildcard.
fn record_pattern(sid: &str) -> String {
    format!("%\"{}\":\"{}\"%", SSO_SID_KEY, sid)
}

impl Store {
    pub async fn insert_sso_session(&self, s: &SsoSessionRecord) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO user_sessions (id, user_id, amr, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&s.id)
            .bind(&s.user_id)
            .bind(&s.amr)
            .bind(s.created_at)
            .bind(s.expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn get_sso_session(&self, id: &str) -> StoreResult<Option<SsoSessionRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM user_sessions WHERE id = $1");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        }))
    }

    /// True when the sign-in `id` was ended (by an admin, or because its account was
    /// disabled). Its lifetime is the browser session's own business.
    pub async fn sso_session_ended(&self, id: &str) -> StoreResult<bool> {
        Ok(self
            .get_sso_session(id)
            .await?
            .is_some_and(|s| s.ended_at.is_some()))
    }

    /// A user's sign-ins, newest first; only live ones unless `include_ended`.
    pub async fn list_sso_sessions(
        &self,
        user_id: &str,
        now: i64,
        include_ended: bool,
        limit: i64,
    ) -> StoreResult<Vec<SsoSessionRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM user_sessions WHERE user_id = $1 \
             AND ($2 OR (ended_at IS NULL AND expires_at > $3)) \
             ORDER BY created_at DESC, id LIMIT $4"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(user_id)
                .bind(include_ended)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Renews a live sign-in of `user_id` after the person signed in again in the same
    /// browser: the same record (and `sid`) with the new methods and a new expiry. False
    /// when it is not that person's, or no longer live.
    pub async fn renew_sso_session(
        &self,
        id: &str,
        user_id: &str,
        amr: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE user_sessions SET amr = $1, expires_at = $2 \
                 WHERE id = $3 AND user_id = $4 AND ended_at IS NULL AND expires_at > $5",
            )
            .bind(amr)
            .bind(expires_at)
            .bind(id)
            .bind(user_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Ends one sign-in and deletes its browser session record. True when it was live.
    pub async fn end_sso_session(&self, id: &str, now: i64, reason: &str) -> StoreResult<bool> {
        let ended = self.mark_sso_session_ended(id, now, reason).await?;
        self.delete_browser_sessions_of(id).await?;
        Ok(ended)
    }

    /// Marks one sign-in ended without looking for its browser session record (for a
    /// browser that is replacing it itself). True when it was live.
    pub async fn mark_sso_session_ended(
        &self,
        id: &str,
        now: i64,
        reason: &str,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE user_sessions SET ended_at = $1, end_reason = $2 \
                 WHERE id = $3 AND ended_at IS NULL",
            )
            .bind(now)
            .bind(reason)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Ends every live sign-in of a user; returns the ids ended.
    pub async fn end_sso_sessions_of_user(
        &self,
        user_id: &str,
        now: i64,
        reason: &str,
    ) -> StoreResult<Vec<String>> {
        let ids: Vec<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "UPDATE user_sessions SET ended_at = $1, end_reason = $2 \
                 WHERE user_id = $3 AND ended_at IS NULL RETURNING id",
            )
            .bind(now)
            .bind(reason)
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        for id in &ids {
            self.delete_browser_sessions_of(id).await?;
        }
        Ok(ids)
    }

    /// Deletes the browser session records that carry sign-in `sid`.
    pub async fn delete_browser_sessions_of(&self, sid: &str) -> StoreResult<u64> {
        if sid.is_empty() || !sid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(0);
        }
        let pattern = record_pattern(sid);
        Ok(with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM sessions WHERE data LIKE $1")
                .bind(&pattern)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}

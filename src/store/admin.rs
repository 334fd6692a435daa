//! Queries for administration: finding people, disabling and deleting them, their token
//! families (grants), and filtered audit events.

use super::audit::AuditEvent;
use super::users::User;
use super::{Store, StoreResult};
use crate::with_pool;

const USER_COLUMNS: &str = "id, email, email_verified, phone, phone_verified, created_at, \
                            updated_at, last_login_at, disabled_at";

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Which users to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter<'a> {
    /// A case-insensitive fragment of the email address or phone number.
    pub search: Option<&'a str>,
    /// Only disabled (true) or only enabled (false) accounts.
    pub disabled: Option<bool>,
    /// Keyset cursor: the `(created_at, id)` of the last user of the previous page.
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

/// A grant (one token family: an authorization code and the refresh tokens rotated from
/// it) as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GrantRow {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub client_name: Option<String>,
    pub scope: String,
    pub auth_time: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub live_refresh_tokens: i64,
}

/// Which audit events to list (newest first).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    /// An exact kind, or a prefix when it ends with `*` (`admin_*`).
    pub kind: Option<&'a str>,
    /// Events at or after this time.
    pub since: Option<i64>,
    /// Events before this time.
    pub until: Option<i64>,
    /// Keyset cursor: events with a smaller id than this.
    pub before_id: Option<i64>,
    pub limit: i64,
}

impl Store {
    pub async fn search_users(&self, f: &UserFilter<'_>) -> StoreResult<Vec<User>> {
        let (at, id) = f.after.clone().unwrap_or((i64::MIN, String::new()));
        let pattern = f
            .search
            .map(|s| format!("%{}%", like_escape(&s.trim().to_lowercase())));
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users \
             WHERE (created_at > $1 OR (created_at = $1 AND id > $2)) \
             AND ($3 IS NULL OR LOWER(email) LIKE $3 ESCAPE '\\' OR phone LIKE $3 ESCAPE '\\') \
             AND ($4 IS NULL OR (disabled_at IS NOT NULL) = $4) \
             ORDER BY created_at, id LIMIT $5"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(at)
                .bind(&id)
                .bind(&pattern)
                .bind(f.disabled)
                .bind(f.limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Disables (`Some(now)`) or enables (`None`) an account. Returns the user, or None
    /// when there is no such user. Idempotent: disabling twice keeps the first time.
    pub async fn set_user_disabled(
        &self,
        id: &str,
        disabled_at: Option<i64>,
        now: i64,
    ) -> StoreResult<Option<User>> {
        let sql = format!(
            "UPDATE users SET disabled_at = CASE WHEN $1 IS NULL THEN NULL \
             ELSE COALESCE(disabled_at, $1) END, updated_at = $2 WHERE id = $3 \
             RETURNING {USER_COLUMNS}"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(disabled_at)
                .bind(now)
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Deletes a user; their grants, codes, refresh tokens and sign-ins go with them.
    pub async fn delete_user(&self, id: &str) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// A user's grants, newest first; only live ones unless `include_inactive`.
    pub async fn list_user_grants(
        &self,
        user_id: &str,
        now: i64,
        include_inactive: bool,
        limit: i64,
    ) -> StoreResult<Vec<GrantRow>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT g.id, g.user_id, g.client_id, c.name AS client_name, g.scope, g.auth_time, \
                 g.created_at, g.expires_at, g.revoked_at, \
                 (SELECT COUNT(*) FROM refresh_tokens r WHERE r.grant_id = g.id \
                  AND r.revoked_at IS NULL AND r.used_at IS NULL AND r.expires_at > $2) \
                  AS live_refresh_tokens \
                 FROM grants g LEFT JOIN clients c ON c.id = g.client_id \
                 WHERE g.user_id = $1 AND ($3 OR (g.revoked_at IS NULL AND g.expires_at > $2)) \
                 ORDER BY g.created_at DESC, g.id LIMIT $4",
            )
            .bind(user_id)
            .bind(now)
            .bind(include_inactive)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Ids of a user's grants that are not revoked.
    pub async fn unrevoked_grant_ids(&self, user_id: &str) -> StoreResult<Vec<String>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "SELECT id FROM grants WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Audit events matching the filter, newest first.
    pub async fn query_audit(&self, f: &AuditFilter<'_>) -> StoreResult<Vec<AuditEvent>> {
        let (exact, prefix) = match f.kind {
            Some(k) if k.ends_with('*') => (
                None,
                Some(format!("{}%", like_escape(k.trim_end_matches('*')))),
            ),
            Some(k) => (Some(k.to_string()), None),
            None => (None, None),
        };
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, at, kind, user_id, client_id, ip, detail FROM audit_events \
                 WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR client_id = $2) \
                 AND ($3 IS NULL OR kind = $3) AND ($4 IS NULL OR kind LIKE $4 ESCAPE '\\') \
                 AND at >= $5 AND at < $6 AND id < $7 ORDER BY id DESC LIMIT $8",
            )
            .bind(f.user_id)
            .bind(f.client_id)
            .bind(&exact)
            .bind(&prefix)
            .bind(f.since.unwrap_or(i64::MIN))
            .bind(f.until.unwrap_or(i64::MAX))
            .bind(f.before_id.unwrap_or(i64::MAX))
            .bind(f.limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The largest per-client token lifetime override (for key retention after rotation).
    pub async fn max_client_token_ttl(&self) -> StoreResult<i64> {
        let v: Option<i64> = with_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "SELECT MAX(CASE WHEN COALESCE(access_token_ttl_seconds, 0) > \
                 COALESCE(id_token_ttl_seconds, 0) THEN COALESCE(access_token_ttl_seconds, 0) \
                 ELSE COALESCE(id_token_ttl_seconds, 0) END) FROM clients",
            )
            .fetch_one(pool)
            .await?
        });
        Ok(v.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("a_b%c\\d"), "a\\_b\\%c\\\\d");
        assert_eq!(like_escape("alice@example.com"), "alice@example.com");
    }
}

//! Refresh-token families, access tokens revoked one by one, and the grant bookkeeping that
//! refresh, revocation and logout need.
//!
//! A grant is a token family: every refresh token and access token issued from one
//! authorization carries its id. Rotating a refresh token marks the old one used in one
//! conditional `UPDATE`, so of two concurrent uses exactly one wins and the other is seen as
//! a reuse (which revokes the family, RFC 9700 section 4.14.2).

use super::codes::{Grant, GRANT_COLUMNS};
use super::users::User;
use super::{from_json, Store, StoreResult};
use crate::with_pool;

/// A refresh token as stored: only its keyed hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RefreshToken {
    pub token_hash: Vec<u8>,
    pub grant_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub created_at: i64,
    /// The idle deadline (never later than the family's absolute end).
    pub expires_at: i64,
    /// Set when the token was rotated; a later presentation is a reuse.
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const RT_COLUMNS: &str =
    "token_hash, grant_id, client_id, user_id, scope, created_at, expires_at, used_at, revoked_at";

impl Store {
    pub async fn insert_refresh_token(&self, t: &RefreshToken) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, user_id, scope, \
                 created_at, expires_at, used_at, revoked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&t.token_hash)
            .bind(&t.grant_id)
            .bind(&t.client_id)
            .bind(&t.user_id)
            .bind(&t.scope)
            .bind(t.created_at)
            .bind(t.expires_at)
            .bind(t.used_at)
            .bind(t.revoked_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn get_refresh_token(&self, token_hash: &[u8]) -> StoreResult<Option<RefreshToken>> {
        let sql = format!("SELECT {RT_COLUMNS} FROM refresh_tokens WHERE token_hash = $1");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await?
        }))
    }

    /// Marks a live refresh token used. True only for the one request that rotates it.
    pub async fn consume_refresh_token(&self, token_hash: &[u8], now: i64) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 \
                 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
            )
            .bind(now)
            .bind(token_hash)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Pushes a grant's end out to `expires_at` (never pulls it in).
    pub async fn extend_grant(&self, id: &str, expires_at: i64) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query("UPDATE grants SET expires_at = $1 WHERE id = $2 AND expires_at < $1")
                .bind(expires_at)
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The live grants made in one browser session.
    pub async fn grants_in_session(&self, sid: &str) -> StoreResult<Vec<Grant>> {
        let sql =
            format!("SELECT {GRANT_COLUMNS} FROM grants WHERE sid = $1 AND revoked_at IS NULL");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(sid).fetch_all(pool).await?
        }))
    }

    /// Revokes every grant a person gave one client (and so every token issued from them).
    pub async fn revoke_grants_of(
        &self,
        user_id: &str,
        client_id: &str,
        now: i64,
    ) -> StoreResult<u64> {
        Ok(with_pool!(&self.db, pool => {
            let n = sqlx::query(
                "UPDATE grants SET revoked_at = $1 \
                 WHERE user_id = $2 AND client_id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .bind(client_id)
            .execute(pool)
            .await?
            .rows_affected();
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $1 \
                 WHERE user_id = $2 AND client_id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .bind(client_id)
            .execute(pool)
            .await?;
            n
        }))
    }

    /// Records that one access token (by `jti`) is revoked until it would expire.
    pub async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) \
                 ON CONFLICT (jti) DO NOTHING",
            )
            .bind(jti)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn access_token_revoked(&self, jti: &str) -> StoreResult<bool> {
        let found: Option<i64> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT expires_at FROM revoked_access_tokens WHERE jti = $1")
                .bind(jti)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// A grant, read together with (one query) whether the access token `jti` was revoked
    /// and the user `user_id`: what userinfo, introspection and the code exchange check
    /// before they answer. None when the grant does not exist (any more).
    pub async fn grant_state(
        &self,
        grant_id: &str,
        jti: Option<&str>,
        user_id: Option<&str>,
    ) -> StoreResult<Option<GrantState>> {
        let row: Option<GrantRow> = with_pool!(&self.db, pool => {
            sqlx::query_as(&GRANT_STATE_SQL)
                .bind(jti)
                .bind(grant_id)
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|r| {
            // The grant's client always exists (deleting a client deletes its grants); were
            // it missing, the grant could obtain no scope but `openid`.
            let client_allowed_scopes = match (&r.c_id, r.c_allowed_scopes.as_deref()) {
                (None, _) => Some(Vec::new()),
                (Some(_), None) => None,
                (Some(_), Some(list)) => Some(from_json(list)?),
            };
            let user = match (r.u_id, r.u_created_at, r.u_updated_at) {
                (Some(id), Some(created_at), Some(updated_at)) => Some(User {
                    id,
                    email: r.u_email,
                    email_verified: r.u_email_verified.unwrap_or(false),
                    phone: r.u_phone,
                    phone_verified: r.u_phone_verified.unwrap_or(false),
                    created_at,
                    updated_at,
                    last_login_at: r.u_last_login_at,
                    disabled_at: r.u_disabled_at,
                }),
                _ => None,
            };
            Ok(GrantState {
                grant: r.grant,
                token_revoked: r.token_revoked,
                user,
                client_allowed_scopes,
            })
        })
        .transpose()
    }

    /// Deletes what can never be used again: refresh tokens past their deadline, revoked
    /// access tokens past their expiry, and grants a day after their end.
    pub async fn purge_expired_tokens(&self, now: i64) -> StoreResult<u64> {
        let mut n = 0;
        with_pool!(&self.db, pool => {
            n += sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < $1")
                .bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM revoked_access_tokens WHERE expires_at < $1")
                .bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM grants WHERE expires_at < $1")
                .bind(now - 86_400).execute(pool).await?.rows_affected();
        });
        Ok(n)
    }
}

/// The query of [`Store::grant_state`], built once.
static GRANT_STATE_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let user_cols = super::users::COLUMNS
        .split(',')
        .map(|c| format!("u.{0} AS u_{0}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let grant_cols = GRANT_COLUMNS
        .split(',')
        .map(|c| format!("g.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {grant_cols}, \
         EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $1) AS token_revoked, \
         {user_cols}, c.id AS c_id, c.allowed_scopes AS c_allowed_scopes \
         FROM grants g LEFT JOIN users u ON u.id = $3 \
         LEFT JOIN clients c ON c.id = g.client_id WHERE g.id = $2"
    )
});

/// What [`Store::grant_state`] found.
#[derive(Debug, Clone)]
pub struct GrantState {
    pub grant: Grant,
    /// The access token asked about is on the revocation list.
    pub token_revoked: bool,
    /// The user asked about, when it exists.
    pub user: Option<User>,
    /// The scopes the grant's client may obtain now (`None`: every scope), so claims are
    /// released by the client's current allow list, not the one of the day of the grant.
    pub client_allowed_scopes: Option<Vec<String>>,
}

/// A grant with the token's revocation, a user's columns (prefixed `u_`, NULL when the
/// user does not exist) and its client's allow list.
#[derive(sqlx::FromRow)]
struct GrantRow {
    #[sqlx(flatten)]
    grant: Grant,
    token_revoked: bool,
    u_id: Option<String>,
    u_email: Option<String>,
    u_email_verified: Option<bool>,
    u_phone: Option<String>,
    u_phone_verified: Option<bool>,
    u_created_at: Option<i64>,
    u_updated_at: Option<i64>,
    u_last_login_at: Option<i64>,
    u_disabled_at: Option<i64>,
    c_id: Option<String>,
    c_allowed_scopes: Option<String>,
}

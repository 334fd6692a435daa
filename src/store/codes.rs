//! Authorization codes and the grants (token families) issued from them.

use super::{Store, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuthCode {
    pub code_hash: Vec<u8>,
    pub grant_id: String,
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    /// JSON array.
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

const CODE_COLUMNS: &str = "code_hash, grant_id, client_id, user_id, redirect_uri, scope, nonce, \
                            code_challenge, auth_time, amr, created_at, expires_at, used_at";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Grant {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    pub auth_time: i64,
    pub amr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    /// The `claims` request parameter (JSON), when the client sent one.
    pub claims: Option<String>,
    /// The browser's single sign-on session the grant was made in.
    pub sid: Option<String>,
}

pub(crate) const GRANT_COLUMNS: &str =
    "id, user_id, client_id, scope, auth_time, amr, created_at, expires_at, revoked_at, claims, sid";

/// The outcome of presenting an authorization code.
#[derive(Debug)]
pub enum Redeemed {
    /// First use: the code, now marked used.
    Fresh(Box<AuthCode>),
    /// Already used before: the grant issued from it has just been revoked.
    Reused { grant_id: String },
    /// Never issued (or purged).
    Unknown,
}

impl Store {
    pub async fn insert_auth_code(&self, c: &AuthCode) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO authorization_codes (code_hash, grant_id, client_id, user_id, \
                 redirect_uri, scope, nonce, code_challenge, auth_time, amr, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&c.code_hash)
            .bind(&c.grant_id)
            .bind(&c.client_id)
            .bind(&c.user_id)
            .bind(&c.redirect_uri)
            .bind(&c.scope)
            .bind(&c.nonce)
            .bind(&c.code_challenge)
            .bind(c.auth_time)
            .bind(&c.amr)
            .bind(c.created_at)
            .bind(c.expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Marks a code used, atomically. A second presentation revokes the grant issued from
    /// the first (RFC 6749 section 4.1.2, RFC 9700 section 4.5).
    pub async fn redeem_auth_code(&self, code_hash: &[u8], now: i64) -> StoreResult<Redeemed> {
        let sql = format!(
            "UPDATE authorization_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL \
             RETURNING {CODE_COLUMNS}"
        );
        let fresh: Option<AuthCode> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(now).bind(code_hash).fetch_optional(pool).await?
        });
        if let Some(code) = fresh {
            return Ok(Redeemed::Fresh(Box::new(code)));
        }
        let grant_id: Option<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT grant_id FROM authorization_codes WHERE code_hash = $1")
                .bind(code_hash)
                .fetch_optional(pool)
                .await?
        });
        match grant_id {
            Some(grant_id) => {
                self.revoke_grant(&grant_id, now).await?;
                Ok(Redeemed::Reused { grant_id })
            }
            None => Ok(Redeemed::Unknown),
        }
    }

    pub async fn insert_grant(&self, g: &Grant) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO grants (id, user_id, client_id, scope, auth_time, amr, created_at, \
                 expires_at, revoked_at, claims, sid) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&g.id)
            .bind(&g.user_id)
            .bind(&g.client_id)
            .bind(&g.scope)
            .bind(g.auth_time)
            .bind(&g.amr)
            .bind(g.created_at)
            .bind(g.expires_at)
            .bind(g.revoked_at)
            .bind(&g.claims)
            .bind(&g.sid)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn get_grant(&self, id: &str) -> StoreResult<Option<Grant>> {
        let sql = format!("SELECT {GRANT_COLUMNS} FROM grants WHERE id = $1");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Revokes a grant: every token issued from it stops working. The grant row is written
    /// with its authorization code, so a reuse racing the first exchange still finds it.
    pub async fn revoke_grant(&self, id: &str, now: i64) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query("UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?;
            sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

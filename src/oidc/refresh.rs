//! The refresh-token grant (RFC 6749 section 6, OIDC Core 12, RFC 9700 section 4.14).
//!
//! Refresh tokens are opaque random strings stored only as keyed hashes. Each belongs to a
//! grant (the token family) and to the client it was issued to. Every use rotates it: the
//! presented token is marked used and a new one is issued. Presenting a used token again
//! means it was stolen or replayed, so the whole family is revoked: every refresh token and
//! every access token of the grant. A token expires after the idle lifetime without use,
//! and the family ends at the absolute lifetime after the sign-in, whatever happens.

use axum::response::{IntoResponse, Response};
use axum::Json;

use super::issue::{self, Issue};
use super::params::Params;
use super::token::no_store;
use crate::crypto::random_token;
use crate::error::OAuthError;
use crate::state::AppState;
use crate::store::clients::Client;
use crate::store::codes::Grant;
use crate::store::tokens::RefreshToken;
use crate::store::users::User;

/// The keyed hash a refresh token is stored under.
pub fn token_hash(state: &AppState, token: &str) -> Vec<u8> {
    state
        .secrets
        .keyed_hash("refresh_token", &[token.as_bytes()])
}

/// When a grant's refresh-token family ends, whatever its use.
pub fn family_end(state: &AppState, grant: &Grant) -> i64 {
    grant.created_at + state.config.tokens.refresh_token_absolute_ttl_seconds
}

/// Mints a new refresh token in `grant`'s family and returns it (the only time it exists
/// in clear). A client registered with its own refresh-token lifetime gets a family that
/// ends sooner (never later) than the server's absolute lifetime.
pub async fn mint(
    state: &AppState,
    client: &Client,
    grant: &Grant,
    scope: &str,
    now: i64,
) -> Result<String, OAuthError> {
    let token = random_token(32)?;
    let server_end = family_end(state, grant);
    let end = (grant.created_at
        + client.refresh_token_ttl(state.config.tokens.refresh_token_absolute_ttl_seconds))
    .min(server_end);
    let idle = now + state.config.tokens.refresh_token_idle_ttl_seconds;
    state
        .store
        .insert_refresh_token(&RefreshToken {
            token_hash: token_hash(state, &token),
            grant_id: grant.id.clone(),
            client_id: grant.client_id.clone(),
            user_id: grant.user_id.clone(),
            scope: scope.to_string(),
            created_at: now,
            expires_at: idle.min(end),
            used_at: None,
            revoked_at: None,
        })
        .await?;
    // A grant's end only ever moves later, so when the grant in hand already reaches `end`
    // the stored one does too and the UPDATE would change nothing (it would still take
    // SQLite's write lock): every rotation after a family's first token skips it.
    if grant.expires_at < end {
        state.store.extend_grant(&grant.id, end).await?;
    }
    Ok(token)
}

/// Why a presented refresh token is not live (never told to the client in detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dead {
    Unknown,
    OtherClient,
    Revoked,
    /// Already rotated: presenting it again revokes the family.
    Used,
    Expired,
}

/// A live refresh token, its grant, and its user when the account exists.
pub type Live = (RefreshToken, Grant, Option<User>);

/// Looks up a refresh token for `client_id` and says whether it is live, without using it.
/// The grant and the user are read in one query.
pub async fn lookup(
    state: &AppState,
    token: &str,
    client_id: &str,
    now: i64,
) -> Result<Result<Live, Dead>, OAuthError> {
    let Some(rt) = state
        .store
        .get_refresh_token(&token_hash(state, token))
        .await?
    else {
        return Ok(Err(Dead::Unknown));
    };
    if rt.client_id != client_id {
        return Ok(Err(Dead::OtherClient));
    }
    let (grant, user) = match state
        .store
        .grant_state(&rt.grant_id, None, Some(&rt.user_id))
        .await?
    {
        Some(s) if s.grant.revoked_at.is_none() && rt.revoked_at.is_none() => (s.grant, s.user),
        _ => return Ok(Err(Dead::Revoked)),
    };
    if rt.used_at.is_some() {
        return Ok(Err(Dead::Used));
    }
    if rt.expires_at <= now || family_end(state, &grant) <= now {
        return Ok(Err(Dead::Expired));
    }
    Ok(Ok((rt, grant, user)))
}

async fn reuse_detected(state: &AppState, grant_id: &str, client: &Client, now: i64) -> OAuthError {
    if let Err(e) = state.store.revoke_grant(grant_id, now).await {
        return e.into();
    }
    state
        .audit(
            "refresh_token_reuse_revoked",
            None,
            Some(&client.id),
            serde_json::json!({ "grant": grant_id }),
        )
        .await;
    OAuthError::invalid_grant(
        "the refresh token was already used; every token issued from this sign-in is revoked",
    )
}

/// `grant_type=refresh_token` at the token endpoint.
pub async fn refresh(
    state: &AppState,
    client: &Client,
    p: &Params,
) -> Result<Response, OAuthError> {
    let token = p
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    let now = state.now();
    let (rt, grant, user) = match lookup(state, token, &client.id, now).await? {
        Ok(found) => found,
        Err(Dead::Used) => {
            let grant_id = state
                .store
                .get_refresh_token(&token_hash(state, token))
                .await?
                .map(|rt| rt.grant_id)
                .unwrap_or_default();
            return Err(reuse_detected(state, &grant_id, client, now).await);
        }
        Err(Dead::OtherClient) => {
            return Err(OAuthError::invalid_grant(
                "the refresh token was issued to another client",
            ))
        }
        Err(Dead::Expired) => {
            return Err(OAuthError::invalid_grant(
                "the refresh token has expired; sign in again",
            ))
        }
        Err(Dead::Unknown | Dead::Revoked) => {
            return Err(OAuthError::invalid_grant("the refresh token is not valid"))
        }
    };
    // RFC 6749 6: a narrower scope may be asked for; never a wider one.
    let scope = match p.get("scope") {
        None => rt.scope.clone(),
        Some(asked) => {
            let mut out: Vec<&str> = Vec::new();
            for s in asked.split(' ').filter(|s| !s.is_empty()) {
                if !issue::has_scope(&rt.scope, s) {
                    return Err(OAuthError::new(
                        axum::http::StatusCode::BAD_REQUEST,
                        "invalid_scope",
                        format!("scope `{s}` was not granted"),
                    ));
                }
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            out.join(" ")
        }
    };
    let user = user
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| OAuthError::invalid_grant("the account is not available"))?;
    // Rotate: exactly one of two concurrent uses wins; the other is a reuse.
    if !state
        .store
        .consume_refresh_token(&rt.token_hash, now)
        .await?
    {
        return Err(reuse_detected(state, &grant.id, client, now).await);
    }
    let body = issue::issue(
        state,
        Issue {
            client,
            user: &user,
            grant: &grant,
            scope: &scope,
            nonce: None,
            refresh_scope: Some(&rt.scope),
        },
        now,
    )
    .await?;
    state
        .audit(
            "tokens_refreshed",
            Some(&user.id),
            Some(&client.id),
            serde_json::json!({ "grant": grant.id }),
        )
        .await;
    Ok(no_store(Json(body).into_response()))
}

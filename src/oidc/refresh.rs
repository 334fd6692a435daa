//! The refresh-token grant (RFC 6749 section 6, OIDC Core 12, RFC 9700 section 4.14).
//!
//! Refresh tokens are opaque random strings stored only as keyed hashes. Each belongs to a
//! grant (the token family) and to the client it was issued to. Every use rotates it: the
//! presented token is marked used and a new one is issued. Presenting a used token again
//! means it was stolen or replayed, so the whole family is revoked: every refresh token and
//! every access token of the grant. A token expires after the idle lifetime without use,
//! and the family ends at the absolute lifetime after the sign-in, whatever happens.

use super::grant::{GrantCtx, GrantError, TokenResponse};
use super::issue::{self, Issue};
use super::params::Params;
use super::refresh_token::{family_end, token_hash_with};
use crate::audit::AuditEvent;
use crate::scope::ScopeSet;
use crate::store::clients::Client;
use crate::store::codes::Grant;
use crate::store::tokens::RefreshToken;
use crate::store::users::User;
use crate::store::StoreResult;

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
    ctx: &GrantCtx<'_>,
    token: &str,
    client_id: &str,
    now: i64,
) -> StoreResult<Result<Live, Dead>> {
    let Some(rt) = ctx
        .store
        .get_refresh_token(&token_hash_with(ctx.secrets, token))
        .await?
    else {
        return Ok(Err(Dead::Unknown));
    };
    if rt.client_id != client_id {
        return Ok(Err(Dead::OtherClient));
    }
    let (grant, user) = match ctx
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
    if rt.expires_at <= now || family_end(ctx.tokens, &grant) <= now {
        return Ok(Err(Dead::Expired));
    }
    Ok(Ok((rt, grant, user)))
}

async fn reuse_detected(
    ctx: &GrantCtx<'_>,
    grant_id: &str,
    client: &Client,
    now: i64,
) -> GrantError {
    if let Err(e) = ctx.store.revoke_grant(grant_id, now).await {
        return e.into();
    }
    ctx.audit(
        AuditEvent::RefreshTokenReuseRevoked { grant: grant_id },
        None,
        Some(&client.id),
    )
    .await;
    GrantError::InvalidGrant(
        "the refresh token was already used; every token issued from this sign-in is revoked",
    )
}

/// `grant_type=refresh_token` at the token endpoint.
pub async fn refresh(
    ctx: &GrantCtx<'_>,
    client: &Client,
    p: &Params,
) -> Result<TokenResponse, GrantError> {
    let token = p
        .get("refresh_token")
        .ok_or(GrantError::InvalidRequest("refresh_token is required"))?;
    let now = ctx.now();
    let (rt, grant, user) = match lookup(ctx, token, &client.id, now).await? {
        Ok(found) => found,
        Err(Dead::Used) => {
            let grant_id = ctx
                .store
                .get_refresh_token(&token_hash_with(ctx.secrets, token))
                .await?
                .map(|rt| rt.grant_id)
                .unwrap_or_default();
            return Err(reuse_detected(ctx, &grant_id, client, now).await);
        }
        Err(Dead::OtherClient) => {
            return Err(GrantError::InvalidGrant(
                "the refresh token was issued to another client",
            ))
        }
        Err(Dead::Expired) => {
            return Err(GrantError::InvalidGrant(
                "the refresh token has expired; sign in again",
            ))
        }
        Err(Dead::Unknown | Dead::Revoked) => {
            return Err(GrantError::InvalidGrant("the refresh token is not valid"))
        }
    };
    // RFC 6749 6: a narrower scope may be asked for; never a wider one.
    let scope = match p.get("scope") {
        None => rt.scope.clone(),
        Some(asked) => {
            let asked = ScopeSet::parse(asked);
            let granted = ScopeSet::parse(&rt.scope);
            if let Some(s) = asked.iter().find(|s| !granted.contains(s)) {
                return Err(GrantError::InvalidScope(format!(
                    "scope `{s}` was not granted"
                )));
            }
            asked.to_string()
        }
    };
    let user = user
        .filter(|u| u.disabled_at.is_none())
        .ok_or(GrantError::InvalidGrant("the account is not available"))?;
    // Rotate: exactly one of two concurrent uses wins; the other is a reuse.
    if !ctx.store.consume_refresh_token(&rt.token_hash, now).await? {
        return Err(reuse_detected(ctx, &grant.id, client, now).await);
    }
    let body = issue::issue(
        ctx,
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
    ctx.audit(
        AuditEvent::TokensRefreshed { grant: &grant.id },
        Some(&user.id),
        Some(&client.id),
    )
    .await;
    Ok(body)
}

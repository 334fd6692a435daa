//! The token endpoint (RFC 6749 section 3.2, 4.1.3; RFC 7636 4.6; OIDC Core 3.1.3).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::client_auth::AuthenticatedClient;
use super::grant::{GrantCtx, GrantError, TokenResponse};
use super::params::Params;
use crate::audit::AuditEvent;
use crate::crypto::pkce_matches;
use crate::error::OAuthError;
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::clients::Client;
use crate::store::codes::Redeemed;

/// POST /token
pub async fn token(
    State(state): State<AppState>,
    AuthenticatedClient { client, params }: AuthenticatedClient,
) -> Result<Response, OAuthError> {
    let body = exchange(&GrantCtx::of(&state), &client, &params).await?;
    Ok(no_store(Json(body).into_response()))
}

/// Runs the grant a token request asks for, for an authenticated client.
pub async fn exchange(
    ctx: &GrantCtx<'_>,
    client: &Client,
    p: &Params,
) -> Result<TokenResponse, GrantError> {
    match p.get("grant_type") {
        None => Err(GrantError::InvalidRequest("grant_type is required")),
        Some(g) if crate::clients::GRANT_TYPES.contains(&g) && !client.allows_grant(g) => Err(
            GrantError::UnauthorizedClient("this client is not registered for this grant type"),
        ),
        Some("authorization_code") => authorization_code(ctx, client, p).await,
        Some("refresh_token") => super::refresh::refresh(ctx, client, p).await,
        Some("client_credentials") => super::client_credentials::grant(ctx, client, p).await,
        Some(crate::clients::DEVICE_CODE_GRANT) => super::device::grant(ctx, client, p).await,
        Some(_) => Err(GrantError::UnsupportedGrantType),
    }
}

/// `grant_type=authorization_code`: redeems the code once, checks its binding (client,
/// redirect URI, expiry, PKCE) and mints the grant's tokens.
pub async fn authorization_code(
    ctx: &GrantCtx<'_>,
    client: &Client,
    p: &Params,
) -> Result<TokenResponse, GrantError> {
    let code = p
        .get("code")
        .ok_or(GrantError::InvalidRequest("code is required"))?;
    let now = ctx.now();
    let hash = crate::authz::code_hash_with(ctx.secrets, code);
    let code = match ctx.store.redeem_auth_code(&hash, now).await? {
        Redeemed::Fresh(c) => c,
        Redeemed::Reused { grant_id } => {
            ctx.audit(
                AuditEvent::CodeReuseRevoked { grant: &grant_id },
                None,
                Some(&client.id),
            )
            .await;
            return Err(GrantError::InvalidGrant(
                "the authorization code was already used; the tokens issued from it are revoked",
            ));
        }
        Redeemed::Unknown => {
            return Err(GrantError::InvalidGrant(
                "the authorization code is not valid",
            ))
        }
    };
    if code.client_id != client.id {
        return Err(GrantError::InvalidGrant(
            "the authorization code was issued to another client",
        ));
    }
    if code.expires_at <= now {
        return Err(GrantError::InvalidGrant(
            "the authorization code has expired",
        ));
    }
    if p.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(GrantError::InvalidGrant(
            "redirect_uri must match the one of the authorization request",
        ));
    }
    match (&code.code_challenge, p.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if pkce_matches(verifier, challenge) => {}
        (Some(_), Some(_)) => return Err(GrantError::InvalidGrant("code_verifier does not match")),
        (Some(_), None) => return Err(GrantError::InvalidGrant("code_verifier is required")),
        // RFC 9700 2.1.1: a verifier without a prior challenge is a downgrade attempt.
        (None, Some(_)) => {
            return Err(GrantError::InvalidGrant(
                "code_verifier sent but the authorization request had no code_challenge",
            ))
        }
        (None, None) => {}
    }
    // The grant and its user in one query.
    let (grant, user) = ctx
        .store
        .grant_state(&code.grant_id, None, Some(&code.user_id))
        .await?
        .filter(|s| s.grant.revoked_at.is_none())
        .map(|s| (s.grant, s.user))
        .ok_or(GrantError::InvalidGrant(
            "the authorization code is no longer valid",
        ))?;
    let user = user
        .filter(|u| u.disabled_at.is_none())
        .ok_or(GrantError::InvalidGrant("the account is not available"))?;

    let wants_refresh = client.allows_grant("refresh_token")
        && (ScopeSet::parse(&code.scope).contains("offline_access")
            || client.always_issue_refresh_token);
    let body = super::issue::issue(
        ctx,
        super::issue::Issue {
            client,
            user: &user,
            grant: &grant,
            scope: &code.scope,
            nonce: code.nonce.clone(),
            refresh_scope: wants_refresh.then_some(code.scope.as_str()),
        },
        now,
    )
    .await?;
    ctx.audit(
        AuditEvent::TokensIssued {
            grant: Some(&grant.id),
            grant_type: "authorization_code",
            refresh_token: Some(body.refresh_token.is_some()),
            scope: None,
        },
        Some(&user.id),
        Some(&client.id),
    )
    .await;
    Ok(body)
}

/// Adds `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 5.1).
pub fn no_store(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

//! The device authorization grant (RFC 8628): the device authorization endpoint, the
//! user code (its alphabet, shape and keyed hash), and the token endpoint's
//! `urn:ietf:params:oauth:grant-type:device_code` grant. The person's side, the `/device`
//! page, is in `login::device`.
//!
//! A device code is 256 random bits, stored only as a keyed hash; the user code is
//! `login::user_code`'s.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::client_auth::AuthenticatedClient;
use super::grant::{GrantCtx, GrantError, TokenResponse};
use super::params::Params;
use crate::audit::AuditEvent;
use crate::clients::DEVICE_CODE_GRANT;
use crate::config::DeviceConfig;
use crate::crypto::{random_hex, random_token, ServerSecrets};
use crate::error::OAuthError;
use crate::login::user_code::{display_user_code, random_user_code, user_code_hash};
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::clients::Client;
use crate::store::codes::Grant;
use crate::store::device::{DeviceStatus, NewDeviceAuthorization};

pub const DEVICE_AUTHORIZATION_PATH: &str = "/device_authorization";
/// Seconds added to a device's polling interval at each `slow_down` (RFC 8628 3.5).
pub const SLOW_DOWN_STEP: i64 = 5;

/// The keyed hash a device code is stored under.
pub fn device_code_hash(secrets: &ServerSecrets, code: &str) -> Vec<u8> {
    secrets.keyed_hash("device_code", &[code.as_bytes()])
}

/// The device authorization response (RFC 8628 3.2).
#[derive(Debug, Serialize)]
pub struct DeviceAuthorizationResponse {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i64,
}

/// Starts a device authorization for an authenticated client allowed the grant.
pub async fn authorize_device(
    ctx: &GrantCtx<'_>,
    cfg: &DeviceConfig,
    client: &Client,
    p: &Params,
) -> Result<DeviceAuthorizationResponse, GrantError> {
    if !client.allows_grant(DEVICE_CODE_GRANT) {
        return Err(GrantError::UnauthorizedClient(
            "this client is not registered for the device authorization grant",
        ));
    }
    let scope = super::authorize::usable_scopes(client, p.get("scope").unwrap_or(""));
    let now = ctx.now();
    let device_code = random_token(32)?;
    let id = random_hex(16)?;
    // A user code already live is drawn again (the chance is tiny, but it must not clash).
    let mut tries = 0;
    let user_code = loop {
        let code = random_user_code()?;
        let res = ctx
            .store
            .insert_device_authorization(&NewDeviceAuthorization {
                id: &id,
                device_code_hash: &device_code_hash(ctx.secrets, &device_code),
                user_code_hash: &user_code_hash(ctx.secrets, &code),
                client_id: &client.id,
                scope: &scope.to_string(),
                poll_interval: cfg.interval_seconds,
                created_at: now,
                expires_at: now + cfg.code_ttl_seconds,
            })
            .await;
        match res {
            Ok(()) => break code,
            Err(e) if e.is_unique_violation() && tries < 3 => tries += 1,
            Err(e) => return Err(e.into()),
        }
    };
    ctx.audit(
        AuditEvent::DeviceAuthorizationRequested {
            scope: &scope.to_string(),
        },
        None,
        Some(&client.id),
    )
    .await;
    let verification_uri = format!("{}{}", ctx.issuer, crate::login::device::DEVICE_PATH);
    let shown = display_user_code(&user_code);
    Ok(DeviceAuthorizationResponse {
        device_code,
        verification_uri_complete: format!("{verification_uri}?user_code={shown}"),
        user_code: shown,
        verification_uri,
        expires_in: cfg.code_ttl_seconds,
        interval: cfg.interval_seconds,
    })
}

/// POST /device_authorization
pub async fn device_authorization(
    State(state): State<AppState>,
    AuthenticatedClient { client, params }: AuthenticatedClient,
) -> Result<Response, OAuthError> {
    let body = authorize_device(
        &GrantCtx::of(&state),
        &state.config.device,
        &client,
        &params,
    )
    .await?;
    Ok(super::token::no_store(Json(body).into_response()))
}

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code` at the token endpoint: each
/// poll is recorded; the answer is `authorization_pending`, `slow_down`, `access_denied`,
/// `expired_token`, or once the person allowed it, the tokens, once.
pub async fn grant(
    ctx: &GrantCtx<'_>,
    client: &Client,
    p: &Params,
) -> Result<TokenResponse, GrantError> {
    let code = p
        .get("device_code")
        .ok_or(GrantError::InvalidRequest("device_code is required"))?;
    let now = ctx.now();
    let hash = device_code_hash(ctx.secrets, code);
    let device = ctx
        .store
        .poll_device(&hash, &client.id, SLOW_DOWN_STEP, now)
        .await?
        .ok_or(GrantError::InvalidGrant("the device code is not valid"))?;
    if device.expires_at <= now && device.status != DeviceStatus::Redeemed {
        return Err(GrantError::ExpiredToken);
    }
    match device.status {
        DeviceStatus::Pending if device.too_fast => return Err(GrantError::SlowDown),
        DeviceStatus::Pending => return Err(GrantError::AuthorizationPending),
        DeviceStatus::Denied => return Err(GrantError::AccessDenied),
        DeviceStatus::Redeemed => {
            return Err(GrantError::InvalidGrant(
                "the device code was already exchanged",
            ))
        }
        DeviceStatus::Approved => {}
    }
    let (Some(user_id), Some(auth_time)) = (&device.user_id, device.auth_time) else {
        return Err(GrantError::InvalidGrant("the device code is not valid"));
    };
    if !ctx.store.redeem_device(&device.id, now).await? {
        return Err(GrantError::InvalidGrant(
            "the device code was already exchanged",
        ));
    }
    let user = ctx
        .store
        .get_user(user_id)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or(GrantError::InvalidGrant("the account is not available"))?;
    let grant = Grant {
        id: random_token(16)?,
        user_id: user.id.clone(),
        client_id: client.id.clone(),
        scope: device.scope.clone(),
        auth_time,
        amr: device.amr.clone().unwrap_or_else(|| "[]".into()),
        created_at: now,
        expires_at: now
            + client
                .access_token_ttl(ctx.tokens.access_token_ttl_seconds)
                .max(3600),
        revoked_at: None,
        claims: None,
        sid: None,
    };
    ctx.store.insert_grant(&grant).await?;
    let wants_refresh = client.allows_grant("refresh_token")
        && (ScopeSet::parse(&device.scope).contains("offline_access")
            || client.always_issue_refresh_token);
    let body = super::issue::issue(
        ctx,
        super::issue::Issue {
            client,
            user: &user,
            grant: &grant,
            scope: &device.scope,
            nonce: None,
            refresh_scope: wants_refresh.then_some(device.scope.as_str()),
        },
        now,
    )
    .await?;
    ctx.audit(
        AuditEvent::TokensIssued {
            grant: Some(&grant.id),
            grant_type: DEVICE_CODE_GRANT,
            refresh_token: Some(body.refresh_token.is_some()),
            scope: None,
        },
        Some(&user.id),
        Some(&client.id),
    )
    .await;
    Ok(body)
}

//! Authentication of the admin API: bearer tokens created with
//! `sesame admin-tokens create --name NAME`.
//!
//! A token is shown once; Sesame keeps only its keyed hash, the name, and the creation,
//! last-use and revocation times. The API is off — every path under `/admin/api/v1`
//! answers 404 as if it did not exist — until at least one token is live. With a token
//! live, a request without a valid one gets 401 (RFC 6750 `WWW-Authenticate: Bearer`).

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ops::{valid_name, Actor, AdminError, Ctx};
use super::problem::Problem;
use crate::audit::AuditEvent;
use crate::clock::SharedClock;
use crate::crypto::{ct_eq, random_token, ServerSecrets};
use crate::login::client_ip::{ClientIp, TrustedProxies};
use crate::store::admin_tokens::AdminToken;
use crate::store::Store;

/// Every token starts with this, so it is recognisable in a secret scanner.
pub const TOKEN_PREFIX: &str = "sesame_admin_";

pub fn token_hash(secrets: &ServerSecrets, token: &str) -> Vec<u8> {
    secrets.keyed_hash("admin_token", &[token.as_bytes()])
}

/// An admin token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdminTokenView {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl From<AdminToken> for AdminTokenView {
    fn from(t: AdminToken) -> Self {
        AdminTokenView {
            active: t.revoked_at.is_none(),
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A new token: `token` is shown only now.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdminTokenCreated {
    pub id: String,
    pub name: String,
    pub token: String,
}

pub async fn create_token(ctx: &Ctx<'_>, name: &str) -> Result<AdminTokenCreated, AdminError> {
    let name = valid_name("name", name)?;
    let id = format!("at_{}", crate::crypto::random_hex(8)?);
    let token = format!("{TOKEN_PREFIX}{}", random_token(32)?);
    ctx.store
        .insert_admin_token(&id, &name, &token_hash(ctx.secrets, &token), ctx.now)
        .await?;
    ctx.audit(
        AuditEvent::AdminTokenCreated {
            token_id: &id,
            name: &name,
        },
        None,
        None,
    )
    .await?;
    Ok(AdminTokenCreated { id, name, token })
}

pub async fn list_tokens(ctx: &Ctx<'_>) -> Result<Vec<AdminTokenView>, AdminError> {
    Ok(ctx
        .store
        .list_admin_tokens()
        .await?
        .into_iter()
        .map(AdminTokenView::from)
        .collect())
}

/// Revokes a token named by its id, or by its name when exactly one live token has it.
/// Revoking a revoked token is not an error.
pub async fn revoke_token(ctx: &Ctx<'_>, id_or_name: &str) -> Result<AdminTokenView, AdminError> {
    let all = ctx.store.list_admin_tokens().await?;
    let token = match all.iter().find(|t| t.id == id_or_name) {
        Some(t) => t.clone(),
        None => {
            let live: Vec<&AdminToken> = all
                .iter()
                .filter(|t| t.name == id_or_name && t.revoked_at.is_none())
                .collect();
            match live.as_slice() {
                [one] => (*one).clone(),
                [] => return Err(AdminError::not_found("admin token", id_or_name)),
                _ => {
                    return Err(AdminError::Conflict(format!(
                        "several live tokens are named {id_or_name}; revoke one by its id"
                    )))
                }
            }
        }
    };
    let revoked = ctx.store.revoke_admin_token(&token.id, ctx.now).await?;
    ctx.audit(
        AuditEvent::AdminTokenRevoked {
            token_id: &token.id,
            name: &token.name,
            was_active: revoked,
        },
        None,
        None,
    )
    .await?;
    let now_stored = ctx
        .store
        .list_admin_tokens()
        .await?
        .into_iter()
        .find(|t| t.id == token.id)
        .ok_or_else(|| AdminError::not_found("admin token", &token.id))?;
    Ok(now_stored.into())
}

/// The bearer token of a request, if it sent one in the `Authorization` header.
fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 200)
        .then_some(token)
}

/// The answer when the API is off: exactly what an unknown path gets.
fn off() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

async fn enabled(store: &Store) -> Result<bool, Response> {
    store
        .admin_api_enabled()
        .await
        .map_err(|e| Problem::from(e).into_response())
}

/// An authenticated admin request: the token that made it.
pub struct AdminAuth(pub Actor);

impl<S> FromRequestParts<S> for AdminAuth
where
    Store: FromRef<S>,
    Arc<ServerSecrets>: FromRef<S>,
    SharedClock: FromRef<S>,
    TrustedProxies: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let store = Store::from_ref(state);
        let ip = match ClientIp::from_request_parts(parts, state).await {
            Ok(ip) => ip.0.to_string(),
            Err(never) => match never {},
        };
        let presented = bearer(parts);
        if let Some(token) = presented {
            let hash = token_hash(&Arc::<ServerSecrets>::from_ref(state), token);
            let now = SharedClock::from_ref(state).now();
            match store.use_admin_token(&hash, now).await {
                Ok(Some((t, stored))) if ct_eq(&stored, &hash) => {
                    return Ok(AdminAuth(Actor::Token {
                        id: t.id,
                        name: t.name,
                        ip: Some(ip),
                    }))
                }
                Ok(_) => {}
                Err(e) => return Err(Problem::from(e).into_response()),
            }
        }
        if !enabled(&store).await? {
            return Err(off());
        }
        let detail = if presented.is_some() {
            tracing::warn!("admin API: a request presented an unknown or revoked token");
            "the admin token is not valid (unknown or revoked)"
        } else {
            "an admin token is required: Authorization: Bearer <token>"
        };
        Err(Problem::unauthorized(detail).into_response())
    }
}

/// A request to a public part of the API (its description): allowed while the API is on.
pub struct ApiEnabled;

impl<S> FromRequestParts<S> for ApiEnabled
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(_: &mut Parts, state: &S) -> Result<Self, Response> {
        if enabled(&Store::from_ref(state)).await? {
            Ok(ApiEnabled)
        } else {
            Err(off())
        }
    }
}

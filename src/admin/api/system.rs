//! `/keys`, `/audit-events`, `/review-accounts` and the API's own description.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{ctx, no_content};
use crate::admin::auth::{AdminAuth, ApiEnabled};
use crate::admin::ops::audit::{self, AuditEventView, AuditQuery};
use crate::admin::ops::keys::{self, KeyView, RotateRequest, Rotated};
use crate::admin::ops::review::{self, NewReviewAccount, ReviewAccountView};
use crate::admin::ops::Page;
use crate::admin::problem::{AdminJson, AdminPath, AdminQuery, Problem};
use crate::state::AppState;

/// List signing keys (public facts only).
#[utoipa::path(get, path = "/keys", tag = "keys",
    responses((status = 200, description = "The keys", body = Page<KeyView>)))]
pub async fn list_keys(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
) -> Result<Json<Page<KeyView>>, Problem> {
    Ok(Json(keys::list_keys(&ctx(&state, actor)).await?))
}

/// Rotate signing keys: the new key is published at once and signs after
/// `prepublish_seconds`; the keys it replaces stay published for `retain_seconds` more.
#[utoipa::path(post, path = "/keys/rotate", tag = "keys",
    request_body = RotateRequest,
    responses(
        (status = 200, description = "The new keys", body = Rotated),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")))]
pub async fn rotate_keys(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminJson(body): AdminJson<RotateRequest>,
) -> Result<Json<Rotated>, Problem> {
    Ok(Json(
        keys::rotate_keys(&ctx(&state, actor), &state.keys, body).await?,
    ))
}

/// Audit events, newest first, filtered by user, client, kind and time.
#[utoipa::path(get, path = "/audit-events", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of events", body = Page<AuditEventView>),
        (status = 422, description = "A filter is not valid", body = Problem, content_type = "application/problem+json")))]
pub async fn list_audit_events(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminQuery(q): AdminQuery<AuditQuery>,
) -> Result<Json<Page<AuditEventView>>, Problem> {
    Ok(Json(audit::query_audit(&ctx(&state, actor), &q).await?))
}

/// List review accounts.
#[utoipa::path(get, path = "/review-accounts", tag = "review accounts",
    responses((status = 200, description = "The review accounts", body = Page<ReviewAccountView>)))]
pub async fn list_review_accounts(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
) -> Result<Json<Page<ReviewAccountView>>, Problem> {
    Ok(Json(
        review::list_review_accounts(&ctx(&state, actor)).await?,
    ))
}

/// Add a review account (or replace its code and expiry): the identifier then signs in
/// with the fixed code until the expiry, and no message is sent to it.
#[utoipa::path(post, path = "/review-accounts", tag = "review accounts",
    request_body = NewReviewAccount,
    responses(
        (status = 200, description = "The review account", body = ReviewAccountView),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")))]
pub async fn add_review_account(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminJson(body): AdminJson<NewReviewAccount>,
) -> Result<Json<ReviewAccountView>, Problem> {
    Ok(Json(
        review::add_review_account(&ctx(&state, actor), body).await?,
    ))
}

/// Remove a review account. Idempotent.
#[utoipa::path(delete, path = "/review-accounts/{identifier}", tag = "review accounts",
    params(("identifier" = String, Path)),
    responses(
        (status = 204, description = "Removed (or already absent)"),
        (status = 422, description = "Not an identifier", body = Problem, content_type = "application/problem+json")))]
pub async fn remove_review_account(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(identifier): AdminPath<String>,
) -> Result<Response, Problem> {
    review::remove_review_account(&ctx(&state, actor), &identifier).await?;
    Ok(no_content())
}

/// This API's OpenAPI 3.1 description (no token needed while the API is on).
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json(_on: ApiEnabled) -> Response {
    let mut res = crate::admin::openapi_json().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

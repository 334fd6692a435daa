//! `/webhooks`: event webhooks.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{ctx, no_content};
use crate::admin::auth::AdminAuth;
use crate::admin::ops::webhooks::{self as ops, CreatedWebhook, NewWebhook, WebhookView};
use crate::admin::ops::Page;
use crate::admin::problem::{AdminJson, AdminPath, Problem};
use crate::admin::PREFIX;
use crate::state::AppState;

/// List the webhooks (without their secrets).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, description = "The webhooks", body = Page<WebhookView>)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
) -> Result<Json<Page<WebhookView>>, Problem> {
    Ok(Json(ops::list_webhooks(&ctx(&state, actor)).await?))
}

/// Subscribe a URL to events. The answer carries the signing secret, shown this once.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks",
    request_body = NewWebhook,
    responses(
        (status = 201, description = "Created", body = CreatedWebhook,
         headers(("Location" = String, description = "The webhook's URL"))),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")))]
pub async fn create_webhook(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminJson(body): AdminJson<NewWebhook>,
) -> Result<Response, Problem> {
    let w = ops::create_webhook(&ctx(&state, actor), body).await?;
    let location = format!("{PREFIX}/webhooks/{}", w.webhook.id);
    Ok((
        StatusCode::CREATED,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Json(w),
    )
        .into_response())
}

/// Remove a webhook; events queued for it and not yet delivered are dropped. Idempotent.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Removed (or already absent)"),
        (status = 422, description = "Not a webhook id", body = Problem, content_type = "application/problem+json")))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Response, Problem> {
    ops::remove_webhook(&ctx(&state, actor), &id).await?;
    Ok(no_content())
}

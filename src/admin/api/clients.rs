//! `/clients`: relying parties.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{ctx, no_content};
use crate::admin::auth::AdminAuth;
use crate::admin::ops::clients::{
    self as ops, ClientCreated, ClientPatch, ClientSecret, ClientView, NewClientRequest,
};
use crate::admin::ops::{Page, PageParams};
use crate::admin::problem::{AdminJson, AdminPath, AdminQuery, Problem};
use crate::state::AppState;

/// The client list's query: a page, and an optional search.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientListParams {
    /// How many items to return (1–200, default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page (of the same search).
    pub cursor: Option<String>,
    /// Only clients whose name or client id contains this (case-insensitive; at most 100
    /// characters).
    pub search: Option<String>,
}

/// List clients, oldest first.
#[utoipa::path(get, path = "/clients", tag = "clients",
    params(ClientListParams),
    responses((status = 200, description = "A page of clients", body = Page<ClientView>)))]
pub async fn list_clients(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminQuery(q): AdminQuery<ClientListParams>,
) -> Result<Json<Page<ClientView>>, Problem> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(
        ops::list_clients(&ctx(&state, actor), &page, q.search.as_deref()).await?,
    ))
}

/// Register a client. A confidential client's secret is in this answer only.
#[utoipa::path(post, path = "/clients", tag = "clients",
    request_body = NewClientRequest,
    responses(
        (status = 201, description = "Registered", body = ClientCreated,
         headers(("Location" = String, description = "The client's URL"))),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")))]
pub async fn create_client(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminJson(body): AdminJson<NewClientRequest>,
) -> Result<Response, Problem> {
    let created = ops::create_client(&ctx(&state, actor), body).await?;
    let location = format!(
        "{}/clients/{}",
        crate::admin::PREFIX,
        created.client.client_id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    )
        .into_response())
}

/// Show a client.
#[utoipa::path(get, path = "/clients/{client_id}", tag = "clients",
    params(("client_id" = String, Path)),
    responses(
        (status = 200, description = "The client", body = ClientView),
        (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json")))]
pub async fn get_client(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Json<ClientView>, Problem> {
    Ok(Json(ops::get_client(&ctx(&state, actor), &id).await?))
}

/// Change a client (JSON merge patch: absent fields stay, `null` clears).
#[utoipa::path(patch, path = "/clients/{client_id}", tag = "clients",
    params(("client_id" = String, Path)),
    request_body(content = ClientPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The changed client", body = ClientView),
        (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")))]
pub async fn update_client(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
    AdminJson(patch): AdminJson<ClientPatch>,
) -> Result<Json<ClientView>, Problem> {
    Ok(Json(
        ops::update_client(&ctx(&state, actor), &id, patch).await?,
    ))
}

/// Delete a client and everything issued to it. Idempotent: 204 also when it is gone.
#[utoipa::path(delete, path = "/clients/{client_id}", tag = "clients",
    params(("client_id" = String, Path)),
    responses((status = 204, description = "Deleted (or already absent)")))]
pub async fn delete_client(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Response, Problem> {
    ops::delete_client(&ctx(&state, actor), &id).await?;
    Ok(no_content())
}

/// Issue a new secret to a confidential client; the old one stops working at once.
#[utoipa::path(post, path = "/clients/{client_id}/secret", tag = "clients",
    params(("client_id" = String, Path)),
    responses(
        (status = 200, description = "The new secret, shown only here", body = ClientSecret),
        (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A public client has no secret", body = Problem, content_type = "application/problem+json")))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Json<ClientSecret>, Problem> {
    Ok(Json(ops::rotate_secret(&ctx(&state, actor), &id).await?))
}

//! `/users`: people, their sign-ins (sessions), token families (grants) and attributes.

use axum::extract::State;
use axum::response::Response;
use axum::Json;

use super::{ctx, no_content};
use crate::admin::auth::AdminAuth;
use crate::admin::ops::attributes::{self, AttributeValue, AttributesView};
use crate::admin::ops::users::{
    self as ops, GrantView, HistoryQuery, Revoked, SessionView, UserQuery, UserView,
};
use crate::admin::ops::Page;
use crate::admin::problem::{AdminJson, AdminPath, AdminQuery, Problem};
use crate::state::AppState;

/// List people, oldest first, optionally searching their email address or phone number.
#[utoipa::path(get, path = "/users", tag = "users",
    params(UserQuery),
    responses((status = 200, description = "A page of users", body = Page<UserView>)))]
pub async fn list_users(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminQuery(q): AdminQuery<UserQuery>,
) -> Result<Json<Page<UserView>>, Problem> {
    Ok(Json(ops::list_users(&ctx(&state, actor), &q).await?))
}

/// Show a person (by id, email address or phone number).
#[utoipa::path(get, path = "/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "The user's id (`sub`), email or phone")),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn get_user(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Json<UserView>, Problem> {
    Ok(Json(ops::get_user(&ctx(&state, actor), &id).await?))
}

/// Delete a person with their sign-ins, grants, codes and tokens. Idempotent.
#[utoipa::path(delete, path = "/users/{user_id}", tag = "users",
    params(("user_id" = String, Path)),
    responses((status = 204, description = "Deleted (or already absent)")))]
pub async fn delete_user(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Response, Problem> {
    ops::delete_user(&ctx(&state, actor), &id).await?;
    Ok(no_content())
}

/// Disable an account: it cannot sign in, and its sign-ins and grants end now. Idempotent.
#[utoipa::path(put, path = "/users/{user_id}/disabled", tag = "users",
    params(("user_id" = String, Path)),
    responses(
        (status = 200, description = "The disabled user", body = UserView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn disable_user(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Json<UserView>, Problem> {
    Ok(Json(ops::disable_user(&ctx(&state, actor), &id).await?))
}

/// Enable a disabled account. Idempotent.
#[utoipa::path(delete, path = "/users/{user_id}/disabled", tag = "users",
    params(("user_id" = String, Path)),
    responses(
        (status = 200, description = "The enabled user", body = UserView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn enable_user(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Json<UserView>, Problem> {
    Ok(Json(ops::enable_user(&ctx(&state, actor), &id).await?))
}

/// A person's browser sign-ins (single sign-on sessions), newest first.
#[utoipa::path(get, path = "/users/{user_id}/sessions", tag = "users",
    params(("user_id" = String, Path), HistoryQuery),
    responses(
        (status = 200, description = "The sessions", body = Page<SessionView>),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn list_sessions(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
    AdminQuery(q): AdminQuery<HistoryQuery>,
) -> Result<Json<Page<SessionView>>, Problem> {
    Ok(Json(
        ops::list_sessions(&ctx(&state, actor), &id, q.include_inactive).await?,
    ))
}

/// End every sign-in of a person: each browser must sign in again.
#[utoipa::path(delete, path = "/users/{user_id}/sessions", tag = "users",
    params(("user_id" = String, Path)),
    responses(
        (status = 200, description = "The sessions ended", body = Revoked),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn end_all_sessions(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Json<Revoked>, Problem> {
    Ok(Json(ops::end_all_sessions(&ctx(&state, actor), &id).await?))
}

/// End one sign-in. Idempotent: 204 also when it had already ended.
#[utoipa::path(delete, path = "/users/{user_id}/sessions/{session_id}", tag = "users",
    params(("user_id" = String, Path), ("session_id" = String, Path)),
    responses(
        (status = 204, description = "Ended"),
        (status = 404, description = "No such user or session", body = Problem, content_type = "application/problem+json")))]
pub async fn end_session(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath((id, sid)): AdminPath<(String, String)>,
) -> Result<Response, Problem> {
    ops::end_session(&ctx(&state, actor), &id, &sid).await?;
    Ok(no_content())
}

/// A person's grants (token families: the tokens of one authorization and the refresh
/// tokens rotated from it), newest first.
#[utoipa::path(get, path = "/users/{user_id}/grants", tag = "users",
    params(("user_id" = String, Path), HistoryQuery),
    responses(
        (status = 200, description = "The grants", body = Page<GrantView>),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn list_grants(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
    AdminQuery(q): AdminQuery<HistoryQuery>,
) -> Result<Json<Page<GrantView>>, Problem> {
    Ok(Json(
        ops::list_grants(&ctx(&state, actor), &id, q.include_inactive).await?,
    ))
}

/// Revoke every grant of a person: all their access and refresh tokens stop working.
#[utoipa::path(delete, path = "/users/{user_id}/grants", tag = "users",
    params(("user_id" = String, Path)),
    responses(
        (status = 200, description = "The grants revoked", body = Revoked),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_all_grants(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Json<Revoked>, Problem> {
    Ok(Json(
        ops::revoke_all_grants(&ctx(&state, actor), &id).await?,
    ))
}

/// Revoke one grant. Idempotent: 204 also when it was already revoked.
#[utoipa::path(delete, path = "/users/{user_id}/grants/{grant_id}", tag = "users",
    params(("user_id" = String, Path), ("grant_id" = String, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such user or grant", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath((id, gid)): AdminPath<(String, String)>,
) -> Result<Response, Problem> {
    ops::revoke_grant(&ctx(&state, actor), &id, &gid).await?;
    Ok(no_content())
}

/// A person's attributes (released only through a client's claim mapping).
#[utoipa::path(get, path = "/users/{user_id}/attributes", tag = "users",
    params(("user_id" = String, Path)),
    responses(
        (status = 200, description = "The attributes", body = AttributesView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn list_attributes(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(id): AdminPath<String>,
) -> Result<Json<AttributesView>, Problem> {
    Ok(Json(
        attributes::list_attributes(&ctx(&state, actor), &id).await?,
    ))
}

/// Set (or replace) one attribute of a person.
#[utoipa::path(put, path = "/users/{user_id}/attributes/{name}", tag = "users",
    params(("user_id" = String, Path), ("name" = String, Path, description = "`[a-z0-9][a-z0-9._-]{0,63}`")),
    request_body = AttributeValue,
    responses(
        (status = 200, description = "The person's attributes", body = AttributesView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A name or value is not valid", body = Problem, content_type = "application/problem+json")))]
pub async fn set_attribute(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath((id, name)): AdminPath<(String, String)>,
    AdminJson(body): AdminJson<AttributeValue>,
) -> Result<Json<AttributesView>, Problem> {
    Ok(Json(
        attributes::set_attribute(&ctx(&state, actor), &id, &name, &body.value).await?,
    ))
}

/// Remove one attribute of a person. Idempotent.
#[utoipa::path(delete, path = "/users/{user_id}/attributes/{name}", tag = "users",
    params(("user_id" = String, Path), ("name" = String, Path)),
    responses(
        (status = 200, description = "The person's attributes", body = AttributesView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn unset_attribute(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath((id, name)): AdminPath<(String, String)>,
) -> Result<Json<AttributesView>, Problem> {
    Ok(Json(
        attributes::unset_attribute(&ctx(&state, actor), &id, &name).await?,
    ))
}

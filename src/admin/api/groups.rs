//! `/groups`: groups and their members.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{ctx, no_content};
use crate::admin::auth::AdminAuth;
use crate::admin::ops::groups::{self as ops, GroupView, Membership, NewGroup};
use crate::admin::ops::users::UserView;
use crate::admin::ops::Page;
use crate::admin::problem::{AdminJson, AdminPath, Problem};
use crate::admin::PREFIX;
use crate::state::AppState;

/// List groups, by name.
#[utoipa::path(get, path = "/groups", tag = "groups",
    responses((status = 200, description = "The groups", body = Page<GroupView>)))]
pub async fn list_groups(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
) -> Result<Json<Page<GroupView>>, Problem> {
    Ok(Json(ops::list_groups(&ctx(&state, actor)).await?))
}

/// Create a group.
#[utoipa::path(post, path = "/groups", tag = "groups",
    request_body = NewGroup,
    responses(
        (status = 201, description = "Created", body = GroupView,
         headers(("Location" = String, description = "The group's URL"))),
        (status = 409, description = "A group with that name exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")))]
pub async fn create_group(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminJson(body): AdminJson<NewGroup>,
) -> Result<Response, Problem> {
    let g = ops::create_group(&ctx(&state, actor), body).await?;
    let location = format!("{PREFIX}/groups/{}", g.name);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(g)).into_response())
}

/// Show a group.
#[utoipa::path(get, path = "/groups/{name}", tag = "groups",
    params(("name" = String, Path)),
    responses(
        (status = 200, description = "The group", body = GroupView),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json")))]
pub async fn get_group(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(name): AdminPath<String>,
) -> Result<Json<GroupView>, Problem> {
    Ok(Json(ops::get_group(&ctx(&state, actor), &name).await?))
}

/// Delete a group and its memberships. Idempotent.
#[utoipa::path(delete, path = "/groups/{name}", tag = "groups",
    params(("name" = String, Path)),
    responses(
        (status = 204, description = "Deleted (or already absent)"),
        (status = 422, description = "Not a group name", body = Problem, content_type = "application/problem+json")))]
pub async fn delete_group(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(name): AdminPath<String>,
) -> Result<Response, Problem> {
    ops::remove_group(&ctx(&state, actor), &name).await?;
    Ok(no_content())
}

/// The people in a group, oldest account first.
#[utoipa::path(get, path = "/groups/{name}/members", tag = "groups",
    params(("name" = String, Path)),
    responses(
        (status = 200, description = "The members", body = Page<UserView>),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json")))]
pub async fn list_members(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(name): AdminPath<String>,
) -> Result<Json<Page<UserView>>, Problem> {
    Ok(Json(ops::list_members(&ctx(&state, actor), &name).await?))
}

/// Put a person (id, email address or phone number) in a group. Idempotent.
#[utoipa::path(put, path = "/groups/{name}/members/{user_id}", tag = "groups",
    params(("name" = String, Path), ("user_id" = String, Path, description = "The user's id (`sub`), email or phone")),
    responses(
        (status = 200, description = "The person is in the group", body = Membership),
        (status = 404, description = "No such group or user", body = Problem, content_type = "application/problem+json")))]
pub async fn add_member(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath((name, user)): AdminPath<(String, String)>,
) -> Result<Json<Membership>, Problem> {
    Ok(Json(
        ops::add_member(&ctx(&state, actor), &name, &user).await?,
    ))
}

/// Take a person out of a group. Idempotent.
#[utoipa::path(delete, path = "/groups/{name}/members/{user_id}", tag = "groups",
    params(("name" = String, Path), ("user_id" = String, Path, description = "The user's id (`sub`), email or phone")),
    responses(
        (status = 200, description = "The person is not in the group", body = Membership),
        (status = 404, description = "No such group or user", body = Problem, content_type = "application/problem+json")))]
pub async fn remove_member(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath((name, user)): AdminPath<(String, String)>,
) -> Result<Json<Membership>, Problem> {
    Ok(Json(
        ops::remove_member(&ctx(&state, actor), &name, &user).await?,
    ))
}

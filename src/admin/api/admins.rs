//! `/admins` (the people who may use the admin console) and `/overview`.

use axum::extract::State;
use axum::Json;

use super::ctx;
use crate::admin::auth::AdminAuth;
use crate::admin::ops::admins::{self as ops, AdminChange, AdminView, NewAdmin};
use crate::admin::ops::overview::{self, Overview};
use crate::admin::ops::Page;
use crate::admin::problem::{AdminJson, AdminPath, Problem};
use crate::state::AppState;

/// List the console's admins.
#[utoipa::path(get, path = "/admins", tag = "admins",
    responses((status = 200, description = "The admins", body = Page<AdminView>)))]
pub async fn list_admins(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
) -> Result<Json<Page<AdminView>>, Problem> {
    Ok(Json(ops::list_admins(&ctx(&state, actor)).await?))
}

/// Make a person an admin of the console (idempotent). An email address or phone number
/// nobody has yet becomes a person.
#[utoipa::path(post, path = "/admins", tag = "admins",
    request_body = NewAdmin,
    responses(
        (status = 200, description = "The person is an admin", body = AdminChange),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn add_admin(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminJson(body): AdminJson<NewAdmin>,
) -> Result<Json<AdminChange>, Problem> {
    Ok(Json(ops::add_admin(&ctx(&state, actor), &body.user).await?))
}

/// Take a person's console access away (their account stays). Idempotent.
#[utoipa::path(delete, path = "/admins/{user_id}", tag = "admins",
    params(("user_id" = String, Path, description = "A user id, email address or phone number")),
    responses(
        (status = 200, description = "The person is not an admin", body = AdminChange),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn remove_admin(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
    AdminPath(user): AdminPath<String>,
) -> Result<Json<AdminChange>, Problem> {
    Ok(Json(ops::remove_admin(&ctx(&state, actor), &user).await?))
}

/// The deployment at a glance: people, clients, sign-ins in the last day, the outbox and
/// the signing keys' ages.
#[utoipa::path(get, path = "/overview", tag = "admins",
    responses((status = 200, description = "The overview", body = Overview)))]
pub async fn get_overview(
    State(state): State<AppState>,
    AdminAuth(actor): AdminAuth,
) -> Result<Json<Overview>, Problem> {
    Ok(Json(overview::overview(&ctx(&state, actor)).await?))
}

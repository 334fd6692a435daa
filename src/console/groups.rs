//! Groups in the console: list, create, delete; a group's members, added (by email
//! address, phone number or user id) and removed. Each action is the shared operation
//! ([`crate::admin::ops::groups`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::session::{ConsoleAdmin, CsrfOnly};
use super::{done, page_error, refused, when, Chrome};
use crate::admin::ops::groups::{self as ops, GroupView, NewGroup};
use crate::admin::ops::users::UserView;
use crate::csrf::{CsrfForm, CsrfProtected};
use crate::error::{render, PageError};
use crate::state::AppState;

const LIST: &str = "/admin/console/groups";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST, get(list).post(create))
        .route("/admin/console/groups/{name}", get(show))
        .route("/admin/console/groups/{name}/delete", post(delete))
        .route("/admin/console/groups/{name}/members", post(add_member))
        .route(
            "/admin/console/groups/{name}/members/remove",
            post(remove_member),
        )
}

fn group_path(name: &str) -> String {
    let name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    format!("{LIST}/{name}")
}

#[derive(askama::Template)]
#[template(path = "console/groups.html")]
struct ListPage {
    c: Chrome,
    groups: Vec<GroupView>,
    error: Option<String>,
}

impl ListPage {
    fn path(&self, name: &str) -> String {
        group_path(name)
    }
}

async fn list_with(
    state: &AppState,
    admin: &ConsoleAdmin,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = ops::list_groups(&admin.ctx(state))
        .await
        .map_err(page_error)?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut res = render(&ListPage {
        c: Chrome::of(state, admin, "groups").await?,
        groups: page.items,
        error,
    })?;
    *res.status_mut() = status;
    Ok(res)
}

/// GET /admin/console/groups
async fn list(State(state): State<AppState>, admin: ConsoleAdmin) -> Result<Response, PageError> {
    list_with(&state, &admin, None).await
}

#[derive(Deserialize)]
struct NewGroupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

impl CsrfProtected for NewGroupForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /admin/console/groups: create a group.
async fn create(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<NewGroupForm>,
) -> Result<Response, PageError> {
    let description = Some(f.description.trim().to_string()).filter(|d| !d.is_empty());
    let r = ops::create_group(
        &admin.ctx(&state),
        NewGroup {
            name: f.name,
            description,
        },
    )
    .await;
    match r {
        Ok(g) => done(&admin.session, &group_path(&g.name), "Group created.").await,
        Err(e) => list_with(&state, &admin, Some(refused(e)?)).await,
    }
}

#[derive(askama::Template)]
#[template(path = "console/group.html")]
struct GroupPage {
    c: Chrome,
    g: GroupView,
    path: String,
    members: Vec<UserView>,
    error: Option<String>,
}

impl GroupPage {
    fn when(&self, t: &i64) -> String {
        when(t)
    }
}

async fn show_with(
    state: &AppState,
    admin: &ConsoleAdmin,
    name: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let ctx = admin.ctx(state);
    let g = ops::get_group(&ctx, name).await.map_err(page_error)?;
    let members = ops::list_members(&ctx, &g.name)
        .await
        .map_err(page_error)?
        .items;
    render(&GroupPage {
        c: Chrome::of(state, admin, "groups").await?,
        path: group_path(&g.name),
        g,
        members,
        error,
    })
}

/// GET /admin/console/groups/{name}: the group and its members.
async fn show(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(name): Path<String>,
) -> Result<Response, PageError> {
    show_with(&state, &admin, &name, None).await
}

/// POST …/delete: the group and its memberships.
async fn delete(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(name): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    ops::remove_group(&admin.ctx(&state), &name)
        .await
        .map_err(page_error)?;
    done(&admin.session, LIST, "Group deleted with its memberships.").await
}

#[derive(Deserialize)]
struct MemberForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    value: String,
}

impl CsrfProtected for MemberForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn add_member(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(name): Path<String>,
    CsrfForm(f): CsrfForm<MemberForm>,
) -> Result<Response, PageError> {
    match ops::add_member(&admin.ctx(&state), &name, &f.value).await {
        Ok(m) => done(&admin.session, &group_path(&m.group), "Member added.").await,
        Err(e) => show_with(&state, &admin, &name, Some(refused(e)?)).await,
    }
}

async fn remove_member(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(name): Path<String>,
    CsrfForm(f): CsrfForm<MemberForm>,
) -> Result<Response, PageError> {
    match ops::remove_member(&admin.ctx(&state), &name, &f.value).await {
        Ok(m) => done(&admin.session, &group_path(&m.group), "Member removed.").await,
        Err(e) => show_with(&state, &admin, &name, Some(refused(e)?)).await,
    }
}

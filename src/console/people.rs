//! People in the console: search by email address or phone number (posted, so the
//! address never reaches an access log), a person's identifiers, sign-ins and grants;
//! disable, enable, end sign-ins, revoke grants, set and remove attributes, make or unmake
//! an admin, delete (confirmed, after a recent sign-in). Each action is the shared
//! operation ([`crate::admin::ops::users`], [`crate::admin::ops::attributes`],
//! [`crate::admin::ops::admins`]).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::clients::ConfirmPage;
use super::session::{ConsoleAdmin, CsrfOnly};
use super::{done, page_error, when, when_opt, Chrome};
use crate::admin::ops::users::{self as ops, GrantView, SessionView, UserQuery, UserView};
use crate::admin::ops::{admins, attributes};
use crate::csrf::{CsrfForm, CsrfProtected};
use crate::error::{render, PageError};
use crate::state::AppState;

const LIST: &str = "/admin/console/people";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST, get(list).post(search))
        .route("/admin/console/people/{id}", get(show))
        .route("/admin/console/people/{id}/disable", post(disable))
        .route("/admin/console/people/{id}/enable", post(enable))
        .route(
            "/admin/console/people/{id}/end-sessions",
            post(end_sessions),
        )
        .route("/admin/console/people/{id}/end-session", post(end_session))
        .route(
            "/admin/console/people/{id}/revoke-grant",
            post(revoke_grant),
        )
        .route(
            "/admin/console/people/{id}/revoke-grants",
            post(revoke_grants),
        )
        .route("/admin/console/people/{id}/make-admin", post(make_admin))
        .route("/admin/console/people/{id}/attributes", post(set_attribute))
        .route(
            "/admin/console/people/{id}/attributes/unset",
            post(unset_attribute),
        )
        .route(
            "/admin/console/people/{id}/unmake-admin",
            post(unmake_admin),
        )
        .route(
            "/admin/console/people/{id}/delete",
            get(confirm_delete).post(delete),
        )
}

fn person_path(id: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("{LIST}/{id}")
}

#[derive(askama::Template)]
#[template(path = "console/people.html")]
struct ListPage {
    c: Chrome,
    search: String,
    people: Vec<UserView>,
    more: bool,
}

impl ListPage {
    fn path(&self, id: &str) -> String {
        person_path(id)
    }
    fn when_opt(&self, t: &Option<i64>) -> String {
        when_opt(t)
    }
}

async fn list_page(
    state: &AppState,
    admin: &ConsoleAdmin,
    search: String,
) -> Result<Response, PageError> {
    let page = ops::list_users(
        &admin.ctx(state),
        &UserQuery {
            search: Some(search.clone()),
            disabled: None,
            limit: Some(100),
            cursor: None,
        },
    )
    .await
    .map_err(page_error)?;
    render(&ListPage {
        c: Chrome::of(state, admin, "people").await?,
        search,
        more: page.next_cursor.is_some(),
        people: page.items,
    })
}

/// GET /admin/console/people: the newest people, and the search form.
async fn list(State(state): State<AppState>, admin: ConsoleAdmin) -> Result<Response, PageError> {
    list_page(&state, &admin, String::new()).await
}

#[derive(Deserialize)]
struct SearchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    search: String,
}

impl CsrfProtected for SearchForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /admin/console/people: search by a part of an email address or phone number.
async fn search(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<SearchForm>,
) -> Result<Response, PageError> {
    list_page(&state, &admin, f.search.trim().to_string()).await
}

#[derive(askama::Template)]
#[template(path = "console/person.html")]
struct PersonPage {
    c: Chrome,
    u: UserView,
    admin: bool,
    path: String,
    sessions: Vec<SessionView>,
    grants: Vec<GrantView>,
    attributes: Vec<(String, String)>,
}

impl PersonPage {
    fn when(&self, t: &i64) -> String {
        when(t)
    }
    fn when_opt(&self, t: &Option<i64>) -> String {
        when_opt(t)
    }
}

/// GET /admin/console/people/{id}
async fn show(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let ctx = admin.ctx(&state);
    let u = ops::get_user(&ctx, &id).await.map_err(page_error)?;
    let sessions = ops::list_sessions(&ctx, &u.user_id, false)
        .await
        .map_err(page_error)?
        .items;
    let grants = ops::list_grants(&ctx, &u.user_id, false)
        .await
        .map_err(page_error)?
        .items;
    let attributes = attributes::list_attributes(&ctx, &u.user_id)
        .await
        .map_err(page_error)?
        .attributes
        .into_iter()
        .collect();
    render(&PersonPage {
        c: Chrome::of(&state, &admin, "people").await?,
        admin: state.store.is_console_admin(&u.user_id).await?,
        path: person_path(&u.user_id),
        u,
        sessions,
        grants,
        attributes,
    })
}

/// POST …/disable: no more sign-ins; their sign-ins and grants end now.
async fn disable(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let u = ops::disable_user(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    done(
        &admin.session,
        &person_path(&u.user_id),
        "Account disabled; its sign-ins and grants ended.",
    )
    .await
}

async fn enable(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let u = ops::enable_user(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    done(&admin.session, &person_path(&u.user_id), "Account enabled.").await
}

async fn end_sessions(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let r = ops::end_all_sessions(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    let n = r.sessions_ended.len();
    done(
        &admin.session,
        &person_path(&id),
        format!("{n} sign-in(s) ended."),
    )
    .await
}

#[derive(Deserialize)]
struct ItemForm {
    #[serde(default)]
    csrf: String,
    id: String,
}

impl CsrfProtected for ItemForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn end_session(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> Result<Response, PageError> {
    ops::end_session(&admin.ctx(&state), &id, &f.id)
        .await
        .map_err(page_error)?;
    done(&admin.session, &person_path(&id), "Sign-in ended.").await
}

async fn revoke_grant(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> Result<Response, PageError> {
    ops::revoke_grant(&admin.ctx(&state), &id, &f.id)
        .await
        .map_err(page_error)?;
    done(&admin.session, &person_path(&id), "Grant revoked.").await
}

async fn revoke_grants(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let r = ops::revoke_all_grants(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    let n = r.grants_revoked.len();
    done(
        &admin.session,
        &person_path(&id),
        format!("{n} grant(s) revoked."),
    )
    .await
}

async fn make_admin(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let c = admins::add_admin(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    done(
        &admin.session,
        &person_path(&c.user_id),
        "They are an admin of the console now.",
    )
    .await
}

async fn unmake_admin(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let c = admins::remove_admin(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    done(
        &admin.session,
        &person_path(&c.user_id),
        "They are no longer an admin of the console.",
    )
    .await
}

/// GET …/delete: are you sure? (after a recent sign-in)
async fn confirm_delete(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let path = format!("{}/delete", person_path(&id));
    if let Some(r) = admin.require_recent(&path).await? {
        return Ok(r);
    }
    let u = ops::get_user(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    let name = u
        .email
        .clone()
        .or(u.phone.clone())
        .unwrap_or(u.user_id.clone());
    let message = format!(
        "Deleting {name} ends their sign-ins and grants and removes their account, codes and tokens. This cannot be undone."
    );
    render(&ConfirmPage {
        c: Chrome::of(&state, &admin, "people").await?,
        title: "Delete this person?",
        message: &message,
        action: &path,
        button: "Delete the person",
        back: &person_path(&id),
    })
}

async fn delete(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    if let Some(r) = admin
        .require_recent(&format!("{}/delete", person_path(&id)))
        .await?
    {
        return Ok(r);
    }
    ops::delete_user(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    done(&admin.session, LIST, "Person deleted.").await
}

#[derive(Deserialize)]
struct AttributeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
}

impl CsrfProtected for AttributeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST …/attributes: set (or replace) one attribute.
async fn set_attribute(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<AttributeForm>,
) -> Result<Response, PageError> {
    let a = attributes::set_attribute(&admin.ctx(&state), &id, &f.name, &f.value)
        .await
        .map_err(page_error)?;
    done(&admin.session, &person_path(&a.user_id), "Attribute saved.").await
}

/// POST …/attributes/unset: remove one attribute.
async fn unset_attribute(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<AttributeForm>,
) -> Result<Response, PageError> {
    let a = attributes::unset_attribute(&admin.ctx(&state), &id, &f.name)
        .await
        .map_err(page_error)?;
    done(
        &admin.session,
        &person_path(&a.user_id),
        "Attribute removed.",
    )
    .await
}

//! Clients in the console: list and search, register (every metadata field, with a
//! preview of the branded sign-in page), edit, rotate the secret (shown once), delete
//! (confirmed, after a recent sign-in). Each action is the shared operation
//! ([`crate::admin::ops::clients`]).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::client_form::{preview_css, ClientForm};
use super::session::{ConsoleAdmin, CsrfOnly};
use super::{done, page_error, when, Chrome};
use crate::admin::ops::clients::{self as ops, ClientView};
use crate::admin::ops::{AdminError, PageParams};
use crate::branding::Brand;
use crate::csrf::CsrfForm;
use crate::error::{render, PageError};
use crate::forms::PageQuery;
use crate::state::AppState;

const LIST: &str = "/admin/console/clients";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST, get(list))
        .route("/admin/console/clients/new", get(new_form).post(create))
        .route("/admin/console/clients/{id}", get(show).post(update))
        .route(
            "/admin/console/clients/{id}/secret",
            axum::routing::post(rotate_secret),
        )
        .route(
            "/admin/console/clients/{id}/delete",
            get(confirm_delete).post(delete),
        )
        .route("/admin/console/preview/{hex}/style.css", get(preview_style))
}

fn client_path(id: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("{LIST}/{id}")
}

#[derive(askama::Template)]
#[template(path = "console/clients.html")]
struct ListPage {
    c: Chrome,
    q: String,
    clients: Vec<ClientView>,
    next: Option<String>,
}

impl ListPage {
    fn path(&self, id: &str) -> String {
        client_path(id)
    }
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    cursor: Option<String>,
}

/// GET /admin/console/clients?q=: client names and ids are not personal data, so the
/// search may be in the address.
async fn list(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    PageQuery(lq): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let q = lq.q.trim().to_owned();
    let page = ops::list_clients(
        &admin.ctx(&state),
        &PageParams {
            limit: Some(50),
            cursor: lq.cursor,
        },
        Some(q.as_str()).filter(|q| !q.is_empty()),
    )
    .await
    .map_err(page_error)?;
    let clients = page.items;
    render(&ListPage {
        c: Chrome::of(&state, &admin, "clients").await?,
        q: lq.q,
        clients,
        next: page.next_cursor,
    })
}

/// The client form's Content-Security-Policy: the pages' strict policy with one addition,
/// scripts from this origin (the preview script; never inline script).
const FORM_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[derive(askama::Template)]
#[template(path = "console/client_form.html")]
struct FormPage<'a> {
    c: Chrome,
    /// The translator of the branded parts the preview shares with the sign-in page, in the
    /// deployment's default language.
    t: crate::i18n::Tr<'a>,
    /// None: a new client.
    client: Option<ClientView>,
    f: ClientForm,
    error: Option<String>,
    /// What the sign-in page would show for the form as it stands (kept in step with the
    /// fields by [`super::PREVIEW_JS_PATH`]).
    preview: Brand,
    action: String,
    script: &'static str,
}

impl FormPage<'_> {
    fn when(&self, t: &i64) -> String {
        when(t)
    }
    fn ticked(&self, v: &Option<String>) -> bool {
        v.is_some()
    }
}

async fn form_page(
    state: &AppState,
    admin: &ConsoleAdmin,
    client: Option<ClientView>,
    f: ClientForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let action = match &client {
        Some(c) => client_path(&c.client_id),
        None => "/admin/console/clients/new".into(),
    };
    let preview = f.preview();
    let mut res = render(&FormPage {
        c: Chrome::of(state, admin, "clients").await?,
        t: state.i18n.tr(state.i18n.default_locale()),
        client,
        f,
        error,
        preview,
        action,
        script: super::PREVIEW_JS_PATH,
    })?;
    *res.status_mut() = status;
    // The console's policy, plus this one same-origin script.
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FORM_CSP),
    );
    Ok(res)
}

/// GET /admin/console/clients/new
async fn new_form(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
) -> Result<Response, PageError> {
    form_page(
        &state,
        &admin,
        None,
        ClientForm::blank(),
        None,
        StatusCode::OK,
    )
    .await
}

fn invalid(e: AdminError) -> Result<String, PageError> {
    match e {
        AdminError::Invalid { .. } | AdminError::Conflict(_) => Ok(e.to_string()),
        other => Err(page_error(other)),
    }
}

#[derive(askama::Template)]
#[template(path = "console/secret.html")]
pub struct SecretPage {
    pub c: Chrome,
    pub title: String,
    pub intro: String,
    pub label: String,
    pub secret: String,
    pub id_label: String,
    pub id: String,
    pub back: String,
}

/// POST /admin/console/clients/new: register (or preview).
async fn create(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<ClientForm>,
) -> Result<Response, PageError> {
    if f.is_preview() {
        return form_page(&state, &admin, None, f, None, StatusCode::OK).await;
    }
    let created = match f.to_new() {
        Ok(r) => ops::create_client(&admin.ctx(&state), r).await,
        Err(e) => Err(e),
    };
    let created = match created {
        Ok(c) => c,
        Err(e) => {
            let msg = invalid(e)?;
            return form_page(
                &state,
                &admin,
                None,
                f,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let path = client_path(&created.client.client_id);
    match &created.client_secret {
        Some(secret) => render(&SecretPage {
            c: Chrome::of(&state, &admin, "clients").await?,
            title: "Client registered".into(),
            intro: "Copy the client secret now: it is shown only once. Sesame keeps only a keyed hash of it.".into(),
            label: "Client secret".into(),
            secret: secret.clone(),
            id_label: "Client id".into(),
            id: created.client.client_id.clone(),
            back: path,
        }),
        None => done(&admin.session, &path, "Client registered.").await,
    }
}

async fn load(state: &AppState, admin: &ConsoleAdmin, id: &str) -> Result<ClientView, PageError> {
    ops::get_client(&admin.ctx(state), id)
        .await
        .map_err(page_error)
}

/// GET /admin/console/clients/{id}: the client, as an editable form.
async fn show(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let c = load(&state, &admin, &id).await?;
    let f = ClientForm::of(&c);
    form_page(&state, &admin, Some(c), f, None, StatusCode::OK).await
}

/// POST /admin/console/clients/{id}: save the changes (or preview them).
async fn update(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ClientForm>,
) -> Result<Response, PageError> {
    let current = load(&state, &admin, &id).await?;
    if f.is_preview() {
        return form_page(&state, &admin, Some(current), f, None, StatusCode::OK).await;
    }
    let result = match f.to_patch(&current) {
        Ok(p) => ops::update_client(&admin.ctx(&state), &id, p).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => done(&admin.session, &client_path(&c.client_id), "Changes saved.").await,
        Err(e) => {
            let msg = invalid(e)?;
            form_page(
                &state,
                &admin,
                Some(current),
                f,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// POST /admin/console/clients/{id}/secret: a new secret, shown once.
async fn rotate_secret(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let s = ops::rotate_secret(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    let back = client_path(&s.client_id);
    render(&SecretPage {
        c: Chrome::of(&state, &admin, "clients").await?,
        title: "New client secret".into(),
        intro: "The old secret stopped working. Copy the new one now: it is shown only once."
            .into(),
        label: "Client secret".into(),
        secret: s.client_secret,
        id_label: "Client id".into(),
        id: s.client_id,
        back,
    })
}

#[derive(askama::Template)]
#[template(path = "console/confirm.html")]
pub struct ConfirmPage<'a> {
    pub c: Chrome,
    pub title: &'a str,
    pub message: &'a str,
    pub action: &'a str,
    pub button: &'a str,
    pub back: &'a str,
}

/// GET /admin/console/clients/{id}/delete: are you sure? (after a recent sign-in)
async fn confirm_delete(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let path = format!("{}/delete", client_path(&id));
    if let Some(r) = admin.require_recent(&path).await? {
        return Ok(r);
    }
    let c = load(&state, &admin, &id).await?;
    let message = format!(
        "Deleting {} ({}) ends every token issued to it and every sign-in to it. This cannot be undone.",
        c.name, c.client_id
    );
    render(&ConfirmPage {
        c: Chrome::of(&state, &admin, "clients").await?,
        title: "Delete this client?",
        message: &message,
        action: &path,
        button: "Delete the client",
        back: &client_path(&id),
    })
}

/// POST /admin/console/clients/{id}/delete
async fn delete(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    if let Some(r) = admin
        .require_recent(&format!("{}/delete", client_path(&id)))
        .await?
    {
        return Ok(r);
    }
    ops::delete_client(&admin.ctx(&state), &id)
        .await
        .map_err(page_error)?;
    done(&admin.session, LIST, "Client deleted.").await
}

/// GET /admin/console/preview/{hex}/style.css: the preview's accent colour.
async fn preview_style(_admin: ConsoleAdmin, Path(hex): Path<String>) -> Response {
    match preview_css(&hex) {
        Some(css) => {
            let mut res = css.into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            );
            res
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

//! The admin console: the admin operations ([`crate::admin::ops`]) as server-rendered
//! pages under [`HOME`], a third face beside the CLI and the admin API. Every page calls
//! the same operations, so every action is validated and audited the same way, with the
//! admin's user id and IP as the actor.
//!
//! - [`session`]: who gets in (a console admin signed in with a code in this browser) and
//!   the recent sign-in destructive actions need.
//! - [`overview`], [`clients`], [`client_form`], [`people`] (with their attributes),
//!   [`groups`], [`system`] (keys, audit trail, review accounts, admin tokens, admins),
//!   [`webhooks`]:
//!   the pages.
//!
//! The console answers 404 when `console.enabled` is false or while nobody is an admin.
//! Pages are English only. Forms are POSTed with the session's anti-CSRF token; addresses
//! carry only opaque ids (a client id, a user id), never an email address, a phone
//! number, a secret or a token, so access logs hold no personal data.

pub mod client_form;
pub mod clients;
pub mod groups;
pub mod overview;
pub mod people;
pub mod session;
pub mod system;
pub mod webhooks;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_sessions::Session;

use crate::admin::ops::AdminError;
use crate::error::PageError;
use crate::state::AppState;

/// Where the console lives.
pub const HOME: &str = "/admin/console/";
pub use crate::clients::CONSOLE_CLIENT_ID;
const CSS_PATH: &str = "/admin/console/console.css";
/// The one script of the console: it keeps the client form's preview in step with the
/// fields (the form works without it; the preview button re-renders the page).
pub const PREVIEW_JS_PATH: &str = "/admin/console/preview.js";
/// Session key of a one-shot notice shown on the next console page.
const NOTICE_KEY: &str = "console_notice";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/console", get(overview::show))
        .route(HOME, get(overview::show))
        .route(CSS_PATH, get(css))
        .route(PREVIEW_JS_PATH, get(preview_js))
        .route(session::SIGN_IN_PATH, get(session::sign_in))
        .route(
            crate::authz::CONSOLE_SIGNED_IN_PATH,
            get(session::signed_in),
        )
        .route("/admin/console/sign-out", post(session::sign_out))
        .merge(clients::routes())
        .merge(people::routes())
        .merge(groups::routes())
        .merge(system::routes())
        .merge(webhooks::routes())
}

/// Whether the console is served: it is enabled and somebody is an admin.
pub async fn served(state: &AppState) -> Result<bool, PageError> {
    Ok(state.config.console.enabled && state.store.console_has_admin().await?)
}

/// What an address the console does not serve answers.
pub fn not_found() -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is no page at this address.",
    )
}

/// An operation's refusal as a page.
pub fn page_error(e: AdminError) -> PageError {
    match e {
        AdminError::NotFound { what, .. } => PageError::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("There is no such {what}."),
        ),
        AdminError::Invalid { .. } => {
            PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "Not valid", e.to_string())
        }
        AdminError::Conflict(m) => PageError::new(StatusCode::CONFLICT, "Not possible", m),
        AdminError::Store(e) => e.into(),
        AdminError::Crypto(e) => e.into(),
        AdminError::Keys(e) => e.into(),
    }
}

/// What every console page shows around its content.
pub struct Chrome {
    pub product: String,
    pub who: String,
    pub csrf: String,
    /// The section of the navigation this page is in.
    pub section: &'static str,
    pub notice: Option<String>,
}

impl Chrome {
    pub async fn of(
        state: &AppState,
        admin: &session::ConsoleAdmin,
        section: &'static str,
    ) -> Result<Chrome, PageError> {
        Ok(Chrome {
            product: state.config.product_name.clone(),
            who: admin.who.clone(),
            csrf: admin.csrf.clone(),
            section,
            notice: admin.session.remove::<String>(NOTICE_KEY).await?,
        })
    }

    /// The navigation: (section, label, path).
    pub fn nav(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("overview", "Overview", "/admin/console/"),
            ("clients", "Clients", "/admin/console/clients"),
            ("people", "People", "/admin/console/people"),
            ("groups", "Groups", "/admin/console/groups"),
            ("keys", "Signing keys", "/admin/console/keys"),
            ("audit", "Audit trail", "/admin/console/audit"),
            ("review", "Review accounts", "/admin/console/review"),
            ("tokens", "Admin tokens", "/admin/console/tokens"),
            ("webhooks", "Webhooks", "/admin/console/webhooks"),
            ("admins", "Admins", "/admin/console/admins"),
        ]
    }
}

/// Leaves a notice for the next console page (after a 303).
pub async fn notice(session: &Session, text: impl Into<String>) -> Result<(), PageError> {
    session.insert(NOTICE_KEY, text.into()).await?;
    Ok(())
}

/// An operation's refusal of a form's input (invalid, conflicting, or naming what does not
/// exist): its message, for the page to show again with the form; other errors are pages.
pub fn refused(e: AdminError) -> Result<String, PageError> {
    match e {
        AdminError::Invalid { .. } | AdminError::Conflict(_) | AdminError::NotFound { .. } => {
            Ok(e.to_string())
        }
        other => Err(page_error(other)),
    }
}

/// A 303 to a console page, with a notice for it.
pub async fn done(
    session: &Session,
    to: &str,
    text: impl Into<String>,
) -> Result<Response, PageError> {
    notice(session, text).await?;
    Ok(axum::response::Redirect::to(to).into_response())
}

/// Unix seconds as people read them (UTC).
pub fn when(t: &i64) -> String {
    crate::admin::ops::format_time(*t)
}

/// An optional time, or a dash.
pub fn when_opt(t: &Option<i64>) -> String {
    t.map(crate::admin::ops::format_time)
        .unwrap_or_else(|| "–".into())
}

/// A duration in words: `3 d`, `5 h`, `12 min`, `40 s`.
pub fn age(seconds: &i64) -> String {
    let s = *seconds;
    if s >= 86_400 {
        format!("{} d", s / 86_400)
    } else if s >= 3600 {
        format!("{} h", s / 3600)
    } else if s >= 60 {
        format!("{} min", s / 60)
    } else {
        format!("{s} s")
    }
}

async fn preview_js() -> Response {
    let mut res = include_str!("../../templates/console/preview.js").into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

async fn css() -> Response {
    let mut res = include_str!("../../templates/console/console.css").into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

//! The language at the edge: the [`PageLang`] extractor (for pages outside a sign-in) and
//! the layer that writes every error page, and the page for an unknown address, in the
//! request's language with a way back and the request id.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use tower_sessions::Session;

use super::{Locale, Msg, Tr};
use crate::error::{ErrorPageParts, PageError};
use crate::state::AppState;

/// The `ui_locales` of a query string.
pub fn ui_locales_of(uri: &Uri) -> Option<String> {
    url::form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(k, _)| k == "ui_locales")
        .map(|(_, v)| v.into_owned())
}

fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

/// The language of a request: its `ui_locales` query parameter, then `Accept-Language`,
/// then the deployment's default.
pub fn request_locale(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Locale {
    state
        .i18n
        .negotiate(ui_locales_of(uri).as_deref(), accept_language(headers))
}

/// The language of a page that is not part of a sign-in.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Locale);

impl FromRequestParts<AppState> for PageLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(PageLang(request_locale(state, &parts.uri, &parts.headers)))
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage<'a> {
    pub(crate) t: Tr<'a>,
    pub(crate) title: String,
    pub(crate) message: String,
    /// Where "back" goes, and its words.
    pub(crate) back: (String, String),
    pub(crate) request_id: Option<String>,
}

/// Where an error page sends the person back to: the app named by the request's
/// `client_id` (its home page, else the origin of its first registered redirect URI), or
/// this server's start page.
async fn way_back(state: &AppState, uri: &Uri, t: &Tr<'_>) -> (String, String) {
    let client_id = uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "client_id")
            .map(|(_, v)| v.into_owned())
    });
    if let Some(id) = client_id.filter(|id| id.len() <= 256) {
        if let Ok(Some(c)) = state.store.get_client(&id).await {
            let home = c.meta.client_uri.clone().or_else(|| {
                c.redirect_uris
                    .first()
                    .and_then(|u| url::Url::parse(u).ok())
                    .filter(|u| matches!(u.scheme(), "https" | "http"))
                    .map(|u| u.origin().ascii_serialization() + "/")
            });
            if let Some(home) = home {
                return (home, t.t1("nav-back-to-app", "client", &c.name));
            }
        }
    }
    let home = if state.config.is_development() {
        "/"
    } else {
        "/account/profile"
    };
    (home.to_owned(), t.t("nav-home"))
}

/// True for the paths of a sign-in's pages, whose errors are written in the sign-in's
/// language.
fn is_sign_in_path(path: &str) -> bool {
    ["/login", "/consent"]
        .iter()
        .any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
}

/// The language of an error page: `ui_locales` when the request names one; on a sign-in's
/// pages, the sign-in's own language (from its sealed first step, else the one this browser
/// session keeps for its latest sign-in); otherwise `Accept-Language`, then the default.
async fn error_locale(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    session: Option<&Session>,
) -> Locale {
    if ui_locales_of(uri).is_some() || !is_sign_in_path(uri.path()) {
        return request_locale(state, uri, headers);
    }
    let sealed = uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "tx")
            .map(|(_, v)| v.into_owned())
    });
    if let Some(p) = sealed
        .filter(|tx| crate::login::pending::is_sealed(tx))
        .and_then(|tx| crate::login::pending::open(&state.secrets, &tx, state.now()).ok())
    {
        return state.i18n.from_tag(p.req.locale.as_deref());
    }
    if let Some(session) = session {
        if let Ok(Some(tag)) = session.get::<String>(crate::authz::SIGN_IN_LANG_KEY).await {
            if let Some(l) = state.i18n.find(&tag) {
                return l;
            }
        }
    }
    request_locale(state, uri, headers)
}

/// Renders an error page in the request's language (outermost page layer; inside the
/// session layer, so the sign-in's language kept in the session is at hand).
pub async fn error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let uri = req.uri().clone();
    let headers = req.headers().clone();
    let session = req.extensions().get::<Session>().cloned();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut res = next.run(req).await;
    let Some(parts) = res.extensions_mut().remove::<ErrorPageParts>() else {
        return res;
    };
    let locale = error_locale(&state, &uri, &headers, session.as_ref()).await;
    let t = state.i18n.tr(locale);
    let back = way_back(&state, &uri, &t).await;
    let page = ErrorPage {
        title: t.msg(&parts.title),
        message: t.msg(&parts.message),
        back,
        request_id,
        t,
    };
    match askama::Template::render(&page) {
        Ok(html) => {
            let (mut head, _) = res.into_parts();
            head.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(head, Html(html).into_response().into_body())
        }
        Err(_) => res,
    }
}

/// The page for an address nothing answers.
pub async fn not_found() -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        Msg::new("error-not-found"),
        Msg::attr("error-not-found", "message"),
    )
}

//! Errors that become HTTP responses.
//!
//! Two shapes: [`OAuthError`] for protocol endpoints (the JSON bodies of RFC 6749 section 5.2
//! and RFC 6750 section 3) and [`PageError`] for people (a friendly HTML page). Internal
//! failures are logged in the request's span (which carries the request id) and answered
//! with a generic message; no database or library text ever reaches the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::crypto::CryptoError;
use crate::store::StoreError;
use crate::tokens::KeyError;

/// An OAuth 2.0 / OIDC error answered as JSON.
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: Option<String>,
    /// `WWW-Authenticate` value (401 from the token endpoint, bearer errors).
    pub www_authenticate: Option<String>,
}

#[derive(Serialize)]
struct OAuthErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<&'a str>,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: Some(description.into()),
            www_authenticate: None,
        }
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", d)
    }

    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", d)
    }

    /// 401 with a `Basic` challenge (RFC 6749 section 5.2).
    pub fn invalid_client(d: impl Into<String>) -> Self {
        OAuthError {
            www_authenticate: Some("Basic realm=\"sesame\", charset=\"UTF-8\"".into()),
            ..Self::new(StatusCode::UNAUTHORIZED, "invalid_client", d)
        }
    }

    /// A bearer-token error (RFC 6750 section 3.1).
    pub fn bearer(status: StatusCode, error: &'static str, d: &str) -> Self {
        let challenge = format!(
            "Bearer realm=\"sesame\", error=\"{error}\", error_description=\"{}\"",
            d.replace(['"', '\\'], "")
        );
        OAuthError {
            www_authenticate: Some(challenge),
            ..Self::new(status, error, d)
        }
    }

    pub fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the server could not complete the request; try again",
        )
    }

    pub fn temporarily_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the server is temporarily unavailable; try again",
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&OAuthErrorBody {
            error: self.error,
            error_description: self.description.as_deref(),
        })
        .unwrap_or_else(|_| format!("{{\"error\":\"{}\"}}", self.error));
        let mut res = (self.status, body).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if let Some(v) = self
            .www_authenticate
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            h.insert(header::WWW_AUTHENTICATE, v);
        }
        res
    }
}

fn internal(what: &str, e: &dyn std::fmt::Display) {
    tracing::error!(error = %e, "{what}");
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        internal("database error", &e);
        if e.is_unavailable() {
            OAuthError::temporarily_unavailable()
        } else {
            OAuthError::server_error()
        }
    }
}

impl From<KeyError> for OAuthError {
    fn from(e: KeyError) -> Self {
        internal("signing key error", &e);
        OAuthError::server_error()
    }
}

impl From<CryptoError> for OAuthError {
    fn from(e: CryptoError) -> Self {
        internal("crypto error", &e);
        OAuthError::server_error()
    }
}

/// An error shown to a person as a page.
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, title: impl Into<String>, message: impl Into<String>) -> Self {
        PageError {
            status,
            title: title.into(),
            message: message.into(),
        }
    }

    pub fn bad_request(title: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, title, message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "We could not complete this step. Please go back to the app and try again.",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Temporarily unavailable",
            "Sign-in is temporarily unavailable. Please try again in a moment.",
        )
    }

    pub fn session_expired() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "This sign-in has expired",
            "Please go back to the app you were signing in to and start again.",
        )
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            title: &self.title,
            message: &self.message,
        };
        match askama::Template::render(&page) {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(e) => {
                internal("template error", &e);
                (self.status, self.message).into_response()
            }
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        internal("database error", &e);
        if e.is_unavailable() {
            PageError::unavailable()
        } else {
            PageError::internal()
        }
    }
}

impl From<KeyError> for PageError {
    fn from(e: KeyError) -> Self {
        internal("signing key error", &e);
        PageError::internal()
    }
}

impl From<CryptoError> for PageError {
    fn from(e: CryptoError) -> Self {
        internal("crypto error", &e);
        PageError::internal()
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        internal("template error", &e);
        PageError::internal()
    }
}

impl From<tower_sessions::session::Error> for PageError {
    fn from(e: tower_sessions::session::Error) -> Self {
        internal("session error", &e);
        PageError::unavailable()
    }
}

impl From<tower_sessions::session::Error> for OAuthError {
    fn from(e: tower_sessions::session::Error) -> Self {
        internal("session error", &e);
        OAuthError::temporarily_unavailable()
    }
}

/// Renders an askama template as an HTML response.
pub fn render(t: &impl askama::Template) -> Result<Response, PageError> {
    Ok(Html(t.render()?).into_response())
}

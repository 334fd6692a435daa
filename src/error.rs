//! Errors that become HTTP responses.
//!
//! Three shapes: [`OAuthError`] for protocol endpoints (the JSON bodies of RFC 6749 section
//! 5.2 and RFC 6750 section 3), [`RedirectError`] for the authorization endpoint's refusals
//! sent back to the client, and [`PageError`] for people (a friendly HTML page); the codes
//! of the first two are [`ErrorCode`]s. Internal
//! failures carry their cause, which is logged when the error becomes a response (in the
//! request's span, which carries the request id); the client gets a generic message and no
//! database or library text ever reaches it.

use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::crypto::CryptoError;
use crate::i18n::web::ErrorPage;
use crate::i18n::Msg;
use crate::store::StoreError;
use crate::tokens::KeyError;

macro_rules! error_codes {
    ($($v:ident => $s:literal,)*) => {
        /// An OAuth 2.0 / OpenID Connect error code (RFC 6749 4.1.2.1 and 5.2, RFC 6750 3.1,
        /// RFC 7591 3.2.2, OIDC Core 3.1.2.6, OpenID Connect Core Error Code
        /// unmet_authentication_requirements 1.0): the `error` of every protocol error Sesame
        /// answers, by JSON or on the redirect.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($v,)*
        }

        impl ErrorCode {
            /// The code as the RFCs spell it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$v => $s,)*
                }
            }
        }
    };
}

error_codes! {
    AccessDenied => "access_denied",
    AuthorizationPending => "authorization_pending",
    ConsentRequired => "consent_required",
    ExpiredToken => "expired_token",
    InsufficientScope => "insufficient_scope",
    InteractionRequired => "interaction_required",
    InvalidClient => "invalid_client",
    InvalidClientMetadata => "invalid_client_metadata",
    InvalidGrant => "invalid_grant",
    InvalidRedirectUri => "invalid_redirect_uri",
    InvalidRequest => "invalid_request",
    InvalidScope => "invalid_scope",
    InvalidToken => "invalid_token",
    LoginRequired => "login_required",
    RequestNotSupported => "request_not_supported",
    RequestUriNotSupported => "request_uri_not_supported",
    ServerError => "server_error",
    SlowDown => "slow_down",
    TemporarilyUnavailable => "temporarily_unavailable",
    UnauthorizedClient => "unauthorized_client",
    UnmetAuthenticationRequirements => "unmet_authentication_requirements",
    UnsupportedGrantType => "unsupported_grant_type",
    UnsupportedResponseType => "unsupported_response_type",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The authorization endpoint's refusal once the client and its redirect URI are known: it
/// is sent back to the redirect URI (`error`, `error_description`, `state`, `iss`; RFC 6749
/// 4.1.2.1, RFC 9207), never shown as a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    pub error: ErrorCode,
    pub description: String,
}

impl RedirectError {
    pub fn new(error: ErrorCode, description: impl Into<String>) -> RedirectError {
        RedirectError {
            error,
            description: description.into(),
        }
    }
}

/// An OAuth 2.0 / OIDC error answered as JSON.
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: ErrorCode,
    pub description: Option<String>,
    /// `WWW-Authenticate` value (401 from the token endpoint, bearer errors).
    pub www_authenticate: Option<String>,
    /// The internal failure behind a server error, logged by `into_response`.
    cause: Option<Cause>,
}

/// An internal failure kept for the log: what failed, and the error itself. Only store,
/// key, crypto, template and session errors become causes; none carries a secret or a code.
#[derive(Debug, Clone)]
struct Cause {
    what: &'static str,
    error: Arc<dyn std::error::Error + Send + Sync>,
}

impl Cause {
    fn new(what: &'static str, error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause {
            what,
            error: Arc::new(error),
        }
    }

    fn log(&self) {
        tracing::error!(error = %self.error, "{}", self.what);
    }
}

#[derive(Serialize)]
struct OAuthErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<&'a str>,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: ErrorCode, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: Some(description.into()),
            www_authenticate: None,
            cause: None,
        }
    }

    /// The same error with this `WWW-Authenticate` challenge.
    pub fn with_challenge(self, challenge: impl Into<String>) -> Self {
        OAuthError {
            www_authenticate: Some(challenge.into()),
            ..self
        }
    }

    fn caused_by(self, cause: Cause) -> Self {
        OAuthError {
            cause: Some(cause),
            ..self
        }
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, d)
    }

    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidGrant, d)
    }

    /// 401 with a `Basic` challenge (RFC 6749 section 5.2).
    pub fn invalid_client(d: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidClient, d)
            .with_challenge("Basic realm=\"sesame\", charset=\"UTF-8\"")
    }

    /// A bearer-token error (RFC 6750 section 3.1).
    pub fn bearer(status: StatusCode, error: ErrorCode, d: &str) -> Self {
        let challenge = format!(
            "Bearer realm=\"sesame\", error=\"{error}\", error_description=\"{}\"",
            d.replace(['"', '\\'], "")
        );
        Self::new(status, error, d).with_challenge(challenge)
    }

    pub fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::ServerError,
            "the server could not complete the request; try again",
        )
    }

    pub fn temporarily_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::TemporarilyUnavailable,
            "the server is temporarily unavailable; try again",
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            cause.log();
        }
        let body = serde_json::to_string(&OAuthErrorBody {
            error: self.error.as_str(),
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

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        let answer = if e.is_unavailable() {
            OAuthError::temporarily_unavailable()
        } else {
            OAuthError::server_error()
        };
        answer.caused_by(Cause::new("database error", e))
    }
}

impl From<KeyError> for OAuthError {
    fn from(e: KeyError) -> Self {
        OAuthError::server_error().caused_by(Cause::new("signing key error", e))
    }
}

impl From<CryptoError> for OAuthError {
    fn from(e: CryptoError) -> Self {
        OAuthError::server_error().caused_by(Cause::new("crypto error", e))
    }
}

/// An error shown to a person as a page: its title and message are carried as catalog
/// messages and written in the request's language by [`crate::i18n::web::error_pages`].
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    /// What the page says (boxed: errors travel in every `Result` of the page handlers).
    text: Box<ErrorPageParts>,
    /// The internal failure behind the page, logged by `into_response`.
    cause: Option<Cause>,
}

/// What an error page says, left on the response for the layer that writes it in the
/// request's language.
#[derive(Debug, Clone)]
pub struct ErrorPageParts {
    pub title: Msg,
    pub message: Msg,
}

impl PageError {
    pub fn new(status: StatusCode, title: impl Into<Msg>, message: impl Into<Msg>) -> Self {
        PageError {
            status,
            text: Box::new(ErrorPageParts {
                title: title.into(),
                message: message.into(),
            }),
            cause: None,
        }
    }

    /// The page's title.
    pub fn title(&self) -> &Msg {
        &self.text.title
    }

    /// The page's text.
    pub fn message(&self) -> &Msg {
        &self.text.message
    }

    /// The page of catalog message `id`: its value is the title, its `message` attribute
    /// the text.
    pub fn keyed(status: StatusCode, id: &str) -> Self {
        Self::new(status, Msg::new(id), Msg::attr(id, "message"))
    }

    fn caused_by(self, cause: Cause) -> Self {
        PageError {
            cause: Some(cause),
            ..self
        }
    }

    pub fn bad_request(title: impl Into<Msg>, message: impl Into<Msg>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, title, message)
    }

    pub fn internal() -> Self {
        Self::keyed(StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
    }

    pub fn unavailable() -> Self {
        Self::keyed(StatusCode::SERVICE_UNAVAILABLE, "error-unavailable")
    }

    pub fn session_expired() -> Self {
        Self::keyed(StatusCode::BAD_REQUEST, "error-session-expired")
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            cause.log();
        }
        let fallback = crate::i18n::builtin();
        let t = fallback.tr(fallback.default_locale());
        let page = ErrorPage {
            title: t.msg(&self.text.title),
            message: t.msg(&self.text.message),
            back: ("/".into(), t.t("nav-home")),
            request_id: None,
            t,
        };
        let mut res = match askama::Template::render(&page) {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(e) => {
                Cause::new("template error", e).log();
                (self.status, page.message).into_response()
            }
        };
        res.extensions_mut().insert(*self.text);
        res
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        let page = if e.is_unavailable() {
            PageError::unavailable()
        } else {
            PageError::internal()
        };
        page.caused_by(Cause::new("database error", e))
    }
}

impl From<KeyError> for PageError {
    fn from(e: KeyError) -> Self {
        PageError::internal().caused_by(Cause::new("signing key error", e))
    }
}

impl From<CryptoError> for PageError {
    fn from(e: CryptoError) -> Self {
        PageError::internal().caused_by(Cause::new("crypto error", e))
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::internal().caused_by(Cause::new("template error", e))
    }
}

impl From<tower_sessions::session::Error> for PageError {
    fn from(e: tower_sessions::session::Error) -> Self {
        PageError::unavailable().caused_by(Cause::new("session error", e))
    }
}

impl From<tower_sessions::session::Error> for OAuthError {
    fn from(e: tower_sessions::session::Error) -> Self {
        OAuthError::temporarily_unavailable().caused_by(Cause::new("session error", e))
    }
}

/// Renders an askama template as an HTML response.
pub fn render(t: &impl askama::Template) -> Result<Response, PageError> {
    Ok(Html(t.render()?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(res: Response) -> String {
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn an_internal_cause_never_reaches_the_oauth_body() {
        let e = OAuthError::from(StoreError::Corrupt("secret detail".into()));
        assert!(e.cause.is_some());
        let res = e.into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body_of(res).await,
            r#"{"error":"server_error","error_description":"the server could not complete the request; try again"}"#
        );
    }

    #[tokio::test]
    async fn an_internal_cause_never_reaches_the_page() {
        let e = PageError::from(CryptoError::Decrypt);
        assert!(e.cause.is_some());
        let res = e.into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let page = body_of(res).await;
        assert!(page.contains("Something went wrong"));
        assert!(!page.contains("decryption"));
    }
}

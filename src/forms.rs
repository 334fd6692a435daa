//! Form and query extractors for the hosted pages: every rejection is a friendly page,
//! never axum's plain-text error. Forms that change anything are read through
//! [`crate::csrf::CsrfForm`], which adds the anti-CSRF check.
//!
//! The input is first checked by the same parser as the protocol endpoints
//! ([`crate::oidc::params::Params::parse`]): a repeated parameter (RFC 6749 section 3.1,
//! GitLab CVE-2023-7028), an over-long value, too many parameters or invalid UTF-8 is
//! refused before any field is read.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::PageError;
use crate::oidc::params::Params;

/// The largest form a hosted page accepts.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

fn unreadable(status: StatusCode) -> PageError {
    PageError::keyed(status, "error-form-unreadable")
}

fn decode<T: DeserializeOwned>(raw: &[u8]) -> Result<T, PageError> {
    Params::parse(raw).map_err(|_| unreadable(StatusCode::BAD_REQUEST))?;
    serde_urlencoded::from_bytes(raw).map_err(|_| unreadable(StatusCode::BAD_REQUEST))
}

/// An `application/x-www-form-urlencoded` body.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(unreadable(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| unreadable(StatusCode::PAYLOAD_TOO_LARGE))?;
        if body.len() > MAX_FORM_BYTES {
            return Err(unreadable(StatusCode::PAYLOAD_TOO_LARGE));
        }
        decode(&body).map(PageForm)
    }
}

/// A query string.
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        decode(q.as_bytes()).map(PageQuery)
    }
}

//! Anti-CSRF tokens for the hosted pages' forms: one random token per browser session,
//! compared in constant time. Every POST form of the hosted pages is read through
//! [`CsrfForm`], which refuses the request with a friendly page before the handler runs
//! when the form's token is not the session's.
//!
//! The sign-in's first form is the one exception: it may be posted by a browser that has
//! no session yet, and is checked against a token bound to a cookie instead
//! (`login::pending`).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use tower_sessions::Session;

use crate::crypto::{ct_eq, random_token};
use crate::error::PageError;
use crate::forms::PageForm;

/// Where the session keeps its token.
const SESSION_KEY: &str = "csrf";

/// The session's anti-CSRF token, created on first use.
pub async fn token(session: &Session) -> Result<String, PageError> {
    if let Some(t) = existing(session).await? {
        return Ok(t);
    }
    let t = random_token(32)?;
    session.insert(SESSION_KEY, &t).await?;
    Ok(t)
}

/// The session's token, when it has one (nothing is created).
pub async fn existing(session: &Session) -> Result<Option<String>, PageError> {
    Ok(session.get::<String>(SESSION_KEY).await?)
}

/// Makes `token` the session's token when the session has none yet (a form posted before
/// the browser had a session carried it).
pub async fn adopt(session: &Session, token: &str) -> Result<(), PageError> {
    if existing(session).await?.is_none() {
        session.insert(SESSION_KEY, token).await?;
    }
    Ok(())
}

/// Checks a form's anti-CSRF token against the session's, in constant time.
pub async fn check(session: &Session, presented: &str) -> Result<(), PageError> {
    match existing(session).await? {
        Some(e) if ct_eq(e.as_bytes(), presented.as_bytes()) => Ok(()),
        _ => Err(expired()),
    }
}

fn expired() -> PageError {
    PageError::keyed(StatusCode::FORBIDDEN, "error-form-expired")
}

/// A form that carries an anti-CSRF token.
pub trait CsrfProtected {
    /// The token the form carried (empty when it carried none).
    fn csrf(&self) -> &str;
}

/// An `application/x-www-form-urlencoded` body ([`PageForm`]) whose anti-CSRF token
/// matched the browser session's.
pub struct CsrfForm<T>(pub T);

impl<T, S> FromRequest<S> for CsrfForm<T>
where
    T: DeserializeOwned + CsrfProtected + Send,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| PageError::internal())?;
        let PageForm(form) =
            PageForm::<T>::from_request(Request::from_parts(parts, body), state).await?;
        check(&session, form.csrf()).await?;
        Ok(CsrfForm(form))
    }
}

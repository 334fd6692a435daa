//! The grants of the token endpoint as domain functions, without HTTP.
//!
//! The authorization-code, refresh-token and client-credentials grants take a [`GrantCtx`]
//! (the store, the signing keys, the server secrets, the clock, the issuer and the token
//! settings) and return a [`TokenResponse`] or a [`GrantError`]. Only the endpoint turns a
//! `GrantError` into the RFC 6749 section 5.2 answer (`impl From<GrantError> for
//! OAuthError`), so the grants can be exercised on a store alone.

use axum::http::StatusCode;
use serde::Serialize;

use crate::audit::AuditEvent;
use crate::clock::Clock;
use crate::config::TokenConfig;
use crate::crypto::{CryptoError, ServerSecrets};
use crate::error::{ErrorCode, OAuthError};
use crate::state::AppState;
use crate::store::{Store, StoreError};
use crate::tokens::{KeyError, KeyRing};

/// A successful token response (RFC 6749 section 5.1, OIDC Core 3.1.3.3).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
}

/// What the grants need: parts of the state, borrowed.
#[derive(Clone, Copy)]
pub struct GrantCtx<'a> {
    pub store: &'a Store,
    pub keys: &'a KeyRing,
    pub secrets: &'a ServerSecrets,
    pub clock: &'a dyn Clock,
    /// The issuer: `iss` and the audience of access tokens.
    pub issuer: &'a str,
    pub tokens: &'a TokenConfig,
}

impl<'a> GrantCtx<'a> {
    /// The parts of the shared state the grants use.
    pub fn of(state: &'a AppState) -> GrantCtx<'a> {
        GrantCtx {
            store: &state.store,
            keys: &state.keys,
            secrets: &state.secrets,
            clock: &*state.clock,
            issuer: &state.config.issuer,
            tokens: &state.config.tokens,
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Appends an audit event (no client IP); a failure to write it is logged, not fatal.
    pub async fn audit(
        &self,
        event: AuditEvent<'_>,
        user_id: Option<&str>,
        client_id: Option<&str>,
    ) {
        self.store
            .record(self.now(), event.row(user_id, client_id, None))
            .await;
    }
}

/// Why a grant was refused or failed. The texts are the `error_description`s the client
/// reads; the internal variants are answered with a generic message and logged.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// A required parameter is missing (RFC 6749 5.2 `invalid_request`).
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    /// The code or refresh token is not valid, expired, revoked, or not this client's.
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    /// The client may not use this grant type.
    #[error("unauthorized_client: {0}")]
    UnauthorizedClient(&'static str),
    /// A scope was asked for that may not be granted.
    #[error("invalid_scope: {0}")]
    InvalidScope(String),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    /// The device grant: the person has not answered yet (RFC 8628 3.5).
    #[error("authorization_pending")]
    AuthorizationPending,
    /// The device grant: polled sooner than the interval, which grows by 5 seconds.
    #[error("slow_down")]
    SlowDown,
    /// The device grant: the person refused.
    #[error("access_denied")]
    AccessDenied,
    /// The device grant: the device code expired before it was exchanged.
    #[error("expired_token")]
    ExpiredToken,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl From<GrantError> for OAuthError {
    fn from(e: GrantError) -> OAuthError {
        let refused = |error, d: String| OAuthError::new(StatusCode::BAD_REQUEST, error, d);
        match e {
            GrantError::InvalidRequest(d) => OAuthError::invalid_request(d),
            GrantError::InvalidGrant(d) => OAuthError::invalid_grant(d),
            GrantError::UnauthorizedClient(d) => refused(ErrorCode::UnauthorizedClient, d.into()),
            GrantError::InvalidScope(d) => refused(ErrorCode::InvalidScope, d),
            GrantError::UnsupportedGrantType => refused(
                ErrorCode::UnsupportedGrantType,
                "this grant type is not supported".into(),
            ),
            GrantError::AuthorizationPending => refused(
                ErrorCode::AuthorizationPending,
                "the person has not answered yet".into(),
            ),
            GrantError::SlowDown => refused(
                ErrorCode::SlowDown,
                "polled too soon; wait 5 more seconds between polls".into(),
            ),
            GrantError::AccessDenied => {
                refused(ErrorCode::AccessDenied, "the person declined".into())
            }
            GrantError::ExpiredToken => refused(
                ErrorCode::ExpiredToken,
                "the device code has expired; start again".into(),
            ),
            GrantError::Store(e) => e.into(),
            GrantError::Key(e) => e.into(),
            GrantError::Crypto(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_their_rfc_error_codes() {
        let cases = [
            (GrantError::InvalidRequest("x"), ErrorCode::InvalidRequest),
            (GrantError::InvalidGrant("x"), ErrorCode::InvalidGrant),
            (
                GrantError::UnauthorizedClient("x"),
                ErrorCode::UnauthorizedClient,
            ),
            (
                GrantError::InvalidScope("x".into()),
                ErrorCode::InvalidScope,
            ),
            (
                GrantError::UnsupportedGrantType,
                ErrorCode::UnsupportedGrantType,
            ),
            (
                GrantError::AuthorizationPending,
                ErrorCode::AuthorizationPending,
            ),
            (GrantError::SlowDown, ErrorCode::SlowDown),
            (GrantError::AccessDenied, ErrorCode::AccessDenied),
            (GrantError::ExpiredToken, ErrorCode::ExpiredToken),
        ];
        for (e, code) in cases {
            let e = OAuthError::from(e);
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert_eq!(e.error, code);
            assert!(e.www_authenticate.is_none());
        }
        let e = OAuthError::from(GrantError::Crypto(CryptoError::Random));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.error, ErrorCode::ServerError);
    }
}

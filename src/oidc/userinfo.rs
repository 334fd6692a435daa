//! The UserInfo endpoint (OIDC Core 5.3) with bearer tokens (RFC 6750).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::claims::{self, ClaimsRequest, Target};
use super::params::Params;
use super::token::no_store;
use crate::error::{ErrorCode, OAuthError};
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::clients::scope_allowed;
use crate::tokens::{self, TokenError};

fn invalid_token(d: &str) -> OAuthError {
    OAuthError::bearer(StatusCode::UNAUTHORIZED, ErrorCode::InvalidToken, d)
}

/// Finds the bearer token: the `Authorization` header, or for a form POST the
/// `access_token` body parameter (RFC 6750 2.1 and 2.2); never more than one.
fn bearer_token(method: &Method, headers: &HeaderMap, body: &[u8]) -> Result<String, OAuthError> {
    let from_header = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let v = v
                .to_str()
                .map_err(|_| invalid_token("malformed Authorization header"))?;
            match v.split_once(' ') {
                Some((scheme, tok))
                    if scheme.eq_ignore_ascii_case("bearer") && !tok.trim().is_empty() =>
                {
                    Some(tok.trim().to_string())
                }
                _ => return Err(invalid_token("use the Bearer scheme")),
            }
        }
    };
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let from_body = if *method == Method::POST && is_form {
        let p = Params::parse(body).map_err(|e| {
            OAuthError::bearer(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest,
                &e.to_string(),
            )
        })?;
        p.get("access_token").map(str::to_string)
    } else {
        None
    };
    match (from_header, from_body) {
        (Some(_), Some(_)) => Err(OAuthError::bearer(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            "send the token in one place only",
        )),
        (Some(t), None) | (None, Some(t)) => Ok(t),
        (None, None) => Err(OAuthError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidRequest,
            "an access token is required",
        )
        .with_challenge("Bearer realm=\"sesame\"")),
    }
}

/// GET and POST /userinfo
pub async fn userinfo(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, OAuthError> {
    let body = body.map_err(|_| {
        OAuthError::bearer(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            "the request body is too large or unreadable",
        )
    })?;
    let token = bearer_token(&method, &headers, &body)?;
    let now = state.now();
    let claims = tokens::verify_access_token(&state.keys, &token, &state.config.issuer, now)
        .await
        .map_err(|e| match e {
            TokenError::Keys(k) => OAuthError::from(k),
            TokenError::Expired => invalid_token("the access token has expired"),
            _ => invalid_token("the access token is not valid"),
        })?;
    let revoked = || invalid_token("the access token has been revoked");
    // The token's grant, its revocation, its user and its client's allow list in one query.
    let (grant, user, allowed_scopes) = if claims.gid.is_empty() {
        if super::introspect::live_grant(&state, &claims)
            .await?
            .is_none()
        {
            return Err(revoked());
        }
        let allowed = match state.store.get_client(&claims.client_id).await? {
            Some(c) => c.meta.allowed_scopes,
            None => Some(Vec::new()),
        };
        (None, state.store.get_user(&claims.sub).await?, allowed)
    } else {
        match state
            .store
            .grant_state(&claims.gid, Some(&claims.jti), Some(&claims.sub))
            .await?
        {
            Some(s) if !s.token_revoked && s.grant.revoked_at.is_none() => {
                (Some(s.grant), s.user, s.client_allowed_scopes)
            }
            _ => return Err(revoked()),
        }
    };
    if !ScopeSet::parse(&claims.scope).contains("openid") {
        return Err(OAuthError::bearer(
            StatusCode::FORBIDDEN,
            ErrorCode::InsufficientScope,
            "the openid scope is required",
        ));
    }
    let user = user
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| invalid_token("the account is not available"))?;
    let request = grant
        .and_then(|g| g.claims)
        .and_then(|c| ClaimsRequest::parse(&c).ok());
    // Checked against the client's allow list of now, not of the day of the grant: an
    // operator who narrows a client stops the release at once.
    let wanted = claims::wanted(&claims.scope, request.as_ref(), Target::UserInfo, |s| {
        scope_allowed(allowed_scopes.as_deref(), s)
    });
    let mut body = super::claim_values::user_claims(&state.store, &user, &wanted).await?;
    super::claim_values::add_mapped_claims(&state.store, &claims.client_id, &user.id, &mut body)
        .await?;
    body.insert("sub".into(), serde_json::Value::String(user.id));
    Ok(no_store(Json(body).into_response()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn token_from_header_or_body_but_not_both() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(bearer_token(&Method::GET, &h, b"").unwrap(), "abc");
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert!(bearer_token(&Method::POST, &h, b"access_token=x").is_err());
        h.remove(header::AUTHORIZATION);
        assert_eq!(
            bearer_token(&Method::POST, &h, b"access_token=x").unwrap(),
            "x"
        );
        let e = bearer_token(&Method::GET, &HeaderMap::new(), b"").unwrap_err();
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            e.www_authenticate.as_deref(),
            Some("Bearer realm=\"sesame\"")
        );
    }

    #[test]
    fn other_schemes_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(
            bearer_token(&Method::GET, &h, b"").unwrap_err().error,
            ErrorCode::InvalidToken
        );
    }
}

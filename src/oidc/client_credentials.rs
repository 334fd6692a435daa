//! The client-credentials grant (RFC 6749 section 4.4) for machine clients: an access token
//! for the client itself, never an ID token or a refresh token (4.4.3), and only for the
//! (API) scopes the client was registered with. Person-related scopes (`openid`, `email`,
//! …) are refused: there is no person behind this token.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::authorize::SUPPORTED_SCOPES;
use super::issue;
use super::params::Params;
use super::token::{no_store, unauthorized_client, TokenResponse};
use crate::crypto::random_token;
use crate::error::OAuthError;
use crate::state::AppState;
use crate::store::clients::Client;
use crate::tokens::AccessTokenClaims;

fn invalid_scope(d: String) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, "invalid_scope", d)
}

/// The scope granted for a request: the asked scopes, each registered for the client and
/// none about a person; without `scope`, everything the client was registered for.
pub fn granted_scope(client: &Client, asked: Option<&str>) -> Result<String, OAuthError> {
    let Some(asked) = asked else {
        return Ok(client.registered_scopes().collect::<Vec<_>>().join(" "));
    };
    let mut out: Vec<&str> = Vec::new();
    for s in asked.split(' ').filter(|s| !s.is_empty()) {
        if SUPPORTED_SCOPES.contains(&s) {
            return Err(invalid_scope(format!(
                "scope `{s}` is about a person; the client-credentials grant has none"
            )));
        }
        if !client.registered_scopes().any(|r| r == s) {
            return Err(invalid_scope(format!(
                "scope `{s}` is not registered for this client"
            )));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out.join(" "))
}

/// `grant_type=client_credentials` at the token endpoint.
pub async fn grant(state: &AppState, client: &Client, p: &Params) -> Result<Response, OAuthError> {
    if client.public {
        return Err(unauthorized_client(
            "public clients cannot use the client-credentials grant",
        ));
    }
    let scope = granted_scope(client, p.get("scope"))?;
    let now = state.now();
    let ttl = client.access_token_ttl(state.config.tokens.access_token_ttl_seconds);
    let claims = AccessTokenClaims {
        iss: state.config.issuer.clone(),
        sub: client.id.clone(),
        aud: state.config.issuer.clone(),
        exp: now + ttl,
        iat: now,
        jti: random_token(16)?,
        client_id: client.id.clone(),
        scope: scope.clone(),
        auth_time: None,
        gid: String::new(),
    };
    let keys = state.keys.keys().await?;
    let access_token = issue::access_token(state, &keys, &claims, now)?;
    state
        .audit(
            "tokens_issued",
            None,
            Some(&client.id),
            serde_json::json!({ "grant_type": "client_credentials", "scope": scope }),
        )
        .await;
    let body = TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ttl,
        id_token: None,
        refresh_token: None,
        scope,
    };
    Ok(no_store(Json(body).into_response()))
}

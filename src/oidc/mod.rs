//! Protocol endpoints: discovery, JWKS, authorization, token, userinfo.

pub mod authorize;
pub mod claims;
pub mod params;
pub mod token;
pub mod userinfo;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::app::AppState;
use crate::error::OAuthError;
use crate::tokens::keys::ALGORITHMS;

pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
pub const JWKS_PATH: &str = "/jwks";
pub const AUTHORIZE_PATH: &str = "/authorize";
pub const TOKEN_PATH: &str = "/token";
pub const USERINFO_PATH: &str = "/userinfo";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(DISCOVERY_PATH, get(discovery))
        .route(JWKS_PATH, get(jwks))
        .route(
            AUTHORIZE_PATH,
            get(authorize::authorize).post(authorize::authorize),
        )
        .route(TOKEN_PATH, axum::routing::post(token::token))
        .route(
            USERINFO_PATH,
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
}

/// The discovery document (OIDC Discovery 1.0 section 3): only what is implemented.
pub fn discovery_document(state: &AppState) -> serde_json::Value {
    json!({
        "issuer": state.config.issuer,
        "authorization_endpoint": state.url(AUTHORIZE_PATH),
        "token_endpoint": state.url(TOKEN_PATH),
        "userinfo_endpoint": state.url(USERINFO_PATH),
        "jwks_uri": state.url(JWKS_PATH),
        "scopes_supported": authorize::SUPPORTED_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ALGORITHMS,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": claims::CLAIMS_SUPPORTED,
        "claim_types_supported": ["normal"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login"],
        "authorization_response_iss_parameter_supported": true,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
    })
}

async fn discovery(State(state): State<AppState>) -> Response {
    let mut res = Json(discovery_document(&state)).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    res
}

async fn jwks(State(state): State<AppState>) -> Result<Response, OAuthError> {
    let keys = state.keys.keys().await?;
    let mut res = keys.jwks_json.clone().into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jwk-set+json"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(res)
}

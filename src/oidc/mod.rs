//! Protocol endpoints: discovery, JWKS, authorization, token, userinfo, revocation,
//! introspection, end session and registration.

pub mod acr;
pub mod authorize;
pub mod authorize_guard;
pub mod claim_values;
pub mod claims;
pub mod client_auth;
pub mod client_credentials;
pub mod device;
pub mod grant;
#[cfg(test)]
mod grant_tests;
pub mod id_token_hint;
pub mod introspect;
pub mod issue;
pub mod logout;
pub mod params;
pub mod refresh;
pub mod refresh_token;
pub mod registration;
pub mod revoke;
pub mod silent;
pub mod sso_decision;
pub mod token;
pub mod userinfo;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::error::OAuthError;
use crate::state::AppState;
use crate::tokens::keys::ALGORITHMS;

pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
pub const JWKS_PATH: &str = "/jwks";
pub const AUTHORIZE_PATH: &str = "/authorize";
pub const TOKEN_PATH: &str = "/token";
pub const USERINFO_PATH: &str = "/userinfo";
pub const REVOCATION_PATH: &str = "/revoke";
pub const INTROSPECTION_PATH: &str = "/introspect";
/// RFC 8414 authorization server metadata (the same document as discovery).
pub const OAUTH_METADATA_PATH: &str = "/.well-known/oauth-authorization-server";

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
            device::DEVICE_AUTHORIZATION_PATH,
            axum::routing::post(device::device_authorization),
        )
        .route(
            USERINFO_PATH,
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route(OAUTH_METADATA_PATH, get(discovery))
        .route(REVOCATION_PATH, axum::routing::post(revoke::revoke))
        .route(
            INTROSPECTION_PATH,
            axum::routing::post(introspect::introspect),
        )
        .route(
            registration::REGISTRATION_PATH,
            axum::routing::post(registration::register),
        )
        .route(
            crate::authz::respond::FORM_POST_JS_PATH,
            get(crate::authz::respond::form_post_js),
        )
        .merge(logout::routes())
}

/// The discovery document (OIDC Discovery 1.0 section 3, RFC 8414): only what is
/// implemented, and each optional endpoint only when it is on.
pub fn discovery_document(state: &AppState) -> serde_json::Value {
    let client_auth = ["client_secret_basic", "client_secret_post", "none"];
    let mut doc = json!({
        "issuer": state.config.issuer,
        "authorization_endpoint": state.url(AUTHORIZE_PATH),
        "token_endpoint": state.url(TOKEN_PATH),
        "userinfo_endpoint": state.url(USERINFO_PATH),
        "device_authorization_endpoint": state.url(device::DEVICE_AUTHORIZATION_PATH),
        "jwks_uri": state.url(JWKS_PATH),
        "end_session_endpoint": state.url(logout::END_SESSION_PATH),
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "revocation_endpoint": state.url(REVOCATION_PATH),
        "revocation_endpoint_auth_methods_supported": client_auth,
        "introspection_endpoint": state.url(INTROSPECTION_PATH),
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": authorize::SUPPORTED_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": crate::authz::ResponseMode::ALL.map(crate::authz::ResponseMode::as_str),
        "grant_types_supported": crate::clients::GRANT_TYPES,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ALGORITHMS,
        "token_endpoint_auth_methods_supported": client_auth,
        "claims_supported": claims::claims_supported(),
        "claim_types_supported": ["normal"],
        "claims_parameter_supported": true,
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": authorize::PROMPT_VALUES,
        "display_values_supported": authorize::DISPLAY_VALUES,
        "ui_locales_supported": state.i18n.tags(),
        "acr_values_supported": acr::Acr::ALL.map(acr::Acr::as_str),
        "claims_locales_supported": ["en"],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
    });
    if state.config.registration.enabled {
        doc["registration_endpoint"] = json!(state.url(registration::REGISTRATION_PATH));
    }
    doc
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

//! Dynamic client registration (RFC 7591, OpenID Connect Dynamic Client Registration 1.0).
//!
//! Off unless `registration.enabled`; then `POST /register` needs the configured initial
//! access token as a bearer token. Metadata is validated with the same rules as the CLI
//! (exact redirect URIs without fragments; https, or http only on loopback; custom schemes
//! only for public native apps) and refused with the RFC's error codes
//! (`invalid_redirect_uri`, `invalid_client_metadata`). Clients registered this way are
//! third-party (their users see a consent page) and may only use the authorization-code
//! and refresh-token grants; machine clients are registered by an operator. The `scope`
//! member becomes the client's allowed scopes, enforced exactly like an operator's
//! `--allowed-scope`: other scopes, and the claims of other scopes, are never released.

use crate::audit::AuditEvent;
use crate::jose::SigningAlg;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;

use super::authorize::SUPPORTED_SCOPES;
use super::token::no_store;
use crate::clients::{self, ClientError, NewClient};
use crate::crypto::ct_eq;
use crate::error::{ErrorCode, OAuthError};
use crate::state::AppState;
use crate::store::clients::ClientMeta;

pub const REGISTRATION_PATH: &str = "/register";

/// Client authentication methods a registration may ask for.
pub const AUTH_METHODS: &[&str] = &["client_secret_basic", "client_secret_post", "none"];

fn metadata_error(d: impl Into<String>) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidClientMetadata, d)
}

fn redirect_error(d: impl Into<String>) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRedirectUri, d)
}

/// The metadata this server acts on. Other members are ignored (RFC 7591 2).
#[derive(Debug, Deserialize)]
pub struct Metadata {
    pub redirect_uris: Option<Vec<String>>,
    pub token_endpoint_auth_method: Option<String>,
    pub grant_types: Option<Vec<String>>,
    pub response_types: Option<Vec<String>>,
    pub client_name: Option<String>,
    pub application_type: Option<String>,
    pub id_token_signed_response_alg: Option<String>,
    pub post_logout_redirect_uris: Option<Vec<String>>,
    pub scope: Option<String>,
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_session_required: Option<bool>,
}

/// A validated registration: the client to create and the metadata to echo.
#[derive(Debug)]
pub struct Validated {
    pub spec: NewClient,
    pub auth_method: String,
    pub application_type: String,
    pub response_types: Vec<String>,
    /// The registered `scope`, as the client's allowed scopes (`openid` first); `None` when
    /// the registration did not say (every supported scope).
    pub allowed_scopes: Option<Vec<String>>,
    /// Where logout tokens go (checked), and whether they must carry `sid`.
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_session_required: bool,
}

/// Checks registration metadata (pure, tested without HTTP).
pub fn validate(m: Metadata, pkce_required: bool) -> Result<Validated, OAuthError> {
    let auth_method = m
        .token_endpoint_auth_method
        .unwrap_or_else(|| "client_secret_basic".into());
    if !AUTH_METHODS.contains(&auth_method.as_str()) {
        return Err(metadata_error(format!(
            "token_endpoint_auth_method `{auth_method}` is not supported ({})",
            AUTH_METHODS.join(", ")
        )));
    }
    let public = auth_method == "none";
    let application_type = m.application_type.unwrap_or_else(|| "web".into());
    if !matches!(application_type.as_str(), "web" | "native") {
        return Err(metadata_error("application_type must be web or native"));
    }
    let grant_types = m
        .grant_types
        .unwrap_or_else(|| vec!["authorization_code".into()]);
    for g in &grant_types {
        if !matches!(
            g.as_str(),
            "authorization_code" | "refresh_token" | clients::DEVICE_CODE_GRANT
        ) {
            return Err(metadata_error(format!(
                "grant type `{g}` cannot be registered dynamically (authorization_code, \
                 refresh_token, {})",
                clients::DEVICE_CODE_GRANT
            )));
        }
    }
    let wants_code = grant_types.iter().any(|g| g == "authorization_code");
    // RFC 7591 section 2: response_types defaults to `code`; a client without the code
    // grant (a device-only one) has none.
    let response_types = m.response_types.unwrap_or_else(|| {
        if wants_code {
            vec!["code".into()]
        } else {
            Vec::new()
        }
    });
    if response_types.iter().any(|r| r != "code") {
        return Err(metadata_error("only the `code` response type is supported"));
    }
    if wants_code != response_types.iter().any(|r| r == "code") {
        return Err(metadata_error(
            "grant_types and response_types disagree (authorization_code goes with code)",
        ));
    }
    let redirect_uris = m.redirect_uris.unwrap_or_default();
    if redirect_uris.is_empty() && wants_code {
        return Err(redirect_error("redirect_uris is required"));
    }
    for uri in &redirect_uris {
        clients::validate_redirect_uri(uri, public).map_err(redirect_error)?;
    }
    let alg = match m.id_token_signed_response_alg.as_deref() {
        None => SigningAlg::Rs256,
        Some(a) => SigningAlg::parse(a).ok_or_else(|| {
            metadata_error(
                "id_token_signed_response_alg must be RS256 or ES256 (unsigned ID tokens are not issued)",
            )
        })?,
    };
    let allowed_scopes = match &m.scope {
        None => None,
        Some(scope) => {
            let mut list = vec!["openid".to_string()];
            for s in scope.split(' ').filter(|s| !s.is_empty()) {
                if !SUPPORTED_SCOPES.contains(&s) {
                    return Err(metadata_error(format!(
                        "scope `{s}` is not available to dynamically registered clients"
                    )));
                }
                if !list.iter().any(|x| x == s) {
                    list.push(s.to_string());
                }
            }
            Some(list)
        }
    };
    let backchannel_logout_uri = m
        .backchannel_logout_uri
        .as_deref()
        .map(clients::validate_backchannel_logout_uri)
        .transpose()
        .map_err(metadata_error)?;
    if let Some(uri) = &backchannel_logout_uri {
        if clients::names_an_internal_host(uri) {
            return Err(metadata_error(format!(
                "`{uri}`: a registered client's back-channel logout URI must not name \
                 localhost or a private, link-local or loopback address"
            )));
        }
    }
    let name = m
        .client_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Unnamed app".into());
    let spec = NewClient {
        name,
        redirect_uris,
        public,
        pkce_required: public || pkce_required,
        first_party: false,
        id_token_alg: alg,
        post_logout_redirect_uris: m.post_logout_redirect_uris.unwrap_or_default(),
        grant_types,
        always_issue_refresh_token: false,
        scope: String::new(),
        dynamic: true,
    };
    clients::validate(&spec).map_err(|e| match e {
        ClientError::InvalidRedirectUri(d) => redirect_error(d),
        other => metadata_error(other.to_string()),
    })?;
    Ok(Validated {
        spec,
        auth_method,
        application_type,
        response_types,
        allowed_scopes,
        backchannel_logout_uri,
        backchannel_logout_session_required: m.backchannel_logout_session_required.unwrap_or(false),
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// POST /register
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let cfg = &state.config.registration;
    let Some(expected) = cfg.initial_access_token.as_ref().filter(|_| cfg.enabled) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    match bearer(&headers) {
        Some(t) if ct_eq(t.as_bytes(), expected.expose_secret().as_bytes()) => {}
        Some(_) => {
            return Err(OAuthError::bearer(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidToken,
                "the initial access token is not valid",
            ))
        }
        None => {
            return Err(OAuthError::bearer(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidToken,
                "registration needs an initial access token",
            ))
        }
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        });
    if !is_json {
        return Err(metadata_error("the body must be application/json"));
    }
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|_| metadata_error("the body is not valid JSON"))?;
    if !value.is_object() {
        return Err(metadata_error("the body must be a JSON object"));
    }
    let metadata: Metadata = serde_json::from_value(value)
        .map_err(|e| metadata_error(format!("a metadata value has the wrong type: {e}")))?;
    let v = validate(metadata, cfg.pkce_required)?;
    let now = state.now();
    let spec = v.spec.clone();
    let meta = ClientMeta {
        allowed_scopes: v.allowed_scopes.clone(),
        backchannel_logout_uri: v.backchannel_logout_uri.clone(),
        backchannel_logout_session_required: v.backchannel_logout_session_required,
        ..ClientMeta::default()
    };
    let reg = clients::register_with_meta(&state.store, &state.secrets, now, v.spec, meta)
        .await
        .map_err(|e| match e {
            ClientError::Store(s) => OAuthError::from(s),
            ClientError::Crypto(c) => OAuthError::from(c),
            ClientError::InvalidRedirectUri(d) => redirect_error(d),
            ClientError::Invalid(d) => metadata_error(d),
        })?;
    state
        .audit(
            AuditEvent::ClientRegistered {
                dynamic: true,
                name: &spec.name,
            },
            None,
            Some(&reg.client_id),
        )
        .await;
    let mut body = json!({
        "client_id": reg.client_id,
        "client_id_issued_at": now,
        "client_name": spec.name,
        "redirect_uris": spec.redirect_uris,
        "post_logout_redirect_uris": spec.post_logout_redirect_uris,
        "grant_types": spec.grant_types,
        "response_types": v.response_types,
        "token_endpoint_auth_method": v.auth_method,
        "application_type": v.application_type,
        "id_token_signed_response_alg": spec.id_token_alg,
    });
    if let Some(list) = &v.allowed_scopes {
        body["scope"] = json!(list.join(" "));
    }
    if let Some(uri) = &v.backchannel_logout_uri {
        body["backchannel_logout_uri"] = json!(uri);
        body["backchannel_logout_session_required"] = json!(v.backchannel_logout_session_required);
    }
    if let Some(secret) = reg.client_secret {
        body["client_secret"] = json!(secret);
        body["client_secret_expires_at"] = json!(0);
    }
    Ok(no_store((StatusCode::CREATED, Json(body)).into_response()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(v: serde_json::Value) -> Metadata {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_web_client_with_defaults_is_confidential_and_third_party() {
        let v = validate(
            meta(json!({"redirect_uris": ["https://rp.example/cb"], "client_name": "RP"})),
            true,
        )
        .unwrap();
        assert!(!v.spec.public && !v.spec.first_party && v.spec.dynamic);
        assert_eq!(v.auth_method, "client_secret_basic");
        assert_eq!(v.spec.grant_types, ["authorization_code"]);
    }

    #[test]
    fn a_device_client_registers_dynamically_without_redirect_uris_or_response_types() {
        let v = validate(
            meta(json!({
                "client_name": "TV app",
                "token_endpoint_auth_method": "none",
                "grant_types": [clients::DEVICE_CODE_GRANT, "refresh_token"]
            })),
            true,
        )
        .unwrap();
        assert!(v.spec.public);
        assert!(v.spec.redirect_uris.is_empty());
        assert!(v.response_types.is_empty());
        assert_eq!(
            v.spec.grant_types,
            [clients::DEVICE_CODE_GRANT, "refresh_token"]
        );
        // A device client asking for the code response type without the code grant, or
        // the code grant without redirect URIs, is still refused.
        for bad in [
            json!({"grant_types": [clients::DEVICE_CODE_GRANT], "response_types": ["code"]}),
            json!({"grant_types": [clients::DEVICE_CODE_GRANT, "authorization_code"]}),
        ] {
            assert!(validate(meta(bad.clone()), true).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_bad_metadata_gets_its_rfc_error() {
        let cases = [
            (json!({}), ErrorCode::InvalidRedirectUri),
            (
                json!({"redirect_uris": ["https://rp.example/cb#x"]}),
                ErrorCode::InvalidRedirectUri,
            ),
            (
                json!({"redirect_uris": ["http://rp.example/cb"]}),
                ErrorCode::InvalidRedirectUri,
            ),
            (
                json!({"redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "private_key_jwt"}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": ["https://rp.example/cb"], "id_token_signed_response_alg": "none"}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": ["https://rp.example/cb"], "response_types": ["id_token"]}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": ["https://rp.example/cb"], "grant_types": ["client_credentials"]}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": ["https://rp.example/cb"], "post_logout_redirect_uris": ["http://rp.example/bye"]}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": ["https://rp.example/cb"], "scope": "openid admin"}),
                ErrorCode::InvalidClientMetadata,
            ),
            (
                json!({"redirect_uris": ["https://rp.example/cb"], "backchannel_logout_uri": "http://rp.example/bcl"}),
                ErrorCode::InvalidClientMetadata,
            ),
        ];
        for (m, want) in cases {
            let e = validate(meta(m.clone()), true).unwrap_err();
            assert_eq!(e.error, want, "{m}");
        }
    }

    #[test]
    fn back_channel_logout_metadata_is_kept() {
        let v = validate(
            meta(json!({
                "redirect_uris": ["https://rp.example/cb"],
                "backchannel_logout_uri": "https://rp.example/bcl",
                "backchannel_logout_session_required": true
            })),
            true,
        )
        .unwrap();
        assert_eq!(
            v.backchannel_logout_uri.as_deref(),
            Some("https://rp.example/bcl")
        );
        assert!(v.backchannel_logout_session_required);
    }

    #[test]
    fn registered_scope_becomes_the_clients_allowed_scopes() {
        let v = validate(
            meta(
                json!({"redirect_uris": ["https://rp.example/cb"], "scope": "email  email openid"}),
            ),
            true,
        )
        .unwrap();
        assert_eq!(
            v.allowed_scopes,
            Some(vec!["openid".into(), "email".into()])
        );
        let v = validate(
            meta(json!({"redirect_uris": ["https://rp.example/cb"]})),
            true,
        )
        .unwrap();
        assert_eq!(v.allowed_scopes, None, "no scope: every supported scope");
        let v = validate(
            meta(json!({"redirect_uris": ["https://rp.example/cb"], "scope": ""})),
            true,
        )
        .unwrap();
        assert_eq!(v.allowed_scopes, Some(vec!["openid".into()]));
    }

    #[test]
    fn native_public_clients_may_use_loopback_and_private_schemes() {
        let v = validate(
            meta(json!({
                "redirect_uris": ["http://127.0.0.1:7000/cb", "com.example.app:/cb"],
                "token_endpoint_auth_method": "none",
                "application_type": "native",
                "grant_types": ["authorization_code", "refresh_token"]
            })),
            false,
        )
        .unwrap();
        assert!(v.spec.public && v.spec.pkce_required);
    }
}

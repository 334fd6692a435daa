//! The token endpoint (RFC 6749 section 3.2, 4.1.3; RFC 7636 4.6; OIDC Core 3.1.3).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;

use super::params::{Params, ProtocolParams};
use crate::crypto::{ct_eq, pkce_matches};
use crate::error::OAuthError;
use crate::state::AppState;
use crate::store::clients::Client;
use crate::store::codes::Redeemed;

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

/// `unauthorized_client` (RFC 6749 5.2): the client may not use this grant type.
pub fn unauthorized_client(d: &str) -> OAuthError {
    OAuthError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "unauthorized_client",
        d,
    )
}

/// How the client presented itself.
#[derive(Debug, PartialEq, Eq)]
pub enum ClientCredentials {
    Basic { id: String, secret: String },
    Post { id: String, secret: String },
    None { id: String },
}

/// Reads client credentials from the `Authorization` header or the body (RFC 6749 2.3.1).
/// More than one method in one request is refused.
pub fn client_credentials(
    headers: &HeaderMap,
    p: &Params,
) -> Result<ClientCredentials, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let v = v
                .to_str()
                .map_err(|_| OAuthError::invalid_client("malformed Authorization header"))?;
            let Some(b64) = v
                .strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
            else {
                return Err(OAuthError::invalid_client(
                    "only Basic client authentication is accepted here",
                ));
            };
            let decoded = STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| OAuthError::invalid_client("malformed Basic credentials"))?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or_else(|| OAuthError::invalid_client("malformed Basic credentials"))?;
            // Both parts are form-urlencoded before base64 (RFC 6749 2.3.1).
            let id = url_decode(id)
                .ok_or_else(|| OAuthError::invalid_client("malformed Basic credentials"))?;
            let secret = url_decode(secret)
                .ok_or_else(|| OAuthError::invalid_client("malformed Basic credentials"))?;
            Some((id, secret))
        }
    };
    match (basic, p.get("client_secret")) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request(
            "use one client authentication method, not several",
        )),
        (Some((id, secret)), None) => {
            if p.get("client_id").is_some_and(|body_id| body_id != id) {
                return Err(OAuthError::invalid_client(
                    "client_id does not match the credentials",
                ));
            }
            Ok(ClientCredentials::Basic { id, secret })
        }
        (None, Some(secret)) => {
            let id = p
                .get("client_id")
                .ok_or_else(|| OAuthError::invalid_client("client_id is required"))?;
            Ok(ClientCredentials::Post {
                id: id.to_string(),
                secret: secret.to_string(),
            })
        }
        (None, None) => {
            let id = p
                .get("client_id")
                .ok_or_else(|| OAuthError::invalid_client("client authentication is required"))?;
            Ok(ClientCredentials::None { id: id.to_string() })
        }
    }
}

/// One form-urlencoded part of Basic credentials, no longer than any other parameter.
fn url_decode(s: &str) -> Option<String> {
    crate::oidc::params::decode_component(s.as_bytes())
        .ok()
        .filter(|v| v.len() <= crate::oidc::params::MAX_PARAM_LEN)
}

/// Authenticates the client of a token, revocation or introspection request.
pub async fn authenticate_client(
    state: &AppState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<Client, OAuthError> {
    let creds = client_credentials(headers, p)?;
    let (id, secret) = match &creds {
        ClientCredentials::Basic { id, secret } | ClientCredentials::Post { id, secret } => {
            (id.as_str(), Some(secret.as_str()))
        }
        ClientCredentials::None { id } => (id.as_str(), None),
    };
    let client = state.store.get_client(id).await?;
    // Hash even for unknown clients so timing does not tell which ids exist.
    let presented = secret.map(|s| crate::clients::secret_hash(&state.secrets, id, s));
    let Some(client) = client else {
        return Err(OAuthError::invalid_client("client authentication failed"));
    };
    match (&client.secret_hash, presented) {
        (Some(stored), Some(given)) if ct_eq(stored, &given) => Ok(client),
        (None, None) if client.public => Ok(client),
        _ => Err(OAuthError::invalid_client("client authentication failed")),
    }
}

/// POST /token
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<ProtocolParams, OAuthError>,
) -> Result<Response, OAuthError> {
    let ProtocolParams(p) = params?;
    let client = authenticate_client(&state, &headers, &p).await?;
    match p.get("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is required")),
        Some(g) if crate::clients::GRANT_TYPES.contains(&g) && !client.allows_grant(g) => Err(
            unauthorized_client("this client is not registered for this grant type"),
        ),
        Some("authorization_code") => authorization_code(&state, &client, &p).await,
        Some("refresh_token") => super::refresh::refresh(&state, &client, &p).await,
        Some("client_credentials") => super::client_credentials::grant(&state, &client, &p).await,
        Some(_) => Err(OAuthError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "this grant type is not supported",
        )),
    }
}

async fn authorization_code(
    state: &AppState,
    client: &Client,
    p: &Params,
) -> Result<Response, OAuthError> {
    let code = p
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let now = state.now();
    let hash = crate::authz::code_hash(state, code);
    let code = match state.store.redeem_auth_code(&hash, now).await? {
        Redeemed::Fresh(c) => c,
        Redeemed::Reused { grant_id } => {
            state
                .audit(
                    "code_reuse_revoked",
                    None,
                    Some(&client.id),
                    serde_json::json!({ "grant": grant_id }),
                )
                .await;
            return Err(OAuthError::invalid_grant(
                "the authorization code was already used; the tokens issued from it are revoked",
            ));
        }
        Redeemed::Unknown => {
            return Err(OAuthError::invalid_grant(
                "the authorization code is not valid",
            ))
        }
    };
    if code.client_id != client.id {
        return Err(OAuthError::invalid_grant(
            "the authorization code was issued to another client",
        ));
    }
    if code.expires_at <= now {
        return Err(OAuthError::invalid_grant(
            "the authorization code has expired",
        ));
    }
    if p.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri must match the one of the authorization request",
        ));
    }
    match (&code.code_challenge, p.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if pkce_matches(verifier, challenge) => {}
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_grant("code_verifier does not match"))
        }
        (Some(_), None) => return Err(OAuthError::invalid_grant("code_verifier is required")),
        // RFC 9700 2.1.1: a verifier without a prior challenge is a downgrade attempt.
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "code_verifier sent but the authorization request had no code_challenge",
            ))
        }
        (None, None) => {}
    }
    // The grant and its user in one query.
    let (grant, user) = state
        .store
        .grant_state(&code.grant_id, None, Some(&code.user_id))
        .await?
        .filter(|s| s.grant.revoked_at.is_none())
        .map(|s| (s.grant, s.user))
        .ok_or_else(|| OAuthError::invalid_grant("the authorization code is no longer valid"))?;
    let user = user
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| OAuthError::invalid_grant("the account is not available"))?;

    let wants_refresh = client.allows_grant("refresh_token")
        && (super::issue::has_scope(&code.scope, "offline_access")
            || client.always_issue_refresh_token);
    let body = super::issue::issue(
        state,
        super::issue::Issue {
            client,
            user: &user,
            grant: &grant,
            scope: &code.scope,
            nonce: code.nonce.clone(),
            refresh_scope: wants_refresh.then_some(code.scope.as_str()),
        },
        now,
    )
    .await?;
    state
        .audit(
            "tokens_issued",
            Some(&user.id),
            Some(&client.id),
            serde_json::json!({
                "grant": grant.id,
                "grant_type": "authorization_code",
                "refresh_token": body.refresh_token.is_some(),
            }),
        )
        .await;
    Ok(no_store(Json(body).into_response()))
}

/// Adds `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 5.1).
pub fn no_store(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(id: &str, secret: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let v = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(&v).unwrap());
        h
    }

    #[test]
    fn basic_credentials_are_url_decoded() {
        let c = client_credentials(&basic("my%20app", "s%3Acret"), &Params::default()).unwrap();
        assert_eq!(
            c,
            ClientCredentials::Basic {
                id: "my app".into(),
                secret: "s:cret".into()
            }
        );
    }

    #[test]
    fn basic_credentials_are_decoded_whole_not_cut_at_a_raw_ampersand() {
        let c = client_credentials(&basic("my&app", "s&v=x+y"), &Params::default()).unwrap();
        assert_eq!(
            c,
            ClientCredentials::Basic {
                id: "my&app".into(),
                secret: "s&v=x y".into()
            }
        );
        let invalid = basic("a%FF", "b");
        assert!(client_credentials(&invalid, &Params::default()).is_err());
    }

    #[test]
    fn two_auth_methods_are_refused() {
        let p = Params::parse(b"client_secret=x").unwrap();
        let e = client_credentials(&basic("a", "b"), &p).unwrap_err();
        assert_eq!(e.error, "invalid_request");
    }

    #[test]
    fn post_and_none_methods_are_read_from_the_body() {
        let p = Params::parse(b"client_id=a&client_secret=b").unwrap();
        assert_eq!(
            client_credentials(&HeaderMap::new(), &p).unwrap(),
            ClientCredentials::Post {
                id: "a".into(),
                secret: "b".into()
            }
        );
        let p = Params::parse(b"client_id=a").unwrap();
        assert_eq!(
            client_credentials(&HeaderMap::new(), &p).unwrap(),
            ClientCredentials::None { id: "a".into() }
        );
        let e = client_credentials(&HeaderMap::new(), &Params::default()).unwrap_err();
        assert_eq!(e.error, "invalid_client");
        assert_eq!(e.status, axum::http::StatusCode::UNAUTHORIZED);
    }
}

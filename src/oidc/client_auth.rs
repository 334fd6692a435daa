//! Client authentication at the token, revocation and introspection endpoints
//! (RFC 6749 section 2.3.1): `client_secret_basic`, `client_secret_post`, or `none` for
//! public clients. [`AuthenticatedClient`] parses the body with the strict protocol rules
//! ([`ProtocolParams`]) and authenticates the client it names; every refusal is the
//! RFC-shaped `invalid_client` (401 with a `Basic` challenge) or `invalid_request`.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::params::{decode_component, Params, ProtocolParams, MAX_PARAM_LEN};
use crate::crypto::{ct_eq, ServerSecrets};
use crate::error::OAuthError;
use crate::store::clients::Client;
use crate::store::Store;

/// An authenticated client and the parameters of its request.
#[derive(Debug)]
pub struct AuthenticatedClient {
    pub client: Client,
    pub params: Params,
}

impl<S> FromRequest<S> for AuthenticatedClient
where
    S: Send + Sync,
    Store: FromRef<S>,
    Arc<ServerSecrets>: FromRef<S>,
{
    type Rejection = OAuthError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let ProtocolParams(params) = ProtocolParams::from_request(req, state).await?;
        let client = authenticate(
            &Store::from_ref(state),
            &Arc::<ServerSecrets>::from_ref(state),
            &headers,
            &params,
        )
        .await?;
        Ok(AuthenticatedClient { client, params })
    }
}

/// Authenticates the client of a token, revocation or introspection request.
pub async fn authenticate(
    store: &Store,
    secrets: &ServerSecrets,
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
    let client = store.get_client(id).await?;
    // Hash even for unknown clients so timing does not tell which ids exist.
    let presented = secret.map(|s| crate::clients::secret_hash(secrets, id, s));
    let Some(client) = client else {
        return Err(OAuthError::invalid_client("client authentication failed"));
    };
    match (&client.secret_hash, presented) {
        (Some(stored), Some(given)) if ct_eq(stored, &given) => Ok(client),
        (None, None) if client.public => Ok(client),
        _ => Err(OAuthError::invalid_client("client authentication failed")),
    }
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

/// One form-urlencoded part of Basic credentials (`+` is a space, then percent-decoding
/// with `percent-encoding`; invalid UTF-8 refused), no longer than any other parameter.
fn url_decode(s: &str) -> Option<String> {
    decode_component(s.as_bytes())
        .ok()
        .filter(|v| v.len() <= MAX_PARAM_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use axum::http::HeaderValue;

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
        assert_eq!(e.error, ErrorCode::InvalidRequest);
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
        assert_eq!(e.error, ErrorCode::InvalidClient);
        assert_eq!(e.status, axum::http::StatusCode::UNAUTHORIZED);
    }

    /// The two parts the extractor asks of its state.
    #[derive(Clone)]
    struct Parts {
        store: Store,
        secrets: Arc<ServerSecrets>,
    }

    impl FromRef<Parts> for Store {
        fn from_ref(p: &Parts) -> Store {
            p.store.clone()
        }
    }

    impl FromRef<Parts> for Arc<ServerSecrets> {
        fn from_ref(p: &Parts) -> Arc<ServerSecrets> {
            p.secrets.clone()
        }
    }

    fn token_request(auth: Option<HeaderMap>, content_type: &str, body: &str) -> Request {
        let mut req = Request::post("/token")
            .header(header::CONTENT_TYPE, content_type)
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        if let Some(h) = auth {
            req.headers_mut().extend(h);
        }
        req
    }

    #[tokio::test]
    async fn the_extractor_authenticates_the_client_and_refuses_like_the_rfc() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::config::DatabaseConfig {
            url: format!("sqlite://{}/sesame.db", dir.path().display()),
            ..crate::config::DatabaseConfig::default()
        };
        let store = Store::connect(&db).await.unwrap();
        store.migrate().await.unwrap();
        let secrets = ServerSecrets::from_secret(&secrecy::SecretString::from("k".repeat(48)));
        let spec = crate::clients::NewClient {
            name: "app".into(),
            redirect_uris: vec!["https://rp.example/cb".into()],
            ..crate::clients::NewClient::default()
        };
        let reg = crate::clients::register(&store, &secrets, 0, spec)
            .await
            .unwrap();
        let secret = reg.client_secret.unwrap();
        let parts = Parts {
            store,
            secrets: Arc::new(secrets),
        };
        let form = "application/x-www-form-urlencoded";

        let req = token_request(
            Some(basic(&reg.client_id, &secret)),
            form,
            "grant_type=client_credentials",
        );
        let ok = AuthenticatedClient::from_request(req, &parts)
            .await
            .unwrap();
        assert_eq!(ok.client.id, reg.client_id);
        assert_eq!(ok.params.get("grant_type"), Some("client_credentials"));

        let req = token_request(Some(basic(&reg.client_id, "wrong")), form, "");
        let e = AuthenticatedClient::from_request(req, &parts)
            .await
            .unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::UNAUTHORIZED);
        assert_eq!(e.error, ErrorCode::InvalidClient);
        assert_eq!(
            e.description.as_deref(),
            Some("client authentication failed")
        );
        assert_eq!(
            e.www_authenticate.as_deref(),
            Some("Basic realm=\"sesame\", charset=\"UTF-8\"")
        );

        let body = format!("client_id={}", reg.client_id);
        let req = token_request(None, "application/json", &body);
        let e = AuthenticatedClient::from_request(req, &parts)
            .await
            .unwrap_err();
        assert_eq!(e.error, ErrorCode::InvalidRequest);
        let req = token_request(None, form, "client_id=a&client_id=a");
        let e = AuthenticatedClient::from_request(req, &parts)
            .await
            .unwrap_err();
        assert_eq!(e.error, ErrorCode::InvalidRequest);
    }
}

//! Registering relying parties: validation shared by the CLI (and later the admin API).

use serde::Serialize;
use url::Url;

use crate::crypto::{random_token, CryptoError, ServerSecrets};
use crate::store::clients::Client;
use crate::store::{Store, StoreError};

/// What an admin asks for.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub public: bool,
    pub pkce_required: bool,
    pub first_party: bool,
    pub id_token_alg: String,
}

/// A registered client and, for a confidential one, its secret (shown once).
#[derive(Debug, Serialize)]
pub struct Registered {
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// The keyed hash a client secret is stored under.
pub fn secret_hash(secrets: &ServerSecrets, client_id: &str, secret: &str) -> Vec<u8> {
    secrets.keyed_hash("client_secret", &[client_id.as_bytes(), secret.as_bytes()])
}

fn is_loopback(host: Option<url::Host<&str>>) -> bool {
    match host {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks one redirect URI (RFC 6749 3.1.2, RFC 8252, RFC 9700 2.1): absolute, no fragment;
/// `https`, or `http` only on a loopback host; a private-use scheme (`com.example.app:/cb`)
/// only for public (native) clients.
pub fn validate_redirect_uri(uri: &str, public: bool) -> Result<(), String> {
    let u = Url::parse(uri).map_err(|_| format!("`{uri}` is not an absolute URI"))?;
    if u.fragment().is_some() {
        return Err(format!("`{uri}` must not contain a fragment"));
    }
    match u.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(u.host()) => Ok(()),
        "http" => Err(format!("`{uri}`: http is only allowed for loopback hosts; use https")),
        s if public && s.contains('.') => Ok(()),
        s => Err(format!(
            "`{uri}`: scheme `{s}` is not allowed (https, http on loopback, or a reverse-domain scheme for native apps)"
        )),
    }
}

/// Validates and stores a new client. Public clients always require PKCE.
pub async fn register(
    store: &Store,
    secrets: &ServerSecrets,
    now: i64,
    spec: NewClient,
) -> Result<Registered, ClientError> {
    let name = spec.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ClientError::Invalid(
            "the name must be 1 to 100 printable characters".into(),
        ));
    }
    if spec.redirect_uris.is_empty() {
        return Err(ClientError::Invalid(
            "at least one redirect URI is required".into(),
        ));
    }
    for uri in &spec.redirect_uris {
        validate_redirect_uri(uri, spec.public).map_err(ClientError::Invalid)?;
    }
    if !matches!(spec.id_token_alg.as_str(), "RS256" | "ES256") {
        return Err(ClientError::Invalid(
            "id_token_alg must be RS256 or ES256".into(),
        ));
    }
    let id = random_token(18)?;
    let secret = if spec.public {
        None
    } else {
        Some(random_token(32)?)
    };
    let client = Client {
        id: id.clone(),
        name,
        secret_hash: secret.as_deref().map(|s| secret_hash(secrets, &id, s)),
        redirect_uris: spec.redirect_uris,
        public: spec.public,
        pkce_required: spec.public || spec.pkce_required,
        first_party: spec.first_party,
        id_token_alg: spec.id_token_alg,
        created_at: now,
        updated_at: now,
    };
    store.insert_client(&client).await?;
    store
        .audit(
            now,
            crate::store::audit::NewAuditEvent {
                kind: "client_created",
                client_id: Some(&client.id),
                detail: serde_json::json!({
                    "name": client.name,
                    "public": client.public,
                    "pkce_required": client.pkce_required,
                    "first_party": client.first_party,
                    "redirect_uris": client.redirect_uris,
                }),
                ..Default::default()
            },
        )
        .await?;
    Ok(Registered {
        client_id: id,
        client_secret: secret,
    })
}

/// Deletes a client and everything issued to it, and records it in the audit trail.
pub async fn remove(store: &Store, now: i64, client_id: &str) -> Result<bool, ClientError> {
    if !store.delete_client(client_id).await? {
        return Ok(false);
    }
    store
        .audit(
            now,
            crate::store::audit::NewAuditEvent {
                kind: "client_removed",
                client_id: Some(client_id),
                ..Default::default()
            },
        )
        .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uri_rules() {
        assert!(validate_redirect_uri("https://app.example/cb", false).is_ok());
        assert!(validate_redirect_uri("http://localhost:3000/cb", false).is_ok());
        assert!(validate_redirect_uri("http://127.0.0.1:3000/cb", false).is_ok());
        assert!(validate_redirect_uri("http://[::1]:3000/cb", false).is_ok());
        assert!(validate_redirect_uri("http://app.example/cb", false).is_err());
        assert!(validate_redirect_uri("https://app.example/cb#frag", false).is_err());
        assert!(validate_redirect_uri("/relative", false).is_err());
        assert!(validate_redirect_uri("com.example.app:/cb", true).is_ok());
        assert!(validate_redirect_uri("com.example.app:/cb", false).is_err());
        assert!(validate_redirect_uri("javascript:alert(1)", true).is_err());
    }
}

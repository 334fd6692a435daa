//! Registering relying parties: validation shared by the CLI and the admin API.

use crate::audit::AuditEvent;
use crate::jose::SigningAlg;
use crate::scope::ScopeSet;
use serde::Serialize;
use url::Url;

use crate::crypto::{random_token, CryptoError, ServerSecrets};
use crate::store::clients::{Client, ClientMeta};
use crate::store::{Store, StoreError};

/// What an admin asks for. `..NewClient::default()` fills the protocol settings most
/// clients leave alone.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub public: bool,
    pub pkce_required: bool,
    pub first_party: bool,
    pub id_token_alg: SigningAlg,
    /// Exact URIs RP-initiated logout may return to.
    pub post_logout_redirect_uris: Vec<String>,
    /// Empty means the default: `authorization_code` and `refresh_token`.
    pub grant_types: Vec<String>,
    /// Refresh tokens on every code exchange, even without `offline_access`.
    pub always_issue_refresh_token: bool,
    /// Extra (API) scopes, space-separated; what `client_credentials` may ask for.
    pub scope: String,
    /// Registered through dynamic client registration.
    pub dynamic: bool,
}

impl Default for NewClient {
    fn default() -> Self {
        NewClient {
            name: String::new(),
            redirect_uris: vec![],
            public: false,
            pkce_required: true,
            first_party: true,
            id_token_alg: SigningAlg::Rs256,
            post_logout_redirect_uris: vec![],
            grant_types: vec![],
            always_issue_refresh_token: false,
            scope: String::new(),
            dynamic: false,
        }
    }
}

/// The admin console's own client: what its sign-in pages name. It has no redirect URI
/// and no grant type, and admins cannot change it (the console registers it again when it
/// is deleted).
pub const CONSOLE_CLIENT_ID: &str = "sesame-console";

/// Grant types a client may be registered for.
pub const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "refresh_token",
    "client_credentials",
    DEVICE_CODE_GRANT,
];

/// The device authorization grant's type (RFC 8628 section 3.4).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

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
    #[error("{0}")]
    InvalidRedirectUri(String),
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

/// Checks a back-channel logout URI (OpenID Connect Back-Channel Logout 1.0, 2.2): an
/// absolute URL with no fragment and no credentials; `https`, or `http` only on a loopback
/// host, as for redirect URIs. Returns it normalised.
pub fn validate_backchannel_logout_uri(uri: &str) -> Result<String, String> {
    let uri = uri.trim();
    if uri.len() > 2000 {
        return Err("the back-channel logout URI is longer than 2000 characters".into());
    }
    let u = Url::parse(uri).map_err(|_| format!("`{uri}` is not an absolute URL"))?;
    if u.fragment().is_some() {
        return Err(format!("`{uri}` must not contain a fragment"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(format!("`{uri}` must not contain credentials"));
    }
    match u.scheme() {
        "https" if u.host().is_some() => Ok(u.to_string()),
        "http" if is_loopback(u.host()) => Ok(u.to_string()),
        _ => Err(format!(
            "`{uri}`: the back-channel logout URI must be https (http only on loopback hosts)"
        )),
    }
}

/// Whether a back-channel logout URI names this machine or a private network by its
/// address: `localhost`, or an IP literal that is loopback, private (RFC 1918, unique
/// local), link-local (which holds cloud metadata services), unspecified, broadcast or
/// multicast. Sesame POSTs to the URI itself, so a client registered by a stranger must
/// not aim it inside the deployment's network (server-side request forgery). A name that
/// resolves to such an address is not caught here; restrict egress where that matters.
pub fn names_an_internal_host(uri: &str) -> bool {
    let Ok(u) = Url::parse(uri) else {
        return false;
    };
    match u.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => {
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.is_multicast()
                || ip.octets()[0] == 0
                || (ip.octets()[0] == 100 && (ip.octets()[1] & 0xc0) == 64)
        }
        Some(url::Host::Ipv6(ip)) => {
            let first = ip.segments()[0];
            ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| names_an_internal_host(&format!("http://{v4}/")))
        }
        None => false,
    }
}

/// Whether `s` is a valid RFC 6749 scope token (`%x21 / %x23-5B / %x5D-7E`).
pub use crate::scope::is_scope_token;

/// Checks a client's settings and returns the normalised grant types.
pub fn validate(spec: &NewClient) -> Result<Vec<String>, ClientError> {
    let name = spec.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ClientError::Invalid(
            "the name must be 1 to 100 printable characters".into(),
        ));
    }
    let mut grant_types: Vec<String> = Vec::new();
    for g in &spec.grant_types {
        if !GRANT_TYPES.contains(&g.as_str()) {
            return Err(ClientError::Invalid(format!(
                "unsupported grant type `{g}` (authorization_code, refresh_token, client_credentials, {DEVICE_CODE_GRANT})"
            )));
        }
        if !grant_types.contains(g) {
            grant_types.push(g.clone());
        }
    }
    if grant_types.is_empty() {
        grant_types = crate::store::clients::default_grant_types();
    }
    let has = |g: &str| grant_types.iter().any(|x| x == g);
    if has("refresh_token") && !has("authorization_code") && !has(DEVICE_CODE_GRANT) {
        return Err(ClientError::Invalid(
            "refresh_token needs the authorization_code or the device_code grant type".into(),
        ));
    }
    if has("client_credentials") && spec.public {
        return Err(ClientError::Invalid(
            "client_credentials needs a confidential client (one with a secret)".into(),
        ));
    }
    if has("authorization_code") && spec.redirect_uris.is_empty() {
        return Err(ClientError::InvalidRedirectUri(
            "at least one redirect URI is required".into(),
        ));
    }
    if !has("authorization_code") && !spec.redirect_uris.is_empty() {
        return Err(ClientError::Invalid(
            "redirect URIs need the authorization_code grant type".into(),
        ));
    }
    for uri in &spec.redirect_uris {
        validate_redirect_uri(uri, spec.public).map_err(ClientError::InvalidRedirectUri)?;
    }
    for uri in &spec.post_logout_redirect_uris {
        validate_redirect_uri(uri, spec.public)
            .map_err(|e| ClientError::Invalid(format!("post-logout redirect URI {e}")))?;
    }
    if spec.always_issue_refresh_token && !has("refresh_token") {
        return Err(ClientError::Invalid(
            "always issuing refresh tokens needs the refresh_token grant type".into(),
        ));
    }
    if let Err(bad) = ScopeSet::parse_strict(&spec.scope) {
        return Err(ClientError::Invalid(format!(
            "`{bad}` is not a valid scope"
        )));
    }
    Ok(grant_types)
}

/// Validates and stores a new client. Public clients always require PKCE.
pub async fn register(
    store: &Store,
    secrets: &ServerSecrets,
    now: i64,
    spec: NewClient,
) -> Result<Registered, ClientError> {
    register_with_meta(store, secrets, now, spec, ClientMeta::default()).await
}

/// [`register`] with metadata already validated by the caller (the admin operations).
pub async fn register_with_meta(
    store: &Store,
    secrets: &ServerSecrets,
    now: i64,
    spec: NewClient,
    meta: ClientMeta,
) -> Result<Registered, ClientError> {
    let grant_types = validate(&spec)?;
    let id = random_token(18)?;
    let secret = if spec.public {
        None
    } else {
        Some(random_token(32)?)
    };
    let scope = ScopeSet::parse(&spec.scope);
    let client = Client {
        id: id.clone(),
        name: spec.name.trim().to_string(),
        secret_hash: secret.as_deref().map(|s| secret_hash(secrets, &id, s)),
        redirect_uris: spec.redirect_uris,
        public: spec.public,
        pkce_required: spec.public || spec.pkce_required,
        first_party: spec.first_party,
        id_token_alg: spec.id_token_alg,
        created_at: now,
        updated_at: now,
        post_logout_redirect_uris: spec.post_logout_redirect_uris,
        grant_types,
        always_issue_refresh_token: spec.always_issue_refresh_token,
        scope: scope.to_string(),
        dynamic: spec.dynamic,
        meta,
    };
    store.insert_client(&client).await?;
    store
        .audit(
            now,
            AuditEvent::ClientCreated {
                name: &client.name,
                public: client.public,
                pkce_required: client.pkce_required,
                first_party: client.first_party,
                redirect_uris: &client.redirect_uris,
            }
            .row(None, Some(&client.id), None),
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
            AuditEvent::ClientRemoved {}.row(None, Some(client_id), None),
        )
        .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backchannel_logout_uri_rules() {
        let ok = validate_backchannel_logout_uri;
        assert_eq!(
            ok("https://rp.example/bcl?x=1").as_deref(),
            Ok("https://rp.example/bcl?x=1")
        );
        assert!(ok("http://127.0.0.1:8080/bcl").is_ok());
        assert!(ok("http://localhost/bcl").is_ok());
        assert!(ok("http://rp.example/bcl").is_err());
        assert!(ok("https://rp.example/bcl#f").is_err());
        assert!(ok("https://u:p@rp.example/bcl").is_err());
        assert!(ok("com.example.app:/bcl").is_err());
        assert!(ok("/bcl").is_err());
    }

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

    fn spec() -> NewClient {
        NewClient {
            name: "App".into(),
            redirect_uris: vec!["https://app.example/cb".into()],
            ..NewClient::default()
        }
    }

    #[test]
    fn grant_types_default_and_must_be_consistent() {
        assert_eq!(
            validate(&spec()).unwrap(),
            ["authorization_code", "refresh_token"]
        );
        let machine = NewClient {
            redirect_uris: vec![],
            grant_types: vec!["client_credentials".into()],
            scope: "reports:read reports:read".into(),
            ..spec()
        };
        assert_eq!(validate(&machine).unwrap(), ["client_credentials"]);
        let public_machine = NewClient {
            public: true,
            ..machine.clone()
        };
        assert!(validate(&public_machine).is_err());
        let device = NewClient {
            public: true,
            redirect_uris: vec![],
            grant_types: vec![DEVICE_CODE_GRANT.into(), "refresh_token".into()],
            ..spec()
        };
        assert_eq!(
            validate(&device).unwrap(),
            [DEVICE_CODE_GRANT, "refresh_token"]
        );
        let refresh_only = NewClient {
            grant_types: vec!["refresh_token".into()],
            ..spec()
        };
        assert!(validate(&refresh_only).is_err());
        let unknown = NewClient {
            grant_types: vec!["password".into()],
            ..spec()
        };
        assert!(validate(&unknown).is_err());
        let no_uri = NewClient {
            redirect_uris: vec![],
            ..spec()
        };
        assert!(matches!(
            validate(&no_uri),
            Err(ClientError::InvalidRedirectUri(_))
        ));
    }

    #[test]
    fn logout_uris_and_scopes_are_checked() {
        let bad_logout = NewClient {
            post_logout_redirect_uris: vec!["http://app.example/bye".into()],
            ..spec()
        };
        assert!(validate(&bad_logout).is_err());
        let bad_scope = NewClient {
            scope: "ok bad\"quote".into(),
            ..spec()
        };
        assert!(validate(&bad_scope).is_err());
    }
}

//! Tokens: signing keys, JWT minting and checking.
//!
//! ID tokens follow OIDC Core section 2; access tokens are JWTs per RFC 9068 (`typ: at+jwt`)
//! carrying the id of the grant they were issued from (`gid`), so revoking the grant (code
//! reuse, logout, revocation) stops them at userinfo and introspection even before they
//! expire.

pub mod keys;
pub mod rotation;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::jose::SigningAlg;
use josekit::jws::JwsHeader;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use keys::{KeyError, KeyRing, KeySet};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub azp: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub amr: Vec<String>,
    /// The authentication context class of the sign-in (`oidc::acr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub client_id: String,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The grant (token family) this token was issued from; empty for client-credentials
    /// tokens, which have no person behind them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub gid: String,
}

/// The event a logout token announces (OpenID Connect Back-Channel Logout 1.0, 2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// The `typ` of a logout token's header.
pub const LOGOUT_TOKEN_TYPE: &str = "logout+jwt";

/// A logout token's claims: never a `nonce`; `sub` and/or `sid`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogoutTokenClaims {
    pub iss: String,
    /// The client told.
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `{"http://schemas.openid.net/event/backchannel-logout": {}}`.
    pub events: serde_json::Value,
}

impl LogoutTokenClaims {
    /// The `events` member every logout token carries.
    pub fn logout_events() -> serde_json::Value {
        serde_json::json!({ BACKCHANNEL_LOGOUT_EVENT: {} })
    }
}

/// Why a presented token was refused. Never shown in detail to the caller.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("unknown signing key")]
    UnknownKey,
    #[error("bad signature")]
    BadSignature,
    #[error("wrong token type")]
    WrongType,
    #[error("wrong issuer or audience")]
    WrongIssuer,
    #[error("expired")]
    Expired,
    #[error(transparent)]
    Keys(#[from] KeyError),
}

/// Signs `claims` with the active key for `alg`.
pub fn sign(
    keys: &KeySet,
    alg: SigningAlg,
    typ: &str,
    claims: &impl Serialize,
    now: i64,
) -> Result<String, KeyError> {
    let key = keys
        .signer(alg, now)
        .ok_or_else(|| KeyError::NoActiveKey(alg.to_string()))?;
    let mut header = JwsHeader::new();
    header.set_token_type(typ);
    let payload = serde_json::to_vec(claims).map_err(|e| KeyError::Jose(e.to_string()))?;
    josekit::jws::serialize_compact(&payload, &header, key.signer.as_ref())
        .map_err(|e| KeyError::Jose(e.to_string()))
}

/// `at_hash`: the left half of SHA-256 of the access token, base64url (OIDC Core 3.1.3.6),
/// for RS256 and ES256 alike.
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// Reads the `kid` of a compact JWS without trusting anything in it.
fn header_kid(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let bytes = URL_SAFE_NO_PAD.decode(header).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("kid")?.as_str().map(str::to_string)
}

/// Verifies a compact JWS signed by one of our published keys and returns its payload and
/// header. An unknown `kid` (another replica rotated) reloads the keys, at most once per
/// [`keys::UNKNOWN_KID_RELOAD_SECONDS`].
pub async fn verify(ring: &KeyRing, token: &str) -> Result<(Vec<u8>, JwsHeader), TokenError> {
    if token.len() > 16 * 1024 || token.split('.').count() != 3 {
        return Err(TokenError::Malformed);
    }
    let kid = header_kid(token).ok_or(TokenError::Malformed)?;
    let mut set = ring.keys().await?;
    if set.by_kid(&kid).is_none() {
        set = ring.reload_for_unknown_kid().await?;
    }
    let key = set.by_kid(&kid).ok_or(TokenError::UnknownKey)?;
    josekit::jws::deserialize_compact(token, key.verifier.as_ref())
        .map_err(|_| TokenError::BadSignature)
}

/// Verifies an access token: signature, `typ`, issuer, audience and expiry. The caller
/// still checks that its grant is live.
pub async fn verify_access_token(
    ring: &KeyRing,
    token: &str,
    issuer: &str,
    now: i64,
) -> Result<AccessTokenClaims, TokenError> {
    let (payload, header) = verify(ring, token).await?;
    if header.token_type() != Some("at+jwt") {
        return Err(TokenError::WrongType);
    }
    let claims: AccessTokenClaims =
        serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    if claims.iss != issuer || claims.aud != issuer {
        return Err(TokenError::WrongIssuer);
    }
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_matches_oidc_core_example() {
        // OIDC Core A.3: access token "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y" has
        // at_hash "77QmUPtjPfzWtF2AnpK9RQ".
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn header_kid_is_read_without_verification() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k1"}"#);
        assert_eq!(header_kid(&format!("{header}.e30.sig")), Some("k1".into()));
        assert_eq!(header_kid("garbage"), None);
    }
}

//! A sign-in that nobody has acted on yet: nothing is stored for it.
//!
//! The authorization endpoint validates the request and, instead of writing a login
//! transaction and a browser session, seals it ([`ServerSecrets::seal`]: AES-256-GCM under a
//! key of its own, bound to a purpose) together with the id its transaction will have and
//! its expiry, and sends the browser to `/login?tx=<sealed>`. The sign-in page is shown
//! from that value alone. Only when the person submits an address is the transaction row
//! written (with the id from the sealed value, once) and bound to the browser session, and
//! from there the sign-in is stored as before.
//!
//! The address form is protected against cross-site posts without a stored session by a
//! signed double-submit token: a random value in an `HttpOnly`, `SameSite=Lax` cookie
//! (`__Host-` prefixed over https), and in the form `HMAC(pepper, purpose, cookie, tx)`.
//! A browser that already has a session uses that session's token instead.

use axum::http::{header, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::{Cookie, SameSite};

use crate::authz::AuthRequest;
use crate::crypto::{ct_eq, random_token, ServerSecrets};
use crate::error::PageError;

/// The purpose the sealed value is bound to (another sealed value cannot stand in for it).
const PURPOSE: &str = "sesame/v1/pending-sign-in";
/// A sealed sign-in starts with this; transaction ids (base64url) never contain a `.`.
const PREFIX: &str = "p1.";
/// The keyed-hash purpose of the address form's token.
const CSRF_PURPOSE: &str = "pending-csrf";
/// The keyed-hash purpose of the proof of who started a transaction.
const STARTER_PURPOSE: &str = "pending-starter";

/// What a sealed sign-in holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pending {
    /// The id its login transaction will have (256 random bits).
    pub tx: String,
    pub req: AuthRequest,
    /// When the authorization request was made, and when the sign-in expires.
    pub iat: i64,
    pub exp: i64,
}

/// Why a sealed sign-in cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PendingError {
    #[error("the sign-in link was altered or not made by this server")]
    Invalid,
    #[error("the sign-in has expired")]
    Expired,
}

impl From<PendingError> for PageError {
    fn from(e: PendingError) -> PageError {
        match e {
            PendingError::Expired => PageError::session_expired(),
            PendingError::Invalid => {
                PageError::keyed(axum::http::StatusCode::BAD_REQUEST, "error-link-altered")
            }
        }
    }
}

/// Whether a `tx` value is a sealed sign-in (else it names a stored transaction).
pub fn is_sealed(tx: &str) -> bool {
    tx.starts_with(PREFIX)
}

/// Seals a sign-in into a URL-safe value.
pub fn seal(secrets: &ServerSecrets, p: &Pending) -> Result<String, PageError> {
    let json = serde_json::to_vec(p).map_err(|_| PageError::internal())?;
    Ok(format!("{PREFIX}{}", secrets.seal(PURPOSE, &json)?))
}

/// Opens a sealed sign-in that has not expired.
pub fn open(secrets: &ServerSecrets, sealed: &str, now: i64) -> Result<Pending, PendingError> {
    let body = sealed.strip_prefix(PREFIX).ok_or(PendingError::Invalid)?;
    let json = secrets
        .unseal(PURPOSE, body)
        .map_err(|_| PendingError::Invalid)?;
    let p: Pending = serde_json::from_slice(&json).map_err(|_| PendingError::Invalid)?;
    if p.exp <= now {
        return Err(PendingError::Expired);
    }
    Ok(p)
}

/// The name of the cookie that carries the browser's half of the address form's token.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-sesame-csrf"
    } else {
        "sesame_csrf"
    }
}

/// The browser's cookie value, when it sent a well-formed one.
pub fn browser_key(headers: &HeaderMap, https: bool) -> Option<String> {
    let name = cookie_name(https);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
        .filter(|v| {
            v.len() == 43
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A new browser key and the `Set-Cookie` header that gives it to the browser (for the
/// browser session only; `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` over https).
pub fn new_browser_key(https: bool) -> Result<(String, HeaderValue), PageError> {
    let key = random_token(32)?;
    let cookie = Cookie::build((cookie_name(https), key.clone()))
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .path("/")
        .build();
    let value = HeaderValue::from_str(&cookie.to_string()).map_err(|_| PageError::internal())?;
    Ok((key, value))
}

/// The address form's token for transaction `tx` in the browser holding `browser_key`.
pub fn form_token(secrets: &ServerSecrets, browser_key: &str, tx: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(secrets.keyed_hash(CSRF_PURPOSE, &[browser_key.as_bytes(), tx.as_bytes()]))
}

/// Whether `presented` is this browser's token for `tx` (constant time).
pub fn form_token_matches(
    secrets: &ServerSecrets,
    browser_key: Option<&str>,
    tx: &str,
    presented: &str,
) -> bool {
    browser_key.is_some_and(|k| ct_eq(form_token(secrets, k, tx).as_bytes(), presented.as_bytes()))
}

/// Who started a transaction, as stored with it: a keyed hash of the form token the
/// starting request presented (a token only that browser was shown). A second submission
/// of the same sealed value joins the transaction only with the same token.
pub fn starter(secrets: &ServerSecrets, csrf: &str, tx: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(secrets.keyed_hash(STARTER_PURPOSE, &[csrf.as_bytes(), tx.as_bytes()]))
}

/// The request as stored in a transaction started from a sealed sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartedRequest {
    #[serde(flatten)]
    pub req: AuthRequest,
    /// [`starter`] of the request that started it.
    #[serde(default)]
    pub starter: String,
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    fn secrets(c: char) -> ServerSecrets {
        ServerSecrets::from_secret(&SecretString::from(c.to_string().repeat(40)))
    }

    fn pending(exp: i64) -> Pending {
        Pending {
            tx: "tx-1".into(),
            req: AuthRequest {
                state: Some("s".into()),
                ..AuthRequest::plain("c", "https://app.example/cb")
            },
            iat: 0,
            exp,
        }
    }

    #[test]
    fn a_sealed_sign_in_opens_until_it_expires_and_only_here() {
        let s = secrets('a');
        let v = seal(&s, &pending(100)).unwrap();
        assert!(is_sealed(&v));
        assert_eq!(open(&s, &v, 99).unwrap(), pending(100));
        assert_eq!(open(&s, &v, 100), Err(PendingError::Expired));
        assert_eq!(open(&secrets('b'), &v, 0), Err(PendingError::Invalid));
        let mut bad = v.clone().into_bytes();
        let i = bad.len() - 5;
        bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            open(&s, &String::from_utf8(bad).unwrap(), 0),
            Err(PendingError::Invalid)
        );
        assert_eq!(open(&s, "p1.", 0), Err(PendingError::Invalid));
        assert_eq!(open(&s, &v[3..], 0), Err(PendingError::Invalid));
    }

    #[test]
    fn the_form_token_is_bound_to_the_browser_and_the_sign_in() {
        let s = secrets('a');
        let t = form_token(&s, "browser-1", "tx-1");
        assert!(form_token_matches(&s, Some("browser-1"), "tx-1", &t));
        assert!(!form_token_matches(&s, Some("browser-2"), "tx-1", &t));
        assert!(!form_token_matches(&s, Some("browser-1"), "tx-2", &t));
        assert!(!form_token_matches(&s, None, "tx-1", &t));
        assert!(!form_token_matches(
            &secrets('b'),
            Some("browser-1"),
            "tx-1",
            &t
        ));
    }

    #[test]
    fn only_a_well_formed_cookie_is_read() {
        let mut h = HeaderMap::new();
        let key = "a".repeat(43);
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; sesame_csrf={key}")).unwrap(),
        );
        assert_eq!(browser_key(&h, false).as_deref(), Some(key.as_str()));
        assert_eq!(browser_key(&h, true), None);
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("sesame_csrf=short"),
        );
        assert_eq!(browser_key(&h, false), None);
        let (k, c) = new_browser_key(true).unwrap();
        let c = c.to_str().unwrap();
        assert!(c.starts_with(&format!("__Host-sesame-csrf={k}")), "{c}");
        for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(c.contains(attr), "{c}");
        }
    }
}

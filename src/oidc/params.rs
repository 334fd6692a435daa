//! Request parameters of protocol endpoints.
//!
//! RFC 6749 section 3.1: parameters sent without a value are treated as omitted, and no
//! parameter may be included more than once. Repeated parameters are refused outright
//! (GitLab CVE-2023-7028 came from accepting an array where one value was meant).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, Method};

pub use crate::config::MAX_PARAM_LEN;
use crate::error::OAuthError;

/// Most parameters accepted in one request.
pub const MAX_PARAMS: usize = 64;

/// Why a parameter string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("parameter `{0}` is included more than once")]
    Repeated(String),
    #[error("parameter `{0}` is too long")]
    TooLong(String),
    #[error("too many parameters")]
    TooMany,
    #[error("parameters must be valid UTF-8")]
    InvalidUtf8,
}

/// Decoded, de-duplicated parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text.
    pub fn parse(input: &[u8]) -> Result<Params, ParamError> {
        let mut map = BTreeMap::new();
        let mut seen = std::collections::BTreeSet::new();
        for (count, (k, v)) in form_urlencoded_pairs(input)?.into_iter().enumerate() {
            if count >= MAX_PARAMS {
                return Err(ParamError::TooMany);
            }
            if v.len() > MAX_PARAM_LEN || k.len() > 128 {
                return Err(ParamError::TooLong(truncate(&k)));
            }
            if !seen.insert(k.clone()) {
                return Err(ParamError::Repeated(truncate(&k)));
            }
            // An empty value is treated as omitted (RFC 6749 3.1).
            if !v.is_empty() {
                map.insert(k, v);
            }
        }
        Ok(Params(map))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Decodes pairs, refusing invalid UTF-8 instead of replacing it.
fn form_urlencoded_pairs(input: &[u8]) -> Result<Vec<(String, String)>, ParamError> {
    let mut out = Vec::new();
    for piece in input.split(|b| *b == b'&') {
        if piece.is_empty() {
            continue;
        }
        let (k, v) = match piece.iter().position(|b| *b == b'=') {
            Some(i) => (&piece[..i], &piece[i + 1..]),
            None => (piece, &b""[..]),
        };
        out.push((decode_component(k)?, decode_component(v)?));
    }
    Ok(out)
}

/// Decodes one form-urlencoded name or value: `+` is a space, then percent-decoding (a `%`
/// not followed by two hex digits stays as it is). Invalid UTF-8 is refused, not replaced
/// (which is why this is not `form_urlencoded::parse`, whose decoding is lossy).
pub(crate) fn decode_component(raw: &[u8]) -> Result<String, ParamError> {
    let plus: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&plus)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| ParamError::InvalidUtf8)
}

/// Extracts [`Params`] from the query (GET) or the form body (POST), with protocol-shaped
/// errors. A POST must be `application/x-www-form-urlencoded`.
pub struct ProtocolParams(pub Params);

impl<S: Send + Sync> FromRequest<S> for ProtocolParams {
    type Rejection = OAuthError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let raw: Vec<u8> = if req.method() == Method::POST {
            let is_form = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| {
                    v.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
                })
                .unwrap_or(false);
            if !is_form {
                return Err(OAuthError::invalid_request(
                    "the body must be application/x-www-form-urlencoded",
                ));
            }
            Bytes::from_request(req, state)
                .await
                .map_err(|_| {
                    OAuthError::invalid_request("the request body is too large or unreadable")
                })?
                .to_vec()
        } else {
            req.uri().query().unwrap_or("").as_bytes().to_vec()
        };
        Params::parse(&raw)
            .map(ProtocolParams)
            .map_err(|e| OAuthError::invalid_request(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_decodes() {
        let p = Params::parse(b"a=1&b=hello+world&c=%C3%A9&d=").unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), Some("hello world"));
        assert_eq!(p.get("c"), Some("é"));
        assert_eq!(p.get("d"), None, "empty values are treated as omitted");
    }

    #[test]
    fn repeated_parameter_is_refused() {
        assert_eq!(
            Params::parse(b"scope=openid&scope=email"),
            Err(ParamError::Repeated("scope".into()))
        );
        assert!(Params::parse(b"x=&x=").is_err());
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert_eq!(Params::parse(b"a=%FF%FE"), Err(ParamError::InvalidUtf8));
    }

    #[test]
    fn over_long_value_is_refused() {
        let long = format!("state={}", "a".repeat(MAX_PARAM_LEN + 1));
        assert!(matches!(
            Params::parse(long.as_bytes()),
            Err(ParamError::TooLong(_))
        ));
    }

    #[test]
    fn stray_percent_is_kept_literally() {
        let p = Params::parse(b"a=100%&b=%4").unwrap();
        assert_eq!(p.get("a"), Some("100%"));
        assert_eq!(p.get("b"), Some("%4"));
    }
}

//! The issuer identifier (OIDC Discovery 1.0 section 3): an http(s) URL with no query, no
//! fragment and no trailing slash, checked when the configuration is read so the layers
//! above hold an issuer, not a string.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

/// The public base URL of this server, exactly as relying parties see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Issuer {
    text: String,
}

impl Issuer {
    /// Parses an issuer, with the reason it is refused.
    pub fn parse(s: &str) -> Result<Issuer, String> {
        let url = Url::parse(s).map_err(|e| format!("issuer `{s}` is not a URL: {e}"))?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(
                "issuer must not have a query or fragment (OIDC Discovery 1.0 section 3)".into(),
            );
        }
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err("issuer must be an http(s) URL".into());
        }
        if s.ends_with('/') {
            return Err("issuer must not end with a slash".into());
        }
        Ok(Issuer { text: s.to_owned() })
    }

    /// The development default, `http://localhost:8080`.
    pub(super) fn localhost() -> Issuer {
        Issuer {
            text: "http://localhost:8080".to_owned(),
        }
    }

    /// The issuer as written: the `iss` of every token.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it is served over https.
    pub fn is_https(&self) -> bool {
        self.text.starts_with("https://")
    }

    /// The host (`id.example.com`), for the passkey relying-party ID and WebOTP.
    pub fn host(&self) -> String {
        Url::parse(&self.text)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

impl std::ops::Deref for Issuer {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for Issuer {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<str> for Issuer {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Issuer {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<String> for Issuer {
    fn eq(&self, other: &String) -> bool {
        &self.text == other
    }
}

impl PartialEq<Issuer> for String {
    fn eq(&self, other: &Issuer) -> bool {
        *self == other.text
    }
}

impl TryFrom<String> for Issuer {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Issuer::parse(&s)
    }
}

impl From<Issuer> for String {
    fn from(i: Issuer) -> String {
        i.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issuer_keeps_its_text_and_knows_its_scheme_and_host() {
        assert_eq!(
            Issuer::localhost(),
            Issuer::parse("http://localhost:8080").unwrap()
        );
        let i = Issuer::parse("https://id.example.com/tenant").unwrap();
        assert_eq!(i, "https://id.example.com/tenant");
        assert!(i.is_https());
        assert_eq!(i.host(), "id.example.com");
        assert!(!Issuer::parse("http://localhost:8080").unwrap().is_https());
    }

    #[test]
    fn issuers_that_break_discovery_are_refused_with_the_rule() {
        for (bad, why) in [
            ("https://id.example.com/", "end with a slash"),
            ("https://id.example.com?x=1", "query"),
            ("https://id.example.com#f", "fragment"),
            ("ftp://id.example.com", "http(s)"),
            ("id.example.com", "not a URL"),
        ] {
            let e = Issuer::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}

//! Scopes (RFC 6749 section 3.3): a request's, a grant's, a client's. A [`ScopeSet`] is
//! parsed once from the space-delimited text the protocol and the database use, keeps the
//! order in which scopes were first named, and holds each scope once.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Scopes this server understands; others are ignored (OIDC Core 3.1.2.1) unless the
/// client was registered with them. `groups` releases the `groups` claim (the names of
/// the person's groups).
pub const SUPPORTED_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "address",
    "groups",
    "offline_access",
];

/// Whether `s` is a scope-token: `1*( %x21 / %x23-5B / %x5D-7E )`, at most 128 bytes.
pub fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// A set of scopes, in the order first named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct ScopeSet(Vec<String>);

impl ScopeSet {
    /// The scopes of a space-delimited text; empty words and repeats are dropped.
    pub fn parse(text: &str) -> ScopeSet {
        let mut set = ScopeSet::default();
        for s in text.split(' ') {
            set.insert(s);
        }
        set
    }

    /// [`ScopeSet::parse`], refusing a word that is not a scope-token (it is named).
    pub fn parse_strict(text: &str) -> Result<ScopeSet, String> {
        match text
            .split(' ')
            .find(|s| !s.is_empty() && !is_scope_token(s))
        {
            Some(bad) => Err(bad.to_owned()),
            None => Ok(ScopeSet::parse(text)),
        }
    }

    /// Adds a scope unless it is empty or already there.
    pub fn insert(&mut self, s: &str) {
        if !s.is_empty() && !self.contains(s) {
            self.0.push(s.to_owned());
        }
    }

    pub fn contains(&self, s: &str) -> bool {
        self.0.iter().any(|x| x == s)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every scope of `self` is in `other`.
    pub fn is_subset_of(&self, other: &ScopeSet) -> bool {
        self.iter().all(|s| other.contains(s))
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

impl PartialEq<&str> for ScopeSet {
    /// Compares with a space-delimited text, in order.
    fn eq(&self, other: &&str) -> bool {
        self.iter().eq(other.split(' ').filter(|s| !s.is_empty()))
    }
}

impl From<String> for ScopeSet {
    fn from(s: String) -> ScopeSet {
        ScopeSet::parse(&s)
    }
}

impl From<ScopeSet> for String {
    fn from(s: ScopeSet) -> String {
        s.to_string()
    }
}

impl<'a> FromIterator<&'a str> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> ScopeSet {
        let mut set = ScopeSet::default();
        for s in iter {
            set.insert(s);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_set_keeps_first_order_and_drops_repeats_and_empty_words() {
        let s = ScopeSet::parse("openid  email openid profile ");
        assert_eq!(s.iter().collect::<Vec<_>>(), ["openid", "email", "profile"]);
        assert_eq!(s.to_string(), "openid email profile");
        assert!(s.contains("email") && !s.contains("phone"));
        assert!(ScopeSet::parse("").is_empty());
    }

    #[test]
    fn subsets_and_strict_parsing() {
        let all = ScopeSet::parse("openid email profile");
        assert!(ScopeSet::parse("email openid").is_subset_of(&all));
        assert!(!ScopeSet::parse("openid phone").is_subset_of(&all));
        assert_eq!(
            ScopeSet::parse_strict("openid e\"mail"),
            Err("e\"mail".into())
        );
        assert!(ScopeSet::parse_strict("openid api:read").is_ok());
    }

    #[test]
    fn a_scope_set_is_its_text_in_json() {
        let s = ScopeSet::parse("openid email");
        assert_eq!(
            serde_json::to_string(&s).ok().as_deref(),
            Some("\"openid email\"")
        );
        let back: ScopeSet = serde_json::from_str("\"email email openid\"").unwrap();
        assert_eq!(back, ScopeSet::parse("email openid"));
    }

    #[test]
    fn scope_tokens_follow_rfc_6749() {
        assert!(is_scope_token("openid") && is_scope_token("api:read/write"));
        for bad in ["", "a b", "quote\"", "back\\slash", "tab\t", "é"] {
            assert!(!is_scope_token(bad), "{bad:?}");
        }
        assert!(!is_scope_token(&"x".repeat(129)));
    }
}

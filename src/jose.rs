//! The signature algorithms Sesame signs with, parsed once where they enter (the
//! configuration, client registration, the admin API and CLI) and named by this enum
//! everywhere else. A leaf: it imports nothing of Sesame's.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A JWS algorithm Sesame signs with. RS256 is mandatory in OpenID Connect; ES256 is
/// faster. Unsigned tokens (`none`) and shared-secret MACs (`HS256`) are never issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum SigningAlg {
    Rs256,
    Es256,
}

impl SigningAlg {
    /// Every algorithm, in the order keys are generated and advertised.
    pub const ALL: [SigningAlg; 2] = [SigningAlg::Rs256, SigningAlg::Es256];

    /// The JOSE name (`RS256`, `ES256`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SigningAlg::Rs256 => "RS256",
            SigningAlg::Es256 => "ES256",
        }
    }

    /// The algorithm a JOSE name names, when Sesame signs with it (names are case-sensitive,
    /// RFC 7518 section 3.1).
    pub fn parse(s: &str) -> Option<SigningAlg> {
        SigningAlg::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not an algorithm Sesame signs with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported signature algorithm `{0}` (RS256 or ES256)")]
pub struct UnsupportedAlg(pub String);

impl FromStr for SigningAlg {
    type Err = UnsupportedAlg;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SigningAlg::parse(s).ok_or_else(|| UnsupportedAlg(s.to_owned()))
    }
}

impl TryFrom<String> for SigningAlg {
    type Error = UnsupportedAlg;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<SigningAlg> for String {
    fn from(a: SigningAlg) -> String {
        a.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_algorithms_sesame_signs_with_parse() {
        assert_eq!("RS256".parse(), Ok(SigningAlg::Rs256));
        assert_eq!("ES256".parse(), Ok(SigningAlg::Es256));
        for bad in ["none", "HS256", "rs256", "", "RS256 "] {
            assert_eq!(
                bad.parse::<SigningAlg>(),
                Err(UnsupportedAlg(bad.to_owned()))
            );
        }
        assert_eq!(
            UnsupportedAlg("HS256".into()).to_string(),
            "unsupported signature algorithm `HS256` (RS256 or ES256)"
        );
    }

    #[test]
    fn serialises_as_its_jose_name() {
        let json = serde_json::to_string(&SigningAlg::ALL).ok();
        assert_eq!(json.as_deref(), Some(r#"["RS256","ES256"]"#));
        let back: Result<SigningAlg, _> = serde_json::from_str("\"none\"");
        assert!(back.is_err());
    }
}

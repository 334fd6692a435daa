//! Settings of the protocol surface beyond the foundation: signing-key rotation and
//! dynamic client registration. (Token lifetimes live in [`super::TokenConfig`].)

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::ser_secret_opt;

/// Signing-key rotation (`sesame keys rotate`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    /// A new key is published in the JWKS this long before it starts signing, so relying
    /// parties that cache the JWKS already know it.
    pub prepublish_seconds: i64,
    /// A replaced key stays published this long after it stops signing (never less than
    /// the longest token lifetime, so every token it signed still validates).
    pub retain_seconds: i64,
}

/// Dynamic client registration (RFC 7591, OpenID Connect Dynamic Client Registration).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistrationConfig {
    /// Off by default. When on, `POST /register` accepts new clients that present the
    /// initial access token.
    pub enabled: bool,
    /// The bearer token a registration request must present (at least 32 characters).
    #[serde(serialize_with = "ser_secret_opt")]
    pub initial_access_token: Option<SecretString>,
    /// Require PKCE from dynamically registered confidential clients too (public ones
    /// always need it).
    pub pkce_required: bool,
}

impl Default for KeysConfig {
    fn default() -> Self {
        KeysConfig {
            prepublish_seconds: 3600,
            retain_seconds: 24 * 3600,
        }
    }
}

impl Default for RegistrationConfig {
    fn default() -> Self {
        RegistrationConfig {
            enabled: false,
            initial_access_token: None,
            pkce_required: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::Config;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn registration_needs_an_initial_access_token_which_is_never_printed() {
        let err = Config::from_sources(None, &env(&[("SESAME_REGISTRATION__ENABLED", "true")]))
            .unwrap_err();
        assert!(err.to_string().contains("initial_access_token"), "{err}");
        let c = Config::from_sources(
            None,
            &env(&[
                ("SESAME_REGISTRATION__ENABLED", "true"),
                (
                    "SESAME_REGISTRATION__INITIAL_ACCESS_TOKEN",
                    "iat-0123456789abcdef0123456789abcdef",
                ),
            ]),
        )
        .unwrap();
        assert!(c.registration.enabled);
        assert!(!c.redacted_toml().contains("iat-0123"));
    }

    #[test]
    fn token_lifetimes_and_key_rotation_are_configurable() {
        let c = Config::from_sources(
            Some("[tokens]\nrefresh_token_idle_ttl_seconds = 60\n[keys]\nprepublish_seconds = 0\n"),
            &env(&[("SESAME_TOKENS__REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS", "600")]),
        )
        .unwrap();
        assert_eq!(c.tokens.refresh_token_idle_ttl_seconds, 60);
        assert_eq!(c.tokens.refresh_token_absolute_ttl_seconds, 600);
        assert_eq!(c.keys.prepublish_seconds, 0);
        let err =
            Config::from_sources(None, &env(&[("SESAME_KEYS__RETAIN_SECONDS", "-1")])).unwrap_err();
        assert!(err.to_string().contains("retain_seconds"), "{err}");
    }
}

//! Settings of the protocol surface beyond the foundation: the authorization endpoint's
//! bounds, the device authorization grant, signing-key rotation and dynamic client
//! registration. (Token lifetimes live in
//! [`super::TokenConfig`].)

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{ser_secret_opt, ConfigError};

/// Longest value accepted for any single request parameter, at protocol endpoints and on
/// the hosted pages alike; the sealed sign-in (`authorize.max_pending_bytes`) must fit in it.
pub const MAX_PARAM_LEN: usize = 4096;

/// The authorization endpoint's bounds (docs/security.md): the largest parameter values a
/// sign-in carries, and how often one client IP may ask.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthorizeConfig {
    /// Longest `state`, in bytes.
    pub max_state_bytes: usize,
    /// Longest `nonce`, in bytes.
    pub max_nonce_bytes: usize,
    /// Longest `login_hint`, in bytes.
    pub max_login_hint_bytes: usize,
    /// Longest `claims` request, in bytes.
    pub max_claims_bytes: usize,
    /// Longest `redirect_uri`, in bytes (a longer one is an error page, never a redirect).
    pub max_redirect_uri_bytes: usize,
    /// Longest sealed sign-in (the validated request carried in the sign-in page's address
    /// until the person submits it), in characters; at most 4096.
    pub max_pending_bytes: usize,
    /// Authorization requests one client IP (IPv6: one /64) may make in a burst …
    pub burst_per_ip: u32,
    /// … and per minute after it, on each replica (0: no limit).
    pub per_ip_per_minute: u32,
}

impl Default for AuthorizeConfig {
    fn default() -> Self {
        AuthorizeConfig {
            max_state_bytes: 512,
            max_nonce_bytes: 512,
            max_login_hint_bytes: 320,
            max_claims_bytes: 1024,
            max_redirect_uri_bytes: 512,
            max_pending_bytes: 4096,
            burst_per_ip: 60,
            per_ip_per_minute: 300,
        }
    }
}

/// The device authorization grant (RFC 8628, docs/protocol.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeviceConfig {
    /// How long a device code and its user code live, in seconds.
    pub code_ttl_seconds: i64,
    /// The least time between two polls of one device code, in seconds (each poll that
    /// comes sooner is answered `slow_down` and adds 5 seconds for that device).
    pub interval_seconds: i64,
    /// Wrong user codes one client IP (IPv6: one /64) may type on the device page per hour.
    pub user_code_failures_per_ip_per_hour: i64,
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            code_ttl_seconds: 600,
            interval_seconds: 5,
            user_code_failures_per_ip_per_hour: 10,
        }
    }
}

impl DeviceConfig {
    pub fn validate(&self, p: &mut Vec<ConfigError>) {
        if !(60..=3600).contains(&self.code_ttl_seconds) {
            p.push(ConfigError(
                "device.code_ttl_seconds must be between 60 and 3600".into(),
            ));
        }
        if !(1..=60).contains(&self.interval_seconds) {
            p.push(ConfigError(
                "device.interval_seconds must be between 1 and 60".into(),
            ));
        }
        if !(1..=1000).contains(&self.user_code_failures_per_ip_per_hour) {
            p.push(ConfigError(
                "device.user_code_failures_per_ip_per_hour must be between 1 and 1000".into(),
            ));
        }
    }
}

impl AuthorizeConfig {
    pub fn validate(&self, p: &mut Vec<ConfigError>) {
        let at_least = [
            ("max_state_bytes", self.max_state_bytes, 64),
            ("max_nonce_bytes", self.max_nonce_bytes, 64),
            ("max_login_hint_bytes", self.max_login_hint_bytes, 64),
            ("max_claims_bytes", self.max_claims_bytes, 64),
            ("max_redirect_uri_bytes", self.max_redirect_uri_bytes, 64),
            ("max_pending_bytes", self.max_pending_bytes, 1024),
        ];
        for (name, v, min) in at_least {
            if v < min {
                p.push(ConfigError(format!(
                    "authorize.{name} must be at least {min}"
                )));
            }
        }
        if self.max_pending_bytes > MAX_PARAM_LEN {
            p.push(ConfigError(format!(
                "authorize.max_pending_bytes must be at most {} (the longest value a form may carry)",
                MAX_PARAM_LEN
            )));
        }
        if self.per_ip_per_minute > 0 && self.burst_per_ip == 0 {
            p.push(ConfigError(
                "authorize.burst_per_ip must be at least 1 when authorize.per_ip_per_minute is set"
                    .into(),
            ));
        }
    }
}

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
    fn authorize_bounds_are_checked_and_name_the_setting() {
        for (key, value, needle) in [
            (
                "SESAME_AUTHORIZE__MAX_STATE_BYTES",
                "10",
                "authorize.max_state_bytes",
            ),
            (
                "SESAME_AUTHORIZE__MAX_PENDING_BYTES",
                "5000",
                "authorize.max_pending_bytes",
            ),
            (
                "SESAME_AUTHORIZE__BURST_PER_IP",
                "0",
                "authorize.burst_per_ip",
            ),
        ] {
            let err = Config::from_sources(None, &env(&[(key, value)])).unwrap_err();
            assert!(err.to_string().contains(needle), "{key}: {err}");
        }
        let c = Config::from_sources(
            None,
            &env(&[
                ("SESAME_AUTHORIZE__PER_IP_PER_MINUTE", "0"),
                ("SESAME_AUTHORIZE__BURST_PER_IP", "0"),
                ("SESAME_AUTHORIZE__MAX_STATE_BYTES", "2048"),
            ]),
        )
        .unwrap();
        assert_eq!(c.authorize.per_ip_per_minute, 0);
        assert_eq!(c.authorize.max_state_bytes, 2048);
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

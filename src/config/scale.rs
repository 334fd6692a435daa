//! Settings for running several replicas: the delivery outbox and operations (shutdown,
//! metrics). Pool settings live in [`super::DatabaseConfig`].

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use secrecy::ExposeSecret;

use super::{ser_secret_opt, Config, ConfigError};

/// The delivery outbox: code messages are written to the database and delivered by a worker
/// on every replica (see docs/deployment.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// How often each replica's worker looks for due messages, in milliseconds.
    pub poll_interval_ms: u64,
    /// Messages one worker claims at a time.
    pub batch_size: i64,
    /// Delivery attempts before a message has failed for good.
    pub max_attempts: i64,
    /// Wait before the first retry; it doubles with every attempt.
    pub retry_initial_seconds: i64,
    /// Longest wait between two attempts.
    pub retry_max_seconds: i64,
    /// A message not delivered this long after it was written has failed for good (never
    /// later than its code's expiry).
    pub give_up_after_seconds: i64,
    /// How long a claim on a message lasts: a replica that dies mid-delivery has its claims
    /// taken over by another when it ends. Must exceed `email.timeout_seconds`.
    pub lease_seconds: i64,
}

/// Operations: shutdown, health, metrics.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpsConfig {
    /// After SIGTERM/SIGINT, seconds to finish in-flight requests and deliveries before the
    /// process exits anyway.
    pub shutdown_timeout_seconds: u64,
    /// When set, `GET /metrics` needs `Authorization: Bearer <token>`.
    #[serde(serialize_with = "ser_secret_opt")]
    pub metrics_token: Option<SecretString>,
    /// Serve `/metrics` without a token in production. Off by default: in production
    /// `/metrics` answers 404 unless a token is set or this is true. Development serves it.
    pub metrics_public: bool,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            poll_interval_ms: 1000,
            batch_size: 20,
            max_attempts: 8,
            retry_initial_seconds: 1,
            retry_max_seconds: 60,
            give_up_after_seconds: 600,
            lease_seconds: 60,
        }
    }
}

impl Default for OpsConfig {
    fn default() -> Self {
        OpsConfig {
            shutdown_timeout_seconds: 25,
            metrics_token: None,
            metrics_public: false,
        }
    }
}

/// Checks the outbox, pool and operations settings.
pub(super) fn validate(c: &Config, p: &mut Vec<ConfigError>) {
    let positive = [
        ("outbox.batch_size", c.outbox.batch_size),
        ("outbox.max_attempts", c.outbox.max_attempts),
        (
            "outbox.retry_initial_seconds",
            c.outbox.retry_initial_seconds,
        ),
        ("outbox.retry_max_seconds", c.outbox.retry_max_seconds),
        (
            "outbox.give_up_after_seconds",
            c.outbox.give_up_after_seconds,
        ),
        ("outbox.lease_seconds", c.outbox.lease_seconds),
    ];
    for (name, v) in positive {
        if v <= 0 {
            p.push(ConfigError(format!("{name} must be greater than zero")));
        }
    }
    if c.outbox.lease_seconds <= i64::try_from(c.email.timeout_seconds).unwrap_or(i64::MAX) {
        p.push(ConfigError(
            "outbox.lease_seconds must be greater than email.timeout_seconds (a claim must \
                 outlast one delivery attempt)"
                .into(),
        ));
    }
    if c.outbox.poll_interval_ms == 0 {
        p.push(ConfigError(
            "outbox.poll_interval_ms must be greater than zero".into(),
        ));
    }
    if c.database.min_connections > c.database.max_connections {
        p.push(ConfigError(
            "database.min_connections must not exceed database.max_connections".into(),
        ));
    }
    if let Some(token) = &c.ops.metrics_token {
        if token.expose_secret().len() < 16 {
            p.push(ConfigError(
                "ops.metrics_token must be at least 16 characters".into(),
            ));
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
    fn scale_out_settings_load_from_env_and_are_checked() {
        let c = Config::from_sources(
            None,
            &env(&[
                ("SESAME_DATABASE__MAX_LIFETIME_SECONDS", "120"),
                ("SESAME_OUTBOX__MAX_ATTEMPTS", "3"),
                ("SESAME_OPS__SHUTDOWN_TIMEOUT_SECONDS", "7"),
                ("SESAME_OPS__METRICS_TOKEN", "a-metrics-token-long-enough"),
            ]),
        )
        .unwrap();
        assert_eq!(c.database.max_lifetime_seconds, 120);
        assert_eq!(c.outbox.max_attempts, 3);
        assert_eq!(c.ops.shutdown_timeout_seconds, 7);
        assert!(!c.redacted_toml().contains("a-metrics-token-long-enough"));
        let err =
            Config::from_sources(None, &env(&[("SESAME_OUTBOX__LEASE_SECONDS", "5")])).unwrap_err();
        assert!(err.to_string().contains("lease_seconds"), "{err}");
        let err = Config::from_sources(None, &env(&[("SESAME_OPS__METRICS_TOKEN", "short")]))
            .unwrap_err();
        assert!(err.to_string().contains("metrics_token"), "{err}");
        let err = Config::from_sources(None, &env(&[("SESAME_DATABASE__MIN_CONNECTIONS", "50")]))
            .unwrap_err();
        assert!(err.to_string().contains("min_connections"), "{err}");
    }
}

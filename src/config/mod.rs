//! Typed configuration.
//!
//! Layers, later ones winning: built-in defaults, then a TOML file (`--config PATH`,
//! `SESAME_CONFIG`, or `config/sesame.toml` when it exists), then `SESAME_*` environment
//! variables. Unknown keys are an error that names the key, so a typo never silently falls
//! back to a default. Secrets are wrapped in [`secrecy::SecretString`] and never printed.

mod scale;

use std::path::{Path, PathBuf};

use crate::jose::SigningAlg;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

mod sms;
pub use scale::{OpsConfig, OutboxConfig};
pub use sms::{
    parse_region, AllowedCountries, SmsConfig, SmsLimits, SmsProvider, TwilioConfig, WebhookConfig,
};
mod protocol;
pub use protocol::{AuthorizeConfig, DeviceConfig, KeysConfig, RegistrationConfig, MAX_PARAM_LEN};
mod server;
pub use server::ServerConfig;
mod i18n;
pub use i18n::I18nConfig;
mod console;
pub use console::ConsoleConfig;
mod load;
pub mod net;
pub mod smtp_url;
pub use net::{IpRange, TrustedProxies};
mod issuer;
pub use issuer::Issuer;
mod redact;
use redact::ser_secret_opt;
mod validate;

/// The whole configuration. Field docs double as the reference in docs/configuration.md.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `development` (default) or `production`.
    pub mode: Mode,
    /// The issuer identifier: the public base URL of this server, exactly as relying parties
    /// see it. It is the `iss` of every token and the base of every endpoint URL.
    pub issuer: Issuer,
    /// Address the HTTP server listens on.
    pub listen: String,
    /// Server secret (at least 32 bytes of text): the pepper of every keyed hash and the
    /// key that encrypts signing keys at rest. Required in production. In development, when
    /// unset, one is generated once and kept at `<data dir>/secret.key` (never beside a
    /// database that already holds signing keys). A secret that cannot decrypt the stored
    /// signing keys is refused before anything is written.
    #[serde(serialize_with = "ser_secret_opt")]
    pub secret_key: Option<SecretString>,
    /// Where `secret_key` came from, for messages; filled in while loading, not a setting.
    #[serde(skip)]
    pub secret_key_origin: SecretKeyOrigin,
    /// Register a new user on their first successful sign-in. When false, an unknown
    /// address gets the same page as a known one and no message is sent.
    pub register_new_users: bool,
    /// Name shown on hosted pages and in messages.
    pub product_name: String,
    /// Connection timeouts and the connection cap.
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub email: EmailConfig,
    pub login: LoginConfig,
    /// Bounds of the authorization endpoint (docs/security.md).
    pub authorize: AuthorizeConfig,
    /// The device authorization grant (RFC 8628).
    pub device: DeviceConfig,
    pub tokens: TokenConfig,
    pub session: SessionConfig,
    pub log: LogConfig,
    /// Sign-in with a phone number (docs/sms.md).
    pub sms: SmsConfig,
    pub outbox: OutboxConfig,
    pub ops: OpsConfig,
    pub keys: KeysConfig,
    pub registration: RegistrationConfig,
    pub limits: LimitsConfig,
    /// Languages of the hosted pages and messages (docs/languages.md).
    pub i18n: I18nConfig,
    /// The admin console in the browser (docs/admin.md).
    pub console: ConsoleConfig,
}

/// The layer that set `secret_key`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SecretKeyOrigin {
    /// Unset, or set by code rather than by a layer Sesame read.
    #[default]
    Unknown,
    /// The `SESAME_SECRET_KEY` variable.
    Environment,
    /// The configuration file (its path, when it was read from one).
    File(Option<PathBuf>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Development,
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://path/to/file.db` (created with its folder) or `postgres://…`.
    pub url: String,
    pub max_connections: u32,
    /// Connections kept open even when idle (PostgreSQL; warm replicas answer faster).
    pub min_connections: u32,
    /// Seconds a request waits for a free connection before it is answered 503.
    pub acquire_timeout_seconds: u64,
    /// Idle connections above `min_connections` are closed after this many seconds (0: never).
    pub idle_timeout_seconds: u64,
    /// Connections are replaced after this many seconds (0: never), so a database fail-over
    /// or a connection pooler's rebalancing reaches every replica.
    pub max_lifetime_seconds: u64,
    /// SQLite only: the process's connections share one page cache (SQLite's shared-cache
    /// mode) instead of each re-reading the pages another connection's commit invalidated.
    pub sqlite_shared_cache: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    /// `smtp://host:port` (plain, STARTTLS when offered is not attempted),
    /// `smtp://host:port?tls=required` (STARTTLS required), `smtps://host:port` (implicit
    /// TLS); user and password may be given in the URL. Unset in development: codes are
    /// printed to the terminal instead.
    #[serde(serialize_with = "ser_secret_opt")]
    pub smtp_url: Option<SecretString>,
    /// The From header of code messages.
    pub from: String,
    /// Subject line; `{code}` and `{product}` are replaced. Keep the code first so phone
    /// notification previews show it.
    pub subject: String,
    /// Seconds to wait for the SMTP server before telling the person it failed.
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginConfig {
    /// Lifetime of a one-time code. OWASP ASVS recommends 10 minutes or less; 15 minutes
    /// is drfpasswordless's default and what slow mail needs. See docs/security.md.
    pub code_ttl_seconds: i64,
    /// Wrong tries per code before it is burnt.
    pub max_attempts: i64,
    /// Seconds between two codes for the same sign-in.
    pub resend_cooldown_seconds: i64,
    /// Lifetime of a sign-in (the time from /authorize to the final redirect).
    pub transaction_ttl_seconds: i64,
    /// The code email also carries a link that completes the same sign-in, in the browser
    /// that started it only, through a confirmation page (docs/sign-in-methods.md).
    pub magic_link: bool,
}

/// Limits against guessing and pumping, counted in the database (see docs/security.md).
/// A limit of 0 is off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Failed code verifications per identifier per hour, across all its codes; past it,
    /// verifying and sending pause for that identifier until the hour is over.
    pub identifier_failures_per_hour: i64,
    /// The same per day, so that asking for new codes never resets the budget.
    pub identifier_failures_per_day: i64,
    /// Failed verifications per client IP (IPv6: per /64) per hour; past it, that
    /// address's verifications are refused until the hour is over.
    pub ip_failures_per_hour: i64,
    /// Failed verifications an IP may make in the hour before answers slow down.
    pub ip_free_failures: i64,
    /// The first delay (milliseconds) before answering a failed verification once the free
    /// failures are used; it doubles with each further failure.
    pub ip_delay_base_ms: u64,
    /// The longest such delay (milliseconds).
    pub ip_delay_max_ms: u64,
    /// Proxies whose `X-Forwarded-For` is believed: IP addresses or CIDR ranges (in the
    /// environment: comma-separated). Empty (the default): the TCP peer is the client.
    pub trusted_proxies: TrustedProxies,
    /// Send limits for email codes.
    pub email: SendLimits,
    /// Send limits for SMS codes.
    pub sms: SendLimits,
}

/// How many codes may be sent on one channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SendLimits {
    pub per_identifier_per_hour: i64,
    pub per_identifier_per_day: i64,
    pub per_ip_per_hour: i64,
    pub per_ip_per_day: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenConfig {
    pub authorization_code_ttl_seconds: i64,
    pub access_token_ttl_seconds: i64,
    pub id_token_ttl_seconds: i64,
    /// Signature algorithm of access tokens: `RS256` or `ES256`.
    pub access_token_alg: SigningAlg,
    /// Signature algorithm of ID tokens for clients that did not choose one.
    pub default_id_token_alg: SigningAlg,
    /// A refresh token not used for this long expires (each use rotates it and restarts
    /// the clock).
    pub refresh_token_idle_ttl_seconds: i64,
    /// A refresh-token family ends this long after the sign-in it came from, however
    /// often it is used; the person must sign in again.
    pub refresh_token_absolute_ttl_seconds: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// Lifetime of the browser session (single sign-on) after sign-in, in seconds.
    pub ttl_seconds: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `pretty` (default in development) or `json` (default in production).
    pub format: Option<String>,
    /// A tracing filter such as `info` or `sesame=debug,info`; `RUST_LOG` wins when set.
    pub level: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::Development,
            issuer: Issuer::localhost(),
            listen: "127.0.0.1:8080".into(),
            server: ServerConfig::default(),
            i18n: I18nConfig::default(),
            secret_key: None,
            secret_key_origin: SecretKeyOrigin::Unknown,
            register_new_users: true,
            product_name: "Sesame".into(),
            database: DatabaseConfig::default(),
            email: EmailConfig::default(),
            login: LoginConfig::default(),
            authorize: AuthorizeConfig::default(),
            device: DeviceConfig::default(),
            tokens: TokenConfig::default(),
            session: SessionConfig::default(),
            log: LogConfig::default(),
            sms: SmsConfig::default(),
            outbox: OutboxConfig::default(),
            ops: OpsConfig::default(),
            keys: KeysConfig::default(),
            registration: RegistrationConfig::default(),
            limits: LimitsConfig::default(),
            console: ConsoleConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://data/sesame.db".into(),
            max_connections: 10,
            min_connections: 0,
            acquire_timeout_seconds: 5,
            idle_timeout_seconds: 600,
            max_lifetime_seconds: 1800,
            sqlite_shared_cache: true,
        }
    }
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            smtp_url: None,
            from: "Sesame <no-reply@localhost>".into(),
            subject: "{code} is your {product} code".into(),
            timeout_seconds: 10,
        }
    }
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig {
            code_ttl_seconds: 15 * 60,
            max_attempts: 5,
            resend_cooldown_seconds: 30,
            transaction_ttl_seconds: 30 * 60,
            magic_link: true,
        }
    }
}

impl LimitsConfig {}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            identifier_failures_per_hour: 10,
            identifier_failures_per_day: 20,
            ip_failures_per_hour: 100,
            ip_free_failures: 3,
            ip_delay_base_ms: 250,
            ip_delay_max_ms: 5_000,
            trusted_proxies: TrustedProxies::default(),
            email: SendLimits {
                per_identifier_per_hour: 5,
                per_identifier_per_day: 20,
                per_ip_per_hour: 30,
                per_ip_per_day: 200,
            },
            sms: SendLimits::default(),
        }
    }
}

impl Default for SendLimits {
    /// The strict defaults (those of SMS, where every message costs money).
    fn default() -> Self {
        SendLimits {
            per_identifier_per_hour: 3,
            per_identifier_per_day: 10,
            per_ip_per_hour: 10,
            per_ip_per_day: 50,
        }
    }
}

impl Default for TokenConfig {
    fn default() -> Self {
        TokenConfig {
            authorization_code_ttl_seconds: 60,
            access_token_ttl_seconds: 600,
            id_token_ttl_seconds: 600,
            access_token_alg: SigningAlg::Rs256,
            default_id_token_alg: SigningAlg::Rs256,
            refresh_token_idle_ttl_seconds: 15 * 24 * 3600,
            refresh_token_absolute_ttl_seconds: 30 * 24 * 3600,
        }
    }
}

impl TokenConfig {
    /// The longest time any token signed now stays valid.
    pub fn longest_signed_ttl(&self) -> i64 {
        self.access_token_ttl_seconds.max(self.id_token_ttl_seconds)
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            ttl_seconds: 24 * 3600,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: None,
            level: "info".into(),
        }
    }
}

/// A configuration error, with a message meant for the operator.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    pub fn is_development(&self) -> bool {
        self.mode == Mode::Development
    }

    /// Whether the issuer is served over https (cookies get `Secure` and `__Host-`).
    pub fn issuer_is_https(&self) -> bool {
        self.issuer.is_https()
    }

    /// The folder for local state (the SQLite file's folder, or `data`).
    pub fn data_dir(&self) -> PathBuf {
        match sqlite_path(&self.database.url) {
            Some(p) => p
                .parent()
                .map(Path::to_path_buf)
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| PathBuf::from(".")),
            None => PathBuf::from("data"),
        }
    }
}

/// The file path of a `sqlite:` URL (without its query), or None for other schemes.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests;

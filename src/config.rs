//! Typed configuration.
//!
//! Layers, later ones winning: built-in defaults, then a TOML file (`--config PATH`,
//! `SESAME_CONFIG`, or `config/sesame.toml` when it exists), then `SESAME_*` environment
//! variables. Unknown keys are an error that names the key, so a typo never silently falls
//! back to a default. Secrets are wrapped in [`secrecy::SecretString`] and never printed.

mod scale;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

mod sms;
pub use scale::{OpsConfig, OutboxConfig};
pub use sms::{
    parse_region, AllowedCountries, SmsConfig, SmsLimits, SmsProvider, TwilioConfig, WebhookConfig,
};
mod protocol;
pub use protocol::{AuthorizeConfig, KeysConfig, RegistrationConfig};
mod server;
pub use server::ServerConfig;

/// The whole configuration. Field docs double as the reference in docs/configuration.md.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `development` (default) or `production`.
    pub mode: Mode,
    /// The issuer identifier: the public base URL of this server, exactly as relying parties
    /// see it. It is the `iss` of every token and the base of every endpoint URL.
    pub issuer: String,
    /// Address the HTTP server listens on.
    pub listen: String,
    /// Server secret (at least 32 bytes of text): the pepper of every keyed hash and the
    /// key that encrypts signing keys at rest. Required in production. In development, when
    /// unset, one is generated once and kept at `<data dir>/secret.key`.
    #[serde(serialize_with = "ser_secret_opt")]
    pub secret_key: Option<SecretString>,
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
    pub trusted_proxies: Vec<String>,
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
    pub access_token_alg: String,
    /// Signature algorithm of ID tokens for clients that did not choose one.
    pub default_id_token_alg: String,
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
            issuer: "http://localhost:8080".into(),
            listen: "127.0.0.1:8080".into(),
            server: ServerConfig::default(),
            secret_key: None,
            register_new_users: true,
            product_name: "Sesame".into(),
            database: DatabaseConfig::default(),
            email: EmailConfig::default(),
            login: LoginConfig::default(),
            authorize: AuthorizeConfig::default(),
            tokens: TokenConfig::default(),
            session: SessionConfig::default(),
            log: LogConfig::default(),
            sms: SmsConfig::default(),
            outbox: OutboxConfig::default(),
            ops: OpsConfig::default(),
            keys: KeysConfig::default(),
            registration: RegistrationConfig::default(),
            limits: LimitsConfig::default(),
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
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            identifier_failures_per_hour: 10,
            identifier_failures_per_day: 20,
            ip_failures_per_hour: 100,
            ip_free_failures: 3,
            ip_delay_base_ms: 250,
            ip_delay_max_ms: 5_000,
            trusted_proxies: Vec::new(),
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
            access_token_alg: "RS256".into(),
            default_id_token_alg: "RS256".into(),
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

fn ser_secret_opt<S: serde::Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v.expose_secret()),
        None => s.serialize_none(),
    }
}

/// A configuration error, with a message meant for the operator.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

/// Short environment names and the key they set. Every other key can be set with
/// `SESAME_<SECTION>__<KEY>` (for example `SESAME_LOGIN__CODE_TTL_SECONDS`).
const ENV_ALIASES: &[(&str, &str)] = &[
    ("SESAME_MODE", "mode"),
    ("SESAME_ISSUER", "issuer"),
    ("SESAME_LISTEN", "listen"),
    ("SESAME_SECRET_KEY", "secret_key"),
    ("SESAME_REGISTER_NEW_USERS", "register_new_users"),
    ("SESAME_PRODUCT_NAME", "product_name"),
    ("SESAME_DATABASE_URL", "database.url"),
    ("SESAME_SMTP_URL", "email.smtp_url"),
    ("SESAME_EMAIL_FROM", "email.from"),
    ("SESAME_LOG_FORMAT", "log.format"),
    ("SESAME_LOG_LEVEL", "log.level"),
];

/// Environment variables that start with `SESAME_` but are not configuration keys.
const ENV_NOT_CONFIG: &[&str] = &["SESAME_CONFIG"];

impl Config {
    /// Loads the configuration the way the binary does: defaults, the file, the environment.
    pub fn load(explicit_path: Option<&Path>) -> Result<Config, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("SESAME_"))
            .collect();
        let path = match explicit_path {
            Some(p) => Some(p.to_path_buf()),
            None => match env.get("SESAME_CONFIG") {
                Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
                _ => {
                    let default = PathBuf::from("config/sesame.toml");
                    default.exists().then_some(default)
                }
            },
        };
        let file_text = match &path {
            Some(p) => Some(std::fs::read_to_string(p).map_err(|e| {
                ConfigError(format!("cannot read config file {}: {e}", p.display()))
            })?),
            None => None,
        };
        Self::from_sources(file_text.as_deref(), &env)
    }

    /// Builds a configuration from a TOML text and a map of `SESAME_*` variables.
    pub fn from_sources(
        file_text: Option<&str>,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let mut value = toml::Value::try_from(Config::default())
            .map_err(|e| ConfigError(format!("defaults: {e}")))?;
        if let Some(text) = file_text {
            let file: toml::Value = toml::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
            merge(&mut value, file);
        }
        for (name, raw) in env {
            if ENV_NOT_CONFIG.contains(&name.as_str()) || name.starts_with("SESAME_TEST_") {
                continue;
            }
            let key = match ENV_ALIASES.iter().find(|(n, _)| n == name) {
                Some((_, key)) => (*key).to_string(),
                None => name
                    .trim_start_matches("SESAME_")
                    .to_ascii_lowercase()
                    .replace("__", "."),
            };
            set_path(&mut value, &key, raw).map_err(|e| {
                ConfigError(format!("environment variable {name} (key `{key}`): {e}"))
            })?;
        }
        let config: Config = value
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError(e.message().to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values that parse but make no sense, and production's stricter rules.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let issuer = Url::parse(&self.issuer)
            .map_err(|e| ConfigError(format!("issuer `{}` is not a URL: {e}", self.issuer)))?;
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err(ConfigError(
                "issuer must not have a query or fragment (OIDC Discovery 1.0 section 3)".into(),
            ));
        }
        if !matches!(issuer.scheme(), "http" | "https") {
            return Err(ConfigError("issuer must be an http(s) URL".into()));
        }
        if self.issuer.ends_with('/') {
            return Err(ConfigError("issuer must not end with a slash".into()));
        }
        for alg in [
            &self.tokens.access_token_alg,
            &self.tokens.default_id_token_alg,
        ] {
            if !matches!(alg.as_str(), "RS256" | "ES256") {
                return Err(ConfigError(format!(
                    "unsupported signature algorithm `{alg}` (RS256 or ES256)"
                )));
            }
        }
        if let Some(secret) = &self.secret_key {
            if secret.expose_secret().len() < 32 {
                return Err(ConfigError(
                    "secret_key must be at least 32 characters".into(),
                ));
            }
        }
        let positive = [
            ("login.code_ttl_seconds", self.login.code_ttl_seconds),
            ("login.max_attempts", self.login.max_attempts),
            (
                "login.transaction_ttl_seconds",
                self.login.transaction_ttl_seconds,
            ),
            (
                "tokens.authorization_code_ttl_seconds",
                self.tokens.authorization_code_ttl_seconds,
            ),
            (
                "tokens.access_token_ttl_seconds",
                self.tokens.access_token_ttl_seconds,
            ),
            (
                "tokens.id_token_ttl_seconds",
                self.tokens.id_token_ttl_seconds,
            ),
            ("session.ttl_seconds", self.session.ttl_seconds),
            (
                "tokens.refresh_token_idle_ttl_seconds",
                self.tokens.refresh_token_idle_ttl_seconds,
            ),
            (
                "tokens.refresh_token_absolute_ttl_seconds",
                self.tokens.refresh_token_absolute_ttl_seconds,
            ),
        ];
        for (name, v) in positive {
            if v <= 0 {
                return Err(ConfigError(format!("{name} must be greater than zero")));
            }
        }
        self.sms.validate(self.mode)?;
        self.server.validate()?;
        scale::validate(self)?;
        if self.keys.prepublish_seconds < 0 || self.keys.retain_seconds < 0 {
            return Err(ConfigError(
                "keys.prepublish_seconds and keys.retain_seconds must not be negative".into(),
            ));
        }
        if self.registration.enabled {
            match &self.registration.initial_access_token {
                Some(t) if t.expose_secret().len() >= 32 => {}
                _ => {
                    return Err(ConfigError(
                        "registration.enabled needs registration.initial_access_token (at least 32 characters)"
                            .into(),
                    ))
                }
            }
        }
        self.validate_limits()?;
        self.authorize.validate()?;
        if self.mode == Mode::Production {
            if self.email.smtp_url.is_none() {
                return Err(ConfigError(
                    "production mode needs an SMTP URL (email.smtp_url / SESAME_SMTP_URL)".into(),
                ));
            }
            if issuer.scheme() != "https" {
                return Err(ConfigError(
                    "production mode needs an https issuer (SESAME_ISSUER)".into(),
                ));
            }
            if self.secret_key.is_none() {
                return Err(ConfigError(
                    "production mode needs a secret key (secret_key / SESAME_SECRET_KEY)".into(),
                ));
            }
        }
        Ok(())
    }

    fn validate_limits(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        let mut counts: Vec<(String, i64)> = vec![
            (
                "identifier_failures_per_hour".into(),
                l.identifier_failures_per_hour,
            ),
            (
                "identifier_failures_per_day".into(),
                l.identifier_failures_per_day,
            ),
            ("ip_failures_per_hour".into(), l.ip_failures_per_hour),
            ("ip_free_failures".into(), l.ip_free_failures),
        ];
        for (ch, s) in [("email", &l.email), ("sms", &l.sms)] {
            counts.push((
                format!("{ch}.per_identifier_per_hour"),
                s.per_identifier_per_hour,
            ));
            counts.push((
                format!("{ch}.per_identifier_per_day"),
                s.per_identifier_per_day,
            ));
            counts.push((format!("{ch}.per_ip_per_hour"), s.per_ip_per_hour));
            counts.push((format!("{ch}.per_ip_per_day"), s.per_ip_per_day));
        }
        for (name, v) in counts {
            if v < 0 {
                return Err(ConfigError(format!(
                    "limits.{name} must be zero (off) or more"
                )));
            }
        }
        if l.ip_delay_max_ms > 60_000 {
            return Err(ConfigError(
                "limits.ip_delay_max_ms must be at most 60000".into(),
            ));
        }
        for p in &l.trusted_proxies {
            crate::login::protect::IpRange::parse(p)
                .map_err(|e| ConfigError(format!("limits.trusted_proxies: `{p}` {e}")))?;
        }
        Ok(())
    }

    pub fn is_development(&self) -> bool {
        self.mode == Mode::Development
    }

    /// Whether the issuer is served over https (cookies get `Secure` and `__Host-`).
    pub fn issuer_is_https(&self) -> bool {
        self.issuer.starts_with("https://")
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

    /// The configuration as TOML with secrets replaced, for `sesame check-config`.
    pub fn redacted_toml(&self) -> String {
        let mut value = match toml::Value::try_from(self) {
            Ok(v) => v,
            Err(e) => return format!("# cannot render: {e}"),
        };
        if let Some(t) = value.as_table_mut() {
            if t.contains_key("secret_key") {
                t.insert("secret_key".into(), "<set>".into());
            }
            if let Some(email) = t.get_mut("email").and_then(|e| e.as_table_mut()) {
                if email.contains_key("smtp_url") {
                    email.insert("smtp_url".into(), "<set>".into());
                }
            }
            if let Some(sms) = t.get_mut("sms") {
                SmsConfig::redact(sms);
            }
            if let Some(ops) = t.get_mut("ops").and_then(|e| e.as_table_mut()) {
                if ops.contains_key("metrics_token") {
                    ops.insert("metrics_token".into(), "<set>".into());
                }
            }
            if let Some(reg) = t.get_mut("registration").and_then(|e| e.as_table_mut()) {
                if reg.contains_key("initial_access_token") {
                    reg.insert("initial_access_token".into(), "<set>".into());
                }
            }
        }
        toml::to_string_pretty(&value).unwrap_or_default()
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

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_table() && v.is_table() => merge(existing, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// Sets `a.b.c` to a string from the environment, typed like the default at that place.
fn set_path(root: &mut toml::Value, key: &str, raw: &str) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    let (last, sections) = parts.split_last().ok_or("empty key")?;
    let mut node = root;
    for part in sections {
        node = node
            .as_table_mut()
            .ok_or("not a section")?
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(Default::default()));
    }
    let table = node.as_table_mut().ok_or("not a section")?;
    let typed = match table.get(*last) {
        Some(toml::Value::Integer(_)) => toml::Value::Integer(
            raw.trim()
                .parse()
                .map_err(|_| format!("`{raw}` is not a whole number"))?,
        ),
        Some(toml::Value::Boolean(_)) => match raw.trim() {
            "true" | "1" | "yes" => toml::Value::Boolean(true),
            "false" | "0" | "no" => toml::Value::Boolean(false),
            _ => return Err(format!("`{raw}` is not true or false")),
        },
        Some(toml::Value::Table(_)) => return Err("names a section, not a key".into()),
        // A list from the environment is comma-separated.
        Some(toml::Value::Array(_)) => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()))
                .collect(),
        ),
        _ => toml::Value::String(raw.to_string()),
    };
    table.insert(last.to_string(), typed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_development_on_sqlite() {
        let c = Config::from_sources(None, &BTreeMap::new()).unwrap();
        assert_eq!(c.mode, Mode::Development);
        assert_eq!(c.issuer, "http://localhost:8080");
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.database.url, "sqlite://data/sesame.db");
        assert!(c.email.smtp_url.is_none());
        assert_eq!(c.login.code_ttl_seconds, 900);
    }

    #[test]
    fn file_then_env_override_in_order() {
        let file = "issuer = \"http://file.example\"\n[login]\ncode_ttl_seconds = 300\n";
        let c = Config::from_sources(
            Some(file),
            &env(&[
                ("SESAME_ISSUER", "http://env.example"),
                ("SESAME_LOGIN__MAX_ATTEMPTS", "3"),
                ("SESAME_SMTP_URL", "smtp://127.0.0.1:2525"),
            ]),
        )
        .unwrap();
        assert_eq!(c.issuer, "http://env.example");
        assert_eq!(c.login.code_ttl_seconds, 300);
        assert_eq!(c.login.max_attempts, 3);
        assert_eq!(
            c.email
                .smtp_url
                .as_ref()
                .map(|s| s.expose_secret().to_string()),
            Some("smtp://127.0.0.1:2525".to_string())
        );
    }

    #[test]
    fn unknown_file_key_is_an_error_naming_it() {
        let err = Config::from_sources(Some("isuer = \"x\""), &BTreeMap::new()).unwrap_err();
        assert!(err.to_string().contains("isuer"), "{err}");
        let err =
            Config::from_sources(Some("[login]\ncode_tll = 3"), &BTreeMap::new()).unwrap_err();
        assert!(err.to_string().contains("code_tll"), "{err}");
    }

    #[test]
    fn unknown_env_key_is_an_error_naming_it() {
        let err = Config::from_sources(None, &env(&[("SESAME_ISUER", "http://x")])).unwrap_err();
        assert!(err.to_string().contains("isuer"), "{err}");
    }

    #[test]
    fn env_value_of_wrong_type_is_an_error() {
        let err = Config::from_sources(None, &env(&[("SESAME_LOGIN__MAX_ATTEMPTS", "five")]))
            .unwrap_err();
        assert!(
            err.to_string().contains("SESAME_LOGIN__MAX_ATTEMPTS"),
            "{err}"
        );
    }

    #[test]
    fn production_refuses_without_smtp_https_and_secret() {
        let base = [("SESAME_MODE", "production")];
        let err = Config::from_sources(None, &env(&base)).unwrap_err();
        assert!(err.to_string().contains("SMTP"), "{err}");
        let err = Config::from_sources(
            None,
            &env(&[
                ("SESAME_MODE", "production"),
                ("SESAME_SMTP_URL", "smtp://x:25"),
            ]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("https"), "{err}");
        let err = Config::from_sources(
            None,
            &env(&[
                ("SESAME_MODE", "production"),
                ("SESAME_SMTP_URL", "smtp://x:25"),
                ("SESAME_ISSUER", "https://id.example.com"),
            ]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("secret key"), "{err}");
        let ok = Config::from_sources(
            None,
            &env(&[
                ("SESAME_MODE", "production"),
                ("SESAME_SMTP_URL", "smtp://x:25"),
                ("SESAME_ISSUER", "https://id.example.com"),
                ("SESAME_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
            ]),
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn redacted_config_hides_secrets() {
        let c = Config::from_sources(
            None,
            &env(&[
                ("SESAME_SECRET_KEY", "0123456789abcdef0123456789abcdefXYZ"),
                ("SESAME_SMTP_URL", "smtp://user:hunter2@x:25"),
            ]),
        )
        .unwrap();
        let text = c.redacted_toml();
        assert!(!text.contains("hunter2"));
        assert!(!text.contains("XYZ"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    const ANNOTATED: &str = include_str!("../config/sesame.toml");

    /// Dotted paths of every key in a TOML value (`login.max_attempts`, ...).
    fn key_paths(v: &toml::Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(t) = v.as_table() {
            for (k, v) in t {
                let path = format!("{prefix}{k}");
                if v.is_table() {
                    key_paths(v, &format!("{path}."), out);
                } else {
                    out.push(path);
                }
            }
        }
    }

    #[test]
    fn annotated_config_file_equals_the_defaults_and_names_every_key() {
        let parsed = Config::from_sources(Some(ANNOTATED), &BTreeMap::new()).unwrap();
        assert_eq!(
            toml::Value::try_from(&parsed).unwrap(),
            toml::Value::try_from(Config::default()).unwrap(),
            "config/sesame.toml must hold exactly the built-in defaults"
        );
        // Optional keys appear as one commented-out `# key = value` line; with those lines
        // uncommented the file must name every key of a fully set configuration.
        let uncommented: String = ANNOTATED
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.split_once(" = ").is_some_and(|(k, _)| {
                        k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    }) =>
                {
                    rest
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let file: toml::Value = toml::from_str(&uncommented).unwrap();
        let _: Config = file.clone().try_into().unwrap();
        let mut full = Config {
            secret_key: Some(SecretString::from("x".repeat(32))),
            ..Config::default()
        };
        full.email.smtp_url = Some(SecretString::from("smtp://127.0.0.1:2525"));
        full.log.format = Some("json".into());
        // Every optional key (None by default, so absent from the defaults' TOML).
        let secret = || Some(SecretString::from("s".repeat(32)));
        full.sms.provider = Some(SmsProvider::Twilio);
        full.sms.allowed_countries = Some(vec!["US".into()]);
        full.sms.twilio.auth_token = secret();
        full.sms.twilio.api_key_sid = Some("SK1".into());
        full.sms.twilio.api_key_secret = secret();
        full.sms.twilio.from = Some("+15005550006".into());
        full.sms.twilio.messaging_service_sid = Some("MG1".into());
        full.sms.webhook.secret = secret();
        full.ops.metrics_token = secret();
        full.registration.initial_access_token = secret();
        let (mut in_file, mut all) = (Vec::new(), Vec::new());
        key_paths(&file, "", &mut in_file);
        key_paths(&toml::Value::try_from(&full).unwrap(), "", &mut all);
        in_file.sort();
        all.sort();
        assert_eq!(in_file, all, "config/sesame.toml must document every key");
    }

    #[test]
    fn limits_are_configurable_from_file_and_env() {
        let file =
            "[limits]\nidentifier_failures_per_hour = 7\n[limits.email]\nper_ip_per_hour = 9\n";
        let c = Config::from_sources(
            Some(file),
            &env(&[
                ("SESAME_LIMITS__TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
                ("SESAME_LIMITS__SMS__PER_IDENTIFIER_PER_DAY", "4"),
            ]),
        )
        .unwrap();
        assert_eq!(c.limits.identifier_failures_per_hour, 7);
        assert_eq!(c.limits.identifier_failures_per_day, 20);
        assert_eq!(c.limits.email.per_ip_per_hour, 9);
        assert_eq!(c.limits.sms.per_identifier_per_day, 4);
        assert_eq!(c.limits.trusted_proxies, ["10.0.0.0/8", "127.0.0.1"]);
        let err = Config::from_sources(
            None,
            &env(&[("SESAME_LIMITS__TRUSTED_PROXIES", "not-an-ip")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("trusted_proxies"), "{err}");
        let err = Config::from_sources(
            Some("[limits]\nip_failures_per_hour = -1\n"),
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("ip_failures_per_hour"), "{err}");
    }

    #[test]
    fn data_dir_follows_the_sqlite_file() {
        let mut c = Config::default();
        c.database.url = "sqlite:///tmp/x/y.db?mode=rwc".into();
        assert_eq!(c.data_dir(), PathBuf::from("/tmp/x"));
        c.database.url = "postgres://localhost/db".into();
        assert_eq!(c.data_dir(), PathBuf::from("data"));
    }
}

//! Loading: built-in defaults, then the TOML file, then `SESAME_*` variables, each layer
//! merged over the one before; the result is deserialised (unknown keys refused) and
//! validated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Config, ConfigError, SecretKeyOrigin};

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
    ("SESAME_CONSOLE_ENABLED", "console.enabled"),
];

/// Environment variables that start with `SESAME_` but are not configuration keys.
const ENV_NOT_CONFIG: &[&str] = &["SESAME_CONFIG"];

/// Whether a variable is one Kubernetes gives every pod of a namespace with a Service
/// named `sesame` (its "service links"): `SESAME_SERVICE_HOST`, `SESAME_SERVICE_PORT`,
/// `SESAME_SERVICE_PORT_<NAME>`, `SESAME_PORT=tcp://10.0.0.1:8080`, and
/// `SESAME_PORT_<PORT>_<PROTO>` with its `_PROTO`, `_PORT` and `_ADDR` forms. They describe
/// the Service, not this server, and are passed over. No setting is named like them.
pub fn is_service_link(name: &str, value: &str) -> bool {
    let Some(rest) = name.strip_prefix("SESAME_") else {
        return false;
    };
    if rest == "SERVICE_HOST" || rest == "SERVICE_PORT" || rest.starts_with("SERVICE_PORT_") {
        return true;
    }
    let url_like = ["tcp://", "udp://", "sctp://"]
        .iter()
        .any(|p| value.starts_with(p));
    if rest == "PORT" {
        return url_like;
    }
    let Some(port_rest) = rest.strip_prefix("PORT_") else {
        return false;
    };
    let mut parts = port_rest.split('_');
    let port_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let proto_ok = parts
        .next()
        .is_some_and(|p| matches!(p, "TCP" | "UDP" | "SCTP"));
    let suffix_ok = match (parts.next(), parts.next()) {
        (None, _) => url_like,
        (Some("PROTO" | "PORT" | "ADDR"), None) => true,
        _ => false,
    };
    port_ok && proto_ok && suffix_ok
}

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
        let mut config = Self::from_sources(file_text.as_deref(), &env)?;
        if let SecretKeyOrigin::File(None) = config.secret_key_origin {
            config.secret_key_origin = SecretKeyOrigin::File(path);
        }
        Ok(config)
    }

    /// Builds a configuration from a TOML text and a map of `SESAME_*` variables.
    pub fn from_sources(
        file_text: Option<&str>,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let mut value = toml::Value::try_from(Config::default())
            .map_err(|e| ConfigError(format!("defaults: {e}")))?;
        let mut origin = SecretKeyOrigin::Unknown;
        if let Some(text) = file_text {
            let file: toml::Value = toml::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
            if file.get("secret_key").is_some() {
                origin = SecretKeyOrigin::File(None);
            }
            merge(&mut value, file);
        }
        let before_env = value.clone();
        let mut applied = Vec::new();
        for (name, raw) in env {
            if ENV_NOT_CONFIG.contains(&name.as_str())
                || name.starts_with("SESAME_TEST_")
                || is_service_link(name, raw)
            {
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
            applied.push((name, key, raw));
        }
        if applied.iter().any(|(_, key, _)| key == "secret_key") {
            origin = SecretKeyOrigin::Environment;
        }
        let mut config: Config = value.try_into().map_err(|e: toml::de::Error| {
            unknown_variable(&before_env, &applied)
                .unwrap_or_else(|| ConfigError(e.message().to_string()))
        })?;
        config.secret_key_origin = origin;
        config.validate()?;
        Ok(config)
    }
}

/// When the configuration does not deserialise, the `SESAME_*` variable that names no
/// setting, if one does: the error then names the variable, not only the key it made up.
fn unknown_variable(
    before_env: &toml::Value,
    applied: &[(&String, String, &String)],
) -> Option<ConfigError> {
    let unknown = |v: toml::Value| {
        v.try_into::<Config>()
            .err()
            .is_some_and(|e| e.message().starts_with("unknown field"))
    };
    if unknown(before_env.clone()) {
        return None; // the file's own unknown key is the error
    }
    applied.iter().find_map(|(name, key, raw)| {
        let mut v = before_env.clone();
        set_path(&mut v, key, raw).ok()?;
        unknown(v).then(|| {
            ConfigError(format!(
                "environment variable {name} is not a Sesame setting (it would set `{key}`, \
                 which does not exist; see docs/configuration.md)"
            ))
        })
    })
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

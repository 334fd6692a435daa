//! Printing the configuration without its secrets (`sesame check-config`).

use secrecy::{ExposeSecret, SecretString};

use super::{Config, SmsConfig};

impl Config {
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

/// Serialises an optional secret as its value, for the merge of layers in
/// [`Config::from_sources`]; printed output goes through [`Config::redacted_toml`].
pub(super) fn ser_secret_opt<S: serde::Serializer>(
    v: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v.expose_secret()),
        None => s.serialize_none(),
    }
}

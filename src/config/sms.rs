//! The `[sms]` section: sign-in with a phone number, the SMS provider, and the limits that
//! keep SMS from being abused (SMS pumping). See docs/sms.md.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::{ser_secret_opt, ConfigError, Mode};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    /// `twilio`, `webhook`, `console` (development only) or `disabled`. Unset: `console` in
    /// development, `disabled` in production (phone numbers are then refused on the page).
    pub provider: Option<SmsProvider>,
    /// Region (ISO 3166-1 alpha-2, e.g. `US`, `GB`) for numbers typed without `+` and a
    /// country code.
    pub default_region: String,
    /// Regions SMS may be sent to. Unset: only `default_region`. `["*"]` allows every
    /// region (not recommended: see docs/sms.md). In the environment, a comma-separated
    /// list: `SESAME_SMS__ALLOWED_COUNTRIES=US,CA`.
    #[serde(deserialize_with = "list_or_csv", default)]
    pub allowed_countries: Option<Vec<String>>,
    /// The message. `{code}`, `{product}` and `{host}` (the issuer's host, for the WebOTP
    /// origin-bound last line) are replaced. Keep the code first and the `@{host} #{code}`
    /// line last so phones can offer to fill the code in.
    pub template: String,
    /// Seconds to wait for the provider before telling the person it failed.
    pub timeout_seconds: u64,
    pub limits: SmsLimits,
    pub twilio: TwilioConfig,
    pub webhook: WebhookConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsProvider {
    Twilio,
    Webhook,
    Console,
    Disabled,
}

/// Send limits, counted in the database and so shared by every replica. A value of 0
/// turns that rule off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsLimits {
    /// Codes sent to one number in a 15-minute window.
    pub per_number_15m: i64,
    /// Codes sent to one number in a day (UTC).
    pub per_number_day: i64,
    /// Codes sent on requests from one IP address (IPv6: one /64) in an hour.
    pub per_ip_hour: i64,
    /// Codes sent on requests from one IP address (IPv6: one /64) in a day (UTC).
    pub per_ip_day: i64,
    /// Messages this deployment sends in a day (UTC), across every replica. When it is
    /// spent, SMS sign-in pauses until midnight UTC; email keeps working.
    pub daily_budget: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TwilioConfig {
    /// The account SID (`AC…`): part of the API path.
    pub account_sid: String,
    /// The account's auth token (Basic auth `AccountSid:AuthToken`). Or use an API key.
    #[serde(serialize_with = "ser_secret_opt")]
    pub auth_token: Option<SecretString>,
    /// An API key SID (`SK…`) and its secret (Basic auth `KeySid:Secret`).
    pub api_key_sid: Option<String>,
    #[serde(serialize_with = "ser_secret_opt")]
    pub api_key_secret: Option<SecretString>,
    /// The sender: a Twilio number in E.164 (or an alphanumeric sender ID)…
    pub from: Option<String>,
    /// …or a Messaging Service SID (`MG…`). Exactly one of the two.
    pub messaging_service_sid: Option<String>,
    /// The API's base URL (tests point it at a local server).
    pub base_url: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Where to POST `{"to": "+1…", "body": "…"}`. https is required in production.
    pub url: String,
    /// The HMAC-SHA256 key of the `X-Sesame-Signature` header (at least 32 characters).
    #[serde(serialize_with = "ser_secret_opt")]
    pub secret: Option<SecretString>,
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig {
            provider: None,
            default_region: "US".into(),
            allowed_countries: None,
            template: "{code} is your {product} code\n\n@{host} #{code}".into(),
            timeout_seconds: 10,
            limits: SmsLimits::default(),
            twilio: TwilioConfig::default(),
            webhook: WebhookConfig::default(),
        }
    }
}

impl Default for SmsLimits {
    fn default() -> Self {
        SmsLimits {
            per_number_15m: 3,
            per_number_day: 10,
            per_ip_hour: 10,
            per_ip_day: 30,
            daily_budget: 1000,
        }
    }
}

impl Default for TwilioConfig {
    fn default() -> Self {
        TwilioConfig {
            account_sid: String::new(),
            auth_token: None,
            api_key_sid: None,
            api_key_secret: None,
            from: None,
            messaging_service_sid: None,
            base_url: "https://api.twilio.com".into(),
        }
    }
}

/// A list in TOML, or a comma-separated string (from the environment).
fn list_or_csv<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        List(Vec<String>),
        Csv(String),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::List(l)) => Some(l),
        Some(Raw::Csv(s)) => Some(
            s.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
        ),
    })
}

/// A region code (`us` or `US`) as the numbering-plan library knows it.
pub fn parse_region(code: &str) -> Option<phonenumber::country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

/// Which regions SMS may go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedCountries {
    Any,
    Only(Vec<phonenumber::country::Id>),
}

impl AllowedCountries {
    pub fn allows(&self, id: Option<phonenumber::country::Id>) -> bool {
        match self {
            AllowedCountries::Any => true,
            AllowedCountries::Only(list) => id.is_some_and(|id| list.contains(&id)),
        }
    }
}

fn err(s: impl Into<String>) -> ConfigError {
    ConfigError(s.into())
}

fn present(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|v| !v.trim().is_empty())
}

fn present_secret(s: &Option<SecretString>) -> bool {
    s.as_ref()
        .is_some_and(|v| !v.expose_secret().trim().is_empty())
}

impl SmsConfig {
    /// The provider in force: the configured one, or the mode's default.
    pub fn effective_provider(&self, mode: Mode) -> SmsProvider {
        match (self.provider, mode) {
            (Some(p), _) => p,
            (None, Mode::Development) => SmsProvider::Console,
            (None, Mode::Production) => SmsProvider::Disabled,
        }
    }

    /// The default region; validated at start-up.
    pub fn default_region_id(&self) -> Option<phonenumber::country::Id> {
        parse_region(&self.default_region)
    }

    /// The allow-list in force (unset: the default region only).
    pub fn allowed(&self) -> AllowedCountries {
        match &self.allowed_countries {
            Some(list) if list.iter().any(|c| c.trim() == "*") => AllowedCountries::Any,
            Some(list) => {
                AllowedCountries::Only(list.iter().filter_map(|c| parse_region(c)).collect())
            }
            None => AllowedCountries::Only(self.default_region_id().into_iter().collect()),
        }
    }

    pub fn validate(&self, mode: Mode, p: &mut Vec<ConfigError>) {
        if self.default_region_id().is_none() {
            p.push(err(format!(
                "sms.default_region `{}` is not a known region code (use ISO 3166-1 alpha-2, such as US or GB)",
                self.default_region
            )));
        }
        if let Some(list) = &self.allowed_countries {
            for c in list {
                if c.trim() != "*" && parse_region(c).is_none() {
                    p.push(err(format!(
                        "sms.allowed_countries: `{c}` is not a known region code"
                    )));
                }
            }
        }
        if !self.template.contains("{code}") {
            p.push(err("sms.template must contain {code}"));
        }
        if self.timeout_seconds == 0 {
            p.push(err("sms.timeout_seconds must be greater than zero"));
        }
        let l = &self.limits;
        for (name, v) in [
            ("per_number_15m", l.per_number_15m),
            ("per_number_day", l.per_number_day),
            ("per_ip_hour", l.per_ip_hour),
            ("per_ip_day", l.per_ip_day),
            ("daily_budget", l.daily_budget),
        ] {
            if v < 0 {
                p.push(err(format!("sms.limits.{name} must be zero (off) or more")));
            }
        }
        let https_only = mode == Mode::Production;
        match self.effective_provider(mode) {
            SmsProvider::Disabled => {}
            SmsProvider::Console => {
                if mode == Mode::Production {
                    p.push(err(
                        "sms.provider = \"console\" is for development only; choose twilio or webhook, or disabled",
                    ));
                }
            }
            SmsProvider::Twilio => self.twilio.validate(https_only, p),
            SmsProvider::Webhook => self.webhook.validate(https_only, p),
        }
    }

    /// Replaces the section's secrets in a rendered configuration.
    pub(super) fn redact(section: &mut toml::Value) {
        let Some(t) = section.as_table_mut() else {
            return;
        };
        for (sub, keys) in [
            ("twilio", &["auth_token", "api_key_secret"][..]),
            ("webhook", &["secret"][..]),
        ] {
            if let Some(s) = t.get_mut(sub).and_then(|v| v.as_table_mut()) {
                for k in keys {
                    if s.contains_key(*k) {
                        s.insert((*k).to_string(), "<set>".into());
                    }
                }
            }
        }
    }
}

fn check_url(name: &str, raw: &str, https_only: bool) -> Result<(), ConfigError> {
    let url = Url::parse(raw).map_err(|e| err(format!("{name} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if !https_only => Ok(()),
        "http" => Err(err(format!("{name} must be an https URL in production"))),
        _ => Err(err(format!("{name} must be an http(s) URL"))),
    }
}

impl TwilioConfig {
    fn validate(&self, https_only: bool, p: &mut Vec<ConfigError>) {
        let sid = self.account_sid.trim();
        if sid.is_empty() {
            p.push(err(
                "sms.twilio.account_sid is required for the twilio provider",
            ));
        }
        if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            p.push(err(
                "sms.twilio.account_sid must be letters and digits (AC…)",
            ));
        }
        let token = present_secret(&self.auth_token);
        let key = present(&self.api_key_sid) || present_secret(&self.api_key_secret);
        match (token, key) {
            (true, true) => p.push(err(
                "sms.twilio: set auth_token or api_key_sid + api_key_secret, not both",
            )),
            (false, false) => p.push(err(
                "sms.twilio: set auth_token, or api_key_sid and api_key_secret",
            )),
            (false, true)
                if !(present(&self.api_key_sid) && present_secret(&self.api_key_secret)) =>
            {
                p.push(err(
                    "sms.twilio: api_key_sid and api_key_secret go together",
                ))
            }
            _ => {}
        }
        match (present(&self.from), present(&self.messaging_service_sid)) {
            (true, false) | (false, true) => {}
            _ => p.push(err(
                "sms.twilio: set exactly one of from and messaging_service_sid",
            )),
        }
        p.extend(check_url("sms.twilio.base_url", &self.base_url, https_only).err());
    }
}

impl WebhookConfig {
    fn validate(&self, https_only: bool, p: &mut Vec<ConfigError>) {
        if self.url.trim().is_empty() {
            p.push(err("sms.webhook.url is required for the webhook provider"));
        } else {
            p.extend(check_url("sms.webhook.url", &self.url, https_only).err());
        }
        if !matches!(&self.secret, Some(s) if s.expose_secret().len() >= 32) {
            p.push(err(
                "sms.webhook.secret is required for the webhook provider (at least 32 characters)",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::collections::BTreeMap;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_send_to_the_console_in_development_and_only_to_the_default_region() {
        let c = Config::from_sources(None, &BTreeMap::new()).unwrap();
        assert_eq!(c.sms.effective_provider(c.mode), SmsProvider::Console);
        assert_eq!(c.sms.default_region, "US");
        let allowed = c.sms.allowed();
        assert!(allowed.allows(parse_region("US")));
        assert!(!allowed.allows(parse_region("GB")));
        assert!(!allowed.allows(None));
        assert_eq!(c.sms.limits.per_number_15m, 3);
        assert_eq!(c.sms.limits.per_number_day, 10);
    }

    #[test]
    fn production_defaults_to_disabled_and_refuses_the_console() {
        let base = [
            ("SESAME_MODE", "production"),
            ("SESAME_SMTP_URL", "smtp://x:25"),
            ("SESAME_ISSUER", "https://id.example.com"),
            ("SESAME_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
            ("SESAME_EMAIL_FROM", "Example <no-reply@example.com>"),
        ];
        let c = Config::from_sources(None, &env(&base)).unwrap();
        assert_eq!(c.sms.effective_provider(c.mode), SmsProvider::Disabled);
        let mut with_console = base.to_vec();
        with_console.push(("SESAME_SMS__PROVIDER", "console"));
        let e = Config::from_sources(None, &env(&with_console)).unwrap_err();
        assert!(e.to_string().contains("development only"), "{e}");
    }

    #[test]
    fn twilio_needs_credentials_and_one_sender() {
        let ok = "[sms]\nprovider = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC123\"\nauth_token = \"tok\"\nfrom = \"+15005550006\"\n";
        Config::from_sources(Some(ok), &BTreeMap::new()).unwrap();
        let key = "[sms]\nprovider = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC123\"\napi_key_sid = \"SK1\"\napi_key_secret = \"s\"\nmessaging_service_sid = \"MG1\"\n";
        Config::from_sources(Some(key), &BTreeMap::new()).unwrap();
        for (bad, words) in [
            ("[sms]\nprovider = \"twilio\"\n", "account_sid"),
            (
                "[sms]\nprovider = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC1\"\nfrom = \"+1\"\n",
                "auth_token",
            ),
            (
                "[sms]\nprovider = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC1\"\nauth_token = \"t\"\n",
                "exactly one",
            ),
            (
                "[sms]\nprovider = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC1\"\nauth_token = \"t\"\nfrom = \"+1\"\nmessaging_service_sid = \"MG\"\n",
                "exactly one",
            ),
            (
                "[sms]\nprovider = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC1\"\napi_key_sid = \"SK\"\nfrom = \"+1\"\n",
                "together",
            ),
            (
                "[sms]\nprovider = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC1/../x\"\nauth_token = \"t\"\nfrom = \"+1\"\n",
                "letters and digits",
            ),
        ] {
            let e = Config::from_sources(Some(bad), &BTreeMap::new()).unwrap_err();
            assert!(e.to_string().contains(words), "{bad}: {e}");
        }
    }

    #[test]
    fn webhook_needs_a_url_and_a_long_secret_and_https_in_production() {
        let e =
            Config::from_sources(None, &env(&[("SESAME_SMS__PROVIDER", "webhook")])).unwrap_err();
        assert!(e.to_string().contains("sms.webhook.url"), "{e}");
        let e = Config::from_sources(
            None,
            &env(&[
                ("SESAME_SMS__PROVIDER", "webhook"),
                ("SESAME_SMS__WEBHOOK__URL", "http://127.0.0.1:9/sms"),
                ("SESAME_SMS__WEBHOOK__SECRET", "short"),
            ]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("32"), "{e}");
        let secret = "0123456789abcdef0123456789abcdef";
        Config::from_sources(
            None,
            &env(&[
                ("SESAME_SMS__PROVIDER", "webhook"),
                ("SESAME_SMS__WEBHOOK__URL", "http://127.0.0.1:9/sms"),
                ("SESAME_SMS__WEBHOOK__SECRET", secret),
            ]),
        )
        .unwrap();
        let e = Config::from_sources(
            None,
            &env(&[
                ("SESAME_MODE", "production"),
                ("SESAME_SMTP_URL", "smtp://x:25"),
                ("SESAME_ISSUER", "https://id.example.com"),
                ("SESAME_SECRET_KEY", secret),
                ("SESAME_SMS__PROVIDER", "webhook"),
                ("SESAME_SMS__WEBHOOK__URL", "http://sms.example.com/hook"),
                ("SESAME_SMS__WEBHOOK__SECRET", secret),
            ]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("https"), "{e}");
    }

    #[test]
    fn regions_are_checked_and_the_allow_list_reads_a_csv_from_the_environment() {
        let e =
            Config::from_sources(None, &env(&[("SESAME_SMS__DEFAULT_REGION", "XX")])).unwrap_err();
        assert!(e.to_string().contains("XX"), "{e}");
        let c = Config::from_sources(None, &env(&[("SESAME_SMS__ALLOWED_COUNTRIES", "us, gb")]))
            .unwrap();
        assert!(c.sms.allowed().allows(parse_region("GB")));
        assert!(!c.sms.allowed().allows(parse_region("FR")));
        let c = Config::from_sources(
            Some("[sms]\nallowed_countries = [\"*\"]\n"),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(c.sms.allowed(), AllowedCountries::Any);
        let e = Config::from_sources(
            Some("[sms]\nallowed_countries = [\"Narnia\"]\n"),
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("Narnia"), "{e}");
        let e = Config::from_sources(Some("[sms]\ntemplate = \"hello\"\n"), &BTreeMap::new())
            .unwrap_err();
        assert!(e.to_string().contains("{code}"), "{e}");
        let e = Config::from_sources(Some("[sms.limits]\ndaily_budget = -1\n"), &BTreeMap::new())
            .unwrap_err();
        assert!(e.to_string().contains("daily_budget"), "{e}");
    }

    #[test]
    fn secrets_are_redacted() {
        let c = Config::from_sources(
            Some("[sms.twilio]\nauth_token = \"hunter2-token\"\n[sms.webhook]\nsecret = \"hunter2-webhook-secret-0123456789abcdef\"\n"),
            &BTreeMap::new(),
        )
        .unwrap();
        let text = c.redacted_toml();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}

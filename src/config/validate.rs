//! Validation: values that parse but make no sense, rules across fields, and the stricter
//! rules of production.

use secrecy::ExposeSecret;

use super::{scale, Config, ConfigError, Mode};

impl Config {
    /// Checks values that parse but make no sense, and production's stricter rules.
    /// Every problem is reported at once, one per line.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError(problems.join("\n")))
        }
    }

    /// Every problem of this configuration, each naming its setting.
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        self.first_problems(&mut found);
        self.sms.validate(self.mode, &mut found);
        self.server.validate(&mut found);
        self.i18n.validate(&self.product_name, &mut found);
        self.console.validate(self.session.ttl_seconds, &mut found);
        scale::validate(self, &mut found);
        self.validate_limits(&mut found);
        self.authorize.validate(&mut found);
        self.device.validate(&mut found);
        let mut problems: Vec<String> = found.into_iter().map(|e| e.0).collect();
        if let Err(e) = self.email.from.trim().parse::<lettre::message::Mailbox>() {
            problems.push(format!(
                "invalid From address: {e} (email.from / SESAME_EMAIL_FROM)"
            ));
        }
        if let Some(url) = &self.email.smtp_url {
            if let Err(e) = super::smtp_url::parse_smtp_url(url.expose_secret()) {
                problems.push(format!("{} (email.smtp_url / SESAME_SMTP_URL)", e.0));
            }
        }
        if self.mode == Mode::Production {
            problems.extend(self.production_problems());
        }
        problems
    }

    fn production_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.email.smtp_url.is_none() {
            problems.push(
                "production mode needs an SMTP URL (email.smtp_url / SESAME_SMTP_URL)".into(),
            );
        }
        if !self.issuer.is_https() {
            problems.push("production mode needs an https issuer (issuer / SESAME_ISSUER)".into());
        }
        if self.secret_key.is_none() {
            problems
                .push("production mode needs a secret key (secret_key / SESAME_SECRET_KEY)".into());
        }
        if sender_is_local(&self.email.from) {
            problems.push(
                "production mode needs a real sender address, not localhost (email.from / SESAME_EMAIL_FROM)"
                    .into(),
            );
        }
        problems
    }

    fn first_problems(&self, p: &mut Vec<ConfigError>) {
        if let Some(secret) = &self.secret_key {
            if secret.expose_secret().len() < 32 {
                p.push(ConfigError(
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
                p.push(ConfigError(format!("{name} must be greater than zero")));
            }
        }
        if self.keys.prepublish_seconds < 0 || self.keys.retain_seconds < 0 {
            p.push(ConfigError(
                "keys.prepublish_seconds and keys.retain_seconds must not be negative".into(),
            ));
        }
        if self.registration.enabled {
            match &self.registration.initial_access_token {
                Some(t) if t.expose_secret().len() >= 32 => {}
                _ => {
                    p.push(ConfigError(
                        "registration.enabled needs registration.initial_access_token (at least 32 characters)"
                            .into(),
                    ))
                }
            }
        }
    }

    fn validate_limits(&self, p: &mut Vec<ConfigError>) {
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
                p.push(ConfigError(format!(
                    "limits.{name} must be zero (off) or more"
                )));
            }
        }
        if l.ip_delay_max_ms > 60_000 {
            p.push(ConfigError(
                "limits.ip_delay_max_ms must be at most 60000".into(),
            ));
        }
    }
}

/// Whether an email `From` value names a localhost address (`Sesame <no-reply@localhost>`).
fn sender_is_local(from: &str) -> bool {
    let address = match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from,
    };
    let domain = address.rsplit('@').next().unwrap_or("").trim();
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    domain == "localhost" || domain.ends_with(".localhost") || domain == "127.0.0.1"
}

//! Delivery of one-time codes by SMS.
//!
//! Three senders, chosen by `[sms] provider`:
//! * [`twilio`]: Twilio's Messages REST API (form POST, HTTP Basic auth);
//! * [`webhook`]: a JSON POST to any HTTPS endpoint, signed with HMAC-SHA256, for every
//!   other provider;
//! * a console sender that prints the code (development only).
//!
//! The message is a short template with the code first and the WebOTP origin-bound line
//! last (`@issuer-host #123456`), so phones can offer to fill the code in on our page.
//! Errors name the provider's HTTP status and error code; they never contain the code,
//! the full number or a credential.

pub mod twilio;
pub mod webhook;

use std::io::Write as _;
use std::time::Duration;

use crate::config::{Mode, SmsConfig, SmsProvider};

pub use crate::channel::mask_phone;

use super::{one_line, CodeMessage, DeliveryError};

/// Why a text message was not sent. The texts are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    #[error("SMS delivery is disabled")]
    Disabled,
    #[error("the recipient is not an E.164 phone number")]
    InvalidRecipient,
    #[error("{provider}: no answer within {after_ms} ms")]
    Timeout {
        provider: &'static str,
        after_ms: u128,
    },
    #[error("{provider}: {detail}")]
    Transport {
        provider: &'static str,
        detail: String,
    },
    #[error("{provider} refused the message: HTTP {status}{}{}", code.as_ref().map(|c| format!(", error code {c}")).unwrap_or_default(), if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    Rejected {
        provider: &'static str,
        status: u16,
        /// The provider's own error code (Twilio: e.g. 21211), when it gave one.
        code: Option<String>,
        /// The provider's explanation, with the number and code removed.
        detail: String,
    },
}

impl SmsError {
    /// The provider's HTTP status, for logs and audit events.
    pub fn status(&self) -> Option<u16> {
        match self {
            SmsError::Rejected { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The provider's error code, for logs and audit events.
    pub fn provider_code(&self) -> Option<&str> {
        match self {
            SmsError::Rejected { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// Sends one-time codes by SMS. Build it once; cheap to share.
pub struct SmsSender {
    kind: Kind,
    template: String,
    /// The issuer's host (no port: the WebOTP format has none).
    host: String,
}

enum Kind {
    Disabled,
    Console,
    Twilio(twilio::TwilioSender),
    Webhook(webhook::WebhookSender),
}

impl std::fmt::Debug for SmsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSender")
            .field("provider", &self.provider_name())
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl SmsSender {
    /// Builds the sender named in the configuration (already validated).
    pub fn new(cfg: &SmsConfig, mode: Mode, issuer: &str) -> Result<SmsSender, DeliveryError> {
        let timeout = Duration::from_secs(cfg.timeout_seconds.max(1));
        Self::with_timeout(cfg, mode, issuer, timeout)
    }

    /// As [`SmsSender::new`], with an explicit provider timeout.
    pub fn with_timeout(
        cfg: &SmsConfig,
        mode: Mode,
        issuer: &str,
        timeout: Duration,
    ) -> Result<SmsSender, DeliveryError> {
        let host = url::Url::parse(issuer)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .ok_or_else(|| DeliveryError::Config("the issuer has no host".into()))?;
        let kind = match cfg.effective_provider(mode) {
            SmsProvider::Disabled => Kind::Disabled,
            SmsProvider::Console if mode == Mode::Production => {
                return Err(DeliveryError::Config(
                    "the console SMS sender is for development only".into(),
                ))
            }
            SmsProvider::Console => Kind::Console,
            SmsProvider::Twilio => Kind::Twilio(twilio::TwilioSender::new(
                &cfg.twilio,
                http_client(timeout)?,
                timeout,
            )),
            SmsProvider::Webhook => Kind::Webhook(webhook::WebhookSender::new(
                &cfg.webhook,
                http_client(timeout)?,
                timeout,
            )?),
        };
        Ok(SmsSender {
            kind,
            template: cfg.template.clone(),
            host,
        })
    }

    /// False when phone numbers cannot be used to sign in here.
    pub fn is_enabled(&self) -> bool {
        !matches!(self.kind, Kind::Disabled)
    }

    pub fn provider_name(&self) -> &'static str {
        match self.kind {
            Kind::Disabled => "disabled",
            Kind::Console => "console",
            Kind::Twilio(_) => twilio::NAME,
            Kind::Webhook(_) => webhook::NAME,
        }
    }

    /// The text of the message: the template with `{code}`, `{product}` and `{host}`.
    /// The default template is written in the message's language (its origin-bound last
    /// line stays as it is); an operator's own template is used as written.
    pub fn render(&self, msg: &CodeMessage<'_>) -> String {
        if self.template == DEFAULT_TEMPLATE {
            let first = msg.tr.t1("sms-text", "code", msg.code);
            let template = format!("{}\n\n@{{host}} #{{code}}", one_line(&first));
            return render_template(&template, msg.code, msg.product_name, &self.host);
        }
        render_template(&self.template, msg.code, msg.product_name, &self.host)
    }

    /// Sends the code to `msg.to` (E.164). `now` is the clock's Unix time (it dates the
    /// webhook signature).
    pub async fn send_code(&self, msg: &CodeMessage<'_>, now: i64) -> Result<(), SmsError> {
        if !is_e164(msg.to) {
            return Err(SmsError::InvalidRecipient);
        }
        let body = self.render(msg);
        let masked = mask_phone(msg.to);
        let result = match &self.kind {
            Kind::Disabled => Err(SmsError::Disabled),
            Kind::Console => {
                console_deliver(msg, &body);
                Ok(())
            }
            Kind::Twilio(t) => t.send(msg.to, &body).await,
            Kind::Webhook(w) => w.send(msg.to, &body, now).await,
        };
        // Whatever a provider echoed back, the code and the number never reach a log.
        let result = result.map_err(|e| scrub_error(e, msg.code, msg.to));
        match &result {
            Ok(()) => tracing::info!(
                provider = self.provider_name(),
                to = %masked,
                "one-time code sent by SMS"
            ),
            Err(e) => tracing::warn!(
                provider = self.provider_name(),
                to = %masked,
                provider_status = e.status(),
                provider_code = e.provider_code(),
                error = %e,
                "sending a one-time code by SMS failed"
            ),
        }
        result
    }
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, DeliveryError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Sesame/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| DeliveryError::Config(format!("SMS HTTP client: {e}")))
}

/// Renders a message template. The product name is made one line; the code and host are
/// ours.
pub fn render_template(template: &str, code: &str, product: &str, host: &str) -> String {
    template
        .replace("{product}", &one_line(product))
        .replace("{host}", host)
        .replace("{code}", code)
}

/// The `[sms] template` every deployment has until its operator writes another.
pub const DEFAULT_TEMPLATE: &str = "{code} is your {product} code\n\n@{host} #{code}";

/// `+` and 8 to 15 digits.
fn is_e164(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|d| {
        (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

/// Removes the code and the number from any text a provider sent back, and bounds it.
pub(crate) fn scrub(text: &str, code: &str, to: &str) -> String {
    let mut out = one_line(text);
    for secret in [code, to, to.trim_start_matches('+')] {
        if secret.len() >= 4 {
            out = out.replace(secret, "[redacted]");
        }
    }
    if out.chars().count() > 200 {
        out = out.chars().take(200).collect::<String>() + "…";
    }
    out
}

fn scrub_error(e: SmsError, code: &str, to: &str) -> SmsError {
    match e {
        SmsError::Transport { provider, detail } => SmsError::Transport {
            provider,
            detail: scrub(&detail, code, to),
        },
        SmsError::Rejected {
            provider,
            status,
            code: c,
            detail,
        } => SmsError::Rejected {
            provider,
            status,
            code: c.map(|c| scrub(&c, code, to)),
            detail: scrub(&detail, code, to),
        },
        other => other,
    }
}

/// Turns a reqwest failure into an error without the URL (a webhook URL may carry a
/// token).
fn transport_error(provider: &'static str, e: reqwest::Error, timeout: Duration) -> SmsError {
    if e.is_timeout() {
        SmsError::Timeout {
            provider,
            after_ms: timeout.as_millis(),
        }
    } else if e.is_connect() {
        SmsError::Transport {
            provider,
            detail: "could not connect".into(),
        }
    } else {
        SmsError::Transport {
            provider,
            detail: e.without_url().to_string(),
        }
    }
}

/// Reads at most 16 KiB of an error response.
async fn read_error_body(res: reqwest::Response) -> String {
    match res.bytes().await {
        Ok(b) => String::from_utf8_lossy(&b[..b.len().min(16 * 1024)]).into_owned(),
        Err(_) => String::new(),
    }
}

fn console_deliver(msg: &CodeMessage<'_>, body: &str) {
    let mut block = String::from("\n######## SMS (development: NOT sent) ########\n");
    block.push_str(&format!("To: {}\n", msg.to));
    for line in body.lines() {
        block.push_str(format!("| {}", one_line(line)).trim_end());
        block.push('\n');
    }
    block.push_str("##############################################\n\n");
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(block.as_bytes());
    let _ = stdout.flush();
    // The code is printed above for the developer, never written to the log.
    tracing::info!(
        target: "sesame::console",
        to = %mask_phone(msg.to),
        "development console SMS: code printed to the terminal"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(to: &str) -> CodeMessage<'_> {
        CodeMessage {
            to,
            code: "123456",
            product_name: "Sesame",
            client_name: "Demo",
            issuer_host: "id.example.com:8443",
            expires_minutes: 15,
            link: Some("https://id.example.com/login/link?tx=t&k=secret"),
            tr: crate::i18n::builtin().tr(crate::i18n::builtin().default_locale()),
        }
    }

    #[test]
    fn the_default_message_is_written_in_the_sign_ins_language_an_operators_as_written() {
        let i18n = crate::i18n::builtin();
        let de = CodeMessage {
            tr: i18n.tr(i18n.find("de").unwrap()),
            ..sample("+4915123456789")
        };
        let s = SmsSender::new(
            &SmsConfig::default(),
            Mode::Development,
            "https://id.example.com",
        )
        .unwrap();
        assert_eq!(
            s.render(&de),
            "123456 ist Ihr Sesame-Code\n\n@id.example.com #123456"
        );
        let own = SmsConfig {
            template: "Code {code} ({product})".into(),
            ..SmsConfig::default()
        };
        let s = SmsSender::new(&own, Mode::Development, "https://id.example.com").unwrap();
        assert_eq!(s.render(&de), "Code 123456 (Sesame)");
    }

    #[test]
    fn the_default_message_puts_the_code_first_and_the_origin_bound_line_last() {
        let cfg = SmsConfig::default();
        let s = SmsSender::new(&cfg, Mode::Development, "https://id.example.com:8443").unwrap();
        let text = s.render(&sample("+16502530000"));
        assert_eq!(
            text,
            "123456 is your Sesame code\n\n@id.example.com #123456"
        );
        assert!(text.len() <= 160);
    }

    #[test]
    fn product_names_cannot_break_lines() {
        assert_eq!(
            render_template("{code} {product}\n@{host} #{code}", "1", "A\nB", "h"),
            "1 A B\n@h #1"
        );
    }

    #[test]
    fn provider_text_is_scrubbed_of_code_and_number() {
        let t = scrub(
            "The 'To' number +16502530000 (16502530000) got 123456\r\nX: y",
            "123456",
            "+16502530000",
        );
        assert!(!t.contains("123456") && !t.contains("6502530000"), "{t}");
        assert!(!t.contains('\n'));
        assert!(
            scrub(&"x".repeat(1000), "123456", "+16502530000")
                .chars()
                .count()
                <= 201
        );
    }

    #[test]
    fn production_refuses_the_console_sender() {
        let mut cfg = SmsConfig {
            provider: Some(SmsProvider::Console),
            ..Default::default()
        };
        assert!(SmsSender::new(&cfg, Mode::Production, "https://id.example.com").is_err());
        cfg.provider = None;
        let s = SmsSender::new(&cfg, Mode::Production, "https://id.example.com").unwrap();
        assert!(!s.is_enabled());
    }

    #[tokio::test]
    async fn console_sender_succeeds_and_disabled_refuses() {
        let cfg = SmsConfig::default();
        let s = SmsSender::new(&cfg, Mode::Development, "http://localhost:8080").unwrap();
        assert!(s.is_enabled());
        s.send_code(&sample("+16502530000"), 0).await.unwrap();
        assert_eq!(
            s.send_code(&sample("not a number"), 0).await,
            Err(SmsError::InvalidRecipient)
        );
        let off = SmsConfig {
            provider: Some(SmsProvider::Disabled),
            ..Default::default()
        };
        let s = SmsSender::new(&off, Mode::Development, "http://localhost:8080").unwrap();
        assert_eq!(
            s.send_code(&sample("+16502530000"), 0).await,
            Err(SmsError::Disabled)
        );
    }
}

//! The mailer: SMTP or the development console; one rendered message per code.

use std::fmt;
use std::io::Write as _;
use std::time::Duration;

use lettre::message::{Mailbox, Message, MultiPart};
use lettre::Address;
use secrecy::{ExposeSecret, SecretString};

use super::render::*;
use super::{mask_email, one_line, smtp, CodeMessage, DeliveryError};
use crate::config::smtp_url::{parse_smtp_url, Security, SmtpSettings};

/// Sends one-time codes. Cheap to share (`Send + Sync`); build it once.
pub struct Mailer {
    from: Mailbox,
    subject_template: String,
    kind: Kind,
}

pub(super) enum Kind {
    Console,
    Smtp(Box<SmtpSender>),
}

pub(super) struct SmtpSender {
    settings: SmtpSettings,
    timeout: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mailer");
        d.field("from", &self.from.to_string());
        d.field("subject_template", &self.subject_template);
        match &self.kind {
            Kind::Console => {
                d.field("kind", &"console");
            }
            Kind::Smtp(s) => {
                d.field("kind", &"smtp");
                d.field("host", &s.settings.host);
                d.field("port", &s.settings.port);
                d.field("security", &s.settings.security);
                d.field(
                    "user",
                    &s.settings
                        .credentials
                        .as_ref()
                        .map(|(user, _)| user.as_str()),
                );
                d.field("timeout", &s.timeout);
            }
        }
        d.finish_non_exhaustive()
    }
}

impl Mailer {
    /// `smtp_url`: `None` => console sender (development).
    /// `from`: e.g. `"Sesame <no-reply@localhost>"`.
    /// `subject_template`: e.g. `"{code} is your {product} code"` (`{code}` and
    /// `{product}` are replaced).
    pub fn new(
        smtp_url: Option<&SecretString>,
        from: &str,
        subject_template: &str,
        timeout: Duration,
    ) -> Result<Mailer, DeliveryError> {
        let from: Mailbox = from
            .trim()
            .parse()
            .map_err(|e| DeliveryError::Config(format!("invalid From address: {e}")))?;
        let kind = match smtp_url {
            None => Kind::Console,
            Some(url) => {
                if timeout.is_zero() {
                    return Err(DeliveryError::Config(
                        "the SMTP timeout must be greater than zero".into(),
                    ));
                }
                let settings =
                    parse_smtp_url(url.expose_secret()).map_err(|e| DeliveryError::Config(e.0))?;
                if settings.security != Security::Plain {
                    // Fail at start-up, not at the first send, when TLS cannot be set up.
                    native_tls::TlsConnector::new().map_err(|e| {
                        DeliveryError::Config(format!("SMTP TLS setup failed: {e}"))
                    })?;
                }
                Kind::Smtp(Box::new(SmtpSender { settings, timeout }))
            }
        };
        Ok(Mailer {
            from,
            subject_template: subject_template.to_owned(),
            kind,
        })
    }

    /// True when codes are printed to the console instead of being emailed.
    pub fn is_console(&self) -> bool {
        matches!(self.kind, Kind::Console)
    }

    /// Sends the code message to `msg.to`: [`Mailer::prepare`] then [`Mailer::deliver`].
    pub async fn send_code(&self, msg: &CodeMessage<'_>) -> Result<(), DeliveryError> {
        let prepared = self.prepare(msg)?;
        self.deliver(prepared, msg).await
    }

    /// Everything before the network: checks the recipient, renders the subject and both
    /// bodies and builds the MIME message. The sign-in does this for every code, sent or
    /// not, so both paths cost the same (see docs/security.md, enumeration).
    pub fn prepare(&self, msg: &CodeMessage<'_>) -> Result<PreparedMessage, DeliveryError> {
        let subject = subject_for(&self.subject_template, msg);
        let to: Address = match msg.to.trim().parse() {
            Ok(a) => a,
            Err(_) => {
                tracing::warn!(to = %mask_email(msg.to), "refusing to send a code to an invalid address");
                return Err(DeliveryError::Send("invalid recipient address".into()));
            }
        };
        let email = build_message(&self.from, to.clone(), &subject, msg)?;
        Ok(PreparedMessage { to, subject, email })
    }

    /// Hands a prepared message to the sender.
    pub async fn deliver(
        &self,
        prepared: PreparedMessage,
        msg: &CodeMessage<'_>,
    ) -> Result<(), DeliveryError> {
        let masked = mask_email(msg.to);
        let PreparedMessage { to, subject, email } = prepared;
        match &self.kind {
            Kind::Console => {
                console_deliver(msg, &to, &subject);
                Ok(())
            }
            Kind::Smtp(sender) => {
                // The timeout bounds the TCP connect and, here, the whole exchange.
                let overall = sender.timeout;
                let envelope = email.envelope().clone();
                let body = email.formatted();
                let result = tokio::time::timeout(
                    overall,
                    smtp::send(&sender.settings, overall, &envelope, &body),
                )
                .await;
                let err = match result {
                    Ok(Ok(())) => {
                        tracing::info!(
                            to = %masked,
                            client = ?msg.client_name,
                            "one-time code sent by email"
                        );
                        return Ok(());
                    }
                    Ok(Err(e)) => redact(&e, msg.code, msg.to, &sender.settings),
                    Err(_) => format!("timed out after {} ms", overall.as_millis()),
                };
                let err = match msg.link {
                    Some(link) if !link.is_empty() => err.replace(link, "[redacted]"),
                    _ => err,
                };
                tracing::warn!(to = %masked, error = %err, "sending a one-time code by email failed");
                Err(DeliveryError::Send(err))
            }
        }
    }
}

/// A rendered code message, ready for [`Mailer::deliver`]. Its `Debug` hides the content.
pub struct PreparedMessage {
    to: Address,
    subject: String,
    email: Message,
}

impl fmt::Debug for PreparedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PreparedMessage(<redacted>)")
    }
}

pub(super) fn build_message(
    from: &Mailbox,
    to: Address,
    subject: &str,
    msg: &CodeMessage<'_>,
) -> Result<Message, DeliveryError> {
    let (text, html) = render_bodies(msg)?;
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(subject)
        .message_id(Some(message_id(msg.issuer_host)?))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| DeliveryError::Send(format!("could not build the message: {e}")))
}

/// A fresh Message-ID in the issuer's domain (`<random@id.example.com>`), not the machine's
/// host name, which says nothing to the person and may be internal.
fn message_id(issuer_host: &str) -> Result<String, DeliveryError> {
    let domain = match issuer_host.strip_prefix('[') {
        // An IPv6 literal keeps its brackets (RFC 5322 domain-literal).
        Some(v6) => format!("[{}]", v6.split(']').next().unwrap_or(v6)),
        None => issuer_host.split(':').next().unwrap_or("").to_owned(),
    };
    let domain = if domain.is_empty() || domain == "[]" {
        "sesame.invalid".to_owned()
    } else {
        domain
    };
    let local = crate::crypto::random_token(18)
        .map_err(|e| DeliveryError::Send(format!("could not make a Message-ID: {e}")))?;
    Ok(format!("<{local}@{domain}>"))
}

/// Removes anything secret from an error text: the password, the code and the full
/// address (a server's rejection often quotes it), which is replaced by its mask.
pub(super) fn redact(text: &str, code: &str, to: &str, settings: &SmtpSettings) -> String {
    let mut out = one_line(text);
    if !to.is_empty() {
        out = out.replace(to, &mask_email(to));
    }
    if let Some((_, password)) = &settings.credentials {
        let password = password.expose_secret();
        if !password.is_empty() {
            out = out.replace(password, "[redacted]");
        }
    }
    if !code.is_empty() {
        out = out.replace(code, "[redacted]");
    }
    out
}

// ---------------------------------------------------------------------------
// Console sender (development only)

pub(super) fn console_deliver(msg: &CodeMessage<'_>, to: &Address, subject: &str) {
    let product = one_line(msg.product_name);
    let client = one_line(msg.client_name);
    let code = one_line(msg.code);
    let mut lines = vec![
        format!("{product} (development): code for {to} is {code}"),
        format!("Subject: {subject}"),
        format!(
            "For: {client}, expires in {}",
            expires_text(msg.expires_minutes)
        ),
    ];
    if let Some(link) = msg.link {
        lines.push(format!("Or open, in the same browser: {}", one_line(link)));
    }
    lines.push("No SMTP server is configured: this code was NOT emailed.".to_owned());
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) + 4;
    let mut block = String::new();
    block.push('\n');
    block.push_str(&"#".repeat(width + 2));
    block.push('\n');
    block.push_str(&format!("#{}#\n", " ".repeat(width)));
    for line in &lines {
        let pad = width - 2 - line.chars().count();
        block.push_str(&format!("#  {line}{}#\n", " ".repeat(pad)));
    }
    block.push_str(&format!("#{}#\n", " ".repeat(width)));
    block.push_str(&"#".repeat(width + 2));
    block.push_str("\n\n");
    let mut stdout = std::io::stdout().lock();
    // Never panic on a closed stdout.
    let _ = stdout.write_all(block.as_bytes());
    let _ = stdout.flush();
    // The code is printed above for the developer, never written to the log.
    tracing::info!(
        target: "sesame::console",
        to = %mask_email(to.as_ref()),
        client = ?msg.client_name,
        "development console delivery: code printed to the terminal"
    );
}

// ---------------------------------------------------------------------------
// SMTP configuration

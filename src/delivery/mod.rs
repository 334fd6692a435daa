//! Delivery of one-time codes by email.
//!
//! Two senders exist:
//! * SMTP (one conversation per message over a socket with `TCP_NODELAY`, see
//!   [`smtp`]), configured by an `smtp://` or `smtps://` URL;
//! * a console sender, used when no SMTP URL is configured: it prints the code
//!   to stdout and to the log. It is meant for development only.
//!
//! Secrets (the code, the SMTP password) never appear in `Debug` output, in
//! error texts or in SMTP logs.

pub mod sms;
mod smtp;

use std::fmt;
use std::io::Write as _;
use std::time::Duration;

use askama::Template;
use lettre::message::{Mailbox, Message, MultiPart};
use lettre::Address;
use secrecy::{ExposeSecret, SecretString};

/// Everything needed to write one code message.
pub struct CodeMessage<'a> {
    /// Normalised email address (already validated by the caller).
    pub to: &'a str,
    /// The one-time code, e.g. "123456".
    pub code: &'a str,
    /// Product name, e.g. "Sesame".
    pub product_name: &'a str,
    /// The application being signed in to, e.g. "Demo app".
    pub client_name: &'a str,
    /// Host of the issuer, e.g. "localhost:8080".
    pub issuer_host: &'a str,
    /// Minutes until the code expires.
    pub expires_minutes: i64,
}

impl fmt::Debug for CodeMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeMessage")
            .field("to", &mask_email(self.to))
            .field("code", &"[redacted]")
            .field("product_name", &self.product_name)
            .field("client_name", &self.client_name)
            .field("issuer_host", &self.issuer_host)
            .field("expires_minutes", &self.expires_minutes)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Bad SMTP URL, bad From address, bad timeout.
    #[error("invalid delivery configuration: {0}")]
    Config(String),
    /// SMTP failure or timeout, or a recipient that is not a valid address.
    /// The text never contains the code or a password.
    #[error("the message could not be sent: {0}")]
    Send(String),
}

/// Sends one-time codes. Cheap to share (`Send + Sync`); build it once.
pub struct Mailer {
    from: Mailbox,
    subject_template: String,
    kind: Kind,
}

enum Kind {
    Console,
    Smtp(Box<SmtpSender>),
}

struct SmtpSender {
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
                let settings = parse_smtp_url(url.expose_secret())?;
                if settings.security != Security::Plain {
                    // Fail at start-up, not at the first send, when TLS cannot be set up.
                    native_tls::TlsConnector::new()
                        .map_err(|e| config_err(format!("SMTP TLS setup failed: {e}")))?;
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
        let subject = render_subject(&self.subject_template, msg.code, msg.product_name);
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

/// Masks an email address for logs and pages: `alice@example.com` ->
/// `a***@example.com`. Local parts of one character are fully masked; a value
/// without `@` becomes `***`.
pub fn mask_email(addr: &str) -> String {
    let addr = addr.trim();
    match addr.rsplit_once('@') {
        None => "***".to_owned(),
        Some((local, domain)) => {
            let mut chars = local.chars();
            match (chars.next(), chars.next()) {
                (Some(first), Some(_)) if !first.is_control() => {
                    format!("{first}***@{}", one_line(domain))
                }
                _ => format!("***@{}", one_line(domain)),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Rendering

#[derive(Template)]
#[template(path = "email_code.txt", escape = "none")]
struct CodeText<'a> {
    code: &'a str,
    product_name: &'a str,
    client_name: &'a str,
    issuer_host: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "email_code.html")]
struct CodeHtml<'a> {
    code: &'a str,
    product_name: &'a str,
    client_name: &'a str,
    issuer_host: &'a str,
    expires: &'a str,
}

/// Replaces control characters (CR, LF, tabs, ...) and Unicode line
/// separators with spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Renders the subject: `{code}` and `{product}` are replaced, then control
/// characters (CR/LF in particular) are removed so nothing can be smuggled
/// into the header block.
fn render_subject(template: &str, code: &str, product: &str) -> String {
    let s = template
        .replace("{code}", code)
        .replace("{product}", product);
    let s = one_line(&s);
    s.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn expires_text(minutes: i64) -> String {
    if minutes <= 1 {
        "1 minute".to_owned()
    } else {
        format!("{minutes} minutes")
    }
}

/// Renders (text, html) bodies.
fn render_bodies(msg: &CodeMessage<'_>) -> Result<(String, String), DeliveryError> {
    let code = one_line(msg.code);
    let product_name = one_line(msg.product_name);
    let client_name = one_line(msg.client_name);
    let issuer_host = one_line(msg.issuer_host);
    let expires = expires_text(msg.expires_minutes);
    let text = CodeText {
        code: &code,
        product_name: &product_name,
        client_name: &client_name,
        issuer_host: &issuer_host,
        expires: &expires,
    }
    .render()
    .map_err(|e| DeliveryError::Send(format!("could not render the message: {e}")))?;
    let html = CodeHtml {
        code: &code,
        product_name: &product_name,
        client_name: &client_name,
        issuer_host: &issuer_host,
        expires: &expires,
    }
    .render()
    .map_err(|e| DeliveryError::Send(format!("could not render the message: {e}")))?;
    Ok((text, html))
}

fn build_message(
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
        .message_id(None)
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| DeliveryError::Send(format!("could not build the message: {e}")))
}

/// Removes anything secret from an error text: the password, the code and the full
/// address (a server's rejection often quotes it), which is replaced by its mask.
fn redact(text: &str, code: &str, to: &str, settings: &SmtpSettings) -> String {
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

fn console_deliver(msg: &CodeMessage<'_>, to: &Address, subject: &str) {
    let product = one_line(msg.product_name);
    let client = one_line(msg.client_name);
    let code = one_line(msg.code);
    let lines = [
        format!("{product} (development): code for {to} is {code}"),
        format!("Subject: {subject}"),
        format!(
            "For: {client}, expires in {}",
            expires_text(msg.expires_minutes)
        ),
        "No SMTP server is configured: this code was NOT emailed.".to_owned(),
    ];
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtp://`: no TLS at all (local sinks, tests).
    Plain,
    /// `smtp://...?tls=required`: STARTTLS, mandatory.
    StartTls,
    /// `smtps://`: implicit TLS.
    Implicit,
}

struct SmtpSettings {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<(String, SecretString)>,
}

fn config_err(s: impl Into<String>) -> DeliveryError {
    DeliveryError::Config(s.into())
}

/// Parses an SMTP URL. Error texts never include the URL (it may contain a
/// password).
fn parse_smtp_url(raw: &str) -> Result<SmtpSettings, DeliveryError> {
    let url =
        url::Url::parse(raw.trim()).map_err(|e| config_err(format!("invalid SMTP URL: {e}")))?;
    let mut tls: Option<String> = None;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "tls" if tls.is_none() => tls = Some(value.into_owned()),
            "tls" => return Err(config_err("SMTP URL: `tls` given more than once")),
            other => {
                return Err(config_err(format!(
                    "SMTP URL: unsupported query parameter `{}`",
                    one_line(other)
                )))
            }
        }
    }
    let (security, default_port) =
        match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, 25),
            ("smtp", Some("required")) => (Security::StartTls, 25),
            ("smtp", Some(_)) => return Err(config_err(
                "SMTP URL: the only supported `tls` value is `required` (omit it for plain SMTP)",
            )),
            ("smtps", None) => (Security::Implicit, 465),
            ("smtps", Some(_)) => {
                return Err(config_err(
                    "SMTP URL: `smtps://` always uses TLS; remove the `tls` parameter",
                ))
            }
            (scheme, _) => {
                return Err(config_err(format!(
                    "SMTP URL: unsupported scheme `{}` (use smtp:// or smtps://)",
                    one_line(scheme)
                )))
            }
        };
    let host = match url.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(config_err("SMTP URL: missing host")),
    };
    if !(url.path().is_empty() || url.path() == "/") {
        return Err(config_err("SMTP URL: a path is not supported"));
    }
    if url.fragment().is_some() {
        return Err(config_err("SMTP URL: a fragment is not supported"));
    }
    let port = url.port().unwrap_or(default_port);
    let credentials = match (url.username(), url.password()) {
        ("", None) => None,
        ("", Some(_)) => return Err(config_err("SMTP URL: a password without a user name")),
        (_, None) => return Err(config_err("SMTP URL: a user name without a password")),
        (user, Some(password)) => {
            let user = percent_decode(user)
                .ok_or_else(|| config_err("SMTP URL: the user name is not valid UTF-8"))?;
            let password = percent_decode(password)
                .ok_or_else(|| config_err("SMTP URL: the password is not valid UTF-8"))?;
            Some((user, SecretString::from(password)))
        }
    };
    Ok(SmtpSettings {
        host,
        port,
        security,
        credentials,
    })
}

/// The URL's user name and password are percent-encoded (`url` leaves them so); `None`
/// when the decoded bytes are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    fn sample<'a>(to: &'a str, client_name: &'a str) -> CodeMessage<'a> {
        CodeMessage {
            to,
            code: "123456",
            product_name: "Sesame",
            client_name,
            issuer_host: "localhost:8080",
            expires_minutes: 10,
        }
    }

    #[test]
    fn subject_rendering() {
        assert_eq!(
            render_subject("{code} is your {product} code", "123456", "Sesame"),
            "123456 is your Sesame code"
        );
        assert_eq!(
            render_subject("no placeholders", "1", "p"),
            "no placeholders"
        );
        assert_eq!(
            render_subject("{code} {code} {product}", "42", "X"),
            "42 42 X"
        );
    }

    #[test]
    fn subject_strips_crlf() {
        let s = render_subject(
            "{code} is your {product} code",
            "123456",
            "Sesame\r\nBcc: x@y",
        );
        assert!(!s.contains('\r') && !s.contains('\n'), "{s:?}");
        assert_eq!(s, "123456 is your Sesame Bcc: x@y code");
        let s = render_subject("{code}\n{product}\u{2028}\t!", "1", "p");
        assert_eq!(s, "1 p !");
    }

    #[test]
    fn mask_email_cases() {
        assert_eq!(mask_email("alice@example.com"), "a***@example.com");
        assert_eq!(mask_email("ab@example.com"), "a***@example.com");
        assert_eq!(mask_email("a@example.com"), "***@example.com");
        assert_eq!(mask_email("@example.com"), "***@example.com");
        assert_eq!(mask_email("no-at-sign"), "***");
        assert_eq!(mask_email(""), "***");
        assert_eq!(mask_email("éloïse@exemple.fr"), "é***@exemple.fr");
        assert_eq!(mask_email("x\"@y\"@z.org"), "x***@z.org");
    }

    #[test]
    fn url_plain() {
        let s = parse_smtp_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(s.host, "127.0.0.1");
        assert_eq!(s.port, 2525);
        assert_eq!(s.security, Security::Plain);
        assert!(s.credentials.is_none());
        let s = parse_smtp_url("smtp://mail.example.com").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("mail.example.com", 25));
        let s = parse_smtp_url("smtp://mail.example.com/").unwrap();
        assert_eq!(s.port, 25);
        let s = parse_smtp_url("smtp://[::1]:2525").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("::1", 2525));
    }

    #[test]
    fn url_starttls_and_implicit() {
        let s = parse_smtp_url("smtp://mail.example.com:587?tls=required").unwrap();
        assert_eq!(s.security, Security::StartTls);
        assert_eq!(s.port, 587);
        let s = parse_smtp_url("smtp://mail.example.com?tls=required").unwrap();
        assert_eq!(s.port, 25);
        let s = parse_smtp_url("smtps://mail.example.com").unwrap();
        assert_eq!(s.security, Security::Implicit);
        assert_eq!(s.port, 465);
        let s = parse_smtp_url("SMTPS://mail.example.com:4650").unwrap();
        assert_eq!(s.port, 4650);
    }

    #[test]
    fn url_credentials() {
        let s = parse_smtp_url("smtps://user%40example.com:p%40ss%3Aw%2Fd%25@mail.example.com")
            .unwrap();
        let (user, password) = s.credentials.unwrap();
        assert_eq!(user, "user@example.com");
        assert_eq!(password.expose_secret(), "p@ss:w/d%");
        let s = parse_smtp_url("smtp://bob:secret@localhost:25").unwrap();
        let (user, password) = s.credentials.unwrap();
        assert_eq!((user.as_str(), password.expose_secret()), ("bob", "secret"));
        assert!(parse_smtp_url("smtp://bob@localhost").is_err());
        assert!(parse_smtp_url("smtp://:pw@localhost").is_err());
    }

    #[test]
    fn url_rejections() {
        for bad in [
            "http://localhost:25",
            "lmtp://localhost",
            "smtp://localhost?tls=opportunistic",
            "smtp://localhost?tls=none",
            "smtps://localhost?tls=required",
            "smtp://localhost?foo=bar",
            "smtp://localhost/helo-name",
            "smtp:localhost",
            "not a url",
            "",
        ] {
            match parse_smtp_url(bad) {
                Err(DeliveryError::Config(_)) => {}
                Err(e) => panic!("{bad}: wrong error {e}"),
                Ok(_) => panic!("{bad}: accepted"),
            }
        }
    }

    #[test]
    fn errors_do_not_echo_password() {
        let err = match parse_smtp_url("ftp://bob:hunter2@localhost") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        };
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%4").as_deref(), Some("%4"));
        assert_eq!(percent_decode("%zz").as_deref(), Some("%zz"));
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn new_validates_config() {
        let t = Duration::from_secs(5);
        let m = Mailer::new(None, "Sesame <no-reply@localhost>", "{code}", t).unwrap();
        assert!(m.is_console());
        assert!(matches!(
            Mailer::new(None, "not an address", "{code}", t),
            Err(DeliveryError::Config(_))
        ));
        assert!(matches!(
            Mailer::new(None, "a@b.c\r\nBcc: x@y", "{code}", t),
            Err(DeliveryError::Config(_))
        ));
        assert!(matches!(
            Mailer::new(Some(&secret("imap://x")), "a@b.c", "{code}", t),
            Err(DeliveryError::Config(_))
        ));
        assert!(matches!(
            Mailer::new(Some(&secret("smtp://x")), "a@b.c", "{code}", Duration::ZERO),
            Err(DeliveryError::Config(_))
        ));
        // Building a mailer needs no runtime and opens no connection.
        let m = Mailer::new(Some(&secret("smtp://127.0.0.1:2525")), "a@b.c", "{code}", t).unwrap();
        assert!(!m.is_console());
    }

    #[test]
    fn debug_hides_password() {
        let url = secret("smtps://bob:hunter2@mail.example.com");
        let m = Mailer::new(
            Some(&url),
            "Sesame <no-reply@localhost>",
            "{code}",
            Duration::from_secs(5),
        )
        .unwrap();
        let dbg = format!("{m:?}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("mail.example.com"), "{dbg}");
        let msg = sample("alice@example.com", "Demo");
        let dbg = format!("{msg:?}");
        assert!(!dbg.contains("123456") && !dbg.contains("alice@"), "{dbg}");
    }

    #[test]
    fn bodies_render_and_escape() {
        let msg = sample("alice@example.com", "<script>alert(1)</script> & co");
        let (text, html) = render_bodies(&msg).unwrap();
        assert!(text.contains("123456"));
        assert!(text.contains("<script>alert(1)</script> & co"));
        assert!(text.contains("10 minutes"));
        assert!(text.contains("localhost:8080"));
        assert!(text.contains(
            "If you did not ask for this code, you can ignore this message. \
             Never share it: we will never ask you for it."
        ));
        assert!(html.contains("lang=\"en\""));
        assert!(html.contains("monospace"));
        assert!(html.contains("123456"));
        assert!(!html.contains("<script>"));
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "{html}"
        );
        assert!(expires_text(1) == "1 minute" && expires_text(0) == "1 minute");
    }

    #[test]
    fn client_name_cannot_add_headers() {
        let from: Mailbox = "Sesame <no-reply@localhost>".parse().unwrap();
        let msg = sample("alice@example.com", "Demo\r\nBcc: evil@example.com");
        let subject = render_subject("{code} for {product}", msg.code, msg.client_name);
        let email =
            build_message(&from, "alice@example.com".parse().unwrap(), &subject, &msg).unwrap();
        let raw = String::from_utf8(email.formatted()).unwrap();
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(
            !headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc")),
            "{headers}"
        );
        assert!(
            headers.contains("Subject: 123456 for Demo Bcc: evil@example.com"),
            "{headers}"
        );
        assert!(headers.contains("multipart/alternative"));
        let rcpts: Vec<String> = email
            .envelope()
            .to()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(rcpts, vec!["alice@example.com".to_owned()]);
    }

    #[tokio::test]
    async fn invalid_recipient_is_an_error_not_a_panic() {
        let t = Duration::from_secs(1);
        let console = Mailer::new(None, "a@b.c", "{code}", t).unwrap();
        let smtp = Mailer::new(Some(&secret("smtp://127.0.0.1:9")), "a@b.c", "{code}", t).unwrap();
        for to in ["not an address", "a@b.c\r\nBcc: x@y", "", "<a@b.c>"] {
            let msg = sample(to, "Demo");
            for m in [&console, &smtp] {
                match m.send_code(&msg).await {
                    Err(DeliveryError::Send(e)) => assert!(!e.contains("123456")),
                    other => panic!("{to:?}: {other:?}"),
                }
            }
        }
    }

    #[tokio::test]
    async fn console_sender_succeeds() {
        let m = Mailer::new(
            None,
            "a@b.c",
            "{code} is your {product} code",
            Duration::from_secs(1),
        )
        .unwrap();
        m.send_code(&sample("alice@example.com", "Demo app"))
            .await
            .unwrap();
    }
}

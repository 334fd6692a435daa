//! The `email.smtp_url` setting: scheme, TLS mode, credentials, timeout.

use secrecy::SecretString;

use super::{one_line, DeliveryError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Security {
    /// `smtp://`: no TLS at all (local sinks, tests).
    Plain,
    /// `smtp://...?tls=required`: STARTTLS, mandatory.
    StartTls,
    /// `smtps://`: implicit TLS.
    Implicit,
}

pub(super) struct SmtpSettings {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) security: Security,
    pub(super) credentials: Option<(String, SecretString)>,
}

pub(super) fn config_err(s: impl Into<String>) -> DeliveryError {
    DeliveryError::Config(s.into())
}

/// Parses an SMTP URL. Error texts never include the URL (it may contain a
/// password).
pub(super) fn parse_smtp_url(raw: &str) -> Result<SmtpSettings, DeliveryError> {
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
pub(super) fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

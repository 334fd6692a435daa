//! The `email.smtp_url` setting: scheme, TLS mode, credentials, timeout.

use secrecy::SecretString;

use super::ConfigError;
use crate::channel::one_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: no TLS at all (local sinks, tests).
    Plain,
    /// `smtp://...?tls=required`: STARTTLS, mandatory.
    StartTls,
    /// `smtps://`: implicit TLS.
    Implicit,
}

pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, SecretString)>,
}

fn config_err(s: impl Into<String>) -> ConfigError {
    ConfigError(s.into())
}

/// Parses an SMTP URL. Error texts never include the URL (it may contain a
/// password).
pub fn parse_smtp_url(raw: &str) -> Result<SmtpSettings, ConfigError> {
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
pub fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

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
                Err(_) => {}
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
}

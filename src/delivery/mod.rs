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

mod mailer;
mod render;
pub use render::DEFAULT_SUBJECT;
pub mod sms;
mod smtp;

pub use crate::channel::{mask_email, one_line};
pub use mailer::{Mailer, PreparedMessage};

use std::fmt;

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
    /// The language the message is written in (the sign-in's).
    pub tr: crate::i18n::Tr<'a>,
    /// A link that completes the same sign-in in the browser that started it (emails only;
    /// a secret like the code).
    pub link: Option<&'a str>,
}

impl fmt::Debug for CodeMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeMessage")
            .field("to", &mask_email(self.to))
            .field("code", &"[redacted]")
            .field("link", &self.link.map(|_| "[redacted]"))
            .field("product_name", &self.product_name)
            .field("client_name", &self.client_name)
            .field("issuer_host", &self.issuer_host)
            .field("expires_minutes", &self.expires_minutes)
            .field("language", &self.tr.lang())
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

#[cfg(test)]
mod tests;

//! What a person types on the first page, parsed into a normalised identifier: an email
//! address, or a phone number in E.164 (see [`parse_login_identifier`] and `phone.rs`).

use std::str::FromStr;

use crate::store::users::Channel;

pub use super::phone::{parse_login_identifier, parse_phone, phone_region, PhoneRules};

/// A validated, normalised identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// Lower-cased address.
    Email(String),
    /// E.164: `+` and the digits, e.g. `+16502530000`.
    Phone(String),
}

impl Identifier {
    pub fn channel(&self) -> Channel {
        match self {
            Identifier::Email(_) => Channel::Email,
            Identifier::Phone(_) => Channel::Sms,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Identifier::Email(e) | Identifier::Phone(e) => e,
        }
    }

    /// The form shown on pages and written to logs and audit events.
    pub fn masked(&self) -> String {
        match self {
            Identifier::Email(e) => crate::delivery::mask_email(e),
            Identifier::Phone(p) => crate::delivery::sms::mask_phone(p),
        }
    }

    /// The identifier a login transaction stored (already normalised), by its channel.
    pub fn from_stored(channel: Option<&str>, value: &str) -> Identifier {
        match channel {
            Some("sms") => Identifier::Phone(value.to_owned()),
            _ => Identifier::Email(value.to_owned()),
        }
    }
}

/// Masks a stored identifier by its channel (`"email"` or `"sms"`).
pub fn mask_stored(channel: Option<&str>, value: &str) -> String {
    Identifier::from_stored(channel, value).masked()
}

/// Why an input was refused, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("Enter your email address.")]
    Empty,
    #[error("That does not look like an email address. Check it and try again.")]
    Invalid,
    #[error("That address is too long.")]
    TooLong,
    #[error("Enter your email address or phone number.")]
    EmptyEither,
    #[error("Enter an email address (like name@example.com) or a phone number.")]
    NotEmailOrPhone,
    #[error("That does not look like a phone number we can use. Check it, or type it with its country code (for example +44 7400 123456).")]
    InvalidPhone,
    #[error(
        "That number cannot receive text messages. Use a mobile number or your email address."
    )]
    NotMobile,
    #[error("Signing in with a phone number is not available here. Use your email address.")]
    PhoneUnavailable,
}

/// Parses an email address: trims surrounding space, lower-cases it, and refuses anything
/// that could smuggle another header or recipient (control characters, spaces, commas,
/// angle brackets, quotes) before lettre's own address check.
pub fn parse_identifier(input: &str) -> Result<Identifier, IdentifierError> {
    // Checked after lower-casing: some characters change when lower-cased ('İ' becomes
    // 'i' and a combining dot), and what is stored must pass the same checks.
    let lowered = input.trim().to_lowercase();
    let s = lowered.as_str();
    if s.is_empty() {
        return Err(IdentifierError::Empty);
    }
    if s.len() > 254 {
        return Err(IdentifierError::TooLong);
    }
    if s.chars().any(|c| {
        c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                ',' | ';' | '<' | '>' | '"' | '\'' | '(' | ')' | '[' | ']' | '\\'
            )
    }) {
        return Err(IdentifierError::Invalid);
    }
    let (local, domain) = s.rsplit_once('@').ok_or(IdentifierError::Invalid)?;
    if local.is_empty() || local.len() > 64 || local.contains('@') {
        return Err(IdentifierError::Invalid);
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(IdentifierError::Invalid);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|l| {
            l.is_empty()
                || l.len() > 63
                || l.starts_with('-')
                || l.ends_with('-')
                || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
    {
        return Err(IdentifierError::Invalid);
    }
    lettre::Address::from_str(s).map_err(|_| IdentifierError::Invalid)?;
    Ok(Identifier::Email(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            parse_identifier("  Alice@Example.COM ").unwrap(),
            Identifier::Email("alice@example.com".into())
        );
        assert!(parse_identifier("first.last+tag@sub.example.co.uk").is_ok());
    }

    #[test]
    fn bad_addresses_are_refused() {
        for bad in [
            "",
            "   ",
            "alice",
            "alice@",
            "@example.com",
            "alice@example",
            "a@b@example.com",
            "alice@exa mple.com",
            "a@b.c\r\nBcc: evil@example.com",
            "a@b.c\nBcc:x@y.z",
            "Alice <alice@example.com>",
            "alice@example.com,bob@example.com",
            "alice@-example.com",
            ".alice@example.com",
            "al..ice@example.com",
        ] {
            assert!(parse_identifier(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            parse_identifier(&format!("{}@example.com", "a".repeat(300))),
            Err(IdentifierError::TooLong)
        );
    }
}

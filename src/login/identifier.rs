//! What a person types on the first page, parsed into a normalised identifier.

use std::str::FromStr;

use crate::store::users::Channel;

/// A validated, normalised identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// Lower-cased address.
    Email(String),
}

impl Identifier {
    pub fn channel(&self) -> Channel {
        match self {
            Identifier::Email(_) => Channel::Email,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Identifier::Email(e) => e,
        }
    }
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

//! The channels a code travels by (email, SMS), and the one way an identifier is masked
//! for logs, pages and the audit trail. A leaf: it imports nothing of Sesame's, so the
//! store, delivery and the domain all name channels the same way.

use serde::{Deserialize, Serialize};

/// How a code reaches a person, and which kind of identifier it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// An email address.
    Email,
    /// An E.164 phone number, by text message.
    Sms,
}

impl Channel {
    /// The stored and logged name: `"email"` or `"sms"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    /// Decodes a stored name. Rows and sign-ins written by Sesame hold only the two names;
    /// anything else is not a channel.
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }

    /// The channel of a stored sign-in or identifier, where no channel means email (rows
    /// written before phone sign-in).
    pub fn from_stored(s: Option<&str>) -> Channel {
        match s {
            Some("sms") => Channel::Sms,
            _ => Channel::Email,
        }
    }

    /// Masks an identifier of this channel: `a***@example.com`, `+33*******78`.
    pub fn mask(self, identifier: &str) -> String {
        match self {
            Channel::Email => mask_email(identifier),
            Channel::Sms => mask_phone(identifier),
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Replaces control and line-separator characters with spaces, so a value stays on one
/// line of a log or a header.
pub fn one_line(s: &str) -> String {
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

/// Masks an email address: `alice@example.com` -> `a***@example.com`. Local parts of one
/// character are fully masked; a value without `@` becomes `***`.
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

/// Masks an E.164 number, keeping the country code and the last two digits:
/// `+447700900123` -> `+44********23`. Anything that is not E.164 becomes `***`.
pub fn mask_phone(e164: &str) -> String {
    let Some(digits) = e164.strip_prefix('+') else {
        return "***".into();
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() < 6 {
        return "***".into();
    }
    let cc_len = phonenumber::parse(None, e164)
        .map(|n| n.code().value().to_string().len())
        .unwrap_or(1)
        .min(3);
    let (cc, rest) = digits.split_at(cc_len);
    let (hidden, last) = rest.split_at(rest.len().saturating_sub(2));
    format!("+{cc}{}{last}", "*".repeat(hidden.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_keep_their_first_letter_and_domain() {
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
    fn phone_numbers_keep_their_country_code_and_last_two_digits() {
        assert_eq!(mask_phone("+16502530000"), "+1********00");
        assert_eq!(mask_phone("+447700900123"), "+44********23");
        assert_eq!(mask_phone("+353861234567"), "+353*******67");
        assert_eq!(mask_phone("16502530000"), "***");
        assert_eq!(mask_phone("+1"), "***");
        assert_eq!(mask_phone("+1650x530000"), "***");
    }

    #[test]
    fn one_function_masks_every_channel() {
        assert_eq!(Channel::Email.mask("alice@example.com"), "a***@example.com");
        let masked = Channel::Sms.mask("+33612345678");
        assert!(
            masked.ends_with("78") && !masked.contains("61234"),
            "{masked}"
        );
        assert_eq!(Channel::parse("sms"), Some(Channel::Sms));
        assert_eq!(Channel::parse("fax"), None);
        assert_eq!(Channel::from_stored(None), Channel::Email);
    }
}

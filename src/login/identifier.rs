//! What a person types on the first page, parsed into a normalised identifier: an email
//! address, or a phone number in E.164 (see [`parse_login_identifier`] and `phone.rs`).

use std::str::FromStr;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use unicode_normalization::UnicodeNormalization;

use crate::channel::Channel;

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
        self.channel().mask(self.as_str())
    }

    /// The identifier a login transaction stored (already normalised), by its channel.
    pub fn from_stored(channel: Channel, value: &str) -> Identifier {
        match channel {
            Channel::Sms => Identifier::Phone(value.to_owned()),
            Channel::Email => Identifier::Email(value.to_owned()),
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
    #[error("That does not look like an email address: it contains an invisible or formatting character (often picked up when copying). Type it again by hand.")]
    Invisible,
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

impl IdentifierError {
    /// The sentence for the person; `example` is a phone number this deployment accepts.
    pub fn msg(&self, example: &str) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            IdentifierError::Empty => Msg::new("identifier-error-empty"),
            IdentifierError::Invalid => Msg::new("identifier-error-invalid"),
            IdentifierError::TooLong => Msg::new("identifier-error-too-long"),
            IdentifierError::Invisible => Msg::new("identifier-error-invisible"),
            IdentifierError::EmptyEither => Msg::new("identifier-error-empty-either"),
            IdentifierError::NotEmailOrPhone => Msg::new("identifier-error-not-email-or-phone"),
            IdentifierError::InvalidPhone => {
                Msg::new("identifier-error-invalid-phone").arg("example", example)
            }
            IdentifierError::NotMobile => Msg::new("identifier-error-not-mobile"),
            IdentifierError::PhoneUnavailable => Msg::new("identifier-error-phone-unavailable"),
        }
    }
}

/// Parses an email address into the one form an account is stored under, so that one
/// mailbox can never hold two accounts:
///
/// * invisible and formatting characters (soft hyphen, zero-width characters, bidi
///   controls, variation selectors: Unicode's default-ignorable code points) and control
///   characters are refused, since they would make a different string for the same mailbox;
/// * the whole address is NFKC-folded (fullwidth `ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ`, ligatures and
///   decomposed accents become their plain form) and lower-cased;
/// * the domain is converted with UTS 46 ToASCII (IDNA), so `bücher.example` and its
///   punycode `xn--bcher-kva.example` are one domain, stored in its ASCII form;
/// * anything that could smuggle another header or recipient (spaces, commas, angle
///   brackets, quotes) is refused before lettre's own address check.
///
/// For a plain ASCII address the result is what it always was: the trimmed, lower-cased
/// address.
pub fn parse_identifier(input: &str) -> Result<Identifier, IdentifierError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(IdentifierError::Empty);
    }
    // Bounds the work of the normalisation below; the stored form is checked again.
    if trimmed.len() > 1024 {
        return Err(IdentifierError::TooLong);
    }
    if trimmed
        .chars()
        .any(|c| is_default_ignorable(c) || (c.is_control() && !c.is_whitespace()))
    {
        return Err(IdentifierError::Invisible);
    }
    // Checked after folding: some characters change when lower-cased ('İ' becomes 'i' and a
    // combining dot), and what is stored must pass the same checks.
    let folded = fold(trimmed).ok_or(IdentifierError::Invalid)?;
    let s = folded.as_str();
    if s.len() > 254 {
        return Err(IdentifierError::TooLong);
    }
    if s.chars().any(|c| {
        c.is_control()
            || c.is_whitespace()
            || is_default_ignorable(c)
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
    let domain = Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .map_err(|_| IdentifierError::Invalid)?;
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|l| {
            l.is_empty()
                || l.len() > 63
                || l.starts_with('-')
                || l.ends_with('-')
                || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    {
        return Err(IdentifierError::Invalid);
    }
    let address = format!("{local}@{domain}");
    if address.len() > 254 {
        return Err(IdentifierError::TooLong);
    }
    lettre::Address::from_str(&address).map_err(|_| IdentifierError::Invalid)?;
    Ok(Identifier::Email(address))
}

/// NFKC and lower-casing, repeated until neither changes anything (a lower-cased character
/// can fold to an upper-case one, such as U+1D2C MODIFIER LETTER CAPITAL A), so that the
/// stored form parses to itself. `None` when that does not settle quickly.
fn fold(input: &str) -> Option<String> {
    let mut s: String = input.nfkc().collect();
    for _ in 0..4 {
        let next: String = s.to_lowercase().nfkc().collect();
        if next == s {
            return Some(s);
        }
        s = next;
    }
    None
}

/// Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt): characters
/// that are invisible on their own, such as U+00AD SOFT HYPHEN, U+200B ZERO WIDTH SPACE,
/// the bidi controls U+200E, U+200F, U+202A..U+202E, U+2066..U+2069 and U+FEFF.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusable_addresses_cannot_make_a_second_account_for_one_mailbox() {
        // Each pair names one mailbox: both parse to the same stored identifier.
        let same = [
            ("alice@bücher.example", "alice@xn--bcher-kva.example"),
            ("alice@BÜCHER.Example", "alice@xn--bcher-kva.example"),
            ("alice@xn--BCHER-KVA.example", "alice@xn--bcher-kva.example"),
            ("ＡＬＩＣＥ@ＥＸＡＭＰＬＥ.ＣＯＭ", "alice@example.com"),
            ("alice＠example．com", "alice@example.com"),
            ("alice@example。com", "alice@example.com"),
            ("ﬁle@example.com", "file@example.com"),
            ("\u{1d41a}lice@example.com", "alice@example.com"),
            ("\u{1d2c}lice@example.com", "alice@example.com"),
            ("cafe\u{301}@example.com", "café@example.com"),
            ("alice@bu\u{308}cher.example", "alice@xn--bcher-kva.example"),
        ];
        for (variant, canonical) in same {
            let a = parse_identifier(variant).unwrap_or_else(|e| panic!("{variant:?}: {e}"));
            let b = parse_identifier(canonical).unwrap_or_else(|e| panic!("{canonical:?}: {e}"));
            assert_eq!(a, b, "{variant:?} and {canonical:?} are one mailbox");
            // The stored form parses to itself.
            assert_eq!(parse_identifier(a.as_str()).unwrap(), a);
        }
        // Invisible characters would make a second string for the same mailbox: refused.
        for invisible in [
            "al\u{ad}ice@example.com",
            "alice@exa\u{ad}mple.com",
            "ali\u{200b}ce@example.com",
            "alice\u{200d}@example.com",
            "alice@example.com\u{feff}",
            "\u{202e}alice@example.com",
            "alice\u{2066}@example.com",
            "alice\u{fe0f}@example.com",
            "alice\u{e0041}@example.com",
            "alice\u{7}@example.com",
        ] {
            assert_eq!(
                parse_identifier(invisible),
                Err(IdentifierError::Invisible),
                "{invisible:?}"
            );
        }
    }

    #[test]
    fn plain_ascii_addresses_keep_the_form_they_were_always_stored_in() {
        for (input, stored) in [
            ("Alice@Example.COM", "alice@example.com"),
            (
                "first.last+tag@sub.example.co.uk",
                "first.last+tag@sub.example.co.uk",
            ),
            ("a-b_c@x-y.example", "a-b_c@x-y.example"),
            ("o'neil@example.com", ""),
        ] {
            match parse_identifier(input) {
                Ok(id) => assert_eq!(id.as_str(), stored),
                Err(_) => assert!(stored.is_empty(), "{input:?} was refused"),
            }
        }
    }

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

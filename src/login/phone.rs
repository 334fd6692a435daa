//! Phone numbers as people type them, parsed with the numbering-plan library
//! (`phonenumber`, a port of Google's libphonenumber) and normalised to E.164.
//!
//! A number typed without `+` and a country code is read in the configured default
//! region. Only numbers that can take a text message on a phone pass: mobile (or, where the
//! plan cannot tell, fixed-line-or-mobile) and personal numbers. Premium-rate, shared-cost,
//! toll-free and other service numbers are refused (they are the numbers SMS-pumping fraud
//! sends to), and so are ranges the plan marks as VoIP, which NIST SP 800-63B excludes from
//! out-of-band authentication because they prove no device.

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber, Type};

use super::identifier::{parse_identifier, Identifier, IdentifierError};

/// How phone numbers are read, when phone sign-in is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneRules {
    /// The region of numbers typed without `+`.
    pub default_region: Id,
}

/// The rules in force: None when this deployment cannot send SMS.
pub fn rules(state: &crate::state::AppState) -> Option<PhoneRules> {
    if !state.sms.is_enabled() {
        return None;
    }
    state
        .config
        .sms
        .default_region_id()
        .map(|default_region| PhoneRules { default_region })
}

/// Parses what a person typed on the first page: an email address (it has an `@`), or,
/// when `phone` is given, a phone number. With `phone` None, numbers are refused with a
/// message that says to use an email address.
pub fn parse_login_identifier(
    input: &str,
    phone: Option<PhoneRules>,
) -> Result<Identifier, IdentifierError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(match phone {
            Some(_) => IdentifierError::EmptyEither,
            None => IdentifierError::Empty,
        });
    }
    if s.contains('@') || !looks_like_phone(s) {
        return match parse_identifier(s) {
            Ok(id) => Ok(id),
            Err(IdentifierError::Invalid) if phone.is_some() && !s.contains('@') => {
                Err(IdentifierError::NotEmailOrPhone)
            }
            Err(e) => Err(e),
        };
    }
    match phone {
        Some(rules) => parse_phone(s, rules.default_region).map(Identifier::Phone),
        None => Err(IdentifierError::PhoneUnavailable),
    }
}

/// A mobile number of `region` in international form (`+44 7400 123456`), as the example
/// of the phone-number error: one this deployment accepts.
pub fn example_number(region: Id) -> Option<String> {
    let meta = DATABASE.by_id(region.as_ref())?;
    let national = meta.descriptors().mobile()?.example()?;
    let full = format!("+{}{national}", meta.country_code());
    let n = parse_guarded(&full, region)?;
    Some(n.format().mode(Mode::International).to_string())
}

/// Starts like a number and holds only what people type in numbers.
fn looks_like_phone(s: &str) -> bool {
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c == '+' || c == '(' || c.is_ascii_digit());
    first_ok
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
}

/// Parses one phone number to E.164 (`+16502530000`).
pub fn parse_phone(input: &str, default_region: Id) -> Result<String, IdentifierError> {
    let s = input.trim();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    // E.164 allows 15 digits; an international prefix (00, 011) adds up to three.
    if s.len() > 40 || !(4..=18).contains(&digits) {
        return Err(IdentifierError::InvalidPhone);
    }
    if s.chars().skip(1).any(|c| c == '+') || !looks_like_phone(s) {
        return Err(IdentifierError::InvalidPhone);
    }
    let number = parse_guarded(s, default_region).ok_or(IdentifierError::InvalidPhone)?;
    if number.extension().is_some() || !phonenumber::is_valid(&number) {
        return Err(IdentifierError::InvalidPhone);
    }
    match number.number_type(&DATABASE) {
        Type::Mobile | Type::FixedLineOrMobile | Type::PersonalNumber => {}
        _ => return Err(IdentifierError::NotMobile),
    }
    let e164 = number.format().mode(Mode::E164).to_string();
    if !e164.starts_with('+') || e164.len() > 16 {
        return Err(IdentifierError::InvalidPhone);
    }
    Ok(e164)
}

/// The library has panicked on odd input in the past; a panic here must not take the
/// request down with it, so it counts as "not a number".
fn parse_guarded(s: &str, region: Id) -> Option<PhoneNumber> {
    std::panic::catch_unwind(|| phonenumber::parse(Some(region), s).ok()).unwrap_or(None)
}

/// The region of an E.164 number (e.g. `+1 876 …` is Jamaica, not the US).
pub fn phone_region(e164: &str) -> Option<Id> {
    std::panic::catch_unwind(|| {
        phonenumber::parse(None, e164)
            .ok()
            .and_then(|n| n.country().id())
    })
    .unwrap_or(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: Option<PhoneRules> = Some(PhoneRules {
        default_region: Id::US,
    });

    fn phone(s: &str) -> Result<Identifier, IdentifierError> {
        parse_login_identifier(s, US)
    }

    #[test]
    fn numbers_typed_every_usual_way_normalise_to_one_e164_form() {
        for typed in [
            "+1 650 253 0000",
            "+16502530000",
            "(650) 253-0000",
            "650-253-0000",
            "650.253.0000",
            "6502530000",
            "1 650 253 0000",
            "  +1 (650) 253-0000  ",
            "011 1 650 253 0000",
        ] {
            assert_eq!(
                phone(typed),
                Ok(Identifier::Phone("+16502530000".into())),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn a_plus_and_country_code_beats_the_default_region() {
        assert_eq!(
            phone("+44 7400 123456"),
            Ok(Identifier::Phone("+447400123456".into()))
        );
        let gb = Some(PhoneRules {
            default_region: Id::GB,
        });
        assert_eq!(
            parse_login_identifier("07400 123456", gb),
            Ok(Identifier::Phone("+447400123456".into()))
        );
        assert_eq!(phone_region("+447400123456"), Some(Id::GB));
        assert_eq!(phone_region("+16502530000"), Some(Id::US));
        assert_eq!(
            phone_region("+18765550100").map(|r| r == Id::US),
            Some(false)
        );
    }

    #[test]
    fn emails_still_parse_and_win_when_there_is_an_at_sign() {
        assert_eq!(
            phone(" Alice@Example.com "),
            Ok(Identifier::Email("alice@example.com".into()))
        );
        assert_eq!(phone("alice@"), Err(IdentifierError::Invalid));
    }

    #[test]
    fn bad_numbers_get_a_clear_error() {
        for bad in [
            "123",
            "+1 555",
            "+1 000 000 0000",
            "+999 1234 5678",
            "650 253 0000 ext. 12",
            "+1 650 253 0000 x12",
            "+1 650+253 0000",
            "1234567890123456789012",
            "+",
            "((((((",
        ] {
            let r = phone(bad);
            assert!(
                matches!(
                    r,
                    Err(IdentifierError::InvalidPhone) | Err(IdentifierError::NotEmailOrPhone)
                ),
                "{bad:?} gave {r:?}"
            );
        }
        assert_eq!(phone(""), Err(IdentifierError::EmptyEither));
        assert_eq!(phone("alice"), Err(IdentifierError::NotEmailOrPhone));
        assert_eq!(
            phone("1-800-FLOWERS"),
            Err(IdentifierError::NotEmailOrPhone)
        );
    }

    #[test]
    fn premium_toll_free_landline_and_voip_numbers_are_refused() {
        // US toll-free and premium-rate (900) numbers; a UK premium-rate number.
        for n in ["+1 800 253 0000", "+1 900 253 0000", "+44 909 876 5432"] {
            assert_eq!(phone(n), Err(IdentifierError::NotMobile), "{n}");
        }
        // A UK landline cannot take a text; a UK VoIP range proves no device.
        assert_eq!(phone("+44 20 7946 0018"), Err(IdentifierError::NotMobile));
        assert_eq!(phone("+44 56 1234 5678"), Err(IdentifierError::NotMobile));
    }

    #[test]
    fn without_phone_sign_in_numbers_are_refused_and_emails_work() {
        assert_eq!(
            parse_login_identifier("+16502530000", None),
            Err(IdentifierError::PhoneUnavailable)
        );
        assert_eq!(
            parse_login_identifier("", None),
            Err(IdentifierError::Empty)
        );
        assert!(parse_login_identifier("a@example.com", None).is_ok());
    }

    #[test]
    fn odd_input_never_panics() {
        // A deterministic sweep over the characters the parser lets through.
        let alphabet = ['0', '1', '9', '+', ' ', '-', '.', '(', ')', '#', '*', 'x'];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..5_000 {
            let mut s = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 24) as usize;
            let mut x = state;
            for _ in 0..len {
                s.push(alphabet[(x % alphabet.len() as u64) as usize]);
                x /= alphabet.len() as u64;
                if x == 0 {
                    x = state.rotate_left(7) | 1;
                }
            }
            let _ = phone(&s);
            let _ = phone_region(&s);
        }
    }
}

//! User codes of the device authorization grant (RFC 8628 6.1): 8 characters from a
//! 20-letter alphabet without vowels or look-alikes (20^8, about 34.6 bits), shown as
//! `XXXX-XXXX`, typed with any case, dashes or spaces. They are guessed only through the
//! `/device` page, whose wrong codes are limited per client IP ([`super::device`]), and
//! stored only as keyed hashes.

use crate::crypto::{fill_random, CryptoError, ServerSecrets};

/// The letters of a user code: consonants only (no words), no look-alikes (RFC 8628 6.1).
pub const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// Characters in a user code (shown as two groups of four).
pub const USER_CODE_LEN: usize = 8;

/// A fresh user code, uniform over the alphabet (bytes at or above 240 are redrawn).
pub fn random_user_code() -> Result<String, CryptoError> {
    let mut out = String::with_capacity(USER_CODE_LEN);
    let mut buf = [0u8; 16];
    while out.len() < USER_CODE_LEN {
        fill_random(&mut buf)?;
        for b in buf {
            if b < 240 && out.len() < USER_CODE_LEN {
                out.push(char::from(USER_CODE_ALPHABET[usize::from(b % 20)]));
            }
        }
    }
    Ok(out)
}

/// A user code as typed, in its canonical form: case, dashes and spaces do not count.
/// `None` when it cannot be a user code.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid =
        code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// A canonical user code as shown: `XXXX-XXXX`.
pub fn display_user_code(code: &str) -> String {
    match (code.get(..4), code.get(4..)) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => code.to_string(),
    }
}

/// The keyed hash a canonical user code is stored under.
pub fn user_code_hash(secrets: &ServerSecrets, code: &str) -> Vec<u8> {
    secrets.keyed_hash("device_user_code", &[code.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_eight_letters_of_the_alphabet_and_typed_loosely() {
        for _ in 0..50 {
            let c = random_user_code().unwrap();
            assert_eq!(c.len(), USER_CODE_LEN);
            assert!(c.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)), "{c}");
            assert_eq!(normalize_user_code(&display_user_code(&c)), Some(c.clone()));
            assert_eq!(
                normalize_user_code(&display_user_code(&c).to_lowercase()),
                Some(c)
            );
        }
        assert_eq!(display_user_code("BCDFGHJK"), "BCDF-GHJK");
        assert_eq!(
            normalize_user_code(" bcdf - ghjk "),
            Some("BCDFGHJK".into())
        );
        for bad in ["BCDF-GHJ", "BCDF-GHJKL", "ABCD-EFGH", "BCDF-GHJ1", ""] {
            assert_eq!(normalize_user_code(bad), None, "{bad}");
        }
    }
}

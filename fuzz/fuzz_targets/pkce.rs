//! PKCE verification: a verifier matches its own S256 challenge exactly when it is well
//! formed, and never matches another verifier's challenge.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame::crypto::{pkce_matches, pkce_s256, pkce_verifier_is_valid};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = s.split_at(
        s.char_indices()
            .nth(s.chars().count() / 2)
            .map_or(0, |(i, _)| i),
    );
    assert_eq!(pkce_matches(a, &pkce_s256(a)), pkce_verifier_is_valid(a));
    if a != b {
        assert!(!pkce_matches(b, &pkce_s256(a)));
    }
    let _ = pkce_matches(s, s);
});

//! The identifier parser: never panics; what it accepts is one clean, lower-case address
//! that parses again to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame::login::identifier::parse_identifier;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = parse_identifier(s) {
        let e = id.as_str();
        assert!(e.len() <= 254);
        assert_eq!(e.matches('@').count(), 1);
        assert!(!e.chars().any(|c| c.is_control() || c.is_whitespace()));
        assert_eq!(parse_identifier(e), Ok(id.clone()));
    }
});

//! The protocol parameter parser: never panics; what it accepts respects its limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame::oidc::params::{Params, MAX_PARAMS, MAX_PARAM_LEN};

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Params::parse(data) {
        assert!(p.iter().count() <= MAX_PARAMS);
        for (_, v) in p.iter() {
            assert!(!v.is_empty() && v.len() <= MAX_PARAM_LEN);
        }
    }
});

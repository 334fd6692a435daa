//! What keeps the authorization endpoint from being used to fill the database or the CPU:
//! bounds on the parameters a sign-in carries ([`check_sizes`]), and a per-IP rate limit
//! counted in memory ([`crate::limits::per_ip::AuthorizeLimiter`]).

use super::params::Params;
use crate::config::AuthorizeConfig;
use crate::error::ErrorCode;
use crate::error::RedirectError;

/// Refuses a stored parameter longer than its limit, naming it (checked before the request
/// is validated, so nothing longer is ever parsed or sealed).
pub fn check_sizes(cfg: &AuthorizeConfig, p: &Params) -> Result<(), RedirectError> {
    for (name, max) in [
        ("state", cfg.max_state_bytes),
        ("nonce", cfg.max_nonce_bytes),
        ("login_hint", cfg.max_login_hint_bytes),
        ("claims", cfg.max_claims_bytes),
    ] {
        if p.get(name).is_some_and(|v| v.len() > max) {
            return Err(RedirectError {
                error: ErrorCode::InvalidRequest,
                description: format!("{name} is longer than {max} bytes"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stored_parameter_over_its_limit_is_named() {
        let c = AuthorizeConfig::default();
        for (name, max) in [
            ("state", c.max_state_bytes),
            ("nonce", c.max_nonce_bytes),
            ("login_hint", c.max_login_hint_bytes),
            ("claims", c.max_claims_bytes),
        ] {
            let ok = Params::parse(format!("{name}={}", "a".repeat(max)).as_bytes()).unwrap();
            assert!(check_sizes(&c, &ok).is_ok(), "{name} at its limit");
            let long = Params::parse(format!("{name}={}", "a".repeat(max + 1)).as_bytes()).unwrap();
            let e = check_sizes(&c, &long).unwrap_err();
            assert_eq!(e.error, ErrorCode::InvalidRequest);
            assert!(e.description.starts_with(name), "{}", e.description);
        }
    }
}

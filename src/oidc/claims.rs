//! Which user claims each scope releases.

use serde_json::{json, Map, Value};

use crate::store::users::User;

/// Claims this server can release (advertised in discovery as `claims_supported`).
pub const CLAIMS_SUPPORTED: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "amr",
    "azp",
    "at_hash",
    "email",
    "email_verified",
];

/// The user claims released by `scope` (space-separated), beyond `sub`.
pub fn user_claims(user: &User, scope: &str) -> Map<String, Value> {
    let mut m = Map::new();
    let has = |s: &str| scope.split(' ').any(|x| x == s);
    if has("email") {
        if let Some(email) = &user.email {
            m.insert("email".into(), json!(email));
            m.insert("email_verified".into(), json!(user.email_verified));
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: "u1".into(),
            email: Some("a@example.com".into()),
            email_verified: true,
            phone: None,
            phone_verified: false,
            created_at: 0,
            updated_at: 0,
            last_login_at: None,
            disabled_at: None,
        }
    }

    #[test]
    fn email_claims_only_with_email_scope() {
        assert!(user_claims(&user(), "openid").is_empty());
        let m = user_claims(&user(), "openid email");
        assert_eq!(m["email"], "a@example.com");
        assert_eq!(m["email_verified"], true);
    }
}

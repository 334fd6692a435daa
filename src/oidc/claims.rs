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
    "phone_number",
    "phone_number_verified",
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
    if has("phone") {
        if let Some(phone) = &user.phone {
            m.insert("phone_number".into(), json!(phone));
            m.insert("phone_number_verified".into(), json!(user.phone_verified));
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

    #[test]
    fn phone_claims_only_with_phone_scope_and_a_phone() {
        let mut u = user();
        assert!(!user_claims(&u, "openid phone").contains_key("phone_number"));
        u.phone = Some("+16502530000".into());
        u.phone_verified = true;
        assert!(!user_claims(&u, "openid email").contains_key("phone_number"));
        let m = user_claims(&u, "openid phone");
        assert_eq!(m["phone_number"], "+16502530000");
        assert_eq!(m["phone_number_verified"], true);
        assert!(!m.contains_key("email"));
    }
}

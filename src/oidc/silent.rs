//! Why a silent authorization (`prompt=none`, OIDC Core 3.1.2.6) cannot complete, and the
//! hints (`id_token_hint`, a `sub` claim value, `login_hint`) that name someone other than
//! the signed-in person. The decision itself is `sso_decision`.

use crate::authz::AuthRequest;
use crate::error::ErrorCode;
use crate::store::users::{Channel, User};

/// Why an authorization with `prompt=none` cannot complete (OIDC Core 3.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilentError {
    /// No usable sign-in, or one that a hint or `sub` value says is someone else's.
    LoginRequired,
    /// The `login_hint` names another account: choosing it needs the person.
    InteractionRequired,
    /// A third-party client the signed-in person has not consented to.
    ConsentRequired,
}

impl SilentError {
    pub fn code(self) -> ErrorCode {
        match self {
            SilentError::LoginRequired => ErrorCode::LoginRequired,
            SilentError::InteractionRequired => ErrorCode::InteractionRequired,
            SilentError::ConsentRequired => ErrorCode::ConsentRequired,
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            SilentError::LoginRequired => "the person must sign in",
            SilentError::InteractionRequired => "the person must choose the account to use",
            SilentError::ConsentRequired => "the person must consent to this app's request",
        }
    }
}

/// Whether a hint of the request names someone other than `user`: an `id_token_hint` or a
/// `sub` claim value for another person (`login_required`), or a `login_hint` address for
/// another account (`interaction_required`). A `login_hint` that is not an address or a
/// phone number names no one.
pub fn hint_mismatch(req: &AuthRequest, user: &User) -> Option<SilentError> {
    if req
        .id_token_hint_sub
        .as_deref()
        .is_some_and(|sub| sub != user.id)
    {
        return Some(SilentError::LoginRequired);
    }
    if req
        .claims_request()
        .and_then(|c| c.required_sub().map(str::to_string))
        .is_some_and(|sub| sub != user.id)
    {
        return Some(SilentError::LoginRequired);
    }
    if let Some(hint) = &req.login_hint {
        if let Ok(id) = crate::login::identifier::parse_identifier(hint) {
            let mine = match id.channel() {
                Channel::Email => user.email.as_deref(),
                Channel::Sms => user.phone.as_deref(),
            };
            if mine != Some(id.as_str()) {
                return Some(SilentError::InteractionRequired);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::authorize::validate_request;
    use crate::oidc::params::Params;
    use crate::store::clients::Client;

    fn client() -> Client {
        Client {
            id: "c1".into(),
            name: "App".into(),
            secret_hash: None,
            redirect_uris: vec!["https://app.example/cb".into()],
            public: false,
            pkce_required: false,
            first_party: false,
            id_token_alg: crate::jose::SigningAlg::Rs256,
            created_at: 0,
            updated_at: 0,
            post_logout_redirect_uris: vec![],
            grant_types: crate::store::clients::default_grant_types(),
            always_issue_refresh_token: false,
            scope: String::new(),
            dynamic: false,
            meta: Default::default(),
        }
    }

    fn person() -> User {
        User {
            id: "u1".into(),
            email: Some("a@example.com".into()),
            email_verified: true,
            phone: Some("+14155550100".into()),
            phone_verified: true,
            created_at: 0,
            updated_at: 0,
            last_login_at: None,
            disabled_at: None,
        }
    }

    #[test]
    fn hints_for_another_person_are_told_apart_from_hints_for_the_person() {
        let c = client();
        let req = |q: &str| {
            validate_request(
                &c,
                "https://app.example/cb",
                &Params::parse(format!("response_type=code&scope=openid&{q}").as_bytes()).unwrap(),
            )
            .unwrap()
        };
        let u = person();
        assert_eq!(hint_mismatch(&req("login_hint=a%40example.com"), &u), None);
        assert_eq!(hint_mismatch(&req("login_hint=%2B14155550100"), &u), None);
        assert_eq!(hint_mismatch(&req("login_hint=not+an+address"), &u), None);
        assert_eq!(
            hint_mismatch(&req("login_hint=b%40example.com"), &u),
            Some(SilentError::InteractionRequired)
        );
        let sub = |v: &str| {
            format!("claims=%7B%22id_token%22%3A%7B%22sub%22%3A%7B%22value%22%3A%22{v}%22%7D%7D%7D")
        };
        assert_eq!(hint_mismatch(&req(&sub("u1")), &u), None);
        assert_eq!(
            hint_mismatch(&req(&sub("u2")), &u),
            Some(SilentError::LoginRequired)
        );
        let mut r = req("");
        r.id_token_hint_sub = Some("u2".into());
        assert_eq!(hint_mismatch(&r, &u), Some(SilentError::LoginRequired));
        r.id_token_hint_sub = Some("u1".into());
        assert_eq!(hint_mismatch(&r, &u), None);
    }
}

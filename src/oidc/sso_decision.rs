//! Single sign-on at the authorization endpoint: whether the browser's SSO session serves a
//! request, decided from the store and the browser session alone (no HTTP), and tested so.

use tower_sessions::Session;

use super::silent::{hint_mismatch, SilentError};
use crate::authz::{AuthRequest, Prompt};
use crate::error::PageError;
use crate::sso::SsoSession;
use crate::store::clients::Client;
use crate::store::Store;

/// Whether the browser's sign-in can be reused for a request.
#[derive(Debug)]
pub enum SsoDecision {
    Use(SsoSession),
    /// A (new) sign-in is needed; with `prompt=none` this is the error to answer.
    SignIn {
        error: SilentError,
    },
}

/// Decides whether the browser's sign-in serves this request: not with `prompt=login` or
/// `select_account`, not when older than `max_age` (`max_age=0` is `prompt=login`), and
/// only for the person an `id_token_hint`, a `sub` claim value or a `login_hint` names.
///
/// With `prompt=none`, a client that still needs the signed-in person's consent is answered
/// `consent_required` whatever the hints say: comparing a hint with the person and answering
/// differently would tell an app the person never allowed who is at the browser (OIDC Core
/// 17.3). First-party and consented clients get the hint's own error.
pub async fn sso_decision(
    store: &Store,
    session: &Session,
    client: &Client,
    req: &AuthRequest,
    now: i64,
) -> Result<SsoDecision, PageError> {
    let sign_in = |error| Ok(SsoDecision::SignIn { error });
    let Some(sso) = crate::sso::current(session).await? else {
        return sign_in(SilentError::LoginRequired);
    };
    if req.has_prompt(Prompt::Login) || req.has_prompt(Prompt::SelectAccount) {
        return sign_in(SilentError::LoginRequired);
    }
    if let Some(max_age) = req.max_age {
        if max_age == 0 || now - sso.auth_time > max_age {
            return sign_in(SilentError::LoginRequired);
        }
    }
    let user = match store.get_user(&sso.user_id).await? {
        Some(u) if u.disabled_at.is_none() => u,
        _ => return sign_in(SilentError::LoginRequired),
    };
    // A sign-in an admin ended (or the person's account was disabled) is not reused.
    if !crate::sso::is_live(store, session, &sso).await? {
        return sign_in(SilentError::LoginRequired);
    }
    if let Some(error) = hint_mismatch(req, &user) {
        if req.has_prompt(Prompt::None)
            && crate::login::consent::consent_needed(store, client, req, &user.id).await?
        {
            return sign_in(SilentError::ConsentRequired);
        }
        return sign_in(error);
    }
    Ok(SsoDecision::Use(sso))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use secrecy::SecretString;

    use super::*;
    use crate::channel::Channel;
    use crate::clients::NewClient;
    use crate::clock::{Clock, ShiftedClock};
    use crate::crypto::ServerSecrets;
    use crate::sso::{SSO_KEY, SSO_SID_KEY};
    use crate::store::sso_sessions::SsoSessionRecord;
    use crate::store::testing::temp_sqlite;

    struct Fixture {
        _dir: tempfile::TempDir,
        store: Store,
        clock: ShiftedClock,
        client: Client,
        session: Session,
    }

    /// A person (ada) signed in now in a browser whose session is kept in the store, and a
    /// client (`first_party` as asked).
    async fn signed_in(first_party: bool) -> Fixture {
        let (store, dir) = temp_sqlite().await;
        let clock = ShiftedClock::new();
        let now = clock.now();
        let secrets = ServerSecrets::from_secret(&SecretString::from("s".repeat(48)));
        let spec = NewClient {
            name: "app".into(),
            redirect_uris: vec!["https://app.example/cb".into()],
            first_party,
            ..NewClient::default()
        };
        let id = crate::clients::register(&store, &secrets, now, spec)
            .await
            .unwrap()
            .client_id;
        let client = store.get_client(&id).await.unwrap().unwrap();
        store
            .user_signed_in(Channel::Email, "ada@example.com", "user-ada", true, now)
            .await
            .unwrap()
            .unwrap();
        let session = Session::new(None, Arc::new(store.clone()), None);
        let sso = SsoSession {
            user_id: "user-ada".into(),
            auth_time: now,
            amr: vec!["otp".into(), "email".into()],
        };
        session.insert(SSO_KEY, &sso).await.unwrap();
        Fixture {
            _dir: dir,
            store,
            clock,
            client,
            session,
        }
    }

    fn request(client: &Client) -> AuthRequest {
        AuthRequest::plain(&client.id, "https://app.example/cb")
    }

    async fn decide(f: &Fixture, req: &AuthRequest) -> SsoDecision {
        sso_decision(&f.store, &f.session, &f.client, req, f.clock.now())
            .await
            .unwrap()
    }

    fn needs(d: SsoDecision) -> Option<SilentError> {
        match d {
            SsoDecision::Use(_) => None,
            SsoDecision::SignIn { error } => Some(error),
        }
    }

    #[tokio::test]
    async fn a_live_sso_session_serves_a_plain_request() {
        let f = signed_in(true).await;
        let d = decide(&f, &request(&f.client)).await;
        assert!(
            matches!(&d, SsoDecision::Use(s) if s.user_id == "user-ada"),
            "{d:?}"
        );
    }

    #[tokio::test]
    async fn a_browser_without_sso_state_must_sign_in() {
        let f = signed_in(true).await;
        f.session.remove::<SsoSession>(SSO_KEY).await.unwrap();
        let d = decide(&f, &request(&f.client)).await;
        assert_eq!(needs(d), Some(SilentError::LoginRequired));
    }

    #[tokio::test]
    async fn a_sign_in_older_than_max_age_is_not_reused() {
        let f = signed_in(true).await;
        let req = AuthRequest {
            max_age: Some(600),
            ..request(&f.client)
        };
        assert_eq!(needs(decide(&f, &req).await), None);
        f.clock.advance(601);
        assert_eq!(
            needs(decide(&f, &req).await),
            Some(SilentError::LoginRequired)
        );
    }

    #[tokio::test]
    async fn prompt_login_and_select_account_always_ask_for_a_new_sign_in() {
        let f = signed_in(true).await;
        for p in [Prompt::Login, Prompt::SelectAccount] {
            let req = AuthRequest {
                prompt: vec![p],
                ..request(&f.client)
            };
            assert_eq!(
                needs(decide(&f, &req).await),
                Some(SilentError::LoginRequired)
            );
        }
    }

    #[tokio::test]
    async fn an_sso_session_an_admin_ended_is_not_reused_though_the_browser_still_holds_it() {
        let f = signed_in(true).await;
        let now = f.clock.now();
        let record = SsoSessionRecord {
            id: "sid-1".into(),
            user_id: "user-ada".into(),
            amr: "[\"otp\"]".into(),
            created_at: now,
            expires_at: now + 3600,
            ended_at: None,
            end_reason: None,
        };
        f.store.insert_sso_session(&record).await.unwrap();
        f.session.insert(SSO_SID_KEY, "sid-1").await.unwrap();
        assert_eq!(needs(decide(&f, &request(&f.client)).await), None);
        f.store
            .mark_sso_session_ended("sid-1", now, "revoked")
            .await
            .unwrap();
        assert_eq!(
            needs(decide(&f, &request(&f.client)).await),
            Some(SilentError::LoginRequired)
        );
    }

    #[tokio::test]
    async fn prompt_none_with_a_hint_for_someone_else_tells_an_unconsented_client_only_consent_required(
    ) {
        let req = |c: &Client| AuthRequest {
            prompt: vec![Prompt::None],
            login_hint: Some("bob@example.com".into()),
            ..request(c)
        };
        // A third-party client the person never consented to learns nothing from the hint.
        let third = signed_in(false).await;
        assert_eq!(
            needs(decide(&third, &req(&third.client)).await),
            Some(SilentError::ConsentRequired)
        );
        // A first-party client gets the hint's own answer.
        let first = signed_in(true).await;
        let d = needs(decide(&first, &req(&first.client)).await);
        assert!(
            matches!(d, Some(e) if e != SilentError::ConsentRequired),
            "{d:?}"
        );
    }
}

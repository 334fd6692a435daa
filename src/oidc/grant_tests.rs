//! The token endpoint's grants on a temporary SQLite store with a clock the tests move,
//! without a server: code exchange, refresh-token rotation and reuse, lifetimes.

use std::sync::Arc;

use secrecy::SecretString;

use super::grant::{GrantCtx, GrantError};
use super::params::Params;
use super::{client_credentials, refresh, refresh_token, token};
use crate::clients::NewClient;
use crate::clock::{Clock, ShiftedClock};
use crate::config::TokenConfig;
use crate::crypto::{pkce_s256, ServerSecrets};
use crate::store::clients::Client;
use crate::store::codes::{AuthCode, Grant};
use crate::store::users::{Channel, User};
use crate::store::Store;
use crate::tokens::KeyRing;

const REDIRECT: &str = "https://rp.example/cb";
const VERIFIER: &str = "a-code-verifier-that-is-long-enough-for-rfc-7636-0123456789";

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    keys: KeyRing,
    secrets: ServerSecrets,
    clock: ShiftedClock,
    tokens: TokenConfig,
    client: Client,
    user: User,
}

impl Fixture {
    async fn new() -> Fixture {
        Self::with_client(NewClient {
            name: "test app".into(),
            redirect_uris: vec![REDIRECT.into()],
            ..NewClient::default()
        })
        .await
    }

    async fn with_client(spec: NewClient) -> Fixture {
        let (store, dir) = crate::store::testing::temp_sqlite().await;
        let secrets = ServerSecrets::from_secret(&SecretString::from("s".repeat(48)));
        let clock = ShiftedClock::new();
        let keys = KeyRing::open(store.clone(), secrets.clone(), Arc::new(clock.clone()), 60)
            .await
            .unwrap();
        let now = clock.now();
        let registered = crate::clients::register(&store, &secrets, now, spec)
            .await
            .unwrap();
        let client = store
            .get_client(&registered.client_id)
            .await
            .unwrap()
            .unwrap();
        let user = store
            .user_signed_in(Channel::Email, "ada@example.com", "user-ada", true, now)
            .await
            .unwrap()
            .unwrap();
        Fixture {
            _dir: dir,
            store,
            keys,
            secrets,
            clock,
            tokens: TokenConfig::default(),
            client,
            user,
        }
    }

    fn ctx(&self) -> GrantCtx<'_> {
        GrantCtx {
            store: &self.store,
            keys: &self.keys,
            secrets: &self.secrets,
            clock: &self.clock,
            issuer: "https://sesame.test",
            tokens: &self.tokens,
        }
    }

    async fn grant(&self, scope: &str) -> Grant {
        let now = self.clock.now();
        let grant = Grant {
            id: crate::crypto::random_token(16).unwrap(),
            user_id: self.user.id.clone(),
            client_id: self.client.id.clone(),
            scope: scope.into(),
            auth_time: now,
            amr: r#"["otp","email"]"#.into(),
            created_at: now,
            expires_at: now + 600,
            revoked_at: None,
            claims: None,
            sid: None,
        };
        self.store.insert_grant(&grant).await.unwrap();
        grant
    }

    /// Stores an authorization code of a new grant, with a PKCE challenge; returns the
    /// code in clear and its grant.
    async fn code(&self, scope: &str) -> (String, Grant) {
        let grant = self.grant(scope).await;
        let code = crate::crypto::random_token(32).unwrap();
        let now = self.clock.now();
        self.store
            .insert_auth_code(&AuthCode {
                code_hash: crate::authz::code_hash_with(&self.secrets, &code),
                grant_id: grant.id.clone(),
                client_id: self.client.id.clone(),
                user_id: self.user.id.clone(),
                redirect_uri: REDIRECT.into(),
                scope: scope.into(),
                nonce: Some("n-1".into()),
                code_challenge: Some(pkce_s256(VERIFIER)),
                auth_time: now,
                amr: grant.amr.clone(),
                created_at: now,
                expires_at: now + self.tokens.authorization_code_ttl_seconds,
                used_at: None,
            })
            .await
            .unwrap();
        (code, grant)
    }

    async fn grant_revoked(&self, grant: &Grant) -> bool {
        let stored = self.store.get_grant(&grant.id).await.unwrap().unwrap();
        stored.revoked_at.is_some()
    }
}

fn params(pairs: &[(&str, &str)]) -> Params {
    let body = serde_urlencoded::to_string(pairs).unwrap();
    Params::parse(body.as_bytes()).unwrap()
}

fn code_params(code: &str) -> Params {
    params(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ])
}

fn refresh_params(token: &str) -> Params {
    params(&[("grant_type", "refresh_token"), ("refresh_token", token)])
}

fn invalid_grant(r: Result<impl std::fmt::Debug, GrantError>) -> &'static str {
    match r {
        Err(GrantError::InvalidGrant(d)) => d,
        other => panic!("expected invalid_grant, got {other:?}"),
    }
}

#[tokio::test]
async fn a_code_is_exchanged_for_tokens_once_and_a_second_use_revokes_its_grant() {
    let f = Fixture::new().await;
    let (code, grant) = f.code("openid offline_access").await;
    let body = token::exchange(&f.ctx(), &f.client, &code_params(&code))
        .await
        .unwrap();
    assert_eq!(body.token_type, "Bearer");
    assert!(body.id_token.is_some());
    assert!(body.refresh_token.is_some(), "offline_access asks for one");
    assert!(!f.grant_revoked(&grant).await);

    let again = token::exchange(&f.ctx(), &f.client, &code_params(&code)).await;
    assert!(invalid_grant(again).contains("already used"));
    assert!(f.grant_revoked(&grant).await);
}

#[tokio::test]
async fn expired_code_is_refused_as_invalid_grant() {
    let f = Fixture::new().await;
    let (code, _) = f.code("openid").await;
    f.clock.advance(f.tokens.authorization_code_ttl_seconds);
    let r = token::authorization_code(&f.ctx(), &f.client, &code_params(&code)).await;
    assert_eq!(invalid_grant(r), "the authorization code has expired");
}

#[tokio::test]
async fn a_code_without_its_verifier_is_refused() {
    let f = Fixture::new().await;
    let (code, _) = f.code("openid").await;
    let p = params(&[("code", &code), ("redirect_uri", REDIRECT)]);
    let r = token::authorization_code(&f.ctx(), &f.client, &p).await;
    assert_eq!(invalid_grant(r), "code_verifier is required");
}

#[tokio::test]
async fn refresh_token_rotation_issues_a_new_token_each_use() {
    let f = Fixture::new().await;
    let grant = f.grant("openid offline_access").await;
    let now = f.clock.now();
    let rt1 = refresh_token::mint(&f.ctx(), &f.client, &grant, &grant.scope, now)
        .await
        .unwrap();
    let body = refresh::refresh(&f.ctx(), &f.client, &refresh_params(&rt1))
        .await
        .unwrap();
    let rt2 = body.refresh_token.unwrap();
    assert_ne!(rt1, rt2);
    assert_eq!(body.scope, "openid offline_access");
    let body = refresh::refresh(&f.ctx(), &f.client, &refresh_params(&rt2))
        .await
        .unwrap();
    assert!(body.refresh_token.is_some());
    assert!(!f.grant_revoked(&grant).await);
}

#[tokio::test]
async fn refresh_token_reuse_revokes_the_grant() {
    let f = Fixture::new().await;
    let grant = f.grant("openid offline_access").await;
    let now = f.clock.now();
    let rt1 = refresh_token::mint(&f.ctx(), &f.client, &grant, &grant.scope, now)
        .await
        .unwrap();
    let rt2 = refresh::refresh(&f.ctx(), &f.client, &refresh_params(&rt1))
        .await
        .unwrap()
        .refresh_token
        .unwrap();

    let reused = refresh::refresh(&f.ctx(), &f.client, &refresh_params(&rt1)).await;
    assert!(invalid_grant(reused).contains("already used"));
    assert!(f.grant_revoked(&grant).await);
    // The token the thief or the client holds now is dead too.
    let r = refresh::refresh(&f.ctx(), &f.client, &refresh_params(&rt2)).await;
    assert_eq!(invalid_grant(r), "the refresh token is not valid");
}

#[tokio::test]
async fn an_unused_refresh_token_expires_after_the_idle_lifetime() {
    let f = Fixture::new().await;
    let grant = f.grant("openid offline_access").await;
    let rt = refresh_token::mint(&f.ctx(), &f.client, &grant, &grant.scope, f.clock.now())
        .await
        .unwrap();
    f.clock.advance(f.tokens.refresh_token_idle_ttl_seconds);
    let r = refresh::refresh(&f.ctx(), &f.client, &refresh_params(&rt)).await;
    assert_eq!(
        invalid_grant(r),
        "the refresh token has expired; sign in again"
    );
    assert!(!f.grant_revoked(&grant).await, "expiry is not reuse");
}

#[tokio::test]
async fn a_refresh_may_narrow_the_scope_but_never_widen_it() {
    let f = Fixture::new().await;
    let grant = f.grant("openid email offline_access").await;
    let rt = refresh_token::mint(&f.ctx(), &f.client, &grant, &grant.scope, f.clock.now())
        .await
        .unwrap();
    let wider = params(&[("refresh_token", &rt), ("scope", "openid phone")]);
    match refresh::refresh(&f.ctx(), &f.client, &wider).await {
        Err(GrantError::InvalidScope(d)) => assert_eq!(d, "scope `phone` was not granted"),
        other => panic!("expected invalid_scope, got {other:?}"),
    }
    let narrower = params(&[("refresh_token", &rt), ("scope", "openid")]);
    let body = refresh::refresh(&f.ctx(), &f.client, &narrower)
        .await
        .unwrap();
    assert_eq!(body.scope, "openid");
}

#[tokio::test]
async fn client_credentials_grant_only_the_clients_api_scopes() {
    let f = Fixture::with_client(NewClient {
        name: "machine".into(),
        grant_types: vec!["client_credentials".into()],
        scope: "api.read api.write".into(),
        ..NewClient::default()
    })
    .await;
    let body = client_credentials::grant(&f.ctx(), &f.client, &Params::default())
        .await
        .unwrap();
    assert_eq!(body.scope, "api.read api.write");
    assert!(body.id_token.is_none() && body.refresh_token.is_none());
    for asked in ["openid", "api.admin"] {
        let p = params(&[("scope", asked)]);
        let r = client_credentials::grant(&f.ctx(), &f.client, &p).await;
        assert!(
            matches!(r, Err(GrantError::InvalidScope(_))),
            "{asked}: {r:?}"
        );
    }
    // Registration refuses a public client this grant; the grant refuses it again.
    let public = Client {
        public: true,
        ..f.client.clone()
    };
    let r = client_credentials::grant(&f.ctx(), &public, &Params::default()).await;
    assert!(matches!(r, Err(GrantError::UnauthorizedClient(_))), "{r:?}");
}

#[tokio::test]
async fn an_unknown_grant_type_is_unsupported() {
    let f = Fixture::new().await;
    let p = params(&[("grant_type", "password")]);
    let r = token::exchange(&f.ctx(), &f.client, &p).await;
    assert!(matches!(r, Err(GrantError::UnsupportedGrantType)), "{r:?}");
}

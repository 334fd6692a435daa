//! Test support: a real Sesame server on port 0 with its own database (a SQLite file in a
//! temporary folder, or a fresh PostgreSQL database), a real SMTP listener, and a
//! cookie-keeping HTTP client that acts as the person's browser.
//!
//! The backend comes from `SESAME_TEST_BACKEND` (`sqlite`, the default, or `postgres`;
//! `SESAME_TEST_POSTGRES_URL` names the server, default `postgres://postgres@127.0.0.1:5432`).

#![allow(dead_code)]

pub mod helpers;
pub mod manifests;
pub mod mime;
pub mod oidc;
pub mod process;
pub mod smtp;
pub mod tls_smtp;

pub use helpers::*;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
pub use oidc::*;
use reqwest::header::LOCATION;
use reqwest::{Client, Response, StatusCode};
use sesame::app::{Application, BuildOptions};
use sesame::clients::{NewClient, Registered};
use sesame::clock::ShiftedClock;
use sesame::config::Config;
use sesame::state::AppState;
use smtp::SmtpSink;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use url::Url;

pub const MAIL_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("SESAME_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("SESAME_TEST_BACKEND must be sqlite or postgres, not {other}"),
    }
}

fn postgres_server_url() -> String {
    std::env::var("SESAME_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

fn random_name() -> String {
    sesame::crypto::random_token(9)
        .unwrap()
        .to_ascii_lowercase()
        .replace(['-', '_'], "x")
}

/// A database that exists for one test. PostgreSQL databases are dropped when it drops.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        match backend() {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/sesame.db", dir.path().display());
                TestDb {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                use sqlx::Connection;
                let server = postgres_server_url();
                let name = format!("sesame_test_{}", random_name());
                let mut conn = sqlx::PgConnection::connect(&format!("{server}/postgres"))
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL at {server} is not reachable for the postgres test run: {e}")
                    });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                TestDb {
                    url: format!("{server}/{name}"),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let server = postgres_server_url();
            // Drop runs inside the test's runtime; use a thread with its own runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    use sqlx::Connection;
                    if let Ok(mut conn) =
                        sqlx::PgConnection::connect(&format!("{server}/postgres")).await
                    {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A running server and what a test needs around it.
pub struct TestApp {
    pub base: String,
    pub port: u16,
    pub state: AppState,
    pub clock: ShiftedClock,
    pub smtp: SmtpSink,
    pub db: Arc<TestDb>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

/// The server secret of every test server (the CLI tests hand it to the binary).
pub const TEST_SECRET_KEY: &str = "test-secret-key-that-is-long-enough-0123456789";

/// The configuration every test starts from: development mode with real SMTP.
pub fn test_config(port: u16, db_url: &str, smtp_url: &str) -> Config {
    let mut env = BTreeMap::new();
    env.insert(
        "SESAME_ISSUER".to_string(),
        format!("http://127.0.0.1:{port}"),
    );
    env.insert("SESAME_DATABASE_URL".to_string(), db_url.to_string());
    env.insert("SESAME_SMTP_URL".to_string(), smtp_url.to_string());
    env.insert("SESAME_SECRET_KEY".to_string(), TEST_SECRET_KEY.to_string());
    env.insert(
        "SESAME_EMAIL_FROM".to_string(),
        "Sesame <no-reply@sesame.test>".to_string(),
    );
    Config::from_sources(None, &env).unwrap()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server after `adjust` has changed the test configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let db = Arc::new(TestDb::new().await);
        let smtp = SmtpSink::start().await;
        Self::spawn_on(db, smtp, ShiftedClock::new(), adjust).await
    }

    /// Starts a server on an existing database and SMTP sink (a second replica).
    pub async fn spawn_on(
        db: Arc<TestDb>,
        smtp: SmtpSink,
        clock: ShiftedClock,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut config = test_config(port, &db.url, &smtp.url());
        adjust(&mut config);
        let opts = BuildOptions {
            clock: Arc::new(clock.clone()),
            key_cache_seconds: 0,
        };
        let app = Application::with_listener(config, opts, listener)
            .await
            .expect("the test server starts");
        let state = app.state();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            port,
            state,
            clock,
            smtp,
            db,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }

    /// Registers a client through the same code the CLI uses.
    pub async fn register_client(&self, spec: NewClient) -> Registered {
        sesame::clients::register(
            &self.state.store,
            &self.state.secrets,
            self.state.now(),
            spec,
        )
        .await
        .unwrap()
    }

    /// A confidential client with PKCE required and one redirect URI.
    pub async fn confidential_client(&self) -> TestClient {
        self.client_of(false, true).await
    }

    /// A public client (PKCE always required).
    pub async fn public_client(&self) -> TestClient {
        self.client_of(true, true).await
    }

    pub async fn client_of(&self, public: bool, pkce_required: bool) -> TestClient {
        let redirect_uri = "http://127.0.0.1:9/callback".to_string();
        let reg = self
            .register_client(NewClient {
                name: "Test App".into(),
                redirect_uris: vec![redirect_uri.clone()],
                public,
                pkce_required,
                first_party: true,
                id_token_alg: sesame::jose::SigningAlg::Rs256,
                ..NewClient::default()
            })
            .await;
        TestClient {
            id: reg.client_id,
            secret: reg.client_secret,
            redirect_uri,
        }
    }

    /// Waits until no first delivery attempt is under way: every code message handed to a
    /// delivery after its page answered has been sent, completed as a stand-in, failed, or
    /// scheduled for a retry. Then the sink holds every message that was sent.
    pub async fn settle_outbox(&self) {
        let deadline = tokio::time::Instant::now() + MAIL_WAIT;
        loop {
            let rows = self.state.store.all_messages().await.unwrap();
            if rows
                .iter()
                .all(|r| r.status.as_str() != "pending" || r.claimed_until.is_none())
            {
                // The deliveries that recorded their result may still write its audit event.
                tokio::time::timeout_at(deadline, self.state.replica.wait_idle())
                    .await
                    .expect("the deliveries finish");
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the outbox did not settle within {MAIL_WAIT:?}: {rows:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Audit events of one kind, oldest first.
    pub async fn audit_kinds(&self) -> Vec<String> {
        self.state
            .store
            .audit_events(0, None, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug, Clone)]
pub struct TestClient {
    pub id: String,
    pub secret: Option<String>,
    pub redirect_uri: String,
}

/// PKCE verifier and its S256 challenge.
pub fn pkce_pair() -> (String, String) {
    let verifier = sesame::crypto::random_token(32).unwrap();
    let challenge = sesame::crypto::pkce_s256(&verifier);
    (verifier, challenge)
}

/// The person's browser: keeps cookies, does not follow redirects on its own.
pub struct Browser {
    pub http: Client,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            http: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub async fn get(&self, url: &str) -> Response {
        self.http.get(url).send().await.unwrap()
    }

    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Response {
        self.http.post(url).form(form).send().await.unwrap()
    }
}

/// The `Location` header of a redirect, resolved against `base`.
pub fn location(res: &Response, base: &str) -> String {
    let loc = res
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("expected a redirect, got {}", res.status()))
        .to_str()
        .unwrap();
    Url::parse(base).unwrap().join(loc).unwrap().to_string()
}

/// The value of a hidden input in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no hidden field {name} in page:\n{html}"))
        + needle.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

pub fn query_param(url: &str, name: &str) -> Option<String> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Parameters of an authorization request.
#[derive(Debug, Clone)]
pub struct AuthParams {
    pub scope: String,
    pub state: String,
    pub nonce: String,
    pub challenge: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl Default for AuthParams {
    fn default() -> Self {
        AuthParams {
            scope: "openid email".into(),
            state: "st-".to_string() + &random_name(),
            nonce: "n-".to_string() + &random_name(),
            challenge: None,
            extra: vec![],
        }
    }
}

pub fn authorize_url(app: &TestApp, client: &TestClient, p: &AuthParams) -> String {
    let mut url = Url::parse(&app.url("/authorize")).unwrap();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair("client_id", &client.id);
        q.append_pair("redirect_uri", &client.redirect_uri);
        q.append_pair("scope", &p.scope);
        q.append_pair("state", &p.state);
        q.append_pair("nonce", &p.nonce);
        if let Some(c) = &p.challenge {
            q.append_pair("code_challenge", c);
            q.append_pair("code_challenge_method", "S256");
        }
        for (k, v) in &p.extra {
            q.append_pair(k, v);
        }
    }
    url.to_string()
}

/// The id of the login transaction a page's `tx` value names: a sealed sign-in (the first
/// page, before an address was submitted) carries the id its transaction gets.
pub fn tx_id(tx: &str) -> String {
    if !sesame::login::pending::is_sealed(tx) {
        return tx.to_string();
    }
    let secrets = sesame::crypto::ServerSecrets::from_secret(&secrecy::SecretString::from(
        TEST_SECRET_KEY.to_string(),
    ));
    sesame::login::pending::open(&secrets, tx, i64::MIN)
        .expect("a sealed sign-in of a test server")
        .tx
}

/// The state of a sign-in on the hosted pages.
pub struct LoginPage {
    pub url: String,
    pub tx: String,
    pub csrf: String,
    pub html: String,
}

impl TestApp {
    /// Follows an authorization URL to the first login page.
    pub async fn open_login(&self, browser: &Browser, auth_url: &str) -> LoginPage {
        let res = browser.get(auth_url).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "authorize should redirect to the login page"
        );
        let url = location(&res, &self.base);
        assert!(url.starts_with(&self.url("/login?tx=")), "{url}");
        let res = browser.get(&url).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        LoginPage {
            tx: hidden(&html, "tx"),
            csrf: hidden(&html, "csrf"),
            url,
            html,
        }
    }

    /// Submits an address on the first page; returns the response (303 on success).
    pub async fn submit_identifier(
        &self,
        browser: &Browser,
        page: &LoginPage,
        identifier: &str,
    ) -> Response {
        browser
            .post_form(
                &self.url("/login"),
                &[
                    ("tx", &page.tx),
                    ("csrf", &page.csrf),
                    ("identifier", identifier),
                ],
            )
            .await
    }

    pub async fn submit_code(&self, browser: &Browser, page: &LoginPage, code: &str) -> Response {
        browser
            .post_form(
                &self.url("/login/verify"),
                &[("tx", &page.tx), ("csrf", &page.csrf), ("code", code)],
            )
            .await
    }

    /// Asks for a code for `email` and returns it, read from the real email.
    pub async fn request_code(&self, browser: &Browser, page: &LoginPage, email: &str) -> String {
        let res = self.submit_identifier(browser, page, email).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{}",
            res.text().await.unwrap()
        );
        let mail = self.smtp.wait_for_message_to(email, MAIL_WAIT).await;
        smtp::code_from(&mail)
    }

    /// Signs in from scratch and returns the URL the browser is sent back to.
    pub async fn sign_in(&self, browser: &Browser, auth_url: &str, email: &str) -> String {
        let page = self.open_login(browser, auth_url).await;
        let code = self.request_code(browser, &page, email).await;
        let res = self.submit_code(browser, &page, &code).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{}",
            res.text().await.unwrap()
        );
        location(&res, &self.base)
    }

    /// Exchanges a code at the token endpoint with the client's credentials (Basic).
    pub async fn exchange(
        &self,
        client: &TestClient,
        code: &str,
        verifier: Option<&str>,
    ) -> Response {
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &client.redirect_uri),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        let mut req = reqwest::Client::new().post(self.url("/token"));
        match &client.secret {
            Some(s) => req = req.basic_auth(&client.id, Some(s)),
            None => form.push(("client_id", &client.id)),
        }
        req.form(&form).send().await.unwrap()
    }

    /// A full sign-in and code exchange; returns the token response JSON.
    pub async fn tokens_for(&self, client: &TestClient, email: &str) -> serde_json::Value {
        let browser = Browser::new();
        let (verifier, challenge) = pkce_pair();
        let p = AuthParams {
            challenge: Some(challenge),
            ..Default::default()
        };
        let back = self
            .sign_in(&browser, &authorize_url(self, client, &p), email)
            .await;
        let code = query_param(&back, "code").unwrap();
        let res = self.exchange(client, &code, Some(&verifier)).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

/// Decodes a JWT's payload without verifying it (tests verify separately).
pub fn jwt_claims(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn jwt_header(jwt: &str) -> serde_json::Value {
    let header = jwt.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

//! Helpers for the admin stories: an admin API client holding a real token, the audit
//! trail as JSON, and the `sesame` binary run against a test's database.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sesame::admin::ops::{Actor, Ctx};

use crate::support::*;

/// An answer of the admin API.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Resp {
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an RFC 9457 problem with this status (and this field, for validation).
    pub fn assert_problem(&self, status: StatusCode, field: Option<&str>) {
        assert_eq!(self.status, status, "{:#}", self.json);
        assert_eq!(self.content_type(), "application/problem+json");
        assert_eq!(self.json["status"], status.as_u16());
        assert!(self.json["type"].is_string() && self.json["title"].is_string());
        assert!(self.json["detail"].is_string(), "{:#}", self.json);
        if let Some(f) = field {
            assert_eq!(self.json["field"], f, "{:#}", self.json);
        }
    }
}

pub const API: &str = "/admin/api/v1";

/// The operation context of the CLI, for setting things up through the library.
pub fn cli_ctx(app: &TestApp) -> Ctx<'_> {
    Ctx {
        store: &app.state.store,
        secrets: &app.state.secrets,
        config: &app.state.config,
        now: app.state.now(),
        actor: Actor::cli(),
    }
}

/// Creates an admin token the way `sesame admin-tokens create` does; returns (id, token).
pub async fn new_token(app: &TestApp, name: &str) -> (String, String) {
    let t = sesame::admin::auth::create_token(&cli_ctx(app), name)
        .await
        .unwrap();
    (t.id, t.token)
}

pub struct AdminApi {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
    pub token_id: String,
}

impl AdminApi {
    /// A client with a fresh token named `test-admin` (which turns the API on).
    pub async fn new(app: &TestApp) -> AdminApi {
        let (id, token) = new_token(app, "test-admin").await;
        AdminApi {
            base: app.url(API),
            http: reqwest::Client::new(),
            token: Some(token),
            token_id: id,
        }
    }

    /// The same server, presenting another token (or none).
    pub fn with_token(&self, token: Option<&str>) -> AdminApi {
        AdminApi {
            base: self.base.clone(),
            http: self.http.clone(),
            token: token.map(str::to_string),
            token_id: String::new(),
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            headers,
            json,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str) -> Resp {
        self.call(Method::PUT, path, None).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, None).await
    }
}

/// Audit events of one kind, newest first, with their details as JSON.
pub async fn events(app: &TestApp, kind: &str) -> Vec<Value> {
    app.state
        .store
        .audit_events(0, Some(kind), 10_000)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| {
            serde_json::json!({
                "kind": e.kind, "user_id": e.user_id, "client_id": e.client_id,
                "ip": e.ip,
                "detail": serde_json::from_str::<Value>(&e.detail).unwrap(),
            })
        })
        .collect()
}

/// Asserts the newest event of `kind` was written by the admin token `token_id`.
pub async fn assert_audited_by_token(app: &TestApp, kind: &str, token_id: &str) -> Value {
    let all = events(app, kind).await;
    let e = all
        .first()
        .unwrap_or_else(|| panic!("no {kind} audit event"))
        .clone();
    assert_eq!(e["detail"]["actor"]["type"], "admin_token", "{e:#}");
    assert_eq!(e["detail"]["actor"]["id"], token_id, "{e:#}");
    assert_eq!(e["detail"]["actor"]["name"], "test-admin", "{e:#}");
    e
}

/// A person who signed in to `client` in `browser`; returns the token response.
pub async fn signed_in(
    app: &TestApp,
    browser: &Browser,
    client: &TestClient,
    email: &str,
) -> Value {
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let back = app
        .sign_in(browser, &authorize_url(app, client, &p), email)
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Whether the browser's single sign-on still works: /authorize answers straight with a
/// code instead of sending it to the login page.
pub async fn sso_works(app: &TestApp, browser: &Browser, client: &TestClient) -> bool {
    let (_, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let res = browser.get(&authorize_url(app, client, &p)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res, &app.base);
    if to.starts_with(&client.redirect_uri) {
        assert!(query_param(&to, "code").is_some(), "{to}");
        true
    } else {
        assert!(to.starts_with(&app.url("/login?tx=")), "{to}");
        false
    }
}

/// Calls /userinfo with an access token; true when it is accepted.
pub async fn userinfo_ok(app: &TestApp, access_token: &str) -> bool {
    let res = reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    res.status() == StatusCode::OK
}

/// The real `sesame` binary set up to run against the test's database (no `SESAME_*`
/// from the environment of the test run, no config file).
pub fn cli_command(app: &TestApp) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sesame"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SESAME_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    let empty = std::env::temp_dir().join("sesame-empty-config.toml");
    std::fs::write(&empty, "").unwrap();
    cmd.env("SESAME_CONFIG", &empty)
        .env("SESAME_DATABASE_URL", &app.db.url)
        .env(
            "SESAME_SECRET_KEY",
            "test-secret-key-that-is-long-enough-0123456789",
        )
        .env("SESAME_ISSUER", &app.base);
    cmd
}

/// Runs the real `sesame` binary against the test's database; returns (success, stdout, stderr).
pub fn run_cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = cli_command(app).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the binary with `--json` appended and parses what it prints; panics on failure.
pub fn cli_json(app: &TestApp, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let (ok, out, err) = run_cli(app, &all);
    assert!(ok, "sesame {all:?} failed: {err}\n{out}");
    serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("sesame {all:?} printed non-JSON ({e}): {out}"))
}

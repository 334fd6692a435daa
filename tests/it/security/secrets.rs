//! Secrets and the audit trail: nothing secret in the log of a full sign-in, secrets stored
//! only as keyed hashes, every security event audited in an append-only table, and the
//! admin CLI's `sesame audit --since`.

use std::io::Write;
use std::sync::{Arc, Mutex, Once, OnceLock};

use reqwest::StatusCode;
use secrecy::SecretString;
use sesame::crypto::ServerSecrets;
use sesame::with_pool;

use crate::security::common::*;
use crate::support::*;

/// Everything every test in this binary logs (a global subscriber, set once: the server's
/// tasks are spawned, so a thread-local subscriber would not see them).
fn captured_log() -> Arc<Mutex<Vec<u8>>> {
    static BUF: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    static INIT: Once = Once::new();
    let buf = BUF.get_or_init(|| Arc::new(Mutex::new(Vec::new()))).clone();
    INIT.call_once(|| {
        let writer_buf = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "trace,reqwest=info,hyper_util=debug,hyper=debug,h2=debug,tokio=info,runtime=info",
            ))
            .with_ansi(false)
            .without_time()
            .with_writer(move || SharedWriter(writer_buf.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("this test installs the process's only global tracing subscriber");
    });
    buf
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for SharedWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether `needle` occurs as a whole word (not inside a longer run of letters or digits).
fn occurs(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + needle.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        !word(before) && !word(after)
    })
}

#[tokio::test]
async fn a_full_sign_in_logs_no_code_secret_token_or_cookie() {
    let log = captured_log();
    let canary = format!("canary-{}", sesame::crypto::random_token(8).unwrap());
    tracing::info!(marker = %canary, "log capture check");
    assert!(
        String::from_utf8_lossy(&log.lock().unwrap()).contains(&canary),
        "the log capture works (no other global subscriber was installed first)"
    );

    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let email = format!(
        "log-{}@example.com",
        sesame::crypto::random_token(6)
            .unwrap()
            .to_ascii_lowercase()
            .replace(['-', '_'], "x")
    );
    let b = Browser::new();
    let (verifier, challenge) = pkce_pair();
    let auth = authorize_url(
        &app,
        &client,
        &AuthParams {
            challenge: Some(challenge),
            ..Default::default()
        },
    );
    // Nothing is stored before the person acts: the first cookie is the sign-in form's
    // anti-CSRF cookie, set by the first page.
    let first = b.get(&auth).await;
    let login = b.get(&location(&first, &app.base)).await;
    let (_, cookie_before) = cookie_pair(&login).unwrap();
    let page = app.open_login(&b, &auth).await;
    let code = app.request_code(&b, &page, &email).await;
    let wrong = wrong_code(&code, 0);
    assert_eq!(
        app.submit_code(&b, &page, &wrong).await.status(),
        StatusCode::BAD_REQUEST
    );
    let back = app.submit_code(&b, &page, &code).await;
    let (_, cookie_after) = cookie_pair(&back).unwrap();
    let cb = location(&back, &app.base);
    let auth_code = query_param(&cb, "code").unwrap();
    let res = app.exchange(&client, &auth_code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    let ui = reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    // A reused code and a wrong secret are logged as failures, still without secrets.
    let _ = app.exchange(&client, &auth_code, Some(&verifier)).await;
    app.stop().await;

    let text = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
    assert!(text.contains("request"), "the sign-in was logged at all");
    let mut secrets: Vec<(&str, String)> = vec![
        ("one-time code", code),
        ("wrong code", wrong),
        ("client secret", client.secret.clone().unwrap()),
        ("authorization code", auth_code),
        ("PKCE verifier", verifier),
        ("anti-CSRF cookie before sign-in", cookie_before),
        ("session cookie after sign-in", cookie_after),
        ("CSRF token", page.csrf.clone()),
        ("email address", email.clone()),
    ];
    for name in ["access_token", "id_token", "refresh_token"] {
        if let Some(t) = tokens[name].as_str() {
            secrets.push((name, t.to_string()));
            // No part of a JWT (its signature in particular) either.
            for part in t.split('.').filter(|p| p.len() > 16) {
                secrets.push((name, part.to_string()));
            }
        }
    }
    for (what, value) in secrets {
        assert!(!occurs(&text, &value), "the log contains the {what}");
    }
}

#[tokio::test]
async fn secrets_are_stored_only_as_keyed_hashes_under_the_pepper() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let (page, code) = code_page(&app, &b, &client, "hashed@example.com").await;
    let other = ServerSecrets::from_secret(&SecretString::from(
        "another-secret-key-of-enough-length-000".to_string(),
    ));

    let stored: Vec<u8> = with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar("SELECT code_hash FROM login_transactions WHERE id = $1")
            .bind(tx_id(&page.tx))
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(
        stored,
        sesame::login::code::code_hash(&app.state, &tx_id(&page.tx), &code)
    );
    assert_ne!(
        stored,
        other.keyed_hash("login_code", &[page.tx.as_bytes(), code.as_bytes()])
    );
    assert!(!stored.windows(6).any(|w| w == code.as_bytes()));

    let secret_hash: Vec<u8> = with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar("SELECT secret_hash FROM clients WHERE id = $1")
            .bind(&client.id)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    let secret = client.secret.clone().unwrap();
    assert_eq!(
        secret_hash,
        sesame::clients::secret_hash(&app.state.secrets, &client.id, &secret)
    );
    assert_ne!(
        secret_hash,
        sesame::clients::secret_hash(&other, &client.id, &secret)
    );

    let back = app.submit_code(&b, &page, &code).await;
    let auth_code = query_param(&location(&back, &app.base), "code").unwrap();
    let hashes: Vec<Vec<u8>> = with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar("SELECT code_hash FROM authorization_codes")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(
        hashes,
        vec![sesame::authz::code_hash(&app.state, &auth_code)]
    );

    // No table holds any of the secrets in clear.
    let dump: String = with_pool!(&app.state.store.db, pool => {
        let mut all = String::new();
        for q in [
            "SELECT request || COALESCE(identifier, '') FROM login_transactions",
            "SELECT name || redirect_uris FROM clients",
            "SELECT redirect_uri || scope || COALESCE(nonce, '') FROM authorization_codes",
            "SELECT data FROM sessions",
            "SELECT kind || detail FROM audit_events",
            "SELECT key FROM rate_counters",
        ] {
            let rows: Vec<String> = sqlx::query_scalar(q).fetch_all(pool).await.unwrap();
            all.push_str(&rows.join("\n"));
        }
        all
    });
    assert!(
        !occurs(&dump, &code),
        "the one-time code is stored in clear"
    );
    assert!(
        !dump.contains(&secret),
        "the client secret is stored in clear"
    );
    assert!(
        !dump.contains(&auth_code),
        "the authorization code is stored in clear"
    );
}

#[tokio::test]
async fn audit_trail_is_append_only() {
    let app = spawn_quick(|_| {}).await;
    app.confidential_client().await;
    assert!(audit_count(&app, "client_created").await >= 1);
    let (update, delete) = with_pool!(&app.state.store.db, pool => {
        (
            sqlx::query("UPDATE audit_events SET kind = 'forged'").execute(pool).await.is_err(),
            sqlx::query("DELETE FROM audit_events").execute(pool).await.is_err(),
        )
    });
    assert!(update, "an audit event cannot be changed");
    assert!(delete, "an audit event cannot be deleted");
    assert!(audit_count(&app, "client_created").await >= 1);
    assert_eq!(audit_count(&app, "forged").await, 0);
}

#[tokio::test]
async fn every_security_event_is_audited_with_a_masked_target() {
    let app = spawn_quick(|c| c.limits.email.per_identifier_per_hour = 2).await;
    let client = app.confidential_client().await;
    let email = "audited@example.com";
    let b = Browser::new();
    let (page, code) = code_page(&app, &b, &client, email).await;
    app.submit_code(&b, &page, &wrong_code(&code, 0)).await;
    {
        let (verifier, challenge) = pkce_pair();
        let b = Browser::new();
        let auth = authorize_url(
            &app,
            &client,
            &AuthParams {
                challenge: Some(challenge),
                ..Default::default()
            },
        );
        let back = app.sign_in(&b, &auth, email).await;
        let c = query_param(&back, "code").unwrap();
        let res = app.exchange(&client, &c, Some(&verifier)).await;
        assert_eq!(res.status(), StatusCode::OK);
        app.exchange(&client, &c, Some(&verifier)).await;
    }
    let b3 = Browser::new();
    let p3 = begin(&app, &b3, &client).await;
    assert_eq!(
        app.submit_identifier(&b3, &p3, email).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert!(
        sesame::clients::remove(&app.state.store, app.state.now(), &client.id)
            .await
            .unwrap()
    );

    let kinds = app.audit_kinds().await;
    for want in [
        "client_created",
        "code_sent",
        "verification_failed",
        "user_registered",
        "verification_succeeded",
        "tokens_issued",
        "code_reuse_revoked",
        "limit_hit",
        "client_removed",
    ] {
        assert!(
            kinds.iter().any(|k| k == want),
            "no {want} event in {kinds:?}"
        );
    }
    let events = app.state.store.audit_events(0, None, 1000).await.unwrap();
    for e in &events {
        assert!(!e.detail.contains(email), "{}: {}", e.kind, e.detail);
    }
    let sent = events.iter().find(|e| e.kind == "code_sent").unwrap();
    let detail: serde_json::Value = serde_json::from_str(&sent.detail).unwrap();
    assert_eq!(detail["channel"], "email");
    assert_eq!(detail["to"], "a***@example.com");
    assert_eq!(sent.ip.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn audit_cli_accepts_human_durations_and_rfc3339_times() {
    let app = spawn_quick(|_| {}).await;
    app.confidential_client().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sesame"))
            .args(args)
            .env_clear()
            .env("SESAME_DATABASE_URL", &app.db.url)
            .env("SESAME_SECRET_KEY", TEST_SECRET_KEY)
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap()
    };
    for since in ["1h", "2d", "90m", "1h30m", "2000-01-01T00:00:00Z"] {
        let out = run(&["audit", "--since", since, "--json"]);
        assert!(
            out.status.success(),
            "{since}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let events: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let kinds: Vec<&str> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.contains(&"client_created"), "{since}: {kinds:?}");
    }
    let out = run(&["audit", "--since", "2999-01-01T00:00:00Z", "--json"]);
    assert!(out.status.success());
    let events: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        events["items"].as_array().unwrap().is_empty(),
        "nothing after 2999"
    );
    let out = run(&["audit", "--since", "--kind"]);
    assert!(!out.status.success());
    let out = run(&["audit", "--since", "yesterday"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
    let out = run(&["audit", "--since", "1d", "--kind", "client_created"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("client_created"), "{text}");
    assert!(
        text.contains('T') && text.contains('Z'),
        "times are printed as RFC 3339: {text}"
    );
}

//! Review accounts (for app-store reviewers): a fixed code, no message, an expiry, the
//! same attempt limits, an audit event for every use, and a warning at production start.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::admin::common::*;
use crate::support::*;

const REVIEWER: &str = "reviewer@example.com";

/// A date a month ahead, as `YYYY-MM-DD`.
fn next_month(app: &TestApp) -> String {
    sesame::admin::ops::format_time(app.state.now() + 30 * 86_400)[..10].to_string()
}

async fn add_reviewer(api: &AdminApi, until: &str) -> Resp {
    api.post(
        "/review-accounts",
        json!({ "identifier": "Reviewer@Example.com", "code": "246810", "until": until }),
    )
    .await
}

/// Opens a sign-in and submits the reviewer's address; returns the page and the number of
/// messages the SMTP sink had received just before.
async fn start(
    app: &TestApp,
    browser: &Browser,
    client: &TestClient,
) -> (LoginPage, usize, String) {
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(browser, &authorize_url(app, client, &p))
        .await;
    let before = app.smtp.messages().len();
    let res = app.submit_identifier(browser, &page, REVIEWER).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    (page, before, verifier)
}

#[tokio::test]
async fn a_review_account_signs_in_with_its_fixed_code_and_no_message_is_sent() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let r = add_reviewer(&api, &next_month(&app)).await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);
    assert_eq!(r.json["identifier"], REVIEWER);
    assert_eq!(r.json["active"], true);
    assert!(r.json.get("code").is_none());
    let e = assert_audited_by_token(&app, "admin_review_account_added", &api.token_id).await;
    assert!(!e.to_string().contains("246810"));
    // Only a keyed hash of the code is stored.
    let stored: Vec<u8> = sesame::with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar("SELECT code_hash FROM review_accounts").fetch_one(pool).await.unwrap()
    });
    assert_eq!(stored.len(), 32);
    assert!(!String::from_utf8_lossy(&stored).contains("246810"));

    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, before, verifier) = start(&app, &browser, &client).await;
    app.settle_outbox().await;
    assert_eq!(app.smtp.messages().len(), before, "no message is sent");
    let skipped = events(&app, "review_account_code_skipped").await;
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["detail"]["to"], "r***@example.com");

    let wrong = app.submit_code(&browser, &page, "135790").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let res = app.submit_code(&browser, &page, "246810").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert!(back.starts_with(&client.redirect_uri), "{back}");
    let code = query_param(&back, "code").unwrap();
    let tokens: serde_json::Value = app
        .exchange(&client, &code, Some(&verifier))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["email"],
        REVIEWER
    );
    assert_eq!(events(&app, "review_account_used").await.len(), 1);
    assert_eq!(events(&app, "verification_succeeded").await.len(), 1);

    let list = api.get("/review-accounts").await;
    assert_eq!(list.status, StatusCode::OK);
    let a = &list.json["items"][0];
    assert_eq!(a["uses"], 1);
    assert!(a["last_used_at"].is_i64());
    assert_audited_by_token(&app, "admin_review_accounts_listed", &api.token_id).await;
}

#[tokio::test]
async fn a_review_account_is_refused_after_its_expiry() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let until = sesame::admin::ops::format_time(app.state.now() + 3600);
    assert_eq!(add_reviewer(&api, &until).await.status, StatusCode::OK);
    app.clock.advance(3601);

    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, _, _) = start(&app, &browser, &client).await;
    // The normal path again: a real code goes out by email.
    let mail = app.smtp.wait_for_message_to(REVIEWER, MAIL_WAIT).await;
    let sent = smtp::code_from(&mail);
    if sent != "246810" {
        let res = app.submit_code(&browser, &page, "246810").await;
        assert_eq!(
            res.status(),
            StatusCode::BAD_REQUEST,
            "the fixed code no longer works"
        );
    }
    assert!(events(&app, "review_account_used").await.is_empty());
    let listed = api.get("/review-accounts").await;
    assert_eq!(listed.json["items"][0]["active"], false);
}

#[tokio::test]
async fn a_review_accounts_code_is_counted_by_the_attempt_limit() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    add_reviewer(&api, &next_month(&app)).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, _, _) = start(&app, &browser, &client).await;
    for _ in 0..app.state.config.login.max_attempts {
        let res = app.submit_code(&browser, &page, "000001").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = app.submit_code(&browser, &page, "246810").await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "burnt after the limit"
    );
    assert!(res.text().await.unwrap().contains("Too many wrong tries"));
    assert!(events(&app, "review_account_used").await.is_empty());
}

#[tokio::test]
async fn review_accounts_are_validated_and_removed() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let post = |body: serde_json::Value| api.post("/review-accounts", body);
    post(json!({ "identifier": "not an address", "code": "123456", "until": next_month(&app) }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("identifier"));
    for code in ["12345", "1234567", "abcdef", " 12345"] {
        post(json!({ "identifier": REVIEWER, "code": code, "until": next_month(&app) }))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("code"));
    }
    let far = sesame::admin::ops::format_time(app.state.now() + 500 * 86_400);
    for until in ["2001-01-01", "tomorrow", far.as_str()] {
        post(json!({ "identifier": REVIEWER, "code": "123456", "until": until }))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("until"));
    }
    post(json!({ "identifier": REVIEWER, "code": "123456" }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, None);
    assert!(app
        .state
        .store
        .list_review_accounts()
        .await
        .unwrap()
        .is_empty());

    assert_eq!(
        add_reviewer(&api, &next_month(&app)).await.status,
        StatusCode::OK
    );
    let r = api.delete("/review-accounts/Reviewer%40example.com").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let e = assert_audited_by_token(&app, "admin_review_account_removed", &api.token_id).await;
    assert_eq!(e["detail"]["existed"], true);
    assert_eq!(
        api.delete("/review-accounts/reviewer%40example.com")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    api.delete("/review-accounts/nope")
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("identifier"));

    // Removed: the address gets a real code again.
    let client = app.confidential_client().await;
    start(&app, &Browser::new(), &client).await;
    app.smtp.wait_for_message_to(REVIEWER, MAIL_WAIT).await;
}

/// Starts the real binary in production mode on the test's database and returns what it
/// logged up to "sesame is ready".
fn production_start_log(app: &TestApp) -> String {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sesame"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SESAME_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    let empty = std::env::temp_dir().join("sesame-empty-config.toml");
    std::fs::write(&empty, "").unwrap();
    let mut child = cmd
        .arg("serve")
        .env("SESAME_CONFIG", &empty)
        .env("SESAME_MODE", "production")
        .env("SESAME_ISSUER", "https://id.example.test")
        .env("SESAME_LISTEN", "127.0.0.1:0")
        .env("SESAME_SMTP_URL", app.smtp.url())
        .env("SESAME_EMAIL_FROM", "Sesame <no-reply@id.example.test>")
        .env("SESAME_DATABASE_URL", &app.db.url)
        .env(
            "SESAME_SECRET_KEY",
            "test-secret-key-that-is-long-enough-0123456789",
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut log = String::new();
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                log.push_str(&line);
                log.push('\n');
                if line.contains("sesame is ready") {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        log.contains("sesame is ready"),
        "the server did not start:\n{log}"
    );
    log
}

#[tokio::test]
async fn production_start_up_warns_about_each_live_review_account() {
    let app = TestApp::spawn().await;
    let quiet = production_start_log(&app);
    assert!(!quiet.contains("review account"), "{quiet}");

    let api = AdminApi::new(&app).await;
    add_reviewer(&api, &next_month(&app)).await;
    let log = production_start_log(&app);
    let line = log
        .lines()
        .find(|l| l.contains("review account is active"))
        .unwrap_or_else(|| panic!("no warning in:\n{log}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("r***@example.com"), "{line}");
    assert!(!log.contains(REVIEWER), "the identifier is masked");
}

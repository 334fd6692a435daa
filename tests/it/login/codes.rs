//! The one-time code (issue 2, point 9): at most five wrong tries counted atomically, then
//! burnt; 15 minutes of life; single use; a new code burns the previous one; resend
//! cooldown; "use a different address"; stored only as a keyed hash.

use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::support::*;

/// A 6-digit code that is not `code`.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

async fn stored_code_hash(app: &TestApp, tx: &str) -> Option<Vec<u8>> {
    sesame::with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar("SELECT code_hash FROM login_transactions WHERE id = $1")
            .bind(tx_id(tx))
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

#[tokio::test]
async fn wrong_code_says_how_many_tries_are_left() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "tries@example.com").await;
    for left in ["4 tries left", "3 tries left", "2 tries left", "1 try left"] {
        let res = app.submit_code(&browser, &page, &wrong(&code)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.headers().get("location").is_none());
        let html = res.text().await.unwrap();
        assert!(html.contains("That code is not right"), "{html}");
        assert!(html.contains(left), "{left}: {html}");
        assert!(html.contains(r#"aria-invalid="true""#), "{html}");
    }
    let res = app.submit_code(&browser, &page, &code).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

#[tokio::test]
async fn code_is_burnt_after_five_wrong_guesses() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "burn@example.com").await;
    for _ in 0..4 {
        app.submit_code(&browser, &page, &wrong(&code)).await;
    }
    let res = app.submit_code(&browser, &page, &wrong(&code)).await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Too many wrong tries"), "{html}");
    // The right code no longer works.
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.headers().get("location").is_none());
    let html = res.text().await.unwrap();
    assert!(html.contains("no longer works"), "{html}");
    assert_eq!(app.login_tx(&page.tx).await.attempts, 5);
    assert_eq!(stored_code_hash(&app, &page.tx).await, None, "burnt");
    assert_eq!(app.audit_count("verification_failed").await, 5);
    assert_eq!(app.audit_count("verification_succeeded").await, 0);
}

#[tokio::test]
async fn the_number_of_tries_is_configurable() {
    let app = TestApp::spawn_with(|c| c.login.max_attempts = 2).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "two@example.com").await;
    let html = app
        .submit_code(&browser, &page, &wrong(&code))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("1 try left"), "{html}");
    app.submit_code(&browser, &page, &wrong(&code)).await;
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn concurrent_wrong_guesses_cannot_exceed_the_limit() {
    // The per-code limit alone: the identifier and IP budgets (security_guessing) are
    // raised out of the way.
    let app = TestApp::spawn_with(|cfg| {
        cfg.limits.identifier_failures_per_hour = 1000;
        cfg.limits.identifier_failures_per_day = 1000;
        cfg.limits.ip_failures_per_hour = 1000;
        cfg.limits.ip_free_failures = 1000;
    })
    .await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "race@example.com").await;
    let bad = wrong(&code);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let http = browser.http.clone();
        let url = app.url("/login/verify");
        let form = [
            ("tx".to_string(), page.tx.clone()),
            ("csrf".to_string(), page.csrf.clone()),
            ("code".to_string(), bad.clone()),
        ];
        tasks.push(tokio::spawn(async move {
            let res = http.post(url).form(&form).send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }));
    }
    let mut tries_left = 0;
    for t in tasks {
        let (status, html) = t.await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
        if html.contains("That code is not right") {
            tries_left += 1;
        } else {
            assert!(html.contains("Too many wrong tries"), "{html}");
        }
    }
    // Four guesses were told how many tries remain; the fifth burnt the code and every
    // other request found no live code.
    assert_eq!(tries_left, 4);
    assert_eq!(app.login_tx(&page.tx).await.attempts, 5);
    assert_eq!(app.audit_count("verification_failed").await, 5);
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "the right code then fails"
    );
    assert!(res.headers().get("location").is_none());
}

#[tokio::test]
async fn code_expires_after_fifteen_minutes() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    // 14 minutes 50 seconds: still good.
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "late@example.com").await;
    app.clock.advance(890);
    let res = app.submit_code(&browser, &page, &code).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
    // 15 minutes and a second: expired.
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "later@example.com").await;
    app.clock.advance(901);
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("expired"), "{html}");
    assert!(html.contains("Ask for a new code"), "{html}");
    // A new code works (the sign-in itself lives 30 minutes).
    let (_, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains("We sent a new code"), "{html}");
    let mail = app
        .smtp
        .wait_for_message_to("later@example.com", MAIL_WAIT)
        .await;
    let res = app
        .submit_code(&browser, &page, &smtp::code_from(&mail))
        .await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

#[tokio::test]
async fn code_lifetime_is_configurable() {
    let app = TestApp::spawn_with(|c| c.login.code_ttl_seconds = 120).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "short@example.com").await;
    let mail = app.smtp.messages().pop().unwrap();
    assert!(mail.text_body.contains("2 minutes"), "{}", mail.text_body);
    app.clock.advance(121);
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn code_is_single_use() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "once@example.com").await;
    let res = app.submit_code(&browser, &page, &code).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
    assert_eq!(
        stored_code_hash(&app, &page.tx).await,
        None,
        "burnt on success"
    );
    let res = app.submit_code(&browser, &page, &code).await;
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn typed_code_may_contain_spaces_and_malformed_input_is_not_a_try() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "typing@example.com").await;
    for bad in ["12345", "1234567", "abcdef", ""] {
        let res = app.submit_code(&browser, &page, bad).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let html = res.text().await.unwrap();
        assert!(html.contains("Enter the 6-digit code"), "{bad:?}: {html}");
    }
    assert_eq!(app.login_tx(&page.tx).await.attempts, 0);
    let spaced = format!(" {} {} ", &code[..3], &code[3..]);
    let res = app.submit_code(&browser, &page, &spaced).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

#[tokio::test]
async fn a_new_code_burns_the_previous_one() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, first) = app.code_page(&browser, &client, "again@example.com").await;
    app.clock.advance(31);
    let (_, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains("We sent a new code"), "{html}");
    let mail = app
        .smtp
        .wait_for_message_to("again@example.com", MAIL_WAIT)
        .await;
    let second = smtp::code_from(&mail);
    if first != second {
        let res = app.submit_code(&browser, &page, &first).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let html = res.text().await.unwrap();
        assert!(html.contains("That code is not right"), "{html}");
    }
    let res = app.submit_code(&browser, &page, &second).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

#[tokio::test]
async fn resend_within_the_cooldown_sends_nothing_and_says_how_long_to_wait() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "wait@example.com").await;
    app.clock.advance(10);
    let (_, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains(r#"class="notice""#), "a calm notice: {html}");
    let wait: i64 = html
        .split("ask for another one in ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a wait time: {html}"));
    assert!(
        (17..=20).contains(&wait),
        "30 s cooldown, 10 s gone: {wait}"
    );
    // Submitting the same address again is no way around it.
    let res = app
        .submit_identifier(&browser, &page, "wait@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    assert_eq!(app.smtp.messages().len(), 1, "no second message");
    // The code already sent still works.
    let res = app.submit_code(&browser, &page, &code).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

#[tokio::test]
async fn use_a_different_address_returns_to_the_first_page() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, first) = app.code_page(&browser, &client, "typo@exmaple.com").await;
    let form = [("tx", page.tx.as_str()), ("csrf", page.csrf.as_str())];
    let res = browser.post_form(&app.url("/login/restart"), &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Back to the first page of the same sign-in (now stored, so named by its id).
    assert_eq!(
        location(&res, &app.base),
        app.url(&format!("/login?tx={}", tx_id(&page.tx)))
    );
    let html = app.login_html(&browser, &page.tx).await;
    assert!(html.contains(r#"name="identifier""#), "page 1: {html}");
    assert!(!html.contains("t***@"), "{html}");
    // The code for the old address is gone; a code for the new one signs in as it.
    let code = app.request_code(&browser, &page, "right@example.com").await;
    if code != first {
        let res = app.submit_code(&browser, &page, &first).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = app.submit_code(&browser, &page, &code).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
    let users = app.state.store.list_users(10, 0).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].email.as_deref(), Some("right@example.com"));
}

#[tokio::test]
async fn codes_are_stored_only_as_keyed_hashes() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "hash@example.com").await;
    let hash = stored_code_hash(&app, &page.tx).await.expect("a live code");
    assert_eq!(hash.len(), 32);
    assert_ne!(hash, code.as_bytes());
    assert_ne!(
        hash,
        Sha256::digest(code.as_bytes()).to_vec(),
        "keyed, not a bare hash"
    );
    assert_eq!(
        hash,
        sesame::login::code::code_hash(&app.state, &tx_id(&page.tx), &code),
        "bound to this sign-in"
    );
    // The same digits for another sign-in hash differently.
    assert_ne!(
        hash,
        sesame::login::code::code_hash(&app.state, "another-tx", &code)
    );

    // The authorization code is stored as a keyed hash too.
    let res = app.submit_code(&browser, &page, &code).await;
    let auth_code = query_param(&location(&res, &app.base), "code").unwrap();
    let stored: Vec<Vec<u8>> = sesame::with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar("SELECT code_hash FROM authorization_codes")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], auth_code.as_bytes());
    assert_eq!(stored[0], sesame::authz::code_hash(&app.state, &auth_code));
}

#[tokio::test]
async fn sign_in_expires_after_thirty_minutes() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = app.code_page(&browser, &client, "tx@example.com").await;
    app.clock.advance(30 * 60 + 1);
    let res = app.submit_code(&browser, &page, &code).await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("This sign-in has expired"), "{html}");
    let res = browser.get(&page.url).await;
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
}

//! The emailed sign-in link (issue 17, point 4): the code email also carries a link that
//! finishes the same sign-in, only in the browser that started it, through a confirmation
//! page whose button spends it (a mail scanner's GET spends nothing); it is the code's
//! twin: one use, the code's expiry and tries, burnt with it. Elsewhere it reveals nothing.

use reqwest::StatusCode;

use crate::support::*;

/// The sign-in link of a code email (its plain-text part).
fn link_from(mail: &smtp::ReceivedMail) -> String {
    let at = mail
        .text_body
        .find("/login/link?")
        .unwrap_or_else(|| panic!("no sign-in link in {:?}", mail.text_body));
    let start = mail.text_body[..at].rfind("http").unwrap();
    let link: String = mail.text_body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(link.contains("/login/link?"), "{link}");
    link
}

/// Opens a sign-in in `browser` and asks for a code; returns the page, the code and the link.
async fn start(app: &TestApp, browser: &Browser, email: &str) -> (LoginPage, String, String) {
    let client = app.confidential_client().await;
    let (_, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(browser, &authorize_url(app, &client, &p))
        .await;
    let res = app.submit_identifier(browser, &page, email).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mail = app.smtp.wait_for_message_to(email, MAIL_WAIT).await;
    let code = smtp::code_from(&mail);
    let link = link_from(&mail);
    (page, code, link)
}

/// The confirmation page's form fields: (tx, csrf, k).
async fn confirm_page(browser: &Browser, link: &str) -> (String, String, String, String) {
    let res = browser.get(link).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    (
        hidden(&html, "tx"),
        hidden(&html, "csrf"),
        hidden(&html, "k"),
        html,
    )
}

async fn press(
    app: &TestApp,
    browser: &Browser,
    tx: &str,
    csrf: &str,
    k: &str,
) -> reqwest::Response {
    browser
        .post_form(
            &app.url("/login/link"),
            &[("tx", tx), ("csrf", csrf), ("k", k)],
        )
        .await
}

fn with_k(link: &str, k: &str) -> String {
    let at = link.find("&k=").unwrap();
    format!("{}&k={k}", &link[..at])
}

#[tokio::test]
async fn the_code_email_carries_a_link_that_signs_in_after_one_click_in_the_same_browser() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    app.submit_identifier(&browser, &page, "link@example.com")
        .await;
    let mail = app
        .smtp
        .wait_for_message_to("link@example.com", MAIL_WAIT)
        .await;
    let link = link_from(&mail);
    assert!(link.starts_with(&app.url("/login/link?tx=")), "{link}");
    assert!(
        !link.contains(&smtp::code_from(&mail)),
        "the link is not the code"
    );
    let (tx, csrf, k, html) = confirm_page(&browser, &link).await;
    assert!(html.contains("Sign in to"), "{html}");
    assert!(html.contains("l***@example.com"), "{html}");
    assert!(html.contains(r#"action="/login/link""#), "{html}");
    let res = press(&app, &browser, &tx, &csrf, &k).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert!(back.starts_with(&client.redirect_uri), "{back}");
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["amr"], serde_json::json!(["otp"]));
    assert_eq!(id["acr"], "urn:sesame:acr:code");
    assert_eq!(app.audit_count("verification_succeeded").await, 1);
}

#[tokio::test]
async fn a_mail_scanners_visit_spends_nothing_and_learns_nothing() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let (page, code, link) = start(&app, &browser, "scanned@example.com").await;
    // The scanner has no session of this sign-in.
    for _ in 0..3 {
        let res = reqwest::Client::new().get(&link).send().await.unwrap();
        let html = expect_error_page(res, StatusCode::FORBIDDEN).await;
        assert!(html.contains("works only once"), "{html}");
        assert!(!html.contains("s***@example.com"), "{html}");
        assert!(!html.contains("scanned"), "{html}");
        assert!(!html.contains(&code), "{html}");
        assert!(!html.contains("Test app"), "{html}");
    }
    // Opening the confirmation page in the right browser spends nothing either.
    confirm_page(&browser, &link).await;
    confirm_page(&browser, &link).await;
    assert_eq!(app.login_tx(&page.tx).await.attempts, 0);
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the code still works");
}

#[tokio::test]
async fn a_link_opened_in_another_browser_cannot_sign_in_and_the_first_browser_still_can() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let (_page, _code, link) = start(&app, &browser, "twobrowsers@example.com").await;
    let other = Browser::new();
    let html = expect_error_page(other.get(&link).await, StatusCode::FORBIDDEN).await;
    assert!(html.contains("type the 6-digit code"), "{html}");
    // Even with a session and an anti-CSRF token of its own, the other browser's button
    // press is refused.
    let (o_page, _, _) = start(&app, &other, "someone-else@example.com").await;
    let o_csrf = o_page.csrf;
    let tx = query_param(&link, "tx").unwrap();
    let k = query_param(&link, "k").unwrap();
    let res = press(&app, &other, &tx, &o_csrf, &k).await;
    expect_error_page(res, StatusCode::FORBIDDEN).await;
    assert_eq!(app.audit_count("verification_succeeded").await, 0);
    let (tx, csrf, k, _) = confirm_page(&browser, &link).await;
    let res = press(&app, &browser, &tx, &csrf, &k).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_link_is_single_use() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let (page, code, link) = start(&app, &browser, "once@example.com").await;
    let (tx, csrf, k, _) = confirm_page(&browser, &link).await;
    assert_eq!(
        press(&app, &browser, &tx, &csrf, &k).await.status(),
        StatusCode::SEE_OTHER
    );
    // Used: the same browser is told it works once, a second press signs nothing in, and
    // the code went with it.
    let html = expect_error_page(browser.get(&link).await, StatusCode::FORBIDDEN).await;
    assert!(html.contains("works only once"), "{html}");
    let res = press(&app, &browser, &tx, &csrf, &k).await;
    assert!(res.headers().get("location").is_none());
    assert!(res.status().is_client_error(), "{}", res.status());
    let res = app.submit_code(&browser, &page, &code).await;
    assert!(res.headers().get("location").is_none());
    assert_eq!(app.audit_count("verification_succeeded").await, 1);
}

#[tokio::test]
async fn an_altered_link_counts_as_a_wrong_try_and_the_fifth_burns_code_and_link() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let (page, code, link) = start(&app, &browser, "altered@example.com").await;
    let (tx, csrf, k, _) = confirm_page(&browser, &link).await;
    let forged = format!("{}{}", &k[..42], if k.ends_with('A') { 'B' } else { 'A' });
    for left in ["4 tries left", "3 tries left", "2 tries left", "1 try left"] {
        let res = press(&app, &browser, &tx, &csrf, &forged).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let html = res.text().await.unwrap();
        assert!(html.contains(left), "{left}: {html}");
    }
    let res = press(&app, &browser, &tx, &csrf, &forged).await;
    assert!(res.text().await.unwrap().contains("Too many wrong tries"));
    // Both the genuine link and the code are burnt now.
    let res = press(&app, &browser, &tx, &csrf, &k).await;
    assert!(res.headers().get("location").is_none());
    assert!(res.text().await.unwrap().contains("no longer works"));
    let res = app.submit_code(&browser, &page, &code).await;
    assert!(res.headers().get("location").is_none());
    assert_eq!(app.login_tx(&page.tx).await.attempts, 5);
    assert_eq!(app.audit_count("verification_failed").await, 5);
    // A link that is not even shaped like one is refused before anything is counted.
    let res = browser.get(&with_k(&link, "short")).await;
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn a_new_code_retires_the_old_link_and_an_expired_code_takes_its_link_with_it() {
    let app = TestApp::spawn_with(|c| c.login.resend_cooldown_seconds = 0).await;
    let browser = Browser::new();
    let (page, _code, old_link) = start(&app, &browser, "renewed@example.com").await;
    let res = browser
        .post_form(
            &app.url("/login/resend"),
            &[("tx", &tx_id(&page.tx)), ("csrf", &page.csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mail = app
        .smtp
        .wait_for_message_to("renewed@example.com", MAIL_WAIT)
        .await;
    let new_link = link_from(&mail);
    assert_ne!(old_link, new_link);
    let (tx, csrf, old_k, _) = confirm_page(&browser, &old_link).await;
    let res = press(&app, &browser, &tx, &csrf, &old_k).await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "the old link is a wrong try"
    );
    assert!(res.text().await.unwrap().contains("4 tries left"));
    // The new one dies with its code after the code's lifetime.
    app.clock
        .advance(app.state.config.login.code_ttl_seconds + 1);
    let (tx, csrf, new_k, _) = confirm_page(&browser, &new_link).await;
    let res = press(&app, &browser, &tx, &csrf, &new_k).await;
    assert!(res.headers().get("location").is_none());
    assert!(res.text().await.unwrap().contains("has expired"));
}

#[tokio::test]
async fn links_can_be_turned_off_and_then_no_email_carries_one() {
    let app = TestApp::spawn_with(|c| c.login.magic_link = false).await;
    let browser = Browser::new();
    let client = app.confidential_client().await;
    let (page, _code) = app.code_page(&browser, &client, "nolink@example.com").await;
    let mail = app.smtp.messages().pop().unwrap();
    assert!(
        !mail.text_body.contains("/login/link"),
        "{}",
        mail.text_body
    );
    assert!(!mail.raw.contains("/login/link"));
    // A link built by hand (the right shape, the sign-in's own tx) is only a wrong try.
    let tx = tx_id(&page.tx);
    let link = app.url(&format!("/login/link?tx={tx}&k={}", "A".repeat(43)));
    let (tx, csrf, k, _) = confirm_page(&browser, &link).await;
    let res = press(&app, &browser, &tx, &csrf, &k).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.audit_count("verification_succeeded").await, 0);
}

//! One account, several identifiers (issue 17, point 3): a person signed in by email adds
//! a phone number proven by a texted code (and the other way round) on the account page;
//! either then signs in to the same `sub`, and the claims follow. An identifier another
//! account holds is refused without naming that account; the last one cannot go.

use reqwest::StatusCode;

use super::fake::FakeProvider;
use super::*;

const NUMBER: &str = "+16502530000";

/// Signs in with `identifier` (an address, or a number whose code `fake` receives) in
/// `browser`; returns the ID token's claims.
async fn sign_in(
    app: &TestApp,
    fake: &FakeProvider,
    browser: &Browser,
    client: &TestClient,
    identifier: &str,
) -> serde_json::Value {
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        scope: "openid email phone".into(),
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(browser, &authorize_url(app, client, &p))
        .await;
    let res = app.submit_identifier(browser, &page, identifier).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let code = if identifier.contains('@') {
        smtp::code_from(&app.smtp.wait_for_message_to(identifier, MAIL_WAIT).await)
    } else {
        app.settle_outbox().await;
        fake.last().code()
    };
    let res = app.submit_code(browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    let res = app
        .exchange(
            client,
            &query_param(&back, "code").unwrap(),
            Some(&verifier),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    jwt_claims(tokens["id_token"].as_str().unwrap())
}

async fn page(app: &TestApp, browser: &Browser) -> String {
    let res = browser.get(&app.url("/account/identifiers")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

async fn post(
    app: &TestApp,
    browser: &Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = hidden(&page(app, browser).await, "csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    browser.post_form(&app.url(path), &form).await
}

/// Asks for a code for `identifier` on the account page (303 back to it).
async fn add(app: &TestApp, browser: &Browser, identifier: &str) {
    let res = post(
        app,
        browser,
        "/account/identifiers/add",
        &[("identifier", identifier)],
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
}

async fn confirm(app: &TestApp, browser: &Browser, code: &str) -> reqwest::Response {
    post(
        app,
        browser,
        "/account/identifiers/verify",
        &[("code", code)],
    )
    .await
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn a_person_signed_in_by_email_adds_a_phone_and_then_signs_in_with_it_to_the_same_sub() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |_| {}).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let first = sign_in(&app, &fake, &browser, &client, "both@example.com").await;
    assert!(first.get("phone_number").is_none());
    let html = page(&app, &browser).await;
    assert!(html.contains("both@example.com"), "{html}");
    assert!(
        !html.contains("/account/identifiers/remove"),
        "the only identifier cannot go: {html}"
    );

    add(&app, &browser, "(650) 253-0000").await;
    assert_eq!(fake.count(), 1);
    assert_eq!(fake.last().sms_to(), NUMBER);
    let code = fake.last().code();
    let html = page(&app, &browser).await;
    assert!(html.contains("+1********00"), "{html}");
    let res = confirm(&app, &browser, &wrong(&code)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("4 tries left"));
    let res = confirm(&app, &browser, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(&app, &browser).await;
    assert!(html.contains(NUMBER), "{html}");
    assert_eq!(app.audit_count("identifier_added").await, 1);

    // The number now signs in to the same account, and the claims say both.
    let by_phone = sign_in(&app, &fake, &Browser::new(), &client, NUMBER).await;
    assert_eq!(by_phone["sub"], first["sub"]);
    assert_eq!(by_phone["phone_number"], NUMBER);
    assert_eq!(by_phone["phone_number_verified"], true);
    assert_eq!(by_phone["email"], "both@example.com");
    assert_eq!(by_phone["amr"], serde_json::json!(["otp", "sms"]));
    // The code was used once.
    let res = confirm(&app, &browser, &code).await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("has expired or was already used"));
}

#[tokio::test]
async fn an_identifier_another_account_holds_is_refused_without_naming_that_account() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |_| {}).await;
    let client = app.confidential_client().await;
    let holder = sign_in(&app, &fake, &Browser::new(), &client, NUMBER).await;
    let browser = Browser::new();
    let me = sign_in(&app, &fake, &browser, &client, "me@example.com").await;
    // Asking answers exactly as for a free number: nothing tells it is taken.
    add(&app, &browser, NUMBER).await;
    let code = fake.last().code();
    let res = confirm(&app, &browser, &code).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("already signs in to another account"),
        "{html}"
    );
    assert!(!html.contains(holder["sub"].as_str().unwrap()), "{html}");
    assert!(!html.contains(NUMBER), "{html}");
    assert_eq!(app.audit_count("identifier_held_elsewhere").await, 1);
    assert_eq!(app.audit_count("identifier_added").await, 0);
    // Nothing moved: each still signs in to their own account.
    let again = sign_in(&app, &fake, &Browser::new(), &client, NUMBER).await;
    assert_eq!(again["sub"], holder["sub"]);
    assert!(again.get("email").is_none());
    let mine = app
        .state
        .store
        .get_user(me["sub"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mine.phone, None);
}

#[tokio::test]
async fn a_phone_account_adds_an_email_then_removes_its_number_but_never_its_last_identifier() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |_| {}).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let first = sign_in(&app, &fake, &browser, &client, NUMBER).await;
    add(&app, &browser, "later@example.com").await;
    let mail = app
        .smtp
        .wait_for_message_to("later@example.com", MAIL_WAIT)
        .await;
    assert!(
        !mail.text_body.contains("/login/link"),
        "no sign-in link for this code"
    );
    let res = confirm(&app, &browser, &smtp::code_from(&mail)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = post(
        &app,
        &browser,
        "/account/identifiers/remove",
        &[("channel", "sms")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.audit_count("identifier_removed").await, 1);
    let html = page(&app, &browser).await;
    assert!(!html.contains(NUMBER), "{html}");
    let res = post(
        &app,
        &browser,
        "/account/identifiers/remove",
        &[("channel", "email")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("only way to sign in"));
    let user = app
        .state
        .store
        .get_user(first["sub"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("later@example.com"));
    assert_eq!(user.phone, None);

    // The address signs in to the same account; the removed number no longer does.
    let by_email = sign_in(&app, &fake, &Browser::new(), &client, "later@example.com").await;
    assert_eq!(by_email["sub"], first["sub"]);
    assert!(by_email.get("phone_number").is_none());
    let by_phone = sign_in(&app, &fake, &Browser::new(), &client, NUMBER).await;
    assert_ne!(
        by_phone["sub"], first["sub"],
        "a new account for the number"
    );
}

#[tokio::test]
async fn a_code_for_a_new_identifier_is_burnt_after_five_wrong_tries() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |_| {}).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    sign_in(&app, &fake, &browser, &client, "guess@example.com").await;
    add(&app, &browser, NUMBER).await;
    let code = fake.last().code();
    for _ in 0..4 {
        assert_eq!(
            confirm(&app, &browser, &wrong(&code)).await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    let res = confirm(&app, &browser, &wrong(&code)).await;
    assert!(res.text().await.unwrap().contains("Too many wrong tries"));
    let res = confirm(&app, &browser, &code).await;
    assert!(res.headers().get("location").is_none());
    assert_eq!(app.audit_count("identifier_added").await, 0);
    assert_eq!(app.audit_count("verification_failed").await, 5);
}

#[tokio::test]
async fn the_identifiers_page_needs_a_sign_in_and_its_forms_their_csrf_token() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let res = browser.get(&app.url("/account/identifiers")).await;
    expect_error_page(res, StatusCode::UNAUTHORIZED).await;
    let client = app.confidential_client().await;
    let fake = FakeProvider::accepting().await;
    sign_in(&app, &fake, &browser, &client, "csrf@example.com").await;
    let res = browser
        .post_form(
            &app.url("/account/identifiers/add"),
            &[("csrf", "forged"), ("identifier", "other@example.com")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app
        .smtp
        .messages()
        .iter()
        .all(|m| !m.rcpt_to.iter().any(|r| r == "other@example.com")));
}

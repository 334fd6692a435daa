//! The whole sign-in story with a phone number, and the pages a person sees when something
//! about the number or the provider is wrong.

use std::time::Duration;

use reqwest::StatusCode;
use sesame::config::SmsProvider;

use super::fake::{FakeProvider, Reply};
use super::*;

/// Finishes a sign-in whose code was texted, and exchanges the authorization code.
async fn finish(
    app: &TestApp,
    browser: &Browser,
    client: &TestClient,
    page: &LoginPage,
    code: &str,
    verifier: &str,
) -> serde_json::Value {
    let res = app.submit_code(browser, page, code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert!(back.starts_with(&client.redirect_uri), "{back}");
    let auth_code = query_param(&back, "code").expect("an authorization code");
    let res = app.exchange(client, &auth_code, Some(verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_person_signs_in_with_a_phone_number_through_the_webhook_and_gets_phone_claims() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |_| {}).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (verifier, challenge) = pkce_pair();
    let params = AuthParams {
        challenge: Some(challenge),
        ..phone_params()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &params))
        .await;
    assert!(page.html.contains("Email address or phone number"));

    // Typed the way people type it in the default region (US).
    let res = app
        .submit_identifier(&browser, &page, "(650) 253-0000")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let code_page = browser
        .get(&location(&res, &app.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        code_page.contains("+1********00"),
        "masked number shown: {code_page}"
    );
    assert!(!code_page.contains("6502530000"));

    app.settle_outbox().await;
    assert_eq!(fake.count(), 1);
    let sms = fake.last();
    assert_eq!(sms.path, "/hooks/sms");
    verify_signature(&sms, WEBHOOK_SECRET);
    assert_eq!(sms.sms_to(), "+16502530000", "normalised to E.164");
    let code = sms.code();
    assert_eq!(
        sms.sms_body(),
        format!("{code} is your Sesame code\n\n@127.0.0.1 #{code}"),
        "code first, WebOTP origin-bound line last"
    );

    let tokens = finish(&app, &browser, &client, &page, &code, &verifier).await;
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["amr"], serde_json::json!(["otp", "sms"]));
    assert_eq!(id["phone_number"], "+16502530000");
    assert_eq!(id["phone_number_verified"], true);
    assert!(id.get("email").is_none());
    let sub = id["sub"].as_str().unwrap().to_owned();

    let userinfo: serde_json::Value = reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(userinfo["sub"], sub.as_str());
    assert_eq!(userinfo["phone_number"], "+16502530000");
    assert_eq!(userinfo["phone_number_verified"], true);

    let kinds = app.audit_kinds().await;
    for k in ["code_sent", "user_registered", "verification_succeeded"] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
    let sent = app
        .state
        .store
        .audit_events(0, Some("code_sent"), 10)
        .await
        .unwrap();
    assert!(
        sent[0].detail.contains("\"channel\":\"sms\""),
        "{}",
        sent[0].detail
    );
    assert!(
        sent[0].detail.contains("+1********00"),
        "{}",
        sent[0].detail
    );
    assert!(!sent[0].detail.contains(&code));

    // The same number typed another way is the same person.
    let browser = Browser::new();
    let (verifier, challenge) = pkce_pair();
    let params = AuthParams {
        challenge: Some(challenge),
        ..phone_params()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &params))
        .await;
    let res = app
        .submit_identifier(&browser, &page, "+1 650-253-0000")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    let code = fake.last().code();
    let tokens = finish(&app, &browser, &client, &page, &code, &verifier).await;
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["sub"], sub.as_str());
}

#[tokio::test]
async fn a_person_signs_in_with_a_phone_number_through_twilio() {
    let fake = FakeProvider::accepting().await;
    let app = TestApp::spawn_with(|cfg| use_twilio(cfg, &fake)).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (verifier, challenge) = pkce_pair();
    let params = AuthParams {
        challenge: Some(challenge),
        ..phone_params()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &params))
        .await;
    let res = app.submit_identifier(&browser, &page, "650 253 0000").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    let sms = fake.last();
    assert_eq!(
        sms.path,
        format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    );
    assert_eq!(sms.form_field("To").as_deref(), Some("+16502530000"));
    assert_eq!(sms.form_field("From").as_deref(), Some("+15005550006"));
    let code = sms.code();
    let tokens = finish(&app, &browser, &client, &page, &code, &verifier).await;
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["amr"], serde_json::json!(["otp", "sms"]));
    assert_eq!(id["phone_number"], "+16502530000");
}

#[tokio::test]
async fn the_first_page_asks_for_an_email_or_phone_in_one_text_field() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |_| {}).await;
    let client = app.confidential_client().await;
    let page = app
        .open_login(
            &Browser::new(),
            &authorize_url(&app, &client, &phone_params()),
        )
        .await;
    assert!(page
        .html
        .contains("<label for=\"identifier\">Email address or phone number</label>"));
    assert!(
        page.html
            .contains("type=\"text\" autocomplete=\"username\""),
        "{}",
        page.html
    );
    let disco: serde_json::Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(disco["scopes_supported"]
        .as_array()
        .unwrap()
        .contains(&"phone".into()));
    for c in ["phone_number", "phone_number_verified"] {
        assert!(disco["claims_supported"]
            .as_array()
            .unwrap()
            .contains(&c.into()));
    }
}

#[tokio::test]
async fn an_invalid_number_gets_a_clear_message_and_no_text() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |_| {}).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    for (typed, says) in [
        ("+1 555", "does not look like a phone number"),
        ("+1 900 253 0000", "cannot receive text messages"),
        (
            "hello",
            "Enter an email address (like name@example.com) or a phone number",
        ),
    ] {
        let (_, res) = ask_code(&app, &browser, &client, typed).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{typed}");
        let html = res.text().await.unwrap();
        assert!(html.contains(says), "{typed}: {html}");
        assert!(
            html.contains(&format!("value=\"{typed}\"")),
            "what was typed stays: {html}"
        );
    }
    assert_eq!(fake.count(), 0);
}

#[tokio::test]
async fn without_an_sms_provider_phone_numbers_are_refused_and_email_still_works() {
    let app = TestApp::spawn_with(|cfg| cfg.sms.provider = Some(SmsProvider::Disabled)).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, res) = ask_code(&app, &browser, &client, "+16502530000").await;
    assert!(page
        .html
        .contains("<label for=\"identifier\">Email address</label>"));
    assert!(!page.html.contains("phone number"));
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Signing in with a phone number is not available here"),
        "{html}"
    );
    let back = app
        .sign_in(
            &browser,
            &authorize_url(&app, &client, &email_params()),
            "a@example.com",
        )
        .await;
    assert!(query_param(&back, "code").is_some());
}

#[tokio::test]
async fn a_provider_error_or_timeout_gives_a_clear_page_and_a_retry_works() {
    let fake = FakeProvider::start(Reply::Json(
        500,
        serde_json::json!({"error": "internal", "message": "upstream carrier down"}),
    ))
    .await;
    // One attempt: its failure is final, so the code page says so (with retries, the
    // outbox keeps trying and the code page says it is late; see scale_outbox).
    let app = webhook_app(&fake, |cfg| {
        cfg.sms.timeout_seconds = 1;
        cfg.outbox.max_attempts = 1;
    })
    .await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, res) = ask_code(&app, &browser, &client, "6502530000").await;
    // The address page answers before the delivery; the code page tells how it went.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    let html = app.login_html(&browser, &page.tx).await;
    assert!(
        html.contains("We could not send a text message to this number just now"),
        "{html}"
    );
    assert!(
        !html.contains("upstream carrier"),
        "provider details stay in the log"
    );
    assert!(app
        .audit_kinds()
        .await
        .iter()
        .any(|k| k == "code_send_failed"));

    fake.set_reply(Reply::Hang(Duration::from_secs(5)));
    let res = app.submit_identifier(&browser, &page, "6502530000").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    let html = app.login_html(&browser, &page.tx).await;
    assert!(
        html.contains("We could not send a text message to this number just now"),
        "a timeout too: {html}"
    );

    // The provider is back: the same sign-in can ask again at once, and finish.
    fake.set_reply(Reply::Json(200, serde_json::json!({})));
    let res = app.submit_identifier(&browser, &page, "6502530000").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    let code = fake.last().code();
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(fake.count(), 3);
}

#[tokio::test]
async fn an_unknown_number_with_registration_off_looks_the_same_and_gets_no_text() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |cfg| cfg.register_new_users = false).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (_, res) = ask_code(&app, &browser, &client, "6502530000").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "same answer as for a known number"
    );
    app.settle_outbox().await;
    assert_eq!(fake.count(), 0);
    let ev = app
        .state
        .store
        .audit_events(0, Some("code_not_sent"), 10)
        .await
        .unwrap();
    assert!(
        ev[0].detail.contains("\"channel\":\"sms\""),
        "{}",
        ev[0].detail
    );
}

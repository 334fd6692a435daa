//! The device authorization grant (RFC 8628): a client that polls like a command-line
//! tool while a person types the user code on `/device` in a browser, signs in with a code
//! and allows or denies it; the polling answers, expiry, single use, who may use the grant,
//! and the limit on guessing user codes.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::Value;
use sesame::clients::DEVICE_CODE_GRANT;

use crate::support::*;

const PERSON: &str = "tv.owner@example.com";

/// A public device client (no redirect URI) allowed the device grant and refreshes.
async fn device_client(app: &TestApp) -> TestClient {
    app.client_with(|c| {
        c.name = "Living Room TV".into();
        c.public = true;
        c.redirect_uris = vec![];
        c.grant_types = vec![DEVICE_CODE_GRANT.into(), "refresh_token".into()];
    })
    .await
}

async fn start(app: &TestApp, client: &TestClient, scope: &str) -> Value {
    let res = post_as(app, "/device_authorization", client, &[("scope", scope)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.unwrap()
}

async fn poll(app: &TestApp, client: &TestClient, device_code: &str) -> Response {
    app.token_form(
        client,
        &[
            ("grant_type", DEVICE_CODE_GRANT),
            ("device_code", device_code),
        ],
    )
    .await
}

/// A poll's RFC 6749 5.2 error code.
async fn poll_error(app: &TestApp, client: &TestClient, device_code: &str) -> String {
    let res = poll(app, client, device_code).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert!(body["error_description"].is_string(), "{body}");
    body["error"].as_str().unwrap().to_string()
}

/// POSTs a form to `path` with the client's authentication (Basic, or `client_id`).
async fn post_as(
    app: &TestApp,
    path: &str,
    client: &TestClient,
    form: &[(&str, &str)],
) -> Response {
    let mut form: Vec<(&str, &str)> = form.to_vec();
    let mut req = reqwest::Client::new().post(app.url(path));
    match &client.secret {
        Some(s) => req = req.basic_auth(&client.id, Some(s)),
        None => form.push(("client_id", &client.id)),
    }
    req.form(&form).send().await.unwrap()
}

/// Types `typed` on the device page (opened from `verification_uri_complete`); returns the
/// answer to the form.
async fn type_user_code(app: &TestApp, browser: &Browser, start: &Value, typed: &str) -> Response {
    let page = browser
        .get(start["verification_uri_complete"].as_str().unwrap())
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert_eq!(
        hidden_value(&html, "user_code"),
        start["user_code"].as_str().unwrap(),
        "prefilled from verification_uri_complete"
    );
    browser
        .post_form(
            &app.url("/device"),
            &[("csrf", &hidden(&html, "csrf")), ("user_code", typed)],
        )
        .await
}

/// The value attribute of the input named `name`.
fn hidden_value(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\"")).unwrap();
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..v + rest[v..].find('"').unwrap()].to_string()
}

/// Types the right code, signs in with a code by email, and answers the confirmation.
/// Returns the confirmation page's HTML and the final page's.
async fn approve_in_browser(
    app: &TestApp,
    browser: &Browser,
    start: &Value,
    allow: bool,
) -> (String, String) {
    let typed = start["user_code"]
        .as_str()
        .unwrap()
        .replace('-', "")
        .to_lowercase();
    let res = type_user_code(app, browser, start, &typed).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let login_url = location(&res, &app.base);
    assert!(login_url.starts_with(&app.url("/login?tx=")), "{login_url}");
    let res = browser.get(&login_url).await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Sign in to Living Room TV"), "{html}");
    let page = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url: login_url,
        html,
    };
    let code = app.request_code(browser, &page, PERSON).await;
    let res = app.submit_code(browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res, &app.base), app.url("/device/confirm"));
    answer_confirmation(app, browser, allow).await
}

async fn answer_confirmation(app: &TestApp, browser: &Browser, allow: bool) -> (String, String) {
    let res = browser.get(&app.url("/device/confirm")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let confirm = res.text().await.unwrap();
    let res = browser
        .post_form(
            &app.url("/device/confirm"),
            &[
                ("csrf", &hidden(&confirm, "csrf")),
                ("decision", if allow { "allow" } else { "deny" }),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    (confirm, res.text().await.unwrap())
}

#[tokio::test]
async fn a_cli_polling_at_the_interval_gets_tokens_once_the_person_allows_it_and_only_once() {
    let app = TestApp::spawn_with(|c| c.device.interval_seconds = 1).await;
    let client = device_client(&app).await;
    let started = start(&app, &client, "openid email offline_access").await;
    let user_code = started["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9);
    assert_eq!(&user_code[4..5], "-");
    assert!(user_code
        .chars()
        .filter(|c| *c != '-')
        .all(|c| "BCDFGHJKLMNPQRSTVWXZ".contains(c)));
    assert_eq!(started["verification_uri"], app.url("/device"));
    assert_eq!(
        started["verification_uri_complete"],
        app.url(&format!("/device?user_code={user_code}"))
    );
    assert_eq!(started["expires_in"], 600);
    assert_eq!(started["interval"], 1);
    let device_code = started["device_code"].as_str().unwrap().to_string();
    assert!(device_code.len() >= 43);

    // The CLI: polls every `interval` seconds until the answer is not "pending".
    let cli = {
        let (base, client, device_code) = (app.base.clone(), client.clone(), device_code.clone());
        tokio::spawn(async move {
            let mut pending = 0;
            loop {
                tokio::time::sleep(Duration::from_millis(1100)).await;
                let res = reqwest::Client::new()
                    .post(format!("{base}/token"))
                    .form(&[
                        ("grant_type", DEVICE_CODE_GRANT),
                        ("device_code", &device_code),
                        ("client_id", &client.id),
                    ])
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                let body: Value = res.json().await.unwrap();
                if status == StatusCode::BAD_REQUEST && body["error"] == "authorization_pending" {
                    pending += 1;
                    assert!(pending < 60, "still pending after a minute");
                    continue;
                }
                return (status, body, pending);
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let browser = Browser::new();
    let (confirm, done) = approve_in_browser(&app, &browser, &started, true).await;
    assert!(
        confirm.contains("Sign in to Living Room TV on your device?"),
        "{confirm}"
    );
    assert!(confirm.contains("See your email address"), "{confirm}");
    assert!(done.contains("Your device is connected"), "{done}");

    let (status, tokens, pending) = cli.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(pending >= 1, "the CLI was told to wait first");
    assert!(tokens["access_token"].is_string());
    assert!(
        tokens["refresh_token"].is_string(),
        "offline_access: {tokens}"
    );
    let claims =
        assert_id_token_valid(&app, &client, tokens["id_token"].as_str().unwrap(), None).await;
    assert_eq!(claims["sub"], app.user_id(PERSON).await.as_str());
    assert_eq!(claims["email"], PERSON);
    let info = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(info.status(), StatusCode::OK);
    // The refresh token works like any other.
    let res = app
        .token_form(
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // A second exchange of the same device code fails.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        poll_error(&app, &client, &device_code).await,
        "invalid_grant"
    );
    let kinds = app.audit_kinds().await;
    for kind in [
        "device_authorization_requested",
        "device_authorization_approved",
        "tokens_issued",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let issued = app.audit_count("tokens_issued").await;
    assert_eq!(issued, 1);
}

#[tokio::test]
async fn polling_faster_than_the_interval_is_told_to_slow_down_and_the_interval_grows_by_five() {
    let app = TestApp::spawn().await;
    let client = device_client(&app).await;
    let started = start(&app, &client, "openid").await;
    assert_eq!(started["interval"], 5);
    let code = started["device_code"].as_str().unwrap();
    assert_eq!(
        poll_error(&app, &client, code).await,
        "authorization_pending"
    );
    assert_eq!(poll_error(&app, &client, code).await, "slow_down");
    // The interval is now 10 seconds: 6 is too soon, 10 after that is fine.
    app.clock.advance(6);
    assert_eq!(poll_error(&app, &client, code).await, "slow_down");
    app.clock.advance(15);
    assert_eq!(
        poll_error(&app, &client, code).await,
        "authorization_pending"
    );
    app.clock.advance(15);
    approve_in_browser(&app, &Browser::new(), &started, true).await;
    let res = poll(&app, &client, code).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: Value = res.json().await.unwrap();
    assert!(tokens["id_token"].is_string());
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access: {tokens}"
    );
}

#[tokio::test]
async fn a_denied_device_code_answers_access_denied() {
    let app = TestApp::spawn().await;
    let client = device_client(&app).await;
    let started = start(&app, &client, "openid").await;
    let code = started["device_code"].as_str().unwrap();
    let (_, done) = approve_in_browser(&app, &Browser::new(), &started, false).await;
    assert!(done.contains("Request denied"), "{done}");
    assert_eq!(poll_error(&app, &client, code).await, "access_denied");
    assert_eq!(app.audit_count("device_authorization_denied").await, 1);
}

#[tokio::test]
async fn an_unanswered_device_code_expires_with_expired_token() {
    let app = TestApp::spawn_with(|c| c.device.code_ttl_seconds = 120).await;
    let client = device_client(&app).await;
    let started = start(&app, &client, "openid").await;
    assert_eq!(started["expires_in"], 120);
    let code = started["device_code"].as_str().unwrap();
    app.clock.advance(121);
    assert_eq!(poll_error(&app, &client, code).await, "expired_token");
    // The person can no longer use its user code either.
    let browser = Browser::new();
    let res = type_user_code(
        &app,
        &browser,
        &started,
        started["user_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("not right, or it has expired"));
}

#[tokio::test]
async fn a_client_not_allowed_the_device_grant_gets_unauthorized_client() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let res = post_as(
        &app,
        "/device_authorization",
        &client,
        &[("scope", "openid")],
    )
    .await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "unauthorized_client").await;
    let res = poll(&app, &client, "anything").await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "unauthorized_client").await;
    // Another client cannot redeem a device's code.
    let device = device_client(&app).await;
    let started = start(&app, &device, "openid").await;
    let other = device_client(&app).await;
    let res = poll(&app, &other, started["device_code"].as_str().unwrap()).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
    let doc: Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["device_authorization_endpoint"],
        app.url("/device_authorization")
    );
    assert!(doc["grant_types_supported"]
        .as_array()
        .unwrap()
        .contains(&Value::from(DEVICE_CODE_GRANT)));
}

#[tokio::test]
async fn user_codes_cannot_be_guessed_quickly_from_one_address() {
    let app = TestApp::spawn_with(|c| c.device.user_code_failures_per_ip_per_hour = 3).await;
    let client = device_client(&app).await;
    let started = start(&app, &client, "openid").await;
    let browser = Browser::new();
    for guess in ["BCDF-GHJK", "ZZZZ-ZZZZ", "not a code"] {
        let res = type_user_code(&app, &browser, &started, guess).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("not right, or it has expired"), "{html}");
    }
    // Out of budget: even the right code is not compared, and the page asks to wait.
    let res = type_user_code(
        &app,
        &browser,
        &started,
        started["user_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    let html = res.text().await.unwrap();
    assert!(html.contains("Please try again in about"), "{html}");
    // An hour later the address may try again (with a new code: the first has expired).
    app.clock.advance(3601);
    let again = start(&app, &client, "openid").await;
    let res = type_user_code(&app, &browser, &again, again["user_code"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_device_page_refuses_a_form_without_its_anti_csrf_token() {
    let app = TestApp::spawn().await;
    let client = device_client(&app).await;
    let started = start(&app, &client, "openid").await;
    let browser = Browser::new();
    browser.get(&app.url("/device")).await;
    let res = browser
        .post_form(
            &app.url("/device"),
            &[
                ("csrf", "forged"),
                ("user_code", started["user_code"].as_str().unwrap()),
            ],
        )
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert!(res.headers().get("location").is_none());
}

#[tokio::test]
async fn a_browser_already_signed_in_goes_straight_to_the_confirmation() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let web = app.plan_client().await;
    app.plan_tokens(&browser, &web, &AuthParams::default(), PERSON)
        .await;
    let client = device_client(&app).await;
    let started = start(&app, &client, "openid").await;
    let res = type_user_code(
        &app,
        &browser,
        &started,
        started["user_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res, &app.base), app.url("/device/confirm"));
    let (confirm, _) = answer_confirmation(&app, &browser, true).await;
    // The page names who is signed in, masked.
    assert!(
        confirm.contains("@example.com") && !confirm.contains(PERSON),
        "{confirm}"
    );
    let res = poll(&app, &client, started["device_code"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: Value = res.json().await.unwrap();
    let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], app.user_id(PERSON).await.as_str());
}

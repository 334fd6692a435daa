//! Single sign-on stories beyond the plan: several clients, and the cases where a silent
//! authorization must say why it cannot be silent.

use reqwest::StatusCode;

use crate::support::*;

const EMAIL: &str = "sso@example.com";

async fn silent_error(
    app: &TestApp,
    browser: &Browser,
    client: &TestClient,
    extra: &[(&str, &str)],
) -> String {
    let res = app.authorize(browser, client, &params_with(extra)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert!(back.starts_with(&client.redirect_uri), "{back}");
    assert!(query_param(&back, "code").is_none(), "{back}");
    query_param(&back, "error").unwrap()
}

#[tokio::test]
async fn a_second_client_signs_in_silently_in_the_same_browser() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let first = app.plan_client().await;
    let second = app.plan_client().await;
    let t1 = app
        .plan_tokens(&browser, &first, &AuthParams::default(), EMAIL)
        .await;
    let back = app
        .authorize_silently(&browser, &second, &AuthParams::default())
        .await;
    let t2 = app.redeem(&second, &back, None).await;
    let (c1, c2) = (
        jwt_claims(t1["id_token"].as_str().unwrap()),
        jwt_claims(t2["id_token"].as_str().unwrap()),
    );
    assert_eq!(c1["sub"], c2["sub"]);
    assert_eq!(c1["auth_time"], c2["auth_time"]);
    assert_eq!(c1["sid"], c2["sid"], "one browser session");
    assert_eq!(c2["aud"], second.id.as_str());
}

#[tokio::test]
async fn prompt_none_answers_consent_required_for_a_third_party_client_without_consent() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let first = app.plan_client().await;
    app.plan_tokens(&browser, &first, &AuthParams::default(), EMAIL)
        .await;
    let third = app.third_party_client().await;
    assert_eq!(
        silent_error(&app, &browser, &third, &[("prompt", "none")]).await,
        "consent_required"
    );
}

#[tokio::test]
async fn prompt_none_answers_interaction_required_when_login_hint_names_another_account() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let client = app.plan_client().await;
    app.plan_tokens(&browser, &client, &AuthParams::default(), EMAIL)
        .await;
    let err = silent_error(
        &app,
        &browser,
        &client,
        &[
            ("prompt", "none"),
            ("login_hint", "someone.else@example.com"),
        ],
    )
    .await;
    assert_eq!(err, "interaction_required");
    // The same hint for the signed-in person is fine.
    let back = app
        .authorize_silently(
            &browser,
            &client,
            &params_with(&[("prompt", "none"), ("login_hint", EMAIL)]),
        )
        .await;
    assert!(query_param(&back, "code").is_some());
    // Without prompt=none, a hint for another account shows the sign-in page, filled in.
    let page = app
        .open_login(
            &browser,
            &authorize_url(
                &app,
                &client,
                &params_with(&[("login_hint", "b@example.com")]),
            ),
        )
        .await;
    assert!(page.html.contains("value=\"b@example.com\""));
}

#[tokio::test]
async fn an_id_token_hint_for_another_person_is_login_required_with_prompt_none() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    app.plan_tokens(&browser, &client, &AuthParams::default(), EMAIL)
        .await;
    let other = app
        .plan_tokens(
            &Browser::new(),
            &client,
            &AuthParams::default(),
            "other@example.com",
        )
        .await;
    let hint = other["id_token"].as_str().unwrap();
    let err = silent_error(
        &app,
        &browser,
        &client,
        &[("prompt", "none"), ("id_token_hint", hint)],
    )
    .await;
    assert_eq!(err, "login_required");
}

#[tokio::test]
async fn an_id_token_hint_we_did_not_sign_is_an_invalid_request() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let tokens = app
        .plan_tokens(&browser, &client, &AuthParams::default(), EMAIL)
        .await;
    let genuine = tokens["id_token"].as_str().unwrap();
    let tampered = format!("{}x", &genuine[..genuine.len() - 1]);
    for hint in [
        tampered.as_str(),
        "not-a-jwt",
        tokens["access_token"].as_str().unwrap(),
    ] {
        let err = silent_error(
            &app,
            &browser,
            &client,
            &[("prompt", "none"), ("id_token_hint", hint)],
        )
        .await;
        assert_eq!(err, "invalid_request", "{hint}");
    }
}

#[tokio::test]
async fn an_expired_id_token_hint_is_accepted() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let tokens = app
        .plan_tokens(&browser, &client, &AuthParams::default(), EMAIL)
        .await;
    app.clock
        .advance(app.state.config.tokens.id_token_ttl_seconds + 60);
    let hint = tokens["id_token"].as_str().unwrap();
    let back = app
        .authorize_silently(
            &browser,
            &client,
            &params_with(&[("prompt", "none"), ("id_token_hint", hint)]),
        )
        .await;
    assert!(query_param(&back, "code").is_some());
}

#[tokio::test]
async fn max_age_zero_always_asks_for_a_new_code() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    app.plan_tokens(&browser, &client, &AuthParams::default(), EMAIL)
        .await;
    let err = silent_error(
        &app,
        &browser,
        &client,
        &[("prompt", "none"), ("max_age", "0")],
    )
    .await;
    assert_eq!(err, "login_required");
    app.open_login(
        &browser,
        &authorize_url(&app, &client, &params_with(&[("max_age", "0")])),
    )
    .await;
}

#[tokio::test]
async fn a_sub_claim_value_for_another_person_is_not_answered_silently() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let tokens = app
        .plan_tokens(&browser, &client, &AuthParams::default(), EMAIL)
        .await;
    let sub = jwt_claims(tokens["id_token"].as_str().unwrap())["sub"]
        .as_str()
        .unwrap()
        .to_string();
    let mine = format!(r#"{{"id_token":{{"sub":{{"value":"{sub}"}}}}}}"#);
    let back = app
        .authorize_silently(
            &browser,
            &client,
            &params_with(&[("prompt", "none"), ("claims", &mine)]),
        )
        .await;
    assert!(query_param(&back, "code").is_some());
    let theirs = r#"{"id_token":{"sub":{"value":"someone-else"}}}"#;
    let err = silent_error(
        &app,
        &browser,
        &client,
        &[("prompt", "none"), ("claims", theirs)],
    )
    .await;
    assert_eq!(err, "login_required");
}

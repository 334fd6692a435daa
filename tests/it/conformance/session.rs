//! "Basic OP" modules about the single sign-on session: `prompt`, `max_age` and
//! `id_token_hint` on a second authorization from the same browser.

use reqwest::StatusCode;

use crate::support::*;

const EMAIL: &str = "session@example.com";

/// Signs in once; returns the browser, the client and the first ID token's claims.
async fn first_sign_in(app: &TestApp) -> (Browser, TestClient, serde_json::Value, String) {
    let client = app.plan_client().await;
    let browser = Browser::new();
    let tokens = app
        .plan_tokens(&browser, &client, &AuthParams::default(), EMAIL)
        .await;
    let id_token = tokens["id_token"].as_str().unwrap().to_string();
    (browser, client, jwt_claims(&id_token), id_token)
}

#[tokio::test]
async fn oidcc_prompt_login() {
    let app = TestApp::spawn().await;
    let (browser, client, first, _) = first_sign_in(&app).await;
    app.clock.advance(2);
    let p = params_with(&[("prompt", "login")]);
    // A new code is required even though the browser is signed in.
    let back = app
        .sign_in(&browser, &authorize_url(&app, &client, &p), EMAIL)
        .await;
    let tokens = app.redeem(&client, &back, None).await;
    let second = assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
    assert_eq!(second["sub"], first["sub"]);
    assert!(second["auth_time"].as_i64().unwrap() > first["auth_time"].as_i64().unwrap());
}

#[tokio::test]
async fn oidcc_prompt_none_not_logged_in() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let p = params_with(&[("prompt", "none")]);
    let res = app.authorize(&Browser::new(), &client, &p).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert!(back.starts_with(&client.redirect_uri));
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("login_required")
    );
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(p.state.as_str())
    );
    assert_eq!(
        query_param(&back, "iss").as_deref(),
        Some(app.base.as_str())
    );
}

#[tokio::test]
async fn oidcc_prompt_none_logged_in() {
    let app = TestApp::spawn().await;
    let (browser, client, first, _) = first_sign_in(&app).await;
    let p = params_with(&[("prompt", "none")]);
    let back = app.authorize_silently(&browser, &client, &p).await;
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(p.state.as_str())
    );
    let tokens = app.redeem(&client, &back, None).await;
    let second = assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
    assert_eq!(second["sub"], first["sub"]);
    assert_eq!(second["auth_time"], first["auth_time"]);
}

#[tokio::test]
async fn oidcc_max_age_1() {
    let app = TestApp::spawn().await;
    let (browser, client, first, _) = first_sign_in(&app).await;
    app.clock.advance(2);
    let p = params_with(&[("max_age", "1")]);
    let back = app
        .sign_in(&browser, &authorize_url(&app, &client, &p), EMAIL)
        .await;
    let tokens = app.redeem(&client, &back, None).await;
    let second = assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
    assert!(second["auth_time"].as_i64().unwrap() > first["auth_time"].as_i64().unwrap());
    assert!(app.state.now() - second["auth_time"].as_i64().unwrap() <= 1);
}

#[tokio::test]
async fn oidcc_max_age_10000() {
    let app = TestApp::spawn().await;
    let (browser, client, first, _) = first_sign_in(&app).await;
    app.clock.advance(2);
    let p = params_with(&[("max_age", "10000")]);
    let back = app.authorize_silently(&browser, &client, &p).await;
    let tokens = app.redeem(&client, &back, None).await;
    let second = assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
    assert_eq!(
        second["auth_time"], first["auth_time"],
        "auth_time is present and unchanged"
    );
}

#[tokio::test]
async fn oidcc_id_token_hint() {
    let app = TestApp::spawn().await;
    let (browser, client, first, id_token) = first_sign_in(&app).await;
    let p = params_with(&[("prompt", "none"), ("id_token_hint", &id_token)]);
    let back = app.authorize_silently(&browser, &client, &p).await;
    let tokens = app.redeem(&client, &back, None).await;
    let second = assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
    assert_eq!(second["sub"], first["sub"]);
    assert_eq!(second["auth_time"], first["auth_time"]);
}

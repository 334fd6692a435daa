//! "Basic OP" modules about optional authorization parameters: accepted without error when
//! they are hints, and refused with the registered error when they ask for something Sesame
//! does not do (request objects).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;

use crate::support::*;

const EMAIL: &str = "params@example.com";

/// A full sign-in with extra parameters succeeds and yields a valid ID token.
async fn accepted(extra: &[(&str, &str)]) -> serde_json::Value {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let p = params_with(extra);
    let back = app
        .sign_in(&Browser::new(), &authorize_url(&app, &client, &p), EMAIL)
        .await;
    assert!(query_param(&back, "error").is_none(), "{back}");
    let tokens = app.redeem(&client, &back, None).await;
    assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
    jwt_claims(tokens["id_token"].as_str().unwrap())
}

#[tokio::test]
async fn oidcc_display_page() {
    accepted(&[("display", "page")]).await;
}

#[tokio::test]
async fn oidcc_display_popup() {
    accepted(&[("display", "popup")]).await;
}

#[tokio::test]
async fn oidcc_ensure_request_with_unknown_parameter_succeeds() {
    accepted(&[("extra_parameter_for_test", "some value")]).await;
}

#[tokio::test]
async fn oidcc_ui_locales() {
    accepted(&[("ui_locales", "se")]).await;
}

#[tokio::test]
async fn oidcc_claims_locales() {
    accepted(&[("claims_locales", "se")]).await;
}

#[tokio::test]
async fn oidcc_ensure_request_with_acr_values_succeeds() {
    // The plan's module warns when the ID token has no `acr`; it names the code class.
    let claims = accepted(&[("acr_values", "1 2")]).await;
    assert_eq!(claims["acr"], "urn:sesame:acr:code", "{claims}");
}

#[tokio::test]
async fn oidcc_login_hint() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let p = params_with(&[("login_hint", EMAIL)]);
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    assert!(
        page.html.contains(&format!("value=\"{EMAIL}\"")),
        "the hint fills in the address"
    );
    let code = app.request_code(&browser, &page, EMAIL).await;
    let back = location(&app.submit_code(&browser, &page, &code).await, &app.base);
    let tokens = app.redeem(&client, &back, None).await;
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["email"],
        EMAIL
    );
}

/// The error an authorization request gets back at the client.
async fn refused_with(extra: &[(&str, &str)]) -> String {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let p = params_with(extra);
    let res = app.authorize(&Browser::new(), &client, &p).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert!(back.starts_with(&client.redirect_uri), "{back}");
    assert!(query_param(&back, "code").is_none());
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(p.state.as_str())
    );
    let doc: serde_json::Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["request_parameter_supported"], false);
    assert_eq!(doc["request_uri_parameter_supported"], false);
    query_param(&back, "error").unwrap()
}

/// An unsigned (`alg: none`) request object.
fn request_object(claims: serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{body}.")
}

#[tokio::test]
async fn oidcc_request_uri_unsigned_supported_correctly_or_rejected_as_unsupported() {
    let error = refused_with(&[("request_uri", "https://rp.example/request.jwt")]).await;
    assert_eq!(error, "request_uri_not_supported");
}

#[tokio::test]
async fn oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported() {
    let obj = request_object(serde_json::json!({"scope": "openid email", "response_type": "code"}));
    let error = refused_with(&[("request", &obj)]).await;
    assert_eq!(error, "request_not_supported");
}

#[tokio::test]
async fn oidcc_ensure_request_object_with_redirect_uri() {
    let obj = request_object(serde_json::json!({
        "redirect_uri": "http://127.0.0.1:9/callback",
        "scope": "openid",
        "response_type": "code"
    }));
    let error = refused_with(&[("request", &obj)]).await;
    assert_eq!(error, "request_not_supported");
}

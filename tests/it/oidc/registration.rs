//! Dynamic client registration (RFC 7591): off by default; with an initial access token
//! when on; metadata checked with the RFC's error codes; registered clients are third-party.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

const IAT: &str = "initial-access-token-0123456789abcdef";

async fn enabled() -> TestApp {
    TestApp::spawn_with(|c| {
        c.registration.enabled = true;
        c.registration.initial_access_token = Some(IAT.to_string().into());
    })
    .await
}

async fn register(app: &TestApp, token: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(app.url("/register"))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn discovery(app: &TestApp) -> Value {
    reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn registration_is_off_by_default_and_not_advertised() {
    let app = TestApp::spawn().await;
    let res = register(
        &app,
        Some(IAT),
        json!({"redirect_uris": ["https://rp.example/cb"]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(discovery(&app).await.get("registration_endpoint").is_none());
}

#[tokio::test]
async fn registration_needs_the_initial_access_token() {
    let app = enabled().await;
    assert_eq!(
        discovery(&app).await["registration_endpoint"],
        app.url("/register")
    );
    let body = json!({"redirect_uris": ["https://rp.example/cb"]});
    let res = register(&app, None, body.clone()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let res = register(&app, Some("initial-access-token-wrong-wrong-wrong"), body).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_registered_client_signs_people_in_after_their_consent() {
    let app = enabled().await;
    let res = register(
        &app,
        Some(IAT),
        json!({
            "client_name": "Registered RP",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "post_logout_redirect_uris": [POST_LOGOUT_URI],
            "grant_types": ["authorization_code", "refresh_token"],
            "logo_uri": "https://rp.example/logo.png"
        }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let reg: Value = res.json().await.unwrap();
    assert_eq!(reg["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(reg["client_secret_expires_at"], 0);
    assert_eq!(reg["client_name"], "Registered RP");
    let client = TestClient {
        id: reg["client_id"].as_str().unwrap().into(),
        secret: reg["client_secret"].as_str().map(str::to_string),
        redirect_uri: "http://127.0.0.1:9/callback".into(),
    };
    let stored = app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.first_party && stored.dynamic && stored.pkce_required);
    // PKCE is required by default for dynamically registered clients.
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let browser = Browser::new();
    let consent = app
        .sign_in(
            &browser,
            &authorize_url(&app, &client, &p),
            "dyn@example.com",
        )
        .await;
    let back = app.answer_consent(&browser, &consent, true).await;
    let tokens = app.redeem(&client, &back, Some(&verifier)).await;
    assert!(tokens["id_token"].is_string());
    assert!(app
        .audit_kinds()
        .await
        .contains(&"client_registered".to_string()));
}

#[tokio::test]
async fn bad_metadata_gets_the_rfc_error_codes() {
    let app = enabled().await;
    let cases = [
        (
            json!({"redirect_uris": ["https://rp.example/cb#frag"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["http://rp.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (json!({"client_name": "No URIs"}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "tls_client_auth"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": "https://rp.example/cb"}),
            "invalid_client_metadata",
        ),
        (json!(["not", "an", "object"]), "invalid_client_metadata"),
    ];
    for (body, want) in cases {
        let res = register(&app, Some(IAT), body.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"], want, "{body}");
        assert!(err["error_description"].is_string());
    }
    let res = reqwest::Client::new()
        .post(app.url("/register"))
        .bearer_auth(IAT)
        .header("content-type", "text/plain")
        .body("redirect_uris=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_native_public_client_registers_with_a_loopback_uri_and_no_secret() {
    let app = enabled().await;
    let res = register(
        &app,
        Some(IAT),
        json!({
            "redirect_uris": ["http://127.0.0.1:7000/cb", "com.example.app:/cb"],
            "token_endpoint_auth_method": "none",
            "application_type": "native"
        }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let reg: Value = res.json().await.unwrap();
    assert!(reg.get("client_secret").is_none());
    assert_eq!(reg["token_endpoint_auth_method"], "none");
}

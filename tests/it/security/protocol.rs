//! The RFC 9700 (OAuth 2.0 Security BCP) threats at the protocol endpoints: redirect URI
//! manipulation, code injection and PKCE downgrade, code reuse, and mix-up.

use reqwest::StatusCode;

use crate::security::common::*;
use crate::support::*;

#[tokio::test]
async fn unregistered_redirect_uri_is_refused_without_redirecting() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    for evil in [
        "http://127.0.0.1:9/callback/../evil",
        "http://127.0.0.1:9/callback?x=1",
        "http://127.0.0.1:9/callbackx",
        "http://127.0.0.1:9/CALLBACK",
        "http://evil.example/callback",
        "http://127.0.0.1:9/callback#f",
    ] {
        let mut c = client.clone();
        c.redirect_uri = evil.to_string();
        let (_, challenge) = pkce_pair();
        let p = AuthParams {
            challenge: Some(challenge),
            ..Default::default()
        };
        let res = b.get(&authorize_url(&app, &c, &p)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{evil}");
        assert!(
            res.headers().get("location").is_none(),
            "{evil}: no open redirect"
        );
    }
}

#[tokio::test]
async fn pkce_downgrade_and_a_wrong_verifier_are_refused() {
    let app = spawn_quick(|_| {}).await;
    // A confidential client with PKCE optional that did not send a challenge: a verifier
    // at the token endpoint is a downgrade attempt (RFC 9700 2.1.1).
    let client = app.client_of(false, false).await;
    let b = Browser::new();
    let back = app
        .sign_in(
            &b,
            &authorize_url(&app, &client, &AuthParams::default()),
            "pkce@example.com",
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, Some(&"v".repeat(43))).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["error"], "invalid_grant");

    // With a challenge, only its verifier redeems the code (an injected code is useless).
    let client = app.public_client().await;
    let (_, challenge) = pkce_pair();
    let (other_verifier, _) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &p),
            "pkce@example.com",
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, Some(&other_verifier)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A public client without a challenge never gets a code.
    let res = Browser::new()
        .get(&authorize_url(&app, &client, &AuthParams::default()))
        .await;
    let loc = location(&res, &app.base);
    assert_eq!(
        query_param(&loc, "error").as_deref(),
        Some("invalid_request")
    );
    assert!(query_param(&loc, "code").is_none());
}

#[tokio::test]
async fn reused_authorization_code_revokes_the_tokens_issued_from_it() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &p),
            "reuse@example.com",
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    let at = tokens["access_token"].as_str().unwrap().to_string();
    let userinfo = |t: String| {
        let url = app.url("/userinfo");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(userinfo(at.clone()).await, StatusCode::OK);
    let again = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        userinfo(at).await,
        StatusCode::UNAUTHORIZED,
        "the first tokens are revoked"
    );
}

#[tokio::test]
async fn authorization_response_names_the_issuer_against_mix_up() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let (_, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &p),
            "mixup@example.com",
        )
        .await;
    assert_eq!(
        query_param(&back, "iss").as_deref(),
        Some(app.base.as_str())
    );
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(p.state.as_str())
    );
    // Error responses name the issuer too (RFC 9207 section 2).
    let mut bad = p.clone();
    bad.scope = "email".into();
    let res = Browser::new()
        .get(&authorize_url(&app, &client, &bad))
        .await;
    let loc = location(&res, &app.base);
    assert_eq!(query_param(&loc, "iss").as_deref(), Some(app.base.as_str()));
    let doc: serde_json::Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
}

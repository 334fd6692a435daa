//! Revocation (RFC 7009) and introspection (RFC 7662).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

const EMAIL: &str = "revoke@example.com";

async fn offline_tokens(app: &TestApp, client: &TestClient) -> Value {
    let p = with_scope("openid email offline_access");
    app.plan_tokens(&Browser::new(), client, &p, EMAIL).await
}

async fn introspected(app: &TestApp, client: &TestClient, token: &str) -> Value {
    let res = app.introspect(client, token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.unwrap()
}

#[tokio::test]
async fn revoking_a_refresh_token_kills_every_token_of_its_family() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let rt0 = t0["refresh_token"].as_str().unwrap();
    let res = app.refresh(&client, rt0, None).await;
    let t1: Value = res.json().await.unwrap();
    let rt1 = t1["refresh_token"].as_str().unwrap();
    let at1 = t1["access_token"].as_str().unwrap();
    assert_eq!(introspected(&app, &client, at1).await["active"], true);
    let res = app.revoke(&client, rt1, Some("refresh_token")).await;
    assert_eq!(res.status(), StatusCode::OK);
    for at in [t0["access_token"].as_str().unwrap(), at1] {
        assert_eq!(
            introspected(&app, &client, at).await,
            json!({"active": false})
        );
        assert_eq!(app.userinfo(at).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        introspected(&app, &client, rt1).await,
        json!({"active": false})
    );
    assert_eq!(
        app.refresh(&client, rt1, None).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn revoking_an_access_token_kills_only_that_token() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let at0 = t0["access_token"].as_str().unwrap();
    assert_eq!(
        app.revoke(&client, at0, Some("access_token"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        introspected(&app, &client, at0).await,
        json!({"active": false})
    );
    assert_eq!(app.userinfo(at0).await.status(), StatusCode::UNAUTHORIZED);
    // The refresh token and new access tokens still work.
    let res = app
        .refresh(&client, t0["refresh_token"].as_str().unwrap(), None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let t1: Value = res.json().await.unwrap();
    assert_eq!(
        app.userinfo(t1["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn revocation_answers_ok_for_unknown_tokens_and_refuses_other_clients_tokens() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let other = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    for junk in ["unknown-token", "a.b.c"] {
        assert_eq!(
            app.revoke(&client, junk, None).await.status(),
            StatusCode::OK
        );
    }
    for token in [
        t0["refresh_token"].as_str().unwrap(),
        t0["access_token"].as_str().unwrap(),
    ] {
        let res = app.revoke(&other, token, None).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(introspected(&app, &client, token).await["active"], true);
    }
    // Client authentication is required.
    let res = reqwest::Client::new()
        .post(app.url("/revoke"))
        .basic_auth(&client.id, Some("wrong"))
        .form(&[("token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A public client revokes its own tokens with its client_id.
    let public = app.public_client().await;
    let (verifier, challenge) = pkce_pair();
    let mut p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    p.scope = "openid offline_access".into();
    let back = app
        .sign_in(&Browser::new(), &authorize_url(&app, &public, &p), EMAIL)
        .await;
    let tokens = app.redeem(&public, &back, Some(&verifier)).await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(app.revoke(&public, rt, None).await.status(), StatusCode::OK);
    assert_eq!(
        app.refresh(&public, rt, None).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn introspection_describes_live_tokens() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let resource_server = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let at = t0["access_token"].as_str().unwrap();
    let sub = app.user_id(EMAIL).await;
    // A resource server (another confidential client) may introspect access tokens.
    let v = introspected(&app, &resource_server, at).await;
    assert_eq!(v["active"], true);
    assert_eq!(v["sub"], sub.as_str());
    assert_eq!(v["client_id"], client.id.as_str());
    assert_eq!(v["scope"], "openid email offline_access");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["iss"], app.base.as_str());
    assert!(v["exp"].as_i64().unwrap() > app.state.now());
    // Refresh tokens only to the client that holds them.
    let rt = t0["refresh_token"].as_str().unwrap();
    let mine = introspected(&app, &client, rt).await;
    assert_eq!(mine["active"], true);
    assert_eq!(mine["sub"], sub.as_str());
    assert_eq!(
        introspected(&app, &resource_server, rt).await,
        json!({"active": false})
    );
    // Expired access tokens are inactive.
    app.clock
        .advance(app.state.config.tokens.access_token_ttl_seconds + 1);
    assert_eq!(
        introspected(&app, &client, at).await,
        json!({"active": false})
    );
    assert_eq!(
        introspected(&app, &client, "garbage").await,
        json!({"active": false})
    );
}

#[tokio::test]
async fn introspection_requires_client_authentication() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let at = t0["access_token"].as_str().unwrap();
    let public = app.public_client().await;
    assert_eq!(
        app.introspect(&public, at).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = reqwest::Client::new()
        .post(app.url("/introspect"))
        .form(&[("token", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = reqwest::Client::new()
        .post(app.url("/introspect"))
        .basic_auth(&client.id, Some("wrong secret"))
        .form(&[("token", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}

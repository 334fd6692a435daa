//! Refresh-token families: rotation on every use, reuse detection that revokes the family
//! (RFC 9700 4.14.2), client binding, idle and absolute lifetimes, scope narrowing.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::*;

const EMAIL: &str = "refresh@example.com";

async fn offline_tokens(app: &TestApp, client: &TestClient) -> Value {
    let p = with_scope("openid email offline_access");
    app.plan_tokens(&Browser::new(), client, &p, EMAIL).await
}

async fn refreshed(app: &TestApp, client: &TestClient, rt: &str) -> Value {
    let res = app.refresh(client, rt, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn error_of(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let v: Value = res.json().await.unwrap();
    v["error"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn each_refresh_rotates_the_token() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let rt0 = t0["refresh_token"].as_str().unwrap();
    let t1 = refreshed(&app, &client, rt0).await;
    let rt1 = t1["refresh_token"].as_str().unwrap();
    assert_ne!(rt0, rt1);
    let t2 = refreshed(&app, &client, rt1).await;
    assert!(t2["id_token"].is_string());
    assert!(jwt_claims(t2["id_token"].as_str().unwrap())
        .get("nonce")
        .is_none());
    // Only the keyed hash is stored.
    let stored = app
        .state
        .store
        .get_refresh_token(&sesame::oidc::refresh_token::token_hash(&app.state, rt1))
        .await
        .unwrap()
        .unwrap();
    assert!(stored.used_at.is_some());
    assert_ne!(stored.token_hash, rt1.as_bytes());
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let rt0 = t0["refresh_token"].as_str().unwrap();
    let t1 = refreshed(&app, &client, rt0).await;
    let rt1 = t1["refresh_token"].as_str().unwrap();
    // The attacker (or a confused client) presents the old token again.
    assert_eq!(
        error_of(app.refresh(&client, rt0, None).await).await,
        "invalid_grant"
    );
    // Every token of the family is dead: the newest refresh token and every access token.
    assert_eq!(
        error_of(app.refresh(&client, rt1, None).await).await,
        "invalid_grant"
    );
    for at in [&t0["access_token"], &t1["access_token"]] {
        let res = app.userinfo(at.as_str().unwrap()).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    assert!(app
        .audit_kinds()
        .await
        .contains(&"refresh_token_reuse_revoked".to_string()));
}

#[tokio::test]
async fn two_concurrent_refreshes_with_one_token_let_at_most_one_win() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let rt0 = t0["refresh_token"].as_str().unwrap().to_string();
    let (a, b) = tokio::join!(
        app.refresh(&client, &rt0, None),
        app.refresh(&client, &rt0, None)
    );
    let ok = [a.status(), b.status()]
        .iter()
        .filter(|s| **s == StatusCode::OK)
        .count();
    assert_eq!(ok, 1, "a refresh token is used exactly once");
    let winner: Option<Value> = if a.status() == StatusCode::OK {
        Some(a.json().await.unwrap())
    } else if b.status() == StatusCode::OK {
        Some(b.json().await.unwrap())
    } else {
        None
    };
    // The loser was a reuse: the family, including the winner's new token, is revoked.
    if let Some(w) = winner {
        let res = app
            .refresh(&client, w["refresh_token"].as_str().unwrap(), None)
            .await;
        assert_eq!(error_of(res).await, "invalid_grant");
    }
}

#[tokio::test]
async fn a_refresh_token_is_bound_to_its_client() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let thief = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let rt0 = t0["refresh_token"].as_str().unwrap();
    assert_eq!(
        error_of(app.refresh(&thief, rt0, None).await).await,
        "invalid_grant"
    );
    refreshed(&app, &client, rt0).await;
}

#[tokio::test]
async fn an_unused_refresh_token_expires_after_the_idle_lifetime() {
    let app = TestApp::spawn_with(|c| {
        c.tokens.refresh_token_idle_ttl_seconds = 600;
        c.tokens.refresh_token_absolute_ttl_seconds = 3600;
    })
    .await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    app.clock.advance(500);
    let t1 = refreshed(&app, &client, t0["refresh_token"].as_str().unwrap()).await;
    app.clock.advance(601);
    let res = app
        .refresh(&client, t1["refresh_token"].as_str().unwrap(), None)
        .await;
    assert_eq!(error_of(res).await, "invalid_grant");
}

#[tokio::test]
async fn a_family_ends_at_the_absolute_lifetime_however_often_it_is_used() {
    let app = TestApp::spawn_with(|c| {
        c.tokens.refresh_token_idle_ttl_seconds = 600;
        c.tokens.refresh_token_absolute_ttl_seconds = 1500;
    })
    .await;
    let client = app.plan_client().await;
    let mut rt = offline_tokens(&app, &client).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    for _ in 0..2 {
        app.clock.advance(500);
        rt = refreshed(&app, &client, &rt).await["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();
    }
    app.clock.advance(501);
    assert_eq!(
        error_of(app.refresh(&client, &rt, None).await).await,
        "invalid_grant"
    );
}

#[tokio::test]
async fn refresh_tokens_need_offline_access_unless_the_client_always_gets_them() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let tokens = app
        .plan_tokens(&Browser::new(), &client, &AuthParams::default(), EMAIL)
        .await;
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    let always = app
        .client_with(|c| c.always_issue_refresh_token = true)
        .await;
    let tokens = app
        .plan_tokens(&Browser::new(), &always, &AuthParams::default(), EMAIL)
        .await;
    refreshed(&app, &always, tokens["refresh_token"].as_str().unwrap()).await;
    // A client not registered for refresh_token gets none, and offline_access is dropped.
    let no_refresh = app
        .client_with(|c| c.grant_types = vec!["authorization_code".into()])
        .await;
    let tokens = offline_tokens(&app, &no_refresh).await;
    assert!(tokens.get("refresh_token").is_none());
    assert_eq!(tokens["scope"], "openid email");
}

#[tokio::test]
async fn a_refresh_may_narrow_the_scope_but_never_widen_it() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let res = app
        .refresh(
            &client,
            t0["refresh_token"].as_str().unwrap(),
            Some("openid profile"),
        )
        .await;
    assert_eq!(error_of(res).await, "invalid_scope");
    let res = app
        .refresh(
            &client,
            t0["refresh_token"].as_str().unwrap(),
            Some("openid"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let t1: Value = res.json().await.unwrap();
    assert_eq!(t1["scope"], "openid");
    assert_eq!(
        jwt_claims(t1["access_token"].as_str().unwrap())["scope"],
        "openid"
    );
    assert!(jwt_claims(t1["id_token"].as_str().unwrap())
        .get("email")
        .is_none());
    // The new refresh token keeps the family's full scope (RFC 6749 6).
    let t2 = refreshed(&app, &client, t1["refresh_token"].as_str().unwrap()).await;
    assert_eq!(t2["scope"], "openid email offline_access");
}

#[tokio::test]
async fn a_disabled_account_cannot_refresh() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let user = app.user_id(EMAIL).await;
    sesame::with_pool!(&app.state.store.db, pool => {
        sqlx::query("UPDATE users SET disabled_at = 1 WHERE id = $1")
            .bind(&user)
            .execute(pool)
            .await
            .unwrap();
    });
    let res = app
        .refresh(&client, t0["refresh_token"].as_str().unwrap(), None)
        .await;
    assert_eq!(error_of(res).await, "invalid_grant");
}

#[tokio::test]
async fn purging_forgets_refresh_tokens_and_revocations_only_once_they_are_useless() {
    let app = TestApp::spawn_with(|c| {
        c.tokens.refresh_token_idle_ttl_seconds = 600;
        c.tokens.refresh_token_absolute_ttl_seconds = 1200;
    })
    .await;
    let client = app.plan_client().await;
    let t0 = offline_tokens(&app, &client).await;
    let rt = t0["refresh_token"].as_str().unwrap();
    let at = t0["access_token"].as_str().unwrap();
    let jti = jwt_claims(at)["jti"].as_str().unwrap().to_string();
    assert_eq!(app.revoke(&client, at, None).await.status(), StatusCode::OK);
    let store = &app.state.store;
    let hash = sesame::oidc::refresh_token::token_hash(&app.state, rt);
    store.purge_expired(app.state.now()).await.unwrap();
    assert!(store.get_refresh_token(&hash).await.unwrap().is_some());
    assert!(store.access_token_revoked(&jti).await.unwrap());
    app.clock.advance(601);
    store.purge_expired(app.state.now()).await.unwrap();
    assert!(store.get_refresh_token(&hash).await.unwrap().is_none());
    assert!(!store.access_token_revoked(&jti).await.unwrap());
}

#[tokio::test]
async fn a_clients_own_refresh_token_lifetime_ends_its_families_sooner() {
    let app = TestApp::spawn().await;
    let client = app
        .client_with(|c| c.always_issue_refresh_token = true)
        .await;
    let mut stored = app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .unwrap();
    stored.meta.refresh_token_ttl_seconds = Some(120);
    app.state.store.update_client(&stored).await.unwrap();
    let tokens = app.tokens_for(&client, "short-lived@example.com").await;
    let rt = tokens["refresh_token"].as_str().unwrap().to_string();
    app.clock.advance(60);
    let res = app.refresh(&client, &rt, None).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "still inside the client's lifetime"
    );
    let next: serde_json::Value = res.json().await.unwrap();
    app.clock.advance(61);
    let res = app
        .refresh(&client, next["refresh_token"].as_str().unwrap(), None)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "the family ended at 120 s"
    );
}

#[tokio::test]
async fn a_clients_own_access_token_lifetime_applies_to_client_credentials() {
    let app = TestApp::spawn().await;
    let client = app
        .client_with(|c| {
            c.grant_types = vec!["client_credentials".into()];
            c.redirect_uris = vec![];
            c.post_logout_redirect_uris = vec![];
        })
        .await;
    let mut stored = app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .unwrap();
    stored.meta.access_token_ttl_seconds = Some(77);
    app.state.store.update_client(&stored).await.unwrap();
    let res = app
        .token_form(&client, &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["expires_in"], 77);
    let claims = jwt_claims(body["access_token"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        77
    );
}

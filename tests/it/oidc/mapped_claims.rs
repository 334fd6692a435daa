//! Mapped attribute claims: a person attribute released under the claim name a client's
//! mapping gives, with `openid`, in the ID token, at UserInfo and in introspection, to
//! that client only.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{json, Value};
use sesame::store::users::Channel;

use crate::support::*;

const EMAIL: &str = "mapped@example.com";

/// A person with `minio_policy` = `readwrite` and `team` = `storage`; returns their id.
async fn person_with_attributes(app: &TestApp) -> String {
    let now = app.state.now();
    let store = &app.state.store;
    let user = store
        .user_signed_in(Channel::Email, EMAIL, "user-mapped-1", true, now)
        .await
        .unwrap()
        .unwrap();
    store
        .set_user_attribute(&user.id, "minio_policy", "readwrite", now)
        .await
        .unwrap();
    store
        .set_user_attribute(&user.id, "team", "storage", now)
        .await
        .unwrap();
    user.id
}

async fn map(app: &TestApp, client: &TestClient, pairs: &[(&str, &str)]) {
    let m: BTreeMap<String, String> = pairs
        .iter()
        .map(|(c, a)| (c.to_string(), a.to_string()))
        .collect();
    app.state
        .store
        .set_client_claims(&client.id, &m)
        .await
        .unwrap();
}

/// The ID token's claims, UserInfo and the access token's introspection (by the client).
async fn released(app: &TestApp, client: &TestClient, tokens: &Value) -> [Value; 3] {
    let id = app
        .verify_with_jwks(tokens["id_token"].as_str().unwrap())
        .await;
    let access = tokens["access_token"].as_str().unwrap();
    let res = app.userinfo(access).await;
    assert_eq!(res.status(), StatusCode::OK);
    let info: Value = res.json().await.unwrap();
    let res = app.introspect(client, access).await;
    assert_eq!(res.status(), StatusCode::OK);
    let intro: Value = res.json().await.unwrap();
    assert_eq!(intro["active"], true);
    [id, info, intro]
}

#[tokio::test]
async fn mapped_attribute_claims_are_released_only_to_the_mapped_client() {
    let app = TestApp::spawn().await;
    let user = person_with_attributes(&app).await;
    let minio = app.plan_client().await;
    let other = app.plan_client().await;
    map(
        &app,
        &minio,
        &[("policy", "minio_policy"), ("dept", "missing")],
    )
    .await;

    let browser = Browser::new();
    let p = AuthParams {
        scope: "openid".into(),
        ..Default::default()
    };
    let tokens = app.plan_tokens(&browser, &minio, &p, EMAIL).await;
    for v in released(&app, &minio, &tokens).await {
        assert_eq!(v["policy"], "readwrite", "{v}");
        assert!(
            v.get("dept").is_none(),
            "an attribute the person lacks: {v}"
        );
        assert!(
            v.get("minio_policy").is_none() && v.get("team").is_none(),
            "{v}"
        );
        assert_eq!(v["sub"], user.as_str());
    }

    // Another client, for the same person, asking for the claim by name too, gets nothing.
    let claims = json!({"id_token": {"policy": null}, "userinfo": {"policy": {"essential": true}}});
    let p = params_with(&[("claims", &claims.to_string())]);
    let back = app.authorize_silently(&browser, &other, &p).await;
    let tokens = app.redeem(&other, &back, None).await;
    for v in released(&app, &other, &tokens).await {
        assert!(v.get("policy").is_none(), "{v}");
    }
    // Even introspecting the mapped client's token, it is that token's client's mapping.
    let p = AuthParams::default();
    let back = app.authorize_silently(&browser, &minio, &p).await;
    let tokens = app.redeem(&minio, &back, None).await;
    let res = app
        .introspect(&other, tokens["access_token"].as_str().unwrap())
        .await;
    let intro: Value = res.json().await.unwrap();
    assert_eq!(intro["client_id"], minio.id.as_str());
    assert_eq!(intro["policy"], "readwrite", "{intro}");
}

#[tokio::test]
async fn attribute_and_mapping_changes_show_at_the_next_call() {
    let app = TestApp::spawn().await;
    let user = person_with_attributes(&app).await;
    let client = app.plan_client().await;
    let tokens = app.tokens_for(&client, EMAIL).await;
    let [_, info, _] = released(&app, &client, &tokens).await;
    assert!(info.get("policy").is_none(), "no mapping yet: {info}");
    map(&app, &client, &[("policy", "minio_policy")]).await;
    let store = &app.state.store;
    store
        .set_user_attribute(&user, "minio_policy", "readonly", app.state.now())
        .await
        .unwrap();
    let [_, info, intro] = released(&app, &client, &tokens).await;
    assert_eq!(info["policy"], "readonly");
    assert_eq!(intro["policy"], "readonly");
    assert!(store
        .unset_user_attribute(&user, "minio_policy")
        .await
        .unwrap());
    let [_, info, _] = released(&app, &client, &tokens).await;
    assert!(info.get("policy").is_none(), "{info}");
}

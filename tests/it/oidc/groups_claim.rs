//! The `groups` scope and claim: the names of a person's groups, in the ID token, at
//! UserInfo and in introspection, for a client allowed the scope; never for one that is
//! not, whether it asks by scope or through the `claims` parameter.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sesame::store::users::Channel;

use crate::support::*;

const EMAIL: &str = "grace@example.com";

/// A person in the groups `admins` and `storage.rw`; returns their id.
async fn person_in_groups(app: &TestApp) -> String {
    let now = app.state.now();
    let store = &app.state.store;
    let user = store
        .user_signed_in(Channel::Email, EMAIL, "user-grace-1", true, now)
        .await
        .unwrap()
        .unwrap();
    for g in ["storage.rw", "admins", "unrelated"] {
        assert!(store.insert_group(g, None, now).await.unwrap());
    }
    for g in ["storage.rw", "admins"] {
        assert!(store.add_group_member(g, &user.id, now).await.unwrap());
    }
    user.id
}

async fn allow_only(app: &TestApp, client: &TestClient, scopes: &[&str]) {
    let store = &app.state.store;
    let mut c = store.get_client(&client.id).await.unwrap().unwrap();
    c.meta.allowed_scopes = Some(scopes.iter().map(|s| s.to_string()).collect());
    assert!(store.update_client(&c).await.unwrap());
}

/// The ID token's claims, UserInfo and the access token's introspection.
async fn released(app: &TestApp, client: &TestClient, tokens: &Value) -> (Value, Value, Value) {
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
    (id, info, intro)
}

#[tokio::test]
async fn a_client_allowed_groups_gets_the_groups_claim_in_the_id_token_userinfo_and_introspection()
{
    let app = TestApp::spawn().await;
    person_in_groups(&app).await;
    let client = app.plan_client().await;
    allow_only(&app, &client, &["openid", "email", "groups"]).await;
    let p = AuthParams {
        scope: "openid email groups offline_access".into(),
        ..Default::default()
    };
    let tokens = app.plan_tokens(&Browser::new(), &client, &p, EMAIL).await;
    assert_eq!(tokens["scope"], "openid email groups");
    let (id, info, intro) = released(&app, &client, &tokens).await;
    let want = json!(["admins", "storage.rw"]);
    assert_eq!(id["groups"], want, "{id}");
    assert_eq!(info["groups"], want, "{info}");
    assert_eq!(intro["groups"], want, "{intro}");

    // Without the scope, nothing.
    let p = AuthParams {
        scope: "openid email".into(),
        ..Default::default()
    };
    let tokens = app.plan_tokens(&Browser::new(), &client, &p, EMAIL).await;
    let (id, info, intro) = released(&app, &client, &tokens).await;
    for v in [&id, &info, &intro] {
        assert!(v.get("groups").is_none(), "{v}");
    }

    // Discovery advertises the scope and the claim.
    let doc: Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["scopes_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("groups")));
    assert!(doc["claims_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("groups")));
}

#[tokio::test]
async fn a_person_in_no_group_gets_an_empty_groups_claim_and_changes_show_at_once() {
    let app = TestApp::spawn().await;
    let user = person_in_groups(&app).await;
    let client = app.plan_client().await;
    let p = AuthParams {
        scope: "openid groups".into(),
        ..Default::default()
    };
    let tokens = app.plan_tokens(&Browser::new(), &client, &p, EMAIL).await;
    let store = &app.state.store;
    assert!(store.remove_group_member("admins", &user).await.unwrap());
    assert!(store.delete_group("storage.rw").await.unwrap());
    let (_, info, intro) = released(&app, &client, &tokens).await;
    assert_eq!(info["groups"], json!([]), "{info}");
    assert_eq!(intro["groups"], json!([]), "{intro}");
}

#[tokio::test]
async fn a_client_not_allowed_groups_cannot_obtain_the_groups_claim_by_scope_or_claims_parameter() {
    let app = TestApp::spawn().await;
    person_in_groups(&app).await;
    let client = app.plan_client().await;
    allow_only(&app, &client, &["openid", "email"]).await;
    let browser = Browser::new();
    let forms = [
        Value::Null,
        json!({"essential": true}),
        json!({"value": "admins"}),
        json!({"values": ["admins"]}),
    ];
    for (i, form) in forms.iter().enumerate() {
        let claims = json!({"id_token": {"groups": form}, "userinfo": {"groups": form}});
        let mut p = params_with(&[("claims", &claims.to_string())]);
        p.scope = "openid email groups".into();
        let back = if i == 0 {
            app.sign_in(&browser, &authorize_url(&app, &client, &p), EMAIL)
                .await
        } else {
            app.authorize_silently(&browser, &client, &p).await
        };
        let tokens = app.redeem(&client, &back, None).await;
        assert_eq!(
            tokens["scope"], "openid email",
            "groups is dropped ({form})"
        );
        let (id, info, intro) = released(&app, &client, &tokens).await;
        for v in [&id, &info, &intro] {
            assert!(v.get("groups").is_none(), "groups released ({form}): {v}");
        }
        assert_eq!(id["email"], EMAIL, "allowed claims still come ({form})");
    }
}

#[tokio::test]
async fn narrowing_a_client_stops_the_groups_claim_for_tokens_it_already_holds() {
    let app = TestApp::spawn().await;
    person_in_groups(&app).await;
    let client = app.plan_client().await;
    let p = AuthParams {
        scope: "openid groups offline_access".into(),
        ..Default::default()
    };
    let tokens = app.plan_tokens(&Browser::new(), &client, &p, EMAIL).await;
    let (id, _, _) = released(&app, &client, &tokens).await;
    assert_eq!(id["groups"], json!(["admins", "storage.rw"]));
    allow_only(&app, &client, &["openid", "offline_access"]).await;
    let (_, info, intro) = released(&app, &client, &tokens).await;
    assert!(info.get("groups").is_none(), "{info}");
    assert!(intro.get("groups").is_none(), "{intro}");
    let res = app
        .refresh(&client, tokens["refresh_token"].as_str().unwrap(), None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let refreshed: Value = res.json().await.unwrap();
    let id = app
        .verify_with_jwks(refreshed["id_token"].as_str().unwrap())
        .await;
    assert!(id.get("groups").is_none(), "{id}");
}

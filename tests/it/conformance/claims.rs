//! "Basic OP" modules about scopes and claims, the `claims` parameter, and refresh tokens.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sesame::store::profile::Profile;
use sesame::store::users::Channel;

use crate::support::*;

const EMAIL: &str = "claims@example.com";
const PHONE: &str = "+14155550123";

/// A person with every claim set: profile, address and a verified phone number.
async fn seed_person(app: &TestApp) -> String {
    let now = app.state.now();
    let store = &app.state.store;
    let user = store
        .user_signed_in(Channel::Email, EMAIL, "user-claims-1", true, now)
        .await
        .unwrap()
        .unwrap();
    sesame::with_pool!(&store.db, pool => {
        sqlx::query("UPDATE users SET phone = $1, phone_verified = TRUE WHERE id = $2")
            .bind(PHONE)
            .bind(&user.id)
            .execute(pool)
            .await
            .unwrap();
    });
    let profile = Profile {
        name: Some("Ada Lovelace".into()),
        given_name: Some("Ada".into()),
        family_name: Some("Lovelace".into()),
        nickname: Some("ada".into()),
        birthdate: Some("1815-12-10".into()),
        locale: Some("en-GB".into()),
        address: Some(
            json!({"formatted": "12 St James's Square, London", "country": "GB"}).to_string(),
        ),
        ..Profile::default()
    };
    assert!(store.set_profile(&user.id, &profile, now).await.unwrap());
    user.id
}

/// Signs in with `scope` (and extra parameters); returns (ID token claims, userinfo).
async fn claims_for(app: &TestApp, scope: &str, extra: &[(&str, &str)]) -> (Value, Value) {
    let client = app.plan_client().await;
    let mut p = params_with(extra);
    p.scope = scope.into();
    let tokens = app.plan_tokens(&Browser::new(), &client, &p, EMAIL).await;
    let id = assert_id_token_valid(
        app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
    let res = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    (id, res.json().await.unwrap())
}

const PROFILE_CLAIMS: &[&str] = &[
    "name",
    "given_name",
    "family_name",
    "nickname",
    "birthdate",
    "locale",
    "updated_at",
];

#[tokio::test]
async fn oidcc_scope_profile() {
    let app = TestApp::spawn().await;
    let sub = seed_person(&app).await;
    let (id, info) = claims_for(&app, "openid profile", &[]).await;
    assert_eq!(info["sub"], sub.as_str());
    for c in PROFILE_CLAIMS {
        assert!(info.get(*c).is_some(), "userinfo lacks {c}: {info}");
        assert_eq!(id[*c], info[*c], "{c}");
    }
    assert_eq!(info["name"], "Ada Lovelace");
    assert!(
        info.get("middle_name").is_none(),
        "empty claims are left out, not null"
    );
    for other in ["email", "phone_number", "address"] {
        assert!(info.get(other).is_none(), "{other} needs its own scope");
    }
}

#[tokio::test]
async fn oidcc_scope_email() {
    let app = TestApp::spawn().await;
    seed_person(&app).await;
    let (id, info) = claims_for(&app, "openid email", &[]).await;
    assert_eq!(info["email"], EMAIL);
    assert_eq!(info["email_verified"], true);
    assert_eq!(id["email"], EMAIL);
    assert!(info.get("name").is_none() && info.get("phone_number").is_none());
}

#[tokio::test]
async fn oidcc_scope_address() {
    let app = TestApp::spawn().await;
    seed_person(&app).await;
    let (_, info) = claims_for(&app, "openid address", &[]).await;
    assert_eq!(info["address"]["formatted"], "12 St James's Square, London");
    assert_eq!(info["address"]["country"], "GB");
    assert!(info.get("email").is_none());
}

#[tokio::test]
async fn oidcc_scope_phone() {
    let app = TestApp::spawn().await;
    seed_person(&app).await;
    let (id, info) = claims_for(&app, "openid phone", &[]).await;
    assert_eq!(info["phone_number"], PHONE);
    assert_eq!(info["phone_number_verified"], true);
    assert_eq!(id["phone_number"], PHONE);
    assert!(info.get("email").is_none());
}

#[tokio::test]
async fn oidcc_scope_all() {
    let app = TestApp::spawn().await;
    seed_person(&app).await;
    let (_, info) = claims_for(&app, "openid profile email address phone", &[]).await;
    for c in [
        "name",
        "email",
        "email_verified",
        "address",
        "phone_number",
        "phone_number_verified",
    ] {
        assert!(info.get(c).is_some(), "userinfo lacks {c}: {info}");
    }
}

#[tokio::test]
async fn oidcc_claims_essential() {
    let app = TestApp::spawn().await;
    seed_person(&app).await;
    let claims = r#"{"userinfo":{"name":{"essential":true}}}"#;
    let (id, info) = claims_for(&app, "openid", &[("claims", claims)]).await;
    assert_eq!(
        info["name"], "Ada Lovelace",
        "an essential claim is released"
    );
    assert!(id.get("name").is_none(), "asked for in userinfo only");
    assert!(
        info.get("given_name").is_none(),
        "only the claim asked for, not the scope"
    );
    // A claim asked for in the ID token goes there.
    let claims = r#"{"id_token":{"email":{"essential":true}}}"#;
    let (id, info) = claims_for(&app, "openid", &[("claims", claims)]).await;
    assert_eq!(id["email"], EMAIL);
    assert!(info.get("email").is_none());
}

#[tokio::test]
async fn oidcc_refresh_token() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let client2 = app.plan_client().await;
    let mut p = params_with(&[("prompt", "consent")]);
    p.scope = "openid email offline_access".into();
    let tokens = app.plan_tokens(&Browser::new(), &client, &p, EMAIL).await;
    let rt = tokens["refresh_token"]
        .as_str()
        .expect("offline_access gives a refresh token");
    assert!(
        rt.len() >= 43
            && rt
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    let first = jwt_claims(tokens["id_token"].as_str().unwrap());
    app.clock.advance(1);
    let res = app
        .refresh(&client, rt, Some("openid email offline_access"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let refreshed: Value = res.json().await.unwrap();
    assert_eq!(refreshed["token_type"], "Bearer");
    assert_ne!(refreshed["access_token"], tokens["access_token"]);
    let second = app
        .verify_with_jwks(refreshed["id_token"].as_str().unwrap())
        .await;
    for c in ["iss", "sub", "aud", "azp", "auth_time"] {
        assert_eq!(first[c], second[c], "OIDC Core 12.2: {c} is unchanged");
    }
    assert!(second["iat"].as_i64() > first["iat"].as_i64());
    let at = refreshed["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(at).await.status(), StatusCode::OK);
    // The refresh token is bound to its client.
    let new_rt = refreshed["refresh_token"].as_str().unwrap();
    let res = app.refresh(&client2, new_rt, None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"], "invalid_grant");
    // ... and still works for its own client (another client's attempt does not burn it).
    assert_eq!(
        app.refresh(&client, new_rt, None).await.status(),
        StatusCode::OK
    );
}

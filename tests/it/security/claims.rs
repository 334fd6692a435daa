//! A client's allowed scopes bound every claim it can obtain: the `claims` request
//! parameter (null, `essential` or `value` alike) cannot release a claim of a scope the
//! client may not have, for a client restricted by an operator (`--allowed-scope`) or by
//! its dynamic registration's `scope`, nor after an operator narrowed the client.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sesame::store::profile::Profile;
use sesame::store::users::Channel;

use crate::support::*;

const EMAIL: &str = "probe@example.com";
const IAT: &str = "initial-access-token-0123456789abcdef";

/// A person with a name, a birthdate and an address.
async fn seed_person(app: &TestApp) {
    let now = app.state.now();
    let store = &app.state.store;
    let user = store
        .user_signed_in(Channel::Email, EMAIL, "user-probe-1", true, now)
        .await
        .unwrap()
        .unwrap();
    let profile = Profile {
        name: Some("Ada Lovelace".into()),
        birthdate: Some("1815-12-10".into()),
        address: Some(json!({"formatted": "12 St James's Square, London"}).to_string()),
        ..Profile::default()
    };
    assert!(store.set_profile(&user.id, &profile, now).await.unwrap());
}

/// Gives a registered client an allow list, as `--allowed-scope` does.
async fn allow_only(app: &TestApp, client: &TestClient, scopes: &[&str]) {
    let store = &app.state.store;
    let mut c = store.get_client(&client.id).await.unwrap().unwrap();
    c.meta.allowed_scopes = Some(scopes.iter().map(|s| s.to_string()).collect());
    assert!(store.update_client(&c).await.unwrap());
}

/// The probe's `claims` parameter, with every claim in the given form.
fn probe_claims(form: &Value) -> String {
    json!({
        "id_token": {"name": form, "address": form, "birthdate": form, "email": form},
        "userinfo": {"address": form, "name": form, "email": form},
    })
    .to_string()
}

/// The three forms a claim can be asked for in (OIDC Core 5.5.1).
fn forms() -> [Value; 3] {
    [
        Value::Null,
        json!({"essential": true}),
        json!({"value": "Ada Lovelace"}),
    ]
}

/// ID token claims, userinfo, and the token's scope for the tokens in `tokens`.
async fn released(app: &TestApp, tokens: &Value) -> (Value, Value, String) {
    let id = app
        .verify_with_jwks(tokens["id_token"].as_str().unwrap())
        .await;
    let res = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let info: Value = res.json().await.unwrap();
    (id, info, tokens["scope"].as_str().unwrap().to_string())
}

fn assert_nothing_beyond_email(id: &Value, info: &Value, form: &Value) {
    for c in ["name", "birthdate", "address"] {
        assert!(id.get(c).is_none(), "{c} in the ID token ({form}): {id}");
        assert!(info.get(c).is_none(), "{c} at userinfo ({form}): {info}");
    }
    assert_eq!(id["email"], EMAIL, "email is allowed ({form})");
    assert_eq!(info["email"], EMAIL, "email is allowed ({form})");
}

#[tokio::test]
async fn claims_parameter_cannot_release_claims_of_a_scope_the_client_may_not_have() {
    let app = TestApp::spawn().await;
    seed_person(&app).await;
    let client = app.plan_client().await;
    allow_only(&app, &client, &["openid", "email"]).await;
    let browser = Browser::new();
    for (i, form) in forms().iter().enumerate() {
        // The probe's request; then the same asking for the scopes themselves too.
        for scope in ["openid", "openid profile address"] {
            let mut p = params_with(&[("claims", &probe_claims(form))]);
            p.scope = scope.into();
            let back = if i == 0 && scope == "openid" {
                app.sign_in(&browser, &authorize_url(&app, &client, &p), EMAIL)
                    .await
            } else {
                app.authorize_silently(&browser, &client, &p).await
            };
            let tokens = app.redeem(&client, &back, None).await;
            let (id, info, granted) = released(&app, &tokens).await;
            assert_eq!(granted, "openid", "{scope}");
            assert_nothing_beyond_email(&id, &info, form);
        }
    }
}

#[tokio::test]
async fn claims_parameter_still_releases_the_claims_of_allowed_scopes() {
    let app = TestApp::spawn().await;
    seed_person(&app).await;
    let client = app.plan_client().await;
    allow_only(&app, &client, &["openid", "email", "profile"]).await;
    let browser = Browser::new();
    for (i, form) in forms().iter().enumerate() {
        let mut p = params_with(&[("claims", &probe_claims(form))]);
        p.scope = "openid".into();
        let back = if i == 0 {
            app.sign_in(&browser, &authorize_url(&app, &client, &p), EMAIL)
                .await
        } else {
            app.authorize_silently(&browser, &client, &p).await
        };
        let tokens = app.redeem(&client, &back, None).await;
        let (id, info, _) = released(&app, &tokens).await;
        assert_eq!(id["name"], "Ada Lovelace", "{form}: {id}");
        assert_eq!(id["birthdate"], "1815-12-10", "{form}: {id}");
        assert_eq!(info["name"], "Ada Lovelace", "{form}: {info}");
        assert!(
            id.get("address").is_none() && info.get("address").is_none(),
            "address is not allowed ({form})"
        );
        assert!(
            info.get("birthdate").is_none(),
            "asked for the ID token only"
        );
    }
}

#[tokio::test]
async fn a_dynamically_registered_clients_scope_bounds_the_claims_it_can_obtain() {
    let app = TestApp::spawn_with(|c| {
        c.registration.enabled = true;
        c.registration.initial_access_token = Some(IAT.to_string().into());
    })
    .await;
    seed_person(&app).await;
    let res = reqwest::Client::new()
        .post(app.url("/register"))
        .bearer_auth(IAT)
        .json(&json!({
            "client_name": "Probe RP",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "scope": "openid email",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let reg: Value = res.json().await.unwrap();
    assert_eq!(
        reg["scope"], "openid email",
        "the registered scope is echoed"
    );
    let client = TestClient {
        id: reg["client_id"].as_str().unwrap().into(),
        secret: reg["client_secret"].as_str().map(str::to_string),
        redirect_uri: "http://127.0.0.1:9/callback".into(),
    };
    for (i, form) in forms().iter().enumerate() {
        let (verifier, challenge) = pkce_pair();
        let mut p = params_with(&[("claims", &probe_claims(form))]);
        p.scope = "openid profile address".into();
        p.challenge = Some(challenge);
        let browser = Browser::new();
        let mut back = app
            .sign_in(&browser, &authorize_url(&app, &client, &p), EMAIL)
            .await;
        if i == 0 {
            // A third-party client: the consent page offers nothing it cannot get.
            let html = browser.get(&back).await.text().await.unwrap();
            assert!(html.contains("See your email address"), "{html}");
            for not in ["See your name", "See your postal address"] {
                assert!(!html.contains(not), "{not} offered: {html}");
            }
            back = app.answer_consent(&browser, &back, true).await;
        }
        let tokens = app.redeem(&client, &back, Some(&verifier)).await;
        let (id, info, scope) = released(&app, &tokens).await;
        assert_eq!(scope, "openid");
        assert_nothing_beyond_email(&id, &info, form);
    }
    let stored = app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.meta.allowed_scopes,
        Some(vec!["openid".to_string(), "email".to_string()]),
        "the registered scope is the client's allow list"
    );
}

#[tokio::test]
async fn narrowing_a_clients_allowed_scopes_stops_the_release_of_their_claims_at_once() {
    let app = TestApp::spawn().await;
    seed_person(&app).await;
    let client = app.plan_client().await;
    let mut p = params_with(&[("claims", &probe_claims(&Value::Null))]);
    p.scope = "openid email profile offline_access".into();
    let tokens = app.plan_tokens(&Browser::new(), &client, &p, EMAIL).await;
    let (id, info, _) = released(&app, &tokens).await;
    assert_eq!(id["name"], "Ada Lovelace");
    assert!(info["address"].is_object(), "{info}");
    // An operator narrows the client to email: the access token it already holds no
    // longer reads the profile or the address, and neither does a refreshed ID token.
    allow_only(&app, &client, &["openid", "email"]).await;
    let res = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let info: Value = res.json().await.unwrap();
    for c in ["name", "birthdate", "address"] {
        assert!(info.get(c).is_none(), "{c} at userinfo: {info}");
    }
    assert_eq!(info["email"], EMAIL);
    let res = app
        .refresh(&client, tokens["refresh_token"].as_str().unwrap(), None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let refreshed: Value = res.json().await.unwrap();
    let id = app
        .verify_with_jwks(refreshed["id_token"].as_str().unwrap())
        .await;
    for c in ["name", "birthdate", "address"] {
        assert!(id.get(c).is_none(), "{c} in the refreshed ID token: {id}");
    }
    assert_eq!(id["email"], EMAIL);
}

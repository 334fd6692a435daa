//! The client-credentials grant for machine clients, and RFC 8414 metadata.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

async fn machine(app: &TestApp) -> TestClient {
    app.client_with(|c| {
        c.name = "Reporting job".into();
        c.redirect_uris = vec![];
        c.post_logout_redirect_uris = vec![];
        c.grant_types = vec!["client_credentials".into()];
        c.scope = "reports:read reports:write".into();
    })
    .await
}

async fn cc(app: &TestApp, client: &TestClient, scope: Option<&str>) -> reqwest::Response {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    app.token_form(client, &form).await
}

async fn error_of(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let v: Value = res.json().await.unwrap();
    v["error"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_machine_client_gets_an_access_token_and_nothing_else() {
    let app = TestApp::spawn().await;
    let job = machine(&app).await;
    let res = cc(&app, &job, Some("reports:read")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "reports:read");
    assert!(
        body.get("id_token").is_none() && body.get("refresh_token").is_none(),
        "{body}"
    );
    let at = body["access_token"].as_str().unwrap();
    let claims = app.verify_with_jwks(at).await;
    assert_eq!(claims["sub"], job.id.as_str());
    assert_eq!(claims["client_id"], job.id.as_str());
    assert!(claims.get("gid").is_none());
    let rs = app.plan_client().await;
    let res = app.introspect(&rs, at).await;
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["active"], true);
    assert_eq!(v["scope"], "reports:read");
    // There is no person behind it: userinfo refuses it.
    assert_eq!(app.userinfo(at).await.status(), StatusCode::FORBIDDEN);
    // Revocable like any access token.
    assert_eq!(app.revoke(&job, at, None).await.status(), StatusCode::OK);
    let v: Value = app.introspect(&rs, at).await.json().await.unwrap();
    assert_eq!(v, json!({"active": false}));
}

#[tokio::test]
async fn client_credentials_scopes_are_the_registered_ones_and_never_about_a_person() {
    let app = TestApp::spawn().await;
    let job = machine(&app).await;
    let all: Value = cc(&app, &job, None).await.json().await.unwrap();
    assert_eq!(all["scope"], "reports:read reports:write");
    assert_eq!(
        error_of(cc(&app, &job, Some("openid")).await).await,
        "invalid_scope"
    );
    assert_eq!(
        error_of(cc(&app, &job, Some("admin")).await).await,
        "invalid_scope"
    );
}

#[tokio::test]
async fn only_clients_registered_for_it_may_use_client_credentials() {
    let app = TestApp::spawn().await;
    let web = app.plan_client().await;
    assert_eq!(
        error_of(cc(&app, &web, None).await).await,
        "unauthorized_client"
    );
    let public = app.public_client().await;
    assert_eq!(
        error_of(cc(&app, &public, None).await).await,
        "unauthorized_client"
    );
    // A machine client cannot start the authorization-code flow either.
    let job = machine(&app).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!(
            "{}?response_type=code&client_id={}&redirect_uri=http://127.0.0.1:9/callback&scope=openid",
            app.url("/authorize"),
            job.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "no redirect URI is registered"
    );
    // Wrong secrets are refused before anything else.
    let mut wrong = job.clone();
    wrong.secret = Some("nope".into());
    assert_eq!(
        cc(&app, &wrong, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn rfc8414_metadata_is_the_discovery_document() {
    let app = TestApp::spawn().await;
    let oidc: Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let oauth: Value = reqwest::get(app.url("/.well-known/oauth-authorization-server"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(oidc, oauth);
    assert_eq!(oauth["issuer"], app.base.as_str());
    let grants = oauth["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&json!("client_credentials")));
}

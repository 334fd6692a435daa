//! Authentication context classes: discovery names them, every ID token carries the one
//! the sign-in reached, and a request that insists on a phishing-resistant sign-in is
//! refused with the spec's error instead of quietly getting a code sign-in.

use reqwest::StatusCode;

use crate::support::*;

const CODE: &str = "urn:sesame:acr:code";

/// Parameters with `extra`, and the PKCE verifier of their challenge.
fn with(extra: &[(&str, &str)]) -> (AuthParams, String) {
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        extra: extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..AuthParams::default()
    };
    (p, verifier)
}

/// Signs in with `p` (a fresh code sign-in) and returns the ID token's claims.
async fn id_token_after(
    app: &TestApp,
    client: &TestClient,
    browser: &Browser,
    (p, verifier): &(AuthParams, String),
) -> serde_json::Value {
    let back = app
        .sign_in(browser, &authorize_url(app, client, p), "ada@example.com")
        .await;
    let code = query_param(&back, "code").expect("a code");
    let res = app.exchange(client, &code, Some(verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    jwt_claims(body["id_token"].as_str().unwrap())
}

#[tokio::test]
async fn discovery_names_the_code_class_and_the_phishing_resistant_class() {
    let app = TestApp::spawn().await;
    let d: serde_json::Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["acr_values_supported"], serde_json::json!([CODE, "phr"]));
    let claims = d["claims_supported"].as_array().unwrap();
    assert!(claims.iter().any(|c| c == "acr"), "{claims:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_code_sign_in_says_so_in_the_id_tokens_acr_whatever_unknown_values_were_asked_for() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let claims = id_token_after(&app, &client, &Browser::new(), &with(&[])).await;
    assert_eq!(claims["acr"], CODE, "{claims}");
    assert_eq!(claims["amr"], serde_json::json!(["otp"]));
    // acr_values is a voluntary request: values this server cannot name are passed over.
    let claims = id_token_after(
        &app,
        &client,
        &Browser::new(),
        &with(&[("acr_values", "1 2")]),
    )
    .await;
    assert_eq!(claims["acr"], CODE, "{claims}");
    // Naming the code class beside the stronger one accepts a code.
    let p = with(&[("acr_values", &format!("phr {CODE}"))]);
    let claims = id_token_after(&app, &client, &Browser::new(), &p).await;
    assert_eq!(claims["acr"], CODE, "{claims}");
    app.stop().await;
}

#[tokio::test]
async fn a_request_insisting_on_a_phishing_resistant_sign_in_is_refused_not_given_a_code_sign_in() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    // Signed in with a code already: single sign-on must not satisfy it either.
    id_token_after(&app, &client, &browser, &with(&[])).await;
    let essential = r#"{"id_token":{"acr":{"essential":true,"values":["phr"]}}}"#;
    for extra in [
        vec![("acr_values", "phr")],
        vec![("claims", essential)],
        vec![("acr_values", CODE), ("claims", essential)],
        vec![("acr_values", "phr"), ("prompt", "none")],
    ] {
        let (p, _) = with(&extra);
        let res = app.authorize(&browser, &client, &p).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{extra:?}");
        let back = location(&res, &app.base);
        assert!(back.starts_with(&client.redirect_uri), "{extra:?}: {back}");
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("unmet_authentication_requirements"),
            "{extra:?}: {back}"
        );
        assert_eq!(
            query_param(&back, "state").as_deref(),
            Some(p.state.as_str())
        );
        assert!(query_param(&back, "code").is_none());
    }
    app.stop().await;
}

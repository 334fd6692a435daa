//! OpenID Foundation "Basic OP" plan, the code-flow modules: each test is named after the
//! module whose behaviour it checks (docs/conformance.md maps them). The plans send PKCE
//! only in the PKCE module, so these use a confidential client with PKCE optional.

use reqwest::StatusCode;

use crate::support::*;

const EMAIL: &str = "conformance@example.com";

#[tokio::test]
async fn oidcc_server() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let p = AuthParams::default();
    let back = app
        .sign_in(&browser, &authorize_url(&app, &client, &p), EMAIL)
        .await;
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(p.state.as_str())
    );
    assert_eq!(
        query_param(&back, "iss").as_deref(),
        Some(app.base.as_str())
    );
    let tokens = app.redeem(&client, &back, None).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["expires_in"].as_i64().unwrap() > 0);
    let id = assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
    let at = tokens["access_token"].as_str().unwrap();
    assert_eq!(id["at_hash"], sesame::tokens::at_hash(at));
    let info: serde_json::Value = app.userinfo(at).await.json().await.unwrap();
    assert_eq!(info["sub"], id["sub"]);
}

#[tokio::test]
async fn oidcc_response_type_missing() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let p = AuthParams::default();
    let url = without_param(&authorize_url(&app, &client, &p), "response_type");
    let res = Browser::new().get(&url).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert!(back.starts_with(&client.redirect_uri));
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(p.state.as_str())
    );
    assert!(query_param(&back, "code").is_none());
}

#[tokio::test]
async fn oidcc_idtoken_signature() {
    let app = TestApp::spawn().await;
    for alg in ["RS256", "ES256"] {
        let client = app
            .client_with(|c| c.id_token_alg = alg.parse().unwrap())
            .await;
        let p = AuthParams::default();
        let tokens = app.plan_tokens(&Browser::new(), &client, &p, EMAIL).await;
        let id_token = tokens["id_token"].as_str().unwrap();
        assert_eq!(jwt_header(id_token)["alg"], alg);
        assert_id_token_valid(&app, &client, id_token, Some(&p.nonce)).await;
        // A changed payload no longer verifies against the published key.
        let mut parts: Vec<String> = id_token.split('.').map(str::to_string).collect();
        parts[1] = parts[1].chars().rev().collect();
        let tampered = parts.join(".");
        let err = sesame::tokens::verify(&app.state.keys, &tampered).await;
        assert!(err.is_err(), "{alg}: a tampered ID token must not verify");
    }
}

#[tokio::test]
async fn oidcc_idtoken_unsigned() {
    // Sesame never issues unsigned ID tokens: discovery does not offer `none`, and a client
    // cannot be registered for it (the plan's module is then not applicable).
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let algs = doc["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(!algs.iter().any(|a| a == "none"), "{algs:?}");
    // A client's algorithm is a `SigningAlg`, parsed where it enters (CLI, admin API,
    // dynamic registration, a stored row); "none" is not one of them.
    assert!("none".parse::<sesame::jose::SigningAlg>().is_err());
    let client = app.plan_client().await;
    let tokens = app
        .plan_tokens(&Browser::new(), &client, &AuthParams::default(), EMAIL)
        .await;
    assert_ne!(
        jwt_header(tokens["id_token"].as_str().unwrap())["alg"],
        "none"
    );
}

async fn userinfo_story(how: &str) {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let tokens = app
        .plan_tokens(&Browser::new(), &client, &AuthParams::default(), EMAIL)
        .await;
    let at = tokens["access_token"].as_str().unwrap();
    let http = reqwest::Client::new();
    let res = match how {
        "get" => http.get(app.url("/userinfo")).bearer_auth(at).send().await,
        "post-header" => http.post(app.url("/userinfo")).bearer_auth(at).send().await,
        _ => {
            http.post(app.url("/userinfo"))
                .form(&[("access_token", at)])
                .send()
                .await
        }
    }
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{how}");
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let info: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        info["sub"],
        jwt_claims(tokens["id_token"].as_str().unwrap())["sub"]
    );
    assert_eq!(info["email"], EMAIL);
}

#[tokio::test]
async fn oidcc_userinfo_get() {
    userinfo_story("get").await;
}

#[tokio::test]
async fn oidcc_userinfo_post_header() {
    userinfo_story("post-header").await;
}

#[tokio::test]
async fn oidcc_userinfo_post_body() {
    userinfo_story("post-body").await;
}

#[tokio::test]
async fn oidcc_ensure_request_without_nonce_succeeds_for_code_flow() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let url = without_param(
        &authorize_url(&app, &client, &AuthParams::default()),
        "nonce",
    );
    let back = app.sign_in(&browser, &url, EMAIL).await;
    let tokens = app.redeem(&client, &back, None).await;
    assert_id_token_valid(&app, &client, tokens["id_token"].as_str().unwrap(), None).await;
}

#[tokio::test]
async fn oidcc_alternate_happy_flow() {
    // Scope values reversed and parameters in another order (RFC 6749 3.3: order does not
    // matter).
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let mut url = url::Url::parse(&app.url("/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("nonce", "n-alt")
        .append_pair("state", "s-alt")
        .append_pair("scope", "email openid")
        .append_pair("redirect_uri", &client.redirect_uri)
        .append_pair("client_id", &client.id)
        .append_pair("response_type", "code");
    let back = app.sign_in(&Browser::new(), url.as_str(), EMAIL).await;
    assert_eq!(query_param(&back, "state").as_deref(), Some("s-alt"));
    let tokens = app.redeem(&client, &back, None).await;
    let id = assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some("n-alt"),
    )
    .await;
    assert_eq!(id["email"], EMAIL);
    let info: serde_json::Value = app
        .userinfo(tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["email"], EMAIL);
}

async fn reuse_story(wait: i64) {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &AuthParams::default()),
            EMAIL,
        )
        .await;
    let tokens = app.redeem(&client, &back, None).await;
    let at = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(at).await.status(), StatusCode::OK);
    app.clock.advance(wait);
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: serde_json::Value = res.json().await.unwrap();
    assert_eq!(err["error"], "invalid_grant");
    // RFC 6749 4.1.2: the tokens issued from the first exchange are revoked.
    assert_eq!(app.userinfo(at).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn oidcc_codereuse() {
    reuse_story(0).await;
}

#[tokio::test]
async fn oidcc_codereuse_30seconds() {
    reuse_story(30).await;
}

#[tokio::test]
async fn oidcc_ensure_registered_redirect_uri() {
    let app = TestApp::spawn().await;
    let mut client = app.plan_client().await;
    client.redirect_uri = "http://127.0.0.1:9/not-registered".into();
    let res = app
        .authorize(&Browser::new(), &client, &AuthParams::default())
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.headers().get("location").is_none(),
        "no redirect to an unregistered URI"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("has not registered"), "{html}");
}

#[tokio::test]
async fn oidcc_ensure_post_request_succeeds() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let p = AuthParams::default();
    let res = browser
        .post_form(
            &app.url("/authorize"),
            &[
                ("response_type", "code"),
                ("client_id", &client.id),
                ("redirect_uri", &client.redirect_uri),
                ("scope", "openid email"),
                ("state", &p.state),
                ("nonce", &p.nonce),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let login = location(&res, &app.base);
    let page = browser.get(&login).await.text().await.unwrap();
    let page = LoginPage {
        url: login,
        tx: hidden(&page, "tx"),
        csrf: hidden(&page, "csrf"),
        html: page,
    };
    let code = app.request_code(&browser, &page, EMAIL).await;
    let res = app.submit_code(&browser, &page, &code).await;
    let back = location(&res, &app.base);
    let tokens = app.redeem(&client, &back, None).await;
    assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
}

#[tokio::test]
async fn oidcc_server_client_secret_post() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &AuthParams::default()),
            EMAIL,
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = reqwest::Client::new()
        .post(app.url("/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &client.redirect_uri),
            ("client_id", &client.id),
            ("client_secret", client.secret.as_deref().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    assert!(tokens["id_token"].is_string());
}

#[tokio::test]
async fn oidcc_ensure_request_with_valid_pkce_succeeds() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let back = app
        .sign_in(&Browser::new(), &authorize_url(&app, &client, &p), EMAIL)
        .await;
    let tokens = app.redeem(&client, &back, Some(&verifier)).await;
    assert_id_token_valid(
        &app,
        &client,
        tokens["id_token"].as_str().unwrap(),
        Some(&p.nonce),
    )
    .await;
}

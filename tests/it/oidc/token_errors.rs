//! The token endpoint (issue 2, point 11): client authentication by Basic, by POST and
//! none; a code lives 60 s, is single use (a reuse revokes what it issued), is bound to
//! its client, redirect URI and PKCE challenge; RFC 6749 5.2 errors, never cached.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::header::{CACHE_CONTROL, PRAGMA, WWW_AUTHENTICATE};
use reqwest::StatusCode;

use crate::support::*;

async fn userinfo_status(app: &TestApp, access_token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
}

/// The form of a code exchange for `client` (no client authentication in it).
fn code_form<'a>(
    client: &'a TestClient,
    code: &'a str,
    verifier: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("code_verifier", verifier),
    ]
}

#[tokio::test]
async fn authorization_code_reuse_fails_and_revokes_tokens() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (code, verifier) = app.fresh_code(&client, "reuse@example.com").await;
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(userinfo_status(&app, access).await, StatusCode::OK);

    let res = app.exchange(&client, &code, Some(&verifier)).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert_eq!(
        userinfo_status(&app, access).await,
        StatusCode::UNAUTHORIZED,
        "the access token from the first use is revoked"
    );
    assert_eq!(app.audit_count("code_reuse_revoked").await, 1);
    // A third try is refused as well, and other sign-ins are untouched.
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
    let other = app.tokens_for(&client, "reuse@example.com").await;
    assert_eq!(
        userinfo_status(&app, other["access_token"].as_str().unwrap()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn authorization_code_expires_after_sixty_seconds() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (code, verifier) = app.fresh_code(&client, "slow@example.com").await;
    app.clock.advance(55);
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK, "still good at 55 s");
    let (code, verifier) = app.fresh_code(&client, "slow@example.com").await;
    app.clock.advance(61);
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    let body = expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn authorization_code_is_bound_to_its_client() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let other = app.confidential_client().await;
    let (code, verifier) = app.fresh_code(&client, "bound@example.com").await;
    let res = app.exchange(&other, &code, Some(&verifier)).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
    // A public client cannot redeem a confidential client's code either.
    let public = app.public_client().await;
    let (code, verifier) = app.fresh_code(&client, "bound@example.com").await;
    let res = app.exchange(&public, &code, Some(&verifier)).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn authorization_code_is_bound_to_its_redirect_uri() {
    let app = TestApp::spawn().await;
    let spec = sesame::clients::NewClient {
        redirect_uris: vec![
            "http://127.0.0.1:9/callback".into(),
            "http://127.0.0.1:9/other".into(),
        ],
        ..client_spec("Two URIs", false, true, "RS256")
    };
    let client = client_from(&app, spec).await;
    for redirect in [
        Some("http://127.0.0.1:9/other"),
        Some("http://127.0.0.1:9/callback/"),
        None,
    ] {
        let (code, verifier) = app.fresh_code(&client, "uri@example.com").await;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("code_verifier", verifier.as_str()),
        ];
        if let Some(r) = redirect {
            form.push(("redirect_uri", r));
        }
        let res = reqwest::Client::new()
            .post(app.url("/token"))
            .basic_auth(&client.id, client.secret.as_ref())
            .form(&form)
            .send()
            .await
            .unwrap();
        expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
    }
}

#[tokio::test]
async fn wrong_or_missing_pkce_verifier_is_invalid_grant() {
    let app = TestApp::spawn().await;
    let client = app.public_client().await;
    let (code, _) = app.fresh_code(&client, "pkce@example.com").await;
    let res = app.exchange(&client, &code, Some(&pkce_pair().0)).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
    let (code, _) = app.fresh_code(&client, "pkce@example.com").await;
    let res = app.exchange(&client, &code, None).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
    // The challenge itself is not a verifier.
    let (code, verifier) = app.fresh_code(&client, "pkce@example.com").await;
    let challenge = sesame::crypto::pkce_s256(&verifier);
    let res = app.exchange(&client, &code, Some(&challenge)).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn verifier_sent_without_a_prior_challenge_is_invalid_grant() {
    let app = TestApp::spawn().await;
    let client = app.client_of(false, false).await;
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &AuthParams::default()),
            "downgrade@example.com",
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, Some(&pkce_pair().0)).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn client_secret_basic_post_and_none_all_work() {
    let app = TestApp::spawn().await;
    let confidential = app.confidential_client().await;
    let secret = confidential.secret.clone().unwrap();
    // client_secret_basic
    let (code, verifier) = app.fresh_code(&confidential, "auth@example.com").await;
    let res = reqwest::Client::new()
        .post(app.url("/token"))
        .basic_auth(&confidential.id, Some(&secret))
        .form(&code_form(&confidential, &code, &verifier))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // client_secret_post
    let (code, verifier) = app.fresh_code(&confidential, "auth@example.com").await;
    let mut form = code_form(&confidential, &code, &verifier);
    form.push(("client_id", &confidential.id));
    form.push(("client_secret", &secret));
    let res = app.post_token(&form).await;
    assert_eq!(res.status(), StatusCode::OK);
    // none, for a public client
    let public = app.public_client().await;
    let (code, verifier) = app.fresh_code(&public, "auth@example.com").await;
    let mut form = code_form(&public, &code, &verifier);
    form.push(("client_id", &public.id));
    let res = app.post_token(&form).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(res.headers().get(PRAGMA).unwrap(), "no-cache");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_i64().unwrap() > 0);
    assert!(body["access_token"].is_string() && body["id_token"].is_string());
    assert_eq!(body["scope"], "openid email");
}

#[tokio::test]
async fn wrong_client_credentials_are_401_invalid_client_with_a_challenge() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (code, verifier) = app.fresh_code(&client, "badauth@example.com").await;
    let form = code_form(&client, &code, &verifier);
    let http = reqwest::Client::new();
    let attempts = [
        http.post(app.url("/token"))
            .basic_auth(&client.id, Some("wrong-secret")),
        http.post(app.url("/token"))
            .basic_auth("unknown-client", Some("x")),
        http.post(app.url("/token"))
            .header("Authorization", "Bearer something"),
        http.post(app.url("/token"))
            .header("Authorization", "Basic not-base64!"),
    ];
    for req in attempts {
        let res = req.form(&form).send().await.unwrap();
        let challenge = res
            .headers()
            .get(WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        assert!(challenge.starts_with("Basic"), "{challenge:?}");
        expect_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client").await;
    }
    // client_secret_post with a wrong secret, and a confidential client with no secret.
    for extra in [vec![("client_secret", "wrong")], vec![]] {
        let mut f = form.clone();
        f.push(("client_id", &client.id));
        f.extend(extra);
        let res = app.post_token(&f).await;
        expect_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client").await;
    }
    // No client at all.
    let res = app.post_token(&form).await;
    expect_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client").await;
    // None of that used the code: the real client still redeems it.
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn public_client_sending_a_secret_is_refused() {
    let app = TestApp::spawn().await;
    let public = app.public_client().await;
    let (code, verifier) = app.fresh_code(&public, "pubsecret@example.com").await;
    let mut form = code_form(&public, &code, &verifier);
    form.push(("client_id", &public.id));
    form.push(("client_secret", "made-up"));
    let res = app.post_token(&form).await;
    expect_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let res = reqwest::Client::new()
        .post(app.url("/token"))
        .basic_auth(&public.id, Some("made-up"))
        .form(&code_form(&public, &code, &verifier))
        .send()
        .await
        .unwrap();
    expect_oauth_error(res, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn two_client_authentication_methods_at_once_are_refused() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let secret = client.secret.clone().unwrap();
    let (code, verifier) = app.fresh_code(&client, "twice@example.com").await;
    let mut form = code_form(&client, &code, &verifier);
    form.push(("client_secret", &secret));
    let res = reqwest::Client::new()
        .post(app.url("/token"))
        .basic_auth(&client.id, Some(&secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn basic_credentials_are_form_url_decoded() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (code, verifier) = app.fresh_code(&client, "decode@example.com").await;
    // RFC 6749 2.3.1: id and secret are form-urlencoded before base64; random tokens
    // contain '-' and '_' only, so encode every byte to prove decoding happens.
    let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    let header = format!(
        "Basic {}",
        STANDARD.encode(format!(
            "{}:{}",
            enc(&client.id),
            enc(client.secret.as_ref().unwrap())
        ))
    );
    let res = reqwest::Client::new()
        .post(app.url("/token"))
        .header("Authorization", header)
        .form(&code_form(&client, &code, &verifier))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn unsupported_and_missing_grant_types_are_refused() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let secret = client.secret.clone().unwrap();
    let http = reqwest::Client::new();
    for grant in ["password", "implicit", "refresh_tokenx"] {
        let res = http
            .post(app.url("/token"))
            .basic_auth(&client.id, Some(&secret))
            .form(&[("grant_type", grant)])
            .send()
            .await
            .unwrap();
        expect_oauth_error(res, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    }
    let res = http
        .post(app.url("/token"))
        .basic_auth(&client.id, Some(&secret))
        .form(&[("code", "x")])
        .send()
        .await
        .unwrap();
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn missing_or_unknown_code_is_refused() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let secret = client.secret.clone().unwrap();
    let http = reqwest::Client::new();
    let res = http
        .post(app.url("/token"))
        .basic_auth(&client.id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("redirect_uri", &client.redirect_uri),
        ])
        .send()
        .await
        .unwrap();
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    let res = app.exchange(&client, "not-a-code", None).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn non_form_bodies_and_repeated_parameters_are_invalid_request() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (code, verifier) = app.fresh_code(&client, "json@example.com").await;
    let http = reqwest::Client::new();
    let res = http
        .post(app.url("/token"))
        .basic_auth(&client.id, client.secret.as_ref())
        .json(&serde_json::json!({
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": client.redirect_uri, "code_verifier": verifier,
        }))
        .send()
        .await
        .unwrap();
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    let mut form = code_form(&client, &code, &verifier);
    form.push(("code", "another"));
    let res = http
        .post(app.url("/token"))
        .basic_auth(&client.id, client.secret.as_ref())
        .form(&form)
        .send()
        .await
        .unwrap();
    let body = expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(body["error_description"].as_str().unwrap().contains("code"));
    // Neither consumed the code.
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The token endpoint answers POST only.
    let res = http.get(app.url("/token")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}

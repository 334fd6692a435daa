//! "RP-Initiated Logout OP" plan: every module, named after it. Each signs in with the plan
//! client, sends the browser to the end-session endpoint, and then checks with a
//! `prompt=none` authorization whether the session really ended.

use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jws::{JwsHeader, RS256};
use reqwest::StatusCode;

use crate::support::*;

const EMAIL: &str = "logout@example.com";

pub struct SignedIn {
    pub browser: Browser,
    pub client: TestClient,
    pub id_token: String,
}

pub async fn signed_in(app: &TestApp) -> SignedIn {
    let client = app.plan_client().await;
    let browser = Browser::new();
    let tokens = app
        .plan_tokens(&browser, &client, &AuthParams::default(), EMAIL)
        .await;
    SignedIn {
        browser,
        client,
        id_token: tokens["id_token"].as_str().unwrap().to_string(),
    }
}

pub fn logout_url(app: &TestApp, params: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(&app.url("/logout")).unwrap();
    if !params.is_empty() {
        u.query_pairs_mut().extend_pairs(params);
    }
    u.to_string()
}

/// After logout, a silent authorization must ask for a sign-in.
pub async fn assert_signed_out(app: &TestApp, s: &SignedIn) {
    let res = app
        .authorize(&s.browser, &s.client, &params_with(&[("prompt", "none")]))
        .await;
    let back = location(&res, &app.base);
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("login_required"),
        "{back}"
    );
}

pub async fn assert_still_signed_in(app: &TestApp, s: &SignedIn) {
    let back = app
        .authorize_silently(&s.browser, &s.client, &params_with(&[("prompt", "none")]))
        .await;
    assert!(query_param(&back, "code").is_some(), "{back}");
}

/// Presses "Sign out" on a confirmation page; returns the response.
pub async fn confirm(app: &TestApp, s: &SignedIn, html: &str) -> reqwest::Response {
    let form = [
        ("csrf", hidden(html, "csrf")),
        ("id_token_hint", hidden(html, "id_token_hint")),
        (
            "post_logout_redirect_uri",
            hidden(html, "post_logout_redirect_uri"),
        ),
        ("state", hidden(html, "state")),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    s.browser
        .post_form(&app.url("/logout/confirm"), &form)
        .await
}

/// A page that must not send the browser anywhere.
async fn page_without_redirect(res: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(res.status(), status);
    assert!(res.headers().get("location").is_none());
    res.text().await.unwrap()
}

fn long_state() -> String {
    "s".repeat(64) + &"t".repeat(64)
}

#[tokio::test]
async fn oidcc_rp_initiated_logout() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let state = long_state();
    let res = s
        .browser
        .get(&logout_url(
            &app,
            &[
                ("id_token_hint", &s.id_token),
                ("post_logout_redirect_uri", POST_LOGOUT_URI),
                ("state", &state),
            ],
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert!(back.starts_with(POST_LOGOUT_URI), "{back}");
    assert_eq!(
        query_pairs(&back),
        [("state".to_string(), state)],
        "only state is added"
    );
    assert_signed_out(&app, &s).await;
}

/// An ID token with our issuer and the right subject, signed by someone else's key under
/// one of our key ids.
fn forged_hint(app: &TestApp, genuine: &str) -> String {
    let claims = jwt_claims(genuine);
    let key = RsaKeyPair::generate(2048).unwrap();
    let mut signer = RS256.signer_from_der(key.to_der_private_key()).unwrap();
    signer.set_key_id(jwt_header(genuine)["kid"].as_str().unwrap());
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    assert_eq!(claims["iss"], app.base.as_str());
    josekit::jws::serialize_compact(claims.to_string().as_bytes(), &header, &signer).unwrap()
}

async fn invalid_hint_story(hint: String) {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let res = s
        .browser
        .get(&logout_url(
            &app,
            &[
                ("id_token_hint", &hint),
                ("post_logout_redirect_uri", POST_LOGOUT_URI),
                ("state", "st"),
            ],
        ))
        .await;
    let html = page_without_redirect(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("could not be verified"), "{html}");
    assert_still_signed_in(&app, &s).await;
    // The person may still choose to sign out here; they are not sent back to the app.
    let res = confirm(&app, &s, &html).await;
    let done = page_without_redirect(res, StatusCode::OK).await;
    assert!(done.contains("You are signed out"), "{done}");
    assert_signed_out(&app, &s).await;
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_bad_id_token_hint() {
    let app = TestApp::spawn().await;
    let genuine = signed_in(&app).await.id_token;
    invalid_hint_story(forged_hint(&app, &genuine)).await;
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_modified_id_token_hint() {
    let app = TestApp::spawn().await;
    let genuine = signed_in(&app).await.id_token;
    // The plan's change: the header says alg none and the signature is dropped.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut header = jwt_header(&genuine);
    header["alg"] = "none".into();
    let payload = genuine.split('.').nth(1).unwrap();
    let modified = format!("{}.{payload}.", b64.encode(header.to_string()));
    invalid_hint_story(modified).await;
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_no_id_token_hint() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let res = s
        .browser
        .get(&logout_url(
            &app,
            &[
                ("post_logout_redirect_uri", POST_LOGOUT_URI),
                ("state", "st"),
                ("client_id", &s.client.id),
            ],
        ))
        .await;
    let html = page_without_redirect(res, StatusCode::OK).await;
    assert!(html.contains("Sign out of"), "a confirmation page: {html}");
    assert!(html.contains("Test App asks you to sign out"), "{html}");
    assert_still_signed_in(&app, &s).await;
    let done = page_without_redirect(confirm(&app, &s, &html).await, StatusCode::OK).await;
    assert!(done.contains("You are signed out"));
    assert_signed_out(&app, &s).await;
}

async fn unregistered_uri_story(uri: &str) {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let res = s
        .browser
        .get(&logout_url(
            &app,
            &[
                ("id_token_hint", &s.id_token),
                ("post_logout_redirect_uri", uri),
                ("state", "st"),
            ],
        ))
        .await;
    let html = page_without_redirect(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("has not registered"), "{html}");
    assert_still_signed_in(&app, &s).await;
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_bad_post_logout_redirect_uri() {
    unregistered_uri_story("http://127.0.0.1:9/somewhere_else").await;
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_query_added_to_post_logout_redirect_uri() {
    unregistered_uri_story(&format!("{POST_LOGOUT_URI}?foo=bar")).await;
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_no_params() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let html =
        page_without_redirect(s.browser.get(&logout_url(&app, &[])).await, StatusCode::OK).await;
    assert!(html.contains("Sign out of"), "{html}");
    let done = page_without_redirect(confirm(&app, &s, &html).await, StatusCode::OK).await;
    assert!(done.contains("You are signed out"));
    assert_signed_out(&app, &s).await;
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_no_post_logout_redirect_uri() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let res = s
        .browser
        .get(&logout_url(
            &app,
            &[("id_token_hint", &s.id_token), ("state", "st")],
        ))
        .await;
    let done = page_without_redirect(res, StatusCode::OK).await;
    assert!(done.contains("You are signed out"), "{done}");
    assert_signed_out(&app, &s).await;
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_no_state() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let res = s
        .browser
        .get(&logout_url(
            &app,
            &[
                ("id_token_hint", &s.id_token),
                ("post_logout_redirect_uri", POST_LOGOUT_URI),
            ],
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert_eq!(back, POST_LOGOUT_URI, "no state, nothing added");
    assert_signed_out(&app, &s).await;
}

#[tokio::test]
async fn oidcc_rp_initiated_logout_only_state() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let res = s.browser.get(&logout_url(&app, &[("state", "st")])).await;
    let html = page_without_redirect(res, StatusCode::OK).await;
    let done = page_without_redirect(confirm(&app, &s, &html).await, StatusCode::OK).await;
    assert!(done.contains("You are signed out"));
    assert_signed_out(&app, &s).await;
}

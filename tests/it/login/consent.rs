//! Consent for third-party clients: asked once per set of scopes, in plain words,
//! remembered, asked again for more or with prompt=consent, and revocable.

use reqwest::StatusCode;

use crate::support::*;

const EMAIL: &str = "consent@example.com";

/// Signs in to a third-party client; returns the consent page URL the browser lands on.
async fn to_consent(
    app: &TestApp,
    browser: &Browser,
    client: &TestClient,
    p: &AuthParams,
) -> String {
    let next = app
        .sign_in(browser, &authorize_url(app, client, p), EMAIL)
        .await;
    assert!(
        next.starts_with(&app.url("/consent?tx=")),
        "third-party clients ask first: {next}"
    );
    next
}

#[tokio::test]
async fn a_third_party_client_gets_consent_once_and_then_signs_in_silently() {
    let app = TestApp::spawn().await;
    let client = app.third_party_client().await;
    let browser = Browser::new();
    let p = with_scope("openid email offline_access");
    let consent_url = to_consent(&app, &browser, &client, &p).await;
    let html = browser.get(&consent_url).await.text().await.unwrap();
    assert!(
        html.contains("Allow Other Company App to use your account?"),
        "{html}"
    );
    assert!(html.contains("See your email address"));
    assert!(html.contains("Stay connected when you are not using it"));
    assert!(html.contains("c***@example.com"), "who is signed in");
    let back = app.answer_consent(&browser, &consent_url, true).await;
    let tokens = app.redeem(&client, &back, None).await;
    assert!(tokens["refresh_token"].is_string());
    assert!(app
        .audit_kinds()
        .await
        .contains(&"consent_granted".to_string()));
    // Remembered: the same (or a smaller) request needs no page, even silently.
    let mut smaller = params_with(&[("prompt", "none")]);
    smaller.scope = "openid email".into();
    let back = app.authorize_silently(&browser, &client, &smaller).await;
    assert!(query_param(&back, "code").is_some());
}

#[tokio::test]
async fn more_scopes_or_prompt_consent_ask_again() {
    let app = TestApp::spawn().await;
    let client = app.third_party_client().await;
    let browser = Browser::new();
    let consent_url = to_consent(&app, &browser, &client, &AuthParams::default()).await;
    app.answer_consent(&browser, &consent_url, true).await;
    let more = with_scope("openid email profile");
    let res = app.authorize(&browser, &client, &more).await;
    let next = location(&res, &app.base);
    assert!(next.starts_with(&app.url("/consent?tx=")), "{next}");
    let html = browser.get(&next).await.text().await.unwrap();
    assert!(html.contains("See your name and the profile details you added"));
    let res = app
        .authorize(&browser, &client, &params_with(&[("prompt", "consent")]))
        .await;
    assert!(location(&res, &app.base).starts_with(&app.url("/consent?tx=")));
    // Claims asked for one by one need the consent of their scope too.
    let claims = r#"{"userinfo":{"phone_number":null}}"#;
    let res = app
        .authorize(
            &browser,
            &client,
            &params_with(&[("prompt", "none"), ("claims", claims)]),
        )
        .await;
    let back = location(&res, &app.base);
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("consent_required")
    );
}

#[tokio::test]
async fn declining_sends_access_denied_and_remembers_nothing() {
    let app = TestApp::spawn().await;
    let client = app.third_party_client().await;
    let browser = Browser::new();
    let p = AuthParams::default();
    let consent_url = to_consent(&app, &browser, &client, &p).await;
    let back = app.answer_consent(&browser, &consent_url, false).await;
    assert!(back.starts_with(&client.redirect_uri));
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(p.state.as_str())
    );
    let res = app
        .authorize(&browser, &client, &params_with(&[("prompt", "none")]))
        .await;
    let back = location(&res, &app.base);
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("consent_required")
    );
}

#[tokio::test]
async fn a_consent_answer_is_single_use_and_needs_the_csrf_token() {
    let app = TestApp::spawn().await;
    let client = app.third_party_client().await;
    let browser = Browser::new();
    let consent_url = to_consent(&app, &browser, &client, &AuthParams::default()).await;
    let html = browser.get(&consent_url).await.text().await.unwrap();
    let tx = hidden(&html, "tx");
    let csrf = hidden(&html, "csrf");
    let forged = browser
        .post_form(
            &app.url("/consent"),
            &[("tx", &tx), ("csrf", "forged"), ("decision", "allow")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let ok = browser
        .post_form(
            &app.url("/consent"),
            &[("tx", &tx), ("csrf", &csrf), ("decision", "allow")],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let again = browser
        .post_form(
            &app.url("/consent"),
            &[("tx", &tx), ("csrf", &csrf), ("decision", "allow")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    // Another browser cannot answer it either.
    let stranger = Browser::new();
    assert_eq!(
        stranger.get(&consent_url).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn revoking_consent_revokes_the_clients_tokens_and_asks_again() {
    let app = TestApp::spawn().await;
    let client = app.third_party_client().await;
    let browser = Browser::new();
    let p = with_scope("openid email offline_access");
    let consent_url = to_consent(&app, &browser, &client, &p).await;
    let back = app.answer_consent(&browser, &consent_url, true).await;
    let tokens = app.redeem(&client, &back, None).await;
    let user = app.user_id(EMAIL).await;
    let had = sesame::login::consent::revoke_consent(&app.state, &user, &client.id)
        .await
        .unwrap();
    assert!(had);
    assert!(app
        .state
        .store
        .list_consents(&user)
        .await
        .unwrap()
        .is_empty());
    let at = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(at).await.status(), StatusCode::UNAUTHORIZED);
    let rt = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(
        app.refresh(&client, rt, None).await.status(),
        StatusCode::BAD_REQUEST
    );
    let res = app
        .authorize(&browser, &client, &params_with(&[("prompt", "none")]))
        .await;
    let back = location(&res, &app.base);
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("consent_required")
    );
    assert!(app
        .audit_kinds()
        .await
        .contains(&"consent_revoked".to_string()));
}

#[tokio::test]
async fn first_party_clients_never_show_a_consent_page() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let mut p = params_with(&[("prompt", "consent")]);
    p.scope = "openid email profile offline_access".into();
    let back = app
        .sign_in(&browser, &authorize_url(&app, &client, &p), EMAIL)
        .await;
    assert!(back.starts_with(&client.redirect_uri), "{back}");
}

#[tokio::test]
async fn the_consent_page_carries_the_clients_logo_links_and_colour() {
    let app = TestApp::spawn().await;
    let api = crate::admin::common::AdminApi::new(&app).await;
    let client = app.third_party_client().await;
    api.patch(
        &format!("/clients/{}", client.id),
        serde_json::json!({
            "logo_uri": "https://cdn.example/other.png",
            "policy_uri": "https://other.example/privacy",
            "tos_uri": "https://other.example/terms", "brand_color": "#225522",
        }),
    )
    .await;
    let browser = Browser::new();
    let consent_url = to_consent(&app, &browser, &client, &with_scope("openid email")).await;
    let html = browser.get(&consent_url).await.text().await.unwrap();
    assert!(
        html.contains(r#"<img src="https://cdn.example/other.png""#),
        "{html}"
    );
    assert!(
        html.contains(r#"href="https://other.example/privacy""#),
        "{html}"
    );
    assert!(
        html.contains(r#"href="https://other.example/terms""#),
        "{html}"
    );
    assert!(
        html.contains(&format!("/static/brand/{}/style.css", client.id)),
        "the client's colour: {html}"
    );
}

#[tokio::test]
async fn the_pages_of_a_signed_in_person_link_to_their_profile() {
    let app = TestApp::spawn().await;
    let client = app.third_party_client().await;
    let browser = Browser::new();
    let consent_url = to_consent(&app, &browser, &client, &with_scope("openid email")).await;
    let consent = browser.get(&consent_url).await.text().await.unwrap();
    assert!(consent.contains(r#"href="/account/profile""#), "{consent}");
    let logout = browser.get(&app.url("/logout")).await.text().await.unwrap();
    assert!(logout.contains(r#"href="/account/profile""#), "{logout}");
    assert!(logout.contains(r#"href="/account/apps""#), "{logout}");
}

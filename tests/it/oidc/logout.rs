//! Logout stories beyond the plan: POST, what signing out revokes, hints for someone else,
//! expired hints, and the confirmation form's CSRF protection.

use reqwest::StatusCode;

use crate::conformance::logout::{
    assert_signed_out, assert_still_signed_in, confirm, logout_url, signed_in, SignedIn,
};
use crate::support::*;

#[tokio::test]
async fn logout_by_post_answers_with_the_same_request_as_a_get() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let res = s
        .browser
        .post_form(
            &app.url("/logout"),
            &[
                ("id_token_hint", &s.id_token),
                ("post_logout_redirect_uri", POST_LOGOUT_URI),
                ("state", "posted"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let get = location(&res, &app.base);
    assert!(get.starts_with(&app.url("/logout?")), "{get}");
    assert_still_signed_in(&app, &s).await;
    let res = s.browser.get(&get).await;
    let back = location(&res, &app.base);
    assert_eq!(back, format!("{POST_LOGOUT_URI}?state=posted"));
    assert_signed_out(&app, &s).await;
}

#[tokio::test]
async fn signing_out_revokes_the_sessions_tokens_but_keeps_offline_access() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let online = app.plan_client().await;
    let offline = app.plan_client().await;
    let online_tokens = app
        .plan_tokens(
            &browser,
            &online,
            &AuthParams::default(),
            "both@example.com",
        )
        .await;
    let p = with_scope("openid offline_access");
    let back = app.authorize_silently(&browser, &offline, &p).await;
    let offline_tokens = app.redeem(&offline, &back, None).await;
    let s = SignedIn {
        browser,
        client: online.clone(),
        id_token: online_tokens["id_token"].as_str().unwrap().into(),
    };
    let res = s
        .browser
        .get(&logout_url(&app, &[("id_token_hint", &s.id_token)]))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_signed_out(&app, &s).await;
    let at = online_tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(at).await.status(), StatusCode::UNAUTHORIZED);
    let rt = offline_tokens["refresh_token"].as_str().unwrap();
    assert_eq!(
        app.refresh(&offline, rt, None).await.status(),
        StatusCode::OK
    );
    assert!(app.audit_kinds().await.contains(&"signed_out".to_string()));
}

#[tokio::test]
async fn a_hint_for_someone_else_asks_before_signing_out_and_then_returns() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let other = app
        .plan_tokens(
            &Browser::new(),
            &s.client,
            &AuthParams::default(),
            "other@example.com",
        )
        .await;
    let hint = other["id_token"].as_str().unwrap();
    let res = s
        .browser
        .get(&logout_url(
            &app,
            &[
                ("id_token_hint", hint),
                ("post_logout_redirect_uri", POST_LOGOUT_URI),
                ("state", "x"),
            ],
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert_still_signed_in(&app, &s).await;
    let res = confirm(&app, &s, &html).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res, &app.base),
        format!("{POST_LOGOUT_URI}?state=x")
    );
    assert_signed_out(&app, &s).await;
}

#[tokio::test]
async fn a_hint_issued_to_another_client_than_client_id_is_refused() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let other = app.plan_client().await;
    let res = s
        .browser
        .get(&logout_url(
            &app,
            &[
                ("id_token_hint", &s.id_token),
                ("client_id", &other.id),
                ("post_logout_redirect_uri", POST_LOGOUT_URI),
            ],
        ))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.headers().get("location").is_none());
    assert_still_signed_in(&app, &s).await;
}

#[tokio::test]
async fn an_expired_id_token_hint_is_still_a_valid_hint() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    app.clock
        .advance(app.state.config.tokens.id_token_ttl_seconds + 60);
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
    assert_eq!(location(&res, &app.base), POST_LOGOUT_URI);
}

#[tokio::test]
async fn the_confirmation_form_needs_its_csrf_token() {
    let app = TestApp::spawn().await;
    let s = signed_in(&app).await;
    let html = s
        .browser
        .get(&logout_url(&app, &[]))
        .await
        .text()
        .await
        .unwrap();
    let forged = html.replace(&hidden(&html, "csrf"), "forged");
    let res = confirm(&app, &s, &forged).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_still_signed_in(&app, &s).await;
}

#[tokio::test]
async fn logging_out_without_a_session_shows_the_signed_out_page() {
    let app = TestApp::spawn().await;
    let res = Browser::new().get(&logout_url(&app, &[])).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("You are signed out"));
}

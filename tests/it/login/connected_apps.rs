//! The connected-apps page: a person sees the third-party apps they allowed and what each
//! may see, and withdraws the permission, which revokes the app's tokens.

use reqwest::StatusCode;

use crate::support::*;

const EMAIL: &str = "apps@example.com";

#[tokio::test]
async fn the_connected_apps_page_lists_allowed_apps_and_withdrawing_revokes_their_tokens() {
    let app = TestApp::spawn().await;
    let client = app.third_party_client().await;
    let browser = Browser::new();
    let p = with_scope("openid email offline_access");
    let consent_url = app
        .sign_in(&browser, &authorize_url(&app, &client, &p), EMAIL)
        .await;
    let html = browser.get(&consent_url).await.text().await.unwrap();
    assert!(
        html.contains("href=\"/account/apps\""),
        "the consent page links there: {html}"
    );
    let back = app.answer_consent(&browser, &consent_url, true).await;
    let tokens = app.redeem(&client, &back, None).await;

    let page = browser.get(&app.url("/account/apps")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Other Company App"), "{html}");
    assert!(html.contains("See your email address"), "{html}");
    assert!(
        html.contains("Stay connected when you are not using it"),
        "{html}"
    );

    // Without the page's CSRF token nothing is withdrawn.
    let forged = browser
        .post_form(
            &app.url("/account/apps/withdraw"),
            &[("csrf", "forged"), ("client_id", &client.id)],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let at = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(at).await.status(), StatusCode::OK);

    let csrf = hidden(&html, "csrf");
    let res = browser
        .post_form(
            &app.url("/account/apps/withdraw"),
            &[("csrf", &csrf), ("client_id", &client.id)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = browser
        .get(&location(&res, &app.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Other Company App no longer has access to your account."),
        "{html}"
    );
    assert!(html.contains("You have not allowed any app"), "{html}");
    assert_eq!(app.userinfo(at).await.status(), StatusCode::UNAUTHORIZED);
    let rt = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(
        app.refresh(&client, rt, None).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert!(app
        .audit_kinds()
        .await
        .contains(&"consent_revoked".to_string()));
}

#[tokio::test]
async fn the_connected_apps_page_needs_a_signed_in_browser() {
    let app = TestApp::spawn().await;
    let res = Browser::new().get(&app.url("/account/apps")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.text().await.unwrap().contains("You are not signed in"));
}

//! People in the console: searched by a posted address, shown with their sign-ins and
//! grants; disabled, enabled, signed out, their grants revoked, deleted after a
//! confirmation, each through the operation the admin API uses.

use reqwest::StatusCode;

use super::common::*;
use crate::admin::common::{events, signed_in, sso_works};
use crate::support::*;

#[tokio::test]
async fn a_person_is_found_by_a_posted_search_and_shown_with_sessions_and_grants() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (browser, root) = admin_browser(&app).await;
    let alice_browser = Browser::new();
    signed_in(&app, &alice_browser, &client, "alice@example.com").await;
    person(&app, "bob@other.test").await;
    let res = post(
        &app,
        &browser,
        "/admin/console/people",
        &[("search", "ALICE@")],
    )
    .await;
    let html = res.text().await.unwrap();
    assert!(
        html.contains("alice@example.com") && !html.contains("bob@other.test"),
        "{html}"
    );
    let alice = app
        .state
        .store
        .find_user_by_identifier(sesame::store::users::Channel::Email, "alice@example.com")
        .await
        .unwrap()
        .unwrap();
    let html = page(
        &app,
        &browser,
        &format!("/admin/console/people/{}", alice.id),
    )
    .await;
    assert!(html.contains(&alice.id));
    assert!(html.contains("<td>otp</td>"), "one live sign-in: {html}");
    assert!(html.contains("openid email"), "{html}");
    let e = &events(&app, "admin_users_listed").await[0];
    assert_eq!(e["detail"]["search"], true);
    assert_eq!(e["detail"]["actor"]["user_id"], root.as_str());
    assert_eq!(
        events(&app, "admin_user_viewed").await[0]["user_id"],
        alice.id.as_str()
    );
}

#[tokio::test]
async fn disabling_enabling_and_ending_sign_ins_in_the_console_take_effect() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (browser, root) = admin_browser(&app).await;
    let alice_browser = Browser::new();
    let tokens = signed_in(&app, &alice_browser, &client, "alice@example.com").await;
    let alice = jwt_claims(tokens["id_token"].as_str().unwrap())["sub"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/admin/console/people/{alice}");
    assert!(sso_works(&app, &alice_browser, &client).await);

    let res = post(&app, &browser, &format!("{path}/end-sessions"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!sso_works(&app, &alice_browser, &client).await);
    assert_eq!(
        events(&app, "admin_sessions_revoked").await[0]["detail"]["count"],
        1
    );

    let res = post(&app, &browser, &format!("{path}/disable"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let u = app.state.store.get_user(&alice).await.unwrap().unwrap();
    assert!(u.disabled_at.is_some());
    let e = &events(&app, "admin_user_disabled").await[0];
    assert_eq!(e["detail"]["actor"]["user_id"], root.as_str());
    assert!(
        e["detail"]["grants_revoked"].as_u64().unwrap() >= 1,
        "{e:#}"
    );
    let html = page(&app, &browser, &path).await;
    assert!(html.contains("disabled since"));

    let res = post(&app, &browser, &format!("{path}/enable"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let u = app.state.store.get_user(&alice).await.unwrap().unwrap();
    assert!(u.disabled_at.is_none());
}

#[tokio::test]
async fn one_grant_or_one_sign_in_is_ended_from_the_persons_page() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (browser, _) = admin_browser(&app).await;
    let alice_browser = Browser::new();
    let tokens = signed_in(&app, &alice_browser, &client, "alice@example.com").await;
    let alice = jwt_claims(tokens["id_token"].as_str().unwrap())["sub"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/admin/console/people/{alice}");
    let ctx = crate::admin::common::cli_ctx(&app);
    let grants = sesame::admin::ops::users::list_grants(&ctx, &alice, false)
        .await
        .unwrap()
        .items;
    let res = post(
        &app,
        &browser,
        &format!("{path}/revoke-grant"),
        &[("id", &grants[0].grant_id)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let g = app
        .state
        .store
        .get_grant(&grants[0].grant_id)
        .await
        .unwrap()
        .unwrap();
    assert!(g.revoked_at.is_some());
    let sessions = sesame::admin::ops::users::list_sessions(&ctx, &alice, false)
        .await
        .unwrap()
        .items;
    let res = post(
        &app,
        &browser,
        &format!("{path}/end-session"),
        &[("id", &sessions[0].session_id)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!sso_works(&app, &alice_browser, &client).await);
    // A grant of someone else is not theirs to revoke.
    let res = post(
        &app,
        &browser,
        &format!("{path}/revoke-grant"),
        &[("id", "not-a-grant")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn deleting_a_person_asks_for_confirmation_and_a_recent_sign_in() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let bob = person(&app, "bob@example.com").await;
    let path = format!("/admin/console/people/{bob}/delete");
    let html = page(&app, &browser, &path).await;
    assert!(html.contains("Delete this person?") && html.contains("bob@example.com"));
    let res = post(&app, &browser, &path, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(app.state.store.get_user(&bob).await.unwrap().is_none());
    let e = &events(&app, "admin_user_deleted").await[0];
    assert_eq!(e["detail"]["existed"], true);
    assert_eq!(e["detail"]["actor"]["user_id"], root.as_str());
}

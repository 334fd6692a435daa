//! Console admins: made and unmade from the CLI (`sesame admins add|list|remove`), the
//! admin API (`/admins`) and the console itself, the same operation and audit event each
//! time; someone named before their first sign-in becomes a person who can sign in.

use reqwest::StatusCode;
use serde_json::json;

use super::common::*;
use crate::admin::common::{cli_json, events, run_cli, AdminApi};
use crate::support::*;

#[tokio::test]
async fn the_cli_adds_lists_and_removes_console_admins() {
    let app = TestApp::spawn().await;
    let alice = person(&app, "alice@example.com").await;
    let added = cli_json(&app, &["admins", "add", "alice@example.com"]);
    assert_eq!(
        added,
        json!({"user_id": alice, "admin": true, "changed": true})
    );
    let again = cli_json(&app, &["admins", "add", &alice]);
    assert_eq!(again["changed"], false);
    let listed = cli_json(&app, &["admins", "list"]);
    assert_eq!(listed["items"][0]["email"], "alice@example.com");
    assert_eq!(listed["items"][0]["added_by"]["type"], "cli");
    let (ok, out, _) = run_cli(&app, &["admins", "list"]);
    assert!(
        ok && out.contains("alice@example.com") && out.contains("cli"),
        "{out}"
    );
    let e = &events(&app, "admin_console_admin_added").await;
    assert_eq!(e.len(), 2);
    assert_eq!(e[0]["detail"]["already_admin"], true);
    assert_eq!(e[1]["detail"]["actor"]["type"], "cli");
    let removed = cli_json(&app, &["admins", "remove", "alice@example.com"]);
    assert_eq!(removed["changed"], true);
    assert!(!app.state.store.console_has_admin().await.unwrap());
    let (ok, _, err) = run_cli(&app, &["admins", "remove", "nobody"]);
    assert!(!ok && err.contains("no user"), "{err}");
}

#[tokio::test]
async fn someone_named_before_their_first_sign_in_can_sign_in_to_the_console() {
    let app = TestApp::spawn_with(|c| c.register_new_users = false).await;
    let added = cli_json(&app, &["admins", "add", "First@Example.com"]);
    assert_eq!(added["changed"], true);
    let e = &events(&app, "admin_console_admin_added").await[0];
    assert_eq!(e["detail"]["created_person"], true);
    let browser = Browser::new();
    let to = console_sign_in(&app, &browser, "first@example.com").await;
    assert_eq!(to, app.url(HOME));
    let u = app
        .state
        .store
        .get_user(added["user_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(u.email_verified, "verified by the sign-in");
}

#[tokio::test]
async fn the_consoles_own_client_cannot_be_turned_into_a_usable_client() {
    let app = TestApp::spawn().await;
    let (_browser, _) = admin_browser(&app).await;
    let api = AdminApi::new(&app).await;
    let r = api
        .patch(
            "/clients/sesame-console",
            json!({"redirect_uris": ["https://evil.example/cb"]}),
        )
        .await;
    r.assert_problem(StatusCode::CONFLICT, None);
    let c = app
        .state
        .store
        .get_client("sesame-console")
        .await
        .unwrap()
        .unwrap();
    assert!(c.redirect_uris.is_empty() && c.grant_types.is_empty());
    // It cannot be used at the authorization endpoint.
    let res = Browser::new()
        .get(&app.url("/authorize?response_type=code&client_id=sesame-console&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&scope=openid"))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_admin_api_manages_console_admins_like_the_cli() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let alice = person(&app, "alice@example.com").await;
    let r = api
        .post("/admins", json!({"user": "alice@example.com"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);
    assert_eq!(
        r.json,
        json!({"user_id": alice, "admin": true, "changed": true})
    );
    let r = api.get("/admins").await;
    assert_eq!(r.json["items"][0]["user_id"], alice.as_str());
    assert_eq!(r.json["items"][0]["added_by"]["type"], "admin_token");
    let r = api.post("/admins", json!({"user": "not an address"})).await;
    r.assert_problem(StatusCode::NOT_FOUND, None);
    let r = api.delete(&format!("/admins/{alice}")).await;
    assert_eq!(r.json["changed"], true);
    let e = &events(&app, "admin_console_admin_removed").await[0];
    assert_eq!(e["detail"]["actor"]["type"], "admin_token");
}

#[tokio::test]
async fn an_admin_makes_and_unmakes_another_admin_in_the_console() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let res = post(
        &app,
        &browser,
        "/admin/console/admins",
        &[("value", "bob@example.com")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(&app, &browser, "/admin/console/admins").await;
    assert!(
        html.contains("bob@example.com") && html.contains("the console"),
        "{html}"
    );
    let e = &events(&app, "admin_console_admin_added").await[0];
    assert_eq!(e["detail"]["actor"]["type"], "console");
    assert_eq!(e["detail"]["actor"]["user_id"], root.as_str());
    assert_eq!(e["ip"], "127.0.0.1");
    let bob = e["user_id"].as_str().unwrap().to_string();
    let bob_browser = Browser::new();
    assert_eq!(
        console_sign_in(&app, &bob_browser, "bob@example.com").await,
        app.url(HOME)
    );
    let res = post(
        &app,
        &browser,
        &format!("/admin/console/people/{bob}/unmake-admin"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        bob_browser.get(&app.url(HOME)).await.status(),
        StatusCode::SEE_OTHER
    );
    let res = post(
        &app,
        &browser,
        "/admin/console/admins",
        &[("value", "not an address")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("no user"));
}

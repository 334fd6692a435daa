//! Who gets into the console: nobody until an admin exists or when it is turned off; a
//! visitor and a person who is not an admin get nothing; single sign-on alone is not a
//! console sign-in; the console session is bound to its browser and shorter-lived than
//! the SSO session; destructive actions need a recent sign-in; forms need the session's
//! anti-CSRF token.

use reqwest::StatusCode;

use super::common::*;
use crate::admin::common::events;
use crate::support::*;

/// Every console route, with a method; ids in paths are replaced by real ones.
fn routes(client: &str, user: &str) -> Vec<(&'static str, String)> {
    let c = format!("/admin/console/clients/{client}");
    let u = format!("/admin/console/people/{user}");
    let mut r: Vec<(&'static str, String)> = [
        "/admin/console",
        "/admin/console/",
        "/admin/console/clients",
        "/admin/console/clients/new",
        "/admin/console/preview/3552c8/style.css",
        "/admin/console/people",
        "/admin/console/keys",
        "/admin/console/audit",
        "/admin/console/review",
        "/admin/console/tokens",
        "/admin/console/webhooks",
        "/admin/console/admins",
        "/admin/console/groups",
        "/admin/console/groups/staff",
    ]
    .into_iter()
    .map(|p| ("GET", p.to_string()))
    .collect();
    r.push(("GET", c.clone()));
    r.push(("GET", format!("{c}/delete")));
    r.push(("GET", u.clone()));
    r.push(("GET", format!("{u}/delete")));
    for p in [
        "/admin/console/sign-out".to_string(),
        "/admin/console/clients/new".into(),
        c.clone(),
        format!("{c}/secret"),
        format!("{c}/delete"),
        "/admin/console/people".into(),
        format!("{u}/disable"),
        format!("{u}/enable"),
        format!("{u}/end-sessions"),
        format!("{u}/end-session"),
        format!("{u}/revoke-grant"),
        format!("{u}/revoke-grants"),
        format!("{u}/make-admin"),
        format!("{u}/unmake-admin"),
        format!("{u}/delete"),
        "/admin/console/keys/rotate".into(),
        "/admin/console/review".into(),
        "/admin/console/review/remove".into(),
        "/admin/console/tokens".into(),
        "/admin/console/tokens/revoke".into(),
        "/admin/console/webhooks".into(),
        "/admin/console/webhooks/remove".into(),
        "/admin/console/admins".into(),
        "/admin/console/admins/remove".into(),
        "/admin/console/groups".into(),
        "/admin/console/groups/staff/delete".into(),
        "/admin/console/groups/staff/members".into(),
        "/admin/console/groups/staff/members/remove".into(),
        format!("{u}/attributes"),
        format!("{u}/attributes/unset"),
    ] {
        r.push(("POST", p));
    }
    r
}

async fn call(browser: &Browser, app: &TestApp, method: &str, path: &str) -> reqwest::Response {
    match method {
        "GET" => browser.get(&app.url(path)).await,
        _ => {
            browser
                .post_form(
                    &app.url(path),
                    &[("csrf", "x"), ("value", "root@example.com")],
                )
                .await
        }
    }
}

#[tokio::test]
async fn the_console_is_not_served_until_someone_is_an_admin() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let user = person(&app, "someone@example.com").await;
    let browser = Browser::new();
    for (m, p) in routes(&client.id, &user) {
        let res = call(&browser, &app, m, &p).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{m} {p}");
    }
    for p in ["/admin/console/sign-in", "/admin/console/signed-in"] {
        assert_eq!(
            browser.get(&app.url(p)).await.status(),
            StatusCode::NOT_FOUND,
            "{p}"
        );
    }
    make_admin(&app, "root@example.com").await;
    let res = browser.get(&app.url(HOME)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res, &app.base), app.url("/admin/console/sign-in"));
}

#[tokio::test]
async fn a_setting_turns_the_console_off() {
    let app = TestApp::spawn_with(|c| c.console.enabled = false).await;
    make_admin(&app, "root@example.com").await;
    let browser = Browser::new();
    for p in [HOME, "/admin/console/sign-in", "/admin/console/clients"] {
        assert_eq!(
            browser.get(&app.url(p)).await.status(),
            StatusCode::NOT_FOUND,
            "{p}"
        );
    }
}

#[tokio::test]
async fn every_console_route_gives_a_visitor_nothing_but_the_way_to_sign_in() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let root = make_admin(&app, "root@example.com").await;
    let browser = Browser::new();
    for (m, p) in routes(&client.id, &root) {
        let res = call(&browser, &app, m, &p).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{m} {p}");
        assert_eq!(
            location(&res, &app.base),
            app.url("/admin/console/sign-in"),
            "{m} {p}"
        );
        let body = res.text().await.unwrap();
        assert!(!body.contains("root@example.com"), "{m} {p}: {body}");
    }
    // Nothing was done by the posts: root is still an admin, the client still exists.
    assert!(app.state.store.is_console_admin(&root).await.unwrap());
    assert!(app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn a_person_who_is_not_an_admin_is_turned_away_after_signing_in() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let root = make_admin(&app, "root@example.com").await;
    let browser = Browser::new();
    let res = browser.get(&app.url("/admin/console/sign-in")).await;
    let url = location(&res, &app.base);
    let html = browser.get(&url).await.text().await.unwrap();
    let page = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url,
        html,
    };
    let code = app.request_code(&browser, &page, "bob@example.com").await;
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(
        location(&res, &app.base),
        app.url("/admin/console/signed-in")
    );
    let res = browser.get(&app.url("/admin/console/signed-in")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    for (m, p) in routes(&client.id, &root) {
        let res = call(&browser, &app, m, &p).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{m} {p}");
        assert!(
            !res.text().await.unwrap().contains("root@example.com"),
            "{m} {p}"
        );
    }
    let refused = events(&app, "console_sign_in_refused").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["ip"], "127.0.0.1");
    assert!(events(&app, "admin_console_signed_in").await.is_empty());
}

#[tokio::test]
async fn single_sign_on_alone_does_not_open_the_console() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    make_admin(&app, "root@example.com").await;
    let browser = Browser::new();
    // The admin signs in to an ordinary app: a live SSO session in this browser.
    crate::admin::common::signed_in(&app, &browser, &client, "root@example.com").await;
    let res = browser.get(&app.url("/admin/console/signed-in")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res, &app.base), app.url("/admin/console/sign-in"));
    // Starting a console sign-in and coming back without typing a code does not do it.
    browser.get(&app.url("/admin/console/sign-in")).await;
    let res = browser.get(&app.url("/admin/console/signed-in")).await;
    assert_eq!(location(&res, &app.base), app.url("/admin/console/sign-in"));
    let res = browser.get(&app.url(HOME)).await;
    assert_eq!(location(&res, &app.base), app.url("/admin/console/sign-in"));
}

#[tokio::test]
async fn an_admin_signs_in_with_a_code_and_the_session_is_bound_to_that_browser() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let html = page(&app, &browser, HOME).await;
    assert!(html.contains("Signed in as root@example.com"), "{html}");
    assert!(html.contains("people"));
    let e = events(&app, "admin_console_signed_in").await;
    assert_eq!(e[0]["user_id"], root.as_str());
    assert_eq!(e[0]["ip"], "127.0.0.1");
    assert_eq!(e[0]["detail"]["actor"]["type"], "console");
    assert_eq!(e[0]["detail"]["actor"]["user_id"], root.as_str());
    assert_eq!(e[0]["detail"]["amr"], serde_json::json!(["otp"]));
    // Another browser (no cookie of this one) has nothing.
    let other = Browser::new();
    assert_eq!(
        other.get(&app.url(HOME)).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_console_session_ends_when_idle_and_after_its_lifetime() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let idle = app.state.config.console.idle_timeout_seconds;
    app.clock.advance(idle + 1);
    let res = browser.get(&app.url(HOME)).await;
    assert_eq!(location(&res, &app.base), app.url("/admin/console/sign-in"));

    console_sign_in(&app, &browser, "root@example.com").await;
    let max = app.state.config.console.max_age_seconds;
    let step = idle - 60;
    let mut used = 0;
    while used + step <= max {
        app.clock.advance(step);
        used += step;
        page(&app, &browser, HOME).await;
    }
    app.clock.advance(max - used + 1);
    let res = browser.get(&app.url(HOME)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res, &app.base), app.url("/admin/console/sign-in"));
    assert!(
        max < app.state.config.session.ttl_seconds,
        "shorter than the SSO session"
    );
}

#[tokio::test]
async fn a_disabled_or_removed_admin_loses_the_console_at_once() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let ctx = crate::admin::common::cli_ctx(&app);
    sesame::admin::ops::admins::remove_admin(&ctx, &root)
        .await
        .unwrap();
    make_admin(&app, "other@example.com").await;
    let res = browser.get(&app.url(HOME)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let (browser, root) = {
        make_admin(&app, "root@example.com").await;
        let b = Browser::new();
        console_sign_in(&app, &b, "root@example.com").await;
        (b, root)
    };
    sesame::admin::ops::users::disable_user(&ctx, &root)
        .await
        .unwrap();
    let res = browser.get(&app.url(HOME)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_console_form_without_the_sessions_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let (other, _) = {
        make_admin(&app, "second@example.com").await;
        let b = Browser::new();
        console_sign_in(&app, &b, "second@example.com").await;
        (b, ())
    };
    let foreign = csrf(&app, &other).await;
    assert_ne!(foreign, csrf(&app, &browser).await);
    let url = app.url("/admin/console/admins");
    for form in [
        vec![("value", "mallory@example.com")],
        vec![("csrf", ""), ("value", "mallory@example.com")],
        vec![("csrf", foreign.as_str()), ("value", "mallory@example.com")],
    ] {
        let res = browser.post_form(&url, &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{form:?}");
    }
    let admins = app.state.store.list_console_admins().await.unwrap();
    assert!(admins
        .iter()
        .all(|a| a.email.as_deref() != Some("mallory@example.com")));
    // With the session's own token it works.
    let res = post(
        &app,
        &browser,
        "/admin/console/admins",
        &[("value", "mallory@example.com")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.state.store.list_console_admins().await.unwrap().len(),
        3
    );
}

#[tokio::test]
async fn every_console_form_refuses_a_missing_or_foreign_csrf_token() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (browser, root) = admin_browser(&app).await;
    make_admin(&app, "second@example.com").await;
    let other = Browser::new();
    console_sign_in(&app, &other, "second@example.com").await;
    let foreign = csrf(&app, &other).await;
    let before = app
        .state
        .store
        .audit_events(0, None, 100_000)
        .await
        .unwrap()
        .len();
    for (m, p) in routes(&client.id, &root) {
        if m != "POST" {
            continue;
        }
        for token in [None, Some(""), Some(foreign.as_str())] {
            let mut form = vec![("value", "root@example.com"), ("id", "x"), ("name", "x")];
            if let Some(t) = token {
                form.push(("csrf", t));
            }
            let res = browser.post_form(&app.url(&p), &form).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{p} with {token:?}");
        }
    }
    // Refused before anything ran: no operation wrote an audit event.
    let after = app
        .state
        .store
        .audit_events(0, None, 100_000)
        .await
        .unwrap();
    let new: Vec<&str> = after[before..].iter().map(|e| e.kind.as_str()).collect();
    assert!(
        new.iter().all(|k| *k == "admin_overview_viewed"),
        "only the overview used to read the token: {new:?}"
    );
    assert!(app.state.store.is_console_admin(&root).await.unwrap());
    assert!(app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn a_destructive_console_action_needs_a_recent_sign_in() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (browser, _) = admin_browser(&app).await;
    let delete = format!("/admin/console/clients/{}/delete", client.id);
    page(&app, &browser, &delete).await;
    app.clock
        .advance(app.state.config.console.recent_sign_in_seconds + 1);
    // The last refused request names the page to come back to: the confirmation.
    for res in [
        post(
            &app,
            &browser,
            "/admin/console/keys/rotate",
            &[("value", "ES256")],
        )
        .await,
        post(&app, &browser, "/admin/console/tokens", &[("value", "ci")]).await,
        post(
            &app,
            &browser,
            "/admin/console/webhooks",
            &[
                ("url", "https://hooks.example/in"),
                ("person_created", "on"),
            ],
        )
        .await,
        post(&app, &browser, &delete, &[]).await,
        browser.get(&app.url(&delete)).await,
    ] {
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res, &app.base), app.url("/admin/console/sign-in"));
    }
    assert!(app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .is_some());
    assert!(events(&app, "admin_key_rotated").await.is_empty());
    assert!(events(&app, "admin_token_created").await.is_empty());
    assert!(events(&app, "admin_webhook_created").await.is_empty());
    // Signing in again comes back to the confirmation, which now deletes.
    let back = console_sign_in(&app, &browser, "root@example.com").await;
    assert_eq!(back, app.url(&delete));
    let res = post(&app, &browser, &delete, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn console_pages_carry_the_hosted_pages_strict_policy_and_no_personal_data_in_addresses() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let login = browser.get(&app.url("/login?tx=p1.x")).await;
    let hosted_csp = login.headers()["content-security-policy"].clone();
    for p in [HOME, "/admin/console/people"] {
        let res = browser.get(&app.url(p)).await;
        assert_eq!(res.headers()["content-security-policy"], hosted_csp, "{p}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{p}");
        let html = res.text().await.unwrap();
        assert!(!html.contains("<script") && !html.contains("style="), "{p}");
    }
    // The client form runs one script, from this origin: the live preview. Nothing inline.
    let res = browser.get(&app.url("/admin/console/clients/new")).await;
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    assert!(csp.contains("default-src 'none'") && csp.contains("form-action 'self';"));
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert!(html.contains(r#"<script src="/admin/console/preview.js" defer></script>"#));
    assert!(!html.contains("style="));
    let js = browser.get(&app.url("/admin/console/preview.js")).await;
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    // The people search is posted, so an address never reaches an access log.
    let html = page(&app, &browser, "/admin/console/people").await;
    assert!(html.contains(r#"<form method="post" action="/admin/console/people""#));
    let res = post(
        &app,
        &browser,
        "/admin/console/people",
        &[("search", "root@")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("root@example.com"));
}

#[tokio::test]
async fn signing_out_of_the_console_ends_it_and_keeps_the_sso_session() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (browser, root) = admin_browser(&app).await;
    let res = post(&app, &browser, "/admin/console/sign-out", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Signed out of the admin console"));
    let res = browser.get(&app.url(HOME)).await;
    assert_eq!(location(&res, &app.base), app.url("/admin/console/sign-in"));
    assert!(crate::admin::common::sso_works(&app, &browser, &client).await);
    let e = &events(&app, "admin_console_signed_out").await[0];
    assert_eq!(e["detail"]["actor"]["user_id"], root.as_str());
}

//! Binding and forms: the session cookie's attributes, its rotation at sign-in, its expiry
//! on the server, anti-CSRF tokens on every POST form, and 303 after every POST.

use reqwest::StatusCode;
use sesame::clock::{Clock, SystemClock};
use sesame::with_pool;

use crate::security::common::*;
use crate::support::*;

fn with_pkce() -> AuthParams {
    AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    }
}

fn attrs(cookie: &str) -> Vec<String> {
    cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

/// The cookies of a sign-in's first steps: (set by /authorize, by the first page, by
/// submitting an address). Nothing is stored before the person acts, so /authorize sets
/// none, the first page only the address form's anti-CSRF cookie, and the session cookie
/// comes with the address.
async fn cookies_of_a_sign_in(
    app: &TestApp,
    client: &TestClient,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let b = Browser::new();
    let res = b.get(&authorize_url(app, client, &with_pkce())).await;
    let at_authorize = set_cookies(&res);
    let page_url = location(&res, &app.base);
    let res = b.get(&page_url).await;
    let at_page = set_cookies(&res);
    let html = res.text().await.unwrap();
    let page = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url: page_url,
        html,
    };
    let res = app.submit_identifier(&b, &page, "cookie@example.com").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    (at_authorize, at_page, set_cookies(&res))
}

#[tokio::test]
async fn session_cookie_is_httponly_and_samesite_lax() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let (at_authorize, at_page, at_address) = cookies_of_a_sign_in(&app, &client).await;
    assert!(at_authorize.is_empty(), "{at_authorize:?}");
    assert_eq!(at_page.len(), 1, "{at_page:?}");
    assert!(at_page[0].starts_with("sesame_csrf="), "{at_page:?}");
    assert_eq!(at_address.len(), 1, "{at_address:?}");
    assert!(
        at_address[0].starts_with("sesame_session="),
        "{at_address:?}"
    );
    for cookie in [&at_page[0], &at_address[0]] {
        let a = attrs(cookie);
        assert!(a.contains(&"httponly".to_string()), "{a:?}");
        assert!(a.contains(&"samesite=lax".to_string()), "{a:?}");
        assert!(a.contains(&"path=/".to_string()), "{a:?}");
        assert!(!a.iter().any(|x| x.starts_with("domain")), "{a:?}");
        assert!(
            !a.contains(&"secure".to_string()),
            "plain http in development: {a:?}"
        );
    }
}

#[tokio::test]
async fn session_cookie_is_host_prefixed_and_secure_when_the_issuer_is_https() {
    let app = spawn_quick(|c| {
        c.issuer = sesame::config::Issuer::parse(&c.issuer.replace("http://", "https://")).unwrap()
    })
    .await;
    let client = app.confidential_client().await;
    let (at_authorize, at_page, at_address) = cookies_of_a_sign_in(&app, &client).await;
    assert!(at_authorize.is_empty(), "{at_authorize:?}");
    assert_eq!(at_page.len(), 1, "{at_page:?}");
    assert!(at_page[0].starts_with("__Host-sesame-csrf="), "{at_page:?}");
    assert_eq!(at_address.len(), 1, "{at_address:?}");
    assert!(
        at_address[0].starts_with("__Host-sesame="),
        "{at_address:?}"
    );
    for cookie in [&at_page[0], &at_address[0]] {
        let a = attrs(cookie);
        for want in ["secure", "httponly", "samesite=lax", "path=/"] {
            assert!(a.contains(&want.to_string()), "{want} missing: {a:?}");
        }
        // __Host- cookies must not name a domain (RFC 6265bis 4.1.3.2).
        assert!(!a.iter().any(|x| x.starts_with("domain")), "{a:?}");
    }
}

async fn prompt_none(app: &TestApp, client: &TestClient, cookie: Option<&str>) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (_, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        extra: vec![("prompt".into(), "none".into())],
        ..Default::default()
    };
    let mut req = http.get(authorize_url(app, client, &p));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res, &app.base)
}

async fn session_rows(app: &TestApp, id: &str) -> i64 {
    with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

#[tokio::test]
async fn session_id_is_rotated_at_sign_in_and_the_old_id_is_dead() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let (_, challenge) = pkce_pair();
    let auth = authorize_url(
        &app,
        &client,
        &AuthParams {
            challenge: Some(challenge),
            ..Default::default()
        },
    );
    let res = b.get(&auth).await;
    let page_url = location(&res, &app.base);
    let html = b.get(&page_url).await.text().await.unwrap();
    let page = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url: page_url,
        html,
    };
    let res = app
        .submit_identifier(&b, &page, "fixation@example.com")
        .await;
    let (name, before) = cookie_pair(&res).expect("the sign-in starts a session");
    let mail = app
        .smtp
        .wait_for_message_to("fixation@example.com", MAIL_WAIT)
        .await;
    let code = smtp::code_from(&mail);
    let res = app.submit_code(&b, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (name2, after) = cookie_pair(&res).expect("sign-in sets a new session cookie");
    assert_eq!(name, name2);
    assert_ne!(
        before, after,
        "the session id changes at sign-in (no fixation)"
    );
    assert_eq!(session_rows(&app, &before).await, 0, "the old id is gone");
    assert_eq!(session_rows(&app, &after).await, 1);

    let with_new = prompt_none(&app, &client, Some(&format!("{name}={after}"))).await;
    assert!(query_param(&with_new, "code").is_some(), "{with_new}");
    let with_old = prompt_none(&app, &client, Some(&format!("{name}={before}"))).await;
    assert_eq!(
        query_param(&with_old, "error").as_deref(),
        Some("login_required")
    );
}

#[tokio::test]
async fn expired_session_is_not_loaded_and_is_purged() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let (page, code) = code_page(&app, &b, &client, "expiry@example.com").await;
    let res = app.submit_code(&b, &page, &code).await;
    let (name, id) = cookie_pair(&res).unwrap();
    let cookie = format!("{name}={id}");
    let ok = prompt_none(&app, &client, Some(&cookie)).await;
    assert!(query_param(&ok, "code").is_some());

    // The row's expiry passes (sessions expire on real time, like the cookie).
    let now = SystemClock.now();
    with_pool!(&app.state.store.db, pool => {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
            .bind(now - 1)
            .bind(&id)
            .execute(pool)
            .await
            .unwrap();
    });
    let gone = prompt_none(&app, &client, Some(&cookie)).await;
    assert_eq!(
        query_param(&gone, "error").as_deref(),
        Some("login_required")
    );
    app.state.store.purge_expired(now).await.unwrap();
    assert_eq!(
        session_rows(&app, &id).await,
        0,
        "the expired row is deleted"
    );
}

#[tokio::test]
async fn every_post_form_refuses_a_missing_or_foreign_csrf_token() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let victim = Browser::new();
    let email = "csrf@example.com";
    let (page, code) = code_page(&app, &victim, &client, email).await;
    // The attacker's own valid token, from their own session.
    let attacker = Browser::new();
    let foreign = begin(&app, &attacker, &client).await.csrf;
    let demo_home = victim.get(&app.url("/")).await.text().await.unwrap();
    assert_ne!(hidden(&demo_home, "csrf"), foreign);

    let forms: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/login",
            vec![("tx", &page.tx), ("identifier", "evil@example.com")],
        ),
        ("/login/verify", vec![("tx", &page.tx), ("code", &code)]),
        ("/login/resend", vec![("tx", &page.tx)]),
        ("/login/restart", vec![("tx", &page.tx)]),
        ("/demo/start", vec![]),
    ];
    for (path, fields) in &forms {
        for csrf in [Some(foreign.as_str()), Some(""), Some("x"), None] {
            let mut form = fields.clone();
            if let Some(c) = csrf {
                form.push(("csrf", c));
            }
            let res = victim.post_form(&app.url(path), &form).await;
            let status = res.status();
            let html = res.text().await.unwrap();
            match csrf {
                // A missing token is refused like a wrong one; either way nothing happens.
                None => assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {html}"),
                Some(_) => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{path} {csrf:?}: {html}");
                    assert!(html.contains("This form has expired"), "{html}");
                }
            }
        }
    }
    // Nothing happened: no mail to anyone new, no attempt, the address is still chosen.
    assert_mails(&app, email, 1).await;
    assert_mails(&app, "evil@example.com", 0).await;
    assert_eq!(tx_attempts(&app, &page.tx).await, 0);
    let tx = app
        .state
        .store
        .get_login_tx(&tx_id(&page.tx), app.state.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tx.identifier.as_deref(), Some(email));
    assert!(tx.completed_at.is_none());
    // With the right token the same victim signs in.
    assert_eq!(
        app.submit_code(&victim, &page, &code).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn every_redirecting_post_answers_303() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    // POST /authorize (OIDC Core 3.1.2.1 allows POST).
    let (_, challenge) = pkce_pair();
    let res = b
        .post_form(
            &app.url("/authorize"),
            &[
                ("response_type", "code"),
                ("client_id", &client.id),
                ("redirect_uri", &client.redirect_uri),
                ("scope", "openid"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST /authorize");
    let page_url = location(&res, &app.base);
    let html = b.get(&page_url).await.text().await.unwrap();
    let page = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url: page_url,
        html,
    };
    let res = app.submit_identifier(&b, &page, "first@example.com").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST /login");
    app.smtp
        .wait_for_message_to("first@example.com", MAIL_WAIT)
        .await;
    let res = b
        .post_form(
            &app.url("/login/restart"),
            &[("tx", &page.tx), ("csrf", &page.csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST /login/restart");
    let code = app.request_code(&b, &page, "second@example.com").await;
    let res = resend(&app, &b, &page).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST /login/resend");
    let res = app.submit_code(&b, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST /login/verify");
    let home = b.get(&app.url("/")).await.text().await.unwrap();
    let res = b
        .post_form(&app.url("/demo/start"), &[("csrf", &hidden(&home, "csrf"))])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST /demo/start");
}

#[tokio::test]
async fn resend_answers_303_with_a_notice_shown_once_so_reload_sends_nothing() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let email = "reload@example.com";
    let (page, _) = code_page(&app, &b, &client, email).await;
    app.clock.advance(31);
    let res = resend(&app, &b, &page).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let target = location(&res, &app.base);
    assert_eq!(target, app.url(&format!("/login?tx={}", tx_id(&page.tx))));
    let first = b.get(&target).await.text().await.unwrap();
    assert!(first.contains("We sent a new code"), "{first}");
    // Reloading the page is a GET: no new code, and the notice is gone.
    let again = b.get(&target).await.text().await.unwrap();
    assert!(!again.contains("We sent a new code"), "{again}");
    assert_mails(&app, email, 2).await;
}

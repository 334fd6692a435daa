//! The authorization endpoint cannot be used to fill the database: nothing is stored before
//! the person submits an address (the validated request travels sealed in the first page's
//! address), every parameter that travels has a documented size limit, and one client IP
//! may only make so many authorization requests.

use futures_util::StreamExt;
use reqwest::StatusCode;
use sesame::with_pool;

use crate::security::common::*;
use crate::support::*;

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await.unwrap()
    })
}

/// The SQLite database's size on disk (the file and its write-ahead log); None on PostgreSQL.
fn sqlite_bytes(app: &TestApp) -> Option<u64> {
    let path = app.db.url.strip_prefix("sqlite://")?;
    let size = |p: String| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    Some(size(path.to_string()) + size(format!("{path}-wal")))
}

fn pkce() -> AuthParams {
    AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    }
}

/// A client with no cookie store: every request is a new visitor.
fn cookieless() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn authorize_floods_do_not_grow_the_database() {
    const REQUESTS: usize = 3000;
    let app = spawn_quick(|c| {
        c.authorize.burst_per_ip = 1_000_000;
        c.authorize.per_ip_per_minute = 1_000_000;
    })
    .await;
    let client = app.confidential_client().await;
    // Allowed, but as large as allowed.
    let p = AuthParams {
        state: "s".repeat(app.state.config.authorize.max_state_bytes),
        nonce: "n".repeat(app.state.config.authorize.max_nonce_bytes),
        ..pkce()
    };
    let url = authorize_url(&app, &client, &p);
    let (txs, sessions) = (
        count(&app, "login_transactions").await,
        count(&app, "sessions").await,
    );
    let bytes = sqlite_bytes(&app);
    let http = cookieless();
    let started = std::time::Instant::now();
    let answers: Vec<(StatusCode, String)> = futures_util::stream::iter(0..REQUESTS)
        .map(|i| {
            let (http, url, base) = (http.clone(), url.clone(), app.base.clone());
            async move {
                let res = http.get(&url).send().await.unwrap();
                let status = res.status();
                let to = location(&res, &base);
                // Every tenth visitor also opens the first page, which stores nothing either.
                if i % 10 == 0 {
                    let page = http.get(&to).send().await.unwrap();
                    assert_eq!(page.status(), StatusCode::OK);
                }
                (status, to)
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let elapsed = started.elapsed();
    for (status, to) in &answers {
        assert_eq!(*status, StatusCode::SEE_OTHER);
        assert!(to.starts_with(&app.url("/login?tx=p1.")), "{to}");
    }
    assert_eq!(
        count(&app, "login_transactions").await - txs,
        0,
        "{REQUESTS} authorization requests stored no sign-in"
    );
    assert_eq!(
        count(&app, "sessions").await - sessions,
        0,
        "and no browser session"
    );
    let grew = bytes
        .zip(sqlite_bytes(&app))
        .map(|(b, a)| a.saturating_sub(b));
    if let Some(grew) = grew {
        assert!(grew < 64 * 1024, "the SQLite file grew by {grew} bytes");
    }
    eprintln!(
        "{REQUESTS} cookie-less authorization requests in {elapsed:?}; SQLite growth: {grew:?} bytes"
    );
}

#[tokio::test]
async fn oversized_authorization_parameters_are_refused_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let limits = app.state.config.authorize.clone();
    let http = cookieless();
    let cases = [
        ("state", limits.max_state_bytes),
        ("nonce", limits.max_nonce_bytes),
        ("login_hint", limits.max_login_hint_bytes),
        ("claims", limits.max_claims_bytes),
    ];
    for (name, max) in cases {
        let long = "a".repeat(max + 1);
        let mut p = pkce();
        match name {
            "state" => p.state = long,
            "nonce" => p.nonce = long,
            _ => p.extra = vec![(name.into(), long)],
        }
        let res = http
            .get(authorize_url(&app, &client, &p))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{name}");
        let to = location(&res, &app.base);
        assert!(to.starts_with(&client.redirect_uri), "{name}: {to}");
        assert_eq!(
            query_param(&to, "error").as_deref(),
            Some("invalid_request")
        );
        let description = query_param(&to, "error_description").unwrap();
        assert!(
            description.contains(name) && description.contains(&max.to_string()),
            "{name}: {description}"
        );
        // `state` goes back unless it is what was too long.
        let echoed = query_param(&to, "state");
        if name == "state" {
            assert_eq!(echoed, None);
        } else {
            assert_eq!(echoed.as_deref(), Some(p.state.as_str()), "{name}");
        }
        assert_eq!(query_param(&to, "iss").as_deref(), Some(app.base.as_str()));
    }
    // At the limit, each is accepted.
    let p = AuthParams {
        state: "s".repeat(limits.max_state_bytes),
        nonce: "n".repeat(limits.max_nonce_bytes),
        extra: vec![(
            "login_hint".into(),
            format!(
                "{}@example.com",
                "h".repeat(limits.max_login_hint_bytes - 12)
            ),
        )],
        ..pkce()
    };
    let res = http
        .get(authorize_url(&app, &client, &p))
        .send()
        .await
        .unwrap();
    assert!(location(&res, &app.base).starts_with(&app.url("/login?tx=")));

    // A redirect_uri over its limit is a page, never a redirect (it is not known good).
    let long_uri = format!(
        "{}?{}",
        client.redirect_uri,
        "x".repeat(limits.max_redirect_uri_bytes)
    );
    let url = authorize_url(
        &app,
        &TestClient {
            redirect_uri: long_uri,
            ..client.clone()
        },
        &pkce(),
    );
    let html =
        expect_error_page(http.get(url).send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert!(
        html.contains(&limits.max_redirect_uri_bytes.to_string()),
        "{html}"
    );
}

#[tokio::test]
async fn a_request_too_large_to_seal_is_refused_with_invalid_request() {
    let app = TestApp::spawn_with(|c| c.authorize.max_pending_bytes = 1024).await;
    let client = app.confidential_client().await;
    let p = AuthParams {
        state: "s".repeat(500),
        nonce: "n".repeat(500),
        ..pkce()
    };
    let res = cookieless()
        .get(authorize_url(&app, &client, &p))
        .send()
        .await
        .unwrap();
    let to = location(&res, &app.base);
    assert!(to.starts_with(&client.redirect_uri), "{to}");
    assert_eq!(
        query_param(&to, "error").as_deref(),
        Some("invalid_request")
    );
    assert!(query_param(&to, "error_description")
        .unwrap()
        .contains("too large"));
    assert_eq!(query_param(&to, "state").as_deref(), Some(p.state.as_str()));
}

#[tokio::test]
async fn authorize_floods_from_one_ip_are_answered_429_with_retry_after() {
    let app = spawn_quick(|c| {
        c.authorize.burst_per_ip = 5;
        c.authorize.per_ip_per_minute = 1;
        c.limits.trusted_proxies = vec!["127.0.0.1".to_string()].try_into().unwrap();
    })
    .await;
    let client = app.confidential_client().await;
    let url = authorize_url(&app, &client, &pkce());
    let http = cookieless();
    let from = |ip: &'static str| http.get(&url).header("x-forwarded-for", ip);
    for _ in 0..5 {
        let res = from("203.0.113.1").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = from("203.0.113.1").send().await.unwrap();
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let html = expect_error_page(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(html.contains("Too many sign-in requests"), "{html}");
    // Another client behind the same trusted proxy is not affected.
    let res = from("203.0.113.2").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_tampered_or_expired_sign_in_link_gets_a_friendly_page() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let page = app
        .open_login(&b, &authorize_url(&app, &client, &pkce()))
        .await;
    // One character of the sealed value changed.
    let mut chars: Vec<char> = page.tx.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let res = b.get(&app.url(&format!("/login?tx={tampered}"))).await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("This sign-in link is not valid"), "{html}");
    let res = b
        .post_form(
            &app.url("/login"),
            &[
                ("tx", tampered.as_str()),
                ("csrf", &page.csrf),
                ("identifier", "tamper@example.com"),
            ],
        )
        .await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("This sign-in link is not valid"), "{html}");
    // Sealed by a server with another secret.
    let other = sesame::crypto::ServerSecrets::from_secret(&secrecy::SecretString::from(
        "another-secret-key-of-enough-length-000".to_string(),
    ));
    let mut forged = sesame::login::pending::open(
        &sesame::crypto::ServerSecrets::from_secret(&secrecy::SecretString::from(
            TEST_SECRET_KEY.to_string(),
        )),
        &page.tx,
        0,
    )
    .unwrap();
    forged.req.redirect_uri = "https://attacker.example/cb".into();
    let forged = sesame::login::pending::seal(&other, &forged).unwrap();
    let res = b.get(&app.url(&format!("/login?tx={forged}"))).await;
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
    // Past the sign-in's lifetime.
    app.clock
        .advance(app.state.config.login.transaction_ttl_seconds + 1);
    let html = expect_error_page(b.get(&page.url).await, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("This sign-in has expired"), "{html}");
    let res = app.submit_identifier(&b, &page, "late@example.com").await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("This sign-in has expired"), "{html}");
    assert_eq!(count(&app, "login_transactions").await, 0);
    assert!(app.smtp.messages().is_empty());
}

#[tokio::test]
async fn the_first_page_refuses_a_missing_cookie_or_another_browsers_token() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let victim = Browser::new();
    let page = app
        .open_login(&victim, &authorize_url(&app, &client, &pkce()))
        .await;
    // A cross-site post carries the form's fields but not the browser's cookie.
    let res = cookieless()
        .post(app.url("/login"))
        .form(&[
            ("tx", page.tx.as_str()),
            ("csrf", &page.csrf),
            ("identifier", "forged@example.com"),
        ])
        .send()
        .await
        .unwrap();
    expect_error_page(res, StatusCode::FORBIDDEN).await;
    // Another browser with its own cookie: neither the victim's token nor its own token for
    // the victim's sign-in passes.
    let attacker = Browser::new();
    let own = app
        .open_login(&attacker, &authorize_url(&app, &client, &pkce()))
        .await;
    for csrf in [&page.csrf, &own.csrf] {
        let res = attacker
            .post_form(
                &app.url("/login"),
                &[
                    ("tx", page.tx.as_str()),
                    ("csrf", csrf),
                    ("identifier", "forged@example.com"),
                ],
            )
            .await;
        expect_error_page(res, StatusCode::FORBIDDEN).await;
    }
    let res = attacker
        .post_form(
            &app.url("/login"),
            &[
                ("tx", own.tx.as_str()),
                ("csrf", ""),
                ("identifier", "x@example.com"),
            ],
        )
        .await;
    expect_error_page(res, StatusCode::FORBIDDEN).await;
    assert_eq!(count(&app, "login_transactions").await, 0, "nothing stored");
    assert!(app.smtp.messages().is_empty(), "nothing sent");
    // The victim's own browser goes on.
    let code = app.request_code(&victim, &page, "victim@example.com").await;
    let res = app.submit_code(&victim, &page, &code).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

#[tokio::test]
async fn a_replayed_sign_in_link_cannot_fork_or_take_over_a_started_sign_in() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let victim = Browser::new();
    let page = app
        .open_login(&victim, &authorize_url(&app, &client, &pkce()))
        .await;
    // The attacker got the link before the victim acted, and opened it: a valid token for
    // this sign-in, bound to the attacker's own cookie.
    let attacker = Browser::new();
    let res = attacker.get(&page.url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let stolen = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url: page.url.clone(),
        html,
    };
    assert_ne!(stolen.csrf, page.csrf);
    // The victim acts first.
    let code = app.request_code(&victim, &page, "victim@example.com").await;
    // The attacker's submission of the same link neither starts a second sign-in nor joins
    // the victim's.
    let res = app
        .submit_identifier(&attacker, &stolen, "attacker@example.com")
        .await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("This sign-in has expired"), "{html}");
    assert_eq!(count(&app, "login_transactions").await, 1, "no fork");
    assert_eq!(
        app.smtp.messages().len(),
        1,
        "nothing sent for the attacker"
    );
    let html = expect_error_page(attacker.get(&page.url).await, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("This sign-in has expired"), "{html}");
    let res = app.submit_code(&attacker, &stolen, &code).await;
    assert!(
        res.headers().get("location").is_none(),
        "no code for the attacker"
    );
    // The victim's sign-in is whole.
    assert_eq!(
        app.login_tx(&page.tx).await.identifier.as_deref(),
        Some("victim@example.com")
    );
    let res = app.submit_code(&victim, &page, &code).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

#[tokio::test]
async fn the_same_browser_submitting_the_first_page_twice_goes_on_with_one_sign_in() {
    // A double click: the second request leaves before the first answer's session cookie
    // arrives, so it carries only the first page's anti-CSRF cookie.
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let http = cookieless();
    let res = http
        .get(authorize_url(&app, &client, &pkce()))
        .send()
        .await
        .unwrap();
    let res = http.get(location(&res, &app.base)).send().await.unwrap();
    let (name, key) = cookie_pair(&res).expect("the first page sets its cookie");
    assert_eq!(name, "sesame_csrf");
    let html = res.text().await.unwrap();
    let (tx, csrf) = (hidden(&html, "tx"), hidden(&html, "csrf"));
    let submit = || {
        http.post(app.url("/login"))
            .header("cookie", format!("sesame_csrf={key}"))
            .form(&[
                ("tx", tx.as_str()),
                ("csrf", csrf.as_str()),
                ("identifier", "twice@example.com"),
            ])
            .send()
    };
    let first = submit().await.unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let second = submit().await.unwrap();
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&second, &app.base), location(&first, &app.base));
    assert_eq!(count(&app, "login_transactions").await, 1, "one sign-in");
    // The session of the answer the browser kept owns it.
    let (sname, session) = cookie_pair(&second).expect("a session");
    let res = http
        .get(location(&second, &app.base))
        .header("cookie", format!("sesame_csrf={key}; {sname}={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Enter your code"));
}

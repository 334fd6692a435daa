//! Reliability: the database going away and coming back, connections cut mid-flow, and a
//! replica killed with SIGKILL in the middle of a sign-in.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use crate::scale::support::*;
use crate::support::smtp::code_from;
use crate::support::*;

/// Makes the database unavailable to Sesame until the returned guard is released:
/// PostgreSQL refuses connections to the test database (and its open ones are
/// terminated); SQLite's file is held by another writer.
enum Outage {
    Postgres(String),
    Sqlite(sqlx::SqliteConnection),
}

impl Outage {
    async fn begin(db_url: &str) -> Outage {
        if on_postgres() {
            pg_allow_connections(db_url, false).await;
            Outage::Postgres(db_url.to_string())
        } else {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(db_url).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut c)
                .await
                .unwrap();
            Outage::Sqlite(c)
        }
    }

    async fn end(self) {
        match self {
            Outage::Postgres(url) => pg_allow_connections(&url, true).await,
            Outage::Sqlite(mut c) => {
                sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn database_outage_mid_sign_in_answers_503_and_recovers_without_restart() {
    if !on_postgres() {
        eprintln!(
            "\n*** NOTE: on SQLite the outage is another writer holding the file past the busy \
             timeout (5 s); on PostgreSQL the test database refuses connections. ***\n"
        );
    }
    let app = TestApp::spawn_with(|c| c.database.acquire_timeout_seconds = 2).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;

    let outage = Outage::begin(&app.db.url).await;
    let res = app
        .submit_identifier(&browser, &page, "olga@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = res.text().await.unwrap();
    assert!(html.contains("try again"), "a friendly page: {html}");
    assert!(!html.to_lowercase().contains("sqlx") && !html.contains("database"));
    if on_postgres() {
        // Everything that needs the database says 503, protocol endpoints in their shape.
        let res = app.exchange(&client, "no-such-code", Some(&verifier)).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "temporarily_unavailable");
        let res = reqwest::get(app.url("/readyz")).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            res.text().await.unwrap(),
            "not ready: database unreachable\n"
        );
    }
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the process itself is fine");
    outage.end().await;

    // Same server, no restart: the person just tries again and finishes.
    let code = app.request_code(&browser, &page, "olga@example.com").await;
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    let res = app
        .exchange(
            &client,
            &query_param(&back, "code").unwrap(),
            Some(&verifier),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        StatusCode::OK
    );
}

/// Sends `make()` until it answers `want`, allowing only 503 in between (never 500).
async fn until_ok<F, Fut>(what: &str, want: StatusCode, make: F) -> reqwest::Response
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    for _ in 0..10 {
        let res = make().await;
        if res.status() == want {
            return res;
        }
        assert_eq!(
            res.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{what}: only 503 may stand in for {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: no {want} after 10 tries")
}

/// Cuts the database connections under Sesame: PostgreSQL backends terminated; on SQLite
/// another writer holds the file for a moment (shorter than the busy timeout).
async fn cut(db_url: &str) {
    if on_postgres() {
        pg_terminate_backends(db_url).await;
    } else {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(db_url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut c)
            .await
            .unwrap();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let _ = sqlx::query("COMMIT").execute(&mut c).await;
        });
    }
}

#[tokio::test]
async fn connections_cut_at_every_step_of_a_sign_in_never_answer_500() {
    if !on_postgres() {
        sqlite_note(
            "connections_cut_at_every_step_of_a_sign_in_never_answer_500",
            "another writer grabs the file at every step; each step waits and succeeds",
        );
    }
    let app = Arc::new(TestApp::spawn().await);
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let auth_url = authorize_url(&app, &client, &p);

    // Background traffic while connections are cut: never a 500.
    let noise = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..40 {
                let res = reqwest::get(app.url("/readyz")).await.unwrap();
                seen.push(res.status());
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            seen
        })
    };

    cut(&app.db.url).await;
    let res = until_ok("authorize", StatusCode::SEE_OTHER, || {
        browser.get(&auth_url)
    })
    .await;
    let login_url = location(&res, &app.base);
    cut(&app.db.url).await;
    let res = until_ok("login page", StatusCode::OK, || browser.get(&login_url)).await;
    let html = res.text().await.unwrap();
    let page = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url: login_url.clone(),
        html,
    };
    cut(&app.db.url).await;
    until_ok("identifier", StatusCode::SEE_OTHER, || {
        app.submit_identifier(&browser, &page, "pia@example.com")
    })
    .await;
    let code = code_from(
        &app.smtp
            .wait_for_message_to("pia@example.com", MAIL_WAIT)
            .await,
    );
    cut(&app.db.url).await;
    let res = until_ok("code", StatusCode::SEE_OTHER, || {
        app.submit_code(&browser, &page, &code)
    })
    .await;
    let auth_code = query_param(&location(&res, &app.base), "code").unwrap();
    cut(&app.db.url).await;
    let res = until_ok("token", StatusCode::OK, || {
        app.exchange(&client, &auth_code, Some(&verifier))
    })
    .await;
    let tokens: serde_json::Value = res.json().await.unwrap();
    cut(&app.db.url).await;
    until_ok("userinfo", StatusCode::OK, || {
        userinfo_at(&app.base, tokens["access_token"].as_str().unwrap())
    })
    .await;
    for status in noise.await.unwrap() {
        assert!(
            status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE,
            "readiness answered {status}"
        );
    }
}

#[tokio::test]
async fn a_replica_killed_mid_sign_in_leaves_nothing_that_blocks_finishing_on_another() {
    // B runs in this process; A is a real `sesame` process on the same database.
    let b = TestApp::spawn().await;
    let client = b.confidential_client().await;
    let mut a = Proc::start(&b.db.url, &b.smtp.url(), &b.state.config.issuer, &[]).await;
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let lb = LbBrowser::new();
    let page = lb
        .open_login(&a.base, &a.base, &authorize_url(&b, &client, &p))
        .await;
    let res = lb
        .submit_identifier(&a.base, &page, "quinn@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let code = code_from(
        &b.smtp
            .wait_for_message_to("quinn@example.com", MAIL_WAIT)
            .await,
    );

    a.signal("KILL").await;
    let status = a.wait_exit(Duration::from_secs(20)).await;
    assert!(!status.success(), "SIGKILL: {status:?}");

    // The person types the code; the load balancer sends it to B.
    let res = lb.submit_code(&b.base, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &b.base);
    let res = exchange_at(
        &b.base,
        &client,
        &query_param(&back, "code").unwrap(),
        &verifier,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_killed_replicas_delivery_is_taken_over_when_its_lease_ends() {
    let b = TestApp::spawn_with(|c| c.outbox.poll_interval_ms = 100).await;
    let client = b.confidential_client().await;
    // A's SMTP server never answers, so A is killed in the middle of its attempt.
    let hole = BlackholeSmtp::start().await;
    let mut a = Proc::start(
        &b.db.url,
        &hole.url,
        &b.state.config.issuer,
        &[
            ("SESAME_EMAIL__TIMEOUT_SECONDS", "60"),
            ("SESAME_OUTBOX__LEASE_SECONDS", "120"),
        ],
    )
    .await;
    let lb = LbBrowser::new();
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = lb
        .open_login(&a.base, &a.base, &authorize_url(&b, &client, &p))
        .await;
    let res = lb
        .submit_identifier(&a.base, &page, "rosa@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let row = &b
        .state
        .store
        .messages_for_tx(&tx_id(&page.tx))
        .await
        .unwrap()[0];
    let a_id = row.claimed_by.clone().expect("A holds the claim");
    assert_ne!(a_id, b.state.replica.id);

    a.signal("KILL").await;
    a.wait_exit(Duration::from_secs(20)).await;
    // A never gave its claim back; once the lease has run out, B delivers.
    let row = &b
        .state
        .store
        .messages_for_tx(&tx_id(&page.tx))
        .await
        .unwrap()[0];
    assert_eq!(row.claimed_by.as_deref(), Some(a_id.as_str()));
    b.clock.advance(121);
    let code = code_from(
        &b.smtp
            .wait_for_message_to("rosa@example.com", MAIL_WAIT)
            .await,
    );
    let res = lb.submit_code(&b.base, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

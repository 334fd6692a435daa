//! Health, readiness and metrics over HTTP.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use sesame::config::Mode;
use sesame::limits::{self, Rule};

use crate::scale::support::*;
use crate::support::*;

#[tokio::test]
async fn healthz_says_the_process_is_up_and_readyz_that_it_can_serve() {
    let app = TestApp::spawn().await;
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(res.text().await.unwrap(), "ok\n");
    let res = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ready\n");
}

#[tokio::test]
async fn readyz_fails_while_a_migration_is_not_applied() {
    let app = TestApp::spawn().await;
    let exec = |sql: &'static str| {
        let db = app.state.store.db.clone();
        async move {
            sesame::with_pool!(&db, pool => {
                sqlx::query(sql).execute(pool).await.unwrap();
            });
        }
    };
    // As if this binary were newer than the database: its migration 6 is not applied.
    exec("CREATE TABLE migration_backup AS SELECT * FROM _sqlx_migrations WHERE version = 6").await;
    exec("DELETE FROM _sqlx_migrations WHERE version = 6").await;
    let res = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        res.text().await.unwrap(),
        "not ready: migrations not applied: 6\n"
    );
    // Liveness does not depend on it.
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    exec("INSERT INTO _sqlx_migrations SELECT * FROM migration_backup").await;
    let res = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// The value of one metric line (`name{labels}`) in a Prometheus text page.
fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_codes_tokens_denials_and_show_the_outbox() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    // One sign-in with a wrong guess first, then the code exchanged for tokens.
    let browser = Browser::new();
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    let code = app.request_code(&browser, &page, "mia@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        app.submit_code(&browser, &page, wrong).await.status(),
        StatusCode::BAD_REQUEST
    );
    let res = app.submit_code(&browser, &page, &code).await;
    let back = location(&res, &app.base);
    let res = app
        .exchange(
            &client,
            &query_param(&back, "code").unwrap(),
            Some(&verifier),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = reqwest::get(app.url("/no/such/page")).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let rules = [Rule::new("ops_test_rule", 1, 60)];
    for _ in 0..3 {
        limits::hit(&app.state.store, app.state.now(), "k", &rules)
            .await
            .unwrap();
    }

    let res = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = res.text().await.unwrap();
    let expect = [
        ("sesame_http_requests_total{route=\"/authorize\",method=\"GET\",status=\"303\"}", 1.0),
        ("sesame_http_requests_total{route=\"/login\",method=\"POST\",status=\"303\"}", 1.0),
        ("sesame_http_requests_total{route=\"/login/verify\",method=\"POST\",status=\"400\"}", 1.0),
        ("sesame_http_requests_total{route=\"/login/verify\",method=\"POST\",status=\"303\"}", 1.0),
        ("sesame_http_requests_total{route=\"/token\",method=\"POST\",status=\"200\"}", 1.0),
        ("sesame_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}", 1.0),
        ("sesame_http_request_duration_seconds_count{route=\"/token\",method=\"POST\"}", 1.0),
        ("sesame_http_request_duration_seconds_bucket{route=\"/token\",method=\"POST\",le=\"+Inf\"}", 1.0),
        ("sesame_codes_sent_total{channel=\"email\"}", 1.0),
        ("sesame_codes_verified_total{channel=\"email\"}", 1.0),
        ("sesame_code_verifications_failed_total{channel=\"email\"}", 1.0),
        ("sesame_tokens_issued_total{grant_type=\"authorization_code\"}", 1.0),
        ("sesame_rate_limit_denials_total{rule=\"ops_test_rule\"}", 2.0),
        ("sesame_delivery_attempts_total{channel=\"email\",result=\"delivered\"}", 1.0),
        ("sesame_outbox_pending_messages", 0.0),
        ("sesame_database_up", 1.0),
    ];
    for (series, want) in expect {
        assert_eq!(metric(&text, series), Some(want), "{series} in\n{text}");
    }
    assert!(
        !text.contains("/no/such/page"),
        "raw paths never become labels"
    );
    assert!(!text.contains("mia@"), "no personal data in metrics");

    // With SMTP down, a waiting message shows in the outbox depth.
    app.smtp.stop();
    let browser = Browser::new();
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    let res = app
        .submit_identifier(&browser, &page, "noah@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The first attempt starts a little after the answer (at a random moment); wait for it.
    let retry = "sesame_delivery_attempts_total{channel=\"email\",result=\"retry\"}";
    let mut text = String::new();
    for _ in 0..100 {
        text = reqwest::get(app.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if metric(&text, retry).is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(metric(&text, retry), Some(1.0), "{text}");
    assert_eq!(metric(&text, "sesame_outbox_pending_messages"), Some(1.0));
    app.smtp.restart().await;
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_set() {
    let token = "metrics-token-0123456789";
    let app = TestApp::spawn_with(|c| c.ops.metrics_token = Some(token.to_string().into())).await;
    let http = reqwest::Client::new();
    let res = http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers()[WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let res = http
        .get(app.url("/metrics"))
        .header(AUTHORIZATION, "Bearer wrong-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = http
        .get(app.url("/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("# TYPE sesame_http_requests_total counter"));
}

#[tokio::test]
async fn production_hides_metrics_unless_a_token_is_set_or_they_are_made_public() {
    let production = |public: bool| {
        move |c: &mut sesame::config::Config| {
            c.mode = Mode::Production;
            c.issuer = sesame::config::Issuer::parse("https://id.example.test").unwrap();
            c.ops.metrics_public = public;
        }
    };
    let hidden = TestApp::spawn_with(production(false)).await;
    let res = reqwest::get(hidden.url("/metrics")).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Probes stay open: load balancers call them without credentials.
    assert_eq!(
        reqwest::get(hidden.url("/readyz")).await.unwrap().status(),
        StatusCode::OK
    );
    let public = second_replica(&hidden, production(true)).await;
    let res = reqwest::get(public.url("/metrics")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

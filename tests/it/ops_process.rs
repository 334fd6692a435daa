//! The `sesame` binary as operators run it: JSON logs with request ids, and SIGTERM.

use std::time::Duration;

use reqwest::StatusCode;

use crate::scale_support::*;
use crate::support::*;

#[tokio::test]
async fn json_logs_carry_the_request_id_of_each_request() {
    let helper = TestApp::spawn().await;
    let mut p = Proc::start(
        &helper.db.url,
        &helper.smtp.url(),
        "http://sesame.test",
        &[],
    )
    .await;
    let http = reqwest::Client::new();
    let res = http
        .get(format!("{}/healthz", p.base))
        .header("x-request-id", "req-scale-7f3a")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-request-id"], "req-scale-7f3a");
    let line = p
        .wait_for_line("req-scale-7f3a", Duration::from_secs(10))
        .await;
    let v: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
    assert_eq!(v["span"]["request_id"], "req-scale-7f3a", "{v}");
    assert_eq!(v["span"]["path"], "/healthz");
    assert_eq!(v["level"], "INFO");
    assert!(v["timestamp"].is_string() && v["status"] == 200, "{v}");

    // A request without an id gets one, echoed to the client and logged with it.
    let res = http.get(format!("{}/readyz", p.base)).send().await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let line = p.wait_for_line(&id, Duration::from_secs(10)).await;
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["span"]["request_id"], id.as_str());

    // Every line the server wrote after start-up is JSON, and no secret is in any.
    p.signal("TERM").await;
    p.wait_exit(Duration::from_secs(30)).await;
    let after_ready = p.seen.iter().skip_while(|l| !l.contains("sesame is ready"));
    for l in after_ready {
        assert!(serde_json::from_str::<serde_json::Value>(l).is_ok(), "{l}");
    }
    assert!(!p.seen.iter().any(|l| l.contains("test-secret-key")));
}

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish_then_exits_and_gives_back_claims() {
    let helper = TestApp::spawn().await;
    let client = helper.confidential_client().await;
    let hole = BlackholeSmtp::start().await;
    let mut p = Proc::start(
        &helper.db.url,
        &hole.url,
        &helper.state.config.issuer,
        &[
            ("SESAME_EMAIL__TIMEOUT_SECONDS", "60"),
            ("SESAME_OUTBOX__LEASE_SECONDS", "600"),
            ("SESAME_OUTBOX__INLINE_WAIT_MS", "2000"),
            ("SESAME_OPS__SHUTDOWN_TIMEOUT_SECONDS", "5"),
        ],
    )
    .await;
    let lb = std::sync::Arc::new(LbBrowser::new());
    let params = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = lb
        .open_login(&p.base, &p.base, &authorize_url(&helper, &client, &params))
        .await;
    // This request waits for a delivery attempt that hangs.
    let in_flight = {
        let (lb, base, tx, csrf) = (
            lb.clone(),
            p.base.clone(),
            page.tx.clone(),
            page.csrf.clone(),
        );
        tokio::spawn(async move {
            lb.post_form(
                &format!("{base}/login"),
                &[
                    ("tx", &tx),
                    ("csrf", &csrf),
                    ("identifier", "sam@example.com"),
                ],
            )
            .await
            .status()
        })
    };
    let store = helper.state.store.clone();
    let tx = page.tx.clone();
    wait_for(
        "the request to be in flight",
        Duration::from_secs(10),
        || {
            let (store, tx) = (store.clone(), tx.clone());
            async move { store.messages_for_tx(&tx).await.unwrap().into_iter().next() }
        },
    )
    .await;
    p.signal("TERM").await;
    // The in-flight request is answered, not cut.
    assert_eq!(in_flight.await.unwrap(), StatusCode::SEE_OTHER);
    let status = p.wait_exit(Duration::from_secs(30)).await;
    assert!(status.success(), "exit status {status:?}");
    p.drain();
    let log = p.seen.join("\n");
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.contains("abandoning deliveries in flight"), "{log}");
    assert!(log.contains("gave back outbox claims"), "{log}");
    assert!(log.contains("\"stopped\""), "{log}");
    // The hanging attempt's claim was given back: any replica can deliver it at once.
    let row = &store.messages_for_tx(&page.tx).await.unwrap()[0];
    assert_eq!(
        (row.status.as_str(), row.claimed_by.as_deref()),
        ("pending", None)
    );
}

#[tokio::test]
async fn shutdown_deadline_ends_the_process_even_when_a_request_never_finishes() {
    let helper = TestApp::spawn().await;
    let client = helper.confidential_client().await;
    let hole = BlackholeSmtp::start().await;
    let mut p = Proc::start(
        &helper.db.url,
        &hole.url,
        &helper.state.config.issuer,
        &[
            ("SESAME_EMAIL__TIMEOUT_SECONDS", "120"),
            ("SESAME_OUTBOX__LEASE_SECONDS", "600"),
            ("SESAME_OUTBOX__INLINE_WAIT_MS", "120000"),
            ("SESAME_OPS__SHUTDOWN_TIMEOUT_SECONDS", "1"),
        ],
    )
    .await;
    let lb = std::sync::Arc::new(LbBrowser::new());
    let params = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = lb
        .open_login(&p.base, &p.base, &authorize_url(&helper, &client, &params))
        .await;
    let in_flight = {
        let (lb, base, tx, csrf) = (
            lb.clone(),
            p.base.clone(),
            page.tx.clone(),
            page.csrf.clone(),
        );
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let cookie = lb.cookie().unwrap();
            http.post(format!("{base}/login"))
                .header("cookie", cookie)
                .form(&[
                    ("tx", &tx),
                    ("csrf", &csrf),
                    ("identifier", &"tom@example.com".to_string()),
                ])
                .send()
                .await
        })
    };
    let store = helper.state.store.clone();
    let tx = page.tx.clone();
    wait_for(
        "the request to be in flight",
        Duration::from_secs(10),
        || {
            let (store, tx) = (store.clone(), tx.clone());
            async move { store.messages_for_tx(&tx).await.unwrap().into_iter().next() }
        },
    )
    .await;
    p.signal("TERM").await;
    // Far sooner than the request's two minutes: the deadline is one second.
    let status = p.wait_exit(Duration::from_secs(20)).await;
    assert!(status.success(), "exit status {status:?}");
    let log = p.seen.join("\n");
    assert!(log.contains("shutdown deadline passed"), "{log}");
    // The request itself was cut or answered in the last moments; either way it is over.
    let _ = in_flight.await;
    let row = &store.messages_for_tx(&page.tx).await.unwrap()[0];
    assert_eq!(row.claimed_by, None, "its claim was given back");
}

//! The `sesame` binary as operators run it: JSON logs with request ids, and SIGTERM.

use std::time::Duration;

use reqwest::StatusCode;

use crate::scale::support::*;
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

/// A request whose body arrives in two parts over a raw connection, so that it is in
/// flight for as long as the test wants.
struct SlowPost {
    stream: tokio::net::TcpStream,
    rest: String,
}

impl SlowPost {
    /// Sends the headers and the first half of `form` to `base` + `path`, with `cookie`.
    async fn begin(base: &str, path: &str, cookie: &str, form: &[(&str, &str)]) -> SlowPost {
        use tokio::io::AsyncWriteExt;
        let body = serde_urlencoded::to_string(form).unwrap();
        let addr = base.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let (first, rest) = body.split_at(body.len() / 2);
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(first.as_bytes()).await.unwrap();
        stream.flush().await.unwrap();
        SlowPost {
            stream,
            rest: rest.to_string(),
        }
    }

    /// Sends the rest of the body and returns the status line's code.
    async fn finish(mut self) -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        self.stream.write_all(self.rest.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        self.stream.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        answer
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"))
    }
}

/// Opens a sign-in through `p`, asks for a code for `who` (answered at once; its delivery
/// hangs on the black-hole SMTP server) and waits until `p` holds the message's claim.
async fn start_hanging_delivery(
    helper: &TestApp,
    client: &TestClient,
    p: &Proc,
    lb: &LbBrowser,
    who: &str,
) -> String {
    let params = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = lb
        .open_login(&p.base, &p.base, &authorize_url(helper, client, &params))
        .await;
    let res = lb.submit_identifier(&p.base, &page, who).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "answered before delivery"
    );
    let store = helper.state.store.clone();
    let tx = tx_id(&page.tx);
    wait_for(
        "the delivery to be in flight",
        Duration::from_secs(10),
        || {
            let (store, tx) = (store.clone(), tx.clone());
            async move {
                store
                    .messages_for_tx(&tx)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|m| m.claimed_by.is_some())
            }
        },
    )
    .await;
    tx_id(&page.tx)
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
            ("SESAME_OPS__SHUTDOWN_TIMEOUT_SECONDS", "5"),
        ],
    )
    .await;
    let lb = LbBrowser::new();
    let hanging = start_hanging_delivery(&helper, &client, &p, &lb, "sam@example.com").await;

    // A second sign-in's address form is in flight (half its body sent) when SIGTERM comes.
    let params = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = lb
        .open_login(&p.base, &p.base, &authorize_url(&helper, &client, &params))
        .await;
    let slow = SlowPost::begin(
        &p.base,
        "/login",
        &lb.cookie().unwrap(),
        &[
            ("tx", &page.tx),
            ("csrf", &page.csrf),
            ("identifier", "lou@example.com"),
        ],
    )
    .await;
    p.signal("TERM").await;
    p.wait_for_line("shutting down", Duration::from_secs(10))
        .await;
    // The in-flight request is answered, not cut.
    assert_eq!(slow.finish().await, 303);
    let status = p.wait_exit(Duration::from_secs(30)).await;
    assert!(status.success(), "exit status {status:?}");
    p.drain();
    let log = p.seen.join("\n");
    assert!(log.contains("abandoning deliveries in flight"), "{log}");
    assert!(log.contains("gave back outbox claims"), "{log}");
    assert!(log.contains("\"stopped\""), "{log}");
    // The hanging attempt's claim was given back: any replica can deliver it at once.
    let store = &helper.state.store;
    let row = &store.messages_for_tx(&hanging).await.unwrap()[0];
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
            ("SESAME_OPS__SHUTDOWN_TIMEOUT_SECONDS", "1"),
        ],
    )
    .await;
    let lb = LbBrowser::new();
    let hanging = start_hanging_delivery(&helper, &client, &p, &lb, "tom@example.com").await;
    // A request whose body never completes (the connection stays open well past the
    // deadline; the idle timeout is 75 seconds).
    let stuck = SlowPost::begin(
        &p.base,
        "/login",
        &lb.cookie().unwrap(),
        &[("tx", "t"), ("csrf", "c"), ("identifier", "x@example.com")],
    )
    .await;
    p.signal("TERM").await;
    // Far sooner than the request's or the delivery's timeouts: the deadline is one second.
    let status = p.wait_exit(Duration::from_secs(20)).await;
    assert!(status.success(), "exit status {status:?}");
    p.drain();
    let log = p.seen.join("\n");
    assert!(
        log.contains("shutdown deadline passed: exiting with requests still in flight"),
        "{log}"
    );
    drop(stuck);
    let row = &helper.state.store.messages_for_tx(&hanging).await.unwrap()[0];
    assert_eq!(row.claimed_by, None, "its claim was given back");
}

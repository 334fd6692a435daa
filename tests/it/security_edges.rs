//! Edges an outside probe tried: codes and numbers in log lines, slow and idle
//! connections, repeated form fields and client-chosen request ids.

use reqwest::StatusCode;

use crate::support::process::*;
use crate::support::*;

#[tokio::test]
async fn the_development_sms_console_shows_the_code_only_in_its_banner_never_in_a_log_line() {
    let db = TestDb::new().await;
    let server = ServerProcess::start(&db.url, &[("SESAME_LOG_LEVEL", "debug")]).await;
    let base = server.base.clone();
    let browser = Browser::new();
    let page = demo_start(&base, &browser).await;
    let res = browser
        .post_form(
            &format!("{base}/login"),
            &[
                ("tx", &page.tx),
                ("csrf", &page.csrf),
                ("identifier", "+16502530000"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The banner on stdout shows the number and the code to the developer.
    let code = wait_for("the SMS banner on the terminal", &server.stdout, |t| {
        let banner = t.split("SMS (development: NOT sent)").nth(1)?;
        if !banner.contains("To: +16502530000") {
            return None;
        }
        let code: String = banner
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)?
            .to_owned();
        Some(code)
    })
    .await;
    // The log says the console delivered, with the number masked and without the code.
    wait_for("the console log line", &server.stderr, |t| {
        t.contains("development console SMS").then_some(())
    })
    .await;
    let html = demo_finish(&base, &browser, &page, &code).await;
    assert!(html.contains("You are signed in"), "{html}");
    let log = server.stderr_text();
    for line in log.lines() {
        assert!(!line.contains(&code), "the code is in a log line: {line}");
        assert!(
            !line.contains("6502530000"),
            "the full number is in a log line: {line}"
        );
    }
    assert!(
        log.contains("+1********00"),
        "the masked number is logged: {log}"
    );
}

// ---------------------------------------------------------------------------
// Slow and idle connections

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server with the given connection limits (seconds, seconds, connections).
async fn limited(header: u64, idle: u64, max_connections: usize) -> TestApp {
    TestApp::spawn_with(|c| {
        c.server.header_read_timeout_seconds = header;
        c.server.idle_timeout_seconds = idle;
        c.server.max_connections = max_connections;
    })
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(("127.0.0.1", app.port)).await.unwrap()
}

/// Reads until the server closes the connection, for at most `within`. Returns what was
/// read and how long it took, or `None` when the connection was still open.
async fn read_until_closed(s: &mut TcpStream, within: Duration) -> Option<(String, Duration)> {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = within.checked_sub(start.elapsed())?;
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Some((String::from_utf8_lossy(&got).into_owned(), start.elapsed()))
            }
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends `GET /healthz` and reads exactly one response (head and `Content-Length` body).
async fn get_healthz(s: &mut TcpStream, within: Duration) -> Option<String> {
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .ok()?;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .expect("a content-length");
            if body.len() >= len {
                return Some(text);
            }
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => return None,
        }
    }
}

#[tokio::test]
async fn a_half_sent_request_head_is_closed_after_the_header_timeout() {
    let app = limited(1, 60, 64).await;
    let mut s = connect(&app).await;
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let (_, took) = read_until_closed(&mut s, Duration::from_secs(6))
        .await
        .expect("the server closes a connection whose request head never completes");
    assert!(
        took >= Duration::from_millis(800),
        "closed too early: {took:?}"
    );
    // A connection that sends nothing at all is closed the same way.
    let mut silent = connect(&app).await;
    read_until_closed(&mut silent, Duration::from_secs(6))
        .await
        .expect("the server closes a connection that sends nothing");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = limited(30, 1, 64).await;
    let mut s = connect(&app).await;
    let res = get_healthz(&mut s, Duration::from_secs(5))
        .await
        .expect("a response");
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    let (_, took) = read_until_closed(&mut s, Duration::from_secs(6))
        .await
        .expect("the server closes a keep-alive connection left idle");
    assert!(
        took >= Duration::from_millis(800),
        "closed too early: {took:?}"
    );
}

#[tokio::test]
async fn a_stalled_request_body_is_closed_after_the_idle_timeout() {
    let app = limited(30, 1, 64).await;
    let mut s = connect(&app).await;
    s.write_all(
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 100\r\n\r\ntx=a&csrf=",
    )
    .await
    .unwrap();
    read_until_closed(&mut s, Duration::from_secs(6))
        .await
        .expect("the server drops a connection whose body stalls");
}

#[tokio::test]
async fn keep_alive_still_serves_several_requests_on_one_connection() {
    let app = limited(5, 5, 64).await;
    let mut s = connect(&app).await;
    for i in 0..5 {
        let res = get_healthz(&mut s, Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("response {i} on the same connection"));
        assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    }
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let app = limited(30, 30, 2).await;
    let mut first = connect(&app).await;
    let mut second = connect(&app).await;
    for s in [&mut first, &mut second] {
        assert!(get_healthz(s, Duration::from_secs(5)).await.is_some());
    }
    // Both permits are held: a third connection is not served...
    let mut third = connect(&app).await;
    assert!(
        get_healthz(&mut third, Duration::from_millis(1500))
            .await
            .is_none(),
        "a connection past the cap was served"
    );
    // ...until one of the first two closes.
    drop(first);
    let mut buf = Vec::new();
    let res = tokio::time::timeout(Duration::from_secs(5), async {
        let mut chunk = [0u8; 4096];
        loop {
            let n = third.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the waiting connection was closed instead of served");
            buf.extend_from_slice(&chunk[..n]);
            if String::from_utf8_lossy(&buf).contains("\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(
        res.is_ok(),
        "the waiting connection was served once a slot freed"
    );
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    // The second connection was served all along.
    assert!(get_healthz(&mut second, Duration::from_secs(5))
        .await
        .is_some());
}

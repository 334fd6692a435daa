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

// ---------------------------------------------------------------------------
// Confusable addresses

/// Signs in typing `typed`; the code is read from the mail sent to `mailbox`. Returns `sub`.
async fn sub_after_signing_in(
    app: &TestApp,
    client: &TestClient,
    typed: &str,
    mailbox: &str,
) -> String {
    let browser = Browser::new();
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(app, client, &p))
        .await;
    let before = app.smtp.messages().len();
    let res = app.submit_identifier(&browser, &page, typed).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{typed}");
    let mail = app
        .smtp
        .wait_for_message_to(mailbox, Duration::from_secs(20))
        .await;
    assert!(app.smtp.messages().len() > before);
    let code = crate::support::smtp::code_from(&mail);
    let res = app.submit_code(&browser, &page, &code).await;
    let back = location(&res, &app.base);
    let auth_code = query_param(&back, "code").expect("an authorization code");
    let res = app.exchange(client, &auth_code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
    claims["sub"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_unicode_domain_and_its_punycode_sign_in_to_one_account() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let mailbox = "person@xn--bcher-kva.example";
    let unicode = sub_after_signing_in(&app, &client, "Person@Bücher.example", mailbox).await;
    let puny = sub_after_signing_in(&app, &client, mailbox, mailbox).await;
    let fullwidth = sub_after_signing_in(
        &app,
        &client,
        "ｐｅｒｓｏｎ＠ｂüｃｈｅｒ．ｅｘａｍｐｌｅ",
        mailbox,
    )
    .await;
    assert_eq!(unicode, puny, "one mailbox, one account");
    assert_eq!(unicode, fullwidth, "one mailbox, one account");
}

#[tokio::test]
async fn an_address_with_an_invisible_character_gets_a_clear_message_and_no_code() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (_, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    let res = app
        .submit_identifier(&browser, &page, "al\u{ad}ice@example.com")
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("invisible or formatting character"), "{html}");
    assert!(app.smtp.messages().is_empty(), "no code was sent");
}

// ---------------------------------------------------------------------------
// Repeated form fields

#[tokio::test]
async fn repeated_form_fields_get_the_friendly_page_on_every_form() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    for (path, body) in [
        ("/consent", "tx=a&tx=b&csrf=x&decision=allow"),
        ("/logout/confirm", "csrf=x&csrf=y"),
        ("/account/profile", "csrf=x&csrf=y&name=a"),
    ] {
        let res = http
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("This form could not be read"),
            "{path}: {html}"
        );
    }
    for path in ["/consent?tx=a&tx=b", "/account/profile?saved=1&saved=2"] {
        let res = http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
    }
}

// ---------------------------------------------------------------------------
// Request ids

#[tokio::test]
async fn an_unsafe_client_request_id_is_replaced_and_a_safe_one_echoed() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let url = app.url("/healthz");
    let echoed = |v: &str| {
        let http = http.clone();
        let url = url.clone();
        let v = v.to_owned();
        async move {
            let res = http
                .get(&url)
                .header("x-request-id", v.as_bytes())
                .send()
                .await
                .unwrap();
            let ids: Vec<String> = res
                .headers()
                .get_all("x-request-id")
                .iter()
                .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
                .collect();
            assert_eq!(ids.len(), 1, "{ids:?}");
            ids[0].clone()
        }
    };
    let safe = "req-42_A.b";
    assert_eq!(echoed(safe).await, safe);
    let max = "a".repeat(64);
    assert_eq!(echoed(&max).await, max);
    for unsafe_id in [
        "a".repeat(65),
        "id with spaces".to_owned(),
        "evil%0d%0aSet-Cookie:x".to_owned(),
        "x\tinjected".to_owned(),
        "ünïcode".to_owned(),
        "<script>".to_owned(),
    ] {
        let got = echoed(&unsafe_id).await;
        assert_ne!(got, unsafe_id, "echoed as sent");
        assert!(
            uuid_like(&got),
            "{unsafe_id:?} was replaced by a generated id, got {got:?}"
        );
    }
    // Two ids in one request: neither is trusted.
    let res = http
        .get(&url)
        .header("x-request-id", "one")
        .header("x-request-id", "two")
        .send()
        .await
        .unwrap();
    let got = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid_like(&got), "{got}");
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36
        && s.chars().filter(|c| *c == '-').count() == 4
        && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

// ---------------------------------------------------------------------------
// Unknown kids

fn token_with_kid(kid: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "kid": kid });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#),
        URL_SAFE_NO_PAD.encode([0u8; 64])
    )
}

async fn ring(app: &TestApp) -> sesame::tokens::KeyRing {
    sesame::tokens::KeyRing::open(
        app.state.store.clone(),
        (*app.state.secrets).clone(),
        std::sync::Arc::new(app.clock.clone()),
        30,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn tokens_naming_unknown_kids_reload_the_keys_at_most_once_per_interval() {
    use sesame::tokens::keys::UNKNOWN_KID_RELOAD_SECONDS;
    let app = TestApp::spawn().await;
    let ring = ring(&app).await;
    app.clock.advance(UNKNOWN_KID_RELOAD_SECONDS);
    let start = ring.reload_count();
    let mut tasks = Vec::new();
    let ring = std::sync::Arc::new(ring);
    for i in 0..200 {
        let ring = ring.clone();
        tasks.push(tokio::spawn(async move {
            sesame::tokens::verify(&ring, &token_with_kid(&format!("rs256-made-up-{i}"))).await
        }));
    }
    for t in tasks {
        assert!(matches!(
            t.await.unwrap(),
            Err(sesame::tokens::TokenError::UnknownKey)
        ));
    }
    assert_eq!(
        ring.reload_count() - start,
        1,
        "200 unknown kids in one interval reload once"
    );
    // The next interval allows one more.
    app.clock.advance(UNKNOWN_KID_RELOAD_SECONDS);
    for i in 0..50 {
        let r = sesame::tokens::verify(&ring, &token_with_kid(&format!("es256-other-{i}"))).await;
        assert!(r.is_err());
    }
    assert_eq!(ring.reload_count() - start, 2);
}

#[tokio::test]
async fn a_key_rotated_by_another_replica_is_accepted_within_the_reload_interval() {
    use sesame::tokens::keys::UNKNOWN_KID_RELOAD_SECONDS;
    let app = TestApp::spawn().await;
    let here = ring(&app).await;
    let there = ring(&app).await;
    let kid = there.rotate("ES256", 0, 3600).await.unwrap();
    let set = there.keys().await.unwrap();
    let token = sesame::tokens::sign(
        &set,
        sesame::jose::SigningAlg::Es256,
        "JWT",
        &serde_json::json!({ "sub": "x" }),
        app.state.now(),
    )
    .unwrap();
    // Within the interval this replica may not have reloaded yet; after it, it must have,
    // although its 30-second cache has not expired.
    app.clock.advance(UNKNOWN_KID_RELOAD_SECONDS);
    let (payload, header) = sesame::tokens::verify(&here, &token)
        .await
        .expect("the rotated key is found");
    assert_eq!(header.key_id(), Some(kid.as_str()));
    assert!(String::from_utf8_lossy(&payload).contains("\"sub\""));
}

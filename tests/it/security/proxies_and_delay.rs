//! The client address behind proxies and the progressive delay: forwarded headers count
//! only from trusted proxies, and failed verifications from one address slow its answers.

use std::net::IpAddr;

use reqwest::StatusCode;
use sesame::config::LimitsConfig;
use sesame::login::protect::{self, client_ip, ClientIp, IpRange};

use crate::security::common::*;
use crate::support::*;

async fn guess_from(
    app: &TestApp,
    browser: &Browser,
    page: &LoginPage,
    code: &str,
    xff: &str,
) -> StatusCode {
    browser
        .http
        .post(app.url("/login/verify"))
        .header("x-forwarded-for", xff)
        .form(&[
            ("tx", &page.tx),
            ("csrf", &page.csrf),
            ("code", &code.to_string()),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    let app = spawn_quick(|c| {
        c.login.max_attempts = 20;
        c.limits.ip_failures_per_hour = 2;
    })
    .await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = code_page(&app, &browser, &client, "spoof@example.com").await;
    for i in 0..2 {
        let s = guess_from(&app, &browser, &page, &wrong_code(&code, i), "203.0.113.1").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
    // A forged header does not buy a fresh budget.
    let s = guess_from(&app, &browser, &page, &wrong_code(&code, 9), "203.0.113.2").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let events = app
        .state
        .store
        .audit_events(0, Some("verification_failed"), 10)
        .await
        .unwrap();
    assert!(events.iter().all(|e| e.ip.as_deref() == Some("127.0.0.1")));
}

#[tokio::test]
async fn forwarded_for_from_a_trusted_proxy_names_the_client() {
    let app = spawn_quick(|c| {
        c.login.max_attempts = 20;
        c.limits.ip_failures_per_hour = 2;
        c.limits.trusted_proxies = vec!["127.0.0.0/8".to_string()].try_into().unwrap();
    })
    .await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = code_page(&app, &browser, &client, "proxied@example.com").await;
    for i in 0..2 {
        let s = guess_from(&app, &browser, &page, &wrong_code(&code, i), "203.0.113.1").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
    let s = guess_from(&app, &browser, &page, &wrong_code(&code, 3), "203.0.113.1").await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "the forwarded client is out of budget"
    );
    // A client prepending a forged hop is still counted as the address the proxy saw.
    let s = guess_from(
        &app,
        &browser,
        &page,
        &wrong_code(&code, 4),
        "198.51.100.7, 203.0.113.1",
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy has its own budget.
    let s = guess_from(&app, &browser, &page, &wrong_code(&code, 5), "203.0.113.2").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let events = app
        .state
        .store
        .audit_events(0, Some("verification_failed"), 10)
        .await
        .unwrap();
    assert_eq!(events[0].ip.as_deref(), Some("203.0.113.1"));
    assert_eq!(events.last().unwrap().ip.as_deref(), Some("203.0.113.2"));
}

#[test]
fn client_ip_takes_the_rightmost_untrusted_forwarded_hop() {
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let trusted = [
        IpRange::parse("10.0.0.0/8").unwrap(),
        IpRange::parse("::1").unwrap(),
    ];
    let mut h = reqwest::header::HeaderMap::new();
    h.append(
        "x-forwarded-for",
        "6.6.6.6, 198.51.100.9, 10.1.2.3".parse().unwrap(),
    );
    assert_eq!(
        client_ip(Some(ip("10.0.0.1")), &h, &trusted),
        ip("198.51.100.9")
    );
    assert_eq!(
        client_ip(Some(ip("192.0.2.1")), &h, &trusted),
        ip("192.0.2.1"),
        "untrusted peer"
    );
    assert_eq!(
        client_ip(Some(ip("10.0.0.1")), &h, &[]),
        ip("10.0.0.1"),
        "off by default"
    );
    assert_eq!(client_ip(Some(ip("::1")), &h, &trusted), ip("198.51.100.9"));
    let mut garbage = reqwest::header::HeaderMap::new();
    garbage.append(
        "x-forwarded-for",
        "198.51.100.9, not-an-ip".parse().unwrap(),
    );
    assert_eq!(
        client_ip(Some(ip("10.0.0.1")), &garbage, &trusted),
        ip("10.0.0.1")
    );
    assert_eq!(
        client_ip(Some(ip("::ffff:192.0.2.5")), &h, &[]),
        ip("192.0.2.5")
    );
    assert_eq!(
        client_ip(None, &h, &trusted),
        ip("0.0.0.0"),
        "no peer address: one shared bucket"
    );
    // IPv6 clients are counted per /64.
    assert_eq!(
        ClientIp(ip("2001:db8:1:2:aaaa::1")).limit_key(),
        ClientIp(ip("2001:db8:1:2:bbbb::9")).limit_key()
    );
    assert_ne!(
        ClientIp(ip("2001:db8:1:2::1")).limit_key(),
        ClientIp(ip("2001:db8:1:3::1")).limit_key()
    );
    assert!(IpRange::parse("10.0.0.0/33").is_err());
    assert!(IpRange::parse("example.com").is_err());
}

#[test]
fn progressive_delay_grows_with_ip_failures_and_is_capped() {
    let cfg = LimitsConfig::default();
    let ms = |n| protect::delay_for(n, &cfg).as_millis();
    assert_eq!(ms(1), 0);
    assert_eq!(ms(3), 0, "the first failures cost nothing");
    assert_eq!(ms(4), 250);
    assert_eq!(ms(5), 500);
    assert_eq!(ms(6), 1000);
    assert_eq!(ms(8), 4000);
    assert_eq!(ms(9), 5000, "capped");
    assert_eq!(ms(10_000), 5000);
    let off = LimitsConfig {
        ip_delay_base_ms: 0,
        ..LimitsConfig::default()
    };
    assert_eq!(protect::delay_for(50, &off).as_millis(), 0);
}

#[tokio::test]
async fn failed_verifications_from_an_ip_raise_its_answer_delay() {
    let app = TestApp::spawn_with(|c| {
        c.login.max_attempts = 20;
        c.limits.ip_delay_base_ms = 1;
        c.limits.ip_delay_max_ms = 1000;
        c.limits.ip_free_failures = 2;
    })
    .await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = code_page(&app, &browser, &client, "slow@example.com").await;
    let me = ClientIp("127.0.0.1".parse().unwrap());
    let mut seen = Vec::new();
    for i in 0..6 {
        let res = app
            .submit_code(&browser, &page, &wrong_code(&code, i))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let next = protect::failed_verification(&protect::Guard::of(&app.state), &me, false)
            .await
            .unwrap();
        seen.push(next.as_millis());
    }
    assert_eq!(seen, [0, 0, 1, 2, 4, 8]);
    // Another address is not slowed down.
    let other = ClientIp("192.0.2.44".parse().unwrap());
    let d = protect::failed_verification(&protect::Guard::of(&app.state), &other, false)
        .await
        .unwrap();
    assert!(d.is_zero());
}

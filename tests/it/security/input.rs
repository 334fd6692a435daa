//! Bad input: oversized bodies, over-long and repeated parameters, invalid UTF-8, wrong
//! content types, header injection in addresses, absurd phone numbers and oversized JSON.
//! People get a friendly page, relying parties the RFC's JSON error, nobody a 500.

use reqwest::{Response, StatusCode};

use crate::security::common::*;
use crate::support::*;

const FORM: &str = "application/x-www-form-urlencoded";

async fn raw_post(b: &Browser, url: &str, content_type: &str, body: Vec<u8>) -> Response {
    b.http
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A friendly HTML page with `status`.
async fn assert_page(res: Response, status: StatusCode, what: &str) -> String {
    assert_eq!(res.status(), status, "{what}");
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/html"), "{what}: {ct}");
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>"), "{what}: {html}");
    html
}

/// The RFC 6749 5.2 JSON error shape.
async fn assert_oauth_error(res: Response, what: &str) -> String {
    assert!(res.status().is_client_error(), "{what}: {}", res.status());
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/json"), "{what}: {ct}");
    let v: serde_json::Value = res.json().await.unwrap();
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {v}"))
        .to_string()
}

#[tokio::test]
async fn login_forms_answer_malformed_bodies_with_friendly_pages() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let page = begin(&app, &b, &client).await;
    let url = app.url("/login");
    let ok_prefix = format!("tx={}&csrf={}", page.tx, page.csrf);

    let json = format!(
        "{{\"tx\":\"{}\",\"csrf\":\"{}\",\"identifier\":\"a@b.cd\"}}",
        page.tx, page.csrf
    );
    let res = raw_post(&b, &url, "application/json", json.into_bytes()).await;
    assert_page(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, "json body").await;

    let big = format!("{ok_prefix}&identifier={}", "a".repeat(70 * 1024));
    let res = raw_post(&b, &url, FORM, big.into_bytes()).await;
    assert_page(
        res,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body over the global limit",
    )
    .await;

    let medium = format!("{ok_prefix}&identifier=a@b.cd&pad={}", "a".repeat(20_000));
    let res = raw_post(&b, &url, FORM, medium.into_bytes()).await;
    assert_page(
        res,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body over the form limit",
    )
    .await;

    let long = format!("{ok_prefix}&identifier={}", "1".repeat(5000));
    let res = raw_post(&b, &url, FORM, long.into_bytes()).await;
    assert_page(res, StatusCode::BAD_REQUEST, "over-long parameter").await;

    let mut bad_utf8 = format!("{ok_prefix}&identifier=").into_bytes();
    bad_utf8.extend_from_slice(b"%FF%FE@example.com");
    let res = raw_post(&b, &url, FORM, bad_utf8).await;
    assert_page(res, StatusCode::BAD_REQUEST, "invalid UTF-8 (escaped)").await;
    let mut raw_utf8 = format!("{ok_prefix}&identifier=").into_bytes();
    raw_utf8.extend_from_slice(&[0xff, 0xfe, b'@', b'x', b'.', b'y']);
    let res = raw_post(&b, &url, FORM, raw_utf8).await;
    assert_page(res, StatusCode::BAD_REQUEST, "invalid UTF-8 (raw)").await;

    let res = raw_post(&b, &url, FORM, b"identifier=a@b.cd".to_vec()).await;
    // Missing fields read as empty: the missing anti-CSRF token refuses the form.
    assert_page(res, StatusCode::FORBIDDEN, "missing fields").await;

    let res = b.get(&app.url("/login")).await;
    assert_page(res, StatusCode::BAD_REQUEST, "no tx").await;
    let res = b.get(&format!("{}&tx=other", page.url)).await;
    assert_page(res, StatusCode::BAD_REQUEST, "repeated tx").await;
    let res = b
        .get(&app.url(&format!("/login?tx={}", "t".repeat(5000))))
        .await;
    assert_page(res, StatusCode::BAD_REQUEST, "over-long tx").await;
    app.settle_outbox().await;
    assert!(app.smtp.messages().is_empty());
}

#[tokio::test]
async fn a_repeated_identifier_is_refused_not_mailed_to_both() {
    // GitLab CVE-2023-7028 mailed a reset link to an attacker's second address.
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let page = begin(&app, &b, &client).await;
    let body = format!(
        "tx={}&csrf={}&identifier=victim%40example.com&identifier=attacker%40example.com",
        page.tx, page.csrf
    );
    let res = raw_post(&b, &app.url("/login"), FORM, body.into_bytes()).await;
    assert_page(res, StatusCode::BAD_REQUEST, "repeated identifier").await;
    app.settle_outbox().await;
    assert!(app.smtp.messages().is_empty(), "nothing was sent to anyone");
}

#[tokio::test]
async fn header_injection_in_an_address_is_refused() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let page = begin(&app, &b, &client).await;
    for evil in [
        "a@b.cd\r\nBcc: evil@example.com",
        "a@b.cd\nBcc:evil@example.com",
        "a@b.cd%0d%0aBcc:evil@example.com",
        "a@b.cd,evil@example.com",
        "Victim <a@b.cd>, evil@example.com",
        "a@b.cd\u{2028}Bcc: evil@example.com",
    ] {
        let res = app.submit_identifier(&b, &page, evil).await;
        let html = assert_page(res, StatusCode::BAD_REQUEST, evil).await;
        assert!(
            html.contains("does not look like an email address"),
            "{evil}: {html}"
        );
    }
    app.settle_outbox().await;
    assert!(app.smtp.messages().is_empty());
}

#[tokio::test]
async fn absurd_phone_numbers_and_addresses_get_a_clear_error() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let page = begin(&app, &b, &client).await;
    let long_local = format!("{}@example.com", "a".repeat(300));
    let many_digits = format!("+{}", "9".repeat(3000));
    let cases: [(&str, &str); 6] = [
        // Phone-shaped input is read as a phone number (SMS is on in development).
        ("+1 555 0100", "does not look like a phone number"),
        (
            "+999999999999999999999999",
            "does not look like a phone number",
        ),
        (&many_digits, "too long"),
        (&long_local, "too long"),
        ("", "Enter your email address"),
        ("\u{0}@example.com", "does not look like an email address"),
    ];
    for (input, says) in cases {
        let res = app.submit_identifier(&b, &page, input).await;
        let html = assert_page(res, StatusCode::BAD_REQUEST, input).await;
        // A phone-shaped overlong input may be refused as a phone number instead.
        let phone_refusal =
            says == "too long" && html.contains("does not look like a phone number");
        assert!(html.contains(says) || phone_refusal, "{input:?}: {html}");
    }
    app.settle_outbox().await;
    assert!(app.smtp.messages().is_empty());
}

#[tokio::test]
async fn protocol_endpoints_answer_bad_input_in_the_rfc_shape() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let token = app.url("/token");
    let big_json = format!(
        "{{\"grant_type\":\"authorization_code\",\"pad\":\"{}\"}}",
        "x".repeat(200_000)
    );
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "json body",
            "application/json",
            b"{\"grant_type\":\"authorization_code\"}".to_vec(),
        ),
        ("oversized json", "application/json", big_json.into_bytes()),
        (
            "oversized form",
            FORM,
            format!("grant_type=x&pad={}", "y".repeat(100_000)).into_bytes(),
        ),
        (
            "repeated grant_type",
            FORM,
            b"grant_type=authorization_code&grant_type=client_credentials&client_id=x".to_vec(),
        ),
        (
            "invalid utf-8",
            FORM,
            b"grant_type=authorization_code&client_id=%FF".to_vec(),
        ),
        (
            "over-long parameter",
            FORM,
            format!("client_id={}", "c".repeat(5000)).into_bytes(),
        ),
        (
            "no content type",
            "",
            b"grant_type=authorization_code".to_vec(),
        ),
    ];
    for (what, ct, body) in cases {
        let mut req = reqwest::Client::new().post(&token).body(body);
        if !ct.is_empty() {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.unwrap();
        let err = assert_oauth_error(res, what).await;
        assert_eq!(err, "invalid_request", "{what}");
    }
    // A repeated client_id with Basic credentials is still refused before anything else.
    let res = reqwest::Client::new()
        .post(&token)
        .basic_auth(&client.id, client.secret.as_ref())
        .header("content-type", FORM)
        .body("grant_type=authorization_code&code=a&code=b")
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_oauth_error(res, "repeated code").await,
        "invalid_request"
    );

    let res = reqwest::Client::new()
        .post(app.url("/userinfo"))
        .header("content-type", FORM)
        .body(format!("access_token={}", "t".repeat(100_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_oauth_error(res, "userinfo oversized").await,
        "invalid_request"
    );

    // /authorize answers a person: a page, and never a redirect before the client is known.
    let q = format!(
        "/authorize?response_type=code&client_id={}&client_id=other&redirect_uri={}",
        client.id, client.redirect_uri
    );
    let res = b.get(&app.url(&q)).await;
    assert_page(res, StatusCode::BAD_REQUEST, "repeated client_id").await;
    let res = b.get(&app.url("/authorize?client_id=%FF%FE")).await;
    assert_page(res, StatusCode::BAD_REQUEST, "invalid UTF-8 at authorize").await;
}

#[tokio::test]
async fn no_garbage_input_makes_any_endpoint_fail_with_a_500() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let page = begin(&app, &b, &client).await;
    let paths = [
        "/authorize",
        "/login",
        "/login/verify",
        "/login/resend",
        "/login/restart",
        "/token",
        "/userinfo",
        "/demo/start",
        "/demo/callback",
    ];
    let bodies: Vec<Vec<u8>> = vec![
        vec![],
        b"&&&===&&".to_vec(),
        b"%".to_vec(),
        b"%zz=%zz".to_vec(),
        vec![0, 159, 146, 150],
        format!("tx={}&csrf={}&code=%00%00", page.tx, page.csrf).into_bytes(),
        format!(
            "tx={}&csrf={}&code={}",
            page.tx,
            page.csrf,
            "9".repeat(4000)
        )
        .into_bytes(),
        "a=".repeat(500).into_bytes(),
        b"{\"a\":[1,2,3]}".to_vec(),
    ];
    for path in paths {
        for body in &bodies {
            for ct in [
                FORM,
                "application/json",
                "text/plain; charset=utf-8",
                "multipart/form-data",
            ] {
                let res = raw_post(&b, &app.url(path), ct, body.clone()).await;
                assert!(
                    res.status().as_u16() < 500,
                    "POST {path} {ct} {body:?}: {}",
                    res.status()
                );
            }
            let q: String = body
                .iter()
                .filter(|c| c.is_ascii_graphic() && **c != b'#')
                .map(|c| *c as char)
                .collect();
            let res = b.get(&format!("{}?{q}", app.url(path))).await;
            assert!(
                res.status().as_u16() < 500,
                "GET {path}?{q}: {}",
                res.status()
            );
        }
    }
}

//! Response headers on every kind of page and protocol response: a strict CSP without
//! inline script, no framing, no referrer, no sniffing, no caching of anything personal,
//! and HSTS when the issuer is https.

use reqwest::{Response, StatusCode};

use crate::security::common::*;
use crate::support::*;

struct Seen {
    what: String,
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

async fn seen(what: &str, res: Response) -> Seen {
    Seen {
        what: what.to_string(),
        status: res.status(),
        headers: res.headers().clone(),
        body: res.text().await.unwrap(),
    }
}

fn header<'a>(s: &'a Seen, name: &str) -> &'a str {
    s.headers
        .get(name)
        .unwrap_or_else(|| panic!("{}: no {name} header ({})", s.what, s.status))
        .to_str()
        .unwrap()
}

/// One of each kind of response a person or a relying party can get.
async fn every_kind(app: &TestApp) -> Vec<Seen> {
    let client = app.confidential_client().await;
    let b = Browser::new();
    let mut out = Vec::new();
    let (verifier, challenge) = pkce_pair();
    let auth = authorize_url(
        app,
        &client,
        &AuthParams {
            challenge: Some(challenge),
            ..Default::default()
        },
    );
    out.push(seen("authorize redirect", b.get(&auth).await).await);
    let page = app.open_login(&b, &auth).await;
    out.push(seen("identifier page", b.get(&page.url).await).await);
    let bad = app.submit_identifier(&b, &page, "not an address").await;
    out.push(seen("identifier error page", bad).await);
    let code = app.request_code(&b, &page, "headers@example.com").await;
    out.push(seen("code page", b.get(&page.url).await).await);
    let wrong = app.submit_code(&b, &page, &wrong_code(&code, 0)).await;
    out.push(seen("wrong code page", wrong).await);
    let csrf = b
        .post_form(
            &app.url("/login"),
            &[("tx", &page.tx), ("csrf", "x"), ("identifier", "a@b.cd")],
        )
        .await;
    out.push(seen("csrf error page", csrf).await);
    out.push(
        seen(
            "expired sign-in page",
            b.get(&app.url("/login?tx=nope")).await,
        )
        .await,
    );
    let unknown = b
        .get(&app.url("/authorize?client_id=nope&response_type=code"))
        .await;
    out.push(seen("authorize error page", unknown).await);
    let back = app.submit_code(&b, &page, &code).await;
    let cb = location(&back, &app.base);
    out.push(seen("sign-in redirect", back).await);
    let code = query_param(&cb, "code").unwrap();
    let token = app.exchange(&client, &code, Some(&verifier)).await;
    let t = seen("token response", token).await;
    let tokens: serde_json::Value = serde_json::from_str(&t.body).unwrap();
    out.push(t);
    let reuse = app.exchange(&client, &code, Some(&verifier)).await;
    out.push(seen("token error", reuse).await);
    let http = reqwest::Client::new();
    let ui = http
        .get(app.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    out.push(seen("userinfo", ui).await);
    out.push(
        seen(
            "userinfo error",
            http.get(app.url("/userinfo")).send().await.unwrap(),
        )
        .await,
    );
    out.push(seen("demo home", b.get(&app.url("/")).await).await);
    out.push(seen("not found", b.get(&app.url("/nowhere")).await).await);
    out.push(
        seen(
            "discovery",
            b.get(&app.url("/.well-known/openid-configuration")).await,
        )
        .await,
    );
    out.push(seen("jwks", b.get(&app.url("/jwks")).await).await);
    out.push(seen("stylesheet", b.get(&app.url("/static/sesame.css")).await).await);
    out
}

/// ` onclick=`-style attributes.
fn has_event_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(i, _)| {
        let rest = &html[i + 3..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        !name.is_empty() && rest[name.len()..].starts_with('=')
    })
}

/// Public documents that may be cached: they hold nothing personal.
const PUBLIC: &[&str] = &["discovery", "jwks", "stylesheet"];

#[tokio::test]
async fn every_page_and_protocol_response_carries_the_security_headers() {
    let app = spawn_quick(|_| {}).await;
    let all = every_kind(&app).await;
    for s in &all {
        assert!(s.status.as_u16() < 500, "{}: {}", s.what, s.status);
        assert_eq!(header(s, "x-content-type-options"), "nosniff", "{}", s.what);
        assert_eq!(header(s, "x-frame-options"), "DENY", "{}", s.what);
        assert_eq!(header(s, "referrer-policy"), "no-referrer", "{}", s.what);
        let csp = header(s, "content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{}: {csp}", s.what);
        assert!(csp.contains("frame-ancestors 'none'"), "{}: {csp}", s.what);
        assert!(csp.contains("base-uri 'none'"), "{}: {csp}", s.what);
        assert!(!csp.contains("unsafe-inline"), "{}: {csp}", s.what);
        assert!(!csp.contains("unsafe-eval"), "{}: {csp}", s.what);
        assert!(!csp.contains("script-src"), "no script may run: {csp}");
        let cache = header(s, "cache-control");
        if PUBLIC.contains(&s.what.as_str()) {
            assert!(cache.starts_with("public"), "{}: {cache}", s.what);
        } else {
            assert_eq!(cache, "no-store", "{}", s.what);
        }
        assert!(
            s.headers.get("strict-transport-security").is_none(),
            "no HSTS on an http issuer: {}",
            s.what
        );
        // Pages carry no inline script or style the CSP would have to allow.
        let body = s.body.to_ascii_lowercase();
        assert!(!body.contains("<script"), "{}", s.what);
        assert!(!body.contains(" style="), "{}", s.what);
        assert!(!body.contains("<style"), "{}", s.what);
        assert!(
            !has_event_handler(&body),
            "no event handler attributes: {}",
            s.what
        );
    }
    let token = all.iter().find(|s| s.what == "token response").unwrap();
    assert_eq!(header(token, "pragma"), "no-cache");
}

#[tokio::test]
async fn hsts_is_sent_when_the_issuer_is_https() {
    let app = spawn_quick(|c| {
        c.issuer = sesame::config::Issuer::parse(&c.issuer.replace("http://", "https://")).unwrap()
    })
    .await;
    let b = Browser::new();
    for path in [
        "/",
        "/.well-known/openid-configuration",
        "/login?tx=x",
        "/nowhere",
    ] {
        let res = b.get(&app.url(path)).await;
        let hsts = res
            .headers()
            .get("strict-transport-security")
            .unwrap_or_else(|| panic!("no HSTS on {path}"))
            .to_str()
            .unwrap()
            .to_string();
        let age: i64 = hsts
            .split(';')
            .find_map(|p| p.trim().strip_prefix("max-age="))
            .unwrap()
            .parse()
            .unwrap();
        assert!(age >= 31_536_000, "{path}: {hsts}");
    }
}

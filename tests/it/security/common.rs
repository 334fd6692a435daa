//! Helpers shared by the security stories (tests/it/security_*.rs).

use reqwest::{Response, StatusCode};
use sesame::config::Config;

use crate::support::*;

/// A server whose answer delays after failures are tiny, so stories that fail many times
/// stay quick. The delay's growth is proven on `protect::delay_for` and by
/// `failed_verifications_from_an_ip_raise_its_answer_delay`.
pub async fn spawn_quick(adjust: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::spawn_with(|c| {
        c.limits.ip_delay_base_ms = 1;
        c.limits.ip_delay_max_ms = 5;
        adjust(c)
    })
    .await
}

/// Starts a sign-in (PKCE) and returns the first page.
pub async fn begin(app: &TestApp, browser: &Browser, client: &TestClient) -> LoginPage {
    let (_, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    app.open_login(browser, &authorize_url(app, client, &p))
        .await
}

/// Starts a sign-in and asks for a code; returns the page and the code from the email.
pub async fn code_page(
    app: &TestApp,
    browser: &Browser,
    client: &TestClient,
    email: &str,
) -> (LoginPage, String) {
    let page = begin(app, browser, client).await;
    let code = app.request_code(browser, &page, email).await;
    (page, code)
}

/// A code that is certainly not `right`.
pub fn wrong_code(right: &str, i: u32) -> String {
    let r: u32 = right.parse().unwrap();
    format!("{:06}", (r + 1 + (i % 999_998)) % 1_000_000)
}

pub async fn audit_count(app: &TestApp, kind: &str) -> usize {
    app.state
        .store
        .audit_events(0, Some(kind), 100_000)
        .await
        .unwrap()
        .len()
}

pub async fn tx_attempts(app: &TestApp, tx: &str) -> i64 {
    app.state
        .store
        .get_login_tx(&tx_id(tx), app.state.now())
        .await
        .unwrap()
        .expect("the sign-in exists")
        .attempts
}

pub async fn resend(app: &TestApp, browser: &Browser, page: &LoginPage) -> Response {
    browser
        .post_form(
            &app.url("/login/resend"),
            &[("tx", &page.tx), ("csrf", &page.csrf)],
        )
        .await
}

/// The body of the page a 303 leads to.
pub async fn follow(app: &TestApp, browser: &Browser, res: Response) -> (StatusCode, String) {
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let next = browser.get(&location(&res, &app.base)).await;
    let status = next.status();
    (status, next.text().await.unwrap())
}

/// Every `Set-Cookie` header of a response.
pub fn set_cookies(res: &Response) -> Vec<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

/// `(name, value)` of the first cookie a response sets.
pub fn cookie_pair(res: &Response) -> Option<(String, String)> {
    let c = set_cookies(res).into_iter().next()?;
    let first = c.split(';').next()?.trim().to_string();
    let (n, v) = first.split_once('=')?;
    Some((n.to_string(), v.to_string()))
}

/// The number of mails the sink received for `rcpt`.
pub fn mails_to(app: &TestApp, rcpt: &str) -> usize {
    app.smtp
        .messages()
        .iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(rcpt)))
        .count()
}

/// Waits for the deliveries made after the pages answered, then counts: a mail not in the
/// sink once the outbox has settled was never sent.
pub async fn assert_mails(app: &TestApp, rcpt: &str, expected: usize) {
    app.settle_outbox().await;
    assert_eq!(mails_to(app, rcpt), expected, "mails to {rcpt}");
}

/// Moves the clock to just after the start of a UTC day, so hour and day windows of a
/// story never straddle midnight.
pub fn align_to_day_start(app: &TestApp) {
    let now = app.state.now();
    app.clock.advance(86_400 - now.rem_euclid(86_400) + 60);
}

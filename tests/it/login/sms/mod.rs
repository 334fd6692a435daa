//! Sign-in with a phone number: the SMS senders against a stand-in provider that checks
//! their exact wire format, the whole sign-in story, and every limit that guards SMS.

mod fake;
mod flow;
mod identifiers;
mod limits;
mod senders;

use hmac::{Hmac, Mac};
use reqwest::{Response, StatusCode};
use sesame::config::{Config, SmsProvider};
use sha2::Sha256;

use crate::support::*;
use fake::{Captured, FakeProvider};

pub const WEBHOOK_SECRET: &str = "webhook-secret-0123456789abcdef-0123456789";
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";

/// Sends codes through the signed webhook to `fake`.
pub fn use_webhook(cfg: &mut Config, fake: &FakeProvider) {
    cfg.sms.provider = Some(SmsProvider::Webhook);
    cfg.sms.webhook.url = format!("{}/hooks/sms", fake.base);
    cfg.sms.webhook.secret = Some(WEBHOOK_SECRET.to_string().into());
}

/// Sends codes through the Twilio API at `fake`.
pub fn use_twilio(cfg: &mut Config, fake: &FakeProvider) {
    cfg.sms.provider = Some(SmsProvider::Twilio);
    cfg.sms.twilio.account_sid = ACCOUNT_SID.into();
    cfg.sms.twilio.auth_token = Some("twilio-auth-token".to_string().into());
    cfg.sms.twilio.from = Some("+15005550006".into());
    cfg.sms.twilio.base_url = fake.base.clone();
}

pub async fn webhook_app(fake: &FakeProvider, adjust: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::spawn_with(|cfg| {
        use_webhook(cfg, fake);
        // These stories test the SMS rules ([sms.limits]); the channel-wide send limits
        // ([limits.sms], security_sending) are raised out of their way.
        cfg.limits.sms.per_identifier_per_hour = 1000;
        cfg.limits.sms.per_identifier_per_day = 1000;
        cfg.limits.sms.per_ip_per_hour = 1000;
        cfg.limits.sms.per_ip_per_day = 1000;
        adjust(cfg);
    })
    .await
}

/// Moves the clock to one second past midnight UTC, so every limit window (15 minutes,
/// an hour, a day) has just begun and a test cannot straddle two windows.
pub fn align_to_day(app: &TestApp) {
    let now = app.state.now();
    app.clock.advance(86_400 - now.rem_euclid(86_400) + 1);
}

/// An authorization request for the `phone` scope, with PKCE.
pub fn phone_params() -> AuthParams {
    AuthParams {
        scope: "openid phone".into(),
        challenge: Some(pkce_pair().1),
        ..Default::default()
    }
}

/// An authorization request for the `email` scope, with PKCE.
pub fn email_params() -> AuthParams {
    AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    }
}

/// Opens a new sign-in and types `number` on the first page.
pub async fn ask_code(
    app: &TestApp,
    browser: &Browser,
    client: &TestClient,
    number: &str,
) -> (LoginPage, Response) {
    let page = app
        .open_login(browser, &authorize_url(app, client, &phone_params()))
        .await;
    let res = app.submit_identifier(browser, &page, number).await;
    (page, res)
}

/// Like [`ask_code`], and the send must be accepted.
pub async fn ask_code_ok(
    app: &TestApp,
    browser: &Browser,
    client: &TestClient,
    number: &str,
) -> LoginPage {
    let (page, res) = ask_code(app, browser, client, number).await;
    let status = res.status();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "sending to {number} was refused: {}",
        res.text().await.unwrap()
    );
    app.settle_outbox().await;
    page
}

/// Checks `X-Sesame-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t." + body)>` the way
/// a receiver would: Some(t) when it verifies.
pub fn signature_matches(req: &Captured, secret: &str) -> Option<i64> {
    let header = req.header("x-sesame-signature")?;
    let (t, v1) = header.split_once(",v1=")?;
    let t = t.strip_prefix("t=")?;
    if v1.len() != 64 {
        return None;
    }
    let got: Vec<u8> = (0..v1.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&v1[i..i + 2], 16).ok())
        .collect::<Option<_>>()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&req.body);
    mac.verify_slice(&got).ok()?;
    t.parse().ok()
}

/// As [`signature_matches`], and it must verify.
pub fn verify_signature(req: &Captured, secret: &str) -> i64 {
    signature_matches(req, secret).unwrap_or_else(|| {
        panic!(
            "the webhook signature does not verify: {:?}",
            req.header("x-sesame-signature")
        )
    })
}

/// The `sms_denied` audit events' details, oldest first.
pub async fn denials(app: &TestApp) -> Vec<serde_json::Value> {
    app.state
        .store
        .audit_events(0, Some("sms_denied"), 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str(&e.detail).unwrap())
        .collect()
}

//! The SMS senders on the wire: each request is checked byte for byte by a local server
//! standing in for the provider, including its error answers and its silence.

use std::time::Duration;

use base64::Engine;
use sesame::config::{Mode, SmsConfig, SmsProvider};
use sesame::delivery::sms::{SmsError, SmsSender};
use sesame::delivery::CodeMessage;

use super::fake::{FakeProvider, Reply};
use super::{signature_matches, verify_signature, ACCOUNT_SID, WEBHOOK_SECRET};

const NOW: i64 = 1_700_000_000;

fn message() -> CodeMessage<'static> {
    CodeMessage {
        to: "+16502530000",
        code: "424242",
        product_name: "Sesame",
        client_name: "Demo app",
        issuer_host: "id.example.com:8443",
        expires_minutes: 15,
        // A text never carries the link, even when the sign-in has one.
        link: Some("https://id.example.com:8443/login/link?tx=t&k=never-in-a-text"),
        tr: sesame::i18n::builtin().tr(sesame::i18n::builtin().default_locale()),
    }
}

const BODY: &str = "424242 is your Sesame code\n\n@id.example.com #424242";

fn twilio(base: &str) -> SmsConfig {
    let mut c = SmsConfig {
        provider: Some(SmsProvider::Twilio),
        ..Default::default()
    };
    c.twilio.account_sid = ACCOUNT_SID.into();
    c.twilio.auth_token = Some("twilio-auth-token".to_string().into());
    c.twilio.from = Some("+15005550006".into());
    c.twilio.base_url = base.into();
    c
}

fn webhook(url: String) -> SmsConfig {
    let mut c = SmsConfig {
        provider: Some(SmsProvider::Webhook),
        ..Default::default()
    };
    c.webhook.url = url;
    c.webhook.secret = Some(WEBHOOK_SECRET.to_string().into());
    c
}

fn sender(cfg: &SmsConfig, timeout: Duration) -> SmsSender {
    SmsSender::with_timeout(
        cfg,
        Mode::Development,
        "https://id.example.com:8443",
        timeout,
    )
    .unwrap()
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[tokio::test]
async fn twilio_sender_posts_the_messages_form_with_account_basic_auth() {
    let fake = FakeProvider::accepting().await;
    let s = sender(&twilio(&fake.base), Duration::from_secs(10));
    s.send_code(&message(), NOW).await.unwrap();
    let req = fake.last();
    assert_eq!(fake.count(), 1);
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.path,
        format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    );
    assert_eq!(
        req.header("authorization").as_deref(),
        Some(basic(ACCOUNT_SID, "twilio-auth-token").as_str())
    );
    assert_eq!(
        req.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        req.form(),
        vec![
            ("To".to_string(), "+16502530000".to_string()),
            ("From".to_string(), "+15005550006".to_string()),
            ("Body".to_string(), BODY.to_string()),
        ]
    );
    // `+` is percent-encoded on the wire, not sent as a space.
    assert!(
        req.text().starts_with("To=%2B16502530000&"),
        "{}",
        req.text()
    );
}

#[tokio::test]
async fn twilio_sender_can_use_an_api_key_and_a_messaging_service() {
    let fake = FakeProvider::accepting().await;
    let mut cfg = twilio(&format!("{}/", fake.base));
    cfg.twilio.auth_token = None;
    cfg.twilio.api_key_sid = Some("SK0123456789abcdef0123456789abcdef".into());
    cfg.twilio.api_key_secret = Some("api-key-secret".to_string().into());
    cfg.twilio.from = None;
    cfg.twilio.messaging_service_sid = Some("MG0123456789abcdef0123456789abcdef".into());
    sender(&cfg, Duration::from_secs(10))
        .send_code(&message(), NOW)
        .await
        .unwrap();
    let req = fake.last();
    // The account SID stays in the path; the key authenticates.
    assert_eq!(
        req.path,
        format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    );
    assert_eq!(
        req.header("authorization").as_deref(),
        Some(basic("SK0123456789abcdef0123456789abcdef", "api-key-secret").as_str())
    );
    assert_eq!(
        req.form(),
        vec![
            ("To".to_string(), "+16502530000".to_string()),
            (
                "MessagingServiceSid".to_string(),
                "MG0123456789abcdef0123456789abcdef".to_string()
            ),
            ("Body".to_string(), BODY.to_string()),
        ]
    );
}

#[tokio::test]
async fn twilio_error_reports_status_and_code_but_never_the_code_or_number() {
    let fake = FakeProvider::start(Reply::Json(
        400,
        serde_json::json!({
            "code": 21211,
            "message": "The 'To' number +16502530000 is not a valid phone number (body 424242).",
            "more_info": "https://www.twilio.com/docs/errors/21211",
            "status": 400
        }),
    ))
    .await;
    let err = sender(&twilio(&fake.base), Duration::from_secs(10))
        .send_code(&message(), NOW)
        .await
        .unwrap_err();
    match &err {
        SmsError::Rejected {
            provider,
            status,
            code,
            detail,
        } => {
            assert_eq!(*provider, "twilio");
            assert_eq!(*status, 400);
            assert_eq!(code.as_deref(), Some("21211"));
            assert!(detail.contains("is not a valid phone number"), "{detail}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("HTTP 400") && text.contains("21211"),
        "{text}"
    );
    assert!(!text.contains("424242"), "the code leaked: {text}");
    assert!(!text.contains("6502530000"), "the number leaked: {text}");
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.provider_code(), Some("21211"));
}

#[tokio::test]
async fn twilio_that_does_not_answer_in_time_is_a_timeout() {
    let fake = FakeProvider::start(Reply::Hang(Duration::from_secs(5))).await;
    let err = sender(&twilio(&fake.base), Duration::from_millis(300))
        .send_code(&message(), NOW)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SmsError::Timeout {
            provider: "twilio",
            after_ms: 300
        }
    );
    assert_eq!(fake.count(), 1, "the request reached the provider");
}

#[tokio::test]
async fn webhook_sender_posts_signed_json_with_to_and_body() {
    let fake = FakeProvider::start(Reply::Json(202, serde_json::json!({"id": "m-1"}))).await;
    let s = sender(
        &webhook(format!("{}/hooks/sms?tenant=7", fake.base)),
        Duration::from_secs(10),
    );
    s.send_code(&message(), NOW).await.unwrap();
    let req = fake.last();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/hooks/sms");
    assert_eq!(
        req.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        req.json(),
        serde_json::json!({"to": "+16502530000", "body": BODY}),
        "exactly two fields"
    );
    assert_eq!(verify_signature(&req, WEBHOOK_SECRET), NOW);
    // A receiver with another secret, or a body changed on the way, refuses it.
    assert_eq!(
        signature_matches(&req, "another-secret-0123456789abcdef0123"),
        None
    );
    let mut altered = req.clone();
    altered.body = altered
        .text()
        .replace("+16502530000", "+16502530001")
        .into_bytes();
    assert_eq!(signature_matches(&altered, WEBHOOK_SECRET), None);
}

#[tokio::test]
async fn webhook_errors_and_silence_are_reported_without_secrets() {
    let fake = FakeProvider::start(Reply::Json(
        503,
        serde_json::json!({"error": "quota_exceeded", "message": "No credit left for +16502530000"}),
    ))
    .await;
    let s = sender(
        &webhook(format!("{}/hooks/sms?token=url-token-xyz", fake.base)),
        Duration::from_millis(300),
    );
    let err = s.send_code(&message(), NOW).await.unwrap_err();
    assert_eq!(
        err,
        SmsError::Rejected {
            provider: "webhook",
            status: 503,
            code: Some("quota_exceeded".into()),
            detail: "No credit left for [redacted]".into(),
        }
    );
    fake.set_reply(Reply::Hang(Duration::from_secs(5)));
    let err = s.send_code(&message(), NOW).await.unwrap_err();
    assert_eq!(
        err,
        SmsError::Timeout {
            provider: "webhook",
            after_ms: 300
        }
    );
    // Nothing listens on port 1: a connection error, without the URL's token.
    let closed = sender(
        &webhook("http://127.0.0.1:1/hooks/sms?token=url-token-xyz".into()),
        Duration::from_secs(2),
    );
    let err = closed.send_code(&message(), NOW).await.unwrap_err();
    assert!(
        matches!(
            err,
            SmsError::Transport {
                provider: "webhook",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("url-token-xyz"), "{err}");
}

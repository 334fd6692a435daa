//! The mailer, its rendering and masking.

use std::time::Duration;

use lettre::message::Mailbox;
use secrecy::SecretString;

use super::mailer::*;
use super::render::*;
use super::*;

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn sample<'a>(to: &'a str, client_name: &'a str) -> CodeMessage<'a> {
    CodeMessage {
        to,
        code: "123456",
        product_name: "Sesame",
        client_name,
        issuer_host: "localhost:8080",
        expires_minutes: 10,
        link: None,
        tr: crate::i18n::builtin().tr(crate::i18n::builtin().default_locale()),
    }
}

#[test]
fn subject_rendering() {
    assert_eq!(
        render_subject("{code} is your {product} code", "123456", "Sesame"),
        "123456 is your Sesame code"
    );
    assert_eq!(
        render_subject("no placeholders", "1", "p"),
        "no placeholders"
    );
    assert_eq!(
        render_subject("{code} {code} {product}", "42", "X"),
        "42 42 X"
    );
}

#[test]
fn the_default_subject_and_the_bodies_are_in_the_messages_language_an_operators_subject_as_written()
{
    let i18n = crate::i18n::builtin();
    let fr = CodeMessage {
        tr: i18n.tr(i18n.find("fr").unwrap()),
        ..sample("alice@example.com", "Demo app")
    };
    assert_eq!(
        subject_for(DEFAULT_SUBJECT, &fr),
        "123456 est votre code Sesame"
    );
    assert_eq!(subject_for("Sign-in: {code}", &fr), "Sign-in: 123456");
    let (text, html) = render_bodies(&fr).unwrap();
    assert!(text.contains("Il expire dans 10 minutes."), "{text}");
    assert!(html.contains(r#"<html lang="fr" dir="ltr">"#), "{html}");
    let ar = CodeMessage {
        tr: i18n.tr(i18n.find("ar").unwrap()),
        ..sample("alice@example.com", "Demo app")
    };
    let (_, html) = render_bodies(&ar).unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
}

#[test]
fn an_email_carries_the_sign_in_link_only_when_given_one() {
    let link = "https://id.example.com/login/link?tx=abc&k=s3cret";
    let with = CodeMessage {
        link: Some(link),
        ..sample("alice@example.com", "Demo app")
    };
    let (text, html) = render_bodies(&with).unwrap();
    assert!(text.contains(link), "{text}");
    assert!(
        html.contains(r#"href="https://id.example.com/login/link?tx=abc&#38;k=s3cret""#),
        "{html}"
    );
    let (text, html) = render_bodies(&sample("alice@example.com", "Demo app")).unwrap();
    assert!(!text.contains("/login/link"), "{text}");
    assert!(!html.contains("/login/link"), "{html}");
    assert!(!format!("{with:?}").contains("s3cret"));
}

#[test]
fn subject_strips_crlf() {
    let s = render_subject(
        "{code} is your {product} code",
        "123456",
        "Sesame\r\nBcc: x@y",
    );
    assert!(!s.contains('\r') && !s.contains('\n'), "{s:?}");
    assert_eq!(s, "123456 is your Sesame Bcc: x@y code");
    let s = render_subject("{code}\n{product}\u{2028}\t!", "1", "p");
    assert_eq!(s, "1 p !");
}

#[test]
fn new_validates_config() {
    let t = Duration::from_secs(5);
    let m = Mailer::new(None, "Sesame <no-reply@localhost>", "{code}", t).unwrap();
    assert!(m.is_console());
    assert!(matches!(
        Mailer::new(None, "not an address", "{code}", t),
        Err(DeliveryError::Config(_))
    ));
    assert!(matches!(
        Mailer::new(None, "a@b.c\r\nBcc: x@y", "{code}", t),
        Err(DeliveryError::Config(_))
    ));
    assert!(matches!(
        Mailer::new(Some(&secret("imap://x")), "a@b.c", "{code}", t),
        Err(DeliveryError::Config(_))
    ));
    assert!(matches!(
        Mailer::new(Some(&secret("smtp://x")), "a@b.c", "{code}", Duration::ZERO),
        Err(DeliveryError::Config(_))
    ));
    // Building a mailer needs no runtime and opens no connection.
    let m = Mailer::new(Some(&secret("smtp://127.0.0.1:2525")), "a@b.c", "{code}", t).unwrap();
    assert!(!m.is_console());
}

#[test]
fn debug_hides_password() {
    let url = secret("smtps://bob:hunter2@mail.example.com");
    let m = Mailer::new(
        Some(&url),
        "Sesame <no-reply@localhost>",
        "{code}",
        Duration::from_secs(5),
    )
    .unwrap();
    let dbg = format!("{m:?}");
    assert!(!dbg.contains("hunter2"), "{dbg}");
    assert!(dbg.contains("mail.example.com"), "{dbg}");
    let msg = sample("alice@example.com", "Demo");
    let dbg = format!("{msg:?}");
    assert!(!dbg.contains("123456") && !dbg.contains("alice@"), "{dbg}");
}

#[test]
fn bodies_render_and_escape() {
    let msg = sample("alice@example.com", "<script>alert(1)</script> & co");
    let (text, html) = render_bodies(&msg).unwrap();
    assert!(text.contains("123456"));
    assert!(text.contains("<script>alert(1)</script> & co"));
    assert!(text.contains("10 minutes"));
    assert!(text.contains("localhost:8080"));
    assert!(text.contains(
        "If you did not ask for this code, you can ignore this message. \
         Never share it: we will never ask you for it."
    ));
    assert!(html.contains("lang=\"en\""));
    assert!(html.contains("monospace"));
    assert!(html.contains("123456"));
    assert!(!html.contains("<script>"));
    assert!(
        html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
        "{html}"
    );
    assert!(expires_text(1) == "1 minute" && expires_text(0) == "1 minute");
}

#[test]
fn client_name_cannot_add_headers() {
    let from: Mailbox = "Sesame <no-reply@localhost>".parse().unwrap();
    let msg = sample("alice@example.com", "Demo\r\nBcc: evil@example.com");
    let subject = render_subject("{code} for {product}", msg.code, msg.client_name);
    let email = build_message(&from, "alice@example.com".parse().unwrap(), &subject, &msg).unwrap();
    let raw = String::from_utf8(email.formatted()).unwrap();
    let headers = raw.split("\r\n\r\n").next().unwrap();
    assert!(
        !headers
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc")),
        "{headers}"
    );
    assert!(
        headers.contains("Subject: 123456 for Demo Bcc: evil@example.com"),
        "{headers}"
    );
    assert!(headers.contains("multipart/alternative"));
    let rcpts: Vec<String> = email
        .envelope()
        .to()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(rcpts, vec!["alice@example.com".to_owned()]);
}

#[tokio::test]
async fn invalid_recipient_is_an_error_not_a_panic() {
    let t = Duration::from_secs(1);
    let console = Mailer::new(None, "a@b.c", "{code}", t).unwrap();
    let smtp = Mailer::new(Some(&secret("smtp://127.0.0.1:9")), "a@b.c", "{code}", t).unwrap();
    for to in ["not an address", "a@b.c\r\nBcc: x@y", "", "<a@b.c>"] {
        let msg = sample(to, "Demo");
        for m in [&console, &smtp] {
            match m.send_code(&msg).await {
                Err(DeliveryError::Send(e)) => assert!(!e.contains("123456")),
                other => panic!("{to:?}: {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn console_sender_succeeds() {
    let m = Mailer::new(
        None,
        "a@b.c",
        "{code} is your {product} code",
        Duration::from_secs(1),
    )
    .unwrap();
    m.send_code(&sample("alice@example.com", "Demo app"))
        .await
        .unwrap();
}

#[test]
fn the_translated_defaults_are_the_configurations_defaults() {
    let c = crate::config::Config::default();
    assert_eq!(c.email.subject, DEFAULT_SUBJECT);
    assert_eq!(c.sms.template, super::sms::DEFAULT_TEMPLATE);
}

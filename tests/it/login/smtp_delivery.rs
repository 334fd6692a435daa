//! Email delivery over real SMTP with TLS and authentication (issue 2, point 10): the
//! `sesame` binary sends the code through implicit TLS (`smtps://`) and STARTTLS
//! (`smtp://…?tls=required`), logging in with the user and password of the URL, and the
//! person finishes the demo sign-in with the code from that email. The server certificate
//! is checked: an untrusted one, like a wrong password, means "we could not send the code".

use reqwest::StatusCode;

use crate::support::process::*;
use crate::support::tls_smtp::{TlsMode, TlsSmtpSink};
use crate::support::*;

const USER: &str = "mailer";
const PASSWORD: &str = "p@ss:w/rd 1%";

/// Opens the demo sign-in on `server` and submits `email`; returns the page and response.
async fn ask_for_code(
    server: &ServerProcess,
    browser: &Browser,
    email: &str,
) -> (LoginPage, reqwest::Response) {
    let page = demo_start(&server.base, browser).await;
    let res = browser
        .post_form(
            &format!("{}/login", server.base),
            &[
                ("tx", &page.tx),
                ("csrf", &page.csrf),
                ("identifier", email),
            ],
        )
        .await;
    (page, res)
}

/// The code page once it says the code could not be sent (the delivery runs after the
/// address page answered); panics if it never does.
async fn code_page_once_failed(server: &ServerProcess, browser: &Browser, tx: &str) -> String {
    let deadline = tokio::time::Instant::now() + MAIL_WAIT;
    loop {
        let html = browser
            .get(&format!("{}/login?tx={tx}", server.base))
            .await
            .text()
            .await
            .unwrap();
        if html.contains("We could not send the code") {
            return html;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the code page never said the code could not be sent: {html}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn sign_in_through(mode: TlsMode) {
    let sink = TlsSmtpSink::start(mode, USER, PASSWORD);
    let db = TestDb::new().await;
    let url = sink.url(USER, PASSWORD);
    let ca = sink.ca_file.to_str().unwrap().to_string();
    let server = ServerProcess::start(
        &db.url,
        &[
            ("SESAME_SMTP_URL", &url),
            ("SSL_CERT_FILE", &ca),
            ("SESAME_EMAIL_FROM", "Sesame <codes@sesame.test>"),
        ],
    )
    .await;
    assert!(
        server
            .stderr_text()
            .contains("sent through the configured SMTP server"),
        "{}",
        server.stderr_text()
    );
    let browser = Browser::new();
    let (page, res) = ask_for_code(&server, &browser, "tls@example.com").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mail = sink.wait_for_message_to("tls@example.com", MAIL_WAIT).await;
    assert_eq!(mail.mail_from, "codes@sesame.test");
    let code = smtp::code_from(&mail);
    let html = demo_finish(&server.base, &browser, &page, &code).await;
    assert_demo_result(&html, "tls@example.com");

    let seen = sink.seen();
    assert_eq!(
        seen.logins,
        [format!("{USER}:{PASSWORD}")],
        "logged in once"
    );
    assert!(
        seen.refused.is_empty(),
        "TLS and AUTH came first: {:?}",
        seen.refused
    );
    assert!(
        !server.stdout_text().contains(&code),
        "with SMTP configured, nothing is printed to the console"
    );
    assert!(
        !server.stderr_text().contains(PASSWORD),
        "the SMTP password is never logged"
    );
}

#[tokio::test]
async fn code_is_sent_over_implicit_tls_with_smtp_authentication() {
    sign_in_through(TlsMode::Implicit).await;
}

#[tokio::test]
async fn code_is_sent_over_starttls_with_smtp_authentication() {
    sign_in_through(TlsMode::StartTls).await;
}

#[tokio::test]
async fn wrong_smtp_password_tells_the_person_the_code_could_not_be_sent() {
    let sink = TlsSmtpSink::start(TlsMode::Implicit, USER, PASSWORD);
    let db = TestDb::new().await;
    let url = sink.url(USER, "not-the-password");
    let ca = sink.ca_file.to_str().unwrap().to_string();
    let server = ServerProcess::start(
        &db.url,
        &[
            ("SESAME_SMTP_URL", &url),
            ("SSL_CERT_FILE", &ca),
            // One attempt, so the first failure is final (the outbox retries otherwise).
            ("SESAME_OUTBOX__MAX_ATTEMPTS", "1"),
        ],
    )
    .await;
    let browser = Browser::new();
    let (page, res) = ask_for_code(&server, &browser, "nopass@example.com").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    code_page_once_failed(&server, &browser, &page.tx).await;
    let seen = sink.seen();
    assert_eq!(seen.logins, [format!("{USER}:not-the-password")]);
    assert!(seen.messages.is_empty());
    assert!(!server.stderr_text().contains("not-the-password"));
}

#[tokio::test]
async fn untrusted_smtp_certificate_is_refused() {
    let sink = TlsSmtpSink::start(TlsMode::StartTls, USER, PASSWORD);
    let db = TestDb::new().await;
    let url = sink.url(USER, PASSWORD);
    // No SSL_CERT_FILE: the test authority is not trusted.
    let server = ServerProcess::start(
        &db.url,
        &[
            ("SESAME_SMTP_URL", &url),
            ("SESAME_OUTBOX__MAX_ATTEMPTS", "1"),
        ],
    )
    .await;
    let browser = Browser::new();
    let (page, res) = ask_for_code(&server, &browser, "mitm@example.com").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    code_page_once_failed(&server, &browser, &page.tx).await;
    let seen = sink.seen();
    assert!(
        seen.logins.is_empty(),
        "no password was sent: {:?}",
        seen.logins
    );
    assert!(seen.messages.is_empty());
}

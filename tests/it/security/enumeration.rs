//! Account enumeration by timing: the address form runs the same statements for every
//! address, whether or not it may receive a code, and answers before any delivery (the
//! statistical measurement is tests/timing/enumeration.py, figures in docs/security.md).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sesame::store::review_accounts::ReviewAccount;
use sesame::store::statement_log::Statement;
use sesame::store::users::Channel;

use crate::security::common::*;
use crate::support::*;

const KNOWN: &str = "known@example.com";
const UNKNOWN: &str = "unknown@example.com";
const DISABLED: &str = "disabled@example.com";
const REVIEWER: &str = "reviewer@example.com";

/// The statements the request itself ran (the task that wrote the outbox row), and the
/// ones other tasks ran while it was answered.
fn split_by_request(seen: &[Statement]) -> (Vec<String>, Vec<String>) {
    let writer = seen
        .iter()
        .find(|s| s.sql.starts_with("INSERT INTO outbox"))
        .unwrap_or_else(|| panic!("the request wrote no outbox row: {seen:#?}"))
        .task;
    assert!(writer.is_some(), "statements are recorded with their task");
    let (mine, others): (Vec<&Statement>, Vec<&Statement>) =
        seen.iter().partition(|s| s.task == writer);
    (
        mine.into_iter().map(|s| s.sql.clone()).collect(),
        others.into_iter().map(|s| s.sql.clone()).collect(),
    )
}

#[tokio::test]
async fn unknown_and_known_addresses_run_the_same_statements_before_the_answer() {
    let app = spawn_quick(|c| {
        c.register_new_users = false;
        // The worker stays asleep: only the requests and their deliveries run statements.
        c.outbox.poll_interval_ms = 600_000;
    })
    .await;
    let client = app.confidential_client().await;
    let now = app.state.now();
    let store = &app.state.store;
    store
        .user_signed_in(Channel::Email, KNOWN, "u-known", true, now)
        .await
        .unwrap();
    store
        .user_signed_in(Channel::Email, DISABLED, "u-disabled", true, now)
        .await
        .unwrap();
    store
        .set_user_disabled("u-disabled", Some(now), now)
        .await
        .unwrap();
    store
        .upsert_review_account(&ReviewAccount {
            identifier: REVIEWER.into(),
            channel: "email".into(),
            code_hash: sesame::login::review::review_code_hash(
                &app.state.secrets,
                REVIEWER,
                "246810",
            ),
            expires_at: now + 86_400,
            created_at: now,
            last_used_at: None,
            uses: 0,
        })
        .await
        .unwrap();

    let mut runs: Vec<(&str, Vec<String>)> = Vec::new();
    for email in [KNOWN, UNKNOWN, DISABLED, REVIEWER] {
        let b = Browser::new();
        let page = begin(&app, &b, &client).await;
        app.settle_outbox().await;
        let log = store.statement_log();
        log.start();
        let res = app.submit_identifier(&b, &page, email).await;
        let seen = log.stop();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{email}");
        let (mine, _others) = split_by_request(&seen);
        assert!(
            mine.iter()
                .any(|s| s.starts_with("UPDATE login_transactions SET identifier")),
            "{email}: the code is stored by the request: {mine:#?}"
        );
        // Nothing of the delivery, nor of its absence, is done before the answer: the
        // outbox row is completed, and the audit trail written, by another task.
        for s in &mine {
            assert!(
                !s.starts_with("UPDATE outbox") && !s.starts_with("INSERT INTO audit_events"),
                "{email}: the request ran a statement of the delivery: {s}"
            );
        }
        runs.push((email, mine));
        app.settle_outbox().await;
    }
    let (first, reference) = &runs[0];
    for (email, statements) in &runs[1..] {
        assert_eq!(
            statements, reference,
            "{email} ran other statements than {first} before the answer"
        );
    }

    // Afterwards: the known address got its code; every other row was a stand-in,
    // completed without a message, and audited as such.
    let rows = store.all_messages().await.unwrap();
    let statuses: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.recipient.as_str(), r.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            (KNOWN, "delivered"),
            (UNKNOWN, "discarded"),
            (DISABLED, "discarded"),
            (REVIEWER, "discarded"),
        ]
    );
    assert!(rows.iter().all(|r| r.payload.is_none()));
    let rcpts: Vec<Vec<String>> = app.smtp.messages().into_iter().map(|m| m.rcpt_to).collect();
    assert_eq!(rcpts, [vec![KNOWN.to_string()]]);
    let not_sent = store
        .audit_events(0, Some("code_not_sent"), 10)
        .await
        .unwrap();
    let reasons: Vec<serde_json::Value> = not_sent
        .iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.detail).unwrap()["reason"].clone())
        .collect();
    assert_eq!(reasons, ["no account", "account disabled"]);
    assert_eq!(audit_count(&app, "review_account_code_skipped").await, 1);
    assert_eq!(audit_count(&app, "code_sent").await, 1);
}

#[tokio::test]
async fn the_address_page_answers_before_the_delivery() {
    let app = spawn_quick(|c| c.email.timeout_seconds = 30).await;
    let client = app.confidential_client().await;
    let b = Browser::new();
    let page = begin(&app, &b, &client).await;
    // The SMTP server accepts connections and then keeps Sesame waiting.
    app.smtp.hold();
    let started = Instant::now();
    let res = app
        .submit_identifier(&b, &page, "patient@example.com")
        .await;
    let took = started.elapsed();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The delivery is still stuck on the held SMTP server: the answer did not wait for it.
    let row = &app
        .state
        .store
        .messages_for_tx(&tx_id(&page.tx))
        .await
        .unwrap()[0];
    assert_eq!(row.status.as_str(), "pending", "{row:?}");
    assert!(row.claimed_until.is_some(), "claimed for its first attempt");
    assert!(app.smtp.messages().is_empty());
    // The code page reads like any other while the message is on its way.
    let html = b.get(&page.url).await.text().await.unwrap();
    assert!(html.contains("Enter your code"), "{html}");
    assert!(!html.contains("could not send") && !html.contains("longer than usual"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        app.smtp.messages().is_empty(),
        "held for as long as the server stalls"
    );
    assert!(
        took < Duration::from_secs(5),
        "the page answered in {took:?}, not after the delivery"
    );
    // Let the SMTP server go on: the message arrives afterwards, and its code signs in.
    app.smtp.release();
    let mail = app
        .smtp
        .wait_for_message_to("patient@example.com", MAIL_WAIT)
        .await;
    let code = smtp::code_from(&mail);
    let res = app.submit_code(&b, &page, &code).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
    app.settle_outbox().await;
    let row = &app
        .state
        .store
        .messages_for_tx(&tx_id(&page.tx))
        .await
        .unwrap()[0];
    assert_eq!((row.status.as_str(), row.attempts), ("delivered", 1));
}

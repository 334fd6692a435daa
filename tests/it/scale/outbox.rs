//! Delivery without loss: the outbox, its retries, its claims, and what the person sees.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use reqwest::StatusCode;
use sesame::config::Config;

use crate::scale::support::*;
use crate::support::smtp::code_from;
use crate::support::*;

/// The code page's words for a late and a failed delivery (the English catalog).
const DELIVERY_DELAYED_TEXT: &str =
    "Sending the code is taking longer than usual. We keep trying: it should arrive soon.";
const DELIVERY_FAILED_TEXT: &str = "We could not send the code. Please try again in a moment.";

/// Quick retries so the stories do not wait for production backoffs.
fn quick_retries(c: &mut Config) {
    c.outbox.retry_initial_seconds = 1;
    c.outbox.retry_max_seconds = 1;
    c.outbox.poll_interval_ms = 100;
}

async fn started_sign_in(app: &TestApp, browser: &Browser) -> LoginPage {
    let client = app.confidential_client().await;
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    app.open_login(browser, &authorize_url(app, &client, &p))
        .await
}

#[tokio::test]
async fn code_asked_while_smtp_is_down_waits_encrypted_in_the_outbox_and_arrives_when_smtp_is_back()
{
    let app = TestApp::spawn_with(quick_retries).await;
    let browser = Browser::new();
    let page = started_sign_in(&app, &browser).await;
    app.smtp.stop();
    let res = app
        .submit_identifier(&browser, &page, "hana@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The message waits in the outbox; the first attempt (after the answer) failed.
    app.settle_outbox().await;
    let rows = app
        .state
        .store
        .messages_for_tx(&tx_id(&page.tx))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (row.channel.as_str(), row.status.as_str()),
        ("email", "pending")
    );
    assert_eq!(row.recipient, "hana@example.com");
    assert!(row.attempts >= 1 && row.last_error.is_some(), "{row:?}");
    let sealed = row
        .payload
        .clone()
        .expect("the payload waits with the message");

    // The code page tells the person it is late.
    let html = browser.get(&page.url).await.text().await.unwrap();
    assert!(html.contains(DELIVERY_DELAYED_TEXT), "{html}");

    app.smtp.restart().await;
    let mail = app
        .smtp
        .wait_for_message_to("hana@example.com", MAIL_WAIT)
        .await;
    let code = code_from(&mail);
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the late code signs in"
    );

    // The outbox never held the code in clear, and forgot the payload once delivered.
    let haystack = String::from_utf8_lossy(&sealed);
    assert!(!haystack.contains(&code) && !haystack.contains("hana@"));
    assert!(serde_json::from_slice::<serde_json::Value>(&sealed).is_err());
    let row = wait_for("the row to be marked delivered", MAIL_WAIT, || async {
        let rows = app
            .state
            .store
            .messages_for_tx(&tx_id(&page.tx))
            .await
            .unwrap();
        rows.into_iter().find(|r| r.status.as_str() == "delivered")
    })
    .await;
    assert!(row.payload.is_none() && row.delivered_at.is_some());
    assert_eq!(
        row.claimed_by.as_deref(),
        Some(app.state.replica.id.as_str())
    );
    let to_hana = app
        .smtp
        .messages()
        .iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r == "hana@example.com"))
        .count();
    assert_eq!(to_hana, 1, "one message, not one per attempt");
    assert!(app.audit_kinds().await.contains(&"code_sent".to_string()));
}

#[tokio::test]
async fn delivery_that_fails_for_good_says_so_and_a_new_code_can_be_asked_at_once() {
    let app = TestApp::spawn_with(|c| {
        quick_retries(c);
        c.outbox.max_attempts = 2;
    })
    .await;
    let browser = Browser::new();
    let page = started_sign_in(&app, &browser).await;
    app.smtp.stop();
    let res = app
        .submit_identifier(&browser, &page, "ivan@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let row = wait_for("the message to fail for good", MAIL_WAIT, || async {
        let rows = app
            .state
            .store
            .messages_for_tx(&tx_id(&page.tx))
            .await
            .unwrap();
        rows.into_iter().find(|r| r.status.as_str() == "failed")
    })
    .await;
    assert_eq!(row.attempts, 2);
    assert!(row.payload.is_none(), "a failed message keeps no code");

    // The page says so, and the code nobody received was withdrawn.
    let html = browser.get(&page.url).await.text().await.unwrap();
    assert!(html.contains(DELIVERY_FAILED_TEXT), "{html}");
    let tx = app
        .state
        .store
        .get_login_tx(&tx_id(&page.tx), app.state.now())
        .await
        .unwrap()
        .unwrap();
    assert!(tx.code_sent_at.is_none() && tx.code_expires_at.is_none());
    assert!(app
        .audit_kinds()
        .await
        .contains(&"code_send_failed".to_string()));

    // Asking again works at once (no cooldown for a code that never left).
    app.smtp.restart().await;
    let (_, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains("We sent a new code"), "{html}");
    let code = code_from(
        &app.smtp
            .wait_for_message_to("ivan@example.com", MAIL_WAIT)
            .await,
    );
    let html = browser.get(&page.url).await.text().await.unwrap();
    assert!(!html.contains(DELIVERY_FAILED_TEXT));
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn with_a_single_attempt_allowed_smtp_failure_is_told_on_the_code_page() {
    let app = TestApp::spawn_with(|c| c.outbox.max_attempts = 1).await;
    let browser = Browser::new();
    let page = started_sign_in(&app, &browser).await;
    app.smtp.stop();
    let res = app
        .submit_identifier(&browser, &page, "judy@example.com")
        .await;
    // The page answers before the attempt; the attempt's failure is final at once.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    let row = &app
        .state
        .store
        .messages_for_tx(&tx_id(&page.tx))
        .await
        .unwrap()[0];
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 1));
    let html = browser.get(&page.url).await.text().await.unwrap();
    assert!(html.contains(DELIVERY_FAILED_TEXT), "{html}");
    app.smtp.restart().await;
    let (_, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains("We sent a new code"), "{html}");
    let code = code_from(
        &app.smtp
            .wait_for_message_to("judy@example.com", MAIL_WAIT)
            .await,
    );
    assert_eq!(
        app.submit_code(&browser, &page, &code).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn each_code_is_delivered_exactly_once_with_two_replicas() {
    let adjust = |c: &mut Config| {
        quick_retries(c);
        c.outbox.batch_size = 3;
    };
    let a = TestApp::spawn_with(adjust).await;
    let b = second_replica(&a, adjust).await;
    let client = a.confidential_client().await;
    a.smtp.stop();
    let n = 16;
    let mut recipients = Vec::new();
    for i in 0..n {
        let (first, second) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let lb = LbBrowser::new();
        let p = AuthParams {
            challenge: Some(pkce_pair().1),
            ..Default::default()
        };
        let url = authorize_url(&a, &client, &p);
        let page = lb.open_login(&first.base, &second.base, &url).await;
        let to = format!("person{i}@example.com");
        let res = lb.submit_identifier(&first.base, &page, &to).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        recipients.push(to);
    }
    // Both replicas' workers now compete for the waiting messages.
    a.smtp.restart().await;
    wait_for(
        "every message to be delivered",
        Duration::from_secs(30),
        || async {
            let rows = a.state.store.all_messages().await.unwrap();
            (rows.len() == n && rows.iter().all(|r| r.status.as_str() == "delivered")).then_some(())
        },
    )
    .await;
    let deliverers: HashSet<String> = a
        .state
        .store
        .all_messages()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|r| r.claimed_by)
        .collect();
    eprintln!("messages delivered by {} replica(s)", deliverers.len());
    // Stop both (their workers finish what they hold) before counting.
    let smtp = a.smtp.clone();
    b.stop().await;
    a.stop().await;
    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    for m in smtp.messages() {
        for r in m.rcpt_to {
            *per_recipient.entry(r).or_default() += 1;
        }
    }
    for r in &recipients {
        assert_eq!(per_recipient.get(r), Some(&1), "messages to {r}");
    }
    assert_eq!(per_recipient.values().sum::<usize>(), n);
}

#[tokio::test]
async fn concurrent_claims_never_hand_one_message_to_two_replicas() {
    let a = TestApp::spawn().await;
    let b = second_replica(&a, |_| {}).await;
    // Far in the future, so the replicas' own workers (on the real clock) leave these alone.
    let now = a.state.now() + 100_000;
    let n = 60_i64;
    sesame::with_pool!(&a.state.store.db, pool => {
        for i in 0..n {
            sqlx::query(
                "INSERT INTO outbox (channel, recipient, login_tx, payload, status, attempts, \
                 next_attempt_at, give_up_at, created_at, updated_at) \
                 VALUES ('test', $1, NULL, NULL, 'pending', 0, $2, $3, $2, $2)",
            )
            .bind(format!("r{i}@example.com"))
            .bind(now - 1000)
            .bind(now + 1000)
            .execute(pool)
            .await
            .unwrap();
        }
    });
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = if w % 2 == 0 {
            a.state.store.clone()
        } else {
            b.state.store.clone()
        };
        tasks.push(tokio::spawn(async move {
            let me = format!("worker-{w}");
            let mut mine = Vec::new();
            loop {
                let got = store
                    .claim_due_messages(&me, now, now + 60, 3)
                    .await
                    .unwrap();
                if got.is_empty() {
                    break;
                }
                mine.extend(got.into_iter().map(|c| c.id));
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), distinct.len(), "a message was claimed twice");
    assert_eq!(all.len() as i64, n, "every due message was claimed");
    // While the leases run nobody else gets them; once they end, they can be taken again.
    assert!(a
        .state
        .store
        .claim_due_messages("late", now, now + 60, 100)
        .await
        .unwrap()
        .is_empty());
    let retaken = b
        .state
        .store
        .claim_due_messages("late", now + 60, now + 120, 100)
        .await
        .unwrap();
    assert_eq!(retaken.len() as i64, n);
    assert!(retaken.iter().all(|c| c.attempts == 2));
}

#[tokio::test]
async fn a_dead_replicas_claim_is_taken_over_when_its_lease_ends() {
    let app = TestApp::spawn_with(quick_retries).await;
    let browser = Browser::new();
    let page = started_sign_in(&app, &browser).await;
    app.smtp.stop();
    let res = app
        .submit_identifier(&browser, &page, "kim@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    // A replica claims the waiting message and dies without a word.
    let store = &app.state.store;
    let lease = app.state.config.outbox.lease_seconds;
    let t = app.state.now() + 5;
    let claimed = store
        .claim_due_messages("dead-replica", t, t + lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    app.smtp.restart().await;
    // While its lease runs, no one else may take it.
    assert!(store
        .claim_due_messages("other", t, t + lease, 10)
        .await
        .unwrap()
        .is_empty());
    let row = &store.messages_for_tx(&tx_id(&page.tx)).await.unwrap()[0];
    assert_eq!(row.claimed_by.as_deref(), Some("dead-replica"));
    // Time passes beyond the lease: this replica's worker takes the message over.
    app.clock.advance(lease + 10);
    let code = code_from(
        &app.smtp
            .wait_for_message_to("kim@example.com", MAIL_WAIT)
            .await,
    );
    let row = wait_for("the taken-over row to be delivered", MAIL_WAIT, || async {
        let rows = store.messages_for_tx(&tx_id(&page.tx)).await.unwrap();
        rows.into_iter().find(|r| r.status.as_str() == "delivered")
    })
    .await;
    assert_eq!(
        row.claimed_by.as_deref(),
        Some(app.state.replica.id.as_str())
    );
    assert_eq!(
        app.submit_code(&browser, &page, &code).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn shutdown_gives_back_claims_so_another_replica_delivers_at_once() {
    let hole = BlackholeSmtp::start().await;
    let hole_url = hole.url.clone();
    let a = TestApp::spawn_with(move |c| {
        c.email.smtp_url = Some(hole_url.into());
        c.email.timeout_seconds = 60;
        c.outbox.lease_seconds = 600;
        c.ops.shutdown_timeout_seconds = 1;
    })
    .await;
    let b = second_replica(&a, quick_retries).await;
    let client = a.confidential_client().await;
    let lb = LbBrowser::new();
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = lb
        .open_login(&a.base, &a.base, &authorize_url(&a, &client, &p))
        .await;
    // A's SMTP server never answers: A's first attempt hangs, holding the claim.
    let res = lb
        .submit_identifier(&a.base, &page, "lena@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let store = b.state.store.clone();
    let row = &store.messages_for_tx(&tx_id(&page.tx)).await.unwrap()[0];
    assert_eq!(row.claimed_by.as_deref(), Some(a.state.replica.id.as_str()));
    assert!(row.claimed_until.unwrap() > b.state.now() + 500);

    // A shuts down: past its deadline it abandons the attempt and gives the claim back.
    let a_id = a.state.replica.id.clone();
    a.stop().await;
    let row = &store.messages_for_tx(&tx_id(&page.tx)).await.unwrap()[0];
    assert_ne!(row.claimed_by.as_deref(), Some(a_id.as_str()));
    // B delivers it without waiting for the lease, and the person finishes on B.
    let code = code_from(
        &b.smtp
            .wait_for_message_to("lena@example.com", MAIL_WAIT)
            .await,
    );
    let res = lb.submit_code(&b.base, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

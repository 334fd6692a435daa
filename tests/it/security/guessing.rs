//! Guessing: tries per code, failure budgets per identifier and per IP (shared by
//! replicas), and the binding of a code to the browser that asked for it. The client
//! address behind proxies and the progressive delay are in `proxies_and_delay`.

use std::sync::Arc;

use reqwest::StatusCode;
use sesame::clock::ShiftedClock;
use sesame::login::protect::ClientIp;

use crate::security::common::*;
use crate::support::*;

/// Fires `n` concurrent wrong guesses at one sign-in and returns their statuses.
async fn concurrent_guesses(
    app: &TestApp,
    browser: &Browser,
    page: &LoginPage,
    right: &str,
    n: u32,
    offset: u32,
) -> Vec<StatusCode> {
    let mut tasks = Vec::new();
    for i in 0..n {
        let http = browser.http.clone();
        let url = app.url("/login/verify");
        let form = vec![
            ("tx".to_string(), page.tx.clone()),
            ("csrf".to_string(), page.csrf.clone()),
            ("code".to_string(), wrong_code(right, i + offset)),
        ];
        tasks.push(tokio::spawn(async move {
            http.post(url).form(&form).send().await.unwrap().status()
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn assert_refusals(statuses: &[StatusCode]) {
    for s in statuses {
        assert!(
            matches!(
                *s,
                StatusCode::BAD_REQUEST
                    | StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::SERVICE_UNAVAILABLE
            ),
            "a wrong guess got {s}"
        );
    }
}

#[tokio::test]
async fn two_hundred_concurrent_wrong_guesses_evaluate_at_most_five_and_burn_the_code() {
    // Only the per-code limit is under test (Keycloak CVE-2024-4629): the identifier and IP
    // budgets are off.
    let app = spawn_quick(|c| {
        c.limits.identifier_failures_per_hour = 0;
        c.limits.identifier_failures_per_day = 0;
        c.limits.ip_failures_per_hour = 0;
    })
    .await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = code_page(&app, &browser, &client, "target@example.com").await;

    let statuses = concurrent_guesses(&app, &browser, &page, &code, 200, 0).await;
    assert_refusals(&statuses);
    assert_eq!(
        tx_attempts(&app, &page.tx).await,
        5,
        "exactly 5 attempts counted"
    );
    assert_eq!(
        audit_count(&app, "verification_failed").await,
        5,
        "at most 5 guesses were evaluated"
    );

    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "the right code now fails"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("Too many wrong tries"), "{html}");
    assert_eq!(audit_count(&app, "verification_succeeded").await, 0);
}

#[tokio::test]
async fn concurrent_guesses_on_two_codes_cannot_overrun_the_identifier_budget() {
    // 50 tries per code, so only the identifier budget (10 an hour) can stop them.
    let app = spawn_quick(|c| {
        c.login.max_attempts = 50;
        c.limits.ip_failures_per_hour = 0;
    })
    .await;
    let client = app.confidential_client().await;
    let email = "shared-target@example.com";
    let (a, b) = (Browser::new(), Browser::new());
    let (page_a, code_a) = code_page(&app, &a, &client, email).await;
    let (page_b, code_b) = code_page(&app, &b, &client, email).await;

    let (ra, rb) = tokio::join!(
        concurrent_guesses(&app, &a, &page_a, &code_a, 100, 0),
        concurrent_guesses(&app, &b, &page_b, &code_b, 100, 500),
    );
    assert_refusals(&ra);
    assert_refusals(&rb);
    // Every guess is counted on its code; only those the budget let through are compared
    // (each compared wrong guess is audited).
    let evaluated = audit_count(&app, "verification_failed").await;
    assert!(
        (1..=10).contains(&evaluated),
        "{evaluated} guesses evaluated, budget is 10"
    );
    assert!(ra.contains(&StatusCode::TOO_MANY_REQUESTS));

    // The identifier is paused: even the right code is not evaluated, and no new code is
    // sent to it from a fresh sign-in.
    let res = app.submit_code(&a, &page_a, &code_a).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("paused"));
    let c = Browser::new();
    let page_c = begin(&app, &c, &client).await;
    let res = app.submit_identifier(&c, &page_c, email).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("paused"));
    assert_mails(&app, email, 2).await;
    assert!(audit_count(&app, "limit_hit").await >= 1);
}

#[tokio::test]
async fn wrong_codes_across_new_codes_pause_sending_after_ten_an_hour_and_twenty_a_day() {
    let app = spawn_quick(|c| c.login.transaction_ttl_seconds = 3 * 86_400).await;
    align_to_day_start(&app);
    let client = app.confidential_client().await;
    let email = "budget@example.com";
    let browser = Browser::new();
    let (page, mut code) = code_page(&app, &browser, &client, email).await;
    let mut failures = 0;
    for hour in 0..3 {
        // Two codes an hour, five wrong tries each: ten failures an hour.
        for _ in 0..2 {
            for i in 0..5 {
                let res = app
                    .submit_code(&browser, &page, &wrong_code(&code, i))
                    .await;
                assert_eq!(res.status(), StatusCode::BAD_REQUEST, "hour {hour}");
                failures += 1;
            }
            app.clock.advance(31);
            let res = resend(&app, &browser, &page).await;
            let (_, html) = follow(&app, &browser, res).await;
            if failures % 10 == 0 {
                // Ten this hour: sending pauses with a calm message, and no code is sent.
                assert!(html.contains("paused"), "after {failures}: {html}");
                assert_eq!(
                    app.submit_code(&browser, &page, &code).await.status(),
                    StatusCode::TOO_MANY_REQUESTS
                );
            } else {
                assert!(
                    html.contains("We sent a new code"),
                    "after {failures}: {html}"
                );
                code = smtp::code_from(&app.smtp.wait_for_message_to(email, MAIL_WAIT).await);
            }
        }
        if failures == 20 {
            break;
        }
        // The next hour: the hourly budget is back, the daily one keeps counting.
        app.clock.advance(3600);
        let res = resend(&app, &browser, &page).await;
        let (_, html) = follow(&app, &browser, res).await;
        assert!(html.contains("We sent a new code"), "{html}");
        code = smtp::code_from(&app.smtp.wait_for_message_to(email, MAIL_WAIT).await);
    }
    assert_eq!(failures, 20);
    // Twenty today: an hour later sending is still paused.
    app.clock.advance(3600);
    let res = resend(&app, &browser, &page).await;
    let (_, html) = follow(&app, &browser, res).await;
    assert!(html.contains("paused"), "{html}");
    app.settle_outbox().await;
    let mails = mails_to(&app, email);
    assert_eq!(mails, 4, "one first code and three new ones");
    // The next day it works again.
    app.clock.advance(86_400);
    let res = resend(&app, &browser, &page).await;
    let (_, html) = follow(&app, &browser, res).await;
    assert!(html.contains("We sent a new code"), "{html}");
    assert_mails(&app, email, mails + 1).await;
}

#[tokio::test]
async fn successful_sign_ins_do_not_use_up_the_failure_budget() {
    let app = spawn_quick(|c| {
        c.limits.identifier_failures_per_hour = 2;
        c.limits.identifier_failures_per_day = 2;
    })
    .await;
    let client = app.confidential_client().await;
    for _ in 0..4 {
        let browser = Browser::new();
        let (page, code) = code_page(&app, &browser, &client, "often@example.com").await;
        let res = app.submit_code(&browser, &page, &code).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    // One failure is still allowed and counted; the second one fills the budget.
    let browser = Browser::new();
    let (page, code) = code_page(&app, &browser, &client, "often@example.com").await;
    for i in 0..2 {
        let res = app
            .submit_code(&browser, &page, &wrong_code(&code, i))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn ip_failure_budget_refuses_further_guesses_from_that_address() {
    let app = spawn_quick(|c| {
        c.limits.ip_failures_per_hour = 3;
        c.login.code_ttl_seconds = 7200;
        c.login.transaction_ttl_seconds = 7200;
    })
    .await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = code_page(&app, &browser, &client, "ip-budget@example.com").await;
    for i in 0..3 {
        let res = app
            .submit_code(&browser, &page, &wrong_code(&code, i))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("from your network"));
    assert_eq!(
        tx_attempts(&app, &page.tx).await,
        3,
        "the refused guess was not evaluated"
    );
    // The budget is per hour.
    app.clock.advance(3600);
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn identifier_failure_budget_is_shared_by_replicas() {
    let a = spawn_quick(|c| {
        c.limits.identifier_failures_per_hour = 4;
        c.login.max_attempts = 20;
    })
    .await;
    let b = TestApp::spawn_on(
        Arc::clone(&a.db),
        a.smtp.clone(),
        ShiftedClock::new(),
        |c| {
            c.limits.identifier_failures_per_hour = 4;
            c.login.max_attempts = 20;
            c.limits.ip_delay_max_ms = 5;
        },
    )
    .await;
    let client = a.confidential_client().await;
    let browser = Browser::new();
    let (page_a, code) = code_page(&a, &browser, &client, "replicas@example.com").await;
    for i in 0..4 {
        let (replica, name) = if i % 2 == 0 { (&a, "a") } else { (&b, "b") };
        let status = replica
            .submit_code(&browser, &page_a, &wrong_code(&code, i))
            .await
            .status();
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "guess {i} on replica {name}"
        );
    }
    assert_eq!(
        b.submit_code(&browser, &page_a, &code).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "replica b sees the failures made on a"
    );
}

#[tokio::test]
async fn code_only_works_in_the_browser_session_that_asked_for_it() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let victim = Browser::new();
    let (page, code) = code_page(&app, &victim, &client, "bound@example.com").await;
    // The attacker has the code (phishing relay) and the transaction id, and a session
    // and CSRF token of their own, but not the victim's session.
    let attacker = Browser::new();
    let own = begin(&app, &attacker, &client).await;
    let res = app
        .submit_identifier(&attacker, &own, "attacker@example.com")
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the attacker has a session"
    );
    let res = attacker
        .post_form(
            &app.url("/login/verify"),
            &[("tx", &page.tx), ("csrf", &own.csrf), ("code", &code)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("This sign-in has expired"));
    assert_eq!(
        tx_attempts(&app, &page.tx).await,
        0,
        "nothing was evaluated"
    );
    assert_eq!(audit_count(&app, "verification_succeeded").await, 0);
    // The code of one sign-in does not work in another sign-in of the same browser either.
    let other = begin(&app, &victim, &client).await;
    let _ = app.request_code(&victim, &other, "bound@example.com").await;
    let res = app.submit_code(&victim, &other, &code).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The victim still signs in.
    let res = app.submit_code(&victim, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_used_code_cannot_be_used_again() {
    let app = spawn_quick(|_| {}).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, code) = code_page(&app, &browser, &client, "once@example.com").await;
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let again = app.submit_code(&browser, &page, &code).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again.headers().get("location").is_none());
    assert_eq!(audit_count(&app, "verification_succeeded").await, 1);
    assert_eq!(audit_count(&app, "tokens_issued").await, 0);
}

/// Leaves the sign-in's address (POST /login/restart) and asks a code for `email`;
/// returns the answer's status.
async fn switch_address(
    app: &TestApp,
    browser: &Browser,
    page: &LoginPage,
    email: &str,
) -> StatusCode {
    let stored = app
        .state
        .store
        .get_login_tx(&tx_id(&page.tx), app.state.now())
        .await
        .unwrap();
    // Before its first address the sign-in is not stored yet: nothing to leave.
    if stored.is_some() {
        let res = browser
            .post_form(
                &app.url("/login/restart"),
                &[("tx", &page.tx), ("csrf", &page.csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    app.submit_identifier(browser, page, email).await.status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_the_address_mid_guessing_cannot_overrun_the_victims_failure_budget() {
    // Only the identifier budget (10 an hour) may stop the guesses: many tries per code, no
    // IP budget, and room to send every code the switching asks for.
    let app = spawn_quick(|c| {
        c.login.max_attempts = 1000;
        c.limits.ip_failures_per_hour = 0;
        c.limits.email.per_identifier_per_hour = 1000;
        c.limits.email.per_identifier_per_day = 1000;
        c.limits.email.per_ip_per_hour = 1000;
        c.limits.email.per_ip_per_day = 1000;
    })
    .await;
    let client = app.confidential_client().await;
    let victim = "victim@example.com";
    let browser = Browser::new();
    let page = begin(&app, &browser, &client).await;
    let ip = ClientIp("127.0.0.1".parse().unwrap());
    // Once the victim's budget is spent, sending to it pauses too (429).
    let to_victim_ok = |s: StatusCode| {
        assert!(
            matches!(s, StatusCode::SEE_OTHER | StatusCode::TOO_MANY_REQUESTS),
            "asking a code for the victim: {s}"
        );
    };

    // 1. Guesses that straddle a switch: their request read the sign-in while it held one
    // of the attacker's addresses (a new one each round, so their budgets never pause),
    // and their attempt reaches the code after the same browser switched the sign-in to
    // the victim's address. They are played exactly so (the sign-in as read before the
    // switch, checked after it), five at once per round, so every round has them however
    // the scheduler interleaves requests.
    for round in 1..=6u32 {
        let attacker = format!("a{round}@attacker.example");
        let to_attacker = switch_address(&app, &browser, &page, &attacker).await;
        assert_eq!(to_attacker, StatusCode::SEE_OTHER);
        let read_before = app.login_tx(&page.tx).await;
        assert_eq!(read_before.identifier.as_deref(), Some(attacker.as_str()));
        to_victim_ok(switch_address(&app, &browser, &page, victim).await);
        let mut straddling = Vec::new();
        for i in 0..5u32 {
            let (state, tx) = (app.state.clone(), read_before.clone());
            let code = format!("{:06}", 900_000 + round * 10 + i);
            straddling.push(tokio::spawn(async move {
                sesame::login::code::verify_code(&state, &tx, &code, &ip)
                    .await
                    .unwrap()
            }));
        }
        for g in straddling {
            let outcome = g.await.unwrap();
            assert!(
                !matches!(outcome, sesame::login::code::VerifyOutcome::Success { .. }),
                "a guess signed in"
            );
        }
    }

    // 2. Guesses over HTTP from the same browser, thirty kept in flight, while it keeps
    // switching the sign-in between the attacker's addresses and the victim's.
    let first = switch_address(&app, &browser, &page, "a0@attacker.example").await;
    assert_eq!(first, StatusCode::SEE_OTHER);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut guessers = Vec::new();
    for g in 0..30u32 {
        let http = browser.http.clone();
        let url = app.url("/login/verify");
        let (tx, csrf) = (page.tx.clone(), page.csrf.clone());
        let stop = stop.clone();
        guessers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut i = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && i < 200 {
                let code = format!("{:06}", g * 1000 + i);
                let form = [
                    ("tx", tx.as_str()),
                    ("csrf", csrf.as_str()),
                    ("code", &code),
                ];
                let res = http.post(&url).form(&form).send().await.unwrap();
                let to = res
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .map(|v| v.to_str().unwrap().to_string());
                seen.push((res.status(), to));
                i += 1;
            }
            seen
        }));
    }
    for round in 7..=18u32 {
        to_victim_ok(switch_address(&app, &browser, &page, victim).await);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let attacker = format!("a{round}@attacker.example");
        let to_attacker = switch_address(&app, &browser, &page, &attacker).await;
        assert_eq!(to_attacker, StatusCode::SEE_OTHER);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut statuses = Vec::new();
    for g in guessers {
        statuses.extend(g.await.unwrap());
    }
    for (status, to) in &statuses {
        // A guess that arrives between the restart and the next address finds no code
        // and is sent back to the address page; none may sign in.
        match to {
            Some(to) => assert!(to.starts_with("/login?"), "a guess went to {to}"),
            None => assert_refusals(&[*status]),
        }
    }
    // Every guess compared with one of the victim's codes was charged to the victim.
    let masked = sesame::delivery::mask_email(victim);
    let against_victim = app
        .state
        .store
        .audit_events(0, Some("verification_failed"), 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.detail.contains(&format!("\"to\":\"{masked}\"")))
        .count();
    eprintln!(
        "{against_victim} guesses evaluated against the victim's codes, {} in all",
        audit_count(&app, "verification_failed").await
    );
    assert!(
        against_victim <= 10,
        "{against_victim} guesses were evaluated against the victim's codes; the budget is 10"
    );
    assert!(
        against_victim >= 1,
        "the story must reach the victim's codes at all"
    );
}

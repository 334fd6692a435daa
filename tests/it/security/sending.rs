//! Sending: limits per identifier and per IP (against pumping and mail bombing), the
//! resend cooldown, and a first page that answers alike whether or not the address has an
//! account and whether or not registration is on (against enumeration).

use reqwest::StatusCode;
use sesame::login::protect;
use sesame::store::users::Channel;

use crate::security::common::*;
use crate::support::*;

#[tokio::test]
async fn sending_to_one_address_is_limited_across_sign_ins() {
    let app = spawn_quick(|c| c.limits.email.per_identifier_per_hour = 2).await;
    let client = app.confidential_client().await;
    let email = "bombed@example.com";
    for _ in 0..2 {
        let b = Browser::new();
        code_page(&app, &b, &client, email).await;
    }
    let b = Browser::new();
    let page = begin(&app, &b, &client).await;
    let res = app.submit_identifier(&b, &page, email).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Several codes were requested for this address"),
        "{html}"
    );
    assert!(html.contains("about"), "it says when to try again: {html}");
    assert_mails(&app, email, 2).await;
    // The refusal is audited once, not once per request.
    for _ in 0..3 {
        let b = Browser::new();
        let page = begin(&app, &b, &client).await;
        let res = app.submit_identifier(&b, &page, email).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(audit_count(&app, "limit_hit").await, 1);
    let hit = &app
        .state
        .store
        .audit_events(0, Some("limit_hit"), 1)
        .await
        .unwrap()[0];
    assert!(
        hit.detail.contains("email_sends_identifier_hour"),
        "{}",
        hit.detail
    );
    assert!(hit.detail.contains("b***@example.com"), "{}", hit.detail);
    assert!(!hit.detail.contains(email));
    assert_eq!(hit.ip.as_deref(), Some("127.0.0.1"));
    // Another address is not affected; the next hour the address works again.
    code_page(&app, &Browser::new(), &client, "other@example.com").await;
    app.clock.advance(3600);
    code_page(&app, &Browser::new(), &client, email).await;
}

#[tokio::test]
async fn sending_from_one_ip_is_limited_across_addresses() {
    let app = spawn_quick(|c| c.limits.email.per_ip_per_hour = 3).await;
    let client = app.confidential_client().await;
    for i in 0..3 {
        code_page(&app, &Browser::new(), &client, &format!("p{i}@example.com")).await;
    }
    let b = Browser::new();
    let page = begin(&app, &b, &client).await;
    let res = app.submit_identifier(&b, &page, "p3@example.com").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("from your network"));
    assert_mails(&app, "p3@example.com", 0).await;
    // The refused send did not use up that address's own budget.
    app.clock.advance(3600);
    code_page(&app, &Browser::new(), &client, "p3@example.com").await;
}

#[test]
fn sms_send_limits_are_separate_and_stricter_by_default() {
    let cfg = sesame::config::LimitsConfig::default();
    let email = protect::send_limits(&cfg, Channel::Email);
    let sms = protect::send_limits(&cfg, Channel::Sms);
    assert!(sms.per_identifier_per_hour < email.per_identifier_per_hour);
    assert!(sms.per_ip_per_hour < email.per_ip_per_hour);
    assert!(sms.per_ip_per_day < email.per_ip_per_day);
}

#[tokio::test]
async fn resend_within_the_cooldown_sends_nothing_and_costs_no_budget() {
    let app = spawn_quick(|c| c.limits.email.per_identifier_per_hour = 2).await;
    let client = app.confidential_client().await;
    let email = "patient@example.com";
    let b = Browser::new();
    let (page, _) = code_page(&app, &b, &client, email).await;
    for _ in 0..3 {
        let res = resend(&app, &b, &page).await;
        let (status, html) = follow(&app, &b, res).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Your code is on its way"), "{html}");
    }
    assert_mails(&app, email, 1).await;
    app.clock.advance(31);
    let res = resend(&app, &b, &page).await;
    let (_, html) = follow(&app, &b, res).await;
    assert!(html.contains("We sent a new code"), "{html}");
    assert_mails(&app, email, 2).await;
}

/// Submits `email` on a fresh first page; returns (status, location path, header names,
/// the following page with the address, tx and csrf blanked out).
async fn first_page_answer(
    app: &TestApp,
    email: &str,
) -> (StatusCode, String, Vec<String>, String) {
    let client = app.confidential_client().await;
    let b = Browser::new();
    let page = begin(app, &b, &client).await;
    let res = app.submit_identifier(&b, &page, email).await;
    let status = res.status();
    let loc = location(&res, &app.base).replace(&tx_id(&page.tx), "TX");
    let mut names: Vec<String> = res
        .headers()
        .keys()
        .map(|k| k.as_str().to_string())
        .filter(|k| k != "date" && k != "x-request-id")
        .collect();
    names.sort();
    let html = b
        .get(&location(&res, &app.base))
        .await
        .text()
        .await
        .unwrap();
    let masked = sesame::delivery::mask_email(email);
    let html = html
        .replace(&page.tx, "TX")
        .replace(&tx_id(&page.tx), "TX")
        .replace(&page.csrf, "CSRF")
        .replace(&masked, "MASKED");
    (status, loc, names, html)
}

#[tokio::test]
async fn first_page_answers_alike_for_known_and_unknown_addresses_with_registration_on_or_off() {
    for register in [true, false] {
        let app = spawn_quick(|c| c.register_new_users = register).await;
        // A known account: signed in once (with registration on) or created directly.
        let known = "known@example.com";
        app.state
            .store
            .user_signed_in(Channel::Email, known, "user-known", true, app.state.now())
            .await
            .unwrap();
        let a = first_page_answer(&app, known).await;
        let u = first_page_answer(&app, "unknown@example.com").await;
        assert_eq!(a.0, StatusCode::SEE_OTHER, "register={register}");
        assert_eq!(
            a, u,
            "register={register}: same status, redirect, headers and page"
        );
        assert_mails(&app, known, 1).await;
        assert_mails(&app, "unknown@example.com", usize::from(register)).await;
        // Both paths wrote one outbox row; the unsent one was a stand-in, completed
        // without a message (the same statements: security_enumeration).
        let statuses: Vec<String> = app
            .state
            .store
            .all_messages()
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.status.as_str().to_owned())
            .collect();
        let unknown = if register { "delivered" } else { "discarded" };
        assert_eq!(statuses, ["delivered", unknown], "register={register}");
    }
}

#[tokio::test]
async fn unsent_code_does_the_same_work_as_a_sent_one() {
    let app = spawn_quick(|c| {
        c.register_new_users = false;
        c.limits.email.per_identifier_per_hour = 1;
    })
    .await;
    let client = app.confidential_client().await;
    app.state
        .store
        .user_signed_in(
            Channel::Email,
            "member@example.com",
            "u1",
            true,
            app.state.now(),
        )
        .await
        .unwrap();
    code_page(&app, &Browser::new(), &client, "member@example.com").await;
    let b = Browser::new();
    let page = begin(&app, &b, &client).await;
    let res = app
        .submit_identifier(&b, &page, "stranger@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    // Both were written to the trail, by the delivery after the answer, with the same shape.
    let sent = &app
        .state
        .store
        .audit_events(0, Some("code_sent"), 5)
        .await
        .unwrap()[0];
    let unsent = &app
        .state
        .store
        .audit_events(0, Some("code_not_sent"), 5)
        .await
        .unwrap()[0];
    assert_eq!(sent.ip, unsent.ip);
    assert!(unsent.detail.contains("s***@example.com"));
    // Limits count unknown addresses exactly like known ones: a second code for each is
    // refused the same way.
    for email in ["member@example.com", "stranger@example.com"] {
        let b = Browser::new();
        let page = begin(&app, &b, &client).await;
        let res = app.submit_identifier(&b, &page, email).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{email}");
    }
    // Both requests wrote one outbox row with a sealed payload; the unsent one was
    // completed without a message.
    let rows = app.state.store.all_messages().await.unwrap();
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(statuses, ["delivered", "discarded"]);
}

//! Every guard on SMS sending, against the real database: the country allow-list, the
//! per-number and per-IP limits, the daily budget and the resend cooldown, including that
//! two replicas sharing one database share every counter.

use reqwest::StatusCode;

use super::fake::FakeProvider;
use super::*;

const N: &str = "+16502530000";

fn retry_after(res: &Response) -> i64 {
    res.headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_number_outside_the_allowed_countries_gets_a_calm_refusal_and_no_text() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |_| {}).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    // Jamaica shares +1 with the US but is another country.
    for number in ["+44 7400 123456", "+1 876 555 0123"] {
        let (_, res) = ask_code(&app, &browser, &client, number).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{number}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("SMS is not available for this country"),
            "{html}"
        );
        assert!(html.contains("email address"), "it says what to do instead");
    }
    assert_eq!(fake.count(), 0);
    let d = denials(&app).await;
    assert_eq!(d[0]["rule"], "sms_country");
    assert_eq!(d[0]["to"], "+44********56");
    assert_eq!(d[0]["country"], "GB");
    let events = app
        .state
        .store
        .audit_events(0, Some("sms_denied"), 10)
        .await
        .unwrap();
    assert_eq!(events[0].ip.as_deref(), Some("127.0.0.1"));
    assert!(!events[0].detail.contains("7400123456"));
}

#[tokio::test]
async fn the_allow_list_can_name_more_countries() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |cfg| {
        cfg.sms.allowed_countries = Some(vec!["US".into(), "GB".into()]);
    })
    .await;
    let client = app.confidential_client().await;
    ask_code_ok(&app, &Browser::new(), &client, "+44 7400 123456").await;
    assert_eq!(fake.last().sms_to(), "+447400123456");
}

#[tokio::test]
async fn a_number_gets_three_codes_per_15_minutes_then_a_calm_wait_page() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |_| {}).await;
    align_to_day(&app);
    let client = app.confidential_client().await;
    let browser = Browser::new();
    for _ in 0..3 {
        ask_code_ok(&app, &browser, &client, N).await;
    }
    let (_, res) = ask_code(&app, &browser, &client, N).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&res);
    assert!((1..=900).contains(&wait), "{wait}");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("We have already sent several codes to this number"),
        "{html}"
    );
    assert!(html.contains("or sign in with your email address"));
    assert_eq!(fake.count(), 3);
    let d = denials(&app).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["rule"], "sms_per_number_15m");
    assert_eq!(d[0]["to"], "+1********00");
    // Another number is not affected; the window ends and the number may have codes again.
    ask_code_ok(&app, &browser, &client, "+16502530001").await;
    app.clock.advance(900);
    ask_code_ok(&app, &browser, &client, N).await;
    assert_eq!(fake.count(), 5);
}

#[tokio::test]
async fn a_number_has_a_daily_limit_too() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |cfg| {
        cfg.sms.limits.per_number_15m = 100;
        cfg.sms.limits.per_number_day = 2;
    })
    .await;
    align_to_day(&app);
    let client = app.confidential_client().await;
    let browser = Browser::new();
    ask_code_ok(&app, &browser, &client, N).await;
    app.clock.advance(3_600);
    ask_code_ok(&app, &browser, &client, N).await;
    app.clock.advance(3_600);
    let (_, res) = ask_code(&app, &browser, &client, N).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&res) > 3_600, "until the day ends");
    assert!(res.text().await.unwrap().contains("hours"));
    assert_eq!(denials(&app).await[0]["rule"], "sms_per_number_day");
    app.clock.advance(86_400);
    ask_code_ok(&app, &browser, &client, N).await;
    assert_eq!(fake.count(), 3);
}

#[tokio::test]
async fn one_ip_address_cannot_text_many_numbers() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |cfg| cfg.sms.limits.per_ip_hour = 2).await;
    align_to_day(&app);
    let client = app.confidential_client().await;
    let browser = Browser::new();
    ask_code_ok(&app, &browser, &client, "+16502530001").await;
    ask_code_ok(&app, &browser, &client, "+16502530002").await;
    let (_, res) = ask_code(&app, &browser, &client, "+16502530003").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = res.text().await.unwrap();
    assert!(html.contains("from your network"), "{html}");
    assert_eq!(fake.count(), 2);
    assert_eq!(denials(&app).await[0]["rule"], "sms_per_ip_hour");
    // Email from the same address is not an SMS and is not held back by SMS limits.
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &email_params()),
            "a@example.com",
        )
        .await;
    assert!(query_param(&back, "code").is_some());
    app.clock.advance(3_600);
    ask_code_ok(&app, &browser, &client, "+16502530003").await;
}

#[tokio::test]
async fn when_the_daily_budget_is_spent_sms_pauses_until_tomorrow_and_email_works() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |cfg| cfg.sms.limits.daily_budget = 2).await;
    align_to_day(&app);
    let client = app.confidential_client().await;
    let browser = Browser::new();
    ask_code_ok(&app, &browser, &client, "+16502530001").await;
    ask_code_ok(&app, &browser, &client, "+16502530002").await;
    for number in ["+16502530003", "+16502530001"] {
        let (_, res) = ask_code(&app, &browser, &client, number).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(retry_after(&res) > 80_000, "until midnight UTC");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Sign-in by text message is paused for today"),
            "{html}"
        );
    }
    assert_eq!(fake.count(), 2);
    let d = denials(&app).await;
    assert!(d.iter().all(|e| e["rule"] == "sms_daily_budget"), "{d:?}");
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &email_params()),
            "a@example.com",
        )
        .await;
    assert!(query_param(&back, "code").is_some());
    app.clock.advance(86_400);
    ask_code_ok(&app, &browser, &client, "+16502530003").await;
    assert_eq!(fake.count(), 3);
}

#[tokio::test]
async fn limits_and_budget_hold_across_two_replicas_sharing_one_database() {
    let fake = FakeProvider::accepting().await;
    let one = webhook_app(&fake, |cfg| cfg.sms.limits.daily_budget = 4).await;
    align_to_day(&one);
    // The second replica shares the database and (through the shared offset) the clock.
    let two = TestApp::spawn_on(one.db.clone(), one.smtp.clone(), one.clock.clone(), |cfg| {
        use_webhook(cfg, &fake);
        cfg.sms.limits.daily_budget = 4;
    })
    .await;
    let client = one.confidential_client().await;
    let (b1, b2) = (Browser::new(), Browser::new());
    ask_code_ok(&one, &b1, &client, N).await;
    ask_code_ok(&two, &b2, &client, N).await;
    ask_code_ok(&one, &b1, &client, N).await;
    for (app, b) in [(&two, &b2), (&one, &b1)] {
        let (_, res) = ask_code(app, b, &client, N).await;
        assert_eq!(
            res.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "the 15-minute limit is shared"
        );
    }
    // The budget of 4 is shared too: one more text anywhere, then none.
    ask_code_ok(&two, &b2, &client, "+16502530001").await;
    let (_, res) = ask_code(&one, &b1, &client, "+16502530002").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let (_, res) = ask_code(&two, &b2, &client, "+16502530002").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(fake.count(), 4);
    let rules: Vec<String> = denials(&one)
        .await
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        rules,
        [
            "sms_per_number_15m",
            "sms_per_number_15m",
            "sms_daily_budget",
            "sms_daily_budget"
        ]
    );
}

#[tokio::test]
async fn a_resend_waits_for_the_cooldown_and_a_refused_resend_keeps_the_last_code() {
    let fake = FakeProvider::accepting().await;
    let app = webhook_app(&fake, |cfg| cfg.sms.limits.per_number_15m = 2).await;
    align_to_day(&app);
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let page = ask_code_ok(&app, &browser, &client, N).await;

    let (_, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains("Your code is on its way"), "{html}");
    assert_eq!(fake.count(), 1, "nothing sent inside the cooldown");

    // The cooldown refusal did not count: the second code is still allowed.
    app.clock.advance(31);
    let (_, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains("We sent a new code"), "{html}");
    app.settle_outbox().await;
    assert_eq!(fake.count(), 2);
    let code = fake.last().code();

    app.clock.advance(31);
    let (retry, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(retry > 0);
    assert!(
        html.contains("We have already sent several codes to this number"),
        "{html}"
    );
    assert!(html.contains("+1********00"), "still on the code page");
    assert_eq!(fake.count(), 2);

    // The code already sent still signs in.
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

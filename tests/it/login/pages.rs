//! The hosted pages (issue 2, points 8–10): the client's name, accessible server-rendered
//! forms, CSRF, the code bound to the browser that asked for it, the same page whether or
//! not the account exists, registration on or off, and the email itself (including what
//! happens when SMTP fails).

use reqwest::StatusCode;
use sesame::store::users::Channel;

use crate::support::*;

/// The page with this sign-in's own values blanked, to compare two sign-ins.
fn normalised(html: &str, page: &LoginPage) -> String {
    html.replace(&page.tx, "TX")
        .replace(&tx_id(&page.tx), "TX")
        .replace(&page.csrf, "CSRF")
}

#[tokio::test]
async fn login_page_shows_the_client_name_with_accessible_mobile_friendly_markup() {
    let app = TestApp::spawn().await;
    let client = client_from(&app, client_spec("Ünïcode & <Co>", false, true, "RS256")).await;
    let browser = Browser::new();
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    let html = &page.html;
    assert!(h1(html).starts_with("Sign in to Ünïcode &"), "{html}");
    assert!(!html.contains("<Co>"), "the name is escaped: {html}");
    assert!(html.contains(r#"<label for="identifier">"#), "{html}");
    assert!(html.contains(r#"id="identifier""#));
    // One field takes an email address or a phone number (SMS is on in development).
    assert!(html.contains(r#"autocomplete="username""#), "{html}");
    assert!(html.contains(r#"name="viewport" content="width=device-width"#));
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(!html.contains("<script"), "no JavaScript needed: {html}");

    let code = app.request_code(&browser, &page, "page@example.com").await;
    let html = app.login_html(&browser, &page.tx).await;
    assert!(html.contains("p***@example.com"), "masked address: {html}");
    assert!(!html.contains("page@example.com"), "{html}");
    assert!(
        html.contains("sign in to Ünïcode &"),
        "client name on page 2: {html}"
    );
    assert!(!html.contains("<Co>"), "{html}");
    assert!(html.contains(r#"<label for="code">"#));
    assert!(html.contains(r#"autocomplete="one-time-code""#));
    assert!(html.contains(r#"action="/login/resend""#), "resend: {html}");
    assert!(
        html.contains(r#"action="/login/restart""#),
        "restart: {html}"
    );
    assert!(!html.contains("<script"));
    assert!(!html.contains(&code), "the code is never on the page");
}

#[tokio::test]
async fn an_invalid_address_is_explained_on_the_first_page() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    for bad in [
        "not-an-email",
        "",
        "a@b",
        "x@example.com\r\nBcc: y@example.com",
    ] {
        let res = app.submit_identifier(&browser, &page, bad).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"role="alert""#), "{html}");
        assert!(html.contains(r#"aria-invalid="true""#), "{html}");
        assert!(
            html.contains(r#"name="identifier""#),
            "still page 1: {html}"
        );
    }
    app.settle_outbox().await;
    assert!(app.smtp.messages().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn code_is_bound_to_the_browser_that_asked_for_it() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let owner = Browser::new();
    let (page, code) = app.code_page(&owner, &client, "owner@example.com").await;

    // Another browser with the transaction id, the owner's CSRF token and the right code.
    let thief = Browser::new();
    let res = app.submit_code(&thief, &page, &code).await;
    expect_error_page(res, StatusCode::FORBIDDEN).await;
    // The same with a CSRF token of its own (from a sign-in it started itself).
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let own = app
        .open_login(&thief, &authorize_url(&app, &client, &p))
        .await;
    let res = app
        .submit_identifier(&thief, &own, "thief@example.com")
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the thief has a session"
    );
    let stolen = LoginPage {
        url: page.url.clone(),
        tx: page.tx.clone(),
        csrf: own.csrf.clone(),
        html: String::new(),
    };
    let res = app.submit_code(&thief, &stolen, &code).await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("expired"), "{html}");
    let res = thief.get(&page.url).await;
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
    for path in ["/login/resend", "/login/restart"] {
        let res = thief
            .post_form(&app.url(path), &[("tx", &page.tx), ("csrf", &own.csrf)])
            .await;
        expect_error_page(res, StatusCode::BAD_REQUEST).await;
    }
    // The thief is not signed in: a new authorization request asks it to sign in.
    let res = thief.get(&authorize_url(&app, &client, &p)).await;
    assert!(location(&res, &app.base).starts_with(&app.url("/login?tx=")));
    // None of that counted as a try; the owner signs in with the same code.
    assert_eq!(app.login_tx(&page.tx).await.attempts, 0);
    let res = app.submit_code(&owner, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

#[tokio::test]
async fn missing_or_wrong_csrf_token_gets_a_403_page() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    let tx = page.tx.as_str();
    let forms: [(&str, Vec<(&str, &str)>); 4] = [
        ("/login", vec![("identifier", "csrf@example.com")]),
        ("/login/verify", vec![("code", "123456")]),
        ("/login/resend", vec![]),
        ("/login/restart", vec![]),
    ];
    for (path, fields) in forms {
        for csrf in [None, Some("wrong"), Some("")] {
            let mut form = vec![("tx", tx)];
            form.extend(fields.iter().copied());
            if let Some(c) = csrf {
                form.push(("csrf", c));
            }
            let res = browser.post_form(&app.url(path), &form).await;
            let html = expect_error_page(res, StatusCode::FORBIDDEN).await;
            assert!(
                html.contains("This form has expired"),
                "{path} {csrf:?}: {html}"
            );
        }
    }
    app.settle_outbox().await;
    assert!(app.smtp.messages().is_empty(), "no code was sent");
    // With the right token the same form works.
    let res = app
        .submit_identifier(&browser, &page, "csrf@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn unreadable_forms_get_a_friendly_page() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let res = browser.get(&app.url("/login")).await;
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
    let res = browser.get(&app.url("/login?tx=unknown")).await;
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
    let res = browser
        .http
        .post(app.url("/login"))
        .json(&serde_json::json!({"tx": "x"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    expect_error_page(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn page_is_the_same_for_existing_and_new_accounts() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    // kim@ has an account; kai@ does not. Both mask to k***@example.com.
    app.tokens_for(&client, "kim@example.com").await;

    let mut seen = Vec::new();
    for email in ["kim@example.com", "kai@example.com"] {
        let browser = Browser::new();
        let p = AuthParams {
            challenge: Some(pkce_pair().1),
            state: "same".into(),
            nonce: "same".into(),
            ..Default::default()
        };
        let page = app
            .open_login(&browser, &authorize_url(&app, &client, &p))
            .await;
        let first = normalised(&page.html, &page);
        let res = app.submit_identifier(&browser, &page, email).await;
        let status = res.status();
        let to = location(&res, &app.base).replace(&tx_id(&page.tx), "TX");
        let second = normalised(&app.login_html(&browser, &page.tx).await, &page);
        let res = app.submit_code(&browser, &page, "000000").await;
        let wrong_status = res.status();
        let wrong = normalised(&res.text().await.unwrap(), &page);
        seen.push((first, status, to, second, wrong_status, wrong));
    }
    assert_eq!(seen[0], seen[1], "an observer cannot tell the two apart");
}

#[tokio::test]
async fn unknown_address_gets_no_email_when_registration_is_off() {
    let app = TestApp::spawn_with(|c| c.register_new_users = false).await;
    let client = app.confidential_client().await;
    app.state
        .store
        .user_signed_in(
            Channel::Email,
            "known@example.com",
            "known-user",
            true,
            app.state.now(),
        )
        .await
        .unwrap();

    let mut pages = Vec::new();
    for email in ["kept@example.com", "known@example.com"] {
        let browser = Browser::new();
        let p = AuthParams {
            challenge: Some(pkce_pair().1),
            ..Default::default()
        };
        let page = app
            .open_login(&browser, &authorize_url(&app, &client, &p))
            .await;
        let res = app.submit_identifier(&browser, &page, email).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = app.login_html(&browser, &page.tx).await;
        pages.push(normalised(&html, &page));
        if email == "kept@example.com" {
            // Once the outbox has settled, a message would have arrived.
            app.settle_outbox().await;
            assert!(
                app.smtp.messages().is_empty(),
                "no email to an unknown address"
            );
            let res = app.submit_code(&browser, &page, "123456").await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        } else {
            let mail = app.smtp.wait_for_message_to(email, MAIL_WAIT).await;
            let code = smtp::code_from(&mail);
            let res = app.submit_code(&browser, &page, &code).await;
            let back = location(&res, &app.base);
            assert!(back.starts_with(&client.redirect_uri), "{back}");
        }
    }
    assert_eq!(pages[0], pages[1], "the same page either way");
    app.settle_outbox().await;
    assert_eq!(app.smtp.messages().len(), 1);
    assert_eq!(app.audit_count("code_not_sent").await, 1);
    let users = app.state.store.list_users(100, 0).await.unwrap();
    assert_eq!(users.len(), 1, "nobody was registered");
}

#[tokio::test]
async fn new_user_is_registered_once_with_an_opaque_stable_sub() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let first = app.tokens_for(&client, "Once@Example.com").await;
    let second = app.tokens_for(&client, "once@example.com").await;
    let sub1 = jwt_claims(first["id_token"].as_str().unwrap())["sub"].clone();
    let sub2 = jwt_claims(second["id_token"].as_str().unwrap())["sub"].clone();
    assert_eq!(sub1, sub2, "the same person gets the same sub");
    let sub = sub1.as_str().unwrap();
    assert!(!sub.contains('@') && !sub.contains("once"), "{sub}");
    assert!(sub.len() >= 16, "opaque: {sub}");
    assert_eq!(app.audit_count("user_registered").await, 1);
    let users = app.state.store.list_users(100, 0).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].email.as_deref(), Some("once@example.com"));
    // Another person gets another sub.
    let other = app.tokens_for(&client, "twice@example.com").await;
    assert_ne!(jwt_claims(other["id_token"].as_str().unwrap())["sub"], sub1);
}

#[tokio::test]
async fn email_becomes_verified_on_a_successful_sign_in() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    sesame::with_pool!(&app.state.store.db, pool => {
        sqlx::query(
            "INSERT INTO users (id, email, email_verified, created_at, updated_at) \
             VALUES ($1, $2, FALSE, $3, $3)",
        )
        .bind("unverified-user")
        .bind("unverified@example.com")
        .bind(app.state.now())
        .execute(pool)
        .await
        .unwrap();
    });
    let tokens = app.tokens_for(&client, "unverified@example.com").await;
    let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], "unverified-user");
    assert_eq!(claims["email_verified"], true);
    let user = app
        .state
        .store
        .get_user("unverified-user")
        .await
        .unwrap()
        .unwrap();
    assert!(user.email_verified);
    assert!(user.last_login_at.is_some());
}

#[tokio::test]
async fn email_has_text_and_html_parts_code_first_in_subject_and_configured_sender() {
    let app = TestApp::spawn().await;
    let client = client_from(&app, client_spec("Mail Test", false, true, "RS256")).await;
    let (_, code) = app
        .code_page(&Browser::new(), &client, "mail@example.com")
        .await;
    let mail = app.smtp.messages().pop().unwrap();
    assert_eq!(mail.subject, format!("{code} is your Sesame code"));
    assert_eq!(mail.mail_from, "no-reply@sesame.test");
    assert_eq!(mail.rcpt_to, ["mail@example.com"]);
    let raw = &mail.raw;
    assert!(raw.contains("From: Sesame <no-reply@sesame.test>"), "{raw}");
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(raw.contains("Content-Type: text/plain"), "{raw}");
    assert!(raw.contains("Content-Type: text/html"), "{raw}");
    assert!(mail.text_body.contains(&code), "{}", mail.text_body);
    let html_part = raw.split("Content-Type: text/html").nth(1).unwrap();
    assert!(
        html_part.contains(&code),
        "the HTML part shows the code: {html_part}"
    );
    assert!(mail.text_body.contains("Mail Test"), "{}", mail.text_body);
    assert!(mail.text_body.contains("15 minutes"), "{}", mail.text_body);
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
}

#[tokio::test]
async fn email_subject_and_sender_are_configurable() {
    let app = TestApp::spawn_with(|c| {
        c.product_name = "Acme ID".into();
        c.email.from = "Acme Login <login@acme.test>".into();
        c.email.subject = "{code} - your {product} sign-in code".into();
    })
    .await;
    let client = app.confidential_client().await;
    let (_, code) = app
        .code_page(&Browser::new(), &client, "acme@example.com")
        .await;
    let mail = app.smtp.messages().pop().unwrap();
    assert_eq!(mail.subject, format!("{code} - your Acme ID sign-in code"));
    assert_eq!(mail.mail_from, "login@acme.test");
    let from = mail.raw.lines().find(|l| l.starts_with("From: ")).unwrap();
    assert!(
        from.contains("Acme Login") && from.ends_with("<login@acme.test>"),
        "{from}"
    );
}

#[tokio::test]
async fn message_ids_are_in_the_issuers_domain_not_the_machines() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    for who in ["mid1@example.com", "mid2@example.com"] {
        app.code_page(&Browser::new(), &client, who).await;
    }
    let ids: Vec<String> = app
        .smtp
        .messages()
        .iter()
        .map(|m| {
            m.raw
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .unwrap_or_else(|| panic!("no Message-ID: {}", m.raw))
                .to_owned()
        })
        .collect();
    // The tests' issuer is http://127.0.0.1:<port>.
    assert!(ids.iter().all(|i| i.ends_with("@127.0.0.1>")), "{ids:?}");
    assert_ne!(ids[0], ids[1], "each message gets its own id");
}

#[tokio::test]
async fn smtp_failure_shows_a_clear_error_and_leaves_nothing_half_made() {
    // One delivery attempt: the failure is final at once (scale_outbox covers retries).
    let app = TestApp::spawn_with(|cfg| cfg.outbox.max_attempts = 1).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    app.smtp.set_fail_next(1);
    let res = app
        .submit_identifier(&browser, &page, "fail@example.com")
        .await;
    // The page answers before the delivery; its failure is told on the code page.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.settle_outbox().await;
    let html = app.login_html(&browser, &page.tx).await;
    assert!(html.contains("We could not send the code"), "{html}");
    assert!(
        html.contains(r#"action="/login/resend""#),
        "can ask again: {html}"
    );
    assert!(!html.contains("We sent a new code"), "{html}");
    // Nothing half-made: the code nobody received was withdrawn.
    let tx = app.login_tx(&page.tx).await;
    assert_eq!((tx.code_sent_at, tx.code_expires_at), (None, None));
    assert_eq!(app.audit_count("code_send_failed").await, 1);
    // Trying again at once works, and the code that arrives signs in.
    let (_, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains("We sent a new code"), "{html}");
    let code = smtp::code_from(
        &app.smtp
            .wait_for_message_to("fail@example.com", MAIL_WAIT)
            .await,
    );
    let res = app.submit_code(&browser, &page, &code).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

#[tokio::test]
async fn smtp_down_during_resend_leaves_one_live_code_after_recovery() {
    let app = TestApp::spawn_with(|cfg| cfg.outbox.max_attempts = 1).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (page, first) = app.code_page(&browser, &client, "down@example.com").await;
    app.clock.advance(31);
    app.smtp.stop();
    let html = resend_settle_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains("We could not send the code"), "{html}");
    assert!(
        html.contains(r#"action="/login/resend""#),
        "can try again: {html}"
    );
    app.smtp.restart().await;
    // No cooldown after a failed send: the person can ask again at once.
    let (_, html) = resend_and_follow(&app, &browser, &page.tx, &page.csrf).await;
    assert!(html.contains("We sent a new code"), "{html}");
    let mail = app
        .smtp
        .wait_for_message_to("down@example.com", MAIL_WAIT)
        .await;
    let second = smtp::code_from(&mail);
    let delivered: Vec<_> = app
        .smtp
        .messages()
        .into_iter()
        .filter(|m| m.rcpt_to == ["down@example.com"])
        .collect();
    assert_eq!(delivered.len(), 2, "the first code and the new one");
    if first != second {
        let res = app.submit_code(&browser, &page, &first).await;
        assert_eq!(
            res.status(),
            StatusCode::BAD_REQUEST,
            "only the newest code is live"
        );
    }
    let res = app.submit_code(&browser, &page, &second).await;
    assert!(location(&res, &app.base).starts_with(&client.redirect_uri));
}

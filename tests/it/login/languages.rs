//! The hosted pages and the code message in the person's language: `ui_locales`, then
//! `Accept-Language`, then the default; the choice sticks for the whole sign-in.

use reqwest::header::ACCEPT_LANGUAGE;
use reqwest::StatusCode;
use sesame::config::SmsProvider;

use crate::support::*;

/// The message `id` as the server writes it in language `tag`, with `args`.
fn said(app: &TestApp, tag: &str, id: &str, args: &[(&str, &str)]) -> String {
    let i18n = &app.state.i18n;
    let t = i18n.tr(i18n.find(tag).expect("a built-in language"));
    let args: Vec<(&str, sesame::i18n::Arg)> =
        args.iter().map(|(k, v)| (*k, (*v).into())).collect();
    let (out, errors) = t.checked(id, None, &args);
    assert!(errors.is_empty(), "{tag} {id}: {errors:?}");
    out
}

/// Askama escapes what it writes; compare the page with the escaped message.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn with_ui_locales(app: &TestApp, client: &TestClient, tags: &str) -> String {
    let (_, challenge) = pkce_pair();
    authorize_url(
        app,
        client,
        &AuthParams {
            challenge: Some(challenge),
            extra: vec![("ui_locales".into(), tags.into())],
            ..AuthParams::default()
        },
    )
}

#[tokio::test]
async fn a_sign_in_with_ui_locales_de_mails_a_german_message_and_keeps_german_pages() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    // The browser prefers French; ui_locales wins.
    let res = browser
        .http
        .get(with_ui_locales(&app, &client, "de"))
        .header(ACCEPT_LANGUAGE, "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let url = location(&res, &app.base);
    let html = browser.get(&url).await.text().await.unwrap();
    assert!(html.contains(r#"<html lang="de" dir="ltr">"#), "{html}");
    let title = said(&app, "de", "identifier-title", &[("client", "Test App")]);
    assert!(html.contains(&escaped(&title)), "{html}");
    let page = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url,
        html,
    };
    let res = app
        .submit_identifier(&browser, &page, "hilde@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mail = app
        .smtp
        .wait_for_message_to("hilde@example.com", MAIL_WAIT)
        .await;
    let code = crate::support::smtp::code_from(&mail);
    assert_eq!(mail.subject, format!("{code} ist Ihr Sesame-Code"));
    assert!(
        mail.text_body.contains("Ihr Sesame-Code lautet:"),
        "{}",
        mail.text_body
    );
    let minutes = (app.state.config.login.code_ttl_seconds + 59) / 60;
    let expires = format!("Er läuft in {minutes} Minuten ab.");
    assert!(mail.text_body.contains(&expires), "{}", mail.text_body);
    assert!(mail.raw.contains("lang=3D\"de\"") || mail.raw.contains(r#"lang="de""#));
    // The code page, in a browser that still says French, stays German.
    let html = browser
        .http
        .get(app.url(&format!("/login?tx={}", tx_id(&page.tx))))
        .header(ACCEPT_LANGUAGE, "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&said(&app, "de", "code-page-title", &[])),
        "{html}"
    );
    let res = app.submit_code(&browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn accept_language_fr_gives_french_pages() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let (_, challenge) = pkce_pair();
    let auth = authorize_url(
        &app,
        &client,
        &AuthParams {
            challenge: Some(challenge),
            ..AuthParams::default()
        },
    );
    let res = browser
        .http
        .get(&auth)
        .header(ACCEPT_LANGUAGE, "fr-CA, en;q=0.5")
        .send()
        .await
        .unwrap();
    let html = browser
        .get(&location(&res, &app.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="fr" dir="ltr">"#), "{html}");
    assert!(html.contains("Se connecter à Test App"), "{html}");
    assert!(html.contains("M’envoyer un code"), "{html}");
    // A page outside a sign-in, and an error page, follow the header too.
    let res = browser
        .http
        .get(app.url("/account/profile"))
        .header(ACCEPT_LANGUAGE, "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(html.contains("Vous n’êtes pas connecté"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn arabic_pages_are_written_right_to_left() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let page = app
        .open_login(&browser, &with_ui_locales(&app, &client, "ar"))
        .await;
    assert!(
        page.html.contains(r#"<html lang="ar" dir="rtl">"#),
        "{}",
        page.html
    );
    // Addresses stay left to right inside the right-to-left page.
    assert!(page.html.contains(r#"dir="ltr""#));
    app.stop().await;
}

#[tokio::test]
async fn every_language_shows_the_address_and_code_pages_in_its_own_words() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let tags: Vec<String> = app
        .state
        .i18n
        .tags()
        .iter()
        .map(|t| t.to_string())
        .collect();
    assert_eq!(tags, ["en", "de", "fr", "es", "pt-BR", "ja", "ar"]);
    for tag in &tags {
        let browser = Browser::new();
        let page = app
            .open_login(&browser, &with_ui_locales(&app, &client, tag))
            .await;
        assert!(
            page.html.contains(&format!(r#"<html lang="{tag}""#)),
            "{tag}"
        );
        for id in [
            // The test server also takes phone numbers.
            "identifier-intro-either",
            "identifier-label-either",
            "identifier-submit",
        ] {
            let words = escaped(&said(&app, tag, id, &[]));
            assert!(
                page.html.contains(&words),
                "{tag}: {id} missing\n{}",
                page.html
            );
        }
        let email = format!("person-{}@example.com", tag.to_lowercase());
        let res = app.submit_identifier(&browser, &page, &email).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{tag}");
        let html = app.login_html(&browser, &tx_id(&page.tx)).await;
        for id in [
            "code-page-title",
            "code-label",
            "code-submit",
            "code-resend",
            "code-restart",
        ] {
            let words = escaped(&said(&app, tag, id, &[]));
            assert!(html.contains(&words), "{tag}: {id} missing\n{html}");
        }
        // No key is ever shown in place of words.
        for raw in ["identifier-", "code-page", "footer-line"] {
            assert!(!html.contains(raw), "{tag}: {raw} shown\n{html}");
        }
        let mail = app.smtp.wait_for_message_to(&email, MAIL_WAIT).await;
        let code = crate::support::smtp::code_from(&mail);
        let subject = said(&app, tag, "email-subject", &[("code", &code)]);
        // Arabic keeps the isolation marks around the code and the name.
        assert_eq!(mail.subject, subject, "{tag}");
    }
    app.stop().await;
}

#[tokio::test]
async fn discovery_lists_the_languages_of_the_pages() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["ui_locales_supported"],
        serde_json::json!(["en", "de", "fr", "es", "pt-BR", "ja", "ar"])
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_address_gets_a_page_with_a_way_back_and_the_request_id() {
    let app = TestApp::spawn().await;
    let res = Browser::new()
        .http
        .get(app.url("/no/such/page"))
        .header(ACCEPT_LANGUAGE, "es")
        .header("x-request-id", "req-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<html lang="es""#), "{html}");
    assert!(html.contains("Página no encontrada"), "{html}");
    assert!(html.contains("req-abc-123"), "{html}");
    assert!(html.contains(r#"href="/""#), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn an_error_page_of_a_known_app_leads_back_to_it() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let url = url_with(
        &app,
        "/authorize",
        &[
            ("client_id", &client.id),
            ("redirect_uri", "https://elsewhere.example/cb"),
            ("response_type", "code"),
        ],
    );
    let html = expect_error_page(Browser::new().get(&url).await, StatusCode::BAD_REQUEST).await;
    assert!(html.contains(r#"href="http://127.0.0.1:9/""#), "{html}");
    assert!(html.contains("Back to Test App"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn after_the_last_wrong_try_the_main_button_asks_for_a_new_code() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let page = app
        .open_login(&browser, &with_ui_locales(&app, &client, "en"))
        .await;
    let code = app.request_code(&browser, &page, "tries@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut html = String::new();
    for _ in 0..app.state.config.login.max_attempts {
        html = app
            .submit_code(&browser, &page, wrong)
            .await
            .text()
            .await
            .unwrap();
    }
    assert!(!html.contains(r#"action="/login/verify""#), "{html}");
    let resend = html
        .find(r#"action="/login/resend""#)
        .expect("a resend form");
    let main = &html[resend..];
    assert!(
        main.contains("<button type=\"submit\">Send a new code</button>"),
        "{html}"
    );
    app.stop().await;
}

#[tokio::test]
async fn asking_again_within_the_wait_is_a_calm_notice_not_an_error() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let page = app
        .open_login(&browser, &with_ui_locales(&app, &client, "en"))
        .await;
    app.request_code(&browser, &page, "wait@example.com").await;
    let (_, html) = resend_and_follow(&app, &browser, &tx_id(&page.tx), &page.csrf).await;
    assert!(html.contains(r#"class="notice""#), "{html}");
    assert!(html.contains("Your code is on its way"), "{html}");
    assert!(!html.contains(r#"class="error""#), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn the_phone_number_example_is_one_this_deployment_accepts() {
    let app = TestApp::spawn_with(|c| {
        c.sms.provider = Some(SmsProvider::Console);
        c.sms.default_region = "DE".into();
    })
    .await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let page = app
        .open_login(&browser, &with_ui_locales(&app, &client, "en"))
        .await;
    let res = app.submit_identifier(&browser, &page, "+1 23").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("for example +49 1"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_deployment_folder_overrides_messages_and_adds_a_language() {
    let (app, _catalogs) = spawn_with_catalogs(&[
        ("de", "brand.ftl", "identifier-submit = Code anfordern\n"),
        (
            "nl",
            "sesame.ftl",
            "identifier-title = Inloggen bij { $client }\n",
        ),
    ])
    .await;
    let client = app.confidential_client().await;
    let page = app
        .open_login(&Browser::new(), &with_ui_locales(&app, &client, "de"))
        .await;
    assert!(page.html.contains("Code anfordern"), "{}", page.html);
    assert!(page.html.contains("Bei Test App anmelden"), "{}", page.html);
    let page = app
        .open_login(&Browser::new(), &with_ui_locales(&app, &client, "nl"))
        .await;
    assert!(
        page.html.contains(r#"<html lang="nl" dir="ltr">"#),
        "{}",
        page.html
    );
    assert!(page.html.contains("Inloggen bij Test App"), "{}", page.html);
    // What Dutch lacks is shown in English.
    assert!(page.html.contains("Send me a code"), "{}", page.html);
    app.stop().await;
}

/// The `lang` of a page's `<html>` element.
fn page_lang(html: &str) -> &str {
    html.split(r#"<html lang=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
}

async fn get_in(browser: &Browser, url: &str, accept_language: &str) -> String {
    browser
        .http
        .get(url)
        .header(ACCEPT_LANGUAGE, accept_language)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_error_on_the_sign_in_pages_speaks_the_sign_ins_language_not_the_browsers() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;

    // Before anything is stored: the sealed first step names the language.
    let browser = Browser::new();
    let page = app
        .open_login(&browser, &with_ui_locales(&app, &client, "de"))
        .await;
    let other = app.confidential_client().await;
    app.state.store.delete_client(&client.id).await.unwrap();
    let html = get_in(&browser, &page.url, "fr").await;
    assert_eq!(page_lang(&html), "de", "{html}");
    assert!(
        html.contains(&escaped(&said(&app, "de", "error-session-expired", &[]))),
        "{html}"
    );

    // Once the sign-in is stored, the browser session keeps its language.
    let browser = Browser::new();
    let page = app
        .open_login(&browser, &with_ui_locales(&app, &other, "ja"))
        .await;
    let res = app
        .submit_identifier(&browser, &page, "hanako@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = get_in(&browser, &app.url("/login?tx=no-such-sign-in"), "fr").await;
    assert_eq!(page_lang(&html), "ja", "{html}");
    // A language the request names itself still wins, and pages outside a sign-in speak
    // the browser's language.
    let html = get_in(
        &browser,
        &app.url("/login?tx=no-such-sign-in&ui_locales=es"),
        "fr",
    )
    .await;
    assert_eq!(page_lang(&html), "es", "{html}");
    let html = get_in(&browser, &app.url("/no-such-page"), "fr").await;
    assert_eq!(page_lang(&html), "fr", "{html}");
    app.stop().await;
}

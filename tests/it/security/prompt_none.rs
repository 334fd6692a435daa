//! Silent authorization (`prompt=none`) as a privacy probe (OIDC Core 17.3): an app the
//! signed-in person never consented to must not learn who is at the browser by comparing
//! the answers to hints (`login_hint`, a `sub` claim value, `id_token_hint`).

use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

const PERSON: &str = "visitor@example.com";
const OTHER: &str = "someone.else@example.com";

/// The error a silent authorization answers (it must not be a code).
async fn silent_error(
    app: &TestApp,
    browser: &Browser,
    client: &TestClient,
    extra: &[(&str, &str)],
) -> String {
    let mut all = vec![("prompt", "none")];
    all.extend_from_slice(extra);
    let res = app.authorize(browser, client, &params_with(&all)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert!(back.starts_with(&client.redirect_uri), "{back}");
    assert!(query_param(&back, "code").is_none(), "{extra:?}: {back}");
    query_param(&back, "error").unwrap()
}

fn sub_claim(sub: &str) -> String {
    json!({"id_token": {"sub": {"value": sub}}}).to_string()
}

/// A browser where PERSON is signed in, with the ID tokens of PERSON and of OTHER (each
/// issued to a first-party client), and their subjects.
struct Scene {
    browser: Browser,
    first_party: TestClient,
    person_sub: String,
    other_sub: String,
    person_id_token: String,
    other_id_token: String,
}

async fn scene(app: &TestApp) -> Scene {
    let browser = Browser::new();
    let first_party = app.plan_client().await;
    let mine = app
        .plan_tokens(&browser, &first_party, &AuthParams::default(), PERSON)
        .await;
    let theirs = app
        .plan_tokens(&Browser::new(), &first_party, &AuthParams::default(), OTHER)
        .await;
    Scene {
        browser,
        person_sub: app.user_id(PERSON).await,
        other_sub: app.user_id(OTHER).await,
        person_id_token: mine["id_token"].as_str().unwrap().to_string(),
        other_id_token: theirs["id_token"].as_str().unwrap().to_string(),
        first_party,
    }
}

#[tokio::test]
async fn prompt_none_answers_a_client_without_consent_the_same_whatever_the_hint() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let third = app.third_party_client().await;
    let (wrong_sub, right_sub) = (sub_claim(&s.other_sub), sub_claim(&s.person_sub));
    let probes: [(&str, Vec<(&str, &str)>); 7] = [
        ("no hint", vec![]),
        ("login_hint wrong", vec![("login_hint", OTHER)]),
        ("login_hint right", vec![("login_hint", PERSON)]),
        ("claims.sub wrong", vec![("claims", &wrong_sub)]),
        ("claims.sub right", vec![("claims", &right_sub)]),
        (
            "id_token_hint of another person",
            vec![("id_token_hint", &s.other_id_token)],
        ),
        (
            "id_token_hint of the person",
            vec![("id_token_hint", &s.person_id_token)],
        ),
    ];
    let mut answers = Vec::new();
    for (what, extra) in &probes {
        answers.push((*what, silent_error(&app, &s.browser, &third, extra).await));
    }
    assert!(
        answers.iter().all(|(_, a)| a == "consent_required"),
        "every probe must get consent_required: {answers:?}"
    );
    // Without prompt=none the person sees the usual pages: the sign-in page for a hint
    // naming someone else, the consent page for their own.
    let p = params_with(&[("login_hint", OTHER)]);
    let page = app
        .open_login(&s.browser, &authorize_url(&app, &third, &p))
        .await;
    assert!(page.html.contains(&format!("value=\"{OTHER}\"")));
    let res = app
        .authorize(&s.browser, &third, &params_with(&[("login_hint", PERSON)]))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res, &app.base).starts_with(&app.url("/consent?tx=")));
}

#[tokio::test]
async fn prompt_none_still_tells_first_party_and_consented_clients_that_a_hint_is_wrong() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let third = app.third_party_client().await;
    // The person consents to the third-party client once.
    let res = app
        .authorize(&s.browser, &third, &AuthParams::default())
        .await;
    let consent = location(&res, &app.base);
    let back = app.answer_consent(&s.browser, &consent, true).await;
    assert!(query_param(&back, "code").is_some());
    let wrong_sub = sub_claim(&s.other_sub);
    for client in [&s.first_party, &third] {
        let cases: [(Vec<(&str, &str)>, &str); 3] = [
            (vec![("login_hint", OTHER)], "interaction_required"),
            (vec![("claims", &wrong_sub)], "login_required"),
            (vec![("id_token_hint", &s.other_id_token)], "login_required"),
        ];
        for (extra, want) in &cases {
            assert_eq!(
                silent_error(&app, &s.browser, client, extra).await,
                *want,
                "{extra:?}"
            );
        }
        let right_sub = sub_claim(&s.person_sub);
        for extra in [
            vec![("prompt", "none"), ("login_hint", PERSON)],
            vec![("prompt", "none"), ("claims", &right_sub)],
            vec![("prompt", "none"), ("id_token_hint", &s.person_id_token)],
        ] {
            let back = app
                .authorize_silently(&s.browser, client, &params_with(&extra))
                .await;
            assert!(query_param(&back, "code").is_some(), "{extra:?}: {back}");
        }
    }
}

#[tokio::test]
async fn prompt_none_without_a_sign_in_is_login_required_whatever_the_hint() {
    let app = TestApp::spawn().await;
    let third = app.third_party_client().await;
    let browser = Browser::new();
    for extra in [
        vec![],
        vec![("login_hint", PERSON)],
        vec![("login_hint", OTHER)],
    ] {
        assert_eq!(
            silent_error(&app, &browser, &third, &extra).await,
            "login_required",
            "{extra:?}"
        );
    }
}

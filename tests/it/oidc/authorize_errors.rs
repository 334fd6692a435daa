//! The authorization endpoint's rules (issue 2, point 7): until the client and its exact
//! redirect URI are known, errors are pages that never redirect; after that, errors go
//! back to the client with `error`, `state` and `iss`. PKCE S256 only, `state`, `nonce`
//! and `login_hint` honoured, unknown parameters ignored, GET and POST alike.

use reqwest::StatusCode;

use crate::support::*;

/// The minimal valid query for `client` (S256 challenge), as owned pairs.
fn valid_pairs(client: &TestClient) -> Vec<(String, String)> {
    vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), client.id.clone()),
        ("redirect_uri".into(), client.redirect_uri.clone()),
        ("scope".into(), "openid email".into()),
        ("state".into(), "xyz-state".into()),
        ("code_challenge".into(), pkce_pair().1),
        ("code_challenge_method".into(), "S256".into()),
    ]
}

fn with(
    mut pairs: Vec<(String, String)>,
    drop: &[&str],
    add: &[(&str, &str)],
) -> Vec<(String, String)> {
    pairs.retain(|(k, _)| !drop.contains(&k.as_str()));
    for (k, v) in add {
        pairs.push((k.to_string(), v.to_string()));
    }
    pairs
}

fn authorize(app: &TestApp, pairs: &[(String, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    url_with(app, "/authorize", &borrowed)
}

#[tokio::test]
async fn unknown_client_gets_an_error_page_and_never_redirects() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let pairs = with(
        valid_pairs(&client),
        &["client_id"],
        &[("client_id", "nope")],
    );
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("not registered"), "{html}");
    assert!(!html.contains(&client.redirect_uri), "no link back: {html}");
}

#[tokio::test]
async fn missing_client_id_gets_an_error_page() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let pairs = with(valid_pairs(&client), &["client_id"], &[]);
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("client_id"), "{html}");
}

#[tokio::test]
async fn unregistered_redirect_uri_gets_an_error_page_and_never_redirects() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let near_misses = [
        "https://evil.example/callback".to_string(),
        format!("{}/extra", client.redirect_uri),
        format!("{}?x=1", client.redirect_uri),
        client.redirect_uri.replace("callback", "Callback"),
        client.redirect_uri.replace("127.0.0.1", "localhost"),
    ];
    for uri in near_misses {
        let pairs = with(
            valid_pairs(&client),
            &["redirect_uri"],
            &[("redirect_uri", &uri)],
        );
        let res = Browser::new().get(&authorize(&app, &pairs)).await;
        let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
        assert!(html.contains("not registered"), "{uri}: {html}");
    }
    // Even a request that is wrong in other ways too stays on our page.
    let pairs = with(
        valid_pairs(&client),
        &["redirect_uri", "response_type"],
        &[("redirect_uri", "https://evil.example/cb")],
    );
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_shown_beside_the_registered_ones_in_development() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let pairs = with(
        valid_pairs(&client),
        &["redirect_uri"],
        &[("redirect_uri", "https://evil.example/cb")],
    );
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(
        html.contains("it asked for https://evil.example/cb")
            && html.contains(&format!("it has registered {}", client.redirect_uri)),
        "{html}"
    );
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_logged_at_warn_with_the_client_and_the_address() {
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sesame.db", db.path().display());
    let server = crate::support::process::ServerProcess::start(&url, &[]).await;
    let res = reqwest::get(format!(
        "{}/authorize?response_type=code&client_id=sesame-demo&scope=openid\
         &redirect_uri=https%3A%2F%2Fevil.example%2Fcb%0Aforged",
        server.base
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let line = crate::support::process::wait_for("the refusal's log line", &server.stderr, |t| {
        t.lines()
            .find(|l| l.contains("redirect_uri is not one the client registered"))
            .map(str::to_owned)
    })
    .await;
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("sesame-demo"), "{line}");
    assert!(
        line.contains("https://evil.example/cb forged"),
        "the address, on one line: {line}"
    );
}

#[tokio::test]
async fn missing_redirect_uri_gets_an_error_page() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let pairs = with(valid_pairs(&client), &["redirect_uri"], &[]);
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(html.contains("redirect_uri"), "{html}");
}

#[tokio::test]
async fn missing_response_type_redirects_with_invalid_request_state_and_iss() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let pairs = with(valid_pairs(&client), &["response_type"], &[]);
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    expect_error_redirect(&res, &app, &client, "invalid_request", Some("xyz-state"));
    // Without a state, none is invented.
    let pairs = with(valid_pairs(&client), &["response_type", "state"], &[]);
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    expect_error_redirect(&res, &app, &client, "invalid_request", None);
}

#[tokio::test]
async fn response_types_other_than_code_are_unsupported() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    for rt in ["token", "id_token", "code id_token", "code token", "none"] {
        let pairs = with(
            valid_pairs(&client),
            &["response_type"],
            &[("response_type", rt)],
        );
        let res = Browser::new().get(&authorize(&app, &pairs)).await;
        expect_error_redirect(
            &res,
            &app,
            &client,
            "unsupported_response_type",
            Some("xyz-state"),
        );
    }
}

#[tokio::test]
async fn scope_without_openid_is_invalid_scope() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    for scope in [Some("email"), Some("profile openidx"), None] {
        let mut pairs = with(valid_pairs(&client), &["scope"], &[]);
        if let Some(s) = scope {
            pairs.push(("scope".into(), s.into()));
        }
        let res = Browser::new().get(&authorize(&app, &pairs)).await;
        expect_error_redirect(&res, &app, &client, "invalid_scope", Some("xyz-state"));
    }
}

#[tokio::test]
async fn public_client_without_code_challenge_is_invalid_request() {
    let app = TestApp::spawn().await;
    let client = app.public_client().await;
    let pairs = with(
        valid_pairs(&client),
        &["code_challenge", "code_challenge_method"],
        &[],
    );
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    let back = expect_error_redirect(&res, &app, &client, "invalid_request", Some("xyz-state"));
    assert!(
        query_param(&back, "error_description")
            .unwrap()
            .contains("PKCE"),
        "{back}"
    );
}

#[tokio::test]
async fn confidential_client_with_pkce_required_must_send_a_challenge() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let pairs = with(
        valid_pairs(&client),
        &["code_challenge", "code_challenge_method"],
        &[],
    );
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    expect_error_redirect(&res, &app, &client, "invalid_request", Some("xyz-state"));
}

#[tokio::test]
async fn only_the_s256_challenge_method_is_accepted() {
    let app = TestApp::spawn().await;
    let client = app.public_client().await;
    let challenge = pkce_pair().1;
    let cases: [&[(&str, &str)]; 4] = [
        // plain, explicitly
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "plain"),
        ],
        // plain, by RFC 7636's default
        &[("code_challenge", &challenge)],
        // a method without a challenge
        &[("code_challenge_method", "S256")],
        // a malformed challenge
        &[
            ("code_challenge", "too-short"),
            ("code_challenge_method", "S256"),
        ],
    ];
    for add in cases {
        let pairs = with(
            valid_pairs(&client),
            &["code_challenge", "code_challenge_method"],
            add,
        );
        let res = Browser::new().get(&authorize(&app, &pairs)).await;
        expect_error_redirect(&res, &app, &client, "invalid_request", Some("xyz-state"));
    }
}

#[tokio::test]
async fn pkce_optional_client_may_omit_pkce() {
    let app = TestApp::spawn().await;
    let client = app.client_of(false, false).await;
    let browser = Browser::new();
    let p = AuthParams::default(); // no challenge
    let back = app
        .sign_in(
            &browser,
            &authorize_url(&app, &client, &p),
            "nopkce@example.com",
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    assert!(tokens["id_token"].is_string());
}

#[tokio::test]
async fn pkce_optional_client_that_sent_a_challenge_must_send_the_verifier() {
    let app = TestApp::spawn().await;
    let client = app.client_of(false, false).await;
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &p),
            "opt@example.com",
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, None).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;

    // And a wrong verifier fails too, while the right one works on a fresh code.
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &p),
            "opt@example.com",
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, Some(&pkce_pair().0)).await;
    expect_oauth_error(res, StatusCode::BAD_REQUEST, "invalid_grant").await;
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &p),
            "opt@example.com",
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn request_objects_are_refused_as_not_supported() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let pairs = with(
        valid_pairs(&client),
        &[],
        &[("request", "eyJhbGciOiJub25lIn0.e30.")],
    );
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    expect_error_redirect(
        &res,
        &app,
        &client,
        "request_not_supported",
        Some("xyz-state"),
    );
    let pairs = with(
        valid_pairs(&client),
        &[],
        &[("request_uri", "https://rp.example/req.jwt")],
    );
    let res = Browser::new().get(&authorize(&app, &pairs)).await;
    expect_error_redirect(
        &res,
        &app,
        &client,
        "request_uri_not_supported",
        Some("xyz-state"),
    );
}

#[tokio::test]
async fn response_mode_other_than_query_or_form_post_is_refused() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    for mode in ["fragment", "form_post.jwt", "FORM_POST"] {
        let pairs = with(valid_pairs(&client), &[], &[("response_mode", mode)]);
        let res = Browser::new().get(&authorize(&app, &pairs)).await;
        expect_error_redirect(&res, &app, &client, "invalid_request", Some("xyz-state"));
    }
    let pairs = with(valid_pairs(&client), &[], &[("response_mode", "query")]);
    app.open_login(&Browser::new(), &authorize(&app, &pairs))
        .await;
}

#[tokio::test]
async fn repeated_parameter_gets_an_error_page() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    for name in [
        "scope",
        "state",
        "redirect_uri",
        "client_id",
        "code_challenge",
    ] {
        let value = valid_pairs(&client)
            .into_iter()
            .find(|(k, _)| k == name)
            .unwrap()
            .1;
        let pairs = with(valid_pairs(&client), &[], &[(name, &value)]);
        let res = Browser::new().get(&authorize(&app, &pairs)).await;
        let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
        assert!(html.contains(name), "names the parameter {name}: {html}");
    }
}

#[tokio::test]
async fn unknown_parameters_are_ignored_and_ui_locales_picks_the_language() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let pairs = with(
        valid_pairs(&client),
        &[],
        &[
            ("foo", "bar"),
            ("ui_locales", "fr"),
            ("claims_locales", "de"),
            ("display", "page"),
            ("acr_values", "urn:x"),
            ("empty", ""),
        ],
    );
    let page = app
        .open_login(&Browser::new(), &authorize(&app, &pairs))
        .await;
    assert!(
        page.html.contains("Se connecter à Test App"),
        "{}",
        page.html
    );
    // Unknown scopes are ignored too (OIDC Core 3.1.2.1).
    let pairs = with(
        valid_pairs(&client),
        &["scope"],
        &[("scope", "openid profile offline_access custom:thing")],
    );
    app.open_login(&Browser::new(), &authorize(&app, &pairs))
        .await;
}

#[tokio::test]
async fn post_authorize_with_a_form_body_works() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (verifier, challenge) = pkce_pair();
    let browser = Browser::new();
    let form = [
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("scope", "openid email"),
        ("state", "post-state"),
        ("nonce", "post-nonce"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let res = browser.post_form(&app.url("/authorize"), &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let login = location(&res, &app.base);
    assert!(login.starts_with(&app.url("/login?tx=")), "{login}");
    let html = browser.get(&login).await.text().await.unwrap();
    let page = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url: login,
        html,
    };
    let code = app.request_code(&browser, &page, "post@example.com").await;
    let res = app.submit_code(&browser, &page, &code).await;
    let back = location(&res, &app.base);
    assert_eq!(query_param(&back, "state").as_deref(), Some("post-state"));
    let res = app
        .exchange(
            &client,
            &query_param(&back, "code").unwrap(),
            Some(&verifier),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["nonce"],
        "post-nonce"
    );

    // Errors of a POST are the same as of a GET: a bad redirect is a page...
    let mut bad = form.to_vec();
    bad[2] = ("redirect_uri", "https://evil.example/cb");
    let res = browser.post_form(&app.url("/authorize"), &bad).await;
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
    // ...a bad scope goes back to the client, and a non-form body is a page.
    let mut bad = form.to_vec();
    bad[3] = ("scope", "email");
    let res = browser.post_form(&app.url("/authorize"), &bad).await;
    expect_error_redirect(&res, &app, &client, "invalid_scope", Some("post-state"));
    let res = browser
        .http
        .post(app.url("/authorize"))
        .json(&serde_json::json!({ "client_id": client.id }))
        .send()
        .await
        .unwrap();
    expect_error_page(res, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn login_hint_prefills_the_email_field_escaped() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        extra: vec![("login_hint".into(), "hinted@example.com".into())],
        ..Default::default()
    };
    let page = app
        .open_login(&Browser::new(), &authorize_url(&app, &client, &p))
        .await;
    assert!(
        page.html.contains(r#"value="hinted@example.com""#),
        "{}",
        page.html
    );
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        extra: vec![("login_hint".into(), r#""><script>alert(1)</script>"#.into())],
        ..Default::default()
    };
    let page = app
        .open_login(&Browser::new(), &authorize_url(&app, &client, &p))
        .await;
    assert!(!page.html.contains("<script>"), "{}", page.html);
    assert!(!page.html.contains(r#""><"#), "{}", page.html);
}

#[tokio::test]
async fn state_and_nonce_are_passed_through() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        state: "a state with spaces & symbols/?=".into(),
        nonce: "nonce-ü-12345".into(),
        ..Default::default()
    };
    let back = app
        .sign_in(
            &Browser::new(),
            &authorize_url(&app, &client, &p),
            "sn@example.com",
        )
        .await;
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(p.state.as_str())
    );
    assert_eq!(
        query_param(&back, "iss").as_deref(),
        Some(app.base.as_str())
    );
    let res = app
        .exchange(
            &client,
            &query_param(&back, "code").unwrap(),
            Some(&verifier),
        )
        .await;
    let tokens: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["nonce"],
        p.nonce.as_str()
    );

    // Without state and nonce, none appear.
    let (verifier, challenge) = pkce_pair();
    let pairs = with(
        valid_pairs(&client),
        &["state", "code_challenge"],
        &[("code_challenge", &challenge)],
    );
    let back = app
        .sign_in(&Browser::new(), &authorize(&app, &pairs), "sn@example.com")
        .await;
    assert_eq!(query_param(&back, "state"), None);
    let res = app
        .exchange(
            &client,
            &query_param(&back, "code").unwrap(),
            Some(&verifier),
        )
        .await;
    let tokens: serde_json::Value = res.json().await.unwrap();
    let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert!(claims.get("nonce").is_none(), "{claims}");
}

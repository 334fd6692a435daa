//! Relying parties through the admin API: every operation, its validation, its audit
//! event, and what the per-client settings change for people signing in.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::admin::common::*;
use crate::support::*;

/// What /token says to these credentials: 400 invalid_grant when they authenticate (the
/// code is bogus), 401 invalid_client when they do not.
async fn token_endpoint_status(app: &TestApp, id: &str, secret: &str) -> StatusCode {
    reqwest::Client::new()
        .post(app.url("/token"))
        .basic_auth(id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "bogus"),
            ("redirect_uri", "https://app.example/cb"),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

fn new_client(name: &str) -> Value {
    json!({ "name": name, "redirect_uris": ["https://app.example/cb"] })
}

#[tokio::test]
async fn clients_are_created_listed_shown_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;

    let r = api
        .post(
            "/clients",
            json!({
                "name": "Shop", "redirect_uris": ["https://shop.example/cb"],
                "logo_uri": "https://cdn.example/shop.png", "brand_color": "#FF8800",
                "allowed_scopes": ["email"], "access_token_ttl_seconds": 300,
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:#}", r.json);
    let id = r.json["client_id"].as_str().unwrap().to_string();
    assert_eq!(
        r.headers["location"],
        format!("{API}/clients/{id}").as_str()
    );
    assert_eq!(r.json["public"], false);
    assert_eq!(r.json["pkce"], "required");
    assert_eq!(r.json["first_party"], true);
    assert_eq!(r.json["brand_color"], "#ff8800");
    assert_eq!(r.json["allowed_scopes"], json!(["openid", "email"]));
    let secret = r.json["client_secret"].as_str().unwrap().to_string();
    assert_eq!(
        token_endpoint_status(&app, &id, &secret).await,
        StatusCode::BAD_REQUEST,
        "the returned secret authenticates the client"
    );
    let e = assert_audited_by_token(&app, "admin_client_created", &api.token_id).await;
    assert_eq!(e["client_id"], id.as_str());
    assert!(!e.to_string().contains(&secret));

    // Show: the secret never again.
    let r = api.get(&format!("/clients/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json.get("client_secret").is_none());
    assert_eq!(r.json["access_token_ttl_seconds"], 300);
    assert_audited_by_token(&app, "admin_client_viewed", &api.token_id).await;

    // List, two pages.
    for n in ["B", "C"] {
        assert_eq!(
            api.post("/clients", new_client(n)).await.status,
            StatusCode::CREATED
        );
    }
    let p1 = api.get("/clients?limit=2").await;
    assert_eq!(p1.status, StatusCode::OK);
    assert_eq!(p1.json["items"].as_array().unwrap().len(), 2);
    let cursor = p1.json["next_cursor"].as_str().unwrap();
    let p2 = api.get(&format!("/clients?limit=2&cursor={cursor}")).await;
    let mut names: Vec<&str> = p1.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2.json["items"].as_array().unwrap())
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    names.sort();
    // The development-mode demo client is registered too.
    assert_eq!(names, ["B", "C", "Demo app", "Shop"]);
    assert!(p2.json["next_cursor"].is_null());
    assert_audited_by_token(&app, "admin_clients_listed", &api.token_id).await;

    // Change: set some fields, clear others (merge patch), leave the rest.
    let r = api
        .patch(
            &format!("/clients/{id}"),
            json!({
                "name": "Shop 2", "redirect_uris": ["https://shop.example/cb", "http://localhost:3000/cb"],
                "logo_uri": null, "allowed_scopes": null, "first_party": false, "pkce": "optional",
                "tos_uri": "https://shop.example/terms", "id_token_alg": "ES256",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);
    assert_eq!(r.json["name"], "Shop 2");
    assert_eq!(r.json["redirect_uris"].as_array().unwrap().len(), 2);
    assert!(r.json["logo_uri"].is_null() && r.json["allowed_scopes"].is_null());
    assert_eq!(r.json["brand_color"], "#ff8800", "absent fields stay");
    assert_eq!(r.json["first_party"], false);
    assert_eq!(r.json["pkce"], "optional");
    assert_eq!(r.json["id_token_alg"], "ES256");
    let e = assert_audited_by_token(&app, "admin_client_updated", &api.token_id).await;
    let changed = e["detail"]["changed"].as_array().unwrap();
    for f in [
        "name",
        "redirect_uris",
        "logo_uri",
        "allowed_scopes",
        "tos_uri",
        "pkce",
    ] {
        assert!(changed.contains(&json!(f)), "{f} in {changed:?}");
    }
    assert!(!changed.contains(&json!("brand_color")));
    // The same patch again changes nothing (idempotent).
    let again = api
        .patch(&format!("/clients/{id}"), json!({ "name": "Shop 2" }))
        .await;
    assert_eq!(again.json["updated_at"], r.json["updated_at"]);

    // Delete, twice: both 204; then it is gone, with what was issued to it.
    let r = api.delete(&format!("/clients/{id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let e = assert_audited_by_token(&app, "admin_client_deleted", &api.token_id).await;
    assert_eq!(e["detail"]["existed"], true);
    assert_eq!(
        api.delete(&format!("/clients/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        events(&app, "admin_client_deleted").await[0]["detail"]["existed"],
        false
    );
    api.get(&format!("/clients/{id}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
    assert_eq!(
        token_endpoint_status(&app, &id, &secret).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn invalid_client_input_gets_a_problem_naming_the_field() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let with = |extra: Value| {
        let mut b = new_client("App");
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let cases = [
        (with(json!({ "name": "  " })), "name"),
        (with(json!({ "redirect_uris": [] })), "redirect_uris"),
        (
            with(json!({ "redirect_uris": ["http://app.example/cb"] })),
            "redirect_uris",
        ),
        (
            with(json!({ "redirect_uris": ["https://app.example/cb#x"] })),
            "redirect_uris",
        ),
        (with(json!({ "public": true, "pkce": "optional" })), "pkce"),
        (
            with(json!({ "logo_uri": "http://cdn.example/l.png" })),
            "logo_uri",
        ),
        (
            with(json!({ "client_uri": "javascript:alert(1)" })),
            "client_uri",
        ),
        (with(json!({ "policy_uri": "/privacy" })), "policy_uri"),
        (with(json!({ "brand_color": "red" })), "brand_color"),
        (
            with(json!({ "allowed_scopes": ["openid", "admin"] })),
            "allowed_scopes",
        ),
        (
            with(json!({ "access_token_ttl_seconds": 0 })),
            "access_token_ttl_seconds",
        ),
        (
            with(json!({ "id_token_ttl_seconds": 999_999 })),
            "id_token_ttl_seconds",
        ),
        (with(json!({ "id_token_alg": "HS256" })), "id_token_alg"),
        (with(json!({ "id_token_alg": "none" })), "id_token_alg"),
    ];
    for (body, field) in cases {
        let r = api.post("/clients", body.clone()).await;
        r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some(field));
        assert_eq!(r.json["type"], "urn:sesame:admin:validation");
    }
    // Shape errors: unknown field, wrong type, bad JSON, no JSON content type.
    let r = api.post("/clients", with(json!({ "nmae": "x" }))).await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, None);
    assert!(r.json["detail"].as_str().unwrap().contains("nmae"));
    api.post("/clients", with(json!({ "public": "yes" })))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, None);
    let raw = reqwest::Client::new()
        .post(app.url(&format!("{API}/clients")))
        .bearer_auth(api.token.as_deref().unwrap())
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    assert_eq!(raw.headers()["content-type"], "application/problem+json");
    let raw = reqwest::Client::new()
        .post(app.url(&format!("{API}/clients")))
        .bearer_auth(api.token.as_deref().unwrap())
        .body(new_client("x").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Pagination parameters.
    api.get("/clients?limit=0")
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("limit"));
    api.get("/clients?limit=many")
        .await
        .assert_problem(StatusCode::BAD_REQUEST, None);
    api.get("/clients?cursor=garbage!")
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"));
    // Changes: a public client stays public; unknown clients are 404.
    let public = api
        .post("/clients", with(json!({ "public": true })))
        .await
        .json["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    api.patch(&format!("/clients/{public}"), json!({ "public": false }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("public"));
    api.patch(&format!("/clients/{public}"), json!({ "pkce": "optional" }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("pkce"));
    api.patch("/clients/nope", json!({ "name": "x" }))
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
    // Nothing invalid was stored: only the demo client and the public one.
    assert_eq!(app.state.store.list_clients().await.unwrap().len(), 2);
}

#[tokio::test]
async fn rotating_a_secret_retires_the_old_one_at_once() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let r = api.post("/clients", new_client("App")).await;
    let id = r.json["client_id"].as_str().unwrap().to_string();
    let old = r.json["client_secret"].as_str().unwrap().to_string();

    let r = api.post(&format!("/clients/{id}/secret"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["client_id"], id.as_str());
    let new = r.json["client_secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(
        token_endpoint_status(&app, &id, &old).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        token_endpoint_status(&app, &id, &new).await,
        StatusCode::BAD_REQUEST
    );
    let e = assert_audited_by_token(&app, "admin_client_secret_rotated", &api.token_id).await;
    assert!(!e.to_string().contains(&new));

    let public = app.public_client().await;
    api.post(&format!("/clients/{}/secret", public.id), json!({}))
        .await
        .assert_problem(StatusCode::CONFLICT, None);
    api.post("/clients/nope/secret", json!({}))
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn scopes_outside_a_clients_allow_list_are_dropped_and_lifetimes_apply() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let client = app.confidential_client().await;
    let r = api
        .patch(
            &format!("/clients/{}", client.id),
            json!({ "allowed_scopes": ["openid"], "access_token_ttl_seconds": 120,
                    "id_token_ttl_seconds": 90 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);

    let tokens = app.tokens_for(&client, "scoped@example.com").await;
    assert_eq!(
        tokens["scope"], "openid",
        "email was asked for but is not allowed"
    );
    assert_eq!(tokens["expires_in"], 120);
    let at = jwt_claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(
        at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(),
        120
    );
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        90
    );
    assert!(id.get("email").is_none());

    // Back to the defaults: email is granted again, lifetimes are the server's.
    api.patch(
        &format!("/clients/{}", client.id),
        json!({ "allowed_scopes": null, "access_token_ttl_seconds": null }),
    )
    .await;
    let tokens = app.tokens_for(&client, "scoped@example.com").await;
    assert_eq!(tokens["scope"], "openid email");
    assert_eq!(
        tokens["expires_in"],
        app.state.config.tokens.access_token_ttl_seconds
    );
}

#[tokio::test]
async fn the_login_pages_show_the_clients_logo_links_and_colour_within_the_csp() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let client = app.confidential_client().await;
    api.patch(
        &format!("/clients/{}", client.id),
        json!({
            "name": "Bakery", "logo_uri": "https://cdn.example/bakery.png",
            "client_uri": "https://bakery.example/", "policy_uri": "https://bakery.example/privacy",
            "tos_uri": "https://bakery.example/terms", "brand_color": "#ffe066",
        }),
    )
    .await;
    let browser = Browser::new();
    let (_, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(&browser, &authorize_url(&app, &client, &p))
        .await;
    let html = &page.html;
    assert!(html.contains("Sign in to Bakery"));
    assert!(
        html.contains("<img src=\"https://cdn.example/bakery.png\""),
        "{html}"
    );
    assert!(html.contains("href=\"https://bakery.example/\""));
    assert!(html.contains("href=\"https://bakery.example/privacy\""));
    assert!(html.contains("href=\"https://bakery.example/terms\""));
    assert!(
        !html.contains("style="),
        "no inline style: the CSP forbids it"
    );
    let css_path = html
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .expect("a second stylesheet: the client's")
        .replace("&#x3d;", "=")
        .replace("&#61;", "=");
    assert!(
        css_path.starts_with(&format!("/static/brand/{}/style.css?v=", client.id)),
        "{css_path}"
    );

    let res = browser.get(&app.url(&css_path)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    let css = res.text().await.unwrap();
    assert!(css.contains("--accent: #ffe066"), "{css}");
    assert!(
        css.contains("--on-accent: #000000"),
        "a light colour gets dark text: {css}"
    );

    // The page's CSP is unchanged: styles only from this origin.
    let res = browser.get(&page.url).await;
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    // The code page shows the links too.
    app.submit_identifier(&browser, &page, "baker@example.com")
        .await;
    let html = browser.get(&page.url).await.text().await.unwrap();
    assert!(html.contains("Enter your code") && html.contains("https://bakery.example/terms"));

    // Without a colour there is no client stylesheet.
    api.patch(
        &format!("/clients/{}", client.id),
        json!({ "brand_color": null }),
    )
    .await;
    let res = browser
        .get(&app.url(&format!("/static/brand/{}/style.css", client.id)))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = browser
        .get(&app.url("/static/brand/unknown/style.css"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

//! Who may use the admin API: nobody until a token exists (404 everywhere), then only the
//! bearer of a live token (401 otherwise); every use is recorded.

use reqwest::{Method, StatusCode};

use crate::admin::common::*;
use crate::support::*;

/// Every operation of the API, with paths whose ids need not exist (authorization is
/// checked before anything else).
fn operations() -> Vec<(Method, &'static str)> {
    vec![
        (Method::GET, "/clients"),
        (Method::POST, "/clients"),
        (Method::GET, "/clients/c1"),
        (Method::PATCH, "/clients/c1"),
        (Method::DELETE, "/clients/c1"),
        (Method::POST, "/clients/c1/secret"),
        (Method::GET, "/users"),
        (Method::GET, "/users/u1"),
        (Method::DELETE, "/users/u1"),
        (Method::PUT, "/users/u1/disabled"),
        (Method::DELETE, "/users/u1/disabled"),
        (Method::GET, "/users/u1/sessions"),
        (Method::DELETE, "/users/u1/sessions"),
        (Method::DELETE, "/users/u1/sessions/s1"),
        (Method::GET, "/users/u1/grants"),
        (Method::DELETE, "/users/u1/grants"),
        (Method::DELETE, "/users/u1/grants/g1"),
        (Method::GET, "/users/u1/attributes"),
        (Method::PUT, "/users/u1/attributes/k1"),
        (Method::DELETE, "/users/u1/attributes/k1"),
        (Method::GET, "/groups"),
        (Method::POST, "/groups"),
        (Method::GET, "/groups/team1"),
        (Method::DELETE, "/groups/team1"),
        (Method::GET, "/groups/team1/members"),
        (Method::PUT, "/groups/team1/members/u1"),
        (Method::DELETE, "/groups/team1/members/u1"),
        (Method::GET, "/webhooks"),
        (Method::POST, "/webhooks"),
        (Method::DELETE, "/webhooks/wh1"),
        (Method::GET, "/keys"),
        (Method::POST, "/keys/rotate"),
        (Method::GET, "/audit-events"),
        (Method::GET, "/review-accounts"),
        (Method::POST, "/review-accounts"),
        (Method::DELETE, "/review-accounts/a%40example.com"),
        (Method::GET, "/admins"),
        (Method::POST, "/admins"),
        (Method::DELETE, "/admins/u1"),
        (Method::GET, "/overview"),
    ]
}

#[tokio::test]
async fn every_operation_is_documented_in_the_openapi_document() {
    let doc: serde_json::Value = serde_json::from_str(&sesame::admin::openapi_json()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in operations() {
        let templ = path
            .replace("/c1", "/{client_id}")
            .replace("/u1", "/{user_id}")
            .replace("/s1", "/{session_id}")
            .replace("/g1", "/{grant_id}")
            .replace("/team1", "/{name}")
            .replace("/k1", "/{name}")
            .replace("/wh1", "/{id}")
            .replace("/a%40example.com", "/{identifier}");
        let op = &paths[&format!("{API}{templ}")][method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {templ} is not documented");
        assert!(op["responses"]["401"].is_object(), "{method} {templ}");
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        operations().len() + 1,
        "openapi.json itself is the +1"
    );
}

#[tokio::test]
async fn the_api_is_off_until_a_token_exists() {
    let app = TestApp::spawn().await;
    let anon = AdminApi {
        base: app.url(API),
        http: reqwest::Client::new(),
        token: None,
        token_id: String::new(),
    };
    for (method, path) in operations() {
        let r = anon.call(method.clone(), path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert!(r.json.is_null(), "an off API says nothing: {method} {path}");
    }
    let guess = anon.with_token(Some("sesame_admin_guess"));
    assert_eq!(guess.get("/users").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        anon.get("/openapi.json").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anon.get("/nothing-here").await.status,
        StatusCode::NOT_FOUND
    );

    // A token turns it on; revoking the last one turns it off again.
    let api = AdminApi::new(&app).await;
    assert_eq!(api.get("/users").await.status, StatusCode::OK);
    assert_eq!(anon.get("/openapi.json").await.status, StatusCode::OK);
    sesame::admin::auth::revoke_token(&cli_ctx(&app), &api.token_id)
        .await
        .unwrap();
    assert_eq!(api.get("/users").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_operation_refuses_no_token_a_wrong_token_and_a_revoked_token() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let (revoked_id, revoked) = new_token(&app, "old").await;
    sesame::admin::auth::revoke_token(&cli_ctx(&app), &revoked_id)
        .await
        .unwrap();
    let callers = [
        ("no token", api.with_token(None)),
        (
            "wrong token",
            api.with_token(Some("sesame_admin_not-a-real-token")),
        ),
        ("revoked token", api.with_token(Some(&revoked))),
        ("not a bearer", api.with_token(Some(""))),
    ];
    for (who, caller) in &callers {
        for (method, path) in operations() {
            let r = caller
                .call(method.clone(), path, Some(serde_json::json!({})))
                .await;
            r.assert_problem(StatusCode::UNAUTHORIZED, None);
            assert_eq!(
                r.headers.get("www-authenticate").unwrap(),
                "Bearer realm=\"sesame-admin\"",
                "{who}: {method} {path}"
            );
        }
    }
    // Basic credentials are not an admin token either.
    let r = reqwest::Client::new()
        .get(app.url(&format!("{API}/users")))
        .basic_auth("admin", Some(api.token.as_deref().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // None of that was recorded as an admin action.
    assert!(events(&app, "admin_users_listed").await.is_empty());
}

#[tokio::test]
async fn a_token_is_stored_hashed_and_its_last_use_is_recorded() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let token = api.token.clone().unwrap();
    assert!(token.starts_with("sesame_admin_") && token.len() > 40);
    let listed = sesame::admin::auth::list_tokens(&cli_ctx(&app))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "test-admin");
    assert_eq!(listed[0].last_used_at, None);
    // The database holds a keyed hash, never the token.
    let stored: Vec<u8> = sesame::with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar("SELECT token_hash FROM admin_tokens").fetch_one(pool).await.unwrap()
    });
    assert_ne!(stored, token.as_bytes());
    assert_eq!(stored.len(), 32);

    app.clock.advance(120);
    assert_eq!(api.get("/keys").await.status, StatusCode::OK);
    let listed = sesame::admin::auth::list_tokens(&cli_ctx(&app))
        .await
        .unwrap();
    assert_eq!(listed[0].last_used_at, Some(app.state.now()));
    let e = assert_audited_by_token(&app, "admin_keys_listed", &api.token_id).await;
    assert!(
        !e.to_string().contains(&token),
        "the audit trail never holds the token"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_get_problems_once_authenticated() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    api.get("/nothing-here")
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
    api.call(Method::PUT, "/keys", None)
        .await
        .assert_problem(StatusCode::METHOD_NOT_ALLOWED, None);
    api.with_token(None)
        .get("/nothing-here")
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn the_served_openapi_document_is_the_checked_in_one() {
    let app = TestApp::spawn().await;
    let _api = AdminApi::new(&app).await;
    let res = reqwest::get(app.url(&format!("{API}/openapi.json")))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    let served = res.text().await.unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/admin-api.json");
    if std::env::var("SESAME_UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(path, &served).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap();
    let a: serde_json::Value = serde_json::from_str(&served).unwrap();
    let b: serde_json::Value = serde_json::from_str(&checked_in).unwrap();
    assert!(
        a == b,
        "docs/admin-api.json is out of date: regenerate it with \
         `cargo run -- admin openapi > docs/admin-api.json` \
         (or SESAME_UPDATE_OPENAPI=1 cargo test --test it admin::auth)"
    );
    assert_eq!(a["openapi"], "3.1.0");
}

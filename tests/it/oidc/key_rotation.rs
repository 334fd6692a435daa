//! Signing-key rotation: pre-publication, retirement, retention, and the `sesame keys`
//! commands run as the real binary against the test database.

use std::process::Command;

use serde_json::Value;
use sesame::tokens::rotation;

use crate::support::*;

const EMAIL: &str = "keys@example.com";

async fn jwks_kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = reqwest::get(app.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

async fn id_token(app: &TestApp, client: &TestClient) -> String {
    let tokens = app
        .plan_tokens(&Browser::new(), client, &AuthParams::default(), EMAIL)
        .await;
    tokens["id_token"].as_str().unwrap().to_string()
}

fn kid(jwt: &str) -> String {
    jwt_header(jwt)["kid"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_token_signed_before_rotation_still_validates_after_it_through_jwks() {
    let app = TestApp::spawn_with(|c| {
        c.keys.prepublish_seconds = 600;
        c.keys.retain_seconds = 3600;
    })
    .await;
    let client = app.plan_client().await;
    let before = id_token(&app, &client).await;
    let old_kid = kid(&before);
    let rotated = rotation::rotate(
        &app.state.keys,
        &app.state.config,
        Some("RS256"),
        app.state.now(),
    )
    .await
    .unwrap();
    let new_kid = rotated[0].kid.clone();
    assert_ne!(new_kid, old_kid);
    // Published at once, but not signing yet.
    let kids = jwks_kids(&app).await;
    assert!(
        kids.contains(&old_kid) && kids.contains(&new_kid),
        "{kids:?}"
    );
    assert_eq!(kid(&id_token(&app, &client).await), old_kid);
    // After the pre-publication delay the new key signs; the old token still validates.
    app.clock.advance(601);
    let after = id_token(&app, &client).await;
    assert_eq!(kid(&after), new_kid);
    let old_claims = app.verify_with_jwks(&before).await;
    assert_eq!(old_claims["aud"], client.id.as_str());
    app.verify_with_jwks(&after).await;
    // The old key leaves the JWKS only after the retention (longer than any token it signed).
    app.clock.advance(3600 - 10);
    assert!(jwks_kids(&app).await.contains(&old_kid));
    app.clock.advance(20);
    let kids = jwks_kids(&app).await;
    assert!(
        !kids.contains(&old_kid) && kids.contains(&new_kid),
        "{kids:?}"
    );
}

#[tokio::test]
async fn retention_is_never_shorter_than_the_longest_token_lifetime() {
    let app = TestApp::spawn_with(|c| {
        c.keys.prepublish_seconds = 0;
        c.keys.retain_seconds = 1;
        c.tokens.access_token_ttl_seconds = 900;
    })
    .await;
    let client = app.plan_client().await;
    let tokens = app
        .plan_tokens(&Browser::new(), &client, &AuthParams::default(), EMAIL)
        .await;
    let at = tokens["access_token"].as_str().unwrap().to_string();
    rotation::rotate(&app.state.keys, &app.state.config, None, app.state.now())
        .await
        .unwrap();
    app.clock.advance(890);
    // Still verifiable through the JWKS and accepted at userinfo until it expires.
    app.verify_with_jwks(&at).await;
    assert_eq!(app.userinfo(&at).await.status(), reqwest::StatusCode::OK);
}

fn sesame_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sesame.toml");
    std::fs::write(&config, "").unwrap();
    Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(args)
        .env("SESAME_CONFIG", &config)
        .env("SESAME_DATABASE_URL", &app.db.url)
        .env("SESAME_ISSUER", &app.base)
        .env(
            "SESAME_SECRET_KEY",
            "test-secret-key-that-is-long-enough-0123456789",
        )
        .env("SESAME_KEYS__PREPUBLISH_SECONDS", "0")
        .output()
        .unwrap()
}

#[tokio::test]
async fn sesame_keys_rotate_and_list_work_on_the_running_servers_database() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let before = id_token(&app, &client).await;
    let out = sesame_cli(&app, &["keys", "rotate", "--alg", "RS256", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rotated: Value = serde_json::from_slice(&out.stdout).unwrap();
    let new_kid = rotated["rotated"][0]["kid"].as_str().unwrap().to_string();
    assert_eq!(rotated["rotated"][0]["alg"], "RS256");
    // The server sees the new key (through the database) and signs with it.
    assert!(jwks_kids(&app).await.contains(&new_kid));
    let after = id_token(&app, &client).await;
    assert_eq!(kid(&after), new_kid);
    app.verify_with_jwks(&before).await;
    let out = sesame_cli(&app, &["keys", "list", "--json"]);
    assert!(out.status.success());
    let keys: Value = serde_json::from_slice(&out.stdout).unwrap();
    let old = keys["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid(&before))
        .unwrap();
    assert!(
        old["retired_at"].is_i64() && old["unpublish_at"].is_i64(),
        "{old}"
    );
    let out = sesame_cli(&app, &["keys", "rotate", "--alg", "HS256"]);
    assert!(!out.status.success());
}

#[tokio::test]
async fn sesame_clients_add_registers_post_logout_uris_and_machine_clients() {
    let app = TestApp::spawn().await;
    let out = sesame_cli(
        &app,
        &[
            "clients",
            "add",
            "--name",
            "CLI App",
            "--redirect-uri",
            "http://127.0.0.1:9/callback",
            "--post-logout-redirect-uri",
            "http://127.0.0.1:9/bye",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reg: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stored = app
        .state
        .store
        .get_client(reg["client_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.post_logout_redirect_uris, ["http://127.0.0.1:9/bye"]);
    let out = sesame_cli(
        &app,
        &[
            "clients",
            "add",
            "--name",
            "Nightly job",
            "--grant-type",
            "client_credentials",
            "--scope",
            "reports:read",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reg: Value = serde_json::from_slice(&out.stdout).unwrap();
    let machine = TestClient {
        id: reg["client_id"].as_str().unwrap().into(),
        secret: reg["client_secret"].as_str().map(str::to_string),
        redirect_uri: String::new(),
    };
    let res = app
        .token_form(&machine, &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    // A bad post-logout URI is refused with a clear message.
    let out = sesame_cli(
        &app,
        &[
            "clients",
            "add",
            "--name",
            "Bad",
            "--redirect-uri",
            "http://127.0.0.1:9/callback",
            "--post-logout-redirect-uri",
            "http://app.example/bye",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("post-logout redirect URI"));
}

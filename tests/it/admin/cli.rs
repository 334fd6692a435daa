//! The `sesame` binary's admin commands, run for real against a test's database while its
//! server runs: every operation round-trips in `--json`, and the server sees the change.

use reqwest::StatusCode;
use serde_json::Value;

use crate::admin::common::*;
use crate::support::*;

async fn token_status(app: &TestApp, id: &str, secret: &str) -> StatusCode {
    reqwest::Client::new()
        .post(app.url("/token"))
        .basic_auth(id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", "x"),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

#[tokio::test]
async fn cli_manages_clients_in_json_while_the_server_runs() {
    let app = TestApp::spawn().await;
    let created = cli_json(
        &app,
        &[
            "clients",
            "add",
            "--name",
            "Cli App",
            "--redirect-uri",
            "http://127.0.0.1:9/callback",
            "--logo-uri",
            "https://cdn.example/cli.png",
            "--homepage",
            "https://cli.example/",
            "--brand-color",
            "#123456",
            "--allowed-scope",
            "email",
            "--access-token-ttl",
            "300",
        ],
    );
    let id = s(&created["client_id"]);
    let secret = s(&created["client_secret"]);
    assert_eq!(
        created["allowed_scopes"],
        serde_json::json!(["openid", "email"])
    );
    assert_eq!(created["client_uri"], "https://cli.example/");
    assert_eq!(
        token_status(&app, &id, &secret).await,
        StatusCode::BAD_REQUEST
    );
    let e = &events(&app, "admin_client_created").await[0];
    assert_eq!(e["detail"]["actor"]["type"], "cli");

    // The running server serves it at once.
    let client = TestClient {
        id: id.clone(),
        secret: Some(secret.clone()),
        redirect_uri: "http://127.0.0.1:9/callback".into(),
    };
    let (_, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(&Browser::new(), &authorize_url(&app, &client, &p))
        .await;
    assert!(page.html.contains("Sign in to Cli App") && page.html.contains("cdn.example/cli.png"));

    let got = cli_json(&app, &["clients", "get", &id]);
    assert_eq!(got["access_token_ttl_seconds"], 300);
    assert!(got.get("client_secret").is_none());

    let updated = cli_json(
        &app,
        &[
            "clients",
            "update",
            &id,
            "--name",
            "Cli App 2",
            "--add-redirect-uri",
            "https://cli.example/cb",
            "--third-party",
            "--clear",
            "logo_uri",
            "--clear",
            "allowed_scopes",
            "--pkce",
            "optional",
        ],
    );
    assert_eq!(updated["name"], "Cli App 2");
    assert_eq!(updated["redirect_uris"].as_array().unwrap().len(), 2);
    assert_eq!(updated["first_party"], false);
    assert_eq!(updated["pkce"], "optional");
    assert!(updated["logo_uri"].is_null() && updated["allowed_scopes"].is_null());
    assert_eq!(updated["brand_color"], "#123456");
    assert_eq!(
        app.state.store.get_client(&id).await.unwrap().unwrap().name,
        "Cli App 2"
    );

    let list = cli_json(&app, &["clients", "list"]);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["client_id"] == id.as_str()));

    let rotated = cli_json(&app, &["clients", "rotate-secret", &id]);
    let new = s(&rotated["client_secret"]);
    assert_eq!(
        token_status(&app, &id, &secret).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(token_status(&app, &id, &new).await, StatusCode::BAD_REQUEST);

    let removed = cli_json(&app, &["clients", "remove", &id]);
    assert_eq!(removed["deleted"], true);
    assert!(app.state.store.get_client(&id).await.unwrap().is_none());
    let (ok, _, err) = run_cli(&app, &["clients", "get", &id]);
    assert!(!ok);
    assert!(err.contains(&format!("no client with id {id}")), "{err}");
}

#[tokio::test]
async fn cli_manages_people_their_sessions_and_grants_in_json() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (laptop, phone) = (Browser::new(), Browser::new());
    let t = signed_in(&app, &laptop, &client, "ivy@example.com").await;
    let access = s(&t["access_token"]);
    let user = s(&jwt_claims(&access)["sub"]);
    app.clock.advance(5);
    signed_in(&app, &phone, &client, "ivy@example.com").await;

    let list = cli_json(&app, &["users", "list"]);
    assert_eq!(list["items"][0]["user_id"], user.as_str());
    let found = cli_json(&app, &["users", "search", "IVY@"]);
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let none = cli_json(&app, &["users", "list", "--search", "nobody"]);
    assert!(none["items"].as_array().unwrap().is_empty());
    let got = cli_json(&app, &["users", "get", "ivy@example.com"]);
    assert_eq!(got["user_id"], user.as_str());

    let both = cli_json(&app, &["users", "sessions", &user]);
    let sessions = both["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(both["grants"].as_array().unwrap().len(), 2);
    let phone_sid = s(&sessions[0]["session_id"]);
    let r = cli_json(&app, &["users", "revoke", &user, "--session", &phone_sid]);
    assert_eq!(r["sessions_ended"], serde_json::json!([phone_sid]));
    assert!(!sso_works(&app, &phone, &client).await);
    assert!(sso_works(&app, &laptop, &client).await);

    let gid = s(&jwt_claims(&access)["gid"]);
    cli_json(&app, &["users", "revoke", &user, "--grant", &gid]);
    assert!(!userinfo_ok(&app, &access).await);
    let r = cli_json(&app, &["users", "revoke", &user, "--all"]);
    assert_eq!(r["sessions_ended"].as_array().unwrap().len(), 1);
    assert!(!sso_works(&app, &laptop, &client).await);

    let d = cli_json(&app, &["users", "disable", &user]);
    assert_eq!(d["disabled"], true);
    assert!(app
        .state
        .store
        .get_user(&user)
        .await
        .unwrap()
        .unwrap()
        .disabled_at
        .is_some());
    let e = cli_json(&app, &["users", "enable", &user]);
    assert_eq!(e["disabled"], false);
    let gone = cli_json(&app, &["users", "delete", &user]);
    assert_eq!(gone["deleted"], true);
    assert!(app.state.store.get_user(&user).await.unwrap().is_none());
    let (ok, _, err) = run_cli(&app, &["users", "get", &user]);
    assert!(!ok && err.contains("no user"), "{err}");
    let ev = &events(&app, "admin_user_deleted").await[0];
    assert_eq!(ev["detail"]["actor"]["type"], "cli");
}

#[tokio::test]
async fn cli_manages_tokens_keys_audit_and_review_accounts_in_json() {
    let app = TestApp::spawn().await;
    let t = cli_json(&app, &["admin-tokens", "create", "--name", "ci"]);
    let token = s(&t["token"]);
    let api = AdminApi::new(&app).await.with_token(Some(&token));
    assert_eq!(api.get("/users").await.status, StatusCode::OK);
    let listed = cli_json(&app, &["admin-tokens", "list"]);
    let ci = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "ci")
        .unwrap()
        .clone();
    assert!(ci["last_used_at"].is_i64());
    assert!(
        !listed.to_string().contains(&token),
        "listing never shows a token"
    );
    let revoked = cli_json(&app, &["admin-tokens", "revoke", "ci"]);
    assert_eq!(revoked["active"], false);
    api.get("/users")
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, None);

    let keys = cli_json(&app, &["keys", "list"]);
    assert_eq!(keys["items"].as_array().unwrap().len(), 2);
    let r = cli_json(
        &app,
        &[
            "keys",
            "rotate",
            "--alg",
            "ES256",
            "--prepublish-seconds",
            "0",
            "--retain-seconds",
            "60",
        ],
    );
    let kid = s(&r["rotated"][0]["kid"]);
    let jwks: Value = reqwest::get(app.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        jwks.to_string().contains(&kid),
        "the server publishes the CLI's new key"
    );

    let audit = cli_json(&app, &["audit", "--kind", "admin_key_*", "--since", "1h"]);
    let ev = &audit["items"][0];
    assert_eq!(ev["kind"], "admin_key_rotated");
    assert_eq!(ev["detail"]["kid"], kid.as_str());
    assert_eq!(ev["detail"]["actor"]["type"], "cli");
    let by_user = cli_json(&app, &["audit", "--user", "nobody", "--limit", "5"]);
    assert!(by_user["items"].as_array().unwrap().is_empty());

    let until = sesame::admin::ops::format_time(app.state.now() + 10 * 86_400)[..10].to_string();
    let a = cli_json(
        &app,
        &[
            "users",
            "review-account",
            "add",
            "Rev@Example.com",
            "--code",
            "123456",
            "--until",
            &until,
        ],
    );
    assert_eq!(a["identifier"], "rev@example.com");
    assert_eq!(a["active"], true);
    let l = cli_json(&app, &["users", "review-account", "list"]);
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    let r = cli_json(
        &app,
        &["users", "review-account", "remove", "rev@example.com"],
    );
    assert_eq!(r["removed"], true);
    assert!(app
        .state
        .store
        .list_review_accounts()
        .await
        .unwrap()
        .is_empty());

    let (ok, doc, _) = run_cli(&app, &["admin", "openapi"]);
    assert!(ok);
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/admin-api.json"))
            .unwrap();
    assert_eq!(
        doc, checked_in,
        "`sesame admin openapi` prints docs/admin-api.json"
    );
}

#[tokio::test]
async fn cli_prints_tables_for_people_and_clear_errors() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (ok, out, _) = run_cli(&app, &["clients", "list"]);
    assert!(ok);
    let header = out.lines().next().unwrap();
    assert!(
        header.starts_with("CLIENT ID") && header.contains("REDIRECT URIS"),
        "{out}"
    );
    assert!(out.contains(&client.id) && out.contains("Test App"));
    let (ok, out, _) = run_cli(&app, &["keys", "list"]);
    assert!(
        ok && out.starts_with("KID") && out.contains("RS256") && out.contains("active"),
        "{out}"
    );

    let (ok, _, err) = run_cli(
        &app,
        &[
            "clients",
            "add",
            "--name",
            "Bad",
            "--redirect-uri",
            "http://bad.example/cb",
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("redirect_uris") && err.contains("loopback"),
        "{err}"
    );
    let (ok, _, err) = run_cli(&app, &["audit", "--since", "last tuesday"]);
    assert!(!ok && err.contains("since"), "{err}");
    let (ok, _, err) = run_cli(
        &app,
        &[
            "users",
            "review-account",
            "add",
            "a@example.com",
            "--code",
            "12",
            "--until",
            "2030-01-01",
        ],
    );
    assert!(!ok && err.contains("6 digits"), "{err}");
    let (ok, _, err) = run_cli(&app, &["users", "revoke", "someone@example.com"]);
    assert!(!ok && err.contains("--all"), "{err}");
    let (ok, _, err) = run_cli(&app, &["admin-tokens", "revoke", "nope"]);
    assert!(!ok && err.contains("no admin token"), "{err}");
}

#[tokio::test]
async fn cli_takes_ids_that_begin_with_a_hyphen() {
    // Ids are random base64url, so one in 64 begins with `-`; the CLI must not read it as
    // an option.
    let app = TestApp::spawn().await;
    let (ok, _, err) = run_cli(&app, &["users", "get", "-1WGPpZo37ge7e8zhtleWg"]);
    assert!(!ok && err.contains("no user"), "{err}");
    let (ok, _, err) = run_cli(
        &app,
        &[
            "users",
            "revoke",
            "-1WGPpZo37ge7e8zhtleWg",
            "--session",
            "-x",
        ],
    );
    assert!(!ok && !err.contains("unexpected argument"), "{err}");
    let (ok, _, err) = run_cli(&app, &["clients", "get", "-Zq9"]);
    assert!(!ok && !err.contains("unexpected argument"), "{err}");
}

#[tokio::test]
async fn cli_output_into_a_closed_pipe_ends_quietly() {
    // `sesame audit | head -1`: the reader goes away before the command has written all it
    // has. The command must end with status 0 and no panic, not "failed printing to stdout".
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.confidential_client().await;
    }
    let mut child = cli_command(&app)
        .args(["audit", "--since", "1h"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the command has opened its database.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "status {:?}: {err}", out.status);
    assert!(!err.contains("panicked"), "{err}");
}

#[tokio::test]
async fn admin_events_say_who_the_api_callers_address_and_the_clis_os_user() {
    let app = TestApp::spawn().await;
    let t = cli_json(&app, &["admin-tokens", "create", "--name", "ci"]);
    let api = AdminApi::new(&app).await.with_token(Some(&s(&t["token"])));
    assert_eq!(api.get("/users").await.status, StatusCode::OK);
    let listed = events(&app, "admin_users_listed").await;
    assert_eq!(listed[0]["ip"], "127.0.0.1", "{:#}", listed[0]);

    // Without USER or LOGNAME (as in many containers) the CLI still names its user.
    let out = cli_command(&app)
        .env_remove("USER")
        .env_remove("LOGNAME")
        .args(["users", "list", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_cli = events(&app, "admin_users_listed").await;
    let actor = &by_cli[0]["detail"]["actor"];
    assert_eq!(actor["type"], "cli", "{actor:#}");
    assert!(
        actor["os_user"].as_str().is_some_and(|u| !u.is_empty()),
        "{actor:#}"
    );
    assert!(by_cli[0]["ip"].is_null(), "a CLI event has no address");
}

//! The `sesame` binary and the two modes (issue 2, points 2, 3 and 13): client
//! registration from the CLI (while a server runs on the same database), configuration
//! layers and unknown keys, production's refusals, and development mode's demo sign-in with
//! the code printed to the terminal.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::process::Command;

use crate::support::process::*;
use crate::support::*;

struct Output {
    ok: bool,
    stdout: String,
    stderr: String,
}

async fn run(mut cmd: Command) -> Output {
    let out = cmd.output().await.unwrap();
    Output {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `sesame <args>` against the test database with the test servers' secret.
async fn cli(app: &TestApp, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sesame_command(dir.path());
    cmd.args(args)
        .env("SESAME_DATABASE_URL", &app.db.url)
        .env("SESAME_SECRET_KEY", TEST_SECRET_KEY);
    run(cmd).await
}

#[tokio::test]
async fn cli_registers_a_client_while_the_server_runs_and_stores_only_a_hash() {
    let app = TestApp::spawn().await;
    let out = cli(
        &app,
        &[
            "clients",
            "add",
            "--name",
            "CLI App",
            "--redirect-uri",
            "http://127.0.0.1:9/callback",
            "--redirect-uri",
            "https://app.example/cb",
            "--json",
        ],
    )
    .await;
    assert!(out.ok, "{}", out.stderr);
    let reg: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let id = reg["client_id"].as_str().unwrap().to_string();
    let secret = reg["client_secret"].as_str().unwrap().to_string();
    assert!(secret.len() >= 32, "a strong secret");

    let stored = app.state.store.get_client(&id).await.unwrap().unwrap();
    assert_eq!(stored.name, "CLI App");
    assert_eq!(stored.redirect_uris.len(), 2);
    assert!(stored.pkce_required && !stored.public);
    let hash = stored.secret_hash.unwrap();
    assert_ne!(hash, secret.as_bytes(), "the secret is not stored");
    assert!(!hash
        .windows(8)
        .any(|w| secret.as_bytes().windows(8).any(|s| s == w)));
    assert_eq!(
        hash,
        sesame::clients::secret_hash(&app.state.secrets, &id, &secret)
    );

    // The running server knows the new client at once, and its secret works.
    let client = TestClient {
        id,
        secret: Some(secret),
        redirect_uri: "http://127.0.0.1:9/callback".into(),
    };
    let tokens = app.tokens_for(&client, "cli@example.com").await;
    assert_eq!(
        jwt_claims(tokens["id_token"].as_str().unwrap())["aud"],
        client.id
    );
    let list = cli(&app, &["clients", "list"]).await;
    assert!(list.ok, "{}", list.stderr);
    assert!(list.stdout.contains(&client.id) && list.stdout.contains("CLI App"));
    assert!(!list.stdout.contains(client.secret.as_deref().unwrap()));
}

#[tokio::test]
async fn cli_reads_the_same_configuration_file_as_the_server() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prod.toml");
    std::fs::write(
        &file,
        format!(
            "secret_key = \"{TEST_SECRET_KEY}\"\n[database]\nurl = \"{}\"\n",
            app.db.url
        ),
    )
    .unwrap();
    let mut cmd = sesame_command(dir.path());
    cmd.args(["clients", "add", "--name", "From File", "--json"])
        .args(["--redirect-uri", "http://127.0.0.1:9/callback"])
        .env("SESAME_CONFIG", &file);
    let out = run(cmd).await;
    assert!(out.ok, "{}", out.stderr);
    let reg: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    // The server on that database accepts the secret: both hashed it with one key.
    let client = TestClient {
        id: reg["client_id"].as_str().unwrap().into(),
        secret: reg["client_secret"].as_str().map(str::to_string),
        redirect_uri: "http://127.0.0.1:9/callback".into(),
    };
    app.tokens_for(&client, "file@example.com").await;
}

#[tokio::test]
async fn binary_creates_its_sqlite_database_and_folder_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sesame_command(dir.path());
    cmd.arg("migrate");
    let out = run(cmd).await;
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("sqlite"), "{}", out.stdout);
    let file = dir.path().join("data/sesame.db");
    assert!(file.is_file());
    // WAL mode, and the tables of the foundation.
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    for t in [
        "clients",
        "users",
        "login_transactions",
        "authorization_codes",
        "refresh_tokens",
        "signing_keys",
        "audit_events",
    ] {
        assert!(tables.iter().any(|x| x == t), "table {t} in {tables:?}");
    }
}

#[tokio::test]
async fn cli_public_client_gets_no_secret_and_pkce_optional_is_recorded() {
    let app = TestApp::spawn().await;
    let out = cli(
        &app,
        &[
            "clients",
            "add",
            "--name",
            "SPA",
            "--redirect-uri",
            "http://localhost:3000/cb",
            "--public",
            "--json",
        ],
    )
    .await;
    assert!(out.ok, "{}", out.stderr);
    let reg: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert!(reg["client_secret"].is_null(), "{reg}");
    let public = reg["client_id"].as_str().unwrap();
    let stored = app.state.store.get_client(public).await.unwrap().unwrap();
    assert!(stored.public && stored.pkce_required && stored.secret_hash.is_none());

    let out = cli(
        &app,
        &[
            "clients",
            "add",
            "--name",
            "Legacy",
            "--redirect-uri",
            "https://legacy.example/cb",
            "--pkce",
            "optional",
        ],
    )
    .await;
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("client_secret:"), "{}", out.stdout);
    assert!(out.stdout.contains("shown only now"), "{}", out.stdout);
    let list = cli(&app, &["clients", "list", "--json"]).await;
    let list: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    let items = list["items"].as_array().unwrap();
    let legacy = items.iter().find(|c| c["name"] == "Legacy").unwrap();
    assert_eq!(legacy["pkce"], "optional");
    assert!(legacy.get("secret_hash").is_none(), "{legacy}");
    assert!(items.iter().any(|c| c["client_id"] == public));
}

#[tokio::test]
async fn cli_refuses_an_invalid_client_with_a_clear_message() {
    let app = TestApp::spawn().await;
    for (uri, needle) in [
        ("http://app.example/cb", "https"),
        ("https://app.example/cb#frag", "fragment"),
        ("not a uri", "absolute"),
    ] {
        let out = cli(
            &app,
            &["clients", "add", "--name", "Bad", "--redirect-uri", uri],
        )
        .await;
        assert!(!out.ok, "{uri} was accepted");
        assert!(out.stderr.contains(needle), "{uri}: {}", out.stderr);
    }
    let out = cli(&app, &["clients", "add", "--name", "No URI"]).await;
    assert!(!out.ok);
    assert!(
        app.state.store.list_clients().await.unwrap().len() == 1,
        "only the demo client"
    );
}

#[tokio::test]
async fn production_mode_refuses_to_start_without_smtp_https_issuer_or_secret_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new().await;
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[], "SMTP"),
        (&[("SESAME_SMTP_URL", "smtp://127.0.0.1:2525")], "https"),
        (
            &[
                ("SESAME_SMTP_URL", "smtp://127.0.0.1:2525"),
                ("SESAME_ISSUER", "https://id.example.com"),
            ],
            "secret key",
        ),
    ];
    for (env, needle) in cases {
        for args in [&[][..], &["check-config"][..]] {
            let mut cmd = sesame_command(dir.path());
            cmd.args(args)
                .env("SESAME_MODE", "production")
                .env("SESAME_LISTEN", "127.0.0.1:0")
                .env("SESAME_DATABASE_URL", &db.url)
                .envs(env.iter().copied());
            let out = tokio::time::timeout(Duration::from_secs(60), run(cmd))
                .await
                .expect("it exits instead of serving");
            assert!(!out.ok, "{args:?} {env:?} started");
            assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
            assert!(out.stderr.contains("production"), "{}", out.stderr);
        }
    }
    // With all three, the configuration is accepted (and the secret is not printed).
    let mut cmd = sesame_command(dir.path());
    cmd.arg("check-config")
        .env("SESAME_MODE", "production")
        .env("SESAME_SMTP_URL", "smtp://user:hunter2@127.0.0.1:2525")
        .env("SESAME_ISSUER", "https://id.example.com")
        .env("SESAME_EMAIL_FROM", "Example <no-reply@example.com>")
        .env("SESAME_SECRET_KEY", TEST_SECRET_KEY);
    let out = run(cmd).await;
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stdout.contains(r#"mode = "production""#),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("hunter2") && !out.stdout.contains(TEST_SECRET_KEY));
}

#[tokio::test]
async fn unknown_config_keys_are_errors_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sesame.toml");
    std::fs::write(&file, "isuer = \"http://localhost:1\"\n").unwrap();
    let mut cmd = sesame_command(dir.path());
    cmd.args(["--config", file.to_str().unwrap(), "check-config"]);
    let out = run(cmd).await;
    assert!(!out.ok);
    assert!(out.stderr.contains("isuer"), "{}", out.stderr);

    let nested = dir.path().join("nested.toml");
    std::fs::write(&nested, "[login]\ncode_tll_seconds = 60\n").unwrap();
    let mut cmd = sesame_command(dir.path());
    cmd.arg("check-config").env("SESAME_CONFIG", &nested);
    let out = run(cmd).await;
    assert!(!out.ok);
    assert!(out.stderr.contains("code_tll_seconds"), "{}", out.stderr);

    for (name, key) in [
        ("SESAME_ISUER", "isuer"),
        ("SESAME_LOGIN__CODE_TLL_SECONDS", "code_tll_seconds"),
    ] {
        let mut cmd = sesame_command(dir.path());
        cmd.arg("check-config").env(name, "1");
        let out = run(cmd).await;
        assert!(!out.ok, "{name} was accepted");
        assert!(out.stderr.contains(key), "{name}: {}", out.stderr);
    }
}

#[tokio::test]
async fn kubernetes_service_links_do_not_stop_the_binary_and_a_misspelt_variable_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sesame_command(dir.path());
    cmd.arg("check-config")
        .env("SESAME_PORT", "tcp://10.0.0.1:8080")
        .env("SESAME_PORT_8080_TCP", "tcp://10.0.0.1:8080")
        .env("SESAME_PORT_8080_TCP_PROTO", "tcp")
        .env("SESAME_PORT_8080_TCP_PORT", "8080")
        .env("SESAME_PORT_8080_TCP_ADDR", "10.0.0.1")
        .env("SESAME_SERVICE_HOST", "10.0.0.1")
        .env("SESAME_SERVICE_PORT", "8080");
    let out = run(cmd).await;
    assert!(out.ok, "service links stopped the binary: {}", out.stderr);

    let mut cmd = sesame_command(dir.path());
    cmd.arg("check-config")
        .env("SESAME_ISUER", "http://localhost:1");
    let out = run(cmd).await;
    assert!(!out.ok);
    assert!(
        out.stderr
            .contains("environment variable SESAME_ISUER is not a Sesame setting"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn version_names_the_release_and_the_commit_it_was_built_from() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sesame_command(dir.path());
    cmd.arg("--version");
    let out = run(cmd).await;
    assert!(out.ok, "{}", out.stderr);
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let commit = head.unwrap_or_else(|| "unknown".into());
    assert_eq!(
        out.stdout.trim(),
        format!("sesame {} (commit {commit})", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn configuration_layers_defaults_then_file_then_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/sesame.toml"),
        "issuer = \"http://file.example:1\"\n[login]\nmax_attempts = 3\n",
    )
    .unwrap();
    // Defaults alone (another folder, no file).
    let empty = tempfile::tempdir().unwrap();
    let mut cmd = sesame_command(empty.path());
    cmd.arg("check-config");
    let out = run(cmd).await;
    assert!(out.ok, "{}", out.stderr);
    for default in [
        r#"mode = "development""#,
        r#"issuer = "http://localhost:8080""#,
        r#"listen = "127.0.0.1:8080""#,
        r#"url = "sqlite://data/sesame.db""#,
        "max_attempts = 5",
        "code_ttl_seconds = 900",
    ] {
        assert!(out.stdout.contains(default), "{default}: {}", out.stdout);
    }
    // config/sesame.toml is read by default.
    let mut cmd = sesame_command(dir.path());
    cmd.arg("check-config");
    let out = run(cmd).await;
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stdout.contains(r#"issuer = "http://file.example:1""#),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("max_attempts = 3"), "{}", out.stdout);
    assert!(
        out.stdout.contains(r#"listen = "127.0.0.1:8080""#),
        "a default: {}",
        out.stdout
    );
    let mut cmd = sesame_command(dir.path());
    cmd.arg("check-config")
        .env("SESAME_ISSUER", "http://env.example:2")
        .env("SESAME_LOGIN__MAX_ATTEMPTS", "4")
        .env("SESAME_EMAIL_FROM", "Env <env@example.com>");
    let out = run(cmd).await;
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stdout.contains(r#"issuer = "http://env.example:2""#),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("max_attempts = 4"), "{}", out.stdout);
    assert!(out.stdout.contains("env@example.com"), "{}", out.stdout);
}

#[tokio::test]
async fn dev_mode_demo_app_signs_in_end_to_end() {
    let app = TestApp::spawn().await;
    let browser = Browser::new();
    let page = demo_start(&app.base, &browser).await;
    let code = app.request_code(&browser, &page, "demo@example.com").await;
    let html = demo_finish(&app.base, &browser, &page, &code).await;
    assert_demo_result(&html, "demo@example.com");
}

#[tokio::test]
async fn production_mode_has_no_demo_app() {
    let app = TestApp::spawn_with(|c| {
        c.mode = sesame::config::Mode::Production;
        c.issuer = sesame::config::Issuer::parse("https://id.example.com").unwrap();
    })
    .await;
    let browser = Browser::new();
    assert_eq!(
        browser.get(&app.url("/")).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = browser
        .post_form(&app.url("/demo/start"), &[("csrf", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let demo = app
        .state
        .store
        .get_client(sesame::demo::DEMO_CLIENT_ID)
        .await
        .unwrap();
    assert!(demo.is_none(), "no demo client in production");
    assert!(!app.state.mailer.is_console());
}

#[tokio::test]
async fn binary_with_no_subcommand_serves_the_dev_demo_with_codes_on_the_terminal() {
    let db = TestDb::new().await;
    let server = ServerProcess::start(&db.url, &[]).await;
    let base = server.base.clone();
    let banner = server.stderr_text();
    assert!(banner.contains("DEVELOPMENT MODE"), "{banner}");
    assert!(banner.contains("codes are printed here"), "{banner}");
    assert!(banner.contains(&base), "{banner}");

    let browser = Browser::new();
    let page = demo_start(&base, &browser).await;
    let res = browser
        .post_form(
            &format!("{base}/login"),
            &[
                ("tx", &page.tx),
                ("csrf", &page.csrf),
                ("identifier", "Terminal@Example.com"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let code = wait_for("the code on the terminal", &server.stdout, |t| {
        let rest = t.split("code for terminal@example.com is ").nth(1)?;
        let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (code.len() == 6).then_some(code)
    })
    .await;
    let html = demo_finish(&base, &browser, &page, &code).await;
    assert_demo_result(&html, "terminal@example.com");
    // Development generated its secret once and kept it beside the data.
    let data_dir = sesame::config::Config {
        database: sesame::config::DatabaseConfig {
            url: db.url.clone(),
            ..Default::default()
        },
        ..Default::default()
    }
    .data_dir();
    assert!(
        server
            .dir
            .path()
            .join(data_dir)
            .join("secret.key")
            .is_file(),
        "a generated secret is kept"
    );
}

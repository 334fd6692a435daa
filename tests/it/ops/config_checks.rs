//! The configuration is checked fully before anything is created: every problem in one
//! message, the same checks in `check-config`, and no database left by a failed start.

use std::time::Duration;

use tokio::process::Command;

use crate::support::process::*;
use crate::support::*;

async fn run(mut cmd: Command) -> (bool, String) {
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("it exits instead of serving")
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A production configuration that is complete except for what a test changes.
fn production(cmd: &mut Command, db_url: &str) {
    cmd.env("SESAME_MODE", "production")
        .env("SESAME_LISTEN", "127.0.0.1:0")
        .env("SESAME_DATABASE_URL", db_url)
        .env("SESAME_SMTP_URL", "smtp://127.0.0.1:2525")
        .env("SESAME_ISSUER", "https://id.example.com")
        .env("SESAME_EMAIL_FROM", "Example <no-reply@example.com>")
        .env("SESAME_SECRET_KEY", TEST_SECRET_KEY);
}

#[tokio::test]
async fn production_start_lists_every_missing_setting_in_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new().await;
    let mut cmd = sesame_command(dir.path());
    cmd.env("SESAME_MODE", "production")
        .env("SESAME_LISTEN", "127.0.0.1:0")
        .env("SESAME_DATABASE_URL", &db.url);
    let (ok, stderr) = run(cmd).await;
    assert!(!ok, "it started: {stderr}");
    for setting in [
        "SESAME_SMTP_URL",
        "SESAME_ISSUER",
        "SESAME_SECRET_KEY",
        "SESAME_EMAIL_FROM",
    ] {
        assert!(stderr.contains(setting), "{setting} missing from: {stderr}");
    }
    assert_eq!(
        stderr.matches("sesame:").count(),
        1,
        "one message: {stderr}"
    );
}

#[tokio::test]
async fn check_config_refuses_an_invalid_smtp_url_and_a_localhost_sender_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new().await;
    let cases = [
        (
            "SESAME_SMTP_URL",
            "smtp://127.0.0.1:2525?tls=yes",
            "SESAME_SMTP_URL",
        ),
        (
            "SESAME_EMAIL_FROM",
            "Sesame <no-reply@localhost>",
            "SESAME_EMAIL_FROM",
        ),
    ];
    for (key, value, needle) in cases {
        let mut cmd = sesame_command(dir.path());
        production(&mut cmd, &db.url);
        cmd.arg("check-config").env(key, value);
        let (ok, stderr) = run(cmd).await;
        assert!(!ok, "check-config accepted {key}={value}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    // The same configuration with neither problem is accepted.
    let mut cmd = sesame_command(dir.path());
    production(&mut cmd, &db.url);
    cmd.arg("check-config");
    let (ok, stderr) = run(cmd).await;
    assert!(ok, "{stderr}");
}

#[tokio::test]
async fn a_start_refused_for_its_configuration_leaves_no_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("sesame.db");
    let url = format!("sqlite://{}", path.display());
    for (key, value) in [
        ("SESAME_SMTP_URL", "smtp://127.0.0.1:2525?tls=yes"),
        ("SESAME_EMAIL_FROM", "Sesame <no-reply@localhost>"),
    ] {
        let mut cmd = sesame_command(dir.path());
        production(&mut cmd, &url);
        cmd.env(key, value);
        let (ok, stderr) = run(cmd).await;
        assert!(!ok, "it started with {key}={value}");
        assert!(!path.exists(), "{} left behind ({stderr})", path.display());
    }
}

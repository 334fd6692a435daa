//! The CLI and the server never fork the secret: a secret that cannot decrypt the signing
//! keys already stored is refused before anything is written, naming the database and
//! where the secret came from, and no development secret is generated beside a database
//! that holds keys.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use crate::support::process::*;
use crate::support::*;

const SECRET_A: &str = "secret-a-that-created-this-database-0123456789";
const SECRET_B: &str = "secret-b-from-another-deployment-0123456789abc";

struct Output {
    ok: bool,
    stdout: String,
    stderr: String,
}

async fn run(mut cmd: Command) -> Output {
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("it exits instead of serving")
        .unwrap();
    Output {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `sesame <args>` in `dir` on `db_url`, with `secret` as `SESAME_SECRET_KEY` (none: unset).
async fn sesame(dir: &Path, db_url: &str, secret: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = sesame_command(dir);
    cmd.args(args)
        .env("SESAME_DATABASE_URL", db_url)
        .env("SESAME_LISTEN", "127.0.0.1:0");
    if let Some(s) = secret {
        cmd.env("SESAME_SECRET_KEY", s);
    }
    run(cmd).await
}

async fn add_client(dir: &Path, db_url: &str, secret: Option<&str>) -> Output {
    let args = [
        "clients",
        "add",
        "--name",
        "Operator's App",
        "--redirect-uri",
        "https://app.example/cb",
    ];
    sesame(dir, db_url, secret, &args).await
}

/// How many clients the database holds, read with the secret it was created with.
async fn client_count(dir: &Path, db_url: &str, secret: Option<&str>) -> usize {
    let out = sesame(dir, db_url, secret, &["clients", "list", "--json"]).await;
    assert!(out.ok, "{}", out.stderr);
    let page: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    page["items"].as_array().unwrap().len()
}

/// What the refusal must name for `db_url`: the SQLite file, or the URL without its
/// password.
fn database_named(db_url: &str) -> String {
    match db_url.strip_prefix("sqlite://") {
        Some(path) => path.to_string(),
        None => db_url.replace(":a-db-password@", ":***@"),
    }
}

/// The URL with a password in it (PostgreSQL trusts the test user, so it is not checked),
/// to see that the refusal does not repeat it. SQLite URLs have none.
fn with_password(db_url: &str) -> String {
    db_url.replacen(
        "postgres://postgres@",
        "postgres://postgres:a-db-password@",
        1,
    )
}

/// Where development mode keeps its generated secret for `db_url`, run in `dir`.
fn dev_secret_file(dir: &Path, db_url: &str) -> PathBuf {
    match db_url.strip_prefix("sqlite://") {
        Some(path) => Path::new(path).with_file_name("secret.key"),
        None => dir.join("data").join("secret.key"),
    }
}

#[tokio::test]
async fn clients_add_under_another_secret_is_refused_naming_the_database_and_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new().await;
    let url = with_password(&db.url);
    // The first command on the new database binds it to its secret.
    let created = add_client(dir.path(), &url, Some(SECRET_A)).await;
    assert!(created.ok, "{}", created.stderr);
    let same = add_client(dir.path(), &url, Some(SECRET_A)).await;
    assert!(
        same.ok,
        "the secret the database was created with: {}",
        same.stderr
    );

    let other = add_client(dir.path(), &url, Some(SECRET_B)).await;
    assert!(
        !other.ok,
        "a client was added under another secret: {}",
        other.stdout
    );
    assert!(
        other.stderr.contains(&database_named(&url)),
        "{}",
        other.stderr
    );
    assert!(!other.stderr.contains("a-db-password"), "{}", other.stderr);
    assert!(
        other.stderr.contains("SESAME_SECRET_KEY variable"),
        "{}",
        other.stderr
    );
    assert!(
        other
            .stderr
            .contains("secret this database was created with"),
        "{}",
        other.stderr
    );
    assert_eq!(client_count(dir.path(), &url, Some(SECRET_A)).await, 2);
}

#[tokio::test]
async fn a_refused_secret_set_in_the_config_file_names_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new().await;
    let created = sesame(dir.path(), &db.url, Some(SECRET_A), &["keys", "rotate"]).await;
    assert!(created.ok, "{}", created.stderr);
    let file = dir.path().join("other.toml");
    std::fs::write(&file, format!("secret_key = \"{SECRET_B}\"\n")).unwrap();

    let mut cmd = sesame_command(dir.path());
    cmd.env("SESAME_DATABASE_URL", &db.url)
        .env("SESAME_CONFIG", &file)
        .args(["keys", "rotate"]);
    let out = run(cmd).await;
    assert!(!out.ok, "keys were rotated under another secret");
    let named = format!("secret_key in the config file {}", file.display());
    assert!(out.stderr.contains(&named), "{}", out.stderr);
    assert!(
        out.stderr.contains(&database_named(&db.url)),
        "{}",
        out.stderr
    );
    let listed = sesame(
        dir.path(),
        &db.url,
        Some(SECRET_A),
        &["keys", "list", "--json"],
    )
    .await;
    let page: serde_json::Value = serde_json::from_str(listed.stdout.trim()).unwrap();
    // `keys rotate` on the new database made two keys and replaced them: four in all.
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        4,
        "{}",
        listed.stdout
    );
}

#[tokio::test]
async fn the_server_refuses_to_start_under_a_secret_that_cannot_decrypt_the_stored_keys() {
    let db = TestDb::new().await;
    let first = ServerProcess::start(&db.url, &[("SESAME_SECRET_KEY", SECRET_A)]).await;
    drop(first);

    let dir = tempfile::tempdir().unwrap();
    for args in [&[][..], &["serve"][..]] {
        let out = sesame(dir.path(), &db.url, Some(SECRET_B), args).await;
        assert!(!out.ok, "`sesame {}` started", args.join(" "));
        assert!(!out.stderr.contains("sesame is ready"), "{}", out.stderr);
        assert!(
            out.stderr.contains(&database_named(&db.url)),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("SESAME_SECRET_KEY variable"),
            "{}",
            out.stderr
        );
    }
    // The secret it was created with still starts it.
    let again = ServerProcess::start(&db.url, &[("SESAME_SECRET_KEY", SECRET_A)]).await;
    assert!(again.stderr_text().contains("sesame is ready"));
}

#[tokio::test]
async fn development_mode_generates_no_secret_beside_a_database_that_holds_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new().await;
    let secret_file = dev_secret_file(dir.path(), &db.url);
    // A fresh database: the development secret is generated, then used.
    let created = sesame(dir.path(), &db.url, None, &["keys", "rotate"]).await;
    assert!(created.ok, "{}", created.stderr);
    assert!(secret_file.is_file(), "no {}", secret_file.display());
    let added = add_client(dir.path(), &db.url, None).await;
    assert!(added.ok, "{}", added.stderr);

    let kept = std::fs::read_to_string(&secret_file).unwrap();
    std::fs::remove_file(&secret_file).unwrap();
    let cli = add_client(dir.path(), &db.url, None).await;
    let server = sesame(dir.path(), &db.url, None, &["serve"]).await;
    for out in [&cli, &server] {
        assert!(!out.ok, "it went on without the secret: {}", out.stdout);
        assert!(
            out.stderr.contains(&database_named(&db.url)),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&secret_file.display().to_string()),
            "{}",
            out.stderr
        );
        assert!(!secret_file.exists(), "a new secret was generated");
    }

    std::fs::write(&secret_file, kept).unwrap();
    assert_eq!(client_count(dir.path(), &db.url, None).await, 1);
}

//! Helpers for the scale-out and operations stories: a browser behind a load balancer (its
//! one session cookie presented to whichever replica serves a request), a Sesame binary run
//! as a real child process, direct PostgreSQL administration of the test database, and
//! bounded waiting for database state.

use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};
use sesame::clock::ShiftedClock;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::*;

/// Waits until `check` returns Some, polling every 50 ms, panicking after `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Prints a loud note in the SQLite pass of a story that is about PostgreSQL.
pub fn sqlite_note(story: &str, instead: &str) {
    eprintln!(
        "\n*** NOTE: `{story}` is a PostgreSQL story. On SQLite it checks instead: {instead}. \
         Run `SESAME_TEST_BACKEND=postgres cargo test --test it` for the PostgreSQL part. ***\n"
    );
}

/// A second replica on `a`'s database and SMTP sink, under `a`'s issuer (one hostname
/// behind a load balancer).
pub async fn second_replica(
    a: &TestApp,
    adjust: impl FnOnce(&mut sesame::config::Config),
) -> TestApp {
    let issuer = a.state.config.issuer.clone();
    TestApp::spawn_on(a.db.clone(), a.smtp.clone(), ShiftedClock::new(), |c| {
        c.issuer = issuer;
        adjust(c);
    })
    .await
}

/// Replaces the scheme, host and port of `url` with `base`: the same request sent to
/// another replica.
pub fn on(base: &str, url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    let mut path = u.path().to_string();
    if let Some(q) = u.query() {
        path.push('?');
        path.push_str(q);
    }
    format!("{base}{path}")
}

/// A browser behind a load balancer: it keeps Sesame's cookies (the session, and the
/// sign-in form's anti-CSRF cookie) itself and presents them to whichever replica a request
/// goes to, as the balancer's one hostname would.
pub struct LbBrowser {
    http: Client,
    cookies: Mutex<Vec<String>>,
}

impl Default for LbBrowser {
    fn default() -> Self {
        Self::new()
    }
}

impl LbBrowser {
    pub fn new() -> LbBrowser {
        LbBrowser {
            http: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Mutex::new(Vec::new()),
        }
    }

    /// The `Cookie` header value this browser presents.
    pub fn cookie(&self) -> Option<String> {
        let cookies = self.cookies.lock().unwrap();
        (!cookies.is_empty()).then(|| cookies.join("; "))
    }

    fn keep(&self, res: &Response) {
        for v in res.headers().get_all(SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap().trim().to_string();
            for name in ["sesame_session=", "sesame_csrf="] {
                if pair.starts_with(name) {
                    let mut cookies = self.cookies.lock().unwrap();
                    cookies.retain(|c| !c.starts_with(name));
                    cookies.push(pair.clone());
                }
            }
        }
    }

    pub async fn get(&self, url: &str) -> Response {
        let mut req = self.http.get(url);
        if let Some(c) = self.cookie() {
            req = req.header(COOKIE, c);
        }
        let res = req.send().await.unwrap();
        self.keep(&res);
        res
    }

    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Response {
        let mut req = self.http.post(url).form(form);
        if let Some(c) = self.cookie() {
            req = req.header(COOKIE, c);
        }
        let res = req.send().await.unwrap();
        self.keep(&res);
        res
    }

    /// GET /authorize on replica `via`, follow to the login page on replica `page_on`
    /// (both are base URLs).
    pub async fn open_login(&self, via: &str, page_on: &str, auth_url: &str) -> LoginPage {
        let res = self.get(&on(via, auth_url)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let url = on(page_on, &location(&res, via));
        let res = self.get(&url).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        LoginPage {
            tx: hidden(&html, "tx"),
            csrf: hidden(&html, "csrf"),
            url,
            html,
        }
    }

    pub async fn submit_identifier(&self, base: &str, page: &LoginPage, id: &str) -> Response {
        self.post_form(
            &format!("{base}/login"),
            &[("tx", &page.tx), ("csrf", &page.csrf), ("identifier", id)],
        )
        .await
    }

    pub async fn submit_code(&self, base: &str, page: &LoginPage, code: &str) -> Response {
        self.post_form(
            &format!("{base}/login/verify"),
            &[("tx", &page.tx), ("csrf", &page.csrf), ("code", code)],
        )
        .await
    }
}

/// Exchanges an authorization code at `base`'s token endpoint.
pub async fn exchange_at(base: &str, client: &TestClient, code: &str, verifier: &str) -> Response {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("code_verifier", verifier),
    ];
    Client::new()
        .post(format!("{base}/token"))
        .basic_auth(&client.id, client.secret.as_ref())
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// GET /userinfo at `base` with a bearer token.
pub async fn userinfo_at(base: &str, access_token: &str) -> Response {
    Client::new()
        .get(format!("{base}/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
}

/// Whether the suite runs on PostgreSQL.
pub fn on_postgres() -> bool {
    backend() == Backend::Postgres
}

/// The name of a PostgreSQL test database, from its URL.
pub fn pg_db_name(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

/// A connection to the PostgreSQL server's `postgres` database, for administration.
pub async fn pg_admin(db_url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    let server = db_url.rsplit_once('/').unwrap().0;
    sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap()
}

/// Terminates every backend connected to the test database (not the server: other
/// people's databases are untouched). Returns how many were terminated.
pub async fn pg_terminate_backends(db_url: &str) -> i64 {
    let mut admin = pg_admin(db_url).await;
    let rows: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(pg_db_name(db_url))
    .fetch_all(&mut admin)
    .await
    .unwrap();
    rows.len() as i64
}

/// Lets or stops connections to the test database (and terminates the open ones when
/// stopping): the database is "down" for Sesame while the server stays up for everyone.
pub async fn pg_allow_connections(db_url: &str, allow: bool) {
    let mut admin = pg_admin(db_url).await;
    let name = pg_db_name(db_url);
    sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allow}"))
        .execute(&mut admin)
        .await
        .unwrap();
    if !allow {
        pg_terminate_backends(db_url).await;
    }
}

/// A Sesame binary running as a child process (a replica that can be killed for real).
pub struct Proc {
    pub child: Child,
    pub base: String,
    pub lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    /// Every stderr line seen so far.
    pub seen: Vec<String>,
}

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Proc {
    /// Starts `target/.../sesame` with the test configuration as environment variables,
    /// JSON logs, and `extra` on top; waits until it logs that it is ready.
    pub async fn start(db_url: &str, smtp_url: &str, issuer: &str, extra: &[(&str, &str)]) -> Proc {
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sesame"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SESAME_LISTEN", format!("127.0.0.1:{port}"))
            .env("SESAME_ISSUER", issuer)
            .env("SESAME_DATABASE_URL", db_url)
            .env("SESAME_SMTP_URL", smtp_url)
            .env(
                "SESAME_SECRET_KEY",
                "test-secret-key-that-is-long-enough-0123456789",
            )
            .env("SESAME_EMAIL_FROM", "Sesame <no-reply@sesame.test>")
            .env("SESAME_LOG_FORMAT", "json")
            .env("SESAME_LOG_LEVEL", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the sesame binary starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut p = Proc {
            child,
            base: format!("http://127.0.0.1:{port}"),
            lines: rx,
            seen: Vec::new(),
        };
        p.wait_for_line("sesame is ready", Duration::from_secs(60))
            .await;
        p
    }

    /// Waits for a stderr line containing `needle`; returns it.
    pub async fn wait_for_line(&mut self, needle: &str, timeout: Duration) -> String {
        if let Some(l) = self.seen.iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(line)) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Ok(None) => panic!(
                    "the sesame process ended before logging {needle:?}; its log:\n{}",
                    self.seen.join("\n")
                ),
                Err(_) => panic!(
                    "no log line with {needle:?} within {timeout:?}; log so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Reads what the process logged so far without waiting.
    pub fn drain(&mut self) {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }

    /// Sends a signal (`TERM`, `KILL`, …) with the system's `kill`.
    pub async fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status()
            .await
            .unwrap();
        assert!(status.success(), "kill -{sig} failed");
    }

    /// Waits for the process to exit (bounded); returns its status.
    pub async fn wait_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let status = tokio::time::timeout(timeout, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("the process did not exit within {timeout:?}"))
            .unwrap();
        // Collect the rest of its log.
        while let Ok(Some(l)) =
            tokio::time::timeout(Duration::from_secs(2), self.lines.recv()).await
        {
            self.seen.push(l);
        }
        status
    }
}

/// An SMTP server that accepts connections and never answers: deliveries hang until the
/// sender's timeout.
pub struct BlackholeSmtp {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl BlackholeSmtp {
    pub async fn start() -> BlackholeSmtp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                held.push(s);
            }
        });
        BlackholeSmtp {
            url: format!("smtp://127.0.0.1:{port}"),
            task,
        }
    }
}

impl Drop for BlackholeSmtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

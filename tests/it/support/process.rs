//! The real `sesame` binary as a child process: a clean environment, a temporary working
//! folder, captured stdout and stderr, and (for `serve`) a free port.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};

/// The binary with a clean environment (no inherited `SESAME_*` or `RUST_LOG`), run in
/// `dir` so no `config/sesame.toml` is picked up by accident.
pub fn sesame_command(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sesame"));
    cmd.current_dir(dir).kill_on_drop(true);
    for (k, _) in std::env::vars() {
        if k.starts_with("SESAME_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// Text a child process wrote so far.
pub type Captured = Arc<Mutex<String>>;

pub fn capture(mut pipe: impl tokio::io::AsyncRead + Unpin + Send + 'static) -> Captured {
    let out: Captured = Arc::default();
    let sink = out.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf).await {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    out
}

/// Waits (up to a minute) until `pred` finds something in the captured text.
pub async fn wait_for<T>(what: &str, text: &Captured, pred: impl Fn(&str) -> Option<T>) -> T {
    for _ in 0..600 {
        if let Some(v) = pred(&text.lock().unwrap()) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited for {what}; got:\n{}", text.lock().unwrap());
}

/// A `sesame` server started with no subcommand, killed when dropped.
pub struct ServerProcess {
    pub base: String,
    pub stdout: Captured,
    pub stderr: Captured,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl ServerProcess {
    /// Starts the binary on a free port with `SESAME_DATABASE_URL=db_url` and `env`, and
    /// waits until it says it is ready.
    pub async fn start(db_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let mut cmd = sesame_command(dir.path());
        cmd.env("SESAME_LISTEN", format!("127.0.0.1:{port}"))
            .env("SESAME_ISSUER", &base)
            .env("SESAME_DATABASE_URL", db_url)
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stdout = capture(child.stdout.take().unwrap());
        let stderr = capture(child.stderr.take().unwrap());
        wait_for("the server to be ready", &stderr, |t| {
            t.contains("sesame is ready").then_some(())
        })
        .await;
        ServerProcess {
            base,
            stdout,
            stderr,
            dir,
            child,
        }
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn stdout_text(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

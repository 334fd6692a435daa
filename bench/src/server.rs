//! Starting the real `sesame` binary for a run, and reading its footprint from /proc.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

pub const SECRET: &str = "bench-secret-key-0123456789abcdef0123456789";

/// Which database the server under test uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

pub struct Server {
    pub child: Child,
    pub pid: u32,
    pub base: String,
    /// Cold start: process spawn to first successful discovery answer.
    pub startup: Duration,
}

/// The `sesame` binary next to this one (both built by
/// `cargo build --release --workspace --bins`).
pub fn sesame_exe() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = me.parent().ok_or("no parent dir")?;
    let exe = dir.join("sesame");
    if exe.exists() {
        Ok(exe)
    } else {
        Err(format!(
            "{} not found: build it first (cargo build --release --workspace --bins)",
            exe.display()
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The environment of the server under test: production-like work per request (SMTP,
/// ES256 or RS256 tokens, every write), limits raised so one load generator on one IP is
/// not throttled by the anti-abuse rules it does not test.
pub fn server_env(db_url: &str, port: u16, smtp_port: u16, alg: &str) -> Vec<(String, String)> {
    let base = format!("http://127.0.0.1:{port}");
    [
        ("SESAME_ISSUER", base.as_str()),
        ("SESAME_LISTEN", &format!("127.0.0.1:{port}")),
        ("SESAME_DATABASE_URL", db_url),
        ("SESAME_SMTP_URL", &format!("smtp://127.0.0.1:{smtp_port}")),
        ("SESAME_SECRET_KEY", SECRET),
        ("SESAME_LOG_LEVEL", "warn"),
        ("SESAME_DATABASE__MAX_CONNECTIONS", "16"),
        ("SESAME_TOKENS__ACCESS_TOKEN_ALG", alg),
        ("SESAME_TOKENS__DEFAULT_ID_TOKEN_ALG", alg),
        ("SESAME_TOKENS__AUTHORIZATION_CODE_TTL_SECONDS", "600"),
        // One load generator on one IP: the per-IP anti-abuse budgets are not what this
        // measures (every request still counts them), so they are set out of reach.
        ("SESAME_LIMITS__EMAIL__PER_IP_PER_HOUR", "1000000000"),
        ("SESAME_LIMITS__EMAIL__PER_IP_PER_DAY", "1000000000"),
        ("SESAME_LIMITS__IP_FAILURES_PER_HOUR", "1000000000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain(extra_env())
    .collect()
}

/// The bench's own settings. They start with `SESAME_`, so they are kept from the server,
/// whose configuration would refuse them as unknown keys.
pub const SERVER_ENV_VAR: &str = "SESAME_BENCH_SERVER_ENV";
pub const CLIENT_ARGS_VAR: &str = "SESAME_BENCH_CLIENT_ARGS";

/// Extra `KEY=VALUE` settings from `SESAME_BENCH_SERVER_ENV` (comma separated), e.g. to
/// raise rate limits: `SESAME_BENCH_SERVER_ENV=SESAME_LIMITS__X=100000`.
fn extra_env() -> Vec<(String, String)> {
    std::env::var(SERVER_ENV_VAR)
        .unwrap_or_default()
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Runs a CLI subcommand of the server binary with the server's environment.
pub async fn cli(exe: &Path, env: &[(String, String)], args: &[&str]) -> Result<String, String> {
    let out = Command::new(exe)
        .args(args)
        .env_remove(SERVER_ENV_VAR)
        .env_remove(CLIENT_ARGS_VAR)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .await
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "sesame {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

impl Server {
    pub async fn start(
        exe: &Path,
        db_url: &str,
        smtp_port: u16,
        alg: &str,
        http: &reqwest::Client,
    ) -> Result<Server, String> {
        let port = free_port()?;
        let env = server_env(db_url, port, smtp_port, alg);
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let child = Command::new(exe)
            .env_remove(SERVER_ENV_VAR)
            .env_remove(CLIENT_ARGS_VAR)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| e.to_string())?;
        let pid = child.id().ok_or("no pid")?;
        let url = format!("{base}/.well-known/openid-configuration");
        loop {
            if let Ok(r) = http.get(&url).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err("the server did not become ready in 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Server {
            startup: started.elapsed(),
            child,
            pid,
            base,
        })
    }

    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            // SIGTERM for a graceful stop; kill_on_drop is the fallback.
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }

    /// Resident set size in kB (VmRSS).
    pub fn rss_kb(&self) -> u64 {
        proc_rss_kb(self.pid)
    }

    /// User + system CPU time of the process in clock ticks.
    pub fn cpu_ticks(&self) -> u64 {
        proc_cpu_ticks(self.pid)
    }
}

pub fn proc_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

pub fn proc_cpu_ticks(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0);
    let stime: u64 = f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    utime + stime
}

/// User + system CPU time, in clock ticks, of every process of the PostgreSQL server on
/// this machine (those named `postgres`: the postmaster, its backends and its background
/// workers). Backends that exited during a measurement are not counted; the bench's
/// connections stay open throughout.
pub fn postgres_cpu_ticks() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .map(proc_cpu_ticks)
        .sum()
}

/// Clock ticks per second (almost always 100 on Linux).
pub fn ticks_per_second() -> f64 {
    100.0
}

//! `sesame-bench`: the load benchmark. It starts the real `sesame` binary (release build)
//! on SQLite and on PostgreSQL, runs an SMTP sink, drives every scenario over HTTP with
//! keep-alive at fixed concurrency levels, and reports throughput, latency percentiles,
//! errors and the server's CPU and memory from /proc, next to the cost floors of this
//! machine. `--write-doc` regenerates docs/performance.md.
//!
//! ```text
//! cargo build --release --workspace --bins && target/release/sesame-bench --write-doc
//! ```

mod args;
mod floors;
mod flows;
mod report;
mod scenarios;
mod server;
mod sink;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use serde::Serialize;

pub use args::Args;
use args::Scenario;
use flows::{Ctx, FlowResult};
use server::{Backend, Server};

/// One measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub backend: String,
    pub scenario: String,
    pub concurrency: usize,
    pub ok: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub seconds: f64,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub server_cpu_percent: f64,
    /// The server's CPU time per unit of work, in milliseconds.
    pub server_cpu_ms_per_op: f64,
    /// On PostgreSQL: the CPU time of the PostgreSQL server's processes per unit of work.
    pub database_cpu_ms_per_op: Option<f64>,
    pub server_rss_mb: f64,
}

/// Per-backend facts that are not scenarios.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Footprint {
    pub backend: String,
    pub cold_start_ms: f64,
    pub idle_rss_mb: f64,
    pub rss_after_run_mb: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs `concurrency` workers until the time or the request budget is used up.
pub(crate) async fn measure<S, F, Fut>(
    server: &Server,
    backend: Backend,
    scenario: Scenario,
    concurrency: usize,
    args: &Args,
    states: Vec<S>,
    step: F,
) -> Sample
where
    S: Send + 'static,
    F: Fn(S) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = (S, FlowResult<()>)> + Send,
{
    let budget = Arc::new(AtomicU64::new(args.max_requests as u64));
    let deadline = Instant::now() + Duration::from_secs_f64(args.duration);
    let cpu0 = server.cpu_ticks();
    let db0 = (backend == Backend::Postgres).then(server::postgres_cpu_ticks);
    let start = Instant::now();
    let mut handles = Vec::new();
    for state in states.into_iter().take(concurrency) {
        let step = step.clone();
        let budget = budget.clone();
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut first_error = None;
            let mut state = state;
            while Instant::now() < deadline {
                let left = budget.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                if left == 0 || left > u64::MAX / 2 {
                    break;
                }
                let t = Instant::now();
                let (s, r) = step(state).await;
                state = s;
                match r {
                    Ok(()) => lat.push(t.elapsed()),
                    // A prepared pool running dry ends this worker; it is not an error.
                    Err(e) if e == EXHAUSTED => break,
                    Err(e) => {
                        errors += 1;
                        if first_error.is_none() {
                            first_error = Some(e);
                        }
                    }
                }
            }
            (lat, errors, first_error)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for h in handles {
        if let Ok((l, e, f)) = h.await {
            lat.extend(l);
            errors += e;
            if first_error.is_none() {
                first_error = f;
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let cpu = (server.cpu_ticks().saturating_sub(cpu0)) as f64 / server::ticks_per_second();
    let db = db0.map(|t0| {
        server::postgres_cpu_ticks().saturating_sub(t0) as f64 / server::ticks_per_second()
    });
    let per_op = |seconds: f64| {
        if lat.is_empty() {
            0.0
        } else {
            seconds * 1000.0 / lat.len() as f64
        }
    };
    let server_cpu_ms_per_op = per_op(cpu);
    let database_cpu_ms_per_op = db.map(per_op);
    lat.sort();
    Sample {
        backend: backend.name().into(),
        scenario: scenario.name().into(),
        concurrency,
        ok: lat.len() as u64,
        errors,
        first_error,
        seconds,
        throughput: lat.len() as f64 / seconds,
        p50_ms: percentile(&lat, 0.50),
        p90_ms: percentile(&lat, 0.90),
        p99_ms: percentile(&lat, 0.99),
        server_cpu_percent: cpu / seconds * 100.0,
        server_cpu_ms_per_op,
        database_cpu_ms_per_op,
        server_rss_mb: server.rss_kb() as f64 / 1024.0,
    }
}

pub(crate) const EXHAUSTED: &str = "prepared codes exhausted";

async fn discover(http: &reqwest::Client, base: &str) -> Result<serde_json::Value, String> {
    http.get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Prepares `n` items with at most `par` in flight.
pub(crate) async fn prepare<T, F, Fut>(n: usize, par: usize, f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = FlowResult<T>> + Send + 'static,
{
    let mut out = Vec::with_capacity(n);
    let mut set = tokio::task::JoinSet::new();
    let mut started = 0;
    while out.len() < n {
        while started < n && set.len() < par {
            set.spawn(f());
            started += 1;
        }
        match set.join_next().await {
            Some(Ok(Ok(v))) => out.push(v),
            Some(Ok(Err(e))) => {
                eprintln!("  preparation step failed: {e}");
                if started >= n && set.is_empty() {
                    break;
                }
            }
            Some(Err(_)) | None => break,
        }
    }
    out
}

async fn run_backend(
    args: &Args,
    backend: Backend,
    sink: &sink::Sink,
    http: &reqwest::Client,
    samples: &mut Vec<Sample>,
) -> Result<Footprint, String> {
    let exe = server::sesame_exe()?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let pg_db = format!("sesame_bench_{}", std::process::id());
    let db_url = match backend {
        Backend::Sqlite => format!("sqlite://{}/sesame.db", tmp.path().display()),
        Backend::Postgres => {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&format!("{}/postgres", args.postgres))
                .await
                .map_err(|e| format!("PostgreSQL not reachable: {e}"))?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)"))
                .execute(&mut c)
                .await
                .map_err(|e| e.to_string())?;
            sqlx::query(&format!("CREATE DATABASE {pg_db}"))
                .execute(&mut c)
                .await
                .map_err(|e| e.to_string())?;
            format!("{}/{pg_db}", args.postgres)
        }
    };
    let env = server::server_env(&db_url, 0, sink.port, args.alg.as_str());
    let mut add = vec![
        "clients",
        "add",
        "--name",
        "Bench",
        "--redirect-uri",
        flows::REDIRECT_URI,
        "--id-token-alg",
        args.alg.as_str(),
        "--grant-type",
        "authorization_code",
        "--grant-type",
        "refresh_token",
        "--grant-type",
        "client_credentials",
        "--scope",
        "bench:read",
        "--json",
    ];
    let extra = std::env::var(server::CLIENT_ARGS_VAR).unwrap_or_default();
    add.extend(extra.split_whitespace());
    let out = server::cli(&exe, &env, &add).await?;
    let reg: serde_json::Value = serde_json::from_str(out.trim()).map_err(|e| e.to_string())?;
    let client_id = reg["client_id"].as_str().ok_or("no client_id")?.to_string();
    let client_secret = reg["client_secret"]
        .as_str()
        .ok_or("no client_secret")?
        .to_string();

    // First start creates keys; the measured cold start is the second, on an existing DB.
    let first = Server::start(&exe, &db_url, sink.port, args.alg.as_str(), http).await?;
    first.stop().await;
    let server = Server::start(&exe, &db_url, sink.port, args.alg.as_str(), http).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut fp = Footprint {
        backend: backend.name().into(),
        cold_start_ms: server.startup.as_secs_f64() * 1000.0,
        idle_rss_mb: server.rss_kb() as f64 / 1024.0,
        rss_after_run_mb: 0.0,
    };
    let d = discover(http, &server.base).await?;
    let ctx = Ctx {
        http: http.clone(),
        base: server.base.clone(),
        sink: sink.clone(),
        client_id,
        client_secret,
        token_endpoint: d["token_endpoint"]
            .as_str()
            .ok_or("no token_endpoint")?
            .into(),
        userinfo_endpoint: d["userinfo_endpoint"]
            .as_str()
            .ok_or("no userinfo_endpoint")?
            .into(),
        introspection_endpoint: d["introspection_endpoint"].as_str().map(str::to_string),
        grant_types: strings(&d["grant_types_supported"]),
        scopes: strings(&d["scopes_supported"]),
        counter: Arc::new(AtomicU64::new(0)),
    };
    let r = scenarios::Run {
        server: &server,
        backend,
        args,
        ctx: &ctx,
    };
    for run in 1..=args.runs {
        eprintln!("== {} run {run}/{}", backend.name(), args.runs);
        for &c in &args.concurrency {
            samples.extend(r.all(c, run == 1).await);
        }
    }
    fp.rss_after_run_mb = server.rss_kb() as f64 / 1024.0;
    server.stop().await;
    if backend == Backend::Postgres {
        use sqlx::Connection;
        if let Ok(mut c) = sqlx::PgConnection::connect(&format!("{}/postgres", args.postgres)).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)"))
                .execute(&mut c)
                .await;
        }
    }
    Ok(fp)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sesame-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| e.to_string())?;
    let sink = sink::Sink::start().await.map_err(|e| e.to_string())?;

    eprintln!("measuring cost floors…");
    let (es, rs) = tokio::task::spawn_blocking(|| floors::signatures(Duration::from_secs(2)))
        .await
        .map_err(|e| e.to_string())??;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut fl = floors::Floors {
        es256_per_core: es,
        rs256_per_core: rs,
        sqlite_commits: floors::sqlite_commits(tmp.path(), Duration::from_secs(2)).await?,
        postgres_commits: None,
    };
    let backends = args.backend.list();
    if backends.contains(&Backend::Postgres) {
        fl.postgres_commits =
            floors::postgres_commits(&args.postgres, "postgres", Duration::from_secs(2))
                .await
                .ok();
    }
    eprintln!("{fl:?}");

    let mut samples = Vec::new();
    let mut footprints = Vec::new();
    for b in backends {
        footprints.push(run_backend(&args, b, &sink, &http, &mut samples).await?);
    }
    let exe = server::sesame_exe()?;
    let binary_mb = std::fs::metadata(&exe)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0);
    let rep = report::Report::new(&args, fl, samples, footprints, binary_mb);
    println!("{}", rep.table());
    if let Some(dir) = args.json.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(
        &args.json,
        serde_json::to_string_pretty(&rep).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    eprintln!("results written to {}", args.json.display());
    if args.write_doc {
        std::fs::write("docs/performance.md", rep.markdown()).map_err(|e| e.to_string())?;
        eprintln!("docs/performance.md written");
    }
    Ok(())
}

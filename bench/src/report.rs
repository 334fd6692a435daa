//! Medians, the human table, the JSON report and docs/performance.md.

use serde::Serialize;

use crate::floors::Floors;
use crate::{Args, Footprint, Sample};

pub fn progress(s: &Sample) {
    eprintln!(
        "  {:<8} {:<18} c={:<3} {:>9.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}{}",
        s.backend,
        s.scenario,
        s.concurrency,
        s.throughput,
        s.p50_ms,
        s.p99_ms,
        s.errors,
        s.first_error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    );
}

/// The median of every figure over the runs of one (backend, scenario, concurrency).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub backend: String,
    pub scenario: String,
    pub concurrency: usize,
    pub runs: usize,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    pub server_cpu_percent: f64,
    pub server_cpu_ms_per_op: f64,
    pub database_cpu_ms_per_op: Option<f64>,
    pub server_rss_mb: f64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub command: String,
    pub machine: String,
    pub alg: String,
    pub duration_seconds: f64,
    pub floors: Floors,
    pub rows: Vec<Row>,
    pub footprints: Vec<Footprint>,
    pub binary_mb: f64,
    pub samples: Vec<Sample>,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {mem} RAM, server and load generator on the same machine")
}

/// Signatures one unit of work needs (ID + access token, or access token only).
fn signatures_per_op(scenario: &str) -> Option<f64> {
    match scenario {
        "login" | "exchange" | "refresh" => Some(2.0),
        "client_credentials" => Some(1.0),
        _ => None,
    }
}

/// The ES256 signatures per second and core that the issue's targets were written against
/// ("about 23k ES256 JWT signatures/s/core" on these 2-core machines).
const REFERENCE_ES256_PER_CORE: f64 = 23_000.0;

/// The issue's targets on a 2-core machine (SQLite, ES256).
fn target(scenario: &str) -> Option<f64> {
    match scenario {
        "login" => Some(600.0),
        "exchange" => Some(2_500.0),
        "refresh" => Some(2_500.0),
        "client_credentials" => Some(4_000.0),
        "userinfo" => Some(8_000.0),
        "discovery" => Some(20_000.0),
        _ => None,
    }
}

/// CPU time per unit of work that the scenarios of an earlier run of this bench cost at
/// concurrency 16 on this kind of machine (SQLite, ES256): the code exchange 140 % of a core
/// at 3240/s, the refresh grant 137 % at 2544/s. The targets ask for 1.5× less.
const EXCHANGE_BASELINE_MS: f64 = 0.432;
const REFRESH_BASELINE_MS: f64 = 0.539;

/// The targets for the server's CPU time per unit of work on SQLite, in milliseconds: a
/// third of a certified provider's (node-oidc-provider 9.13.3, in-memory store) measured
/// side by side on this kind of machine, and for the grants 1.5× below this bench's
/// earlier figures. Discovery alternates the discovery document (0.029 ms) and the JWKS
/// (0.014 ms), which must stay at or below those.
fn cpu_target_ms(scenario: &str) -> Option<f64> {
    match scenario {
        "login" => Some(1.1),
        "exchange" => Some(EXCHANGE_BASELINE_MS / 1.5),
        "refresh" => Some(REFRESH_BASELINE_MS / 1.5),
        "userinfo" => Some(0.065),
        "discovery" => Some((0.029 + 0.014) / 2.0),
        _ => None,
    }
}

/// The concurrency the CPU targets are read at (the side-by-side measurement's).
const CPU_TARGET_CONCURRENCY: usize = 32;

impl Report {
    pub fn new(
        args: &Args,
        floors: Floors,
        samples: Vec<Sample>,
        footprints: Vec<Footprint>,
        binary_mb: f64,
    ) -> Report {
        let mut keys: Vec<(String, String, usize)> = Vec::new();
        for s in &samples {
            let k = (s.backend.clone(), s.scenario.clone(), s.concurrency);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        let rows = keys
            .into_iter()
            .map(|(b, sc, c)| {
                let of: Vec<&Sample> = samples
                    .iter()
                    .filter(|s| s.backend == b && s.scenario == sc && s.concurrency == c)
                    .collect();
                let m = |f: fn(&Sample) -> f64| median(of.iter().map(|s| f(s)).collect());
                Row {
                    backend: b,
                    scenario: sc,
                    concurrency: c,
                    runs: of.len(),
                    throughput: m(|s| s.throughput),
                    p50_ms: m(|s| s.p50_ms),
                    p90_ms: m(|s| s.p90_ms),
                    p99_ms: m(|s| s.p99_ms),
                    errors: of.iter().map(|s| s.errors).sum(),
                    server_cpu_percent: m(|s| s.server_cpu_percent),
                    server_cpu_ms_per_op: m(|s| s.server_cpu_ms_per_op),
                    database_cpu_ms_per_op: {
                        let v: Vec<f64> =
                            of.iter().filter_map(|s| s.database_cpu_ms_per_op).collect();
                        (!v.is_empty()).then(|| median(v))
                    },
                    server_rss_mb: m(|s| s.server_rss_mb),
                }
            })
            .collect();
        Report {
            command: std::env::args().collect::<Vec<_>>().join(" "),
            machine: machine(),
            alg: args.alg.as_str().into(),
            duration_seconds: args.duration,
            floors,
            rows,
            footprints,
            binary_mb,
            samples,
        }
    }

    /// The row of a scenario at the concurrency nearest [`CPU_TARGET_CONCURRENCY`].
    fn at_target_concurrency(&self, backend: &str, scenario: &str) -> Option<&Row> {
        self.rows
            .iter()
            .filter(|r| r.backend == backend && r.scenario == scenario)
            .min_by_key(|r| r.concurrency.abs_diff(CPU_TARGET_CONCURRENCY))
    }

    /// The section that compares CPU per unit of work with its targets.
    fn cpu_targets_markdown(&self) -> String {
        let mut md = String::from("\n## CPU per operation against the targets\n\n");
        md.push_str(&format!(
            "CPU time per unit of work at the concurrency nearest {CPU_TARGET_CONCURRENCY}: the \
             server's (from /proc) and, on PostgreSQL, also the PostgreSQL server's processes'. \
             Targets: a third of a certified provider's figures on this kind of machine for \
             the sign-in (1.1 ms) and userinfo (0.065 ms), discovery and JWKS at or below \
             0.029 and 0.014 ms, the code exchange and the refresh grant 1.5× below this \
             bench's earlier {EXCHANGE_BASELINE_MS} and {REFRESH_BASELINE_MS} ms; on \
             PostgreSQL, the server's and the database's CPU together at most twice \
             SQLite's.\n\n"
        ));
        md.push_str("| scenario | SQLite target ms | SQLite ms | met | PostgreSQL server ms | PostgreSQL database ms | PostgreSQL total ms | PostgreSQL target ms | met |\n");
        md.push_str("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |\n");
        let ms = |v: Option<f64>| v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "—".into());
        for sc in [
            "login",
            "exchange",
            "refresh",
            "client_credentials",
            "userinfo",
            "introspection",
            "discovery",
        ] {
            let s = self.at_target_concurrency("sqlite", sc);
            let p = self.at_target_concurrency("postgres", sc);
            if s.is_none() && p.is_none() {
                continue;
            }
            let target = cpu_target_ms(sc);
            let sq = s.map(|r| r.server_cpu_ms_per_op);
            let pg_server = p.map(|r| r.server_cpu_ms_per_op);
            let pg_db = p.and_then(|r| r.database_cpu_ms_per_op);
            let pg_total = pg_server.map(|v| v + pg_db.unwrap_or(0.0));
            let pg_target = sq.map(|v| v * 2.0);
            let met = |v: Option<f64>, t: Option<f64>| match (v, t) {
                (Some(v), Some(t)) if v <= t => "yes",
                (Some(_), Some(_)) => "no",
                _ => "—",
            };
            md.push_str(&format!(
                "| {sc} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                ms(target),
                ms(sq),
                met(sq, target),
                ms(pg_server),
                ms(pg_db),
                ms(pg_total),
                ms(pg_target),
                met(pg_total, pg_target),
            ));
        }
        md
    }

    fn best(&self, backend: &str, scenario: &str) -> Option<&Row> {
        self.rows
            .iter()
            .filter(|r| r.backend == backend && r.scenario == scenario)
            .max_by(|a, b| {
                a.throughput
                    .partial_cmp(&b.throughput)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    }

    /// How fast this run's machine is against the one the targets were written for,
    /// measured by the ES256 signature floor (the same instances of a machine kind differ
    /// from day to day; this run's floor is measured next to its figures).
    fn speed_factor(&self) -> f64 {
        self.floors.es256_per_core / REFERENCE_ES256_PER_CORE
    }

    fn sig_floor(&self) -> f64 {
        let per_core = if self.alg == "RS256" {
            self.floors.rs256_per_core
        } else {
            self.floors.es256_per_core
        };
        per_core * 2.0
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{:<9} {:<19} {:>4} {:>11} {:>9} {:>9} {:>9} {:>7} {:>7} {:>10} {:>10} {:>8}\n",
            "backend",
            "scenario",
            "conc",
            "ops/s",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "errors",
            "cpu %",
            "cpu ms/op",
            "db ms/op",
            "rss MB"
        ));
        for r in &self.rows {
            out.push_str(&format!(
                "{:<9} {:<19} {:>4} {:>11.1} {:>9.2} {:>9.2} {:>9.2} {:>7} {:>7.0} {:>10.3} {:>10} {:>8.1}\n",
                r.backend,
                r.scenario,
                r.concurrency,
                r.throughput,
                r.p50_ms,
                r.p90_ms,
                r.p99_ms,
                r.errors,
                r.server_cpu_percent,
                r.server_cpu_ms_per_op,
                r.database_cpu_ms_per_op
                    .map(|v| format!("{v:.3}"))
                    .unwrap_or_else(|| "-".into()),
                r.server_rss_mb
            ));
        }
        for f in &self.footprints {
            out.push_str(&format!(
                "{}: cold start {:.0} ms, idle RSS {:.1} MB, RSS after the run {:.1} MB\n",
                f.backend, f.cold_start_ms, f.idle_rss_mb, f.rss_after_run_mb
            ));
        }
        out.push_str(&format!("release binary: {:.1} MB\n", self.binary_mb));
        out
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        md.push_str("# Performance\n\n");
        md.push_str("<!-- Generated by `target/release/sesame-bench --write-doc`; do not edit by hand. -->\n\n");
        md.push_str("## Method\n\n");
        md.push_str(&format!(
            "- Command: `cargo build --release --workspace --bins && {}`\n",
            self.command
        ));
        md.push_str(&format!("- Machine: {}.\n", self.machine));
        md.push_str(&format!(
            "- The bench starts the release `sesame` binary as a child process (development mode \
             with SMTP configured, log level warn, {alg} ID and access tokens, SQLite in WAL mode \
             with synchronous=NORMAL, or PostgreSQL on the same machine), runs its own SMTP sink, \
             and drives each scenario over HTTP/1.1 keep-alive from one process at each \
             concurrency level for {d} s or at most the request budget. Every figure is the median \
             of the runs. Server CPU and RSS come from /proc/<pid> of the server process; on PostgreSQL the CPU of the PostgreSQL server's processes (those named `postgres`) is read from /proc too.\n",
            alg = self.alg,
            d = self.duration_seconds
        ));
        md.push_str(
            "- Scenarios: **login** = the full passwordless sign-in (authorize → login page → \
             address → code delivered over real SMTP to the sink → verify → redirect with code → \
             token exchange with PKCE → userinfo); **exchange** = the authorization-code grant \
             alone, codes prepared in advance by the login steps; **refresh** = refresh-token grant \
             with rotation (each worker follows its own chain); **client_credentials**; \
             **userinfo**; **introspection**; **discovery** = discovery document and JWKS, \
             alternating.\n\n",
        );
        md.push_str("## Cost floors on this machine\n\n| floor | per second |\n| --- | ---: |\n");
        md.push_str(&format!(
            "| ES256 JWT signature (josekit/OpenSSL), one core | {:.0} |\n",
            self.floors.es256_per_core
        ));
        md.push_str(&format!(
            "| RS256 JWT signature (josekit/OpenSSL, 2048-bit), one core | {:.0} |\n",
            self.floors.rs256_per_core
        ));
        md.push_str(&format!(
            "| SQLite commit (WAL, synchronous=NORMAL, one row) | {:.0} |\n",
            self.floors.sqlite_commits
        ));
        match self.floors.postgres_commits {
            Some(p) => md.push_str(&format!(
                "| PostgreSQL commit (one row, one connection) | {p:.0} |\n"
            )),
            None => md.push_str("| PostgreSQL commit | not measured |\n"),
        }
        md.push_str("\n## Results (medians)\n\n");
        md.push_str("| backend | scenario | concurrency | ops/s | p50 ms | p90 ms | p99 ms | errors | server CPU % | server CPU ms/op | PostgreSQL CPU ms/op | server RSS MB |\n");
        md.push_str(
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for r in &self.rows {
            md.push_str(&format!(
                "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.0} | {:.3} | {} | {:.1} |\n",
                r.backend,
                r.scenario,
                r.concurrency,
                r.throughput,
                r.p50_ms,
                r.p90_ms,
                r.p99_ms,
                r.errors,
                r.server_cpu_percent,
                r.server_cpu_ms_per_op,
                r.database_cpu_ms_per_op
                    .map(|v| format!("{v:.3}"))
                    .unwrap_or_else(|| "—".into()),
                r.server_rss_mb
            ));
        }
        md.push_str(&self.cpu_targets_markdown());
        md.push_str("\n## Throughput against the floors and the targets\n\n");
        md.push_str("The signature floor of a scenario is (signatures/s per core × 2 cores) ÷ signatures per unit of work; it ignores the database, HTTP and the load generator sharing the same two cores, so no scenario can reach it.\n\n");
        md.push_str(&format!(
            "The targets were written for a machine doing about {:.0} ES256 signatures per second \
             and core; this run's machine did {:.0} ({:.2}×). The column *target at this speed* \
             scales each target by that factor; *met* compares with the target as written.\n\n",
            REFERENCE_ES256_PER_CORE,
            self.floors.es256_per_core,
            self.speed_factor()
        ));
        md.push_str("| scenario | best SQLite ops/s | target | met | target at this speed | met at this speed | signature floor ops/s | ratio to floor | best PostgreSQL ops/s | PostgreSQL / SQLite |\n");
        md.push_str("| --- | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: |\n");
        for sc in [
            "login",
            "exchange",
            "refresh",
            "client_credentials",
            "userinfo",
            "introspection",
            "discovery",
        ] {
            let s = self.best("sqlite", sc);
            let p = self.best("postgres", sc);
            if s.is_none() && p.is_none() {
                continue;
            }
            let st = s.map(|r| r.throughput).unwrap_or(0.0);
            let pt = p.map(|r| r.throughput);
            let floor = signatures_per_op(sc).map(|n| self.sig_floor() / n);
            let scaled = target(sc).map(|t| t * self.speed_factor());
            md.push_str(&format!(
                "| {sc} | {st:.0} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                target(sc)
                    .map(|t| format!("{t:.0}"))
                    .unwrap_or_else(|| "—".into()),
                target(sc)
                    .map(|t| if st >= t { "yes" } else { "no" })
                    .unwrap_or("—"),
                scaled
                    .map(|t| format!("{t:.0}"))
                    .unwrap_or_else(|| "—".into()),
                scaled
                    .map(|t| if st >= t { "yes" } else { "no" })
                    .unwrap_or("—"),
                floor
                    .map(|f| format!("{f:.0}"))
                    .unwrap_or_else(|| "—".into()),
                floor
                    .map(|f| format!("{:.0} %", st / f * 100.0))
                    .unwrap_or_else(|| "—".into()),
                pt.map(|v| format!("{v:.0}")).unwrap_or_else(|| "—".into()),
                pt.filter(|_| st > 0.0)
                    .map(|v| format!("{:.0} %", v / st * 100.0))
                    .unwrap_or_else(|| "—".into()),
            ));
        }
        if let Some(r) = self.at_target_concurrency("sqlite", "exchange") {
            md.push_str(&format!(
                "\nCode exchange p99 at concurrency {} (SQLite): {:.2} ms (target: under 10 ms).\n",
                r.concurrency, r.p99_ms
            ));
        }
        md.push_str("\n## Start-up and footprint\n\n| backend | cold start to ready | idle RSS | RSS after the full run |\n| --- | ---: | ---: | ---: |\n");
        for f in &self.footprints {
            md.push_str(&format!(
                "| {} | {:.0} ms | {:.1} MB | {:.1} MB |\n",
                f.backend, f.cold_start_ms, f.idle_rss_mb, f.rss_after_run_mb
            ));
        }
        md.push_str(&format!(
            "\nTargets: cold start under 300 ms with an existing database, idle RSS under 25 MB, RSS under 60 MB after the full run. Release binary size: {:.1} MB.\n",
            self.binary_mb
        ));
        md.push_str(
            "\n## Where the time goes\n\nProfiles of the scenarios that miss their targets, \
             what was fixed and what is left: [performance-profile.md](performance-profile.md) \
             (written by hand; it names the run it read).\n",
        );
        md.push_str("\n## Reproduce\n\n```sh\ncargo build --release --workspace --bins\ntarget/release/sesame-bench --write-doc            # SQLite and PostgreSQL, ES256\ntarget/release/sesame-bench --alg RS256 --backend sqlite --scenarios exchange,client_credentials\n```\n\nThe raw samples of the last run are in `target/bench/results.json`.\n");
        md
    }
}

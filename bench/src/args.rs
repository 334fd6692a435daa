//! The command line, typed: a misspelt backend, scenario or algorithm is refused by clap
//! with the list of accepted values instead of being ignored.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use crate::server::Backend;

#[derive(Parser, Debug, Clone)]
#[command(name = "sesame-bench", about = "Load benchmark for Sesame")]
pub struct Args {
    /// Which databases to measure.
    #[arg(long, value_enum, default_value = "both")]
    pub backend: Backends,
    /// Concurrency levels (comma separated).
    #[arg(long, default_value = "1,32,64", value_delimiter = ',')]
    pub concurrency: Vec<usize>,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 3.0)]
    pub duration: f64,
    /// At most this many units of work per measurement.
    #[arg(long, default_value_t = 20_000)]
    pub max_requests: usize,
    /// Repetitions; the report gives the median of each figure.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Scenarios to run (comma separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "login,exchange,refresh,client_credentials,userinfo,introspection,discovery"
    )]
    pub scenarios: Vec<Scenario>,
    /// Token signature algorithm for ID and access tokens.
    #[arg(long, value_enum, default_value = "ES256")]
    pub alg: Alg,
    /// PostgreSQL server URL (a database is created and dropped for the run).
    #[arg(
        long,
        env = "SESAME_TEST_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432"
    )]
    pub postgres: String,
    /// Write docs/performance.md from this run.
    #[arg(long)]
    pub write_doc: bool,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/results.json")]
    pub json: PathBuf,
}

impl Args {
    /// Whether this run measures `scenario`.
    pub fn has(&self, scenario: Scenario) -> bool {
        self.scenarios.contains(&scenario)
    }
}

/// `--backend`: one database or both, SQLite first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backends {
    Sqlite,
    Postgres,
    Both,
}

impl Backends {
    pub fn list(self) -> Vec<Backend> {
        match self {
            Backends::Sqlite => vec![Backend::Sqlite],
            Backends::Postgres => vec![Backend::Postgres],
            Backends::Both => vec![Backend::Sqlite, Backend::Postgres],
        }
    }
}

/// One measured scenario; its name is the one in the report and the JSON results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// The full sign-in: authorize, code by SMTP, verify, token exchange, userinfo.
    Login,
    /// The authorization-code grant alone, codes prepared in advance.
    Exchange,
    /// The refresh-token grant with rotation.
    Refresh,
    /// The client-credentials grant.
    #[value(name = "client_credentials")]
    ClientCredentials,
    /// The userinfo endpoint.
    Userinfo,
    /// The introspection endpoint.
    Introspection,
    /// The discovery document and the JWKS, alternating.
    Discovery,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Login => "login",
            Scenario::Exchange => "exchange",
            Scenario::Refresh => "refresh",
            Scenario::ClientCredentials => "client_credentials",
            Scenario::Userinfo => "userinfo",
            Scenario::Introspection => "introspection",
            Scenario::Discovery => "discovery",
        }
    }
}

/// `--alg`: the signature algorithm of ID and access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Alg {
    #[value(name = "ES256")]
    Es256,
    #[value(name = "RS256")]
    Rs256,
}

impl Alg {
    /// The JOSE name, as the server's settings and the client registration take it.
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::Es256 => "ES256",
            Alg::Rs256 => "RS256",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_measure_every_scenario_on_both_backends_with_es256() {
        let a = Args::try_parse_from(["sesame-bench"]).unwrap();
        assert_eq!(a.backend, Backends::Both);
        assert_eq!(a.alg, Alg::Es256);
        assert_eq!(a.scenarios.len(), Scenario::value_variants().len());
        assert_eq!(a.concurrency, vec![1, 32, 64]);
    }

    #[test]
    fn documented_command_lines_parse() {
        let a = Args::try_parse_from([
            "sesame-bench",
            "--alg",
            "RS256",
            "--backend",
            "sqlite",
            "--scenarios",
            "exchange,client_credentials",
        ])
        .unwrap();
        assert_eq!(a.alg, Alg::Rs256);
        assert_eq!(a.backend.list(), vec![Backend::Sqlite]);
        assert_eq!(
            a.scenarios,
            vec![Scenario::Exchange, Scenario::ClientCredentials]
        );
    }

    #[test]
    fn a_misspelt_scenario_backend_or_algorithm_is_refused() {
        for bad in [
            ["--scenarios", "refesh"],
            ["--backend", "mysql"],
            ["--alg", "HS256"],
        ] {
            let r = Args::try_parse_from(["sesame-bench", bad[0], bad[1]]);
            assert!(r.is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn scenario_names_are_the_command_line_names() {
        for s in Scenario::value_variants() {
            let pv = s.to_possible_value().unwrap();
            assert_eq!(pv.get_name(), s.name());
        }
    }
}

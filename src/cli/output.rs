//! What every admin subcommand shares: the connection to the configured database (the
//! same one a running server uses), the operation context, and printing — a human table
//! by default, the admin API's JSON document with `--json`.

use serde::Serialize;

use crate::admin::ops::{format_time, Actor, Ctx};
use crate::config::Config;
use crate::crypto::ServerSecrets;
use crate::store::Store;
use crate::tokens::KeyRing;

pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// The database and secrets of the configured deployment.
pub struct Env<'a> {
    pub config: &'a Config,
    pub store: Store,
    pub secrets: ServerSecrets,
}

impl<'a> Env<'a> {
    pub async fn open(config: &'a Config) -> Result<Env<'a>, Box<dyn std::error::Error>> {
        let store = super::open_store(config).await?;
        let secrets = crate::app::open_secret(config, &store).await?;
        if store.all_keys().await?.is_empty() {
            // The first command on a new database makes its signing keys, as a first start
            // would, so that every later command and server checks its secret against them.
            let clock: crate::clock::SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
            KeyRing::open(store.clone(), secrets.clone(), clock, 0).await?;
        }
        Ok(Env {
            config,
            store,
            secrets,
        })
    }

    /// An operation context acting as the CLI, at the current time.
    pub fn ctx(&self) -> Ctx<'_> {
        use crate::clock::Clock;
        Ctx {
            store: &self.store,
            secrets: &self.secrets,
            config: self.config,
            now: crate::clock::SystemClock.now(),
            actor: Actor::cli(),
        }
    }
}

pub fn print_json<T: Serialize>(v: &T) -> CliResult {
    out!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// A time for people: RFC 3339 in UTC, or `-`.
pub fn when(t: Option<i64>) -> String {
    t.map(format_time).unwrap_or_else(|| "-".into())
}

pub fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

/// Prints rows under a header, each column as wide as its widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let n = cells.len();
        let text: Vec<String> = cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i + 1 == n {
                    c.to_string()
                } else {
                    format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0))
                }
            })
            .collect();
        out!("{}", text.join("  ").trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

/// Prints `key: value` lines, aligned.
pub fn fields(pairs: &[(&str, String)]) {
    let w = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in pairs {
        out!("{k:<w$}  {v}");
    }
}

/// Tells a person how to get the next page.
pub fn more(next: &Option<String>) {
    if let Some(c) = next {
        out!("(more: add --cursor {c})");
    }
}

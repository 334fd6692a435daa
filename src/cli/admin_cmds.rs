//! `sesame keys …`, `sesame audit`, `sesame admin-tokens …`, `sesame admin openapi`.

use std::sync::Arc;

use clap::{Args, Subcommand};

use super::output::{more, print_json, table, when, CliResult, Env};
use crate::admin::auth;
use crate::admin::ops::audit::{self, AuditQuery};
use crate::admin::ops::keys::{self, KeyStatus, KeyView, RotateRequest};
use crate::config::Config;
use crate::tokens::KeyRing;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// List signing keys.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a new signing key; the keys it replaces stop signing once it activates.
    Rotate {
        /// RS256 or ES256 (default: both).
        #[arg(long)]
        alg: Option<String>,
        /// Seconds the new key is published before it signs (default: keys.prepublish_seconds).
        #[arg(long)]
        prepublish_seconds: Option<i64>,
        /// Seconds the replaced keys stay published after (default: keys.retain_seconds, and
        /// never less than the longest token lifetime + 300).
        #[arg(long)]
        retain_seconds: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Only events at or after: a duration ago (90s, 30m, 12h, 7d), a date, an RFC 3339
    /// time or Unix seconds.
    #[arg(long)]
    pub since: Option<String>,
    /// Only events newer than this many seconds.
    #[arg(long, conflicts_with = "since")]
    pub since_seconds: Option<i64>,
    /// Only events before (same forms as --since).
    #[arg(long)]
    pub until: Option<String>,
    /// Only events about this user id.
    #[arg(long, allow_hyphen_values = true)]
    pub user: Option<String>,
    /// Only events about this client id.
    #[arg(long, allow_hyphen_values = true)]
    pub client: Option<String>,
    /// Only events of this kind (for example code_sent), or a prefix ending in * (admin_*).
    #[arg(long)]
    pub kind: Option<String>,
    /// How many events (newest; 1–200, default 50).
    #[arg(long)]
    pub limit: Option<i64>,
    /// Continue from a previous page.
    #[arg(long)]
    pub cursor: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum AdminTokensCommand {
    /// Create a token for the admin HTTP API; it is printed once and stored hashed.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// List tokens (never the tokens themselves).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id (or its name when unique).
    Revoke {
        id_or_name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Print the admin API's OpenAPI 3.1 document (`> docs/admin-api.json` to update it).
    Openapi,
}

fn print_keys(keys: &[KeyView]) {
    let rows: Vec<Vec<String>> = keys
        .iter()
        .map(|k| {
            vec![
                k.kid.clone(),
                k.alg.clone(),
                match k.status {
                    KeyStatus::Pending => "pending",
                    KeyStatus::Active => "active",
                    KeyStatus::Retired => "retired",
                    KeyStatus::Unpublished => "unpublished",
                }
                .into(),
                when(Some(k.activates_at)),
                when(k.retired_at),
                when(k.unpublish_at),
            ]
        })
        .collect();
    table(
        &["KID", "ALG", "STATUS", "ACTIVATES", "RETIRED", "UNPUBLISH"],
        &rows,
    );
}

pub async fn keys(config: &Config, cmd: KeysCommand) -> CliResult {
    let env = Env::open(config).await?;
    let ctx = env.ctx();
    match cmd {
        KeysCommand::List { json } => {
            let page = keys::list_keys(&ctx).await?;
            if json {
                return print_json(&page);
            }
            print_keys(&page.items);
        }
        KeysCommand::Rotate {
            alg,
            prepublish_seconds,
            retain_seconds,
            json,
        } => {
            let ring = KeyRing::open(
                env.store.clone(),
                env.secrets.clone(),
                Arc::new(crate::clock::SystemClock),
                0,
            )
            .await?;
            let r = keys::rotate_keys(
                &ctx,
                &ring,
                RotateRequest {
                    alg,
                    prepublish_seconds,
                    retain_seconds,
                },
            )
            .await?;
            if json {
                return print_json(&r);
            }
            out!("New keys (published now; they sign from ACTIVATES):");
            print_keys(&r.rotated);
        }
    }
    Ok(())
}

/// Reads `90s`, `30m`, `12h`, `7d` as "that long before now"; anything else is left to
/// the API's time parser.
fn relative(s: &str, now: i64) -> String {
    match duration_seconds(s.trim()) {
        Some(n) => (now - n).to_string(),
        None => s.trim().to_string(),
    }
}

/// A duration such as `90s`, `30m`, `12h`, `7d`, `1w` or a combination (`1h30m`).
fn duration_seconds(s: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: i64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return None,
        };
        let n: i64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        digits.clear();
    }
    (digits.is_empty() && !s.is_empty()).then_some(total)
}

pub async fn audit(config: &Config, a: AuditArgs) -> CliResult {
    let env = Env::open(config).await?;
    let ctx = env.ctx();
    let since = match (a.since, a.since_seconds) {
        (Some(s), _) => Some(relative(&s, ctx.now)),
        (None, Some(n)) => Some((ctx.now - n).to_string()),
        (None, None) => None,
    };
    let q = AuditQuery {
        user_id: a.user,
        client_id: a.client,
        kind: a.kind,
        since,
        until: a.until.map(|u| relative(&u, ctx.now)),
        limit: a.limit,
        cursor: a.cursor,
    };
    let page = audit::query_audit(&ctx, &q).await?;
    if a.json {
        return print_json(&page);
    }
    // Oldest first on a terminal, like a log.
    for e in page.items.iter().rev() {
        out!(
            "{} {:<28} user={} client={} {}",
            when(Some(e.at)),
            e.kind,
            e.user_id.as_deref().unwrap_or("-"),
            e.client_id.as_deref().unwrap_or("-"),
            e.detail
        );
    }
    more(&page.next_cursor);
    Ok(())
}

pub async fn admin_tokens(config: &Config, cmd: AdminTokensCommand) -> CliResult {
    let env = Env::open(config).await?;
    let ctx = env.ctx();
    match cmd {
        AdminTokensCommand::Create { name, json } => {
            let t = auth::create_token(&ctx, &name).await?;
            if json {
                return print_json(&t);
            }
            out!("Admin token created.");
            out!("  id:    {}", t.id);
            out!("  name:  {}", t.name);
            out!("  token: {}", t.token);
            out!("The token is shown only now; Sesame stores only a keyed hash of it.");
            out!(
                "Use it as `Authorization: Bearer <token>` on {}{}.",
                config.issuer,
                crate::admin::PREFIX
            );
        }
        AdminTokensCommand::List { json } => {
            let list = auth::list_tokens(&ctx).await?;
            if json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|t| {
                    vec![
                        t.id.clone(),
                        t.name.clone(),
                        if t.active { "active" } else { "revoked" }.into(),
                        when(Some(t.created_at)),
                        when(t.last_used_at),
                    ]
                })
                .collect();
            table(&["ID", "NAME", "STATUS", "CREATED", "LAST USED"], &rows);
        }
        AdminTokensCommand::Revoke { id_or_name, json } => {
            let t = auth::revoke_token(&ctx, &id_or_name).await?;
            if json {
                return print_json(&t);
            }
            out!("Admin token {} ({}) revoked.", t.id, t.name);
        }
    }
    Ok(())
}

pub fn admin(cmd: AdminCommand) -> CliResult {
    match cmd {
        AdminCommand::Openapi => {
            out_raw!("{}", crate::admin::openapi_json());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_count_back_from_now() {
        assert_eq!(relative("90s", 1000), "910");
        assert_eq!(relative("2h", 10_000), "2800");
        assert_eq!(relative("1h30m", 10_000), "4600");
        assert_eq!(relative("1w", 1_000_000), "395200");
        assert_eq!(relative("2027-01-31", 5), "2027-01-31");
        assert_eq!(relative("1d", 100_000), "13600");
        assert_eq!(relative("2027-01-31", 0), "2027-01-31");
        assert_eq!(relative("1801353600", 0), "1801353600");
    }
}

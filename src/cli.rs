//! The `sesame` command line. With no subcommand it serves.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::{self, Application, BuildOptions};
use crate::clients::{self, NewClient};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::crypto::ServerSecrets;
use crate::store::Store;

#[derive(Parser, Debug)]
#[command(
    name = "sesame",
    version,
    about = "Sesame: a passwordless OpenID Connect provider"
)]
pub struct Cli {
    /// Configuration file (default: $SESAME_CONFIG, else config/sesame.toml when it exists).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Load and validate the configuration, print it with secrets hidden.
    CheckConfig,
    /// Manage relying parties.
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Show audit events.
    Audit(AuditArgs),
}

#[derive(Subcommand, Debug)]
pub enum ClientsCommand {
    /// Register a client; prints its id and (confidential clients) its secret, once.
    Add(AddClient),
    /// List registered clients.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a client and everything issued to it.
    Remove { client_id: String },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum PkcePolicy {
    Required,
    Optional,
}

#[derive(Args, Debug)]
pub struct AddClient {
    /// Name shown on the sign-in pages.
    #[arg(long)]
    pub name: String,
    /// An exact redirect URI; repeat for several.
    #[arg(long = "redirect-uri", required = true)]
    pub redirect_uris: Vec<String>,
    /// A public client (SPA, mobile app): no secret, PKCE always required.
    #[arg(long)]
    pub public: bool,
    /// PKCE policy of a confidential client.
    #[arg(long, value_enum, default_value = "required")]
    pub pkce: PkcePolicy,
    /// Mark the client third-party (its users will be asked for consent).
    #[arg(long)]
    pub third_party: bool,
    /// ID token signature algorithm.
    #[arg(long, default_value = "RS256")]
    pub id_token_alg: String,
    /// Print a JSON object with client_id and client_secret.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// List signing keys.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Only events since then: a duration back from now (`90s`, `15m`, `1h`, `2d`, `1w`,
    /// combinable as `1h30m`) or an RFC 3339 time (`2025-01-31T08:00:00Z`).
    #[arg(long, default_value = "1d", conflicts_with = "since_seconds")]
    pub since: String,
    /// Only events newer than this many seconds (the older spelling of `--since`).
    #[arg(long)]
    pub since_seconds: Option<i64>,
    /// Only events of this kind (for example code_sent).
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long, default_value_t = 200)]
    pub limit: i64,
    #[arg(long)]
    pub json: bool,
}

/// Parses arguments and runs. Start-up failures print one clear line and exit non-zero.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sesame: {e}");
            return ExitCode::from(2);
        }
    };
    let serving = matches!(cli.command, None | Some(Command::Serve));
    init_logging(&config, serving);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sesame: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(&config).await,
            Command::CheckConfig => {
                print!("{}", config.redacted_toml());
                Ok(())
            }
            Command::Clients(c) => clients_cmd(&config, c).await,
            Command::Keys(k) => keys_cmd(&config, k).await,
            Command::Audit(a) => audit_cmd(&config, a).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sesame: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config, serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving {
        config.log.level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match config.log.format.as_deref() {
        Some("json") => true,
        Some(_) => false,
        None => !config.is_development(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

async fn serve(config: Config) -> CliResult {
    let dev = config.is_development();
    let console = config.email.smtp_url.is_none();
    let issuer = config.issuer.clone();
    let application = Application::build(config, BuildOptions::default()).await?;
    let addr = application
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    if dev {
        banner(&issuer, &addr, console);
    }
    tracing::info!(%issuer, listen = %addr, "sesame is ready");
    application.run_until(app::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

fn banner(issuer: &str, addr: &str, console: bool) {
    let lines = [
        "SESAME IS RUNNING IN DEVELOPMENT MODE — not for production".to_string(),
        format!("Issuer:      {issuer}"),
        format!("Listening:   {addr}"),
        format!("Demo app:    {issuer}/"),
        if console {
            "Email:       none configured: codes are printed here".to_string()
        } else {
            "Email:       sent through the configured SMTP server".to_string()
        },
    ];
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) + 2;
    eprintln!();
    eprintln!("  ╔{}╗", "═".repeat(width));
    for l in &lines {
        eprintln!("  ║ {l:<w$} ║", w = width - 2);
    }
    eprintln!("  ╚{}╝", "═".repeat(width));
    eprintln!();
}

async fn open_store(config: &Config) -> Result<Store, Box<dyn std::error::Error>> {
    let store = Store::connect(&config.database).await?;
    store.migrate().await?;
    Ok(store)
}

async fn migrate(config: &Config) -> CliResult {
    let store = Store::connect(&config.database).await?;
    store.migrate().await?;
    println!("migrations applied ({})", store.backend());
    Ok(())
}

async fn clients_cmd(config: &Config, cmd: ClientsCommand) -> CliResult {
    let store = open_store(config).await?;
    let now = SystemClock.now();
    match cmd {
        ClientsCommand::Add(a) => {
            let secrets = ServerSecrets::from_secret(&app::server_secret(config)?);
            let reg = clients::register(
                &store,
                &secrets,
                now,
                NewClient {
                    name: a.name,
                    redirect_uris: a.redirect_uris,
                    public: a.public,
                    pkce_required: a.pkce == PkcePolicy::Required,
                    first_party: !a.third_party,
                    id_token_alg: a.id_token_alg,
                },
            )
            .await?;
            if a.json {
                println!("{}", serde_json::to_string(&reg)?);
            } else {
                println!("Client registered.");
                println!("  client_id:     {}", reg.client_id);
                match &reg.client_secret {
                    Some(s) => {
                        println!("  client_secret: {s}");
                        println!(
                            "The secret is shown only now; Sesame stores only a keyed hash of it."
                        );
                    }
                    None => println!("  (public client: no secret; PKCE with S256 is required)"),
                }
            }
        }
        ClientsCommand::List { json } => {
            let list = store.list_clients().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!(
                    "{:<26} {:<24} {:<12} {:<6} redirect URIs",
                    "CLIENT ID", "NAME", "TYPE", "PKCE"
                );
                for c in list {
                    println!(
                        "{:<26} {:<24} {:<12} {:<6} {}",
                        c.id,
                        c.name.chars().take(24).collect::<String>(),
                        if c.public { "public" } else { "confidential" },
                        if c.pkce_required { "yes" } else { "opt" },
                        c.redirect_uris.join(" ")
                    );
                }
            }
        }
        ClientsCommand::Remove { client_id } => {
            if clients::remove(&store, now, &client_id).await? {
                println!("Client {client_id} removed.");
            } else {
                return Err(format!("no client with id {client_id}").into());
            }
        }
    }
    Ok(())
}

async fn keys_cmd(config: &Config, cmd: KeysCommand) -> CliResult {
    let store = open_store(config).await?;
    match cmd {
        KeysCommand::List { json } => {
            let keys = store.all_keys().await?;
            if json {
                let v: Vec<_> = keys
                    .iter()
                    .map(|k| {
                        serde_json::json!({
                            "kid": k.kid, "alg": k.alg, "created_at": k.created_at,
                            "activates_at": k.activates_at, "retired_at": k.retired_at,
                            "unpublish_at": k.unpublish_at,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!(
                    "{:<30} {:<6} {:<12} {:<12} {:<12}",
                    "KID", "ALG", "ACTIVATES", "RETIRED", "UNPUBLISH"
                );
                for k in keys {
                    let opt =
                        |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
                    println!(
                        "{:<30} {:<6} {:<12} {:<12} {:<12}",
                        k.kid,
                        k.alg,
                        k.activates_at,
                        opt(k.retired_at),
                        opt(k.unpublish_at)
                    );
                }
            }
        }
    }
    Ok(())
}

async fn audit_cmd(config: &Config, a: AuditArgs) -> CliResult {
    let now = SystemClock.now();
    let since = match a.since_seconds {
        Some(secs) => now - secs,
        None => parse_since(&a.since, now)?,
    };
    let store = open_store(config).await?;
    let events = store
        .audit_events(since, a.kind.as_deref(), a.limit)
        .await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&events)?);
    } else {
        for e in events {
            let at = time::OffsetDateTime::from_unix_timestamp(e.at)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_else(|| e.at.to_string());
            println!(
                "{at} {:<24} user={} client={} ip={} {}",
                e.kind,
                e.user_id.as_deref().unwrap_or("-"),
                e.client_id.as_deref().unwrap_or("-"),
                e.ip.as_deref().unwrap_or("-"),
                e.detail
            );
        }
    }
    Ok(())
}

/// The Unix time `--since` names: a duration back from `now` (`90s`, `15m`, `1h`, `2d`,
/// `1w`, or several such as `1h30m`) or an RFC 3339 timestamp.
pub fn parse_since(text: &str, now: i64) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(at) = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339) {
        return Ok(at.unix_timestamp());
    }
    let bad = || {
        format!(
            "--since `{text}`: use a duration such as 30m, 1h, 2d, 1w (or 1h30m), or an RFC 3339 time such as 2025-01-31T08:00:00Z"
        )
    };
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut any = false;
    for c in t.chars() {
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
            _ => return Err(bad()),
        };
        let n: i64 = digits.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        digits.clear();
        any = true;
    }
    if !any || !digits.is_empty() {
        return Err(bad());
    }
    Ok(now.saturating_sub(total))
}

#[cfg(test)]
mod tests {
    use super::parse_since;

    #[test]
    fn since_accepts_human_durations_and_rfc3339() {
        let now = 1_700_000_000;
        assert_eq!(parse_since("90s", now), Ok(now - 90));
        assert_eq!(parse_since("15m", now), Ok(now - 900));
        assert_eq!(parse_since("1h", now), Ok(now - 3600));
        assert_eq!(parse_since("2d", now), Ok(now - 172_800));
        assert_eq!(parse_since("1w", now), Ok(now - 604_800));
        assert_eq!(parse_since("1h30m", now), Ok(now - 5400));
        assert_eq!(parse_since("2023-11-14T22:13:20Z", now), Ok(1_700_000_000));
        assert_eq!(
            parse_since("2023-11-15T00:13:20+02:00", now),
            Ok(1_700_000_000)
        );
        for bad in [
            "",
            "1",
            "h",
            "1y",
            "-1h",
            "yesterday",
            "1h 2m",
            "99999999999999999999d",
        ] {
            assert!(parse_since(bad, now).is_err(), "{bad:?} was accepted");
        }
    }
}

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
    /// Machine clients: `--grant-type client_credentials --scope "api:read"` and no
    /// redirect URI.
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
    #[arg(long = "redirect-uri")]
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
    /// An exact URI RP-initiated logout may return to; repeat for several.
    #[arg(long = "post-logout-redirect-uri")]
    pub post_logout_redirect_uris: Vec<String>,
    /// A grant type (authorization_code, refresh_token, client_credentials); repeat for
    /// several. Default: authorization_code and refresh_token.
    #[arg(long = "grant-type")]
    pub grant_types: Vec<String>,
    /// Issue refresh tokens on every code exchange, even without offline_access.
    #[arg(long)]
    pub always_refresh: bool,
    /// Extra (API) scopes the client may request, space-separated (what a
    /// client_credentials client gets).
    #[arg(long, default_value = "")]
    pub scope: String,
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
    /// Add a new signing key: published now, signing after keys.prepublish_seconds; the
    /// key it replaces stays published until every token it signed has expired.
    Rotate {
        /// Rotate only this algorithm (default: every algorithm).
        #[arg(long, value_parser = ["RS256", "ES256"])]
        alg: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Only events newer than this many seconds (default: one day).
    #[arg(long, default_value_t = 86_400)]
    pub since_seconds: i64,
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
                    post_logout_redirect_uris: a.post_logout_redirect_uris,
                    grant_types: a.grant_types,
                    always_issue_refresh_token: a.always_refresh,
                    scope: a.scope,
                    dynamic: false,
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
            if store.delete_client(&client_id).await? {
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
        KeysCommand::Rotate { alg, json } => {
            let secrets = ServerSecrets::from_secret(&app::server_secret(config)?);
            let clock = std::sync::Arc::new(SystemClock);
            let ring = crate::tokens::KeyRing::open(store, secrets, clock, 0).await?;
            let rotated =
                crate::tokens::rotation::rotate(&ring, config, alg.as_deref(), SystemClock.now())
                    .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rotated)?);
            } else {
                for r in rotated {
                    println!(
                        "{}: new key {} signs from {} (in {} s); the keys it replaces leave the JWKS at {}",
                        r.alg,
                        r.kid,
                        r.activates_at,
                        config.keys.prepublish_seconds,
                        r.old_keys_unpublished_at
                    );
                }
            }
        }
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
    let store = open_store(config).await?;
    let since = SystemClock.now() - a.since_seconds;
    let events = store
        .audit_events(since, a.kind.as_deref(), a.limit)
        .await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&events)?);
    } else {
        for e in events {
            println!(
                "{} {:<24} user={} client={} {}",
                e.at,
                e.kind,
                e.user_id.as_deref().unwrap_or("-"),
                e.client_id.as_deref().unwrap_or("-"),
                e.detail
            );
        }
    }
    Ok(())
}

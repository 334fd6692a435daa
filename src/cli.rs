//! The `sesame` command line. With no subcommand it serves.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::{self, Application, BuildOptions};
use crate::config::Config;
use crate::store::Store;

/// `println!` for the CLI's standard output: a reader that goes away (`sesame audit | head`)
/// ends the command quietly with status 0 instead of a panic about a broken pipe.
macro_rules! out {
    () => {
        $crate::cli::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for the CLI's standard output; see [`out!`].
macro_rules! out_raw {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*))
    };
}

mod admin_cmds;
mod admins_cmd;
mod clients_cmd;
mod groups_cmd;
mod output;
mod users_cmd;
mod webhooks_cmd;

pub use self::admin_cmds::{AdminCommand, AdminTokensCommand, AuditArgs, KeysCommand};
pub use self::admins_cmd::AdminsCommand;
pub use self::clients_cmd::{AddClient, ClientsCommand, PkcePolicy, UpdateClient};
pub use self::groups_cmd::GroupsCommand;
pub use self::users_cmd::{ReviewAccountCommand, UsersCommand};
pub use self::webhooks_cmd::WebhooksCommand;

/// What `sesame --version` prints: the version and the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("BUILD_COMMIT"),
    ")"
);

#[derive(Parser, Debug)]
#[command(
    name = "sesame",
    version = VERSION,
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
    Clients(Box<ClientsCommand>),
    /// Find people, disable or delete them, end their sessions and grants; review accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Groups of people (the `groups` claim) and their members.
    #[command(subcommand)]
    Groups(GroupsCommand),
    /// Event webhooks: URLs told when people and clients change.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Show audit events (newest last), filtered by user, client, kind and time.
    Audit(AuditArgs),
    /// Manage the tokens of the admin HTTP API.
    #[command(subcommand)]
    AdminTokens(AdminTokensCommand),
    /// Who may sign in to the admin console in the browser.
    #[command(subcommand)]
    Admins(AdminsCommand),
    /// About the admin HTTP API.
    #[command(subcommand)]
    Admin(AdminCommand),
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
            Command::CheckConfig => check_config(&config),
            Command::Clients(c) => clients_cmd::run(&config, *c).await,
            Command::Users(u) => users_cmd::run(&config, u).await,
            Command::Groups(g) => groups_cmd::run(&config, g).await,
            Command::Webhooks(w) => webhooks_cmd::run(&config, w).await,
            Command::Keys(k) => admin_cmds::keys(&config, k).await,
            Command::Audit(a) => admin_cmds::audit(&config, a).await,
            Command::AdminTokens(t) => admin_cmds::admin_tokens(&config, t).await,
            Command::Admins(a) => admins_cmd::run(&config, a).await,
            Command::Admin(a) => admin_cmds::admin(a),
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
    // Colours only on a terminal: a log file or journald gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Writes to standard output; see [`out!`]. A closed pipe exits with status 0 (the reader
/// had what it wanted); any other write error exits with status 1 and says why.
pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("sesame: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

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

/// `sesame check-config`: the checks a start makes before it creates anything (the
/// configuration was validated when it was loaded), then the configuration without secrets.
fn check_config(config: &Config) -> CliResult {
    crate::delivery::Mailer::new(
        config.email.smtp_url.as_ref(),
        &config.email.from,
        &config.email.subject,
        std::time::Duration::from_secs(config.email.timeout_seconds.max(1)),
    )
    .map_err(|e| e.to_string())?;
    out_raw!("{}", config.redacted_toml());
    Ok(())
}

async fn open_store(config: &Config) -> Result<Store, Box<dyn std::error::Error>> {
    let store = Store::connect(&config.database).await?;
    store.migrate().await?;
    Ok(store)
}

async fn migrate(config: &Config) -> CliResult {
    let store = Store::connect(&config.database).await?;
    store.migrate().await?;
    out!("migrations applied ({})", store.backend());
    Ok(())
}

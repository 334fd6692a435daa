//! Persistence.
//!
//! One [`Store`] handle over either backend. Every query is written once, in SQL that both
//! SQLite and PostgreSQL accept (`$1`-style parameters, `ON CONFLICT`, `RETURNING`), and the
//! [`with_pool!`] macro compiles that body once per backend, so each backend gets its own
//! statically typed implementation without a second copy of the code and without
//! `sqlx::Any`. Where the dialects really differ (migration locking, `SKIP LOCKED`), a method
//! matches on the backend explicitly.
//!
//! Everything that must survive a restart or be seen by another replica lives here.

pub mod admin;
pub mod admin_tokens;
pub mod audit;
pub mod clients;
pub mod codes;
pub mod keys;
pub mod limits;
pub mod login;
pub mod review_accounts;
pub mod sessions;
pub mod user_sessions;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::config::DatabaseConfig;

/// A store error. Its text is for logs only; handlers map it to a generic 500/503.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("unsupported database URL `{0}` (use sqlite:// or postgres://)")]
    UnsupportedUrl(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// True when the error is a unique-constraint violation (a duplicate).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }

    /// True when the database could not be reached (the request may be retried later).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Db(
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::Io(_)
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
            )
        )
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The connection pool of the configured backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend is configured.
/// The body is compiled once per backend.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The store handle shared by every request.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: Db,
}

impl Store {
    /// Connects to the database named by the configuration (creating a SQLite file and its
    /// folder when needed). Does not migrate; call [`Store::migrate`].
    pub async fn connect(cfg: &DatabaseConfig) -> StoreResult<Store> {
        let url = cfg.url.as_str();
        let timeout = Duration::from_secs(cfg.acquire_timeout_seconds.max(1));
        if url.starts_with("sqlite:") {
            if let Some(path) = crate::config::sqlite_path(url) {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
            }
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(cfg.max_connections.max(1))
                .acquire_timeout(timeout)
                .connect_with(opts)
                .await?;
            Ok(Store {
                db: Db::Sqlite(pool),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(cfg.max_connections.max(1))
                .acquire_timeout(timeout)
                .connect_with(opts)
                .await?;
            Ok(Store {
                db: Db::Postgres(pool),
            })
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    /// Applies the embedded migrations of the backend. On PostgreSQL sqlx takes an advisory
    /// lock, so replicas starting together do not race; SQLite serialises writers itself.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// The backend's name, for logs and the readiness answer.
    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        with_pool!(&self.db, pool => pool.close().await)
    }

    /// Deletes rows that can never be used again (expired sign-ins, codes, sessions).
    pub async fn purge_expired(&self, now: i64) -> StoreResult<u64> {
        let mut n = 0;
        with_pool!(&self.db, pool => {
            n += sqlx::query("DELETE FROM login_transactions WHERE expires_at < $1")
                .bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM authorization_codes WHERE expires_at < $1")
                .bind(now - 3600).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM rate_counters WHERE expires_at < $1")
                .bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM user_sessions WHERE expires_at < $1")
                .bind(now - 30 * 86_400).execute(pool).await?.rows_affected();
        });
        Ok(n)
    }
}

/// A database URL with any password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Decodes a JSON column, reporting corrupt data as a store error.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

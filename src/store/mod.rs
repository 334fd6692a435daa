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
pub mod attributes;
pub mod audit;
pub mod client_claims;
pub mod clients;
pub mod codes;
pub mod consents;
pub mod console;
pub mod device;
pub mod groups;
pub mod identifier_changes;
pub mod keys;
pub mod limits;
pub mod login;
pub mod outbox;
pub mod pool;
pub mod profile;
pub mod review_accounts;
pub mod session_clients;
pub mod sessions;
mod sqlite_busy;
pub mod sso_sessions;
pub mod statement_log;
#[cfg(test)]
pub mod testing;
pub mod text_enum;
pub mod tokens;
pub mod users;
pub mod webhooks;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Postgres, Sqlite};

use crate::config::DatabaseConfig;
use crate::metrics::Metrics;

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
    /// The database could not be reached by a statement run on this request's behalf
    /// (a group commit, [`audit::AuditQueue`]); the text is that statement's error.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    /// True when the error is a unique-constraint violation (a duplicate).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }

    /// True when the database could not be reached (the request may be retried later):
    /// no connection in time, a connection lost or refused, the server shutting down or
    /// terminating our session, or (SQLite) the file locked by another writer for longer
    /// than the busy timeout.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Db(
                sqlx::Error::PoolTimedOut
                | sqlx::Error::Io(_)
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed
                | sqlx::Error::Tls(_),
            ) => true,
            StoreError::Db(sqlx::Error::Database(e)) => {
                if let Some(e) = e.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
                    let code = sqlx::error::DatabaseError::code(e);
                    let primary = code.and_then(|c| c.parse::<i64>().ok()).map(|c| c & 0xff);
                    return matches!(primary, Some(5 | 6));
                }
                let code = e.code().unwrap_or_default();
                // 08xxx connection exceptions; 57P01-57P03 admin/crash shutdown, cannot
                // connect now; 53300 too many connections; and two answers met only when
                // (re)connecting: 55000 "database is not currently accepting connections"
                // and 3D000 "database does not exist" (renamed or being restored).
                code.starts_with("08")
                    || matches!(
                        code.as_ref(),
                        "57P01" | "57P02" | "57P03" | "53300" | "55000" | "3D000"
                    )
            }
            _ => false,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The connection pool of the configured backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(pool::Pool<Sqlite>),
    Postgres(pool::Pool<Postgres>),
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

/// The embedded migrations. `ignore_missing`: a database already migrated by a newer
/// release (during a rolling upgrade) does not stop an older replica from starting;
/// migrations are written to be compatible with the release before them
/// (docs/deployment.md, "Upgrades").
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate::Migrator {
    ignore_missing: true,
    ..sqlx::migrate!("./migrations/sqlite")
};
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate::Migrator {
    ignore_missing: true,
    ..sqlx::migrate!("./migrations/postgres")
};

/// The store handle shared by every request.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: Db,
    /// This replica's metrics (the store is where rate-limit decisions are counted).
    pub metrics: Arc<Metrics>,
    /// Audit events waiting for their group commit.
    audit_queue: Arc<audit::AuditQueue>,
}

impl Store {
    /// The record of the statements this replica runs (off until started; tests prove
    /// equal work with it).
    pub fn statement_log(&self) -> &statement_log::StatementLog {
        with_pool!(&self.db, pool => pool.statement_log())
    }

    /// Connects to the database named by the configuration (creating a SQLite file and its
    /// folder when needed). Does not migrate; call [`Store::migrate`].
    pub async fn connect(cfg: &DatabaseConfig) -> StoreResult<Store> {
        let url = cfg.url.as_str();
        let timeout = Duration::from_secs(cfg.acquire_timeout_seconds.max(1));
        let metrics = Arc::new(Metrics::new());
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
                .busy_timeout(Duration::from_secs(5))
                // One page cache for all of this process's connections. With a cache each,
                // every commit made the other connections drop theirs and read their pages
                // back with a system call each (a tenth of the server's CPU in a sign-in);
                // shared, a writer waits for the tables it needs in SQLite's own queue
                // (sqlx's unlock-notify) instead of polling the busy handler. Measured in
                // docs/performance-profile.md ("Shared cache").
                .shared_cache(cfg.sqlite_shared_cache);
            let settings = pool::PoolSettings {
                // A connection to a local file cannot go stale while idle: no test.
                test_on_acquire: false,
                ..pool_settings(cfg, timeout)
            };
            let connect: pool::Connector<SqliteConnection> = Arc::new(move || {
                let opts = opts.clone();
                Box::pin(async move {
                    let mut conn = opts.connect().await?;
                    sqlite_busy::install(&mut conn).await?;
                    Ok(conn)
                })
            });
            // Switching a new file to WAL needs the write lock: a process starting while
            // another one creates or writes the file waits for it.
            let mut tries = 0u64;
            let pool = loop {
                match pool::Pool::open(settings.clone(), Arc::clone(&connect)).await {
                    Ok(pool) => break pool,
                    Err(e) => {
                        let e = StoreError::Db(e);
                        if tries >= 20 || !e.is_unavailable() {
                            return Err(e);
                        }
                        tries += 1;
                        tokio::time::sleep(Duration::from_millis(50 * tries)).await;
                    }
                }
            };
            Ok(Store {
                db: Db::Sqlite(pool),
                metrics,
                audit_queue: Arc::default(),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            // The pool tests each idle connection with a round trip before handing it out.
            // It costs a round trip per query (measured: refresh 20-29 % faster without
            // it), but after a database restart or failover it is what keeps dead
            // connections from reaching requests (scale_reliability: the first try after an
            // outage succeeds), so PostgreSQL keeps it.
            let settings = pool::PoolSettings {
                test_on_acquire: true,
                ..pool_settings(cfg, timeout)
            };
            let connect: pool::Connector<PgConnection> = Arc::new(move || {
                let opts = opts.clone();
                Box::pin(async move { opts.connect().await })
            });
            let pool = pool::Pool::open(settings, connect).await?;
            Ok(Store {
                db: Db::Postgres(pool),
                metrics,
                audit_queue: Arc::default(),
            })
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    /// Applies the embedded migrations of the backend.
    ///
    /// PostgreSQL: sqlx's migrator holds a session advisory lock (`pg_advisory_lock`, keyed
    /// by the database name) while it reads and applies migrations, so replicas starting
    /// together wait for each other and each migration runs once.
    ///
    /// SQLite: sqlx takes no lock there. Every migration runs in one transaction with its
    /// bookkeeping row, so two processes starting on one new file cannot both apply it: the
    /// second fails (table exists, or the file is busy) and is retried, and then finds the
    /// migration applied.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite(pool) => {
                let mut tries = 0u64;
                loop {
                    // `run_direct` is what sqlx's `run` does once it holds a connection.
                    let run = async {
                        let mut conn = pool.acquire().await?;
                        SQLITE_MIGRATIONS.run_direct(conn.raw()?).await
                    };
                    match run.await {
                        Ok(()) => break,
                        Err(
                            sqlx::migrate::MigrateError::ExecuteMigration(
                                sqlx::Error::Database(_),
                                _,
                            )
                            | sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(_)),
                        ) if tries < 10 => {
                            tries += 1;
                            tracing::info!(
                                try_ = tries,
                                "migration raced another process; retrying"
                            );
                            tokio::time::sleep(Duration::from_millis(50 * tries)).await;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                POSTGRES_MIGRATIONS.run_direct(conn.raw()?).await?
            }
        }
        Ok(())
    }

    /// Versions of the embedded migrations that this database has not applied (or applied
    /// with other content). Empty means the schema is current for this binary. Migrations
    /// applied by a newer release are not counted: see [`SQLITE_MIGRATIONS`].
    pub async fn pending_migrations(&self) -> StoreResult<Vec<i64>> {
        let migrator = match self.db {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        let applied: Vec<(i64, Vec<u8>)> = with_pool!(&self.db, pool => {
            match sqlx::query_as(
                "SELECT version, checksum FROM _sqlx_migrations WHERE success = TRUE",
            )
            .fetch_all(pool)
            .await
            {
                Ok(rows) => rows,
                // No bookkeeping table: nothing is applied.
                Err(sqlx::Error::Database(e)) if e.message().contains("_sqlx_migrations") => {
                    Vec::new()
                }
                Err(e) => return Err(e.into()),
            }
        });
        Ok(migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .filter(|m| {
                !applied
                    .iter()
                    .any(|(v, sum)| *v == m.version && sum.as_slice() == m.checksum.as_ref())
            })
            .map(|m| m.version)
            .collect())
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
            n += sqlx::query("DELETE FROM identifier_changes WHERE code_expires_at < $1")
                .bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM authorization_codes WHERE expires_at < $1")
                .bind(now - 3600).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM rate_counters WHERE expires_at < $1")
                .bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM outbox WHERE status <> 'pending' AND updated_at < $1")
                .bind(now - outbox::KEEP_FINISHED_SECONDS).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM user_sessions WHERE expires_at < $1")
                .bind(now - 30 * 86_400).execute(pool).await?.rows_affected();
        });
        n += self.purge_expired_tokens(now).await?;
        n += self.purge_expired_devices(now).await?;
        Ok(n)
    }
}

/// The pool settings of `[database]` common to both backends.
fn pool_settings(cfg: &DatabaseConfig, acquire_timeout: Duration) -> pool::PoolSettings {
    let secs = |s: u64| (s > 0).then(|| Duration::from_secs(s));
    pool::PoolSettings {
        max_connections: cfg.max_connections.max(1),
        min_connections: cfg.min_connections,
        acquire_timeout,
        idle_timeout: secs(cfg.idle_timeout_seconds),
        max_lifetime: secs(cfg.max_lifetime_seconds),
        test_on_acquire: false,
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

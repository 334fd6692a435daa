//! The connection pool.
//!
//! sqlx's own pool sends every connection it takes back a round trip to the database (a
//! "ping": on SQLite a hop to the connection's worker thread and back, on PostgreSQL a
//! network round trip), and cannot be told not to. A request's statements each take a
//! connection and give it back, so that was one extra round trip per statement; on
//! PostgreSQL, where the test before a connection is handed out is kept (below), it made
//! three round trips of every statement. This pool does what sqlx's does without it:
//!
//! - at most `max_connections` connections are in use; a request waits for one at most
//!   `acquire_timeout` (then [`sqlx::Error::PoolTimedOut`], answered 503);
//! - the most recently used idle connection is handed out first (its caches are warm);
//! - with `test_on_acquire` (PostgreSQL) an idle connection answers a ping before it is
//!   handed out, and one that does not is dropped and the next one tried, so connections
//!   killed by a database restart never reach a request;
//! - a connection whose statement failed with anything but an answer from the database
//!   (I/O, TLS, protocol, a crashed SQLite worker) is not given back (inside a transaction,
//!   which runs on the connection itself, it is; on PostgreSQL the test before the next use
//!   catches it);
//! - idle connections above `min_connections` are closed after `idle_timeout`, and every
//!   connection after `max_lifetime`, by a background task.
//!
//! Giving a connection back without a round trip is safe because both drivers finish what
//! was left pending before they run the next statement: a SQLite connection runs its
//! commands in order on its worker thread (a statement or a transaction's rollback queued by
//! a request that went away runs before the next one), and a PostgreSQL connection waits
//! for the answers it has not read yet before it sends anything else (and is pinged first).

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::{stream, StreamExt, TryStreamExt};
use sqlx::{Connection, Database, Describe, Either, Error, Execute, Executor};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::statement_log::StatementLog;

/// Opens one new connection.
pub type Connector<C> = Arc<dyn Fn() -> BoxFuture<'static, Result<C, Error>> + Send + Sync>;

/// How the pool behaves (from `[database]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout: Duration,
    pub idle_timeout: Option<Duration>,
    pub max_lifetime: Option<Duration>,
    /// Ping an idle connection before handing it out.
    pub test_on_acquire: bool,
}

/// A pool of connections to one database.
pub struct Pool<DB: Database> {
    inner: Arc<Inner<DB>>,
}

impl<DB: Database> Clone for Pool<DB> {
    fn clone(&self) -> Self {
        Pool {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<DB: Database> fmt::Debug for Pool<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("size", &self.size())
            .field("idle", &self.num_idle())
            .field("settings", &self.inner.settings)
            .finish()
    }
}

struct Inner<DB: Database> {
    settings: PoolSettings,
    connect: Connector<DB::Connection>,
    /// Idle connections, the most recently returned last.
    idle: Mutex<Vec<Idle<DB::Connection>>>,
    /// One permit per connection in use.
    permits: Arc<Semaphore>,
    /// Open connections, idle or in use (each holds a [`Slot`]).
    size: AtomicU32,
    closed: AtomicBool,
    /// The statements run through this pool, when recording is on.
    log: Arc<StatementLog>,
}

/// Counts one open connection for as long as it lives.
struct Slot<DB: Database>(Weak<Inner<DB>>);

impl<DB: Database> Slot<DB> {
    fn new(inner: &Arc<Inner<DB>>) -> Self {
        inner.size.fetch_add(1, Ordering::AcqRel);
        Slot(Arc::downgrade(inner))
    }
}

impl<DB: Database> Drop for Slot<DB> {
    fn drop(&mut self) {
        if let Some(inner) = self.0.upgrade() {
            inner.size.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

struct Idle<C> {
    conn: C,
    created: Instant,
    since: Instant,
}

/// A connection taken from the pool; it goes back when dropped.
pub struct PooledConnection<DB: Database> {
    conn: Option<DB::Connection>,
    slot: Option<Slot<DB>>,
    created: Instant,
    inner: Arc<Inner<DB>>,
    broken: bool,
    _permit: OwnedSemaphorePermit,
}

impl<DB: Database> PooledConnection<DB> {
    /// The connection itself (for transactions and migrations).
    pub fn raw(&mut self) -> Result<&mut DB::Connection, Error> {
        // Present from creation until the value is dropped.
        self.conn.as_mut().ok_or(Error::PoolClosed)
    }

    /// Notes a statement run on [`Self::raw`] (a transaction's) in the pool's statement
    /// log, and hands it back to be run.
    pub fn record<'q>(&self, sql: &'q str) -> &'q str {
        self.inner.log.note(sql);
        sql
    }

    /// Records the outcome of a statement: a connection that failed for any reason but an
    /// answer from the database is not given back to the pool.
    fn note<T>(&mut self, result: &Result<T, Error>) {
        if let Err(e) = result {
            if !leaves_connection_usable(e) {
                self.broken = true;
            }
        }
    }
}

impl<DB: Database> Drop for PooledConnection<DB> {
    fn drop(&mut self) {
        let (Some(conn), Some(slot)) = (self.conn.take(), self.slot.take()) else {
            return;
        };
        let inner = &self.inner;
        if self.broken || inner.closed.load(Ordering::Acquire) || inner.expired(self.created) {
            close_in_background::<DB>(conn, slot);
            return;
        }
        if let Ok(mut idle) = inner.idle.lock() {
            idle.push(Idle {
                conn,
                created: self.created,
                since: Instant::now(),
            });
            // The slot stays counted: the connection is still open.
            std::mem::forget(slot);
        }
    }
}

/// Errors after which the connection is known to be in a usable state: the database
/// answered (a constraint, a syntax error) or the answer did not fit our types.
fn leaves_connection_usable(e: &Error) -> bool {
    matches!(
        e,
        Error::Database(_)
            | Error::RowNotFound
            | Error::TypeNotFound { .. }
            | Error::ColumnIndexOutOfBounds { .. }
            | Error::ColumnNotFound(_)
            | Error::ColumnDecode { .. }
            | Error::Decode(_)
            | Error::Encode(_)
            | Error::InvalidArgument(_)
    )
}

/// Closes a connection politely when a runtime is there to do it, else drops it.
fn close_in_background<DB: Database>(conn: DB::Connection, slot: Slot<DB>) {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(async move {
                let _ = conn.close().await;
                drop(slot);
            });
        }
        Err(_) => {
            drop(conn);
            drop(slot);
        }
    }
}

impl<DB: Database> Inner<DB> {
    fn expired(&self, created: Instant) -> bool {
        self.settings
            .max_lifetime
            .is_some_and(|max| created.elapsed() >= max)
    }

    fn idle_too_long(&self, since: Instant) -> bool {
        self.settings
            .idle_timeout
            .is_some_and(|max| since.elapsed() >= max)
    }
}

impl<DB: Database> Pool<DB> {
    /// A pool that opens connections with `connect`. One connection is opened now (so a
    /// database that cannot be reached is reported at start) and kept idle.
    pub async fn open(
        settings: PoolSettings,
        connect: Connector<DB::Connection>,
    ) -> Result<Self, Error> {
        let max = settings.max_connections.max(1);
        let inner = Arc::new(Inner {
            settings: PoolSettings {
                max_connections: max,
                min_connections: settings.min_connections.min(max),
                ..settings
            },
            connect,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(max as usize)),
            size: AtomicU32::new(0),
            closed: AtomicBool::new(false),
            log: Arc::default(),
        });
        let pool = Pool { inner };
        drop(pool.acquire().await?);
        if pool.inner.settings.idle_timeout.is_some()
            || pool.inner.settings.max_lifetime.is_some()
            || pool.inner.settings.min_connections > 0
        {
            tokio::spawn(maintain(Arc::downgrade(&pool.inner)));
        }
        Ok(pool)
    }

    /// The record of the statements run through this pool (off until started).
    pub fn statement_log(&self) -> &StatementLog {
        &self.inner.log
    }

    pub fn settings(&self) -> &PoolSettings {
        &self.inner.settings
    }

    /// Open connections, idle or in use.
    pub fn size(&self) -> u32 {
        self.inner.size.load(Ordering::Acquire)
    }

    /// Idle connections.
    pub fn num_idle(&self) -> usize {
        self.inner.idle.lock().map(|i| i.len()).unwrap_or(0)
    }

    /// A connection, waiting at most the acquire timeout for one to be free.
    pub async fn acquire(&self) -> Result<PooledConnection<DB>, Error> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Error::PoolClosed);
        }
        match tokio::time::timeout(self.inner.settings.acquire_timeout, self.acquire_now()).await {
            Ok(result) => result,
            Err(_) => Err(Error::PoolTimedOut),
        }
    }

    async fn acquire_now(&self) -> Result<PooledConnection<DB>, Error> {
        let inner = &self.inner;
        let permit = Arc::clone(&inner.permits)
            .acquire_owned()
            .await
            .map_err(|_| Error::PoolClosed)?;
        loop {
            let popped = inner.idle.lock().ok().and_then(|mut idle| idle.pop());
            let (mut conn, slot, created, tested) = match popped {
                Some(i) => (i.conn, Slot(Arc::downgrade(inner)), i.created, false),
                None => {
                    let slot = Slot::new(inner);
                    let conn = (inner.connect)().await?;
                    (conn, slot, Instant::now(), true)
                }
            };
            if inner.expired(created) {
                close_in_background::<DB>(conn, slot);
                continue;
            }
            if inner.settings.test_on_acquire && !tested {
                if let Err(error) = conn.ping().await {
                    tracing::info!(%error, "a pooled connection failed its test; opening another");
                    drop(conn);
                    drop(slot);
                    continue;
                }
            }
            return Ok(PooledConnection {
                conn: Some(conn),
                slot: Some(slot),
                created,
                inner: Arc::clone(inner),
                broken: false,
                _permit: permit,
            });
        }
    }

    /// Stops handing out connections and closes the idle ones; connections in use are
    /// closed when they come back.
    pub async fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.permits.close();
        let idle: Vec<_> = self
            .inner
            .idle
            .lock()
            .map(|mut i| std::mem::take(&mut *i))
            .unwrap_or_default();
        for i in idle {
            let slot = Slot(Arc::downgrade(&self.inner));
            let _ = i.conn.close().await;
            drop(slot);
        }
    }
}

/// Closes idle connections past their idle timeout (above `min_connections`) or their
/// lifetime, and opens connections up to `min_connections`. Ends with the pool.
async fn maintain<DB: Database>(weak: Weak<Inner<DB>>) {
    let period = {
        let Some(inner) = weak.upgrade() else { return };
        let s = &inner.settings;
        [s.idle_timeout, s.max_lifetime]
            .into_iter()
            .flatten()
            .min()
            .map_or(Duration::from_secs(30), |d| d / 2)
            .clamp(Duration::from_millis(100), Duration::from_secs(30))
    };
    loop {
        tokio::time::sleep(period).await;
        let Some(inner) = weak.upgrade() else { return };
        if inner.closed.load(Ordering::Acquire) {
            return;
        }
        let min = inner.settings.min_connections as usize;
        let expired: Vec<_> = match inner.idle.lock() {
            Ok(mut idle) => {
                let size = inner.size.load(Ordering::Acquire) as usize;
                let mut removable = size.saturating_sub(min);
                let mut keep = Vec::with_capacity(idle.len());
                let mut out = Vec::new();
                for i in idle.drain(..) {
                    let too_old = inner.expired(i.created);
                    if too_old || (removable > 0 && inner.idle_too_long(i.since)) {
                        removable = removable.saturating_sub(1);
                        out.push(i);
                    } else {
                        keep.push(i);
                    }
                }
                *idle = keep;
                out
            }
            Err(_) => Vec::new(),
        };
        for i in expired {
            close_in_background::<DB>(i.conn, Slot(Arc::downgrade(&inner)));
        }
        while (inner.size.load(Ordering::Acquire) as usize) < min {
            let Ok(permit) = Arc::clone(&inner.permits).try_acquire_owned() else {
                break;
            };
            let slot = Slot::new(&inner);
            match (inner.connect)().await {
                Ok(conn) => {
                    let Ok(mut idle) = inner.idle.lock() else {
                        break;
                    };
                    idle.insert(
                        0,
                        Idle {
                            conn,
                            created: Instant::now(),
                            since: Instant::now(),
                        },
                    );
                    std::mem::forget(slot);
                }
                Err(error) => {
                    tracing::info!(%error, "could not open a connection to keep the pool's minimum");
                    drop(slot);
                    drop(permit);
                    break;
                }
            }
            drop(permit);
        }
    }
}

impl<'p, DB: Database> Executor<'p> for &'_ Pool<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    type Database = DB;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<DB::QueryResult, DB::Row>, Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, DB>,
    {
        let pool = self.clone();
        pool.inner.log.note(query.sql());
        // The rows are collected before they are handed on: the connection goes back to
        // the pool as soon as the statement is done. (Nothing here streams large results.)
        stream::once(async move {
            let mut conn = pool.acquire().await?;
            let rows: Result<Vec<_>, Error> = match conn.raw() {
                Ok(c) => c.fetch_many(query).try_collect().await,
                Err(e) => Err(e),
            };
            conn.note(&rows);
            rows
        })
        .map_ok(|rows| stream::iter(rows.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<DB::Row>, Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, DB>,
    {
        let pool = self.clone();
        pool.inner.log.note(query.sql());
        Box::pin(async move {
            let mut conn = pool.acquire().await?;
            let row = match conn.raw() {
                Ok(c) => c.fetch_optional(query).await,
                Err(e) => Err(e),
            };
            conn.note(&row);
            row
        })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [DB::TypeInfo],
    ) -> BoxFuture<'e, Result<DB::Statement<'q>, Error>>
    where
        'p: 'e,
    {
        let pool = self.clone();
        Box::pin(async move {
            let mut conn = pool.acquire().await?;
            let statement = match conn.raw() {
                Ok(c) => c.prepare_with(sql, parameters).await,
                Err(e) => Err(e),
            };
            conn.note(&statement);
            statement
        })
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<DB>, Error>>
    where
        'p: 'e,
    {
        let pool = self.clone();
        Box::pin(async move {
            let mut conn = pool.acquire().await?;
            let described = match conn.raw() {
                Ok(c) => c.describe(sql).await,
                Err(e) => Err(e),
            };
            conn.note(&described);
            described
        })
    }
}

//! Start-up on a shared database: migrations applied once, under a lock, by replicas that
//! start together; pool settings taken from the configuration.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use sesame::clock::ShiftedClock;

use crate::scale::support::*;
use crate::support::smtp::SmtpSink;
use crate::support::*;

/// The number of migrations this binary embeds (one file per version per backend).
fn embedded_migrations() -> usize {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count()
}

async fn applied_versions(app: &TestApp) -> Vec<(i64, i64)> {
    sesame::with_pool!(&app.state.store.db, pool => {
        sqlx::query_as(
            "SELECT version, COUNT(*) FROM _sqlx_migrations WHERE success = TRUE \
             GROUP BY version ORDER BY version",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    })
}

#[tokio::test]
async fn replicas_starting_together_on_a_fresh_database_migrate_it_once() {
    let db = Arc::new(TestDb::new().await);
    let smtp = SmtpSink::start().await;
    let start = || TestApp::spawn_on(db.clone(), smtp.clone(), ShiftedClock::new(), |_| {});
    let (a, b, c) = tokio::join!(start(), start(), start());
    let versions = applied_versions(&a).await;
    assert_eq!(versions.len(), embedded_migrations(), "{versions:?}");
    assert!(versions.iter().all(|(_, n)| *n == 1), "{versions:?}");
    for app in [&a, &b, &c] {
        assert!(app
            .state
            .store
            .pending_migrations()
            .await
            .unwrap()
            .is_empty());
        let res = reqwest::get(app.url("/readyz")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}

/// sqlx's advisory-lock key for a database name (sqlx-postgres `generate_lock_id`):
/// `0x3d32ad9e * CRC-32/ISO-HDLC(name)`.
fn sqlx_lock_id(database: &str) -> i64 {
    0x3d32ad9e * (crc32(database.as_bytes()) as i64)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc: u32 = 0xffff_ffff;
    for b in bytes {
        crc ^= *b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn a_starting_replica_waits_for_the_migration_lock_held_by_another() {
    let db = Arc::new(TestDb::new().await);
    let smtp = SmtpSink::start().await;
    if !on_postgres() {
        sqlite_note(
            "a_starting_replica_waits_for_the_migration_lock_held_by_another",
            "a replica starting while another connection holds the file's write lock waits \
             for it and then starts",
        );
        use sqlx::Connection;
        let mut holder = sqlx::SqliteConnection::connect(&format!("{}?mode=rwc", db.url))
            .await
            .unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .unwrap();
        let starting = tokio::spawn({
            let (db, smtp) = (db.clone(), smtp.clone());
            async move { TestApp::spawn_on(db, smtp, ShiftedClock::new(), |_| {}).await }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
        let app = starting.await.unwrap();
        assert!(app
            .state
            .store
            .pending_migrations()
            .await
            .unwrap()
            .is_empty());
        return;
    }
    use sqlx::Connection;
    let name = pg_db_name(&db.url);
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926, "the CRC-32 check value");
    let key = sqlx_lock_id(&name);
    // Another "replica" holds the migration lock of this database.
    let mut holder = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(key)
        .execute(&mut holder)
        .await
        .unwrap();
    let starting = tokio::spawn({
        let (db, smtp) = (db.clone(), smtp.clone());
        async move { TestApp::spawn_on(db, smtp, ShiftedClock::new(), |_| {}).await }
    });
    // The new replica's migrator is seen waiting on exactly that lock.
    wait_for(
        "the migrator to wait on the advisory lock",
        Duration::from_secs(20),
        || {
            let url = db.url.clone();
            async move {
                let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
                 AND ((classid::bigint << 32) | objid::bigint) = $1",
                )
                .bind(key)
                .fetch_one(&mut c)
                .await
                .unwrap();
                (waiting == 1).then_some(())
            }
        },
    )
    .await;
    assert!(
        !starting.is_finished(),
        "the replica must not start while the lock is held"
    );
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'outbox'",
    )
    .fetch_one(&mut holder)
    .await
    .unwrap();
    assert_eq!(tables, 0, "nothing was migrated while waiting");
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(key)
        .execute(&mut holder)
        .await
        .unwrap();
    let app = starting.await.unwrap();
    assert!(app
        .state
        .store
        .pending_migrations()
        .await
        .unwrap()
        .is_empty());
    assert_eq!(applied_versions(&app).await.len(), embedded_migrations());
}

#[tokio::test]
async fn pool_size_and_timeouts_come_from_the_configuration() {
    let app = TestApp::spawn_with(|c| {
        c.database.max_connections = 7;
        c.database.min_connections = 1;
        c.database.acquire_timeout_seconds = 3;
        c.database.idle_timeout_seconds = 120;
        c.database.max_lifetime_seconds = 0;
    })
    .await;
    sesame::with_pool!(&app.state.store.db, pool => {
        let o = pool.settings();
        assert_eq!(o.max_connections, 7);
        assert_eq!(o.min_connections, 1);
        assert_eq!(o.acquire_timeout, Duration::from_secs(3));
        assert_eq!(o.idle_timeout, Some(Duration::from_secs(120)));
        assert_eq!(o.max_lifetime, None, "0 means connections are not recycled");
    });
}

/// With SQLite's shared cache (the default) this process's connections share one page
/// cache, and the sign of it is SQLite's table locking: a reader of a table another
/// connection is writing waits for that write to commit, then sees it. With a cache per
/// connection (and on PostgreSQL, which ignores the setting) the reader answers at once
/// from the last committed state.
#[tokio::test]
async fn sqlite_connections_share_one_page_cache_unless_configured_otherwise() {
    for shared in [true, false] {
        let app = TestApp::spawn_with(|c| c.database.sqlite_shared_cache = shared).await;
        let waits = shared && backend() == Backend::Sqlite;
        sesame::with_pool!(&app.state.store.db, pool => {
            let mut conn = pool.acquire().await.unwrap();
            let mut writer = sqlx::Connection::begin(conn.raw().unwrap()).await.unwrap();
            sqlx::query(
                "INSERT INTO rate_counters (key, window_start, count, expires_at) \
                 VALUES ('cache-test', 0, 1, 4102444800)",
            )
            .execute(&mut *writer)
            .await
            .unwrap();
            let reader = {
                let pool = pool.clone();
                tokio::spawn(async move {
                    sqlx::query_scalar::<_, i64>(
                        "SELECT COUNT(*) FROM rate_counters WHERE key = 'cache-test'",
                    )
                    .fetch_one(&pool)
                    .await
                    .unwrap()
                })
            };
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert_eq!(
                reader.is_finished(),
                !waits,
                "shared cache {shared}: the reader waits for the writer only when shared"
            );
            writer.commit().await.unwrap();
            let seen = tokio::time::timeout(Duration::from_secs(5), reader)
                .await
                .expect("the reader finishes once the write is committed")
                .unwrap();
            assert_eq!(seen, i64::from(waits), "shared cache {shared}");
        });
        app.stop().await;
    }
}

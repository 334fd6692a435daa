//! The store's connection pool (`store/pool.rs`): connections are reused, bounded, waited
//! for at most the acquire timeout, replaced when broken, and closed when idle too long.

use std::time::{Duration, Instant};

use sesame::config::DatabaseConfig;
use sesame::store::Store;

use crate::support::*;

async fn store_with(db: &TestDb, adjust: impl FnOnce(&mut DatabaseConfig)) -> Store {
    let mut cfg = DatabaseConfig {
        url: db.url.clone(),
        ..DatabaseConfig::default()
    };
    adjust(&mut cfg);
    let store = Store::connect(&cfg).await.unwrap();
    store.migrate().await.unwrap();
    store
}

fn size_and_idle(store: &Store) -> (u32, usize) {
    sesame::with_pool!(&store.db, pool => (pool.size(), pool.num_idle()))
}

#[tokio::test]
async fn connections_given_back_are_reused_rather_than_opened_again() {
    let db = TestDb::new().await;
    let store = store_with(&db, |c| c.max_connections = 5).await;
    for _ in 0..50 {
        store.ping().await.unwrap();
    }
    assert_eq!(
        size_and_idle(&store),
        (1, 1),
        "fifty statements one after the other use one connection"
    );
}

#[tokio::test]
async fn a_request_waits_at_most_the_acquire_timeout_when_every_connection_is_busy() {
    let db = TestDb::new().await;
    let store = store_with(&db, |c| {
        c.max_connections = 2;
        c.acquire_timeout_seconds = 1;
    })
    .await;
    sesame::with_pool!(&store.db, pool => {
        let first = pool.acquire().await.unwrap();
        let _second = pool.acquire().await.unwrap();
        assert_eq!(pool.size(), 2);
        let started = Instant::now();
        let err = store.ping().await.unwrap_err();
        assert!(err.is_unavailable(), "{err}");
        assert!(started.elapsed() >= Duration::from_millis(900));
        assert_eq!(pool.size(), 2, "no connection beyond the maximum was opened");
        drop(first);
        store.ping().await.unwrap();
    });
}

#[tokio::test]
async fn idle_connections_above_the_minimum_are_closed_after_the_idle_timeout() {
    let db = TestDb::new().await;
    let store = store_with(&db, |c| {
        c.max_connections = 4;
        c.min_connections = 1;
        c.idle_timeout_seconds = 1;
    })
    .await;
    sesame::with_pool!(&store.db, pool => {
        let held = [
            pool.acquire().await.unwrap(),
            pool.acquire().await.unwrap(),
            pool.acquire().await.unwrap(),
        ];
        assert_eq!(pool.size(), 3);
        drop(held);
        assert_eq!(pool.num_idle(), 3);
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while size_and_idle(&store) != (1, 1) {
        assert!(
            Instant::now() < deadline,
            "idle connections were not closed: {:?}",
            size_and_idle(&store)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    store.ping().await.unwrap();
}

#[tokio::test]
async fn a_closed_store_refuses_work_as_unavailable() {
    let db = TestDb::new().await;
    let store = store_with(&db, |_| {}).await;
    store.ping().await.unwrap();
    store.close().await;
    let err = store.ping().await.unwrap_err();
    assert!(err.is_unavailable(), "{err}");
    assert_eq!(size_and_idle(&store), (0, 0));
}

#[tokio::test]
async fn connections_are_replaced_after_their_lifetime() {
    let db = TestDb::new().await;
    let store = store_with(&db, |c| {
        c.max_lifetime_seconds = 1;
        c.idle_timeout_seconds = 0;
    })
    .await;
    store.ping().await.unwrap();
    assert_eq!(size_and_idle(&store), (1, 1));
    let deadline = Instant::now() + Duration::from_secs(10);
    while size_and_idle(&store) != (0, 0) {
        assert!(
            Instant::now() < deadline,
            "a connection past its lifetime was kept: {:?}",
            size_and_idle(&store)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    store.ping().await.unwrap();
    assert_eq!(size_and_idle(&store), (1, 1), "a new connection was opened");
}

#[tokio::test]
async fn the_pool_opens_connections_up_to_its_minimum() {
    let db = TestDb::new().await;
    let store = store_with(&db, |c| {
        c.min_connections = 3;
        c.idle_timeout_seconds = 1;
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while size_and_idle(&store) != (3, 3) {
        assert!(
            Instant::now() < deadline,
            "the minimum was not opened: {:?}",
            size_and_idle(&store)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

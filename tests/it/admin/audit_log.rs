//! The audit trail's group commit: concurrent events are written together, and each
//! request still learns whether its own event was stored.

use sesame::store::audit::NewAuditEvent;
use sesame::store::StoreResult;
use tokio::task::JoinHandle;

use crate::support::*;

/// Starts `n` concurrent requests that each write one event of `kind` numbered `n` in its
/// detail (`kind_of` may give some of them another kind).
fn spawn_events(
    app: &TestApp,
    n: i64,
    kind_of: fn(i64) -> &'static str,
) -> Vec<JoinHandle<StoreResult<()>>> {
    let now = app.state.now();
    (0..n)
        .map(|i| {
            let store = app.state.store.clone();
            tokio::spawn(async move {
                let event = NewAuditEvent {
                    kind: kind_of(i),
                    user_id: Some("u"),
                    detail: serde_json::json!({ "n": i }),
                    ..NewAuditEvent::default()
                };
                store.audit(now, event).await
            })
        })
        .collect()
}

/// The numbers of the stored events of `kind`, sorted.
async fn stored(app: &TestApp, kind: &str) -> Vec<i64> {
    let mut seen: Vec<i64> = app
        .state
        .store
        .audit_events(0, Some(kind), 10_000)
        .await
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e.user_id.as_deref(), Some("u"));
            let d: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
            d["n"].as_i64().unwrap()
        })
        .collect();
    seen.sort_unstable();
    seen
}

#[tokio::test]
async fn concurrent_audit_events_are_all_stored_once_each() {
    let app = TestApp::spawn().await;
    for t in spawn_events(&app, 200, |_| "group_commit_test") {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        stored(&app, "group_commit_test").await,
        (0..200).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn an_event_the_database_refuses_does_not_cost_the_others_theirs() {
    let app = TestApp::spawn().await;
    // PostgreSQL refuses a NUL character in text; SQLite stores it.
    let tasks = spawn_events(&app, 60, |i| {
        if i % 10 == 0 {
            "bad\u{0}kind"
        } else {
            "refusal_test"
        }
    });
    for (i, t) in tasks.into_iter().enumerate() {
        let r = t.await.unwrap();
        match backend() {
            Backend::Postgres if i % 10 == 0 => assert!(r.is_err(), "event {i} was refused"),
            _ => assert!(r.is_ok(), "event {i}: {r:?}"),
        }
    }
    assert_eq!(stored(&app, "refusal_test").await.len(), 54);
}

#[tokio::test]
async fn requests_that_go_away_mid_write_cost_no_one_an_event_and_duplicate_none() {
    let app = TestApp::spawn().await;
    let tasks = spawn_events(&app, 150, |_| "cancel_test");
    // Every third request goes away while the others are queued or being written.
    tokio::task::yield_now().await;
    for (i, t) in tasks.iter().enumerate() {
        if i % 3 == 0 {
            t.abort();
        }
    }
    let mut kept = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await {
            Ok(r) => {
                r.unwrap();
                kept.push(i as i64);
            }
            Err(e) => assert!(e.is_cancelled()),
        }
    }
    let seen = stored(&app, "cancel_test").await;
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen, unique, "no event is written twice");
    for n in kept {
        assert!(seen.binary_search(&n).is_ok(), "event {n} was stored");
    }
}

//! The audit trail's group commit: concurrent events are written together, and each
//! request still learns whether its own event was stored.

use sesame::store::audit::NewAuditEvent;

use crate::support::*;

#[tokio::test]
async fn concurrent_audit_events_are_all_stored_once_each() {
    let app = TestApp::spawn().await;
    let now = app.state.now();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let store = app.state.store.clone();
        tasks.push(tokio::spawn(async move {
            let detail = serde_json::json!({ "n": i });
            store
                .audit(
                    now,
                    NewAuditEvent {
                        kind: "group_commit_test",
                        user_id: Some("u"),
                        detail,
                        ..NewAuditEvent::default()
                    },
                )
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let events = app
        .state
        .store
        .audit_events(0, Some("group_commit_test"), 10_000)
        .await
        .unwrap();
    let mut seen: Vec<i64> = events
        .iter()
        .map(|e| {
            let d: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
            d["n"].as_i64().unwrap()
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..200).collect::<Vec<_>>());
    assert!(events.iter().all(|e| e.user_id.as_deref() == Some("u")));
}

#[tokio::test]
async fn an_event_the_database_refuses_does_not_cost_the_others_theirs() {
    let app = TestApp::spawn().await;
    let now = app.state.now();
    let mut tasks = Vec::new();
    for i in 0..60 {
        let store = app.state.store.clone();
        tasks.push(tokio::spawn(async move {
            // PostgreSQL refuses a NUL character in text; SQLite stores it.
            let kind = if i % 10 == 0 {
                "bad\u{0}kind"
            } else {
                "refusal_test"
            };
            let r = store
                .audit(
                    now,
                    NewAuditEvent {
                        kind,
                        ..NewAuditEvent::default()
                    },
                )
                .await;
            (i, r)
        }));
    }
    for t in tasks {
        let (i, r) = t.await.unwrap();
        match backend() {
            Backend::Postgres if i % 10 == 0 => assert!(r.is_err(), "event {i} was refused"),
            _ => assert!(r.is_ok(), "event {i}: {r:?}"),
        }
    }
    assert_eq!(app.audit_count("refusal_test").await, 54);
}

#[tokio::test]
async fn requests_that_go_away_mid_write_cost_no_one_an_event_and_duplicate_none() {
    let app = TestApp::spawn().await;
    let now = app.state.now();
    let mut tasks = Vec::new();
    for i in 0..150 {
        let store = app.state.store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .audit(
                    now,
                    NewAuditEvent {
                        kind: "cancel_test",
                        detail: serde_json::json!({ "n": i }),
                        ..NewAuditEvent::default()
                    },
                )
                .await
        }));
    }
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
    let mut seen: Vec<i64> = app
        .state
        .store
        .audit_events(0, Some("cancel_test"), 10_000)
        .await
        .unwrap()
        .iter()
        .map(|e| {
            let d: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
            d["n"].as_i64().unwrap()
        })
        .collect();
    seen.sort_unstable();
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen, unique, "no event is written twice");
    for n in kept {
        assert!(seen.binary_search(&n).is_ok(), "event {n} was stored");
    }
}

//! The shared rate limiter, against the real database.

use sesame::limits::{self, Decision, Rule};

use crate::support::*;

#[tokio::test]
async fn limiter_denies_past_max_and_counts_atomically_under_concurrency() {
    let app = TestApp::spawn().await;
    let store = app.state.store.clone();
    let now = app.state.now();
    let rules = [Rule::new("test_rule", 5, 3600)];
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            limits::hit(&store, now, "k", &rules).await.unwrap()
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        if t.await.unwrap().is_allowed() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 5, "exactly max events are allowed");
    assert!(matches!(
        limits::peek(&store, now, "k", &rules).await.unwrap(),
        Decision::Denied {
            rule: "test_rule",
            ..
        }
    ));
    assert!(limits::peek(&store, now, "other", &rules)
        .await
        .unwrap()
        .is_allowed());
    // A new window starts afresh.
    assert!(limits::hit(&store, now + 3600, "k", &rules)
        .await
        .unwrap()
        .is_allowed());
}

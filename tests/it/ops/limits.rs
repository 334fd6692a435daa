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

#[tokio::test]
async fn several_keys_are_counted_in_one_call_and_refunded_to_zero_at_most() {
    let app = TestApp::spawn().await;
    let store = &app.state.store;
    let now = app.state.now();
    let hour = [Rule::new("a_hour", 2, 3600), Rule::new("a_day", 3, 86_400)];
    let other = [Rule::new("b_hour", 1, 3600)];
    let groups: [(&str, &[Rule]); 2] = [("id", &hour), ("ip", &other)];
    let first = limits::hit_all(store, now, &groups).await.unwrap();
    assert_eq!(first, vec![Decision::Allowed, Decision::Allowed]);
    let second = limits::hit_all(store, now, &groups).await.unwrap();
    assert_eq!(second[0], Decision::Allowed);
    assert!(matches!(second[1], Decision::Denied { rule: "b_hour", .. }));
    // Each counter moved once per call.
    assert_eq!(limits::count(store, now, "id", &hour[0]).await.unwrap(), 2);
    assert_eq!(limits::count(store, now, "id", &hour[1]).await.unwrap(), 2);
    assert_eq!(limits::count(store, now, "ip", &other[0]).await.unwrap(), 2);
    for _ in 0..3 {
        limits::refund_all(store, now, &groups).await.unwrap();
    }
    for (key, rule) in [("id", hour[0]), ("id", hour[1]), ("ip", other[0])] {
        assert_eq!(limits::count(store, now, key, &rule).await.unwrap(), 0);
    }
    // A rule that is off is neither counted nor refused.
    let off = [Rule::new("off", 0, 3600)];
    assert!(limits::hit(store, now, "id", &off)
        .await
        .unwrap()
        .is_allowed());
    assert_eq!(limits::count(store, now, "id", &off[0]).await.unwrap(), 0);
}

#[tokio::test]
async fn the_same_rule_twice_in_one_call_counts_its_counter_once() {
    let app = TestApp::spawn().await;
    let store = &app.state.store;
    let now = app.state.now();
    let rule = Rule::new("twice", 1, 3600);
    let groups: [(&str, &[Rule]); 2] = [("k", &[rule]), ("k", &[rule])];
    assert_eq!(
        limits::hit_all(store, now, &groups).await.unwrap(),
        vec![Decision::Allowed, Decision::Allowed]
    );
    assert_eq!(limits::count(store, now, "k", &rule).await.unwrap(), 1);
}

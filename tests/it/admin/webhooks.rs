//! Event webhooks: an admin subscribes a URL to events about people and clients; a real
//! receiver here checks each delivery's signature (HMAC-SHA256 over `t.` + body with the
//! secret shown once), and that every event arrives once: across a receiver that is down,
//! a restart of the server, and two replicas racing for the same events.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxStatus};
use axum::Router;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::net::TcpListener;

use super::common::AdminApi;
use crate::scale::support::second_replica;
use crate::support::*;

/// One POST the receiver got, and whether it answered 200.
#[derive(Debug, Clone)]
struct Hit {
    signature: String,
    event_header: String,
    id_header: String,
    body: String,
    accepted: bool,
}

#[derive(Clone, Default)]
struct Shared {
    hits: Arc<Mutex<Vec<Hit>>>,
    down: Arc<AtomicBool>,
}

/// A receiver on 127.0.0.1 that records every request; answers 503 while `down`.
struct Receiver {
    url: String,
    shared: Shared,
}

impl Receiver {
    async fn start() -> Receiver {
        let shared = Shared::default();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = Router::new()
            .route("/hooks", axum::routing::post(receive))
            .with_state(shared.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            shared,
        }
    }

    fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    fn accepted(&self) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.accepted).collect()
    }

    /// Waits until `n` deliveries were accepted; returns them.
    async fn wait_accepted(&self, n: usize) -> Vec<Hit> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.accepted();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} of {n} deliveries arrived: {:#?}",
                got.len(),
                self.hits()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn receive(State(s): State<Shared>, headers: HeaderMap, body: String) -> AxStatus {
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let accepted = !s.down.load(Ordering::SeqCst);
    s.hits.lock().unwrap().push(Hit {
        signature: h("x-sesame-signature"),
        event_header: h("x-sesame-event"),
        id_header: h("x-sesame-event-id"),
        body,
        accepted,
    });
    if accepted {
        AxStatus::OK
    } else {
        AxStatus::SERVICE_UNAVAILABLE
    }
}

/// Whether a delivery's signature is the HMAC of `t.` + body with `secret`, with `t` close
/// to now.
fn signature_ok(hit: &Hit, secret: &str, now: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in hit.signature.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v.to_string()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(hit.body.as_bytes());
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (now - 60..=now + 5).contains(&t) && v1 == want
}

/// Checks a delivery as a receiver must: [`signature_ok`], and the headers agreeing with
/// the body. Returns the body.
fn verify(hit: &Hit, secret: &str, now: i64) -> Value {
    assert!(
        signature_ok(hit, secret, now),
        "the signature does not verify: {hit:?}"
    );
    let body: Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(body["type"], hit.event_header.as_str(), "{body}");
    assert_eq!(body["id"], hit.id_header.as_str(), "{body}");
    body
}

fn fast(c: &mut sesame::config::Config) {
    c.outbox.poll_interval_ms = 50;
    c.outbox.retry_initial_seconds = 1;
    c.outbox.retry_max_seconds = 1;
    c.outbox.max_attempts = 100;
}

/// Subscribes `url` to `events`; returns (id, secret).
async fn subscribe(api: &AdminApi, url: &str, events: &[&str]) -> (String, String) {
    let r = api
        .post("/webhooks", json!({ "url": url, "events": events }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:#}", r.json);
    assert_eq!(
        r.headers.get("cache-control").unwrap(),
        "no-store",
        "the secret is not cached"
    );
    let secret = r.json["secret"].as_str().unwrap().to_string();
    assert!(secret.len() >= 40, "{secret}");
    (r.json["id"].as_str().unwrap().to_string(), secret)
}

#[tokio::test]
async fn a_webhook_receives_signed_events_of_the_kinds_it_subscribed_to_and_no_others() {
    let app = TestApp::spawn_with(fast).await;
    let rx = Receiver::start().await;
    let api = AdminApi::new(&app).await;
    let client = app.plan_client().await;
    let (_, secret) = subscribe(
        &api,
        &rx.url,
        &["person.created", "person.signed_in", "client.changed"],
    )
    .await;
    app.plan_tokens(
        &Browser::new(),
        &client,
        &AuthParams::default(),
        "hooked@example.com",
    )
    .await;
    let user = app.user_id("hooked@example.com").await;
    let r = api
        .patch(
            &format!("/clients/{}", client.id),
            json!({ "name": "Renamed" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);
    // Not subscribed: a person disabled.
    let r = api.put(&format!("/users/{user}/disabled")).await;
    assert_eq!(r.status, StatusCode::OK);

    let got = rx.wait_accepted(3).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(rx.hits().len(), 3, "nothing else: {:#?}", rx.hits());
    let now = app.state.now();
    let mut bodies: Vec<Value> = got.iter().map(|h| verify(h, &secret, now)).collect();
    // Deliveries may overlap and arrive in any order; ids follow the order of events.
    bodies.sort_by_key(|b| b["id"].as_str().unwrap().parse::<i64>().unwrap());
    let types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["person.created", "person.signed_in", "client.changed"],
        "ids in the order the events happened"
    );
    assert_eq!(bodies[0]["sub"], user.as_str());
    assert_eq!(bodies[1]["sub"], user.as_str());
    assert_eq!(bodies[1]["client_id"], client.id.as_str());
    assert_eq!(bodies[2]["client_id"], client.id.as_str());
    assert_eq!(bodies[2]["detail"]["changed"], json!(["name"]));
    assert!(
        bodies[2]["detail"].get("actor").is_none(),
        "the acting admin stays in the audit trail: {}",
        bodies[2]
    );
    let serialized = serde_json::to_string(&bodies).unwrap();
    assert!(
        !serialized.contains("hooked@example.com"),
        "no whole address in an event: {serialized}"
    );
}

#[tokio::test]
async fn the_signing_secret_is_shown_once_and_a_forged_or_altered_delivery_does_not_verify() {
    let app = TestApp::spawn_with(fast).await;
    let rx = Receiver::start().await;
    let api = AdminApi::new(&app).await;
    let (id, secret) = subscribe(&api, &rx.url, &["*"]).await;
    let listed = api.get("/webhooks").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json["items"][0]["id"], id.as_str());
    assert_eq!(
        listed.json["items"][0]["events"].as_array().unwrap().len(),
        6
    );
    assert!(
        !listed.json.to_string().contains(&secret),
        "listed with its secret: {}",
        listed.json
    );
    let stored = app.state.store.get_webhook(&id).await.unwrap().unwrap();
    assert!(
        !String::from_utf8_lossy(&stored.secret).contains(&secret),
        "the secret is stored encrypted"
    );
    api.post(
        "/clients",
        json!({"name": "New", "redirect_uris": ["https://rp.example/cb"]}),
    )
    .await;
    let hit = rx.wait_accepted(1).await.remove(0);
    let now = app.state.now();
    verify(&hit, &secret, now);
    let altered = Hit {
        body: hit.body.replace("client.changed", "person.deleted"),
        ..hit.clone()
    };
    assert!(
        !signature_ok(&altered, &secret, now),
        "an altered body verified"
    );
    assert!(
        !signature_ok(&hit, "whsec_not-the-secret", now),
        "another secret verified"
    );
    assert!(
        !signature_ok(&hit, &secret, now + 3600),
        "an hour-old signature is still fresh"
    );
}

#[tokio::test]
async fn events_that_happen_while_the_receiver_is_down_arrive_after_a_restart_each_once() {
    let app = TestApp::spawn_with(fast).await;
    let rx = Receiver::start().await;
    rx.shared.down.store(true, Ordering::SeqCst);
    let api = AdminApi::new(&app).await;
    let client = app.plan_client().await;
    let (_, secret) = subscribe(&api, &rx.url, &["*"]).await;
    app.plan_tokens(
        &Browser::new(),
        &client,
        &AuthParams::default(),
        "down@example.com",
    )
    .await;
    let user = app.user_id("down@example.com").await;
    api.put(&format!("/users/{user}/disabled")).await;
    // Tried and refused at least once each, then the server stops.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while rx.hits().len() < 3 {
        assert!(tokio::time::Instant::now() < deadline, "{:#?}", rx.hits());
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (db, smtp, clock) = (app.db.clone(), app.smtp.clone(), app.clock.clone());
    app.stop().await;

    rx.shared.down.store(false, Ordering::SeqCst);
    let again = TestApp::spawn_on(db, smtp, clock, fast).await;
    let got = rx.wait_accepted(3).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let now = again.state.now();
    let mut by_id: BTreeMap<i64, (String, usize)> = BTreeMap::new();
    for h in rx.accepted() {
        let b = verify(&h, &secret, now);
        let e = by_id
            .entry(b["id"].as_str().unwrap().parse().unwrap())
            .or_insert((b["type"].as_str().unwrap().to_string(), 0));
        e.1 += 1;
    }
    assert!(got.len() >= 3);
    let types: Vec<&str> = by_id.values().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        ["person.created", "person.signed_in", "person.disabled"],
        "{by_id:?}"
    );
    assert!(
        by_id.values().all(|(_, n)| *n == 1),
        "each accepted once: {by_id:?}"
    );
    again.stop().await;
}

#[tokio::test]
async fn two_replicas_queue_and_deliver_each_event_once() {
    let a = TestApp::spawn_with(fast).await;
    let b = second_replica(&a, fast).await;
    let rx = Receiver::start().await;
    let api = AdminApi::new(&a).await;
    let (_, secret) = subscribe(&api, &rx.url, &["client.changed"]).await;
    let other = AdminApi::new(&b).await;
    for i in 0..6 {
        let api = if i % 2 == 0 { &api } else { &other };
        let r = api
            .post(
                "/clients",
                json!({"name": format!("App {i}"), "redirect_uris": ["https://rp.example/cb"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:#}", r.json);
    }
    rx.wait_accepted(6).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let now = a.state.now();
    let mut ids: Vec<String> = rx
        .hits()
        .iter()
        .map(|h| verify(h, &secret, now)["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "an event was sent twice");
    b.stop().await;
}

#[tokio::test]
async fn a_removed_webhook_is_sent_nothing_more() {
    let app = TestApp::spawn_with(fast).await;
    let rx = Receiver::start().await;
    let api = AdminApi::new(&app).await;
    let (id, _) = subscribe(&api, &rx.url, &["client.changed"]).await;
    let r = api.delete(&format!("/webhooks/{id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    api.post(
        "/clients",
        json!({"name": "Late", "redirect_uris": ["https://rp.example/cb"]}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(rx.hits().is_empty(), "{:#?}", rx.hits());
    let listed = api.get("/webhooks").await;
    assert_eq!(listed.json["items"], json!([]));
    let removed = super::common::events(&app, "admin_webhook_removed").await;
    assert_eq!(removed[0]["detail"]["existed"], true, "{removed:?}");
}

#[tokio::test]
async fn a_webhook_needs_an_https_url_and_known_events() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    for (body, field) in [
        (
            json!({"url": "http://hooks.example/in", "events": ["*"]}),
            "url",
        ),
        (
            json!({"url": "https://user:pw@hooks.example/in", "events": ["*"]}),
            "url",
        ),
        (json!({"url": "not a url", "events": ["*"]}), "url"),
        (
            json!({"url": "https://hooks.example/in", "events": ["person.exploded"]}),
            "events",
        ),
        (
            json!({"url": "https://hooks.example/in", "events": []}),
            "events",
        ),
    ] {
        api.post("/webhooks", body.clone())
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some(field));
    }
    assert_eq!(api.get("/webhooks").await.json["items"], json!([]));
}

#[tokio::test]
async fn the_cli_adds_lists_and_removes_webhooks_printing_the_secret_once() {
    let app = TestApp::spawn().await;
    let created = super::common::cli_json(
        &app,
        &[
            "webhooks",
            "add",
            "https://hooks.example/in",
            "--event",
            "person.created",
            "--event",
            "client.changed",
        ],
    );
    let id = created["id"].as_str().unwrap().to_string();
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(
        created["events"],
        json!(["person.created", "client.changed"])
    );
    let (ok, out, _) = super::common::run_cli(&app, &["webhooks", "list"]);
    assert!(ok && out.contains(&id) && !out.contains("whsec_"), "{out}");
    let (ok, out, err) = super::common::run_cli(&app, &["webhooks", "remove", &id]);
    assert!(ok, "{err}");
    assert!(out.contains("removed"), "{out}");
    let (ok, _, err) = super::common::run_cli(&app, &["webhooks", "remove", &id]);
    assert!(!ok && err.contains(&id), "{err}");
}

#[tokio::test]
async fn an_event_too_recent_to_dispatch_holds_back_every_later_one_so_none_is_skipped() {
    let app = TestApp::spawn().await;
    let store = &app.state.store;
    let now = app.state.now();
    let row = |kind: &'static str| sesame::store::audit::NewAuditEvent {
        kind,
        ..Default::default()
    };
    let before = store.audit_events_after(0, i64::MAX, 1000).await.unwrap();
    let cursor = before.last().map(|r| r.id).unwrap_or(0);
    // Ids in commit order, but the second written with a later clock (another replica's,
    // or a transaction still settling).
    store.audit(now, row("user_registered")).await.unwrap();
    store.audit(now + 10, row("profile_updated")).await.unwrap();
    store
        .audit(now, row("verification_succeeded"))
        .await
        .unwrap();
    let got = store.audit_events_after(cursor, now, 100).await.unwrap();
    let kinds: Vec<&str> = got.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["user_registered"], "the third waits for the second");
    let later = store
        .audit_events_after(cursor, now + 10, 100)
        .await
        .unwrap();
    assert_eq!(later.len(), 3);
}

//! Signing keys and the audit trail through the admin API.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::admin::common::*;
use crate::support::*;

async fn jwks_kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = reqwest::get(app.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

fn key<'a>(list: &'a Value, kid: &str) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("no key {kid} in {list:#}"))
}

#[tokio::test]
async fn a_rotated_key_is_published_first_signs_later_and_the_old_one_retires() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let client = app.confidential_client().await;
    let keys = api.get("/keys").await;
    assert_eq!(keys.status, StatusCode::OK);
    assert_audited_by_token(&app, "admin_keys_listed", &api.token_id).await;
    let items = keys.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|k| k["status"] == "active"));
    let old = items.iter().find(|k| k["alg"] == "RS256").unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string();

    let r = api
        .post(
            "/keys/rotate",
            json!({ "alg": "RS256", "prepublish_seconds": 60, "retain_seconds": 600 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);
    let rotated = r.json["rotated"].as_array().unwrap();
    assert_eq!(rotated.len(), 1);
    let new = rotated[0]["kid"].as_str().unwrap().to_string();
    assert_eq!(rotated[0]["status"], "pending");
    let e = assert_audited_by_token(&app, "admin_key_rotated", &api.token_id).await;
    assert_eq!(e["detail"]["kid"], new.as_str());

    // Published at once, not yet signing.
    assert!(jwks_kids(&app).await.contains(&new));
    let t = app.tokens_for(&client, "kim@example.com").await;
    assert_eq!(
        jwt_header(t["id_token"].as_str().unwrap())["kid"],
        old.as_str()
    );

    app.clock.advance(61);
    let t = app.tokens_for(&client, "kim@example.com").await;
    assert_eq!(
        jwt_header(t["id_token"].as_str().unwrap())["kid"],
        new.as_str()
    );
    let keys = api.get("/keys").await.json;
    assert_eq!(key(&keys, &new)["status"], "active");
    assert_eq!(key(&keys, &old)["status"], "retired");
    assert!(
        jwks_kids(&app).await.contains(&old),
        "still verifies what it signed"
    );

    app.clock.advance(600);
    assert!(!jwks_kids(&app).await.contains(&old));
    assert_eq!(
        key(&api.get("/keys").await.json, &old)["status"],
        "unpublished"
    );

    // With no body fields both algorithms rotate, with the default pre-publication.
    let r = api.post("/keys/rotate", json!({})).await;
    let rotated = r.json["rotated"].as_array().unwrap();
    assert_eq!(rotated.len(), 2);
    assert!(rotated.iter().all(|k| {
        k["activates_at"].as_i64().unwrap() - k["created_at"].as_i64().unwrap()
            == app.state.config.keys.prepublish_seconds
    }));
}

#[tokio::test]
async fn invalid_rotations_are_refused_with_problems() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    api.post("/keys/rotate", json!({ "alg": "HS256" }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("alg"));
    api.post("/keys/rotate", json!({ "prepublish_seconds": -1 }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("prepublish_seconds"));
    api.post("/keys/rotate", json!({ "retain_seconds": 1_000_000_000 }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("retain_seconds"));
    api.post("/keys/rotate", json!({ "algorithm": "RS256" }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, None);
    assert_eq!(app.state.store.all_keys().await.unwrap().len(), 2);
    assert!(events(&app, "admin_key_rotated").await.is_empty());
}

fn kinds(r: &Resp) -> Vec<String> {
    r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn audit_events_are_filtered_by_user_client_kind_and_time_and_paged() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let (a, b) = (
        app.confidential_client().await,
        app.confidential_client().await,
    );
    // Taken before the first sign-in: taken after it, a second could tick between its
    // events and `start`, and `since=start` would miss them.
    let start = app.state.now();
    let t = app.tokens_for(&a, "lea@example.com").await;
    let lea = jwt_claims(t["access_token"].as_str().unwrap())["sub"]
        .as_str()
        .unwrap()
        .to_string();
    app.clock.advance(100);
    let middle = app.state.now();
    app.tokens_for(&b, "max@example.com").await;

    // By user: every event is about lea.
    let r = api.get(&format!("/audit-events?user_id={lea}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.json["items"].as_array().unwrap().is_empty());
    assert!(r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["user_id"] == lea.as_str()));
    assert!(kinds(&r).contains(&"verification_succeeded".to_string()));
    let e = assert_audited_by_token(&app, "admin_audit_read", &api.token_id).await;
    assert_eq!(e["detail"]["filter"]["user_id"], lea.as_str());

    // By client and kind: who signed in to what.
    let r = api
        .get(&format!(
            "/audit-events?client_id={}&kind=tokens_issued",
            b.id
        ))
        .await;
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_ne!(items[0]["user_id"], lea.as_str());
    assert!(items[0]["detail"].is_object());

    // A kind prefix.
    let r = api.get("/audit-events?kind=admin_*").await;
    assert!(kinds(&r).iter().all(|k| k.starts_with("admin_")));
    assert!(kinds(&r).contains(&"admin_audit_read".to_string()));

    // By time, in each accepted form.
    let r = api
        .get(&format!("/audit-events?kind=tokens_issued&since={middle}"))
        .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
    let r = api
        .get(&format!("/audit-events?kind=tokens_issued&until={middle}"))
        .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
    let rfc3339 = sesame::admin::ops::format_time(start);
    let r = api
        .get(&format!("/audit-events?kind=tokens_issued&since={rfc3339}"))
        .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 2);
    let r = api
        .get("/audit-events?kind=tokens_issued&since=2000-01-01&until=2000-01-02")
        .await;
    assert!(r.json["items"].as_array().unwrap().is_empty());

    // Pages, newest first, without overlap.
    let p1 = api.get("/audit-events?limit=3").await;
    let cursor = p1.json["next_cursor"].as_str().unwrap();
    let p2 = api
        .get(&format!("/audit-events?limit=3&cursor={cursor}"))
        .await;
    let ids: Vec<i64> = p1.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2.json["items"].as_array().unwrap())
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 6);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    api.get("/audit-events?since=yesterday")
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("since"));
    api.get("/audit-events?until=31/12/2026")
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("until"));
    api.get("/audit-events?cursor=xyz")
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"));
    api.get("/audit-events?kind=")
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("kind"));
}

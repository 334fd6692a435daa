//! OpenID Connect Back-Channel Logout 1.0: when a sign-in ends (RP-initiated logout, an
//! admin ending sessions, a person disabled or deleted), every client that received an ID
//! token in it and registered a `backchannel_logout_uri` is sent a logout token, which a
//! real receiver here verifies against the published JWKS. Delivery goes through the
//! outbox: retried after a failure, once across replicas.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxStatus};
use axum::Router;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::net::TcpListener;

use crate::admin::common::AdminApi;
use crate::conformance::logout::logout_url;
use crate::scale::support::second_replica;
use crate::support::*;

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// One POST the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    content_type: String,
    logout_token: Option<String>,
}

#[derive(Clone, Default)]
struct Shared {
    got: Arc<Mutex<Vec<Received>>>,
    /// Answer 500 to this many requests first.
    fail_first: Arc<AtomicUsize>,
    /// Answer 307 (to `redirect_to`) instead of 200.
    redirect_to: Arc<Mutex<Option<String>>>,
}

/// A relying party's back-channel logout endpoint on 127.0.0.1.
pub(crate) struct Receiver {
    pub(crate) url: String,
    shared: Shared,
}

impl Receiver {
    pub(crate) async fn start(fail_first: usize) -> Receiver {
        let shared = Shared::default();
        shared.fail_first.store(fail_first, Ordering::SeqCst);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = Router::new()
            .route("/backchannel-logout", axum::routing::post(receive))
            .with_state(shared.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/backchannel-logout"),
            shared,
        }
    }

    pub(crate) fn got(&self) -> Vec<Received> {
        self.shared.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests have arrived; returns them.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} of {n} logout requests arrived",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn receive(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let logout_token = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned());
    s.got.lock().unwrap().push(Received {
        content_type,
        logout_token,
    });
    let failing = s
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        return AxStatus::INTERNAL_SERVER_ERROR.into_response();
    }
    if let Some(to) = s.redirect_to.lock().unwrap().clone() {
        return (AxStatus::TEMPORARY_REDIRECT, [("location", to)]).into_response();
    }
    AxStatus::OK.into_response()
}

/// A server whose outbox worker looks for due messages often.
pub(crate) async fn spawn() -> TestApp {
    TestApp::spawn_with(fast_outbox).await
}

pub(crate) fn fast_outbox(c: &mut sesame::config::Config) {
    c.outbox.poll_interval_ms = 50;
}

/// A client with a back-channel logout URI.
pub(crate) async fn client_told_at(app: &TestApp, uri: &str, session_required: bool) -> TestClient {
    let client = app.plan_client().await;
    let mut c = app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .unwrap();
    c.meta.backchannel_logout_uri = Some(uri.to_string());
    c.meta.backchannel_logout_session_required = session_required;
    assert!(app.state.store.update_client(&c).await.unwrap());
    client
}

/// Verifies a logout token as a relying party must (Back-Channel Logout 1.0, 2.6) and
/// returns its claims.
pub(crate) async fn verify_logout_token(app: &TestApp, r: &Received, client: &TestClient) -> Value {
    assert_eq!(r.content_type, "application/x-www-form-urlencoded");
    let token = r.logout_token.as_deref().expect("a logout_token parameter");
    let header = jwt_header(token);
    assert_eq!(header["typ"], "logout+jwt", "{header}");
    let claims = app.verify_with_jwks(token).await;
    assert_eq!(claims["iss"], app.state.config.issuer.as_str(), "{claims}");
    assert_eq!(claims["aud"], client.id.as_str(), "{claims}");
    assert_eq!(
        claims["events"],
        serde_json::json!({ EVENT: {} }),
        "{claims}"
    );
    assert!(
        claims.get("nonce").is_none(),
        "a logout token has no nonce: {claims}"
    );
    let iat = claims["iat"].as_i64().unwrap();
    let exp = claims["exp"].as_i64().unwrap();
    let now = app.state.now();
    assert!((now - 60..=now + 5).contains(&iat), "{claims}");
    assert!(exp > now && exp - iat <= 300, "short-lived: {claims}");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert!(claims["sub"].is_string() || claims["sid"].is_string());
    claims
}

#[tokio::test]
async fn rp_initiated_logout_sends_each_client_a_signed_logout_token_with_the_id_tokens_sid() {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let client = client_told_at(&app, &rp.url, true).await;
    let browser = Browser::new();
    let tokens = app
        .plan_tokens(&browser, &client, &AuthParams::default(), "bcl@example.com")
        .await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let id_claims = jwt_claims(id_token);
    let sid = id_claims["sid"].as_str().expect("the ID token carries sid");
    assert!(rp.got().is_empty(), "nothing is sent before logout");

    let res = browser
        .get(&logout_url(&app, &[("id_token_hint", id_token)]))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let got = rp.wait_for(1).await;
    let claims = verify_logout_token(&app, &got[0], &client).await;
    assert_eq!(
        claims["sid"], sid,
        "the logout token names the ID token's session"
    );
    assert_eq!(claims["sub"], id_claims["sub"]);
    app.settle_outbox().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rp.got().len(), 1, "sent once");
    assert!(app
        .audit_kinds()
        .await
        .contains(&"backchannel_logout_sent".to_string()));
}

#[tokio::test]
async fn a_client_without_a_back_channel_uri_gets_nothing_while_the_others_are_told() {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let told = client_told_at(&app, &rp.url, false).await;
    let silent = app.plan_client().await;
    let browser = Browser::new();
    let tokens = app
        .plan_tokens(&browser, &told, &AuthParams::default(), "two@example.com")
        .await;
    let back = app
        .authorize_silently(&browser, &silent, &AuthParams::default())
        .await;
    let other = app.redeem(&silent, &back, None).await;
    assert_eq!(
        jwt_claims(other["id_token"].as_str().unwrap())["sid"],
        jwt_claims(tokens["id_token"].as_str().unwrap())["sid"],
        "one sign-in, one sid"
    );
    let res = browser
        .get(&logout_url(
            &app,
            &[("id_token_hint", tokens["id_token"].as_str().unwrap())],
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let got = rp.wait_for(1).await;
    verify_logout_token(&app, &got[0], &told).await;
    let rows = app.state.store.all_messages().await.unwrap();
    let logout_rows: Vec<_> = rows.iter().filter(|r| r.channel == "backchannel").collect();
    assert_eq!(logout_rows.len(), 1, "{rows:?}");
    assert_eq!(logout_rows[0].recipient, told.id);
}

#[tokio::test]
async fn an_admin_ending_a_persons_sessions_tells_their_clients() {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let client = client_told_at(&app, &rp.url, true).await;
    let tokens = app
        .plan_tokens(
            &Browser::new(),
            &client,
            &AuthParams::default(),
            "end@example.com",
        )
        .await;
    let sid = jwt_claims(tokens["id_token"].as_str().unwrap())["sid"].clone();
    let user = app.user_id("end@example.com").await;
    let api = AdminApi::new(&app).await;
    let r = api.delete(&format!("/users/{user}/sessions")).await;
    assert!(r.status.is_success(), "{:?}", r);
    let got = rp.wait_for(1).await;
    let claims = verify_logout_token(&app, &got[0], &client).await;
    assert_eq!(claims["sid"], sid);
    assert_eq!(claims["sub"], user.as_str());
}

#[tokio::test]
async fn disabling_a_person_tells_the_clients_of_each_of_their_sessions() {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let client = client_told_at(&app, &rp.url, true).await;
    let mut sids = vec![];
    for _ in 0..2 {
        let t = app
            .plan_tokens(
                &Browser::new(),
                &client,
                &AuthParams::default(),
                "off@example.com",
            )
            .await;
        sids.push(jwt_claims(t["id_token"].as_str().unwrap())["sid"].clone());
    }
    assert_ne!(sids[0], sids[1], "two browsers, two sessions");
    let user = app.user_id("off@example.com").await;
    let api = AdminApi::new(&app).await;
    let r = api.put(&format!("/users/{user}/disabled")).await;
    assert_eq!(r.status, StatusCode::OK);
    let got = rp.wait_for(2).await;
    let mut told = vec![];
    for g in &got {
        told.push(verify_logout_token(&app, g, &client).await["sid"].clone());
    }
    told.sort_by_key(|v| v.to_string());
    sids.sort_by_key(|v| v.to_string());
    assert_eq!(told, sids);
}

#[tokio::test]
async fn deleting_a_person_tells_their_clients() {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let client = client_told_at(&app, &rp.url, false).await;
    app.plan_tokens(
        &Browser::new(),
        &client,
        &AuthParams::default(),
        "gone@example.com",
    )
    .await;
    let user = app.user_id("gone@example.com").await;
    let api = AdminApi::new(&app).await;
    let r = api.delete(&format!("/users/{user}")).await;
    assert!(r.status.is_success(), "{:?}", r);
    let got = rp.wait_for(1).await;
    let claims = verify_logout_token(&app, &got[0], &client).await;
    assert_eq!(claims["sub"], user.as_str());
}

#[tokio::test]
async fn a_receiver_that_fails_first_gets_the_logout_token_again_later() {
    let app = spawn().await;
    let rp = Receiver::start(1).await;
    let client = client_told_at(&app, &rp.url, true).await;
    let browser = Browser::new();
    let tokens = app
        .plan_tokens(
            &browser,
            &client,
            &AuthParams::default(),
            "retry@example.com",
        )
        .await;
    let id_token = tokens["id_token"].as_str().unwrap();
    browser
        .get(&logout_url(&app, &[("id_token_hint", id_token)]))
        .await;
    let got = rp.wait_for(2).await;
    let first = verify_logout_token(&app, &got[0], &client).await;
    let second = verify_logout_token(&app, &got[1], &client).await;
    assert_eq!(
        first["jti"], second["jti"],
        "the same notification, retried"
    );
    assert_eq!(second["sid"], jwt_claims(id_token)["sid"]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let events = app.state.store.audit_events(0, None, 1000).await.unwrap();
        if let Some(e) = events.iter().find(|e| e.kind == "backchannel_logout_sent") {
            let detail: Value = serde_json::from_str(&e.detail).unwrap_or_else(|_| Value::Null);
            assert_eq!(detail["attempts"], 2, "{detail}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no backchannel_logout_sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_receiver_that_redirects_is_not_followed_and_the_token_goes_nowhere_else() {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let elsewhere = Receiver::start(0).await;
    *rp.shared.redirect_to.lock().unwrap() = Some(elsewhere.url.clone());
    let client = client_told_at(&app, &rp.url, true).await;
    let browser = Browser::new();
    let tokens = app
        .plan_tokens(
            &browser,
            &client,
            &AuthParams::default(),
            "redir@example.com",
        )
        .await;
    browser
        .get(&logout_url(
            &app,
            &[("id_token_hint", tokens["id_token"].as_str().unwrap())],
        ))
        .await;
    rp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(elsewhere.got().is_empty(), "the redirect was followed");
    let rows = app.state.store.all_messages().await.unwrap();
    let row = rows.iter().find(|r| r.channel == "backchannel").unwrap();
    assert_ne!(row.status.as_str(), "delivered", "a 307 is not a delivery");
}

#[tokio::test]
async fn two_replicas_on_one_database_deliver_a_logout_token_once() {
    let a = spawn().await;
    let b = second_replica(&a, fast_outbox).await;
    let rp = Receiver::start(0).await;
    let client = client_told_at(&a, &rp.url, true).await;
    let mut browsers = vec![];
    for _ in 0..3 {
        let browser = Browser::new();
        a.plan_tokens(
            &browser,
            &client,
            &AuthParams::default(),
            "twice@example.com",
        )
        .await;
        browsers.push(browser);
    }
    let user = a.user_id("twice@example.com").await;
    // The admin API wakes no worker: both replicas poll, and race for the rows.
    let api = AdminApi::new(&b).await;
    let r = api.delete(&format!("/users/{user}/sessions")).await;
    assert!(r.status.is_success(), "{:?}", r);
    rp.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = rp.got();
    assert_eq!(got.len(), 3, "one token per session, each sent once");
    let mut sids = vec![];
    for g in &got {
        sids.push(verify_logout_token(&a, g, &client).await["sid"].to_string());
    }
    sids.sort();
    sids.dedup();
    assert_eq!(sids.len(), 3);
    b.stop().await;
}

#[tokio::test]
async fn discovery_advertises_back_channel_logout_with_sessions() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["backchannel_logout_supported"], true);
    assert_eq!(doc["backchannel_logout_session_supported"], true);
}

#[tokio::test]
async fn the_admin_api_sets_and_clears_a_back_channel_logout_uri_and_refuses_plain_http() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let client = app.plan_client().await;
    let path = format!("/clients/{}", client.id);
    let r = api
        .patch(
            &path,
            serde_json::json!({"backchannel_logout_uri": "http://rp.example/bcl"}),
        )
        .await;
    r.assert_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("backchannel_logout_uri"),
    );
    let r = api
        .patch(
            &path,
            serde_json::json!({
                "backchannel_logout_uri": "https://rp.example/bcl",
                "backchannel_logout_session_required": true
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);
    assert_eq!(r.json["backchannel_logout_uri"], "https://rp.example/bcl");
    assert_eq!(r.json["backchannel_logout_session_required"], true);
    let r = api
        .patch(&path, serde_json::json!({"backchannel_logout_uri": null}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json["backchannel_logout_uri"].is_null());
}

#[tokio::test]
async fn dynamic_registration_keeps_back_channel_logout_metadata_and_refuses_plain_http() {
    const IAT: &str = "initial-access-token-0123456789abcdef";
    let app = TestApp::spawn_with(|c| {
        c.registration.enabled = true;
        c.registration.initial_access_token = Some(IAT.to_string().into());
    })
    .await;
    let register = |body: Value| {
        reqwest::Client::new()
            .post(app.url("/register"))
            .bearer_auth(IAT)
            .json(&body)
            .send()
    };
    let res = register(serde_json::json!({
        "redirect_uris": ["https://rp.example/cb"],
        "backchannel_logout_uri": "https://rp.example/bcl",
        "backchannel_logout_session_required": true
    }))
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["backchannel_logout_uri"], "https://rp.example/bcl");
    assert_eq!(body["backchannel_logout_session_required"], true);
    let stored = app
        .state
        .store
        .get_client(body["client_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.meta.backchannel_logout_uri.as_deref(),
        Some("https://rp.example/bcl")
    );
    assert!(stored.meta.backchannel_logout_session_required);
    let res = register(serde_json::json!({
        "redirect_uris": ["https://rp.example/cb"],
        "backchannel_logout_uri": "http://rp.example/bcl"
    }))
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"], "invalid_client_metadata");
}

#[tokio::test]
async fn a_dynamically_registered_client_cannot_aim_back_channel_logout_inside_the_network() {
    const IAT: &str = "initial-access-token-0123456789abcdef";
    let app = TestApp::spawn_with(|c| {
        c.registration.enabled = true;
        c.registration.initial_access_token = Some(IAT.to_string().into());
    })
    .await;
    let register = |uri: &str| {
        reqwest::Client::new()
            .post(app.url("/register"))
            .bearer_auth(IAT)
            .json(&serde_json::json!({
                "redirect_uris": ["https://rp.example/cb"],
                "backchannel_logout_uri": uri
            }))
            .send()
    };
    for uri in [
        "http://127.0.0.1:8080/bcl",
        "http://localhost/bcl",
        "https://localhost/bcl",
        "https://127.0.0.1/bcl",
        "https://10.0.0.5/bcl",
        "https://192.168.1.1/bcl",
        "https://172.16.0.1/bcl",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/bcl",
        "https://0.0.0.0/bcl",
        "https://[::1]/bcl",
        "https://[fd00::1]/bcl",
        "https://[fe80::1]/bcl",
        "https://[::ffff:10.0.0.1]/bcl",
        "https://admin.localhost/bcl",
    ] {
        let res = register(uri).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{uri} was accepted");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"], "invalid_client_metadata", "{uri}: {e}");
    }
    // A public address is accepted.
    let res = register("https://203.0.113.7/bcl").await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

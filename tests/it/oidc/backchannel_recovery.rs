//! Back-Channel Logout without loss: a sign-in ended by a replica that stopped before it
//! wrote the logout notifications is told by the sweep every replica's outbox worker runs
//! when it starts; the same person signing in again in a browser keeps their sign-in (and
//! its `sid`), while another person's sign-in there ends the first and tells its clients.

use std::time::Duration;

use super::backchannel_logout::{
    client_told_at, fast_outbox, spawn, verify_logout_token, Receiver,
};
use crate::scale::support::second_replica;
use crate::support::*;

/// Signs `email` in to a client told at `rp`, then does the first of the two writes of
/// ending that sign-in alone: what a replica killed between them leaves behind. Returns the
/// client and the sign-in's `sid`.
async fn ended_without_notices(app: &TestApp, rp: &Receiver, email: &str) -> (TestClient, String) {
    let client = client_told_at(app, &rp.url, true).await;
    let tokens = app
        .plan_tokens(&Browser::new(), &client, &AuthParams::default(), email)
        .await;
    let sid = jwt_claims(tokens["id_token"].as_str().unwrap())["sid"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(app
        .state
        .store
        .mark_sso_session_ended(&sid, app.state.now(), "revoked")
        .await
        .unwrap());
    (client, sid)
}

#[tokio::test]
async fn a_sign_in_ended_by_a_replica_that_stopped_before_writing_its_notices_is_told_by_the_next_replica_to_start(
) {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let (client, sid) = ended_without_notices(&app, &rp, "crash@example.com").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(rp.got().is_empty(), "nothing was written to send yet");

    let b = second_replica(&app, fast_outbox).await;
    let got = rp.wait_for(1).await;
    let claims = verify_logout_token(&app, &got[0], &client).await;
    assert_eq!(claims["sid"], sid.as_str());
    b.settle_outbox().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rp.got().len(), 1, "told once");
    let rows = app.state.store.all_messages().await.unwrap();
    assert_eq!(
        rows.iter().filter(|r| r.channel == "backchannel").count(),
        1,
        "{rows:?}"
    );
    // Another start finds nothing left to write.
    let c = second_replica(&app, fast_outbox).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rp.got().len(), 1);
    c.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_logout_writes_each_clients_notice_once_even_when_the_sweep_runs_beside_it() {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let (_, sid) = ended_without_notices(&app, &rp, "race@example.com").await;
    let now = app.state.now();
    let ctx = sesame::outbox::logout::NoticeCtx {
        store: &app.state.store,
        secrets: &app.state.secrets,
        outbox: &app.state.config.outbox,
        now,
    };
    let (a, b) = tokio::join!(
        sesame::outbox::logout::notify_sessions_ended(&ctx, std::slice::from_ref(&sid)),
        sesame::outbox::logout::sweep(&ctx),
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one notice between them");
    assert_eq!(
        sesame::outbox::logout::sweep(&ctx).await.unwrap(),
        0,
        "nothing left"
    );
    rp.wait_for(1).await;
}

#[tokio::test]
async fn the_same_person_signing_in_again_keeps_their_sign_in_and_its_sid_and_no_client_is_told() {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let client = client_told_at(&app, &rp.url, true).await;
    let browser = Browser::new();
    let first = app
        .plan_tokens(
            &browser,
            &client,
            &AuthParams::default(),
            "again@example.com",
        )
        .await;
    let mut p = AuthParams::default();
    p.extra.push(("prompt".into(), "login".into()));
    let back = app
        .sign_in(
            &browser,
            &authorize_url(&app, &client, &p),
            "again@example.com",
        )
        .await;
    let second = app.redeem(&client, &back, None).await;
    let sid = |t: &serde_json::Value| jwt_claims(t["id_token"].as_str().unwrap())["sid"].clone();
    assert_eq!(sid(&first), sid(&second), "the same sign-in");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(rp.got().is_empty(), "nobody signed out: {:?}", rp.got());
    let user = app.user_id("again@example.com").await;
    let sessions = app
        .state
        .store
        .list_sso_sessions(&user, app.state.now(), true, 100)
        .await;
    assert_eq!(sessions.unwrap().len(), 1, "one sign-in on record");
}

#[tokio::test]
async fn another_person_signing_in_in_the_same_browser_ends_the_first_sign_in_and_tells_its_clients(
) {
    let app = spawn().await;
    let rp = Receiver::start(0).await;
    let client = client_told_at(&app, &rp.url, true).await;
    let browser = Browser::new();
    let first = app
        .plan_tokens(
            &browser,
            &client,
            &AuthParams::default(),
            "first@example.com",
        )
        .await;
    let first_claims = jwt_claims(first["id_token"].as_str().unwrap());
    let mut p = AuthParams::default();
    p.extra.push(("prompt".into(), "login".into()));
    let back = app
        .sign_in(
            &browser,
            &authorize_url(&app, &client, &p),
            "second@example.com",
        )
        .await;
    let second = app.redeem(&client, &back, None).await;
    let second_claims = jwt_claims(second["id_token"].as_str().unwrap());
    assert_ne!(first_claims["sub"], second_claims["sub"]);
    assert_ne!(first_claims["sid"], second_claims["sid"]);
    let got = rp.wait_for(1).await;
    let told = verify_logout_token(&app, &got[0], &client).await;
    assert_eq!(told["sid"], first_claims["sid"], "the replaced sign-in");
    assert_eq!(told["sub"], first_claims["sub"]);
}

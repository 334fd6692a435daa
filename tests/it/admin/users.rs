//! People through the admin API: finding them, disabling, enabling and deleting them,
//! and ending their sessions and grants, each shown to take effect on the live server.

use reqwest::StatusCode;
use serde_json::json;
use sesame::store::users::Channel;

use crate::admin::common::*;
use crate::support::*;

async fn add_user(app: &TestApp, email: &str) -> String {
    let id = format!("u-{}", email.replace(['@', '.'], "-"));
    app.state
        .store
        .user_signed_in(Channel::Email, email, &id, true, app.state.now())
        .await
        .unwrap()
        .unwrap()
        .id
}

fn ids(r: &Resp) -> Vec<String> {
    r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn people_are_listed_page_by_page_searched_and_shown() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let alice = add_user(&app, "alice@example.com").await;
    let bob = add_user(&app, "bob@example.com").await;
    let carol = add_user(&app, "carol@other.test").await;
    let under = add_user(&app, "under_score@other.test").await;

    let p1 = api.get("/users?limit=3").await;
    assert_eq!(p1.status, StatusCode::OK);
    let cursor = p1.json["next_cursor"].as_str().unwrap().to_string();
    let p2 = api.get(&format!("/users?limit=3&cursor={cursor}")).await;
    let mut all = ids(&p1);
    all.extend(ids(&p2));
    all.sort();
    let mut want = vec![alice.clone(), bob.clone(), carol.clone(), under.clone()];
    want.sort();
    assert_eq!(all, want);
    assert!(p2.json["next_cursor"].is_null());

    let r = api.get("/users?search=example.com").await;
    let mut found = ids(&r);
    found.sort();
    assert_eq!(found, {
        let mut v = vec![alice.clone(), bob.clone()];
        v.sort();
        v
    });
    assert_eq!(ids(&api.get("/users?search=ALICE").await), [alice.as_str()]);
    assert_eq!(
        ids(&api.get("/users?search=_").await),
        [under.as_str()],
        "_ is literal"
    );
    assert!(
        ids(&api.get("/users?search=%25").await).is_empty(),
        "% is literal"
    );
    let e = assert_audited_by_token(&app, "admin_users_listed", &api.token_id).await;
    assert!(
        !e.to_string().contains("example.com"),
        "searches are not logged in clear"
    );

    let r = api.get(&format!("/users/{bob}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["email"], "bob@example.com");
    assert_eq!(r.json["email_verified"], true);
    assert_eq!(r.json["disabled"], false);
    let by_email = api.get("/users/Bob@Example.com").await;
    assert_eq!(by_email.json["user_id"], bob.as_str());
    let e = assert_audited_by_token(&app, "admin_user_viewed", &api.token_id).await;
    assert_eq!(e["user_id"], bob.as_str());

    api.get("/users/nobody")
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
    api.get(&format!("/users?search={}", "a".repeat(400)))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("search"));
    api.get("/users?disabled=maybe")
        .await
        .assert_problem(StatusCode::BAD_REQUEST, None);
    api.get("/users?limit=500")
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("limit"));

    api.put(&format!("/users/{carol}/disabled")).await;
    assert_eq!(
        ids(&api.get("/users?disabled=true").await),
        [carol.as_str()]
    );
    assert_eq!(
        api.get("/users?disabled=false").await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn disabling_ends_sessions_and_grants_and_stops_sign_in_until_enabled() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let tokens = signed_in(&app, &browser, &client, "dana@example.com").await;
    let access = tokens["access_token"].as_str().unwrap();
    let user = jwt_claims(access)["sub"].as_str().unwrap().to_string();
    assert!(sso_works(&app, &browser, &client).await);
    assert!(userinfo_ok(&app, access).await);

    let r = api.put(&format!("/users/{user}/disabled")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["disabled"], true);
    let disabled_at = r.json["disabled_at"].clone();
    let e = assert_audited_by_token(&app, "admin_user_disabled", &api.token_id).await;
    assert_eq!(e["detail"]["sessions_ended"], 1);
    assert!(e["detail"]["grants_revoked"].as_i64().unwrap() >= 1);
    assert!(!sso_works(&app, &browser, &client).await);
    assert!(!userinfo_ok(&app, access).await, "its grants are revoked");

    // No code is sent to a disabled account.
    let other = Browser::new();
    let (_, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let page = app
        .open_login(&other, &authorize_url(&app, &client, &p))
        .await;
    let sent_before = app.smtp.messages().len();
    app.submit_identifier(&other, &page, "dana@example.com")
        .await;
    app.settle_outbox().await;
    assert_eq!(app.smtp.messages().len(), sent_before);
    assert_eq!(events(&app, "code_not_sent").await.len(), 1);

    // Idempotent.
    app.clock.advance(10);
    let again = api.put(&format!("/users/{user}/disabled")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json["disabled_at"], disabled_at);

    let r = api.delete(&format!("/users/{user}/disabled")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["disabled"], false);
    assert_audited_by_token(&app, "admin_user_enabled", &api.token_id).await;
    assert!(
        !sso_works(&app, &browser, &client).await,
        "ended sessions stay ended"
    );
    signed_in(&app, &Browser::new(), &client, "dana@example.com").await;
    assert_eq!(
        api.delete(&format!("/users/{user}/disabled")).await.status,
        StatusCode::OK
    );
    api.put("/users/nobody/disabled")
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn deleting_a_person_removes_their_sessions_grants_and_tokens() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let tokens = signed_in(&app, &browser, &client, "erin@example.com").await;
    let access = tokens["access_token"].as_str().unwrap();
    let user = jwt_claims(access)["sub"].as_str().unwrap().to_string();

    let r = api.delete(&format!("/users/{user}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let e = assert_audited_by_token(&app, "admin_user_deleted", &api.token_id).await;
    assert_eq!(e["detail"]["existed"], true);
    assert_eq!(e["user_id"], user.as_str());
    api.get(&format!("/users/{user}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
    assert!(!userinfo_ok(&app, access).await);
    assert!(!sso_works(&app, &browser, &client).await);
    let grants: i64 = sesame::with_pool!(&app.state.store.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM grants WHERE user_id = $1")
            .bind(&user).fetch_one(pool).await.unwrap()
    });
    assert_eq!(grants, 0);

    assert_eq!(
        api.delete(&format!("/users/{user}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        events(&app, "admin_user_deleted").await[0]["detail"]["existed"],
        false
    );
    // Signing in again makes a new account with a new id.
    let again = signed_in(&app, &Browser::new(), &client, "erin@example.com").await;
    assert_ne!(
        jwt_claims(again["access_token"].as_str().unwrap())["sub"],
        user.as_str()
    );
}

#[tokio::test]
async fn sessions_are_listed_and_ended_one_by_one_or_all_at_once() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let client = app.confidential_client().await;
    let (laptop, phone) = (Browser::new(), Browser::new());
    let t = signed_in(&app, &laptop, &client, "fay@example.com").await;
    let user = jwt_claims(t["access_token"].as_str().unwrap())["sub"]
        .as_str()
        .unwrap()
        .to_string();
    app.clock.advance(5);
    signed_in(&app, &phone, &client, "fay@example.com").await;

    let r = api.get(&format!("/users/{user}/sessions")).await;
    assert_eq!(r.status, StatusCode::OK);
    let sessions = r.json["items"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    assert!(sessions
        .iter()
        .all(|s| s["active"] == true && s["amr"] == json!(["otp"])));
    assert_audited_by_token(&app, "admin_user_sessions_listed", &api.token_id).await;
    // Newest first: the phone's.
    let phone_sid = sessions[0]["session_id"].as_str().unwrap().to_string();

    let r = api
        .delete(&format!("/users/{user}/sessions/{phone_sid}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let e = assert_audited_by_token(&app, "admin_session_revoked", &api.token_id).await;
    assert_eq!(e["detail"]["session"], phone_sid.as_str());
    assert!(!sso_works(&app, &phone, &client).await);
    assert!(sso_works(&app, &laptop, &client).await);
    assert_eq!(
        api.delete(&format!("/users/{user}/sessions/{phone_sid}"))
            .await
            .status,
        StatusCode::NO_CONTENT,
        "ending it again is not an error"
    );
    api.delete(&format!("/users/{user}/sessions/0123abcd"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);

    let live = api.get(&format!("/users/{user}/sessions")).await;
    assert_eq!(live.json["items"].as_array().unwrap().len(), 1);
    let all = api
        .get(&format!("/users/{user}/sessions?include_inactive=true"))
        .await;
    let ended: Vec<_> = all.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["active"] == false)
        .collect();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["end_reason"], "revoked");

    let r = api.delete(&format!("/users/{user}/sessions")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["sessions_ended"].as_array().unwrap().len(), 1);
    assert_audited_by_token(&app, "admin_sessions_revoked", &api.token_id).await;
    assert!(!sso_works(&app, &laptop, &client).await);
    api.get("/users/nobody/sessions")
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
    api.get(&format!("/users/{user}/sessions?include_inactive=perhaps"))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, None);
}

#[tokio::test]
async fn grants_are_listed_and_revoked_and_their_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let (a, b) = (app.confidential_client().await, app.public_client().await);
    let ta = app.tokens_for(&a, "gus@example.com").await;
    let tb = app.tokens_for(&b, "gus@example.com").await;
    let (at_a, at_b) = (
        ta["access_token"].as_str().unwrap(),
        tb["access_token"].as_str().unwrap(),
    );
    let user = jwt_claims(at_a)["sub"].as_str().unwrap().to_string();
    let other = add_user(&app, "hal@example.com").await;

    let r = api.get(&format!("/users/{user}/grants")).await;
    assert_eq!(r.status, StatusCode::OK);
    let grants = r.json["items"].as_array().unwrap().clone();
    assert_eq!(grants.len(), 2);
    assert!(grants
        .iter()
        .all(|g| g["active"] == true && g["client_name"] == "Test App"));
    assert_audited_by_token(&app, "admin_user_grants_listed", &api.token_id).await;
    let gid_a = jwt_claims(at_a)["gid"].as_str().unwrap().to_string();
    assert!(grants.iter().any(|g| g["grant_id"] == gid_a.as_str()));

    // Another person's grant is not found under this one.
    api.delete(&format!("/users/{other}/grants/{gid_a}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
    assert!(userinfo_ok(&app, at_a).await);

    let r = api.delete(&format!("/users/{user}/grants/{gid_a}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let e = assert_audited_by_token(&app, "admin_grant_revoked", &api.token_id).await;
    assert_eq!(e["client_id"], a.id.as_str());
    assert!(!userinfo_ok(&app, at_a).await);
    assert!(userinfo_ok(&app, at_b).await);
    assert_eq!(
        api.delete(&format!("/users/{user}/grants/{gid_a}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.get(&format!("/users/{user}/grants")).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let r = api.delete(&format!("/users/{user}/grants")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["grants_revoked"].as_array().unwrap().len(), 1);
    assert_audited_by_token(&app, "admin_grants_revoked", &api.token_id).await;
    assert!(!userinfo_ok(&app, at_b).await);
    let all = api
        .get(&format!("/users/{user}/grants?include_inactive=true"))
        .await;
    assert!(all.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["active"] == false && g["revoked_at"].is_i64()));
}

#[tokio::test]
async fn an_ended_sign_in_is_refused_even_if_its_browser_session_record_survives() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let browser = Browser::new();
    let t = signed_in(&app, &browser, &client, "jo@example.com").await;
    let user = jwt_claims(t["access_token"].as_str().unwrap())["sub"]
        .as_str()
        .unwrap()
        .to_string();
    let sid = app
        .state
        .store
        .list_sso_sessions(&user, app.state.now(), false, 10)
        .await
        .unwrap()[0]
        .id
        .clone();
    // As if a request in flight had written the browser's record back after an admin
    // ended it: only the row says it ended.
    app.state
        .store
        .mark_sso_session_ended(&sid, app.state.now(), "revoked")
        .await
        .unwrap();
    assert!(!sso_works(&app, &browser, &client).await);
}

//! Groups through the CLI and the admin API: creating them, putting people in them and
//! taking them out, each change audited with its actor; names from a restricted charset;
//! memberships gone with the person or the group.

use reqwest::StatusCode;
use serde_json::{json, Value};
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

fn member_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn cli_creates_groups_and_puts_people_in_them_by_id_or_email() {
    let app = TestApp::spawn().await;
    let alice = add_user(&app, "alice@example.com").await;
    let bob = add_user(&app, "bob@example.com").await;

    let g = cli_json(
        &app,
        &[
            "groups",
            "add",
            "storage.rw",
            "--description",
            "MinIO writers",
        ],
    );
    assert_eq!(g["name"], "storage.rw");
    assert_eq!(g["description"], "MinIO writers");
    assert_eq!(g["members"], 0);
    let m = cli_json(
        &app,
        &["groups", "add-member", "storage.rw", "alice@example.com"],
    );
    assert_eq!(m["user_id"], alice.as_str());
    assert_eq!(
        (m["member"].clone(), m["changed"].clone()),
        (json!(true), json!(true))
    );
    cli_json(&app, &["groups", "add-member", "storage.rw", &bob]);
    let again = cli_json(&app, &["groups", "add-member", "storage.rw", &bob]);
    assert_eq!(again["changed"], false, "adding twice is idempotent");

    let members = cli_json(&app, &["groups", "members", "storage.rw"]);
    assert_eq!(member_ids(&members), [alice.clone(), bob.clone()]);
    let list = cli_json(&app, &["groups", "list"]);
    assert_eq!(list["items"][0]["name"], "storage.rw");
    assert_eq!(list["items"][0]["members"], 2);
    // The server sees it at once.
    assert_eq!(
        app.state.store.groups_of_user(&bob).await.unwrap(),
        ["storage.rw"]
    );

    let out = cli_json(
        &app,
        &["groups", "remove-member", "storage.rw", "bob@example.com"],
    );
    assert_eq!(
        (out["member"].clone(), out["changed"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(
        member_ids(&cli_json(&app, &["groups", "members", "storage.rw"])),
        [alice.as_str()]
    );

    // A table for people, too.
    let (ok, table, err) = run_cli(&app, &["groups", "members", "storage.rw"]);
    assert!(ok, "{err}");
    assert!(table.contains("alice@example.com"), "{table}");

    // Clear errors: a bad name, an unknown person, a duplicate group.
    let (ok, _, err) = run_cli(&app, &["groups", "add", "Storage RW"]);
    assert!(!ok);
    assert!(
        err.contains("name: a group name is 1 to 64 characters"),
        "{err}"
    );
    let (ok, _, err) = run_cli(
        &app,
        &["groups", "add-member", "storage.rw", "nobody@example.com"],
    );
    assert!(
        !ok && err.contains("no user with id nobody@example.com"),
        "{err}"
    );
    let (ok, _, err) = run_cli(&app, &["groups", "add", "storage.rw"]);
    assert!(!ok && err.contains("already exists"), "{err}");

    let removed = cli_json(&app, &["groups", "remove", "storage.rw"]);
    assert_eq!(removed["removed"], true);
    assert!(app
        .state
        .store
        .groups_of_user(&alice)
        .await
        .unwrap()
        .is_empty());

    for kind in [
        "admin_group_created",
        "admin_group_member_added",
        "admin_group_member_removed",
        "admin_group_deleted",
        "admin_groups_listed",
        "admin_group_members_listed",
    ] {
        let e = &events(&app, kind).await[0];
        assert_eq!(e["detail"]["actor"]["type"], "cli", "{kind}: {e:#}");
    }
    let added = events(&app, "admin_group_member_added").await;
    assert_eq!(added.len(), 3);
    assert_eq!(added[0]["detail"]["already_member"], true);
    assert_eq!(added[2]["user_id"], alice.as_str());
    assert_eq!(added[2]["detail"]["group"], "storage.rw");
    let deleted = &events(&app, "admin_group_deleted").await[0];
    assert_eq!(deleted["detail"]["members"], 1);
}

#[tokio::test]
async fn admin_api_creates_groups_and_manages_their_members() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let alice = add_user(&app, "alice@example.com").await;

    let r = api
        .post(
            "/groups",
            json!({"name": "admins", "description": "Operators"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:#}", r.json);
    assert_eq!(r.headers["location"], format!("{API}/groups/admins"));
    assert_eq!(r.json["name"], "admins");
    assert_audited_by_token(&app, "admin_group_created", &api.token_id).await;

    api.post("/groups", json!({"name": "admins"}))
        .await
        .assert_problem(StatusCode::CONFLICT, None);
    for bad in ["Admins", "-x", "a b", "x".repeat(65).as_str()] {
        api.post("/groups", json!({"name": bad}))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("name"));
    }
    api.post("/groups", json!({"name": "x", "colour": "red"}))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, None);

    let r = api.put("/groups/admins/members/alice@example.com").await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);
    assert_eq!(r.json["user_id"], alice.as_str());
    let e = assert_audited_by_token(&app, "admin_group_member_added", &api.token_id).await;
    assert_eq!(e["user_id"], alice.as_str());
    api.put("/groups/admins/members/nobody")
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
    api.put(&format!("/groups/nope/members/{alice}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);

    let r = api.get("/groups/admins/members").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(member_ids(&r.json), [alice.as_str()]);
    let r = api.get("/groups/admins").await;
    assert_eq!(r.json["members"], 1);
    let r = api.get("/groups").await;
    assert_eq!(r.json["items"][0]["name"], "admins");

    let r = api.delete(&format!("/groups/admins/members/{alice}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["member"], false);
    assert_audited_by_token(&app, "admin_group_member_removed", &api.token_id).await;
    assert!(member_ids(&api.get("/groups/admins/members").await.json).is_empty());

    assert_eq!(
        api.delete("/groups/admins").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.delete("/groups/admins").await.status,
        StatusCode::NO_CONTENT
    );
    let e = assert_audited_by_token(&app, "admin_group_deleted", &api.token_id).await;
    assert_eq!(e["detail"]["existed"], false);
    api.get("/groups/admins")
        .await
        .assert_problem(StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn deleting_a_person_or_a_group_removes_their_memberships() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let alice = add_user(&app, "alice@example.com").await;
    let bob = add_user(&app, "bob@example.com").await;
    for g in ["a", "b"] {
        assert_eq!(
            api.post("/groups", json!({"name": g})).await.status,
            StatusCode::CREATED
        );
        for u in [&alice, &bob] {
            assert_eq!(
                api.put(&format!("/groups/{g}/members/{u}")).await.status,
                StatusCode::OK
            );
        }
    }
    assert_eq!(
        api.delete(&format!("/users/{alice}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        member_ids(&api.get("/groups/a/members").await.json),
        [bob.as_str()]
    );
    assert_eq!(api.get("/groups/b").await.json["members"], 1);

    assert_eq!(api.delete("/groups/a").await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.state.store.groups_of_user(&bob).await.unwrap(), ["b"]);
    // A group created again with the same name starts empty.
    api.post("/groups", json!({"name": "a"})).await;
    assert!(member_ids(&api.get("/groups/a/members").await.json).is_empty());
}

//! Groups and person attributes in the console: each action is the operation the admin
//! API uses, and shows in the API's answers.

use reqwest::StatusCode;
use serde_json::json;

use super::common::*;
use crate::admin::common::{events, AdminApi};
use crate::support::*;

#[tokio::test]
async fn groups_are_created_filled_emptied_and_deleted_in_the_console() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let alice = person(&app, "alice@example.com").await;
    let res = post(
        &app,
        &browser,
        "/admin/console/groups",
        &[("name", "staff"), ("description", "Employees")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post(
        &app,
        &browser,
        "/admin/console/groups",
        &[("name", "Not Valid!"), ("description", "")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = post(
        &app,
        &browser,
        "/admin/console/groups/staff/members",
        &[("value", "alice@example.com")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let api = AdminApi::new(&app).await;
    let members = api.get("/groups/staff/members").await.json;
    assert_eq!(members["items"][0]["user_id"], alice.as_str());
    let html = page(&app, &browser, "/admin/console/groups/staff").await;
    assert!(html.contains("alice@example.com") && html.contains("Employees"));
    let e = &events(&app, "admin_group_member_added").await[0];
    assert_eq!(e["detail"]["actor"]["user_id"], root.as_str());
    let res = post(
        &app,
        &browser,
        "/admin/console/groups/staff/members/remove",
        &[("value", &alice)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api.get("/groups/staff/members").await.json["items"],
        json!([])
    );
    let res = post(&app, &browser, "/admin/console/groups/staff/delete", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(api.get("/groups/staff").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_persons_attributes_are_set_and_removed_in_the_console() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let alice = person(&app, "alice@example.com").await;
    let path = format!("/admin/console/people/{alice}/attributes");
    let res = post(
        &app,
        &browser,
        &path,
        &[("name", "minio_policy"), ("value", "readwrite")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let api = AdminApi::new(&app).await;
    let attrs = api.get(&format!("/users/{alice}/attributes")).await.json;
    assert_eq!(attrs["attributes"], json!({"minio_policy": "readwrite"}));
    let html = page(&app, &browser, &format!("/admin/console/people/{alice}")).await;
    assert!(html.contains("minio_policy") && html.contains("readwrite"));
    let e = &events(&app, "admin_user_attribute_set").await[0];
    assert_eq!(e["detail"]["actor"]["user_id"], root.as_str());
    assert!(
        e["detail"].get("value").is_none(),
        "the value is never audited"
    );
    let res = post(
        &app,
        &browser,
        &format!("{path}/unset"),
        &[("name", "minio_policy")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let attrs = api.get(&format!("/users/{alice}/attributes")).await.json;
    assert_eq!(attrs["attributes"], json!({}));
}

//! Person attributes and per-client claim mappings through the CLI and the admin API:
//! set, shown, removed, audited (attribute names, never values); a mapping that would
//! shadow a standard or registered claim is refused with a clear error.

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

fn s(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

#[tokio::test]
async fn cli_sets_person_attributes_and_maps_them_to_a_clients_claims() {
    let app = TestApp::spawn().await;
    let alice = add_user(&app, "alice@example.com").await;
    let v = cli_json(
        &app,
        &[
            "users",
            "set-attribute",
            "alice@example.com",
            "minio_policy",
            "readwrite",
        ],
    );
    assert_eq!(v["user_id"], alice.as_str());
    assert_eq!(v["attributes"], json!({"minio_policy": "readwrite"}));
    cli_json(&app, &["users", "set-attribute", &alice, "team", "storage"]);
    let v = cli_json(&app, &["users", "attributes", &alice]);
    assert_eq!(v["attributes"]["team"], "storage");
    let v = cli_json(&app, &["users", "unset-attribute", &alice, "team"]);
    assert_eq!(v["attributes"], json!({"minio_policy": "readwrite"}));

    let set = &events(&app, "admin_user_attribute_set").await;
    assert_eq!(set.len(), 2);
    assert_eq!(set[1]["detail"]["attribute"], "minio_policy");
    assert_eq!(set[1]["user_id"], alice.as_str());
    assert_eq!(set[1]["detail"]["actor"]["type"], "cli");
    assert!(
        !set[1]["detail"].to_string().contains("readwrite"),
        "the value is not in the trail: {}",
        set[1]
    );
    let unset = &events(&app, "admin_user_attribute_unset").await[0];
    assert_eq!(unset["detail"]["existed"], true);

    let created = cli_json(
        &app,
        &[
            "clients",
            "add",
            "--name",
            "MinIO",
            "--redirect-uri",
            "http://127.0.0.1:9/callback",
            "--claim",
            "policy=minio_policy",
        ],
    );
    let id = s(&created["client_id"]);
    assert_eq!(created["claims"], json!({"policy": "minio_policy"}));
    let updated = cli_json(
        &app,
        &[
            "clients",
            "update",
            &id,
            "--claim",
            "dept=team",
            "--remove-claim",
            "policy",
        ],
    );
    assert_eq!(updated["claims"], json!({"dept": "team"}));
    let e = &events(&app, "admin_client_updated").await[0];
    assert_eq!(e["detail"]["changed"], json!(["claims"]));
    let (ok, out, err) = run_cli(&app, &["clients", "get", &id]);
    assert!(ok, "{err}");
    assert!(out.contains("dept=team"), "{out}");
    let cleared = cli_json(&app, &["clients", "update", &id, "--clear", "claims"]);
    assert_eq!(cleared["claims"], json!({}));

    let (ok, _, err) = run_cli(&app, &["users", "set-attribute", &alice, "Bad Name", "x"]);
    assert!(
        !ok && err.contains("attribute: an attribute name is 1 to 64"),
        "{err}"
    );
    let (ok, _, err) = run_cli(&app, &["clients", "update", &id, "--claim", "policy"]);
    assert!(!ok && err.contains("CLAIM=ATTRIBUTE"), "{err}");
}

#[tokio::test]
async fn admin_api_sets_attributes_and_merges_client_claim_mappings() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let alice = add_user(&app, "alice@example.com").await;
    let r = api
        .call(
            reqwest::Method::PUT,
            &format!("/users/{alice}/attributes/minio_policy"),
            Some(json!({"value": "readwrite"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);
    assert_eq!(r.json["attributes"]["minio_policy"], "readwrite");
    assert_audited_by_token(&app, "admin_user_attribute_set", &api.token_id).await;
    let r = api.get("/users/alice@example.com/attributes").await;
    assert_eq!(r.json["attributes"], json!({"minio_policy": "readwrite"}));
    api.call(
        reqwest::Method::PUT,
        &format!("/users/{alice}/attributes/x"),
        Some(json!({"value": "a\u{0}b"})),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("value"));

    let r = api
        .post(
            "/clients",
            json!({"name": "MinIO", "redirect_uris": ["https://minio.example/cb"],
                   "claims": {"policy": "minio_policy"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:#}", r.json);
    let id = s(&r.json["client_id"]);
    let r = api
        .patch(
            &format!("/clients/{id}"),
            json!({"claims": {"dept": "team", "policy": null}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:#}", r.json);
    assert_eq!(r.json["claims"], json!({"dept": "team"}));
    let e = assert_audited_by_token(&app, "admin_client_updated", &api.token_id).await;
    assert_eq!(e["detail"]["changed"], json!(["claims"]));
    let r = api.get(&format!("/clients/{id}")).await;
    assert_eq!(r.json["claims"], json!({"dept": "team"}));
    let r = api.get("/clients").await;
    let listed = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == id.as_str())
        .unwrap();
    assert_eq!(listed["claims"], json!({"dept": "team"}));
    let r = api
        .patch(&format!("/clients/{id}"), json!({"claims": null}))
        .await;
    assert_eq!(r.json["claims"], json!({}));

    let r = api
        .call(
            reqwest::Method::DELETE,
            &format!("/users/{alice}/attributes/minio_policy"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["attributes"], json!({}));
    assert_audited_by_token(&app, "admin_user_attribute_unset", &api.token_id).await;
}

#[tokio::test]
async fn a_mapped_claim_that_would_shadow_a_standard_or_registered_claim_is_refused() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let r = api
        .post(
            "/clients",
            json!({"name": "App", "redirect_uris": ["https://app.example/cb"]}),
        )
        .await;
    let id = s(&r.json["client_id"]);
    for claim in [
        "sub",
        "iss",
        "aud",
        "email",
        "email_verified",
        "groups",
        "name",
        "sid",
        "nonce",
        "Sub",
        "EMAIL",
        "active",
        "client_id",
        "scope",
        "jti",
        "acr",
        "roles",
    ] {
        let r = api
            .patch(
                &format!("/clients/{id}"),
                json!({"claims": {claim: "minio_policy"}}),
            )
            .await;
        r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("claims"));
        let detail = s(&r.json["detail"]);
        assert!(
            detail.contains("standard or registered claim"),
            "{claim}: {detail}"
        );
        let (ok, _, err) = run_cli(
            &app,
            &[
                "clients",
                "update",
                &id,
                "--claim",
                &format!("{claim}=minio_policy"),
            ],
        );
        assert!(!ok && err.contains("cannot replace it"), "{claim}: {err}");
    }
    let count = |r: Resp| r.json["items"].as_array().unwrap().len();
    let before = count(api.get("/clients").await);
    let r = api
        .post(
            "/clients",
            json!({"name": "Sneaky", "redirect_uris": ["https://app.example/cb"],
                   "claims": {"email": "minio_policy"}}),
        )
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("claims"));
    // Nothing was registered by the refused request.
    assert_eq!(count(api.get("/clients").await), before);
    for bad in ["1policy", "po licy", "pölicy"] {
        api.patch(
            &format!("/clients/{id}"),
            json!({"claims": {bad: "minio_policy"}}),
        )
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("claims"));
    }
    api.patch(
        &format!("/clients/{id}"),
        json!({"claims": {"policy": "Not An Attribute"}}),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, Some("claims"));
    assert_eq!(
        api.get(&format!("/clients/{id}")).await.json["claims"],
        json!({})
    );
    assert!(events(&app, "admin_client_updated").await.is_empty());
}

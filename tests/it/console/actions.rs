//! Console actions on clients, keys, the audit trail, review accounts and admin tokens:
//! each does what the admin API does, through the same operation and its audit event,
//! with the console admin and their IP as the actor.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::common::*;
use crate::admin::common::{cli_ctx, events, AdminApi};
use crate::support::*;

fn assert_by_console(e: &Value, admin: &str) {
    assert_eq!(e["detail"]["actor"]["type"], "console", "{e:#}");
    assert_eq!(e["detail"]["actor"]["user_id"], admin, "{e:#}");
    assert_eq!(e["ip"], "127.0.0.1", "{e:#}");
}

/// Every field a client form carries.
const FORM: &[(&str, &str)] = &[
    ("action", "save"),
    ("name", "Console App"),
    (
        "redirect_uris",
        "https://app.example/cb\nhttps://app.example/cb2",
    ),
    ("pkce", "required"),
    ("id_token_alg", "ES256"),
    ("logo_uri", "https://app.example/logo.png"),
    ("client_uri", "https://app.example/"),
    ("policy_uri", "https://app.example/privacy"),
    ("tos_uri", "https://app.example/terms"),
    ("brand_color", "#3552C8"),
    ("allowed_scopes", "openid email profile"),
    ("access_token_ttl_seconds", "600"),
    ("id_token_ttl_seconds", "300"),
    ("refresh_token_ttl_seconds", "86400"),
    ("backchannel_logout_uri", "https://app.example/logout"),
    ("backchannel_logout_session_required", "on"),
    ("post_logout_redirect_uris", "https://app.example/bye"),
    ("grant_authorization_code", "on"),
    ("grant_refresh_token", "on"),
    ("scope", ""),
    ("claims", "policy=minio_policy"),
];

/// The API's registration with the same fields as [`FORM`].
fn api_body() -> Value {
    json!({
        "name": "Console App",
        "redirect_uris": ["https://app.example/cb", "https://app.example/cb2"],
        "pkce": "required", "first_party": false, "id_token_alg": "ES256",
        "logo_uri": "https://app.example/logo.png", "client_uri": "https://app.example/",
        "policy_uri": "https://app.example/privacy", "tos_uri": "https://app.example/terms",
        "brand_color": "#3552C8", "allowed_scopes": ["openid", "email", "profile"],
        "access_token_ttl_seconds": 600, "id_token_ttl_seconds": 300,
        "refresh_token_ttl_seconds": 86400,
        "backchannel_logout_uri": "https://app.example/logout",
        "backchannel_logout_session_required": true,
        "post_logout_redirect_uris": ["https://app.example/bye"],
        "grant_types": ["authorization_code", "refresh_token"],
        "claims": {"policy": "minio_policy"}
    })
}

fn comparable(mut v: Value) -> Value {
    let o = v.as_object_mut().unwrap();
    for k in ["client_id", "created_at", "updated_at", "client_secret"] {
        o.remove(k);
    }
    v
}

#[tokio::test]
async fn registering_a_client_in_the_console_does_what_the_api_does() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let res = post(&app, &browser, "/admin/console/clients/new", FORM).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("shown only once"), "{html}");
    let secret = shown_secret(&html);
    let id = hidden_code(&html);
    let stored = app.state.store.get_client(&id).await.unwrap().unwrap();
    assert_eq!(
        stored.secret_hash,
        Some(sesame::clients::secret_hash(
            &app.state.secrets,
            &id,
            &secret
        ))
    );
    assert_eq!(
        stored.post_logout_redirect_uris,
        ["https://app.example/bye"]
    );
    assert!(!stored.first_party);

    let api = AdminApi::new(&app).await;
    let by_api = api.post("/clients", api_body()).await;
    assert_eq!(by_api.status, StatusCode::CREATED, "{:#}", by_api.json);
    let by_console = api.get(&format!("/clients/{id}")).await.json;
    assert_eq!(comparable(by_console), comparable(by_api.json));
    let e = &events(&app, "admin_client_created").await;
    assert_by_console(&e[1], &root);
    assert_eq!(e[1]["client_id"], id.as_str());

    // The secret is not shown again: the client's page has none.
    let page_html = page(&app, &browser, &format!("/admin/console/clients/{id}")).await;
    assert!(!page_html.contains(&secret));
}

/// The client id on the page that shows a new secret.
fn hidden_code(html: &str) -> String {
    let start = html.find("<dt>Client id</dt><dd><code>").unwrap() + 28;
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_string()
}

#[tokio::test]
async fn the_client_form_previews_the_branded_sign_in_page_without_saving() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let before = app.state.store.list_clients().await.unwrap().len();
    let mut form = FORM.to_vec();
    form[0] = ("action", "preview");
    let res = post(&app, &browser, "/admin/console/clients/new", &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<section class="preview" id="preview""#));
    assert!(html.contains(r#"Sign in to <span data-preview="name">Console App</span>"#));
    assert!(html.contains(r#"src="https://app.example/logo.png""#));
    assert!(html.contains("/admin/console/preview/3552c8/style.css"));
    assert!(
        html.contains(r#"value="Console App""#),
        "the form keeps what was typed"
    );
    assert_eq!(app.state.store.list_clients().await.unwrap().len(), before);
    let css = browser
        .get(&app.url("/admin/console/preview/3552c8/style.css"))
        .await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css
        .text()
        .await
        .unwrap()
        .contains(".preview { --accent: #3552c8;"));
    let bad = browser
        .get(&app.url("/admin/console/preview/zz;x/style.css"))
        .await;
    assert_eq!(bad.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_client_the_rules_refuse_is_shown_again_with_the_reason() {
    let app = TestApp::spawn().await;
    let (browser, _) = admin_browser(&app).await;
    let before = app.state.store.list_clients().await.unwrap().len();
    let mut form = FORM.to_vec();
    form[2] = ("redirect_uris", "http://app.example/cb");
    let res = post(&app, &browser, "/admin/console/clients/new", &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("redirect_uris"), "{html}");
    assert_eq!(app.state.store.list_clients().await.unwrap().len(), before);
}

#[tokio::test]
async fn a_client_is_edited_searched_and_its_secret_rotated_in_the_console() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (browser, root) = admin_browser(&app).await;
    let path = format!("/admin/console/clients/{}", client.id);
    let html = page(&app, &browser, &path).await;
    assert!(html.contains(&client.id));

    let res = post(
        &app,
        &browser,
        &path,
        &[
            ("action", "save"),
            ("name", "Renamed"),
            ("redirect_uris", &client.redirect_uri),
            ("pkce", "required"),
            ("first_party", "on"),
            ("brand_color", "#112233"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let c = app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.name, "Renamed");
    assert_eq!(c.meta.brand_color.as_deref(), Some("#112233"));
    let e = &events(&app, "admin_client_updated").await[0];
    assert_by_console(e, &root);
    assert!(e["detail"]["changed"]
        .as_array()
        .unwrap()
        .contains(&json!("name")));

    let html = page(&app, &browser, "/admin/console/clients?q=renam").await;
    assert!(html.contains("Renamed"));
    let html = page(&app, &browser, "/admin/console/clients?q=nothing-like-it").await;
    assert!(!html.contains("Renamed"));

    let before = c.secret_hash.clone();
    let res = post(&app, &browser, &format!("{path}/secret"), &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let secret = shown_secret(&res.text().await.unwrap());
    let after = app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(after.secret_hash, before);
    assert_eq!(
        after.secret_hash,
        Some(sesame::clients::secret_hash(
            &app.state.secrets,
            &client.id,
            &secret
        ))
    );
    assert_by_console(&events(&app, "admin_client_secret_rotated").await[0], &root);
}

#[tokio::test]
async fn deleting_a_client_asks_for_confirmation_then_does_what_the_api_does() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (browser, root) = admin_browser(&app).await;
    let path = format!("/admin/console/clients/{}/delete", client.id);
    let html = page(&app, &browser, &path).await;
    assert!(html.contains("Delete this client?"));
    assert!(app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .is_some());
    let res = post(&app, &browser, &path, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(app
        .state
        .store
        .get_client(&client.id)
        .await
        .unwrap()
        .is_none());
    let e = &events(&app, "admin_client_deleted").await[0];
    assert_by_console(e, &root);
    assert_eq!(e["detail"]["existed"], true);
    let html = page(&app, &browser, "/admin/console/clients").await;
    assert!(html.contains("Client deleted."));
}

#[tokio::test]
async fn the_overview_counts_what_the_api_counts() {
    let app = TestApp::spawn().await;
    app.confidential_client().await;
    let (browser, root) = admin_browser(&app).await;
    let html = page(&app, &browser, HOME).await;
    let api = AdminApi::new(&app).await;
    let o = api.get("/overview").await.json;
    assert_eq!(o["sign_ins_last_day"], 1, "{o:#}");
    for (n, what) in [
        (&o["users"], "people"),
        (&o["clients"], "clients"),
        (&o["sign_ins_last_day"], "sign-ins in the last day"),
        (&o["outbox_failed"], "failed deliveries"),
    ] {
        assert!(
            html.contains(&format!("<strong>{n}</strong> {what}")),
            "{what}: {html}"
        );
    }
    assert_eq!(o["keys"].as_array().unwrap().len(), 2);
    for k in o["keys"].as_array().unwrap() {
        assert!(html.contains(k["kid"].as_str().unwrap()));
    }
    assert_by_console(&events(&app, "admin_overview_viewed").await[1], &root);
}

#[tokio::test]
async fn keys_are_listed_and_rotated_in_the_console() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let before = app.state.store.all_keys().await.unwrap();
    let html = page(&app, &browser, "/admin/console/keys").await;
    for k in &before {
        assert!(html.contains(&k.kid));
    }
    let res = post(
        &app,
        &browser,
        "/admin/console/keys/rotate",
        &[("value", "ES256")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = app.state.store.all_keys().await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let new = after
        .iter()
        .find(|k| !before.iter().any(|b| b.kid == k.kid))
        .unwrap();
    assert_eq!(new.alg, "ES256");
    let e = &events(&app, "admin_key_rotated").await[0];
    assert_by_console(e, &root);
    assert_eq!(
        e["detail"]["prepublish_seconds"],
        app.state.config.keys.prepublish_seconds
    );
    let html = page(&app, &browser, "/admin/console/keys").await;
    assert!(html.contains(&new.kid) && html.contains("New keys published"));
}

#[tokio::test]
async fn the_audit_trail_is_filtered_and_paged_in_the_console() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    for _ in 0..3 {
        page(&app, &browser, "/admin/console/keys").await;
    }
    let html = page(
        &app,
        &browser,
        "/admin/console/audit?kind=admin_keys_listed&user_id=&client_id=&since=&until=&limit=2",
    )
    .await;
    assert_eq!(
        html.matches("<td>admin_keys_listed</td>").count(),
        2,
        "{html}"
    );
    assert!(!html.contains("<td>admin_console_signed_in</td>"));
    let start = html.find("href=\"/admin/console/audit?").unwrap() + 6;
    let end = html[start..].find('"').unwrap() + start;
    let next = html[start..end].replace("&#38;", "&").replace("&amp;", "&");
    let html = page(&app, &browser, &next).await;
    assert_eq!(
        html.matches("<td>admin_keys_listed</td>").count(),
        1,
        "{html}"
    );
    let html = page(
        &app,
        &browser,
        &format!("/admin/console/audit?user_id={root}"),
    )
    .await;
    assert!(html.contains("<td>admin_console_signed_in</td>"));
    let res = browser
        .get(&app.url("/admin/console/audit?since=yesterday"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("is not a date"));
    let e = &events(&app, "admin_audit_read").await[0];
    assert_by_console(e, &root);
}

#[tokio::test]
async fn review_accounts_are_added_and_removed_in_the_console() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let until = sesame::admin::ops::format_time(app.state.now() + 10 * 86_400);
    let res = post(
        &app,
        &browser,
        "/admin/console/review",
        &[
            ("identifier", "reviewer@example.com"),
            ("code", "123456"),
            ("until", &until),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let api = AdminApi::new(&app).await;
    let listed = api.get("/review-accounts").await.json;
    assert_eq!(listed["items"][0]["identifier"], "reviewer@example.com");
    assert_by_console(&events(&app, "admin_review_account_added").await[0], &root);
    let res = post(
        &app,
        &browser,
        "/admin/console/review",
        &[
            ("identifier", "x@example.com"),
            ("code", "12"),
            ("until", &until),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("6 digits"));
    let res = post(
        &app,
        &browser,
        "/admin/console/review/remove",
        &[("value", "reviewer@example.com")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(api.get("/review-accounts").await.json["items"], json!([]));
}

#[tokio::test]
async fn an_admin_token_created_in_the_console_is_shown_once_works_and_is_revoked() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let res = post(&app, &browser, "/admin/console/tokens", &[("value", "ci")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let token = shown_secret(&res.text().await.unwrap());
    assert!(token.starts_with("sesame_admin_"));
    let api = AdminApi::new(&app).await.with_token(Some(&token));
    assert_eq!(api.get("/keys").await.status, StatusCode::OK);
    let html = page(&app, &browser, "/admin/console/tokens").await;
    assert!(html.contains(">ci<") && !html.contains(&token));
    let id = sesame::admin::auth::list_tokens(&cli_ctx(&app))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "ci")
        .unwrap()
        .id;
    let res = post(
        &app,
        &browser,
        "/admin/console/tokens/revoke",
        &[("value", &id)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(api.get("/keys").await.status, StatusCode::UNAUTHORIZED);
    let created = events(&app, "admin_token_created").await;
    assert_by_console(
        created
            .iter()
            .find(|e| e["detail"]["name"] == "ci")
            .unwrap(),
        &root,
    );
    assert_by_console(&events(&app, "admin_token_revoked").await[0], &root);
}

#[tokio::test]
async fn a_webhook_added_in_the_console_does_what_the_api_does_and_shows_its_secret_once() {
    let app = TestApp::spawn().await;
    let (browser, root) = admin_browser(&app).await;
    let api = AdminApi::new(&app).await;
    // Refused: plain http off localhost, shown on the page, nothing created.
    let res = post(
        &app,
        &browser,
        "/admin/console/webhooks",
        &[("url", "http://hooks.example/in"), ("person_created", "on")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("https"));
    assert_eq!(api.get("/webhooks").await.json["items"], json!([]));

    let res = post(
        &app,
        &browser,
        "/admin/console/webhooks",
        &[
            ("url", "https://hooks.example/in"),
            ("person_created", "on"),
            ("client_changed", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let secret = shown_secret(&res.text().await.unwrap());
    assert!(secret.starts_with("whsec_"), "{secret}");
    let listed = api.get("/webhooks").await.json["items"].clone();
    assert_eq!(listed[0]["url"], "https://hooks.example/in");
    assert_eq!(
        listed[0]["events"],
        json!(["person.created", "client.changed"])
    );
    let id = listed[0]["id"].as_str().unwrap().to_string();
    let html = page(&app, &browser, "/admin/console/webhooks").await;
    assert!(html.contains(&id) && !html.contains(&secret), "{html}");
    assert_by_console(&events(&app, "admin_webhook_created").await[0], &root);

    let res = post(
        &app,
        &browser,
        "/admin/console/webhooks/remove",
        &[("id", &id)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(api.get("/webhooks").await.json["items"], json!([]));
    let removed = events(&app, "admin_webhook_removed").await;
    assert_by_console(&removed[0], &root);
    assert_eq!(removed[0]["detail"]["existed"], true);
}

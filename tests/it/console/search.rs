//! Finding a client among many: the console's search and the admin API's `search` look at
//! every client, not one page of them.

use reqwest::StatusCode;
use serde_json::json;

use super::common::*;
use crate::admin::common::*;
use crate::support::*;

/// Registers `n` clients named `Filler <i>`, then `last` (so it is the newest).
async fn many_clients(api: &AdminApi, n: usize, last: &str) {
    for i in 0..n {
        let r = api
            .post(
                "/clients",
                json!({ "name": format!("Filler {i}"), "redirect_uris": ["https://app.example/cb"] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    }
    let r = api
        .post(
            "/clients",
            json!({ "name": last, "redirect_uris": ["https://app.example/cb"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
}

#[tokio::test]
async fn the_console_search_finds_a_client_beyond_the_first_page() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    many_clients(&api, 60, "Zebra Payroll").await;
    let (browser, _) = admin_browser(&app).await;
    let html = page(&app, &browser, "/admin/console/clients").await;
    assert!(html.contains("Next page"), "the first page shows 50 of 61");
    // A client the first page does not show (clients made in the same second are ordered
    // by their random id).
    let beyond = (0..60)
        .map(|i| format!("Filler {i}<"))
        .find(|name| !html.contains(name.as_str()))
        .expect("a client beyond the first page");
    let name = beyond.trim_end_matches('<');
    let html = page(
        &app,
        &browser,
        &format!("/admin/console/clients?q={}", name.replace(' ', "+")),
    )
    .await;
    assert!(html.contains(&beyond), "{html}");
    let html = page(&app, &browser, "/admin/console/clients?q=zebra").await;
    assert!(html.contains("Zebra Payroll"), "{html}");
    assert!(!html.contains("Filler"), "{html}");
    let html = page(&app, &browser, "/admin/console/clients?q=nothing-like-it").await;
    assert!(html.contains("No clients match"), "{html}");
}

#[tokio::test]
async fn the_api_search_matches_names_and_ids_and_takes_wildcards_literally() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    many_clients(&api, 3, "100% Organic_Shop").await;
    let r = api.get("/clients?search=organic_shop").await;
    assert_eq!(r.status, StatusCode::OK);
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{:?}", r.json);
    assert_eq!(items[0]["name"], "100% Organic_Shop");
    let id = items[0]["client_id"].as_str().unwrap().to_owned();
    // `%` and `_` are letters here, not wildcards.
    let r = api.get("/clients?search=%25").await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1, "{:?}", r.json);
    let r = api.get("/clients?search=filler_").await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 0, "{:?}", r.json);
    // By client id, in any case.
    let r = api
        .get(&format!("/clients?search={}", id.to_uppercase()))
        .await;
    let found: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["client_id"].as_str())
        .collect();
    assert!(found.contains(&id.as_str()), "{:?}", r.json);
    // Pages of a search.
    let r = api.get("/clients?search=filler&limit=2").await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 2);
    let next = r.json["next_cursor"].as_str().unwrap().to_owned();
    let r = api
        .get(&format!("/clients?search=filler&limit=2&cursor={next}"))
        .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1, "{:?}", r.json);
    let long = "x".repeat(101);
    let r = api.get(&format!("/clients?search={long}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.json);
}

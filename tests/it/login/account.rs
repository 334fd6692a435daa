//! The profile page: a signed-in person sets the profile claims apps may see.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::*;

const EMAIL: &str = "account@example.com";

#[tokio::test]
async fn a_person_sets_their_name_and_apps_with_the_profile_scope_see_it() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let before = app
        .plan_tokens(&browser, &client, &with_scope("openid profile"), EMAIL)
        .await;
    let info: Value = app
        .userinfo(before["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert!(info.get("name").is_none(), "empty by default: {info}");
    let res = browser.get(&app.url("/account/profile")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    let res = browser
        .post_form(
            &app.url("/account/profile"),
            &[
                ("csrf", &csrf),
                ("name", "Grace Hopper"),
                ("given_name", "Grace"),
                ("family_name", "Hopper"),
                ("website", "https://grace.example"),
                ("birthdate", "1906-12-09"),
                ("address", "Arlington, Virginia"),
                ("country", "US"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = browser
        .get(&location(&res, &app.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Your profile is saved"));
    assert!(page.contains("value=\"Grace Hopper\""));
    let back = app
        .authorize_silently(&browser, &client, &with_scope("openid profile address"))
        .await;
    let tokens = app.redeem(&client, &back, None).await;
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["name"], "Grace Hopper");
    let info: Value = app
        .userinfo(tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["family_name"], "Hopper");
    assert_eq!(info["website"], "https://grace.example");
    assert_eq!(info["address"]["country"], "US");
    // Without the scope, nothing of it.
    let back = app
        .authorize_silently(&browser, &client, &with_scope("openid"))
        .await;
    let tokens = app.redeem(&client, &back, None).await;
    let info: Value = app
        .userinfo(tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert!(
        info.get("name").is_none() && info.get("address").is_none(),
        "{info}"
    );
}

#[tokio::test]
async fn bad_profile_values_are_explained_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    app.plan_tokens(&browser, &client, &AuthParams::default(), EMAIL)
        .await;
    let html = browser
        .get(&app.url("/account/profile"))
        .await
        .text()
        .await
        .unwrap();
    let csrf = hidden(&html, "csrf");
    let res = browser
        .post_form(
            &app.url("/account/profile"),
            &[
                ("csrf", &csrf),
                ("name", "Valid Name"),
                ("website", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let page = res.text().await.unwrap();
    assert!(page.contains("enter a full https:// address"), "{page}");
    let user = app.user_id(EMAIL).await;
    let stored = app.state.store.get_profile(&user).await.unwrap().unwrap();
    assert_eq!(stored.name, None);
    let forged = browser
        .post_form(
            &app.url("/account/profile"),
            &[("csrf", "forged"), ("name", "X")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_profile_page_needs_a_signed_in_browser() {
    let app = TestApp::spawn().await;
    let res = Browser::new().get(&app.url("/account/profile")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.text().await.unwrap().contains("You are not signed in"));
}

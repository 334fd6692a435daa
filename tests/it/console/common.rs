//! Helpers for the console stories: making someone an admin, signing in to the console
//! with a real code from the real SMTP listener, and reading its forms.

use reqwest::StatusCode;
use sesame::store::users::Channel;

use crate::admin::common::cli_ctx;
use crate::support::*;

pub const HOME: &str = "/admin/console/";

/// A person who exists (signed in once somewhere); returns their id.
pub async fn person(app: &TestApp, email: &str) -> String {
    let id = format!("u-{}", email.replace(['@', '.'], "-"));
    app.state
        .store
        .user_signed_in(Channel::Email, email, &id, true, app.state.now())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Makes `email` a console admin the way `sesame admins add` does; returns their id.
pub async fn make_admin(app: &TestApp, email: &str) -> String {
    sesame::admin::ops::admins::add_admin(&cli_ctx(app), email)
        .await
        .unwrap()
        .user_id
}

/// Signs in to the console with a code; returns where the console sent the browser.
pub async fn console_sign_in(app: &TestApp, browser: &Browser, email: &str) -> String {
    let res = browser.get(&app.url("/admin/console/sign-in")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let url = location(&res, &app.base);
    assert!(url.starts_with(&app.url("/login?tx=")), "{url}");
    let res = browser.get(&url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("admin console"), "{html}");
    let page = LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url,
        html,
    };
    let code = app.request_code(browser, &page, email).await;
    let res = app.submit_code(browser, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &app.base);
    assert_eq!(back, app.url("/admin/console/signed-in"));
    let res = browser.get(&back).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    location(&res, &app.base)
}

/// An app with an admin signed in to the console in `browser`.
pub async fn admin_browser(app: &TestApp) -> (Browser, String) {
    let id = make_admin(app, "root@example.com").await;
    let browser = Browser::new();
    let to = console_sign_in(app, &browser, "root@example.com").await;
    assert_eq!(to, app.url(HOME));
    (browser, id)
}

/// A console page's HTML (asserting 200).
pub async fn page(app: &TestApp, browser: &Browser, path: &str) -> String {
    let res = browser.get(&app.url(path)).await;
    let status = res.status();
    let html = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {html}");
    html
}

/// The anti-CSRF token of the console's forms.
pub async fn csrf(app: &TestApp, browser: &Browser) -> String {
    hidden(&page(app, browser, HOME).await, "csrf")
}

/// Posts a console form with the session's token.
pub async fn post(
    app: &TestApp,
    browser: &Browser,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf(app, browser).await;
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(form);
    browser.post_form(&app.url(path), &all).await
}

/// The text between `<code class="secret" id="secret">` and `</code>`.
pub fn shown_secret(html: &str) -> String {
    let start = html
        .find("id=\"secret\">")
        .unwrap_or_else(|| panic!("no secret shown:\n{html}"))
        + "id=\"secret\">".len();
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_string()
}

//! `response_mode=form_post` (OAuth 2.0 Form Post Response Mode): the authorization
//! response, success or error, is a page whose form the browser posts to the registered
//! redirect URI, under a Content-Security-Policy that lets the form go to that origin only.

use reqwest::{Response, StatusCode};

use crate::support::*;

const PERSON: &str = "poster@example.com";

/// The form of a form-post page: its action and its hidden fields, unescaped.
struct PostedForm {
    action: String,
    fields: Vec<(String, String)>,
    csp: String,
    html: String,
}

impl PostedForm {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn unescape(s: &str) -> String {
    [
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#x27;", "'"),
        ("&#39;", "'"),
        ("&lt;", "<"),
        ("&#60;", "<"),
        ("&gt;", ">"),
        ("&#62;", ">"),
        ("&amp;", "&"),
        ("&#38;", "&"),
    ]
    .iter()
    .fold(s.to_string(), |acc, (from, to)| acc.replace(from, to))
}

/// The value of an attribute in the first element that starts with `tag_start`.
fn attr(html: &str, tag_start: &str, name: &str) -> String {
    let at = html
        .find(tag_start)
        .unwrap_or_else(|| panic!("no {tag_start} in {html}"));
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    let needle = format!("{name}=\"");
    let start = tag.find(&needle).unwrap() + needle.len();
    let end = tag[start..].find('"').unwrap() + start;
    unescape(&tag[start..end])
}

async fn form_post_page(res: Response) -> PostedForm {
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a form-post page, not a redirect"
    );
    assert!(res.headers().get("location").is_none());
    let csp = res
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let html = res.text().await.unwrap();
    let action = attr(&html, "<form method=\"post\"", "action");
    let mut fields = Vec::new();
    let mut rest = html.as_str();
    while let Some(i) = rest.find("<input type=\"hidden\"") {
        let tag = &rest[i..];
        fields.push((attr(tag, "<input", "name"), attr(tag, "<input", "value")));
        rest = &tag[1..];
    }
    PostedForm {
        action,
        fields,
        csp,
        html,
    }
}

fn form_post(extra: &[(&str, &str)]) -> AuthParams {
    let mut all = vec![("response_mode", "form_post")];
    all.extend_from_slice(extra);
    params_with(&all)
}

/// Signs in with the code pages; returns the answer to the code's submission.
async fn sign_in_answer(app: &TestApp, browser: &Browser, auth_url: &str) -> Response {
    let page = app.open_login(browser, auth_url).await;
    let code = app.request_code(browser, &page, PERSON).await;
    app.submit_code(browser, &page, &code).await
}

#[tokio::test]
async fn form_post_carries_code_state_and_iss_in_hidden_fields_to_the_registered_redirect_uri() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let p = form_post(&[]);
    let answer = sign_in_answer(&app, &browser, &authorize_url(&app, &client, &p)).await;
    let form = form_post_page(answer).await;
    assert_eq!(form.action, client.redirect_uri);
    assert_eq!(form.get("state"), Some(p.state.as_str()));
    assert_eq!(form.get("iss"), Some(app.base.as_str()));
    let names: Vec<&str> = form.fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["code", "state", "iss"]);
    assert!(form
        .html
        .contains("<button type=\"submit\">Continue</button>"));
    // The code is a real one.
    let res = app.exchange(&client, form.get("code").unwrap(), None).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Single sign-on answers the same way, straight from /authorize.
    let again = form_post(&[]);
    let res = app.authorize(&browser, &client, &again).await;
    let form = form_post_page(res).await;
    assert_eq!(form.get("state"), Some(again.state.as_str()));
    assert!(form.get("code").is_some());
}

#[tokio::test]
async fn the_form_post_page_may_post_only_to_the_redirect_uri_origin_and_runs_no_inline_script() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let answer = sign_in_answer(
        &app,
        &browser,
        &authorize_url(&app, &client, &form_post(&[])),
    )
    .await;
    let form = form_post_page(answer).await;
    let directives: Vec<&str> = form.csp.split(';').map(str::trim).collect();
    assert!(
        directives.contains(&"form-action http://127.0.0.1:9"),
        "{}",
        form.csp
    );
    assert!(directives.contains(&"script-src 'self'"), "{}", form.csp);
    assert!(directives.contains(&"default-src 'none'"), "{}", form.csp);
    assert!(!form.csp.contains("unsafe-inline"), "{}", form.csp);
    assert!(!form.csp.contains("https:;") && !form.csp.contains("form-action 'self' http:"));
    // The script is a file of our own origin, not inline.
    let src = attr(&form.html, "<script", "src");
    assert_eq!(src, "/static/form_post.js");
    assert!(!form.html.contains("<script>"), "{}", form.html);
    let js = browser.get(&app.url(&src)).await;
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(js.text().await.unwrap().contains("form-post"));
    // Other pages keep the general policy.
    let login = browser
        .get(&authorize_url(&app, &client, &AuthParams::default()))
        .await;
    let csp = login.headers()["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("script-src"), "{csp}");
}

#[tokio::test]
async fn form_post_errors_are_posted_too() {
    let app = TestApp::spawn().await;
    // login_required with prompt=none and nobody signed in.
    let client = app.plan_client().await;
    let p = form_post(&[("prompt", "none")]);
    let res = app.authorize(&Browser::new(), &client, &p).await;
    let form = form_post_page(res).await;
    assert_eq!(form.action, client.redirect_uri);
    assert_eq!(form.get("error"), Some("login_required"));
    assert_eq!(form.get("state"), Some(p.state.as_str()));
    assert_eq!(form.get("iss"), Some(app.base.as_str()));
    assert!(form.get("code").is_none());

    // access_denied when the person declines a third-party app.
    let third = app.third_party_client().await;
    let browser = Browser::new();
    let p = form_post(&[]);
    let answer = sign_in_answer(&app, &browser, &authorize_url(&app, &third, &p)).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let consent = browser.get(&location(&answer, &app.base)).await;
    let html = consent.text().await.unwrap();
    let res = browser
        .post_form(
            &app.url("/consent"),
            &[
                ("tx", &hidden(&html, "tx")),
                ("csrf", &hidden(&html, "csrf")),
                ("decision", "deny"),
            ],
        )
        .await;
    let form = form_post_page(res).await;
    assert_eq!(form.get("error"), Some("access_denied"));
    assert_eq!(form.get("state"), Some(p.state.as_str()));
}

#[tokio::test]
async fn a_hostile_state_cannot_inject_markup_into_the_form_post_page() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let hostile = r#""><script>alert(1)</script><input name="code" value="x"#;
    let p = AuthParams {
        state: hostile.into(),
        ..form_post(&[("prompt", "none")])
    };
    let res = app.authorize(&Browser::new(), &client, &p).await;
    let form = form_post_page(res).await;
    assert!(!form.html.contains("<script>alert"), "{}", form.html);
    assert_eq!(form.get("state"), Some(hostile));
    assert!(form.get("code").is_none(), "no field was injected");
    assert_eq!(form.fields.len(), 4, "error, error_description, state, iss");
}

#[tokio::test]
async fn form_post_to_an_unregistered_redirect_uri_is_a_page_and_discovery_lists_the_mode() {
    let app = TestApp::spawn().await;
    let client = app.plan_client().await;
    let stranger = TestClient {
        redirect_uri: "https://evil.example/cb".into(),
        ..client.clone()
    };
    let res = app
        .authorize(&Browser::new(), &stranger, &form_post(&[]))
        .await;
    let html = expect_error_page(res, StatusCode::BAD_REQUEST).await;
    assert!(!html.contains("evil.example/cb\""), "{html}");
    let doc: serde_json::Value = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["response_modes_supported"],
        serde_json::json!(["query", "form_post"])
    );
}

#[tokio::test]
async fn the_form_post_page_speaks_the_deployments_own_words_in_the_sign_ins_language() {
    let (app, _catalogs) = spawn_with_catalogs(&[
        ("de", "brand.ftl", "form-post-submit = Weiter zur App\n"),
        ("en", "brand.ftl", "form-post-submit = Back to the app\n"),
    ])
    .await;
    let client = app.plan_client().await;
    let browser = Browser::new();
    let p = form_post(&[("ui_locales", "de")]);
    let answer = sign_in_answer(&app, &browser, &authorize_url(&app, &client, &p)).await;
    let form = form_post_page(answer).await;
    assert!(form.html.contains(r#"<html lang="de""#), "{}", form.html);
    assert!(
        form.html
            .contains("<button type=\"submit\">Weiter zur App</button>"),
        "{}",
        form.html
    );
    // An error answered straight from /authorize too.
    let p = form_post(&[("prompt", "none")]);
    let res = app.authorize(&Browser::new(), &client, &p).await;
    let form = form_post_page(res).await;
    assert_eq!(form.get("error"), Some("login_required"));
    assert!(
        form.html
            .contains("<button type=\"submit\">Back to the app</button>"),
        "{}",
        form.html
    );
    app.stop().await;
}

//! Helpers shared by the story modules: building requests, asserting error pages,
//! error redirects and RFC 6749 5.2 errors, and short-cuts through a sign-in.

use reqwest::header::LOCATION;
use reqwest::{Response, StatusCode};
use sesame::clients::NewClient;
use url::Url;

use super::*;

/// A URL under the server with the given query pairs, in order (repeats allowed).
pub fn url_with(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = Url::parse(&app.url(path)).unwrap();
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    url.to_string()
}

/// Asserts a person-facing error page: the status, HTML, and no redirect anywhere.
pub async fn expect_error_page(res: Response, status: StatusCode) -> String {
    assert_eq!(res.status(), status, "unexpected status for an error page");
    assert!(
        res.headers().get(LOCATION).is_none(),
        "an error page must never redirect, got Location {:?}",
        res.headers().get(LOCATION)
    );
    let ct = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(
        ct.starts_with("text/html"),
        "error pages are HTML, got {ct}"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>"), "a page with a title: {html}");
    html
}

/// Asserts an RFC 6749 4.1.2.1 error redirect to the client and returns its query.
pub fn expect_error_redirect(
    res: &Response,
    app: &TestApp,
    client: &TestClient,
    error: &str,
    state: Option<&str>,
) -> String {
    assert!(
        res.status().is_redirection(),
        "expected an error redirect, got {}",
        res.status()
    );
    let back = location(res, &app.base);
    assert!(
        back.starts_with(&format!("{}?", client.redirect_uri)),
        "redirects only to the registered URI: {back}"
    );
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some(error),
        "{back}"
    );
    assert!(query_param(&back, "error_description").is_some(), "{back}");
    assert_eq!(query_param(&back, "state").as_deref(), state, "{back}");
    assert_eq!(
        query_param(&back, "iss").as_deref(),
        Some(app.base.as_str()),
        "RFC 9207 iss on error redirects: {back}"
    );
    assert!(query_param(&back, "code").is_none(), "{back}");
    back
}

/// Asserts an RFC 6749 5.2 JSON error with `Cache-Control: no-store`; returns the body.
pub async fn expect_oauth_error(
    res: Response,
    status: StatusCode,
    error: &str,
) -> serde_json::Value {
    assert_eq!(res.status(), status);
    assert_eq!(
        res.headers()
            .get(reqwest::header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    let ct = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{ct}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert!(
        body["error_description"].is_string(),
        "error_description is a string: {body}"
    );
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert!(
        keys.iter()
            .all(|k| *k == "error" || *k == "error_description" || *k == "error_uri"),
        "only RFC 6749 5.2 members: {body}"
    );
    body
}

/// A client registered with the given spec; the test knows its redirect URI.
pub async fn client_from(app: &TestApp, spec: NewClient) -> TestClient {
    let redirect_uri = spec.redirect_uris[0].clone();
    let reg = app.register_client(spec).await;
    TestClient {
        id: reg.client_id,
        secret: reg.client_secret,
        redirect_uri,
    }
}

/// The spec of a first-party client named `name` with the test redirect URI.
pub fn client_spec(name: &str, public: bool, pkce_required: bool, alg: &str) -> NewClient {
    NewClient {
        name: name.into(),
        redirect_uris: vec!["http://127.0.0.1:9/callback".into()],
        public,
        pkce_required,
        first_party: true,
        id_token_alg: alg.parse().unwrap(),
        ..NewClient::default()
    }
}

impl TestApp {
    /// Number of audit events of `kind`.
    pub async fn audit_count(&self, kind: &str) -> usize {
        self.state
            .store
            .audit_events(0, Some(kind), 10_000)
            .await
            .unwrap()
            .len()
    }

    /// The stored login transaction (as the server sees it now).
    pub async fn login_tx(&self, tx: &str) -> sesame::store::login::LoginTx {
        self.state
            .store
            .get_login_tx(&tx_id(tx), self.state.now())
            .await
            .unwrap()
            .expect("the login transaction exists")
    }

    /// Opens the login page and asks for a code; returns the page and the code.
    pub async fn code_page(
        &self,
        browser: &Browser,
        client: &TestClient,
        email: &str,
    ) -> (LoginPage, String) {
        let p = AuthParams {
            challenge: Some(pkce_pair().1),
            ..Default::default()
        };
        let page = self
            .open_login(browser, &authorize_url(self, client, &p))
            .await;
        let code = self.request_code(browser, &page, email).await;
        (page, code)
    }

    /// GETs the login page of a transaction and returns its HTML (status checked).
    pub async fn login_html(&self, browser: &Browser, tx: &str) -> String {
        let res = browser.get(&self.url(&format!("/login?tx={tx}"))).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap()
    }

    /// A sign-in through `client` and the code exchange; returns (tokens, nonce).
    pub async fn tokens_with_nonce(
        &self,
        client: &TestClient,
        email: &str,
        scope: &str,
    ) -> (serde_json::Value, String) {
        let browser = Browser::new();
        let (verifier, challenge) = pkce_pair();
        let p = AuthParams {
            challenge: Some(challenge),
            scope: scope.into(),
            ..Default::default()
        };
        let back = self
            .sign_in(&browser, &authorize_url(self, client, &p), email)
            .await;
        let code = query_param(&back, "code").unwrap();
        let res = self.exchange(client, &code, Some(&verifier)).await;
        assert_eq!(res.status(), StatusCode::OK);
        (res.json().await.unwrap(), p.nonce)
    }

    /// Signs in and returns an unused authorization code with its PKCE verifier.
    pub async fn fresh_code(&self, client: &TestClient, email: &str) -> (String, String) {
        let browser = Browser::new();
        let (verifier, challenge) = pkce_pair();
        let p = AuthParams {
            challenge: Some(challenge),
            ..Default::default()
        };
        let back = self
            .sign_in(&browser, &authorize_url(self, client, &p), email)
            .await;
        (query_param(&back, "code").unwrap(), verifier)
    }

    /// POSTs a form to the token endpoint with no client authentication header.
    pub async fn post_token(&self, form: &[(&str, &str)]) -> Response {
        reqwest::Client::new()
            .post(self.url("/token"))
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// The text between `<h1>` and `</h1>`.
pub fn h1(html: &str) -> String {
    let start = html.find("<h1>").expect("an <h1>") + 4;
    let end = html[start..].find("</h1>").unwrap() + start;
    html[start..end].to_string()
}

// ---------------------------------------------------------------------------
// The development demo relying party at `/`.

/// Starts the demo sign-in in `browser` and returns the login page it lands on.
pub async fn demo_start(base: &str, browser: &Browser) -> LoginPage {
    let res = browser.get(&format!("{base}/")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Try it: sign in to the demo app"), "{html}");
    let csrf = hidden(&html, "csrf");
    let res = browser
        .post_form(&format!("{base}/demo/start"), &[("csrf", &csrf)])
        .await;
    let auth = location(&res, base);
    assert!(auth.starts_with(&format!("{base}/authorize?")), "{auth}");
    assert_eq!(
        query_param(&auth, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let res = browser.get(&auth).await;
    let login = location(&res, base);
    let html = browser.get(&login).await.text().await.unwrap();
    assert!(html.contains("Sign in to Demo app"), "{html}");
    LoginPage {
        tx: hidden(&html, "tx"),
        csrf: hidden(&html, "csrf"),
        url: login,
        html,
    }
}

/// Finishes the demo sign-in with `code`; returns the result page.
pub async fn demo_finish(base: &str, browser: &Browser, page: &LoginPage, code: &str) -> String {
    let res = browser
        .post_form(
            &format!("{base}/login/verify"),
            &[("tx", &page.tx), ("csrf", &page.csrf), ("code", code)],
        )
        .await;
    let back = location(&res, base);
    assert!(
        back.starts_with(&format!("{base}/demo/callback?")),
        "{back}"
    );
    let res = browser.get(&back).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

pub fn assert_demo_result(html: &str, email: &str) {
    assert!(html.contains("You are signed in"), "{html}");
    let html = &html.replace("&#34;", "\"").replace("&quot;", "\"");
    let claims = html.split(r#"id="id-token-claims">"#).nth(1).unwrap();
    let claims = claims.split("</pre>").next().unwrap();
    let userinfo = html.split(r#"id="userinfo">"#).nth(1).unwrap();
    for needle in [
        "\"iss\"",
        "\"sub\"",
        "\"amr\"",
        "\"nonce\"",
        "\"otp\"",
        email,
    ] {
        assert!(
            claims.contains(needle),
            "ID token claims show {needle}: {claims}"
        );
    }
    assert!(
        userinfo.contains(email) && userinfo.contains("\"sub\""),
        "{userinfo}"
    );
}

/// "Send a new code" always answers 303 back to the code page, where the outcome is shown
/// once (so a reload sends nothing). Returns the 303's `Retry-After` (0 when absent) and
/// the page it leads to.
/// "Send a new code", then waits for its delivery to be over (sent or failed), then
/// shows the code page: what a person sees who reloads it a moment later.
pub async fn resend_settle_and_follow(
    app: &TestApp,
    browser: &Browser,
    tx: &str,
    csrf: &str,
) -> String {
    let res = browser
        .post_form(&app.url("/login/resend"), &[("tx", tx), ("csrf", csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "resend answers 303");
    app.settle_outbox().await;
    let next = browser.get(&location(&res, &app.base)).await;
    assert_eq!(next.status(), StatusCode::OK);
    next.text().await.unwrap()
}

pub async fn resend_and_follow(
    app: &TestApp,
    browser: &Browser,
    tx: &str,
    csrf: &str,
) -> (i64, String) {
    let res = browser
        .post_form(&app.url("/login/resend"), &[("tx", tx), ("csrf", csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "resend answers 303");
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let next = browser.get(&location(&res, &app.base)).await;
    assert_eq!(next.status(), StatusCode::OK);
    (retry, next.text().await.unwrap())
}

/// A server whose `[i18n] dir` holds these catalog files: `(language tag, file name,
/// Fluent text)`. The folder lives as long as the returned guard.
pub async fn spawn_with_catalogs(files: &[(&str, &str, &str)]) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    for (tag, file, text) in files {
        std::fs::create_dir_all(dir.path().join(tag)).unwrap();
        std::fs::write(dir.path().join(tag).join(file), text).unwrap();
    }
    let path = dir.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.i18n.dir = Some(path)).await;
    (app, dir)
}

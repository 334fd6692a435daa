//! How an authorization response reaches the client: in the redirect's query (the code
//! flow's default, RFC 6749 4.1.2) or as a form the browser posts to the redirect URI
//! (OAuth 2.0 Form Post Response Mode).
//!
//! The form-post page works under the pages' strict Content-Security-Policy: no inline
//! script (a static script, [`FORM_POST_JS_PATH`], submits the form; without JavaScript the
//! person presses Continue), and the page's own policy lets the form go only to the origin
//! of the client's registered redirect URI.

use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::PageError;
use crate::i18n::Locale;
use crate::state::AppState;

/// Where the static script that submits the form-post page is served.
pub const FORM_POST_JS_PATH: &str = "/static/form_post.js";

/// The `response_mode` of an authorization request, parsed at the authorization endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// The parameters in the redirect URI's query.
    #[default]
    Query,
    /// The parameters posted by the browser from an auto-submitting form.
    FormPost,
}

impl ResponseMode {
    /// Every value, as discovery advertises them.
    pub const ALL: [ResponseMode; 2] = [ResponseMode::Query, ResponseMode::FormPost];

    pub const fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::FormPost => "form_post",
        }
    }

    pub fn parse(s: &str) -> Option<ResponseMode> {
        ResponseMode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The default mode (kept out of the serialised request, which stays as it was).
    pub fn is_query(&self) -> bool {
        *self == ResponseMode::Query
    }
}

/// An authorization response (success or error) on its way to the client's redirect URI.
#[derive(Clone)]
pub struct ClientResponse {
    redirect_uri: Url,
    mode: ResponseMode,
    params: Vec<(&'static str, String)>,
    /// The deployment's catalogs (its own overrides included) and the sign-in's language,
    /// for the form-post page; without them the built-in catalogs' default.
    lang: Option<(AppState, Locale)>,
}

impl std::fmt::Debug for ClientResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientResponse")
            .field("redirect_uri", &self.redirect_uri.as_str())
            .field("mode", &self.mode)
            .field(
                "params",
                &self.params.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl ClientResponse {
    /// A response to `redirect_uri` (already checked against the client's registered ones);
    /// `None` when it is not a URL.
    pub fn new(redirect_uri: &str, mode: ResponseMode) -> Option<ClientResponse> {
        Some(ClientResponse {
            redirect_uri: Url::parse(redirect_uri).ok()?,
            mode,
            params: Vec::new(),
            lang: None,
        })
    }

    /// The form-post page is written in this language, from the deployment's catalogs.
    pub fn in_language(mut self, state: &AppState, locale: Locale) -> ClientResponse {
        self.lang = Some((state.clone(), locale));
        self
    }

    /// Adds a parameter (in order).
    pub fn with(mut self, name: &'static str, value: &str) -> ClientResponse {
        self.params.push((name, value.to_string()));
        self
    }

    /// The redirect URI with the parameters in its query (the query mode's answer).
    pub fn query_url(&self) -> Url {
        let mut url = self.redirect_uri.clone();
        if !self.params.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in &self.params {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// The `form-action` source that names the redirect URI's origin, or its scheme alone
    /// for a private-use scheme (which has no host).
    fn form_action_source(&self) -> String {
        let origin = self.redirect_uri.origin();
        if origin.is_tuple() {
            origin.ascii_serialization()
        } else {
            format!("{}:", self.redirect_uri.scheme())
        }
    }

    fn form_post(self) -> Result<Response, PageError> {
        let csp = format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
             form-action {}; frame-ancestors 'none'; base-uri 'none'",
            self.form_action_source()
        );
        let t = match &self.lang {
            Some((state, locale)) => state.i18n.tr(*locale),
            None => {
                let i18n = crate::i18n::builtin();
                i18n.tr(i18n.default_locale())
            }
        };
        let page = FormPostPage {
            t,
            action: self.redirect_uri.as_str(),
            fields: &self.params,
            script: FORM_POST_JS_PATH,
        };
        let mut res = Html(askama::Template::render(&page)?).into_response();
        let csp = HeaderValue::from_str(&csp).map_err(|_| PageError::internal())?;
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
        Ok(res)
    }
}

impl IntoResponse for ClientResponse {
    fn into_response(self) -> Response {
        match self.mode {
            ResponseMode::Query => Redirect::to(self.query_url().as_str()).into_response(),
            ResponseMode::FormPost => self.form_post().into_response(),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "form_post.html")]
struct FormPostPage<'a> {
    t: crate::i18n::Tr<'a>,
    action: &'a str,
    fields: &'a [(&'static str, String)],
    script: &'a str,
}

/// GET /static/form_post.js: submits the form-post page's form.
pub async fn form_post_js() -> Response {
    let mut res = include_str!("../../templates/form_post.js").into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_from_their_protocol_names_only() {
        assert_eq!(ResponseMode::parse("query"), Some(ResponseMode::Query));
        assert_eq!(
            ResponseMode::parse("form_post"),
            Some(ResponseMode::FormPost)
        );
        for bad in ["fragment", "FORM_POST", "", "query.jwt"] {
            assert_eq!(ResponseMode::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_query_mode_appends_to_an_existing_query_and_the_action_names_the_origin() {
        let r = ClientResponse::new("https://app.example:8443/cb?x=1", ResponseMode::FormPost)
            .unwrap()
            .with("code", "c&d")
            .with("state", "s");
        assert_eq!(
            r.query_url().as_str(),
            "https://app.example:8443/cb?x=1&code=c%26d&state=s"
        );
        assert_eq!(r.form_action_source(), "https://app.example:8443");
        let native = ClientResponse::new("com.example.app:/cb", ResponseMode::FormPost).unwrap();
        assert_eq!(native.form_action_source(), "com.example.app:");
    }
}

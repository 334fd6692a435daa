//! The authorization endpoint (OIDC Core 3.1.2, RFC 6749 4.1.1, RFC 7636, RFC 9207).
//!
//! Until the client and its exact redirect URI are known good, every error is a page and
//! nothing redirects (no open redirect). After that, errors go back to the client with
//! `error`, `state` and `iss`.

use crate::i18n::Msg;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::claims::ClaimsRequest;
use super::params::{Params, ProtocolParams};
pub use super::silent::SilentError;
use super::sso_decision::{sso_decision, SsoDecision};
use crate::authz::{self, AuthRequest, Prompt, ResponseMode};
use crate::config::Mode;
use crate::crypto::random_token;
use crate::error::{ErrorCode, OAuthError, PageError, RedirectError};
use crate::login::pending::{self, Pending};
use crate::login::protect::ClientIp;
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::clients::Client;

pub use crate::scope::SUPPORTED_SCOPES;

/// `prompt` values understood (OIDC Core 3.1.2.1).
pub const PROMPT_VALUES: [&str; 4] = [
    Prompt::None.as_str(),
    Prompt::Login.as_str(),
    Prompt::Consent.as_str(),
    Prompt::SelectAccount.as_str(),
];

/// `display` values accepted (the pages adapt to any screen, so all are served alike).
pub const DISPLAY_VALUES: &[&str] = &["page", "popup", "touch", "wap"];

/// A value from the request, fit for one log line: no control characters, at most 200
/// characters.
fn for_log(v: &str) -> String {
    crate::channel::one_line(v).chars().take(200).collect()
}

/// The page for a `redirect_uri` the client did not register, and the WARN line that says
/// why (the client and the address received; no secret is in either). In development the
/// page also lists the registered addresses beside the one received, to fix a typo at once.
fn unregistered_redirect(mode: Mode, client: &Client, received: &str) -> PageError {
    tracing::warn!(
        client_id = %client.id,
        redirect_uri = %for_log(received),
        "authorize refused: redirect_uri is not one the client registered"
    );
    let message = if mode == Mode::Development {
        Msg::new("authorize-unregistered-redirect-dev")
            .arg("received", for_log(received))
            .arg("registered", client.redirect_uris.join(", "))
    } else {
        Msg::new("authorize-unregistered-redirect")
    };
    PageError::bad_request(Msg::new("error-invalid-link"), message)
}

fn refuse(error: ErrorCode, description: impl Into<String>) -> RedirectError {
    RedirectError::new(error, description)
}

/// Whether a code challenge has the RFC 7636 form (S256 output is 43 base64url chars,
/// but any 43–128 unreserved characters are accepted as the RFC allows).
pub fn challenge_is_valid(c: &str) -> bool {
    crate::crypto::pkce_verifier_is_valid(c)
}

/// The requested scopes the client may obtain, in order: unknown ones and those outside
/// the client's allow list are dropped (OIDC Core 3.1.2.1), and `offline_access` unless
/// the client may refresh (OIDC Core 11).
pub fn usable_scopes(client: &Client, requested: &str) -> ScopeSet {
    let mut scopes = ScopeSet::default();
    for s in requested.split(' ').filter(|s| !s.is_empty()) {
        let known = (SUPPORTED_SCOPES.contains(&s) || client.registered_scopes().any(|c| c == s))
            && client.allows_scope(s);
        let usable = s != "offline_access" || client.allows_grant("refresh_token");
        if known && usable {
            scopes.insert(s);
        }
    }
    scopes
}

/// Validates everything after the client and redirect URI: a pure function, tested
/// without HTTP.
pub fn validate_request(
    client: &Client,
    redirect_uri: &str,
    p: &Params,
) -> Result<AuthRequest, RedirectError> {
    if p.contains("request") {
        return Err(refuse(
            ErrorCode::RequestNotSupported,
            "request objects are not supported",
        ));
    }
    if p.contains("request_uri") {
        return Err(refuse(
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported",
        ));
    }
    match p.get("response_type") {
        None => {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "response_type is required",
            ))
        }
        Some("code") => {}
        Some(_) => {
            return Err(refuse(
                ErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            ))
        }
    }
    let response_mode = match p.get("response_mode") {
        None => ResponseMode::Query,
        Some(m) => ResponseMode::parse(m).ok_or_else(|| {
            refuse(
                ErrorCode::InvalidRequest,
                "response_mode must be query or form_post",
            )
        })?,
    };
    let scopes = usable_scopes(client, p.get("scope").unwrap_or(""));
    if !scopes.contains("openid") {
        return Err(refuse(
            ErrorCode::InvalidScope,
            "the scope must include openid",
        ));
    }
    if !client.allows_grant("authorization_code") {
        return Err(refuse(
            ErrorCode::UnauthorizedClient,
            "this client may not use the authorization code flow",
        ));
    }
    let code_challenge = p.get("code_challenge").map(str::to_string);
    match (p.get("code_challenge_method"), &code_challenge) {
        (Some("S256"), Some(_)) => {}
        (Some("S256"), None) => {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "code_challenge_method without code_challenge",
            ))
        }
        (Some(_), _) => {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "only code_challenge_method=S256 is supported",
            ))
        }
        // RFC 7636 4.3 defaults the method to plain, which is not allowed here.
        (None, Some(_)) => {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "code_challenge_method=S256 is required",
            ))
        }
        (None, None) => {}
    }
    if let Some(c) = &code_challenge {
        if !challenge_is_valid(c) {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "code_challenge is malformed",
            ));
        }
    } else if client.public || client.pkce_required {
        return Err(refuse(
            ErrorCode::InvalidRequest,
            "this client must use PKCE (code_challenge with S256)",
        ));
    }
    let mut prompt = Vec::new();
    for word in p
        .get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
    {
        let Some(value) = Prompt::parse(word) else {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                format!("prompt value `{word}` is not supported"),
            ));
        };
        prompt.push(value);
    }
    if prompt.contains(&Prompt::None) && prompt.len() > 1 {
        return Err(refuse(
            ErrorCode::InvalidRequest,
            "prompt=none cannot be combined with other values",
        ));
    }
    if let Some(d) = p.get("display") {
        if !DISPLAY_VALUES.contains(&d) {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "display must be page, popup, touch or wap",
            ));
        }
    }
    // ui_locales picks the language of the pages (set by the endpoint, which also reads
    // Accept-Language); claims_locales is accepted: claims have no localised variants.
    // acr_values and an `acr` claim are read below (oidc::acr).
    let claims = match p.get("claims") {
        None => None,
        Some(text) => {
            let mut c =
                ClaimsRequest::parse(text).map_err(|e| refuse(ErrorCode::InvalidRequest, e))?;
            // Claims of a scope outside the client's allow list are dropped like the scope.
            c.retain_obtainable(|s| client.allows_scope(s));
            (!c.is_empty()).then_some(c)
        }
    };
    // Asking for a phishing-resistant sign-in and nothing weaker: nobody here can give one
    // yet (every sign-in is a typed code), so the request fails as the spec says rather
    // than silently getting less.
    if super::acr::requirement(p.get("acr_values"), claims.as_ref())
        == super::acr::AcrRequirement::PhishingResistant
    {
        return Err(refuse(
            ErrorCode::UnmetAuthenticationRequirements,
            "a phishing-resistant sign-in (acr phr) was required; this server signs people in with one-time codes",
        ));
    }
    let max_age = match p.get("max_age") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                return Err(refuse(
                    ErrorCode::InvalidRequest,
                    "max_age must be a non-negative integer",
                ))
            }
        },
    };
    Ok(AuthRequest {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_string(),
        scope: scopes,
        state: p.get("state").map(str::to_string),
        nonce: p.get("nonce").map(str::to_string),
        code_challenge,
        response_mode,
        prompt,
        max_age,
        login_hint: p.get("login_hint").map(|h| h.chars().take(320).collect()),
        claims,
        device: false,
        console: false,
        id_token_hint_sub: None,
        locale: None,
    })
}

/// The answer to a client IP past its rate of authorization requests: a page, never a
/// redirect to the client (the request has not been looked at).
fn too_many_requests(wait: std::time::Duration) -> Response {
    let mut res =
        PageError::keyed(StatusCode::TOO_MANY_REQUESTS, "error-too-many-requests").into_response();
    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// GET and POST /authorize.
pub async fn authorize(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
    headers: HeaderMap,
    params: Result<ProtocolParams, OAuthError>,
) -> Result<Response, PageError> {
    if let Err(wait) = state.authorize_limiter.check(ip.0) {
        return Ok(too_many_requests(wait));
    }
    let ProtocolParams(p) = params.map_err(|e| {
        PageError::bad_request(
            Msg::new("error-invalid-link"),
            Msg::new("authorize-bad-request").arg("detail", e.description.unwrap_or_default()),
        )
    })?;
    let client_id = p.get("client_id").ok_or_else(|| {
        PageError::bad_request(
            Msg::new("error-invalid-link"),
            Msg::new("authorize-no-client-id"),
        )
    })?;
    let Some(client) = state.store.get_client(client_id).await? else {
        tracing::warn!(
            client_id = %for_log(client_id),
            "authorize refused: no client has this id"
        );
        return Err(PageError::keyed(
            StatusCode::BAD_REQUEST,
            "error-unknown-app",
        ));
    };
    let redirect_uri = p.get("redirect_uri").ok_or_else(|| {
        PageError::bad_request(
            Msg::new("error-invalid-link"),
            Msg::new("authorize-no-redirect-uri"),
        )
    })?;
    if redirect_uri.len() > state.config.authorize.max_redirect_uri_bytes {
        let max = i64::try_from(state.config.authorize.max_redirect_uri_bytes).unwrap_or(i64::MAX);
        return Err(PageError::bad_request(
            Msg::new("error-invalid-link"),
            Msg::new("authorize-redirect-too-long").arg("bytes", max),
        ));
    }
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(unregistered_redirect(
            state.config.mode,
            &client,
            redirect_uri,
        ));
    }
    // Errors found before the mode is validated go back in the query (the code flow's
    // default), as does one about the mode itself.
    let mode = p
        .get("response_mode")
        .and_then(ResponseMode::parse)
        .unwrap_or_default();
    // The sign-in's language (also the language of a form-post error page).
    let accept_language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let locale = state.i18n.negotiate(p.get("ui_locales"), accept_language);
    let error_to_client = |error: ErrorCode, description: &str, client_state: Option<&str>| {
        authz::error_response(
            &state.config.issuer,
            redirect_uri,
            mode,
            error,
            description,
            client_state,
        )
        .map(|r| r.in_language(&state, locale).into_response())
        .ok_or_else(PageError::internal)
    };
    if let Err(e) = super::authorize_guard::check_sizes(&state.config.authorize, &p) {
        // `state` goes back unless it is the value that was too long.
        let short_state = p
            .get("state")
            .filter(|s| s.len() <= state.config.authorize.max_state_bytes);
        return error_to_client(e.error, &e.description, short_state);
    }
    let mut req = match validate_request(&client, redirect_uri, &p) {
        Ok(r) => r,
        Err(e) => return error_to_client(e.error, &e.description, p.get("state")),
    };
    req.locale = Some(state.i18n.tag(locale).to_owned());
    if let Some(hint) = p.get("id_token_hint") {
        match super::id_token_hint::verify(&state, hint).await {
            Ok(h) => req.id_token_hint_sub = Some(h.sub),
            Err(crate::tokens::TokenError::Keys(e)) => return Err(e.into()),
            Err(_) => {
                return error_to_client(
                    ErrorCode::InvalidRequest,
                    "id_token_hint is not an ID token issued by this server",
                    req.state.as_deref(),
                )
            }
        }
    }

    // Single sign-on: a live session that satisfies prompt, max_age and the hints needs no
    // new code.
    let now = state.now();
    match sso_decision(&state.store, &session, &client, &req, now).await? {
        SsoDecision::Use(sso) => {
            return crate::login::consent::finish(&state, &session, &req, &sso).await;
        }
        SsoDecision::SignIn { error } if req.has_prompt(Prompt::None) => {
            return error_to_client(error.code(), error.description(), req.state.as_deref());
        }
        SsoDecision::SignIn { .. } => {}
    }

    // Nothing is stored until the person acts: the validated request travels sealed in
    // the sign-in page's address (login::pending).
    let client_state = req.state.clone();
    let sealed = pending::seal(
        &state.secrets,
        &Pending {
            tx: random_token(32)?,
            req,
            iat: now,
            exp: now + state.config.login.transaction_ttl_seconds,
        },
    )?;
    if sealed.len() > state.config.authorize.max_pending_bytes {
        return error_to_client(
            ErrorCode::InvalidRequest,
            "the request is too large: state, nonce, login_hint, claims and redirect_uri together exceed the limit",
            client_state.as_deref(),
        );
    }
    Ok(Redirect::to(&format!("/login?tx={sealed}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(public: bool, pkce_required: bool) -> Client {
        Client {
            id: "c1".into(),
            name: "App".into(),
            secret_hash: None,
            redirect_uris: vec!["https://app.example/cb".into()],
            public,
            pkce_required,
            first_party: true,
            id_token_alg: crate::jose::SigningAlg::Rs256,
            created_at: 0,
            updated_at: 0,
            post_logout_redirect_uris: vec![],
            grant_types: crate::store::clients::default_grant_types(),
            always_issue_refresh_token: false,
            scope: "reports:read".into(),
            dynamic: false,
            meta: Default::default(),
        }
    }

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn params(s: &str) -> Params {
        Params::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn a_valid_request_is_accepted_and_scopes_filtered() {
        let p = params(&format!(
            "response_type=code&scope=openid+email+unknown+openid&state=s&nonce=n&code_challenge={CHALLENGE}&code_challenge_method=S256&max_age=60&prompt=login"
        ));
        let r = validate_request(&client(true, true), "https://app.example/cb", &p).unwrap();
        assert_eq!(r.scope, "openid email");
        assert_eq!(r.state.as_deref(), Some("s"));
        assert_eq!(r.nonce.as_deref(), Some("n"));
        assert_eq!(r.max_age, Some(60));
        assert!(r.has_prompt(Prompt::Login));
    }

    #[test]
    fn each_bad_request_gets_its_rfc_error() {
        let c = client(false, true);
        let cases = [
            ("scope=openid", ErrorCode::InvalidRequest),
            (
                "response_type=token&scope=openid",
                ErrorCode::UnsupportedResponseType,
            ),
            ("response_type=code&scope=email", ErrorCode::InvalidScope),
            ("response_type=code&scope=openid", ErrorCode::InvalidRequest), // PKCE required
            (
                "response_type=code&scope=openid&code_challenge=abc&code_challenge_method=plain",
                ErrorCode::InvalidRequest,
            ),
            (
                "response_type=code&scope=openid&request=x",
                ErrorCode::RequestNotSupported,
            ),
            (
                "response_type=code&scope=openid&request_uri=x",
                ErrorCode::RequestUriNotSupported,
            ),
        ];
        for (q, want) in cases {
            let err = validate_request(&c, "https://app.example/cb", &params(q)).unwrap_err();
            assert_eq!(err.error, want, "{q}");
        }
    }

    #[test]
    fn pkce_optional_client_may_omit_but_not_downgrade() {
        let c = client(false, false);
        assert!(validate_request(
            &c,
            "https://app.example/cb",
            &params("response_type=code&scope=openid")
        )
        .is_ok());
        let plain = format!("response_type=code&scope=openid&code_challenge={CHALLENGE}");
        assert!(validate_request(&c, "https://app.example/cb", &params(&plain)).is_err());
    }

    #[test]
    fn offline_access_needs_a_client_that_may_refresh_and_client_scopes_pass() {
        let p = params("response_type=code&scope=openid+offline_access+reports:read+other");
        let mut c = client(false, false);
        let r = validate_request(&c, "https://app.example/cb", &p).unwrap();
        assert_eq!(r.scope, "openid offline_access reports:read");
        c.grant_types = vec!["authorization_code".into()];
        let r = validate_request(&c, "https://app.example/cb", &p).unwrap();
        assert_eq!(r.scope, "openid reports:read");
    }

    #[test]
    fn display_prompt_and_claims_values_are_checked() {
        let c = client(false, false);
        let ok = "response_type=code&scope=openid&display=popup&prompt=consent+login&ui_locales=fr&claims_locales=de&acr_values=1+2";
        assert!(validate_request(&c, "https://app.example/cb", &params(ok)).is_ok());
        for bad in [
            "response_type=code&scope=openid&display=hologram",
            "response_type=code&scope=openid&prompt=dance",
            "response_type=code&scope=openid&claims=%7Bnot+json",
        ] {
            let e = validate_request(&c, "https://app.example/cb", &params(bad)).unwrap_err();
            assert_eq!(e.error, ErrorCode::InvalidRequest, "{bad}");
        }
        let with_claims = "response_type=code&scope=openid&claims=%7B%22userinfo%22%3A%7B%22name%22%3A%7B%22essential%22%3Atrue%7D%7D%7D";
        let r = validate_request(&c, "https://app.example/cb", &params(with_claims)).unwrap();
        assert_eq!(
            r.claims.as_ref().map(ClaimsRequest::to_json).as_deref(),
            Some(r#"{"userinfo":{"name":{"essential":true}}}"#)
        );
    }

    #[test]
    fn scopes_outside_the_clients_allow_list_are_dropped() {
        let mut c = client(false, false);
        c.meta.allowed_scopes = Some(vec!["openid".into()]);
        let r = validate_request(
            &c,
            "https://app.example/cb",
            &params("response_type=code&scope=openid+email"),
        )
        .unwrap();
        assert_eq!(r.scope, "openid");
    }

    #[test]
    fn claims_of_scopes_outside_the_allow_list_are_dropped_from_the_claims_parameter() {
        let mut c = client(false, false);
        c.meta.allowed_scopes = Some(vec!["openid".into(), "email".into()]);
        let claims = r#"{"id_token":{"name":null,"address":{"essential":true},"birthdate":{"value":"x"},"email":null},"userinfo":{"address":null}}"#;
        let q = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("scope", "openid"),
            ("claims", claims),
        ])
        .unwrap();
        let r = validate_request(&c, "https://app.example/cb", &params(&q)).unwrap();
        assert_eq!(
            r.claims.as_ref().map(ClaimsRequest::to_json).as_deref(),
            Some(r#"{"id_token":{"email":null}}"#)
        );
        assert_eq!(r.consent_scopes(), ["openid", "email"]);
        // Nothing obtainable left: no claims request at all.
        c.meta.allowed_scopes = Some(vec!["openid".into()]);
        let r = validate_request(&c, "https://app.example/cb", &params(&q)).unwrap();
        assert_eq!(r.claims, None);
        assert_eq!(r.consent_scopes(), ["openid"]);
    }

    #[test]
    fn only_development_lists_the_registered_redirect_uris_on_the_refusal_page() {
        let c = client(false, true);
        let i18n = crate::i18n::I18n::builtin("Sesame");
        let en = i18n.tr(i18n.default_locale());
        let dev = en
            .msg(unregistered_redirect(Mode::Development, &c, "https://evil.example/cb").message());
        assert!(
            dev.contains("https://evil.example/cb") && dev.contains("https://app.example/cb"),
            "{dev}"
        );
        let prod = en
            .msg(unregistered_redirect(Mode::Production, &c, "https://evil.example/cb").message());
        assert!(!prod.contains("example/cb"), "{prod}");
        assert!(prod.contains("has not registered"));
    }

    #[test]
    fn prompt_none_alone_only() {
        let c = client(false, false);
        let err = validate_request(
            &c,
            "https://app.example/cb",
            &params("response_type=code&scope=openid&prompt=none+login"),
        )
        .unwrap_err();
        assert_eq!(err.error, ErrorCode::InvalidRequest);
    }
}

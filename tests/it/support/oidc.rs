//! Helpers for the protocol stories: clients configured like the certification plans',
//! token, refresh, userinfo, revocation and introspection calls, consent, and JWT
//! verification through the published JWKS.

use reqwest::{Response, StatusCode};
use serde_json::Value;
use sesame::clients::NewClient;

use super::*;

/// The post-logout redirect URI registered for every test client.
pub const POST_LOGOUT_URI: &str = "http://127.0.0.1:9/post_logout_redirect";

impl TestApp {
    /// A client registered through the CLI's code, adjusted by `f`.
    pub async fn client_with(&self, f: impl FnOnce(&mut NewClient)) -> TestClient {
        let redirect_uri = "http://127.0.0.1:9/callback".to_string();
        let mut spec = NewClient {
            name: "Test App".into(),
            redirect_uris: vec![redirect_uri.clone()],
            pkce_required: false,
            post_logout_redirect_uris: vec![POST_LOGOUT_URI.into()],
            ..NewClient::default()
        };
        f(&mut spec);
        let redirect_uri = spec.redirect_uris.first().cloned().unwrap_or(redirect_uri);
        let reg = self.register_client(spec).await;
        TestClient {
            id: reg.client_id,
            secret: reg.client_secret,
            redirect_uri,
        }
    }

    /// The certification plans' client: confidential, PKCE optional, first-party.
    pub async fn plan_client(&self) -> TestClient {
        self.client_with(|_| {}).await
    }

    /// A third-party client (its users are asked for consent).
    pub async fn third_party_client(&self) -> TestClient {
        self.client_with(|c| {
            c.name = "Other Company App".into();
            c.first_party = false;
        })
        .await
    }

    /// GET /authorize in `browser`; returns the response unread.
    pub async fn authorize(
        &self,
        browser: &Browser,
        client: &TestClient,
        p: &AuthParams,
    ) -> Response {
        browser.get(&authorize_url(self, client, p)).await
    }

    /// An authorization that single sign-on completes: the URL the browser is sent back to.
    pub async fn authorize_silently(
        &self,
        browser: &Browser,
        client: &TestClient,
        p: &AuthParams,
    ) -> String {
        let res = self.authorize(browser, client, p).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let back = location(&res, &self.base);
        assert!(back.starts_with(&client.redirect_uri), "{back}");
        back
    }

    /// Answers a consent page the browser was sent to; returns where it goes next.
    pub async fn answer_consent(
        &self,
        browser: &Browser,
        consent_url: &str,
        allow: bool,
    ) -> String {
        assert!(
            consent_url.starts_with(&self.url("/consent?tx=")),
            "{consent_url}"
        );
        let res = browser.get(consent_url).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        let decision = if allow { "allow" } else { "deny" };
        let res = browser
            .post_form(
                &self.url("/consent"),
                &[
                    ("tx", &hidden(&html, "tx")),
                    ("csrf", &hidden(&html, "csrf")),
                    ("decision", decision),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        location(&res, &self.base)
    }

    /// POSTs a form to the token endpoint with the client's credentials (Basic).
    pub async fn token_form(&self, client: &TestClient, form: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        let mut req = reqwest::Client::new().post(self.url("/token"));
        match &client.secret {
            Some(s) => req = req.basic_auth(&client.id, Some(s)),
            None => form.push(("client_id", &client.id)),
        }
        req.form(&form).send().await.unwrap()
    }

    /// Exchanges the code in a callback URL; asserts success and returns the JSON.
    pub async fn redeem(
        &self,
        client: &TestClient,
        callback: &str,
        verifier: Option<&str>,
    ) -> Value {
        let code = query_param(callback, "code").unwrap_or_else(|| panic!("no code in {callback}"));
        let res = self.exchange(client, &code, verifier).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// Signs in from scratch with the plan client's defaults and returns the tokens.
    pub async fn plan_tokens(
        &self,
        browser: &Browser,
        client: &TestClient,
        p: &AuthParams,
        email: &str,
    ) -> Value {
        let back = self
            .sign_in(browser, &authorize_url(self, client, p), email)
            .await;
        self.redeem(client, &back, None).await
    }

    pub async fn refresh(
        &self,
        client: &TestClient,
        refresh_token: &str,
        scope: Option<&str>,
    ) -> Response {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        self.token_form(client, &form).await
    }

    pub async fn userinfo(&self, access_token: &str) -> Response {
        reqwest::Client::new()
            .get(self.url("/userinfo"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
    }

    /// POST /introspect with the client's credentials.
    pub async fn introspect(&self, client: &TestClient, token: &str) -> Response {
        let mut req = reqwest::Client::new().post(self.url("/introspect"));
        if let Some(s) = &client.secret {
            req = req.basic_auth(&client.id, Some(s));
        }
        let mut form = vec![("token", token)];
        if client.secret.is_none() {
            form.push(("client_id", &client.id));
        }
        req.form(&form).send().await.unwrap()
    }

    /// POST /revoke with the client's credentials.
    pub async fn revoke(&self, client: &TestClient, token: &str, hint: Option<&str>) -> Response {
        let mut req = reqwest::Client::new().post(self.url("/revoke"));
        let mut form = vec![("token", token)];
        if let Some(h) = hint {
            form.push(("token_type_hint", h));
        }
        match &client.secret {
            Some(s) => req = req.basic_auth(&client.id, Some(s)),
            None => form.push(("client_id", &client.id)),
        }
        req.form(&form).send().await.unwrap()
    }

    /// Verifies a JWT the way a relying party does: with the key named by its `kid`, taken
    /// from the published JWKS. Returns the claims.
    pub async fn verify_with_jwks(&self, jwt: &str) -> Value {
        let jwks: Value = reqwest::get(self.url("/jwks"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let header = jwt_header(jwt);
        let kid = header["kid"].as_str().unwrap();
        let jwk = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid)
            .unwrap_or_else(|| panic!("kid {kid} is not in the JWKS: {jwks}"));
        let jwk = josekit::jwk::Jwk::from_bytes(jwk.to_string().as_bytes()).unwrap();
        let (payload, _) = match header["alg"].as_str().unwrap() {
            "RS256" => {
                let v = josekit::jws::RS256.verifier_from_jwk(&jwk).unwrap();
                josekit::jws::deserialize_compact(jwt, &v)
            }
            "ES256" => {
                let v = josekit::jws::ES256.verifier_from_jwk(&jwk).unwrap();
                josekit::jws::deserialize_compact(jwt, &v)
            }
            other => panic!("unexpected alg {other}"),
        }
        .expect("the signature verifies with the published key");
        serde_json::from_slice(&payload).unwrap()
    }

    /// The `sub` of the person with this email (after they signed in once).
    pub async fn user_id(&self, email: &str) -> String {
        self.state
            .store
            .find_user_by_identifier(sesame::store::users::Channel::Email, email)
            .await
            .unwrap()
            .unwrap()
            .id
    }
}

/// The query of a URL as (name, value) pairs.
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// AuthParams with extra parameters.
pub fn params_with(extra: &[(&str, &str)]) -> AuthParams {
    AuthParams {
        extra: extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }
}

/// Checks an ID token as OIDC Core 3.1.3.7 asks a relying party to: signature through the
/// JWKS, `iss`, `aud`, `azp`, `exp`, `iat`, `nonce`. Returns its claims.
pub async fn assert_id_token_valid(
    app: &TestApp,
    client: &TestClient,
    id_token: &str,
    nonce: Option<&str>,
) -> Value {
    let claims = app.verify_with_jwks(id_token).await;
    let now = app.state.now();
    assert_eq!(claims["iss"], app.base.as_str());
    assert_eq!(claims["aud"], client.id.as_str());
    assert_eq!(claims["azp"], client.id.as_str());
    assert!(claims["exp"].as_i64().unwrap() > now);
    assert!(claims["iat"].as_i64().unwrap() <= now);
    assert!(claims["auth_time"].as_i64().unwrap() <= now);
    assert!(!claims["sub"].as_str().unwrap().is_empty());
    match nonce {
        Some(n) => assert_eq!(claims["nonce"], n),
        None => assert!(claims.get("nonce").is_none(), "{claims}"),
    }
    claims
}

/// The URL without one query parameter.
pub fn without_param(url: &str, name: &str) -> String {
    let mut u = Url::parse(url).unwrap();
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    u.query_pairs_mut().clear().extend_pairs(kept);
    u.to_string()
}

/// AuthParams with another scope.
pub fn with_scope(scope: &str) -> AuthParams {
    AuthParams {
        scope: scope.into(),
        ..Default::default()
    }
}

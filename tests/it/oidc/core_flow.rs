//! The core story: a real relying party (the `openidconnect` crate) signs a person in with a
//! code read from a real email, and validates everything it gets.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};

use crate::support::*;

fn rp_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn rp_signs_in(public: bool, alg: &str) {
    let app = TestApp::spawn().await;
    let reg = app
        .register_client(sesame::clients::NewClient {
            name: "Relying Party".into(),
            redirect_uris: vec!["http://127.0.0.1:9/cb".into()],
            public,
            pkce_required: true,
            first_party: true,
            id_token_alg: alg.parse().unwrap(),
            ..sesame::clients::NewClient::default()
        })
        .await;
    let http = rp_http();
    let meta =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.base.clone()).unwrap(), &http)
            .await
            .expect("discovery document parses as OIDC provider metadata");
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(reg.client_id.clone()),
        reg.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(RedirectUrl::new("http://127.0.0.1:9/cb".into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();

    let browser = Browser::new();
    let back = app
        .sign_in(&browser, auth_url.as_str(), "Person@Example.com")
        .await;
    assert!(back.starts_with("http://127.0.0.1:9/cb?"), "{back}");
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(
        query_param(&back, "iss").as_deref(),
        Some(app.base.as_str())
    );
    let code = query_param(&back, "code").unwrap();

    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token exchange succeeds");
    let id_token = tokens.id_token().expect("an ID token");
    let verifier = client.id_token_verifier().set_allowed_algs(vec![match alg {
        "ES256" => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        _ => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    }]);
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("the ID token validates: signature via JWKS, iss, aud, exp, nonce");
    assert_eq!(
        claims.email().map(|e| e.as_str()),
        Some("person@example.com")
    );
    assert_eq!(claims.email_verified(), Some(true));
    assert!(claims.auth_time().is_some());
    let amr: Vec<String> = claims
        .auth_method_refs()
        .unwrap()
        .iter()
        .map(|a| a.as_str().to_string())
        .collect();
    assert_eq!(amr, ["otp"]);
    let sub = claims.subject().as_str().to_string();
    assert!(!sub.contains('@'), "sub must never be the email");
    let raw = jwt_claims(&id_token.to_string());
    assert_eq!(jwt_header(&id_token.to_string())["alg"], alg);
    assert!(jwt_header(&id_token.to_string())["kid"].is_string());
    assert_eq!(raw["iss"], app.base);

    let userinfo: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo answers");
    assert_eq!(userinfo.subject().as_str(), sub);
    assert_eq!(
        userinfo.email().map(|e| e.as_str()),
        Some("person@example.com")
    );

    // The access token is an RFC 9068 JWT.
    let at = tokens.access_token().secret();
    assert_eq!(jwt_header(at)["typ"], "at+jwt");
    let at_claims = jwt_claims(at);
    assert_eq!(at_claims["client_id"], reg.client_id);
    assert_eq!(at_claims["sub"], sub);
    assert!(at_claims["jti"].is_string());
    assert_eq!(at_claims["scope"], "openid email");

    // The same code a second time fails, and the RP library sees the error.
    let again = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(openidconnect::PkceCodeVerifier::new("x".repeat(43)))
        .request_async(&http)
        .await;
    assert!(again.is_err(), "code reuse must fail");
}

#[tokio::test]
async fn confidential_rp_completes_code_flow_with_pkce_and_validates_tokens() {
    rp_signs_in(false, "RS256").await;
}

#[tokio::test]
async fn public_rp_completes_code_flow_with_es256_id_token() {
    rp_signs_in(true, "ES256").await;
}

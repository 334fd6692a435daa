//! The authorization request validator over parsed parameters: never panics; an accepted
//! request always has openid, and PKCE (S256) whenever the client requires it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame::crypto::pkce_verifier_is_valid;
use sesame::oidc::authorize::validate_request;
use sesame::oidc::params::Params;
use sesame::store::clients::Client;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(p) = Params::parse(rest) else {
        return;
    };
    let client = Client {
        id: "c1".into(),
        name: "App".into(),
        secret_hash: None,
        redirect_uris: vec!["https://app.example/cb".into()],
        public: flags & 1 == 1,
        pkce_required: flags & 2 == 2,
        first_party: true,
        id_token_alg: "RS256".into(),
        created_at: 0,
        updated_at: 0,
    };
    if let Ok(r) = validate_request(&client, "https://app.example/cb", &p) {
        assert!(r.scope.split(' ').any(|s| s == "openid"));
        if client.public || client.pkce_required {
            assert!(r.code_challenge.is_some());
        }
        if let Some(c) = &r.code_challenge {
            assert!(pkce_verifier_is_valid(c));
            assert_eq!(p.get("code_challenge_method"), Some("S256"));
        }
    }
});

//! Property tests of the parsers that face attackers first: the identifier parser, PKCE
//! verification, the protocol parameter parser and the authorization request validator.
//! The same parsers have cargo-fuzz targets under fuzz/ (see docs/security.md).

use proptest::prelude::*;
use sesame::crypto::{pkce_matches, pkce_s256, pkce_verifier_is_valid};
use sesame::login::identifier::parse_identifier;
use sesame::oidc::authorize::{validate_request, SUPPORTED_SCOPES};
use sesame::oidc::params::{ParamError, Params};
use sesame::store::clients::Client;

const FORBIDDEN: &str = ",;<>\"'()[]\\";

fn check_accepted(input: &str) -> Result<(), TestCaseError> {
    if let Ok(id) = parse_identifier(input) {
        let e = id.as_str();
        prop_assert!(!e.is_empty() && e.len() <= 254, "{e:?}");
        prop_assert_eq!(e.matches('@').count(), 1, "{:?}", e);
        prop_assert!(
            !e.chars()
                .any(|c| c.is_control() || c.is_whitespace() || FORBIDDEN.contains(c)),
            "{e:?}"
        );
        prop_assert_eq!(e.to_lowercase(), e);
        prop_assert!(e.parse::<lettre::Address>().is_ok(), "{e:?}");
        prop_assert_eq!(parse_identifier(e), Ok(id.clone()), "parsing is idempotent");
    }
    Ok(())
}

fn client(public: bool, pkce_required: bool) -> Client {
    Client {
        id: "c1".into(),
        name: "App".into(),
        secret_hash: None,
        redirect_uris: vec!["https://app.example/cb".into()],
        public,
        pkce_required,
        first_party: true,
        id_token_alg: sesame::jose::SigningAlg::Rs256,
        created_at: 0,
        updated_at: 0,
        post_logout_redirect_uris: vec![],
        grant_types: sesame::store::clients::default_grant_types(),
        always_issue_refresh_token: false,
        scope: String::new(),
        dynamic: false,
        meta: Default::default(),
    }
}

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn auth_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("code".to_string()),
        Just("token".to_string()),
        Just("openid".to_string()),
        Just("openid email".to_string()),
        Just("email profile".to_string()),
        Just("S256".to_string()),
        Just("plain".to_string()),
        Just("none".to_string()),
        Just("login".to_string()),
        Just("none login".to_string()),
        Just("60".to_string()),
        Just("-1".to_string()),
        Just("query".to_string()),
        Just("fragment".to_string()),
        Just(CHALLENGE.to_string()),
        "[ -~]{0,24}",
        any::<String>(),
    ]
}

fn auth_key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "response_type",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "prompt",
        "max_age",
        "login_hint",
        "response_mode",
        "request",
        "request_uri",
        "unknown",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn identifier_parser_never_panics_and_accepts_only_clean_single_addresses(s in any::<String>()) {
        check_accepted(&s)?;
    }

    #[test]
    fn identifier_parser_keeps_its_invariants_on_email_like_input(
        s in "[a-zA-Z0-9.+_%@ ,;<>\"\r\n\t-]{0,70}"
    ) {
        check_accepted(&s)?;
    }

    #[test]
    fn well_formed_addresses_are_accepted_trimmed_and_lower_cased(
        local in "[a-zA-Z0-9+_-]{1,20}(\\.[a-zA-Z0-9+_-]{1,10})?",
        domain in "[a-zA-Z0-9]{1,20}(-[a-zA-Z0-9]{1,5})?",
        tld in "[a-zA-Z]{2,6}",
        pad in " {0,3}",
    ) {
        let input = format!("{pad}{local}@{domain}.{tld}{pad}");
        let id = parse_identifier(&input);
        prop_assert!(id.is_ok(), "{:?} refused", input);
        let expected = format!("{local}@{domain}.{tld}").to_lowercase();
        let id = id.unwrap();
        prop_assert_eq!(id.as_str(), expected.as_str());
    }

    #[test]
    fn an_address_with_a_smuggled_recipient_is_always_refused(
        a in "[a-z]{1,10}",
        b in "[a-z]{1,10}",
        sep in prop::sample::select(vec!["\r\n", "\n", "\r", ",", ";", " ", "\t", "\u{2028}", "<", ">", "\0"]),
    ) {
        let tail = format!("{a}@example.com{sep}Bcc: {b}@evil.example");
        prop_assert!(parse_identifier(&tail).is_err(), "{:?}", tail);
        let head = format!("{b}@evil.example{sep}{a}@example.com");
        prop_assert!(parse_identifier(&head).is_err(), "{:?}", head);
    }

    #[test]
    fn pkce_accepts_exactly_the_verifier_of_the_challenge(
        v in "[A-Za-z0-9._~-]{43,128}",
        w in "[A-Za-z0-9._~-]{43,128}",
    ) {
        let c = pkce_s256(&v);
        prop_assert!(pkce_matches(&v, &c));
        prop_assert_eq!(pkce_matches(&w, &c), v == w);
        prop_assert!(!pkce_matches(&v, &c[1..]), "a truncated challenge never matches");
    }

    #[test]
    fn pkce_refuses_every_malformed_verifier(v in any::<String>()) {
        let valid = (43..=128).contains(&v.len())
            && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        prop_assert_eq!(pkce_verifier_is_valid(&v), valid);
        if !valid {
            prop_assert!(!pkce_matches(&v, &pkce_s256(&v)));
        }
    }

    #[test]
    fn pkce_verifier_of_a_wrong_length_fails(n in prop_oneof![0usize..43, 129usize..400]) {
        let v = "a".repeat(n);
        prop_assert!(!pkce_matches(&v, &pkce_s256(&v)));
    }

    #[test]
    fn params_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..800)) {
        if let Ok(p) = Params::parse(&bytes) {
            prop_assert!(p.iter().count() <= sesame::oidc::params::MAX_PARAMS);
            for (_, v) in p.iter() {
                prop_assert!(!v.is_empty());
                prop_assert!(v.len() <= sesame::oidc::params::MAX_PARAM_LEN);
            }
        }
    }

    #[test]
    fn params_round_trip_unique_pairs(
        map in prop::collection::btree_map("[a-z_]{1,12}", "\\PC{0,40}", 0..20)
    ) {
        let pairs: Vec<(&String, &String)> = map.iter().collect();
        let encoded = serde_urlencoded::to_string(&pairs).unwrap();
        let p = Params::parse(encoded.as_bytes()).unwrap();
        for (k, v) in &map {
            let want = if v.is_empty() { None } else { Some(v.as_str()) };
            prop_assert_eq!(p.get(k), want);
        }
        prop_assert_eq!(p.iter().count(), map.values().filter(|v| !v.is_empty()).count());
    }

    #[test]
    fn a_repeated_parameter_is_always_refused(
        map in prop::collection::btree_map("[a-z_]{1,12}", "[ -~]{0,20}", 1..10),
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        again in "[ -~]{0,20}",
    ) {
        let mut pairs: Vec<(String, String)> = map.into_iter().collect();
        let key = pairs[pick.index(pairs.len())].0.clone();
        let pos = at.index(pairs.len() + 1);
        pairs.insert(pos, (key.clone(), again));
        let encoded = serde_urlencoded::to_string(&pairs).unwrap();
        prop_assert_eq!(Params::parse(encoded.as_bytes()), Err(ParamError::Repeated(key)));
    }

    #[test]
    fn authorize_validation_never_panics_and_keeps_its_invariants(
        public in any::<bool>(),
        pkce_required in any::<bool>(),
        pairs in prop::collection::vec((auth_key(), auth_value()), 0..12),
    ) {
        let mut seen = std::collections::BTreeSet::new();
        let unique: Vec<(&str, String)> = pairs
            .into_iter()
            .filter(|(k, _)| seen.insert(*k))
            .collect();
        let encoded = serde_urlencoded::to_string(&unique).unwrap();
        let p = Params::parse(encoded.as_bytes()).unwrap();
        let c = client(public, pkce_required);
        let uri = "https://app.example/cb";
        match validate_request(&c, uri, &p) {
            Ok(r) => {
                prop_assert_eq!(p.get("response_type"), Some("code"));
                let text = r.scope.to_string();
                let scopes: Vec<&str> = text.split(' ').collect();
                prop_assert!(scopes.contains(&"openid"));
                prop_assert!(scopes.iter().all(|s| SUPPORTED_SCOPES.contains(s)));
                let mut dedup = scopes.clone();
                dedup.sort();
                dedup.dedup();
                prop_assert_eq!(dedup.len(), scopes.len());
                if public || pkce_required {
                    prop_assert!(r.code_challenge.is_some(), "PKCE is required");
                }
                if let Some(ch) = &r.code_challenge {
                    prop_assert!(pkce_verifier_is_valid(ch));
                    prop_assert_eq!(p.get("code_challenge_method"), Some("S256"));
                }
                if r.has_prompt(sesame::authz::Prompt::None) {
                    prop_assert_eq!(r.prompt.len(), 1);
                }
                prop_assert!(r.max_age.is_none_or(|m| m >= 0));
                prop_assert!(r.login_hint.as_ref().is_none_or(|h| h.chars().count() <= 320));
                prop_assert_eq!(r.redirect_uri.as_str(), uri);
                prop_assert_eq!(r.client_id.as_str(), "c1");
                prop_assert!(!p.contains("request") && !p.contains("request_uri"));
            }
            Err(e) => {
                prop_assert!(
                    [
                        "invalid_request",
                        "unsupported_response_type",
                        "invalid_scope",
                        "request_not_supported",
                        "request_uri_not_supported",
                    ]
                    .contains(&e.error.as_str()),
                    "{}", e.error
                );
            }
        }
    }
}

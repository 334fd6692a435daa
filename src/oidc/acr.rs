//! Authentication context classes (OIDC Core 2, the `acr` claim): what a sign-in proved,
//! and what an authorization request insists on (`acr_values`, OIDC Core 3.1.2.1, and an
//! essential `acr` in the `claims` parameter, 5.5.1.1).
//!
//! Two classes: a one-time code was typed (sent by email or SMS: it proves control of the
//! address or number, and is not phishing-resistant, NIST SP 800-63B 5.2.5), and a
//! phishing-resistant authenticator (`phr`, OpenID EAP ACR Values 1.0: a passkey).

use serde_json::Value;

use super::claims::ClaimsRequest;

/// An authentication context class this server can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acr {
    /// A one-time code, sent by email or SMS, was typed.
    Code,
    /// A phishing-resistant authenticator (a passkey) was used.
    PhishingResistant,
}

impl Acr {
    /// Every class, as discovery's `acr_values_supported` lists them.
    pub const ALL: [Acr; 2] = [Acr::Code, Acr::PhishingResistant];

    pub const fn as_str(self) -> &'static str {
        match self {
            Acr::Code => "urn:sesame:acr:code",
            Acr::PhishingResistant => "phr",
        }
    }

    pub fn parse(s: &str) -> Option<Acr> {
        Acr::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The class of a sign-in made with these RFC 8176 methods: a hardware- or
    /// software-secured key (`hwk`, `swk`) is phishing-resistant; anything else is a code.
    pub fn of_amr(amr: &[String]) -> Acr {
        if amr.iter().any(|m| m == "hwk" || m == "swk") {
            Acr::PhishingResistant
        } else {
            Acr::Code
        }
    }

    /// True when a sign-in of this class satisfies a request for `wanted`.
    pub fn satisfies(self, wanted: Acr) -> bool {
        self == wanted || self == Acr::PhishingResistant
    }
}

/// What a request insists on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcrRequirement {
    /// Any sign-in will do (no values asked for, or none this server knows: `acr_values`
    /// is a voluntary request, and values nobody here can name are passed over).
    Any,
    /// Only a phishing-resistant sign-in: the request names that class and no weaker one.
    PhishingResistant,
}

/// The classes a request names: the `values` (or `value`) of an essential `acr` claim when
/// there is one, else the space-separated `acr_values`, else a voluntary `acr` claim's.
fn requested(acr_values: Option<&str>, claims: Option<&ClaimsRequest>) -> Vec<Acr> {
    let spec = claims
        .and_then(|c| c.id_token.get("acr"))
        .and_then(Option::as_ref);
    let spec_values = || -> Vec<Acr> {
        spec.map(|s| {
            s.values
                .iter()
                .flatten()
                .chain(s.value.iter())
                .filter_map(Value::as_str)
                .filter_map(Acr::parse)
                .collect()
        })
        .unwrap_or_default()
    };
    if spec.is_some_and(|s| s.essential == Some(true)) {
        let v = spec_values();
        if !v.is_empty() {
            return v;
        }
    }
    let from_param: Vec<Acr> = acr_values
        .unwrap_or_default()
        .split_ascii_whitespace()
        .filter_map(Acr::parse)
        .collect();
    if !from_param.is_empty() {
        return from_param;
    }
    spec_values()
}

/// What a request insists on: a phishing-resistant sign-in when every class it names is
/// that one; otherwise any sign-in (a code satisfies a request that names the code class).
pub fn requirement(acr_values: Option<&str>, claims: Option<&ClaimsRequest>) -> AcrRequirement {
    let wanted = requested(acr_values, claims);
    if !wanted.is_empty() && wanted.iter().all(|a| *a == Acr::PhishingResistant) {
        AcrRequirement::PhishingResistant
    } else {
        AcrRequirement::Any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> ClaimsRequest {
        ClaimsRequest::parse(json).unwrap()
    }

    #[test]
    fn classes_parse_from_their_names_only() {
        assert_eq!(Acr::parse("phr"), Some(Acr::PhishingResistant));
        assert_eq!(Acr::parse("urn:sesame:acr:code"), Some(Acr::Code));
        for bad in ["PHR", "1", "", "urn:sesame:acr"] {
            assert_eq!(Acr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_code_sign_in_is_the_code_class_and_a_key_is_phishing_resistant() {
        let amr = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Acr::of_amr(&amr(&["otp", "email"])), Acr::Code);
        assert_eq!(Acr::of_amr(&amr(&["otp", "sms"])), Acr::Code);
        assert_eq!(Acr::of_amr(&amr(&[])), Acr::Code);
        assert_eq!(Acr::of_amr(&amr(&["hwk", "user"])), Acr::PhishingResistant);
        assert!(Acr::PhishingResistant.satisfies(Acr::Code));
        assert!(!Acr::Code.satisfies(Acr::PhishingResistant));
    }

    #[test]
    fn only_a_request_naming_nothing_weaker_insists_on_phishing_resistance() {
        use AcrRequirement::*;
        assert_eq!(requirement(None, None), Any);
        assert_eq!(requirement(Some("1 2"), None), Any, "unknown values pass");
        assert_eq!(requirement(Some("phr"), None), PhishingResistant);
        assert_eq!(requirement(Some("1 phr"), None), PhishingResistant);
        assert_eq!(requirement(Some("phr urn:sesame:acr:code"), None), Any);
        let essential = claims(r#"{"id_token":{"acr":{"essential":true,"values":["phr"]}}}"#);
        assert_eq!(requirement(None, Some(&essential)), PhishingResistant);
        // The essential claim wins over acr_values.
        assert_eq!(
            requirement(Some("urn:sesame:acr:code"), Some(&essential)),
            PhishingResistant
        );
        let single = claims(r#"{"id_token":{"acr":{"essential":true,"value":"phr"}}}"#);
        assert_eq!(requirement(None, Some(&single)), PhishingResistant);
        let voluntary = claims(r#"{"id_token":{"acr":{"values":["phr"]}}}"#);
        assert_eq!(requirement(None, Some(&voluntary)), PhishingResistant);
        assert_eq!(
            requirement(Some("urn:sesame:acr:code"), Some(&voluntary)),
            Any
        );
        let null = claims(r#"{"id_token":{"acr":null}}"#);
        assert_eq!(requirement(None, Some(&null)), Any);
    }
}

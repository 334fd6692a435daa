//! Loading, layering, validation and redaction, from the outside of `Config`.

use std::collections::BTreeMap;

use secrecy::ExposeSecret;

use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_are_development_on_sqlite() {
    let c = Config::from_sources(None, &BTreeMap::new()).unwrap();
    assert_eq!(c.mode, Mode::Development);
    assert_eq!(c.issuer, "http://localhost:8080");
    assert_eq!(c.listen, "127.0.0.1:8080");
    assert_eq!(c.database.url, "sqlite://data/sesame.db");
    assert!(c.email.smtp_url.is_none());
    assert_eq!(c.login.code_ttl_seconds, 900);
}

#[test]
fn file_then_env_override_in_order() {
    let file = "issuer = \"http://file.example\"\n[login]\ncode_ttl_seconds = 300\n";
    let c = Config::from_sources(
        Some(file),
        &env(&[
            ("SESAME_ISSUER", "http://env.example"),
            ("SESAME_LOGIN__MAX_ATTEMPTS", "3"),
            ("SESAME_SMTP_URL", "smtp://127.0.0.1:2525"),
        ]),
    )
    .unwrap();
    assert_eq!(c.issuer, "http://env.example");
    assert_eq!(c.login.code_ttl_seconds, 300);
    assert_eq!(c.login.max_attempts, 3);
    assert_eq!(
        c.email
            .smtp_url
            .as_ref()
            .map(|s| s.expose_secret().to_string()),
        Some("smtp://127.0.0.1:2525".to_string())
    );
}

#[test]
fn unknown_file_key_is_an_error_naming_it() {
    let err = Config::from_sources(Some("isuer = \"x\""), &BTreeMap::new()).unwrap_err();
    assert!(err.to_string().contains("isuer"), "{err}");
    let err = Config::from_sources(Some("[login]\ncode_tll = 3"), &BTreeMap::new()).unwrap_err();
    assert!(err.to_string().contains("code_tll"), "{err}");
}

#[test]
fn unknown_env_key_is_an_error_naming_it() {
    let err = Config::from_sources(None, &env(&[("SESAME_ISUER", "http://x")])).unwrap_err();
    assert!(err.to_string().contains("isuer"), "{err}");
}

#[test]
fn env_value_of_wrong_type_is_an_error() {
    let err =
        Config::from_sources(None, &env(&[("SESAME_LOGIN__MAX_ATTEMPTS", "five")])).unwrap_err();
    assert!(
        err.to_string().contains("SESAME_LOGIN__MAX_ATTEMPTS"),
        "{err}"
    );
}

#[test]
fn production_refuses_without_smtp_https_and_secret() {
    let base = [("SESAME_MODE", "production")];
    let err = Config::from_sources(None, &env(&base)).unwrap_err();
    assert!(err.to_string().contains("SMTP"), "{err}");
    let err = Config::from_sources(
        None,
        &env(&[
            ("SESAME_MODE", "production"),
            ("SESAME_SMTP_URL", "smtp://x:25"),
        ]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("https"), "{err}");
    let err = Config::from_sources(
        None,
        &env(&[
            ("SESAME_MODE", "production"),
            ("SESAME_SMTP_URL", "smtp://x:25"),
            ("SESAME_ISSUER", "https://id.example.com"),
        ]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("secret key"), "{err}");
    let ok = Config::from_sources(
        None,
        &env(&[
            ("SESAME_MODE", "production"),
            ("SESAME_SMTP_URL", "smtp://x:25"),
            ("SESAME_ISSUER", "https://id.example.com"),
            ("SESAME_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
            ("SESAME_EMAIL_FROM", "Example <no-reply@example.com>"),
        ]),
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
}

#[test]
fn redacted_config_hides_secrets() {
    let c = Config::from_sources(
        None,
        &env(&[
            ("SESAME_SECRET_KEY", "0123456789abcdef0123456789abcdefXYZ"),
            ("SESAME_SMTP_URL", "smtp://user:hunter2@x:25"),
        ]),
    )
    .unwrap();
    let text = c.redacted_toml();
    assert!(!text.contains("hunter2"));
    assert!(!text.contains("XYZ"));
    assert!(!format!("{c:?}").contains("hunter2"));
}

const ANNOTATED: &str = include_str!("../../config/sesame.toml");

/// Dotted paths of every key in a TOML value (`login.max_attempts`, ...).
fn key_paths(v: &toml::Value, prefix: &str, out: &mut Vec<String>) {
    if let Some(t) = v.as_table() {
        for (k, v) in t {
            let path = format!("{prefix}{k}");
            if v.is_table() {
                key_paths(v, &format!("{path}."), out);
            } else {
                out.push(path);
            }
        }
    }
}

#[test]
fn annotated_config_file_equals_the_defaults_and_names_every_key() {
    let parsed = Config::from_sources(Some(ANNOTATED), &BTreeMap::new()).unwrap();
    assert_eq!(
        toml::Value::try_from(&parsed).unwrap(),
        toml::Value::try_from(Config::default()).unwrap(),
        "config/sesame.toml must hold exactly the built-in defaults"
    );
    // Optional keys appear as one commented-out `# key = value` line; with those lines
    // uncommented the file must name every key of a fully set configuration.
    let uncommented: String = ANNOTATED
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest)
                if rest.split_once(" = ").is_some_and(|(k, _)| {
                    k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                }) =>
            {
                rest
            }
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let file: toml::Value = toml::from_str(&uncommented).unwrap();
    let _: Config = file.clone().try_into().unwrap();
    let mut full = Config {
        secret_key: Some(SecretString::from("x".repeat(32))),
        ..Config::default()
    };
    full.email.smtp_url = Some(SecretString::from("smtp://127.0.0.1:2525"));
    full.log.format = Some("json".into());
    // Every optional key (None by default, so absent from the defaults' TOML).
    let secret = || Some(SecretString::from("s".repeat(32)));
    full.sms.provider = Some(SmsProvider::Twilio);
    full.sms.allowed_countries = Some(vec!["US".into()]);
    full.sms.twilio.auth_token = secret();
    full.sms.twilio.api_key_sid = Some("SK1".into());
    full.sms.twilio.api_key_secret = secret();
    full.sms.twilio.from = Some("+15005550006".into());
    full.sms.twilio.messaging_service_sid = Some("MG1".into());
    full.sms.webhook.secret = secret();
    full.ops.metrics_token = secret();
    full.registration.initial_access_token = secret();
    full.i18n.dir = Some("/etc/sesame/locales".into());
    let (mut in_file, mut all) = (Vec::new(), Vec::new());
    key_paths(&file, "", &mut in_file);
    key_paths(&toml::Value::try_from(&full).unwrap(), "", &mut all);
    in_file.sort();
    all.sort();
    assert_eq!(in_file, all, "config/sesame.toml must document every key");
}

#[test]
fn limits_are_configurable_from_file_and_env() {
    let file = "[limits]\nidentifier_failures_per_hour = 7\n[limits.email]\nper_ip_per_hour = 9\n";
    let c = Config::from_sources(
        Some(file),
        &env(&[
            ("SESAME_LIMITS__TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
            ("SESAME_LIMITS__SMS__PER_IDENTIFIER_PER_DAY", "4"),
        ]),
    )
    .unwrap();
    assert_eq!(c.limits.identifier_failures_per_hour, 7);
    assert_eq!(c.limits.identifier_failures_per_day, 20);
    assert_eq!(c.limits.email.per_ip_per_hour, 9);
    assert_eq!(c.limits.sms.per_identifier_per_day, 4);
    assert_eq!(
        Vec::<String>::from(c.limits.trusted_proxies.clone()),
        ["10.0.0.0/8", "127.0.0.1/32"]
    );
    let err = Config::from_sources(
        None,
        &env(&[("SESAME_LIMITS__TRUSTED_PROXIES", "not-an-ip")]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("trusted_proxies"), "{err}");
    let err = Config::from_sources(
        Some("[limits]\nip_failures_per_hour = -1\n"),
        &BTreeMap::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("ip_failures_per_hour"), "{err}");
}

#[test]
fn data_dir_follows_the_sqlite_file() {
    let mut c = Config::default();
    c.database.url = "sqlite:///tmp/x/y.db?mode=rwc".into();
    assert_eq!(c.data_dir(), PathBuf::from("/tmp/x"));
    c.database.url = "postgres://localhost/db".into();
    assert_eq!(c.data_dir(), PathBuf::from("data"));
}

#[test]
fn kubernetes_service_links_do_not_stop_the_server() {
    let c = Config::from_sources(
        None,
        &env(&[
            ("SESAME_PORT", "tcp://10.0.0.1:8080"),
            ("SESAME_PORT_8080_TCP", "tcp://10.0.0.1:8080"),
            ("SESAME_PORT_8080_TCP_PROTO", "tcp"),
            ("SESAME_PORT_8080_TCP_PORT", "8080"),
            ("SESAME_PORT_8080_TCP_ADDR", "10.0.0.1"),
            ("SESAME_SERVICE_HOST", "10.0.0.1"),
            ("SESAME_SERVICE_PORT", "8080"),
            ("SESAME_SERVICE_PORT_HTTP", "8080"),
            ("SESAME_LISTEN", "0.0.0.0:8080"),
        ]),
    );
    assert_eq!(c.map(|c| c.listen).ok().as_deref(), Some("0.0.0.0:8080"));
}

#[test]
fn only_the_shapes_kubernetes_writes_count_as_service_links() {
    use super::load::is_service_link;
    assert!(is_service_link("SESAME_PORT", "udp://10.0.0.1:53"));
    assert!(
        !is_service_link("SESAME_PORT", "8080"),
        "not a link's value"
    );
    assert!(!is_service_link("SESAME_PORT_X_TCP", "tcp://a:1"));
    assert!(!is_service_link("SESAME_PORT_80_TCP_HOST", "x"));
    assert!(!is_service_link("SESAME_PORT_80_TCP", "80"));
    assert!(!is_service_link("SESAME_ISSUER", "tcp://x"));
    assert!(!is_service_link("OTHER_SERVICE_HOST", "10.0.0.1"));
}

#[test]
fn an_unknown_variable_is_named_as_the_variable() {
    for (name, key) in [
        ("SESAME_ISUER", "isuer"),
        ("SESAME_LOGIN__CODE_TLL_SECONDS", "login.code_tll_seconds"),
        ("SESAME_PORT", "port"),
    ] {
        let err = Config::from_sources(None, &env(&[(name, "1")]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains(&format!(
                "environment variable {name} is not a Sesame setting"
            )) && err.contains(&format!("`{key}`")),
            "{name}: {err}"
        );
    }
    // An unknown key in the file stays the file's error, named as its key.
    let err = Config::from_sources(Some("isuer = \"x\"\n"), &env(&[("SESAME_LISTEN", "a:1")]))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("isuer") && !err.contains("environment"),
        "{err}"
    );
}

#[test]
fn production_lists_every_problem_at_once_and_refuses_a_localhost_sender() {
    let err = Config::from_sources(None, &env(&[("SESAME_MODE", "production")])).unwrap_err();
    let text = err.to_string();
    for needle in [
        "SESAME_SMTP_URL",
        "SESAME_ISSUER",
        "SESAME_SECRET_KEY",
        "SESAME_EMAIL_FROM",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert_eq!(text.lines().count(), 4, "{text}");
    let err = Config::from_sources(
        None,
        &env(&[
            ("SESAME_MODE", "production"),
            ("SESAME_SMTP_URL", "smtp://x:25"),
            ("SESAME_ISSUER", "https://id.example.com"),
            ("SESAME_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
            ("SESAME_EMAIL_FROM", "no-reply@mail.LOCALHOST"),
        ]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("email.from"), "{err}");
}

#[test]
fn every_section_reports_all_its_problems_in_one_message() {
    let err = Config::from_sources(
        None,
        &env(&[
            ("SESAME_SMTP_URL", "smtp://127.0.0.1:2525?tls=yes"),
            ("SESAME_EMAIL_FROM", "not an address"),
            ("SESAME_SMS__TEMPLATE", "no placeholder"),
            ("SESAME_SMS__TIMEOUT_SECONDS", "0"),
            ("SESAME_SERVER__IDLE_TIMEOUT_SECONDS", "0"),
            ("SESAME_SERVER__MAX_CONNECTIONS", "0"),
            ("SESAME_OUTBOX__BATCH_SIZE", "0"),
            ("SESAME_OUTBOX__POLL_INTERVAL_MS", "0"),
            ("SESAME_LIMITS__IP_FAILURES_PER_HOUR", "-1"),
            ("SESAME_LIMITS__IP_DELAY_MAX_MS", "100000"),
            ("SESAME_AUTHORIZE__MAX_STATE_BYTES", "1"),
            ("SESAME_AUTHORIZE__MAX_NONCE_BYTES", "1"),
            ("SESAME_LOGIN__MAX_ATTEMPTS", "0"),
            ("SESAME_SESSION__TTL_SECONDS", "0"),
            ("SESAME_CONSOLE__RECENT_SIGN_IN_SECONDS", "0"),
        ]),
    )
    .unwrap_err()
    .to_string();
    for needle in [
        "SESAME_SMTP_URL",
        "SESAME_EMAIL_FROM",
        "sms.template",
        "sms.timeout_seconds",
        "server.idle_timeout_seconds",
        "server.max_connections",
        "outbox.batch_size",
        "outbox.poll_interval_ms",
        "limits.ip_failures_per_hour",
        "limits.ip_delay_max_ms",
        "authorize.max_state_bytes",
        "authorize.max_nonce_bytes",
        "login.max_attempts",
        "session.ttl_seconds",
        "console.recent_sign_in_seconds",
    ] {
        assert!(err.contains(needle), "{needle} missing from:\n{err}");
    }
    assert_eq!(err.lines().count(), 15, "one line per problem:\n{err}");
}

#[test]
fn the_layer_that_set_secret_key_is_known() {
    let key = "k".repeat(32);
    let file = format!("secret_key = \"{key}\"\n");
    let from_env = env(&[("SESAME_SECRET_KEY", key.as_str())]);
    let origin = |file: Option<&str>, env: &BTreeMap<String, String>| {
        Config::from_sources(file, env).unwrap().secret_key_origin
    };
    assert_eq!(origin(None, &BTreeMap::new()), SecretKeyOrigin::Unknown);
    assert_eq!(
        origin(Some(&file), &BTreeMap::new()),
        SecretKeyOrigin::File(None)
    );
    assert_eq!(origin(None, &from_env), SecretKeyOrigin::Environment);
    assert_eq!(origin(Some(&file), &from_env), SecretKeyOrigin::Environment);
}

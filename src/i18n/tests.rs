//! The catalogs: every language has exactly English's messages, each formats without an
//! error in every language, every key the pages and messages use exists, and the language
//! of a request is chosen as documented.

use std::collections::BTreeSet;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::catalog::BUILTIN;
use super::*;

/// `id` and `id.attr` of every message of a catalog, in file order.
fn keys(source: &str) -> Vec<String> {
    let res = match fluent_syntax::parser::parse(source) {
        Ok(r) => r,
        Err((_, errors)) => panic!("a catalog does not parse: {errors:?}"),
    };
    let mut out = Vec::new();
    for e in res.body {
        if let Entry::Message(m) = e {
            if m.value.is_some() {
                out.push(m.id.name.to_string());
            }
            for a in m.attributes {
                out.push(format!("{}.{}", m.id.name, a.id.name));
            }
        }
    }
    out
}

fn variables_of(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
    fn inline(e: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::Placeable { expression } => expr(expression, out),
            _ => {}
        }
    }
    fn expr(e: &Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            Expression::Inline(i) => inline(i, out),
            Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    variables_of(&v.value, out);
                }
            }
        }
    }
    for el in &p.elements {
        if let PatternElement::Placeable { expression } = el {
            expr(expression, out);
        }
    }
}

/// The variables English uses in each key.
fn english_variables() -> Vec<(String, Option<String>, BTreeSet<String>)> {
    let res = fluent_syntax::parser::parse(BUILTIN[0].1).unwrap();
    let mut out = Vec::new();
    for e in res.body {
        if let Entry::Message(m) = e {
            if let Some(v) = &m.value {
                let mut vars = BTreeSet::new();
                variables_of(v, &mut vars);
                out.push((m.id.name.to_string(), None, vars));
            }
            for a in &m.attributes {
                let mut vars = BTreeSet::new();
                variables_of(&a.value, &mut vars);
                out.push((m.id.name.to_string(), Some(a.id.name.to_string()), vars));
            }
        }
    }
    out
}

/// A plausible value for a variable: numbers for the ones plurals select on.
fn sample(var: &str, n: i64) -> Arg {
    match var {
        "n" | "remaining" | "seconds" | "minutes" | "max" | "bytes" => Arg::Number(n),
        _ => Arg::Text(format!("<{var}>")),
    }
}

#[test]
fn every_language_has_every_english_message_and_no_other() {
    let english = keys(BUILTIN[0].1);
    let english_set: BTreeSet<&String> = english.iter().collect();
    assert_eq!(english.len(), english_set.len(), "English repeats a key");
    for (tag, source) in &BUILTIN[1..] {
        let theirs = keys(source);
        let set: BTreeSet<&String> = theirs.iter().collect();
        if let Some(k) = english.iter().find(|k| !set.contains(k)) {
            panic!("locales/{tag}/sesame.ftl lacks `{k}`");
        }
        if let Some(k) = theirs.iter().find(|k| !english_set.contains(k)) {
            panic!("locales/{tag}/sesame.ftl has `{k}`, which English lacks");
        }
    }
}

#[test]
fn every_message_formats_in_every_language_without_an_error() {
    let i18n = I18n::builtin("Sesame");
    let vars = english_variables();
    for l in i18n.locales() {
        let t = i18n.tr(l);
        for (id, attr, names) in &vars {
            // Plural categories differ by language: try the numbers that select each.
            for n in [0, 1, 2, 3, 5, 11, 100] {
                let args: Vec<(&str, Arg)> =
                    names.iter().map(|v| (v.as_str(), sample(v, n))).collect();
                let (out, errors) = t.checked(id, attr.as_deref(), &args);
                assert!(
                    errors.is_empty(),
                    "{}: {id}{}: {errors:?}",
                    t.lang(),
                    attr.as_deref().map(|a| format!(".{a}")).unwrap_or_default()
                );
                assert!(!out.trim().is_empty(), "{}: {id} is empty", t.lang());
            }
        }
    }
}

#[test]
fn a_translation_uses_only_the_variables_english_gives_it() {
    let english: Vec<_> = english_variables();
    for (tag, source) in &BUILTIN[1..] {
        let res = fluent_syntax::parser::parse(*source).unwrap();
        for e in res.body {
            let Entry::Message(m) = e else { continue };
            let find = |attr: Option<&str>| {
                english
                    .iter()
                    .find(|(id, a, _)| id == m.id.name && a.as_deref() == attr)
                    .map(|(_, _, v)| v.clone())
                    .unwrap_or_default()
            };
            if let Some(v) = &m.value {
                let mut vars = BTreeSet::new();
                variables_of(v, &mut vars);
                let allowed = find(None);
                assert!(
                    vars.is_subset(&allowed),
                    "{tag}: {} uses {vars:?}, English gives {allowed:?}",
                    m.id.name
                );
            }
        }
    }
}

/// Every catalog key named in the templates and the code exists in English (and so, by
/// the test above, in every language).
#[test]
fn every_key_the_pages_and_messages_use_exists() {
    let en = keys(BUILTIN[0].1);
    let known: BTreeSet<&str> = en
        .iter()
        .map(|k| k.split('.').next().unwrap_or(k))
        .collect();
    let prefixes = [
        "identifier-",
        "code-",
        "pause-",
        "sms-",
        "consent-",
        "scope-",
        "profile-",
        "apps-",
        "device-",
        "logout-",
        "form-post-",
        "demo-",
        "error-",
        "email-",
        "authorize-",
        "nav-",
        "who-",
        "wait-",
        "footer-",
        "signed-in-",
    ];
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = Vec::new();
    let mut stack = vec![
        std::path::PathBuf::from(root).join("src"),
        std::path::PathBuf::from(root).join("templates"),
    ];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "rs" || x == "html" || x == "txt")
            {
                files.push(p);
            }
        }
    }
    let mut used = 0;
    for f in files {
        if f.ends_with("i18n/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for lit in text.split('"').skip(1).step_by(2) {
            let looks_like_key = prefixes.iter().any(|p| lit.starts_with(p))
                && lit
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !lit.ends_with('-');
            // Element ids of the pages, not catalog keys.
            let element_id = ["identifier-error", "code-error"].contains(&lit);
            if looks_like_key && !element_id {
                used += 1;
                assert!(
                    known.contains(lit),
                    "{}: `{lit}` is not in the catalogs",
                    f.display()
                );
            }
        }
    }
    assert!(used > 100, "only {used} keys found: the scan is broken");
}

#[test]
fn ui_locales_wins_then_accept_language_then_the_default() {
    let i18n = I18n::builtin("Sesame");
    let tag = |l| i18n.tag(l).to_owned();
    assert_eq!(tag(i18n.negotiate(Some("de"), Some("fr"))), "de");
    assert_eq!(tag(i18n.negotiate(Some("xx de-AT"), Some("fr"))), "de");
    assert_eq!(
        tag(i18n.negotiate(Some("xx"), Some("fr-CA,en;q=0.5"))),
        "fr"
    );
    assert_eq!(tag(i18n.negotiate(None, Some("pt"))), "pt-BR");
    assert_eq!(tag(i18n.negotiate(None, Some("pt-PT, ja;q=0.2"))), "pt-BR");
    assert_eq!(tag(i18n.negotiate(None, Some("ja-JP"))), "ja");
    assert_eq!(tag(i18n.negotiate(None, Some("ar-EG"))), "ar");
    assert_eq!(tag(i18n.negotiate(None, Some("zz, *"))), "en");
    assert_eq!(tag(i18n.negotiate(None, None)), "en");
    let de = I18n::load(None, "de", "Sesame").unwrap();
    assert_eq!(de.tag(de.negotiate(None, Some("zz"))), "de");
    assert!(I18n::load(None, "xx", "Sesame").is_err());
}

#[test]
fn arabic_is_written_right_to_left_and_the_others_left_to_right() {
    let i18n = I18n::builtin("Sesame");
    for l in i18n.locales() {
        let t = i18n.tr(l);
        let want = if t.lang() == "ar" { "rtl" } else { "ltr" };
        assert_eq!(t.dir(), want, "{}", t.lang());
    }
    assert_eq!(
        i18n.tags(),
        ["en", "de", "fr", "es", "pt-BR", "ja", "ar"],
        "discovery lists the languages in this order"
    );
}

#[test]
fn plurals_come_from_the_catalog() {
    let i18n = I18n::builtin("Sesame");
    let en = i18n.tr(i18n.default_locale());
    let wrong = |n: i64| en.t1("code-error-wrong", "remaining", n);
    assert!(wrong(1).contains("1 try left"), "{}", wrong(1));
    assert!(wrong(3).contains("3 tries left"), "{}", wrong(3));
    assert!(wrong(0).contains("Ask for a new code"), "{}", wrong(0));
    let de = i18n.tr(i18n.find("de").unwrap());
    assert!(de.t1("email-expires", "minutes", 1).contains("1 Minute"));
    assert!(de.t1("email-expires", "minutes", 10).contains("10 Minuten"));
    let ar = i18n.tr(i18n.find("ar").unwrap());
    assert_ne!(
        ar.t1("email-expires", "minutes", 2),
        ar.t1("email-expires", "minutes", 5)
    );
}

#[test]
fn a_missing_message_falls_back_to_english_and_then_to_its_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nl")).unwrap();
    std::fs::write(dir.path().join("nl/sesame.ftl"), "code-submit = Inloggen\n").unwrap();
    std::fs::create_dir(dir.path().join("de")).unwrap();
    std::fs::write(
        dir.path().join("de/brand.ftl"),
        "identifier-submit = Code anfordern\n",
    )
    .unwrap();
    let i18n = I18n::load(Some(dir.path()), "en", "Sesame").unwrap();
    assert_eq!(i18n.tags().last(), Some(&"nl"));
    let nl = i18n.tr(i18n.find("nl").unwrap());
    assert_eq!(nl.t("code-submit"), "Inloggen");
    assert_eq!(nl.t("code-label"), "6-digit code");
    assert_eq!(nl.t("no-such-key"), "no-such-key");
    let de = i18n.tr(i18n.find("de").unwrap());
    assert_eq!(de.t("identifier-submit"), "Code anfordern");
    assert_ne!(de.t("code-submit"), "Sign in");
    std::fs::write(dir.path().join("nl/broken.ftl"), "= nothing\n").unwrap();
    assert!(I18n::load(Some(dir.path()), "en", "Sesame").is_err());
}

#[test]
fn dates_follow_the_catalog() {
    let i18n = I18n::builtin("Sesame");
    let en = i18n.tr(i18n.default_locale());
    assert_eq!(en.datetime(0), "1970-01-01 00:00 UTC");
    let de = i18n.tr(i18n.find("de").unwrap());
    assert_eq!(de.datetime(86_400 * 40), "10.02.1970, 00:00 UTC");
}

//! The hosted pages, emails and text messages in the person's language.
//!
//! Messages live in Mozilla Fluent catalogs (`locales/<tag>/sesame.ftl`, built in; a
//! deployment's `[i18n] dir` overrides or adds to them: [`catalog`]). The language of a
//! request is negotiated once ([`I18n::negotiate`]): the OpenID Connect `ui_locales`
//! parameter, then `Accept-Language`, then the deployment's default. A sign-in keeps the
//! language it started with (the authorization request carries it), so its pages and its
//! code message are written in it. A [`Tr`] formats messages in one language; a key
//! missing there falls back to English (logged once), never to an error.

pub mod catalog;
mod msg;
pub mod web;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use fluent_bundle::{FluentArgs, FluentValue};
use unic_langid::LanguageIdentifier;

pub use self::catalog::CatalogError;
use self::catalog::Language;
pub use self::msg::{Arg, Msg};

/// The built-in catalogs (English default), for what is answered without the state: an
/// error page outside the page layer, the form-post page.
pub fn builtin() -> &'static I18n {
    static BUILTIN: std::sync::LazyLock<I18n> =
        std::sync::LazyLock::new(|| I18n::builtin("Sesame"));
    &BUILTIN
}

/// A negotiated language: an index into the deployment's catalogs. Only [`I18n`] makes
/// one, so it always names a language that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locale(usize);

/// Every language of this deployment and its default.
pub struct I18n {
    langs: Vec<Language>,
    default: usize,
    /// The deployment's product name, the `$product` of every message.
    product: String,
    /// Keys already reported missing (logged once each).
    missing: Mutex<HashSet<(usize, String)>>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n")
            .field("languages", &self.tags())
            .field("default", &self.langs[self.default].tag)
            .finish()
    }
}

impl I18n {
    /// The built-in catalogs, the deployment's folder over them, and the default language
    /// (which must be one of them).
    pub fn load(dir: Option<&Path>, default: &str, product: &str) -> Result<I18n, CatalogError> {
        let langs = catalog::load(dir)?;
        let mut i = I18n {
            langs,
            default: 0,
            product: crate::channel::one_line(product),
            missing: Mutex::new(HashSet::new()),
        };
        i.default = i
            .find(default)
            .ok_or_else(|| CatalogError::Tag(default.to_owned()))?
            .0;
        Ok(i)
    }

    /// The built-in catalogs with English as the default.
    #[allow(clippy::panic)]
    pub fn builtin(product: &str) -> I18n {
        match I18n::load(None, "en", product) {
            Ok(i) => i,
            // The built-in catalogs are compiled in and checked by the test suite (every
            // one parses and has every key): this cannot fail in a released binary.
            Err(e) => panic!("the built-in catalogs do not load: {e}"),
        }
    }

    /// The tags of every language, in order (the built-in ones first).
    pub fn tags(&self) -> Vec<&str> {
        self.langs.iter().map(|l| l.tag.as_str()).collect()
    }

    pub fn default_locale(&self) -> Locale {
        Locale(self.default)
    }

    /// Every language, for tests and discovery.
    pub fn locales(&self) -> impl Iterator<Item = Locale> {
        (0..self.langs.len()).map(Locale)
    }

    /// The language named exactly (case-insensitive) by `tag`, or the best match for it.
    pub fn find(&self, tag: &str) -> Option<Locale> {
        let wanted: LanguageIdentifier = tag.trim().parse().ok()?;
        self.best(std::slice::from_ref(&wanted))
    }

    /// The tag of a language, as stored with a sign-in.
    pub fn tag(&self, l: Locale) -> &str {
        &self.lang(l).tag
    }

    fn lang(&self, l: Locale) -> &Language {
        self.langs.get(l.0).unwrap_or(&self.langs[self.default])
    }

    fn best(&self, wanted: &[LanguageIdentifier]) -> Option<Locale> {
        let available: Vec<&LanguageIdentifier> = self.langs.iter().map(|l| &l.id).collect();
        let chosen = fluent_langneg::negotiate_languages(
            wanted,
            &available,
            None,
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        let first = chosen.first()?;
        self.langs.iter().position(|l| l.id == ***first).map(Locale)
    }

    /// The language of a request: the first of `ui_locales` (space-separated, in order of
    /// preference) that this deployment has, else the best of `Accept-Language`, else the
    /// default.
    pub fn negotiate(&self, ui_locales: Option<&str>, accept_language: Option<&str>) -> Locale {
        let ui: Vec<LanguageIdentifier> = ui_locales
            .unwrap_or_default()
            .split_ascii_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect();
        if let Some(l) = ui.iter().find_map(|w| self.best(std::slice::from_ref(w))) {
            return l;
        }
        let accepted = fluent_langneg::parse_accepted_languages(accept_language.unwrap_or(""));
        accepted
            .iter()
            .find_map(|w| self.best(std::slice::from_ref(w)))
            .unwrap_or(self.default_locale())
    }

    /// A stored tag (a sign-in's language) back to a language; the default when the
    /// deployment no longer has it.
    pub fn from_tag(&self, tag: Option<&str>) -> Locale {
        tag.and_then(|t| self.find(t))
            .unwrap_or(self.default_locale())
    }

    /// A translator for one language.
    pub fn tr(&self, l: Locale) -> Tr<'_> {
        Tr {
            i18n: self,
            lang: self.lang(l),
            index: l.0.min(self.langs.len() - 1),
        }
    }

    /// Formats `id` (or its attribute) in language `index`, falling back to English, then
    /// to the key itself. `errors` collects Fluent's complaints (a missing variable, ...).
    fn format(
        &self,
        index: usize,
        id: &str,
        attr: Option<&str>,
        args: Option<&FluentArgs>,
        errors: &mut Vec<String>,
    ) -> String {
        for (i, l) in [(index, self.lang(Locale(index))), (0, &self.langs[0])] {
            let Some(m) = l.bundle.get_message(id) else {
                self.report_missing(i, id, index);
                continue;
            };
            let pattern = match attr {
                Some(a) => m.get_attribute(a).map(|a| a.value()),
                None => m.value(),
            };
            let Some(pattern) = pattern else {
                self.report_missing(i, id, index);
                continue;
            };
            let mut errs = Vec::new();
            let out = l
                .bundle
                .format_pattern(pattern, args, &mut errs)
                .into_owned();
            errors.extend(errs.iter().map(|e| format!("{}: {id}: {e}", l.tag)));
            return out;
        }
        errors.push(format!("missing message {id}"));
        id.to_owned()
    }

    fn report_missing(&self, at: usize, id: &str, wanted: usize) {
        if at != wanted {
            return;
        }
        if let Ok(mut seen) = self.missing.lock() {
            if seen.insert((at, id.to_owned())) {
                tracing::warn!(
                    language = %self.langs[at].tag,
                    key = id,
                    "a message is missing from this language's catalog; English is shown"
                );
            }
        }
    }
}

/// Formats messages in one language (given to every template as `t`).
#[derive(Clone, Copy)]
pub struct Tr<'a> {
    i18n: &'a I18n,
    lang: &'a Language,
    index: usize,
}

impl Tr<'_> {
    /// The deployment's product name.
    pub fn product(&self) -> &str {
        &self.i18n.product
    }

    /// The BCP 47 tag, for `<html lang>`.
    pub fn lang(&self) -> &str {
        &self.lang.tag
    }

    /// `rtl` or `ltr`, for `<html dir>`.
    pub fn dir(&self) -> &'static str {
        if self.lang.rtl {
            "rtl"
        } else {
            "ltr"
        }
    }

    pub fn locale(&self) -> Locale {
        Locale(self.index)
    }

    fn args(&self, args: &[(&str, Arg)]) -> FluentArgs<'static> {
        let mut a = FluentArgs::new();
        a.set("product", FluentValue::from(self.i18n.product.clone()));
        for (k, v) in args {
            let v = match v {
                Arg::Text(s) => FluentValue::from(s.clone()),
                Arg::Number(n) => FluentValue::from(*n),
                Arg::Msg(m) => FluentValue::from(self.msg(m)),
            };
            a.set(k.to_string(), v);
        }
        a
    }

    /// Formats `id` with `args`, and what went wrong (for tests: a missing variable or
    /// message).
    pub fn checked(
        &self,
        id: &str,
        attr: Option<&str>,
        args: &[(&str, Arg)],
    ) -> (String, Vec<String>) {
        let mut errors = Vec::new();
        let a = self.args(args);
        let out = self
            .i18n
            .format(self.index, id, attr, Some(&a), &mut errors);
        (out, errors)
    }

    fn fmt(&self, id: &str, attr: Option<&str>, args: &[(&str, Arg)]) -> String {
        let (out, errors) = self.checked(id, attr, args);
        if !errors.is_empty() {
            tracing::debug!(?errors, "formatting a message");
        }
        out
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.fmt(id, None, &[])
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, k: &str, v: impl Into<Arg>) -> String {
        self.fmt(id, None, &[(k, v.into())])
    }

    /// The message `id` with two arguments.
    pub fn t2(
        &self,
        id: &str,
        k1: &str,
        v1: impl Into<Arg>,
        k2: &str,
        v2: impl Into<Arg>,
    ) -> String {
        self.fmt(id, None, &[(k1, v1.into()), (k2, v2.into())])
    }

    /// A carried message.
    pub fn msg(&self, m: &Msg) -> String {
        match m {
            Msg::Raw(s) => s.clone(),
            Msg::Key { id, attr, args } => {
                let args: Vec<(&str, Arg)> =
                    args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                self.fmt(id, attr.as_deref(), &args)
            }
        }
    }

    /// A Unix time as a date and time (UTC), in this language's order.
    pub fn datetime(&self, unix: i64) -> String {
        let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix) else {
            return unix.to_string();
        };
        let two = |n: u8| Arg::Text(format!("{n:02}"));
        self.fmt(
            "datetime",
            None,
            &[
                ("year", Arg::Text(t.year().to_string())),
                ("month", two(u8::from(t.month()))),
                ("day", two(t.day())),
                ("hour", two(t.hour())),
                ("minute", two(t.minute())),
            ],
        )
    }
}

#[cfg(test)]
mod tests;

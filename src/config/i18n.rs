//! The `[i18n]` section: the default language of the hosted pages and messages, and a
//! folder of the deployment's own catalog files (docs/languages.md).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct I18nConfig {
    /// The language used when neither `ui_locales` nor `Accept-Language` names one this
    /// deployment has (a BCP 47 tag such as `en`, `de`, `pt-BR`).
    pub default_language: String,
    /// A folder of Fluent files, `<dir>/<tag>/*.ftl`: messages there override the built-in
    /// ones of that language, and a tag that is not built in adds a language.
    pub dir: Option<PathBuf>,
}

impl Default for I18nConfig {
    fn default() -> Self {
        I18nConfig {
            default_language: "en".into(),
            dir: None,
        }
    }
}

impl I18nConfig {
    /// The catalogs must load and hold the default language.
    pub(super) fn validate(&self, product: &str, p: &mut Vec<ConfigError>) {
        if let Err(e) =
            crate::i18n::I18n::load(self.dir.as_deref(), &self.default_language, product)
        {
            p.push(ConfigError(format!("i18n: {e}")));
        }
    }
}

//! The catalogs: the built-in Fluent files (`locales/<tag>/sesame.ftl`, compiled into the
//! binary) and a deployment's folder of its own `.ftl` files, which override built-in
//! messages or add languages.

use std::path::Path;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::FluentResource;
use unic_langid::LanguageIdentifier;

/// The built-in catalogs, English first (the reference every other language follows).
pub const BUILTIN: [(&str, &str); 7] = [
    ("en", include_str!("../../locales/en/sesame.ftl")),
    ("de", include_str!("../../locales/de/sesame.ftl")),
    ("fr", include_str!("../../locales/fr/sesame.ftl")),
    ("es", include_str!("../../locales/es/sesame.ftl")),
    ("pt-BR", include_str!("../../locales/pt-BR/sesame.ftl")),
    ("ja", include_str!("../../locales/ja/sesame.ftl")),
    ("ar", include_str!("../../locales/ar/sesame.ftl")),
];

/// Languages written right to left (their primary language subtag).
const RTL: [&str; 9] = ["ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd"];

/// Why the catalogs cannot be loaded (stops start-up with the reason).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("`{0}` is not a language tag (like de, pt-BR)")]
    Tag(String),
}

/// One language: its tag, direction and messages.
pub struct Language {
    pub(super) id: LanguageIdentifier,
    pub(super) tag: String,
    pub(super) rtl: bool,
    pub(super) bundle: FluentBundle<FluentResource>,
}

impl Language {
    fn new(tag: &str) -> Result<Language, CatalogError> {
        let id: LanguageIdentifier = tag.parse().map_err(|_| CatalogError::Tag(tag.to_owned()))?;
        let rtl = RTL.contains(&id.language.as_str());
        let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
        // Isolation marks keep an address or a name in its own direction inside a
        // right-to-left sentence; in left-to-right text they would only be noise.
        bundle.set_use_isolating(rtl);
        Ok(Language {
            tag: id.to_string(),
            id,
            rtl,
            bundle,
        })
    }

    fn add(&mut self, source: String, origin: &str, overriding: bool) -> Result<(), CatalogError> {
        let res = parse(source, origin)?;
        if overriding {
            self.bundle.add_resource_overriding(res);
            Ok(())
        } else {
            self.bundle
                .add_resource(res)
                .map_err(|e| CatalogError::File {
                    path: origin.to_owned(),
                    reason: format!("{} duplicate message(s)", e.len()),
                })
        }
    }
}

/// Parses one Fluent file; a syntax error names the file and the first problem.
pub fn parse(source: String, origin: &str) -> Result<FluentResource, CatalogError> {
    FluentResource::try_new(source).map_err(|(_, errors)| CatalogError::File {
        path: origin.to_owned(),
        reason: format!(
            "{} syntax error(s), the first: {:?}",
            errors.len(),
            errors.first().map(|e| &e.kind)
        ),
    })
}

/// The built-in languages, then the deployment's folder: `<dir>/<tag>/*.ftl` (a tag that
/// is built in overrides its messages; another adds a language, English filling its gaps).
pub fn load(dir: Option<&Path>) -> Result<Vec<Language>, CatalogError> {
    let mut langs = Vec::new();
    for (tag, source) in BUILTIN {
        let mut l = Language::new(tag)?;
        l.add(
            source.to_owned(),
            &format!("locales/{tag}/sesame.ftl"),
            false,
        )?;
        langs.push(l);
    }
    let Some(dir) = dir else {
        return Ok(langs);
    };
    let io = |p: &Path, e: std::io::Error| CatalogError::File {
        path: p.display().to_string(),
        reason: e.to_string(),
    };
    let mut folders: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let name = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let probe = Language::new(&name)?;
        let at = match langs.iter().position(|l| l.id == probe.id) {
            Some(i) => i,
            None => {
                langs.push(probe);
                langs.len() - 1
            }
        };
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .map_err(|e| io(&folder, e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect();
        files.sort();
        for file in files {
            let source = std::fs::read_to_string(&file).map_err(|e| io(&file, e))?;
            langs[at].add(source, &file.display().to_string(), true)?;
        }
    }
    Ok(langs)
}

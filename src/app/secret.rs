//! The server secret: where it comes from, and the check that it is the secret the
//! database was created with. The server and every CLI command go through
//! [`open_secret`], so neither writes anything under a secret that cannot read what the
//! database already holds, and no development secret is generated beside a database that
//! has keys.

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use super::StartError;
use crate::config::{sqlite_path, Config, SecretKeyOrigin};
use crate::crypto::{random_token, ServerSecrets};
use crate::store::Store;
use crate::tokens::keys::decrypt_private_key;

/// Where the secret in use came from, as the operator set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The `SESAME_SECRET_KEY` variable.
    Environment,
    /// `secret_key` in the configuration file (its path when one was read).
    ConfigFile(Option<PathBuf>),
    /// The development secret kept at `<data dir>/secret.key`.
    DevFile(PathBuf),
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Environment => f.write_str("the SESAME_SECRET_KEY variable"),
            SecretSource::ConfigFile(Some(p)) => {
                write!(f, "secret_key in the config file {}", p.display())
            }
            SecretSource::ConfigFile(None) => f.write_str("secret_key in the configuration"),
            SecretSource::DevFile(p) => write!(f, "the development secret file {}", p.display()),
        }
    }
}

/// The database a configuration names, for messages: the SQLite file's path, or the URL
/// with any password replaced.
pub fn describe_database(config: &Config) -> String {
    match sqlite_path(&config.database.url) {
        Some(p) => format!("the SQLite database {}", absolute(&p).display()),
        None => format!(
            "the database {}",
            crate::store::redact_url(&config.database.url)
        ),
    }
}

/// The secret `store` is used with: the configured one, else in development the one kept
/// in the data folder, generated on first use when the database holds no signing key yet.
/// It is refused, before anything is written, when it cannot decrypt the stored keys.
pub async fn open_secret(config: &Config, store: &Store) -> Result<ServerSecrets, StartError> {
    let (secret, source) = match configured_secret(config)? {
        Some(found) => found,
        None => {
            let path = dev_secret_path(config);
            if !store.all_keys().await?.is_empty() {
                return Err(StartError::Secret(format!(
                    "{} already holds signing keys, but no secret is configured and {} does \
                     not exist; a new secret could not decrypt them, so none was generated. \
                     Set SESAME_SECRET_KEY to the secret this database was created with (or \
                     put it back in {}).",
                    describe_database(config),
                    path.display(),
                    path.display()
                )));
            }
            (
                generate_dev_secret(config, &path)?,
                SecretSource::DevFile(path),
            )
        }
    };
    let secrets = ServerSecrets::from_secret(&secret);
    check_secret(config, store, &secrets, &source).await?;
    Ok(secrets)
}

/// Refuses `secrets` when the store holds signing keys and none of them decrypts with it:
/// it is then not the secret the database was created with.
pub async fn check_secret(
    config: &Config,
    store: &Store,
    secrets: &ServerSecrets,
    source: &SecretSource,
) -> Result<(), StartError> {
    let keys = store.all_keys().await?;
    if keys.is_empty() || keys.iter().any(|k| decrypt_private_key(secrets, k).is_ok()) {
        return Ok(());
    }
    Err(StartError::Secret(format!(
        "the secret from {source} cannot decrypt the signing keys stored in {}: it is not \
         the secret this database was created with, so nothing was changed. Set \
         SESAME_SECRET_KEY to the secret this database was created with, or point the \
         database URL at the database this secret belongs to.",
        describe_database(config)
    )))
}

/// `<data dir>/secret.key`, made absolute so that a message names it wherever Sesame ran.
fn dev_secret_path(config: &Config) -> PathBuf {
    absolute(&config.data_dir().join("secret.key"))
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The secret set in the configuration, or the development one already on disk.
fn configured_secret(config: &Config) -> Result<Option<(SecretString, SecretSource)>, StartError> {
    if let Some(s) = &config.secret_key {
        let source = match &config.secret_key_origin {
            SecretKeyOrigin::Environment => SecretSource::Environment,
            SecretKeyOrigin::File(path) => SecretSource::ConfigFile(path.clone()),
            SecretKeyOrigin::Unknown => SecretSource::ConfigFile(None),
        };
        return Ok(Some((s.clone(), source)));
    }
    if !config.is_development() {
        return Err(StartError::Other("production mode needs secret_key".into()));
    }
    let path = dev_secret_path(config);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let text = text.trim().to_string();
        if text.len() >= 32 {
            return Ok(Some((
                SecretString::from(text),
                SecretSource::DevFile(path),
            )));
        }
    }
    Ok(None)
}

/// Generates the development secret and keeps it at `path` (mode 0600).
fn generate_dev_secret(config: &Config, path: &Path) -> Result<SecretString, StartError> {
    let dir = config.data_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| StartError::Other(format!("cannot create {}: {e}", dir.display())))?;
    let secret = random_token(32).map_err(|e| StartError::Other(e.to_string()))?;
    write_private_file(path, &secret)
        .map_err(|e| StartError::Other(format!("cannot write {}: {e}", path.display())))?;
    tracing::warn!(path = %path.display(), "development mode: generated a server secret");
    Ok(SecretString::from(secret))
}

fn write_private_file(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())
}

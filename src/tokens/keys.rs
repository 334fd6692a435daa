//! Signing keys: generated on first start, stored encrypted, published as a JWKS.
//!
//! Each replica keeps the keys in memory and reloads them from the database when its copy
//! is older than 30 s (`BuildOptions::key_cache_seconds`), or when it meets a `kid` it does
//! not know, so a key added through one replica is published and accepted by every other.
//! An unknown `kid` reloads at most once per [`UNKNOWN_KID_RELOAD_SECONDS`]: tokens naming
//! made-up kids cannot turn every request into a database read and a decryption of every
//! key, and a key rotated on another replica is still found within that interval.

use crate::jose::SigningAlg;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::{Jwk, KeyPair};
use josekit::jws::{JwsSigner, JwsVerifier, ES256, RS256};
use tokio::sync::{Mutex, RwLock};

use crate::clock::SharedClock;
use crate::crypto::{random_token, ServerSecrets};
use crate::store::keys::StoredKey;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("key material: {0}")]
    Jose(String),
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("no active signing key for {0}")]
    NoActiveKey(String),
    #[error("key generation task failed")]
    Join,
}

fn jose(e: impl std::fmt::Display) -> KeyError {
    KeyError::Jose(e.to_string())
}

/// A token naming a `kid` this replica does not hold reloads the keys only when the copy in
/// memory is at least this many seconds old.
pub const UNKNOWN_KID_RELOAD_SECONDS: i64 = 2;

/// The algorithms Sesame signs with. RS256 is mandatory in OIDC; ES256 is faster.
pub const ALGORITHMS: [&str; 2] = [SigningAlg::Rs256.as_str(), SigningAlg::Es256.as_str()];

/// One usable key: its signer (when it may sign) and verifier.
pub struct LoadedKey {
    pub kid: String,
    pub alg: String,
    pub activates_at: i64,
    pub retired_at: Option<i64>,
    pub signer: Box<dyn JwsSigner>,
    pub verifier: Box<dyn JwsVerifier>,
}

impl LoadedKey {
    fn signs_at(&self, now: i64) -> bool {
        self.activates_at <= now && self.retired_at.is_none_or(|r| r > now)
    }
}

/// A snapshot of the published keys.
pub struct KeySet {
    pub keys: Vec<LoadedKey>,
    /// The JWKS document, serialised once per load.
    pub jwks_json: String,
    pub loaded_at: i64,
}

impl KeySet {
    /// The key that signs for `alg` at `now`: the newest active one.
    pub fn signer(&self, alg: SigningAlg, now: i64) -> Option<&LoadedKey> {
        self.keys
            .iter()
            .filter(|k| k.alg == alg.as_str() && k.signs_at(now))
            .max_by_key(|k| k.activates_at)
    }

    pub fn by_kid(&self, kid: &str) -> Option<&LoadedKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

/// The keys of this replica, refreshed from the database.
pub struct KeyRing {
    store: Store,
    secrets: ServerSecrets,
    clock: SharedClock,
    cache_seconds: i64,
    current: RwLock<Arc<KeySet>>,
    /// Serialises reloads for unknown kids, so a burst of them makes one.
    unknown_kid: Mutex<()>,
    reloads: AtomicU64,
}

impl KeyRing {
    /// Loads the keys, generating an RS256 and an ES256 key first when there is none.
    pub async fn open(
        store: Store,
        secrets: ServerSecrets,
        clock: SharedClock,
        cache_seconds: i64,
    ) -> Result<KeyRing, KeyError> {
        let now = clock.now();
        let existing = store.published_keys(now).await?;
        for alg in ALGORITHMS {
            if !existing.iter().any(|k| k.alg == alg) {
                let key = generate(&secrets, alg, now, now).await?;
                store.insert_key(&key).await?;
                tracing::info!(kid = %key.kid, alg, "generated a signing key");
            }
        }
        let set = load(&store, &secrets, now).await?;
        Ok(KeyRing {
            store,
            secrets,
            clock,
            cache_seconds,
            current: RwLock::new(Arc::new(set)),
            unknown_kid: Mutex::new(()),
            reloads: AtomicU64::new(0),
        })
    }

    /// The current key set, reloaded when stale.
    pub async fn keys(&self) -> Result<Arc<KeySet>, KeyError> {
        let now = self.clock.now();
        {
            let cur = self.current.read().await;
            if now - cur.loaded_at < self.cache_seconds {
                return Ok(cur.clone());
            }
        }
        self.reload().await
    }

    /// Reloads from the database now.
    pub async fn reload(&self) -> Result<Arc<KeySet>, KeyError> {
        let set = Arc::new(load(&self.store, &self.secrets, self.clock.now()).await?);
        self.reloads.fetch_add(1, Ordering::Relaxed);
        *self.current.write().await = set.clone();
        Ok(set)
    }

    /// For a token whose `kid` is not in memory: reloads unless the copy in memory is
    /// younger than [`UNKNOWN_KID_RELOAD_SECONDS`], then answers the current set. Callers
    /// that wait while another reloads get the fresh set without reloading again.
    pub async fn reload_for_unknown_kid(&self) -> Result<Arc<KeySet>, KeyError> {
        let _one_at_a_time = self.unknown_kid.lock().await;
        let cur = self.current.read().await.clone();
        if self.clock.now() - cur.loaded_at < UNKNOWN_KID_RELOAD_SECONDS {
            return Ok(cur);
        }
        self.reload().await
    }

    /// How many times this ring has loaded the keys from the database since it opened.
    pub fn reload_count(&self) -> u64 {
        self.reloads.load(Ordering::Relaxed)
    }

    /// Adds a new key for `alg` that is published at once and signs from
    /// `now + prepublish_seconds`; the keys it replaces stop signing then and stay published
    /// for `retain_seconds` more (longer than any token they signed lives).
    pub async fn rotate(
        &self,
        alg: &str,
        prepublish_seconds: i64,
        retain_seconds: i64,
    ) -> Result<String, KeyError> {
        let now = self.clock.now();
        let activates = now + prepublish_seconds.max(0);
        let key = generate(&self.secrets, alg, now, activates).await?;
        self.store.insert_key(&key).await?;
        self.store
            .retire_keys(alg, &key.kid, activates, activates + retain_seconds.max(0))
            .await?;
        self.reload().await?;
        Ok(key.kid)
    }
}

/// Generates a key pair off the async executor and encrypts its private part.
pub async fn generate(
    secrets: &ServerSecrets,
    alg: &str,
    now: i64,
    activates_at: i64,
) -> Result<StoredKey, KeyError> {
    let alg_owned = alg.to_string();
    let (der, mut jwk) =
        tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, Jwk), KeyError> {
            match alg_owned.as_str() {
                "RS256" => {
                    let kp = RsaKeyPair::generate(2048).map_err(jose)?;
                    Ok((kp.to_der_private_key(), kp.to_jwk_public_key()))
                }
                "ES256" => {
                    let kp = EcKeyPair::generate(EcCurve::P256).map_err(jose)?;
                    Ok((kp.to_der_private_key(), kp.to_jwk_public_key()))
                }
                other => Err(KeyError::Jose(format!("unsupported algorithm {other}"))),
            }
        })
        .await
        .map_err(|_| KeyError::Join)??;
    let kid = format!("{}-{}", alg.to_ascii_lowercase(), random_token(12)?);
    jwk.set_key_id(&kid);
    jwk.set_algorithm(alg);
    jwk.set_key_use("sig");
    let private_key = secrets.encrypt(&der, kid.as_bytes())?;
    Ok(StoredKey {
        kid,
        alg: alg.to_string(),
        private_key,
        public_jwk: jwk.to_string(),
        created_at: now,
        activates_at,
        retired_at: None,
        unpublish_at: None,
    })
}

/// The private part of a stored key, in clear (PKCS#8 DER). It fails for a key encrypted
/// under another `secret_key`.
pub fn decrypt_private_key(secrets: &ServerSecrets, k: &StoredKey) -> Result<Vec<u8>, KeyError> {
    Ok(secrets.decrypt(&k.private_key, k.kid.as_bytes())?)
}

async fn load(store: &Store, secrets: &ServerSecrets, now: i64) -> Result<KeySet, KeyError> {
    let stored = store.published_keys(now).await?;
    let mut keys = Vec::with_capacity(stored.len());
    let mut jwks = Vec::with_capacity(stored.len());
    for k in stored {
        let der = decrypt_private_key(secrets, &k)?;
        let jwk = Jwk::from_bytes(k.public_jwk.as_bytes()).map_err(jose)?;
        let (signer, verifier): (Box<dyn JwsSigner>, Box<dyn JwsVerifier>) = match k.alg.as_str() {
            "RS256" => {
                let mut s = RS256.signer_from_der(&der).map_err(jose)?;
                let mut v = RS256.verifier_from_jwk(&jwk).map_err(jose)?;
                s.set_key_id(&k.kid);
                v.set_key_id(&k.kid);
                (Box::new(s), Box::new(v))
            }
            "ES256" => {
                let mut s = ES256.signer_from_der(&der).map_err(jose)?;
                let mut v = ES256.verifier_from_jwk(&jwk).map_err(jose)?;
                s.set_key_id(&k.kid);
                v.set_key_id(&k.kid);
                (Box::new(s), Box::new(v))
            }
            other => return Err(KeyError::Jose(format!("unsupported algorithm {other}"))),
        };
        jwks.push(serde_json::Value::Object(jwk.as_ref().clone()));
        keys.push(LoadedKey {
            kid: k.kid,
            alg: k.alg,
            activates_at: k.activates_at,
            retired_at: k.retired_at,
            signer,
            verifier,
        });
    }
    let jwks_json = serde_json::json!({ "keys": jwks }).to_string();
    Ok(KeySet {
        keys,
        jwks_json,
        loaded_at: now,
    })
}

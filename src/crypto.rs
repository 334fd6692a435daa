//! Small cryptographic helpers: randomness, keyed hashes, constant-time comparison,
//! encryption at rest and PKCE.
//!
//! Every secret Sesame stores (codes, client secrets, authorization codes, refresh tokens)
//! is stored as `HMAC-SHA256(pepper, purpose || 0 || value)`: a database dump alone does not
//! let anyone test guesses offline. The pepper and the key-encryption key are both derived
//! from the configured `secret_key`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};
use rand::rngs::OsRng;
use rand::TryRngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the operating system's random number generator failed")]
    Random,
    #[error("decryption failed (wrong secret_key, or the data was altered)")]
    Decrypt,
    #[error("encryption failed")]
    Encrypt,
}

/// Fills `buf` from the operating system's CSPRNG.
pub fn fill_random(buf: &mut [u8]) -> Result<(), CryptoError> {
    OsRng.try_fill_bytes(buf).map_err(|_| CryptoError::Random)
}

/// `n` random bytes, base64url without padding. 32 bytes give 256 bits.
pub fn random_token(n: usize) -> Result<String, CryptoError> {
    let mut buf = vec![0u8; n];
    fill_random(&mut buf)?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// `n` random bytes as lower-case hex (identifiers that must contain no `LIKE` wildcard).
pub fn random_hex(n: usize) -> Result<String, CryptoError> {
    let mut buf = vec![0u8; n];
    fill_random(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A 6-digit code, uniform over 000000–999999 (rejection sampling, no modulo bias).
pub fn random_code() -> Result<String, CryptoError> {
    const RANGE: u32 = 1_000_000;
    // The largest multiple of RANGE that fits in u32; values at or above it are redrawn.
    const LIMIT: u32 = u32::MAX - (u32::MAX % RANGE);
    loop {
        let v = OsRng.try_next_u32().map_err(|_| CryptoError::Random)?;
        if v < LIMIT {
            return Ok(format!("{:06}", v % RANGE));
        }
    }
}

/// Constant-time equality of two byte strings.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// PKCE S256: `BASE64URL(SHA256(verifier))` (RFC 7636 section 4.2).
pub fn pkce_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Checks a PKCE verifier's syntax (RFC 7636 section 4.1): 43–128 unreserved characters.
pub fn pkce_verifier_is_valid(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Checks a PKCE verifier against a stored S256 challenge, in constant time.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    pkce_verifier_is_valid(verifier) && ct_eq(pkce_s256(verifier).as_bytes(), challenge.as_bytes())
}

/// The server's secret material, derived from `secret_key`.
#[derive(Clone)]
pub struct ServerSecrets {
    pepper: [u8; 32],
    kek: [u8; 32],
    /// The key of values the server hands out and takes back ([`ServerSecrets::seal`]).
    seal: [u8; 32],
}

impl std::fmt::Debug for ServerSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecrets(<redacted>)")
    }
}

impl ServerSecrets {
    pub fn from_secret(secret: &SecretString) -> ServerSecrets {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.expose_secret().as_bytes())
                .unwrap_or_else(|_| unreachable_hmac());
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        ServerSecrets {
            pepper: derive(b"sesame/v1/pepper"),
            kek: derive(b"sesame/v1/key-encryption"),
            seal: derive(b"sesame/v1/sealed-values"),
        }
    }

    /// The keyed hash of a sign-in code, bound to its login transaction: the same digits
    /// typed into another sign-in hash differently and never match.
    pub fn login_code_hash(&self, tx_id: &str, code: &str) -> Vec<u8> {
        self.keyed_hash("login_code", &[tx_id.as_bytes(), code.as_bytes()])
    }

    /// The secret of a code's sign-in link: derived from the stored code hash, so nothing
    /// more is stored, and it dies with the code (burnt, used or replaced). 256 bits,
    /// base64url without padding.
    pub fn login_link_key(&self, tx_id: &str, code_hash: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.keyed_hash("login_link", &[tx_id.as_bytes(), code_hash]))
    }

    /// `HMAC(pepper, purpose || 0 || part || 0 || part ...)`.
    pub fn keyed_hash(&self, purpose: &str, parts: &[&[u8]]) -> Vec<u8> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.pepper)
            .unwrap_or_else(|_| unreachable_hmac());
        mac.update(purpose.as_bytes());
        for p in parts {
            mac.update(&[0]);
            mac.update(p);
        }
        mac.finalize().into_bytes().to_vec()
    }

    /// AES-256-GCM with a random 96-bit nonce; output is nonce || ciphertext || tag.
    /// `aad` binds the ciphertext to its row (for a key: its kid).
    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        aead_seal(&self.kek, plaintext, aad)
    }

    pub fn decrypt(&self, data: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        aead_open(&self.kek, data, aad)
    }

    /// Seals a value the server hands to a browser and takes back later (a sign-in not yet
    /// started): AES-256-GCM under a key of its own, bound to `purpose`, as base64url.
    /// Only this server (or a replica with the same `secret_key`) can read or forge it.
    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> Result<String, CryptoError> {
        Ok(URL_SAFE_NO_PAD.encode(aead_seal(&self.seal, plaintext, purpose.as_bytes())?))
    }

    /// Opens a value made by [`ServerSecrets::seal`] for the same `purpose`; any change to
    /// it, another purpose or another secret fails.
    pub fn unseal(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, CryptoError> {
        let data = URL_SAFE_NO_PAD
            .decode(sealed)
            .map_err(|_| CryptoError::Decrypt)?;
        aead_open(&self.seal, &data, purpose.as_bytes())
    }
}

/// AES-256-GCM with a random 96-bit nonce; output is nonce || ciphertext || tag.
fn aead_seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut nonce = [0u8; 12];
    fill_random(&mut nonce)?;
    let mut tag = [0u8; 16];
    let ct = encrypt_aead(
        Cipher::aes_256_gcm(),
        key,
        Some(&nonce),
        aad,
        plaintext,
        &mut tag,
    )
    .map_err(|_| CryptoError::Encrypt)?;
    let mut out = Vec::with_capacity(12 + ct.len() + 16);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out.extend_from_slice(&tag);
    Ok(out)
}

fn aead_open(key: &[u8; 32], data: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if data.len() < 28 {
        return Err(CryptoError::Decrypt);
    }
    let (nonce, rest) = data.split_at(12);
    let (ct, tag) = rest.split_at(rest.len() - 16);
    decrypt_aead(Cipher::aes_256_gcm(), key, Some(nonce), aad, ct, tag)
        .map_err(|_| CryptoError::Decrypt)
}

/// HMAC accepts keys of any length, so `new_from_slice` cannot fail.
fn unreachable_hmac() -> ! {
    unreachable!("HMAC-SHA256 accepts keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..1000 {
            let c = random_code().unwrap();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn codes_cover_the_range_roughly_uniformly() {
        // First digit of 20,000 codes: each of 10 buckets should hold about 2,000.
        let mut buckets = [0u32; 10];
        for _ in 0..20_000 {
            let c = random_code().unwrap();
            buckets[(c.as_bytes()[0] - b'0') as usize] += 1;
        }
        for (d, n) in buckets.iter().enumerate() {
            assert!((1700..2300).contains(n), "digit {d} appeared {n} times");
        }
    }

    #[test]
    fn pkce_rfc7636_appendix_b_example() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches(
            "short",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn keyed_hash_depends_on_secret_purpose_and_parts() {
        let a = ServerSecrets::from_secret(&SecretString::from("a".repeat(32)));
        let b = ServerSecrets::from_secret(&SecretString::from("b".repeat(32)));
        let h = a.keyed_hash("code", &[b"tx", b"123456"]);
        assert_eq!(h, a.keyed_hash("code", &[b"tx", b"123456"]));
        assert_ne!(h, b.keyed_hash("code", &[b"tx", b"123456"]));
        assert_ne!(h, a.keyed_hash("secret", &[b"tx", b"123456"]));
        assert_ne!(h, a.keyed_hash("code", &[b"tx1", b"23456"]));
    }

    #[test]
    fn encryption_round_trips_and_detects_tampering() {
        let s = ServerSecrets::from_secret(&SecretString::from("k".repeat(40)));
        let ct = s.encrypt(b"private key", b"kid-1").unwrap();
        assert_eq!(s.decrypt(&ct, b"kid-1").unwrap(), b"private key");
        assert!(s.decrypt(&ct, b"kid-2").is_err());
        let mut bad = ct.clone();
        bad[14] ^= 1;
        assert!(s.decrypt(&bad, b"kid-1").is_err());
        let other = ServerSecrets::from_secret(&SecretString::from("z".repeat(40)));
        assert!(other.decrypt(&ct, b"kid-1").is_err());
    }

    #[test]
    fn sealed_values_open_only_for_their_purpose_and_secret_and_detect_tampering() {
        let s = ServerSecrets::from_secret(&SecretString::from("k".repeat(40)));
        let v = s.seal("pending", b"request").unwrap();
        assert!(v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(s.unseal("pending", &v).unwrap(), b"request");
        assert!(s.unseal("other", &v).is_err());
        // The sealing key is not the key-encryption key.
        let raw = URL_SAFE_NO_PAD.decode(&v).unwrap();
        assert!(s.decrypt(&raw, b"pending").is_err());
        let mut bad = raw.clone();
        bad[20] ^= 1;
        assert!(s.unseal("pending", &URL_SAFE_NO_PAD.encode(bad)).is_err());
        assert!(s.unseal("pending", "not base64!").is_err());
        let other = ServerSecrets::from_secret(&SecretString::from("z".repeat(40)));
        assert!(other.unseal("pending", &v).is_err());
    }
}

//! The sealed payload of a code message: what the message says (and the code), encrypted
//! with the server secret and bound to its row, padded so a stand-in is as long as a real
//! message.

use serde::{Deserialize, Serialize};

use crate::crypto::{CryptoError, ServerSecrets};
use crate::store::outbox::Claimed;

/// The encrypted part of a code message.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct CodePayload {
    pub(crate) code: String,
    pub(crate) client_name: String,
    pub(crate) issuer_host: String,
    pub(crate) expires_minutes: i64,
    /// The language the message is written in (the sign-in's), as a catalog tag.
    #[serde(default)]
    pub(crate) lang: Option<String>,
    pub(crate) client_id: String,
    pub(crate) user_id: Option<String>,
    /// The address of the request that asked for the code, for the audit trail.
    #[serde(default)]
    pub(crate) ip: Option<String>,
    /// Set for a stand-in: why nothing may be sent.
    #[serde(default)]
    pub(crate) stand_in: Option<StandIn>,
    /// The sign-in link an email carries beside the code (absent in texts, and when
    /// `login.magic_link` is off).
    #[serde(default)]
    pub(crate) link: Option<String>,
}

/// Why a code's message is a stand-in that is completed without sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandIn {
    /// No account, and registration is off.
    NoAccount,
    /// The account is disabled.
    Disabled,
    /// A review account: its fixed code works, nothing is sent.
    ReviewAccount,
}

impl StandIn {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            StandIn::NoAccount => "no account",
            StandIn::Disabled => "account disabled",
            StandIn::ReviewAccount => "review account",
        }
    }
}

/// Payloads are padded to a multiple of this many bytes.
const PAYLOAD_BLOCK: usize = 256;
/// Room kept for the fields that differ between a message and its stand-in (the user id
/// and the stand-in mark), so both pad to the same size.
const PAYLOAD_SLACK: usize = 128;

impl std::fmt::Debug for CodePayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodePayload(<redacted>)")
    }
}

/// Binds a payload to its row: a ciphertext moved to another recipient does not decrypt.
fn aad(channel: &str, recipient: &str, login_tx: Option<&str>) -> Vec<u8> {
    let mut v = b"sesame/outbox/v1".to_vec();
    for part in [channel, recipient, login_tx.unwrap_or("")] {
        v.push(0);
        v.extend_from_slice(part.as_bytes());
    }
    v
}

/// The sealed payload of a message: JSON padded with spaces to a size that does not depend
/// on whether the message is a stand-in, encrypted and bound to its row.
pub(crate) fn seal_payload(
    secrets: &ServerSecrets,
    payload: &CodePayload,
    channel: &str,
    recipient: &str,
    tx_id: &str,
) -> Result<Vec<u8>, CryptoError> {
    let json = |p: &CodePayload| serde_json::to_vec(p).map_err(|_| CryptoError::Encrypt);
    let base = json(&CodePayload {
        user_id: None,
        stand_in: None,
        ..payload.clone()
    })?
    .len();
    let mut bytes = json(payload)?;
    let target = (base + PAYLOAD_SLACK)
        .max(bytes.len())
        .div_ceil(PAYLOAD_BLOCK)
        * PAYLOAD_BLOCK;
    bytes.resize(target, b' ');
    secrets.encrypt(&bytes, &aad(channel, recipient, Some(tx_id)))
}

/// Opens a claimed row's payload; `None` when it was written under another secret or
/// altered.
pub(crate) fn open(secrets: &ServerSecrets, c: &Claimed) -> Option<CodePayload> {
    let sealed = c.payload.as_deref()?;
    let json = secrets
        .decrypt(
            sealed,
            &aad(&c.channel, &c.recipient, c.login_tx.as_deref()),
        )
        .ok()?;
    serde_json::from_slice(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_aad_binds_channel_recipient_and_sign_in() {
        assert_ne!(
            aad("email", "a@x.org", Some("t1")),
            aad("email", "b@x.org", Some("t1"))
        );
        assert_ne!(
            aad("email", "a@x.org", Some("t1")),
            aad("sms", "a@x.org", Some("t1"))
        );
        assert_ne!(
            aad("email", "a@x.org", Some("t1")),
            aad("email", "a@x.org", Some("t2"))
        );
        assert_ne!(
            aad("email", "a@x.orgt", None),
            aad("email", "a@x.org", Some("t"))
        );
    }

    #[test]
    fn a_stand_in_payload_is_as_long_as_a_real_one_and_opens_the_same_way() {
        let secrets = crate::crypto::ServerSecrets::from_secret(&secrecy::SecretString::from(
            "a-test-secret-that-is-long-enough-0123456789".to_string(),
        ));
        let real = CodePayload {
            code: "123456".into(),
            client_name: "Example App".into(),
            issuer_host: "id.example.com".into(),
            expires_minutes: 10,
            lang: Some("pt-BR".into()),
            client_id: "client-1".into(),
            user_id: Some("Yc3K0x7bPq2mWn5rT8vZ1a".into()),
            ip: Some("203.0.113.9".into()),
            stand_in: None,
            link: Some(format!(
                "https://id.example.com/login/link?tx=t1&k={}",
                "k".repeat(43)
            )),
        };
        let sealed = |p: &CodePayload| seal_payload(&secrets, p, "email", "a@x.org", "t1").unwrap();
        let sizes: Vec<usize> = [
            real.clone(),
            CodePayload {
                user_id: None,
                stand_in: Some(StandIn::NoAccount),
                ..real.clone()
            },
            CodePayload {
                stand_in: Some(StandIn::Disabled),
                ..real.clone()
            },
            CodePayload {
                user_id: None,
                stand_in: Some(StandIn::ReviewAccount),
                ..real.clone()
            },
        ]
        .iter()
        .map(|p| sealed(p).len())
        .collect();
        assert!(sizes.iter().all(|n| *n == sizes[0]), "{sizes:?}");
        // The padding is whitespace after the JSON: it opens as before.
        let c = Claimed {
            id: 1,
            channel: "email".into(),
            recipient: "a@x.org".into(),
            login_tx: Some("t1".into()),
            payload: Some(sealed(&CodePayload {
                stand_in: Some(StandIn::Disabled),
                ..real.clone()
            })),
            attempts: 1,
            give_up_at: 0,
            created_at: 0,
        };
        let json = secrets
            .decrypt(
                c.payload.as_deref().unwrap(),
                &aad("email", "a@x.org", Some("t1")),
            )
            .unwrap();
        let opened: CodePayload = serde_json::from_slice(&json).unwrap();
        assert_eq!(opened.stand_in, Some(StandIn::Disabled));
        assert_eq!(opened.code, "123456");
    }
}

//! Review accounts (drfpasswordless's `DEMO_USERS`): an identifier an admin has marked
//! signs in with a fixed code until an expiry date, and no message is sent to it. App-store
//! reviewers need this; nobody else should. Off unless an admin adds one
//! (`sesame users review-account add`); production start-up warns about every live one.
//!
//! The fixed code is stored as a keyed hash bound to the identifier. It goes through the
//! same per-code attempt counting as a sent code (the attempt is counted before the
//! comparison), and every use writes an audit event.

use crate::audit::AuditEvent;
use crate::crypto::ct_eq;
use crate::delivery::mask_email;
use crate::state::AppState;
use crate::store::login::LoginTx;
use crate::store::StoreError;

/// The keyed hash under which a review account's fixed code is stored.
pub fn review_code_hash(
    secrets: &crate::crypto::ServerSecrets,
    identifier: &str,
    code: &str,
) -> Vec<u8> {
    secrets.keyed_hash("review_code", &[identifier.as_bytes(), code.as_bytes()])
}

/// True when `identifier` is a live review account, in which case nothing must be sent
/// (the fixed code is what works). Asked for every address, so the work is the same; the
/// stand-in written instead of the message records `review_account_code_skipped` when it
/// is completed ([`crate::outbox`]).
pub async fn skip_delivery(state: &AppState, identifier: &str) -> Result<bool, StoreError> {
    Ok(state
        .store
        .active_review_account(identifier, state.now())
        .await?
        .is_some())
}

/// Called after an attempt was counted and the typed code did not match the sent one:
/// true when `identifier` is a live review account and `typed` is its fixed code.
pub async fn code_matches(
    state: &AppState,
    tx: &LoginTx,
    identifier: &str,
    typed: &str,
) -> Result<bool, StoreError> {
    let now = state.now();
    let Some(account) = state.store.active_review_account(identifier, now).await? else {
        return Ok(false);
    };
    let hash = review_code_hash(&state.secrets, identifier, typed);
    if !ct_eq(&account.code_hash, &hash) {
        return Ok(false);
    }
    state
        .store
        .record_review_account_use(identifier, now)
        .await?;
    state
        .audit(
            AuditEvent::ReviewAccountUsed {
                to: &mask_email(identifier),
                channel: &account.channel,
                expires_at: account.expires_at,
            },
            None,
            Some(&tx.client_id),
        )
        .await;
    Ok(true)
}

/// Logs the live review accounts at start-up: a warning in production, where each one is
/// a standing way in that does not need the person's mailbox or phone.
pub async fn announce(state: &AppState) {
    let now = state.now();
    let accounts = match state.store.list_review_accounts().await {
        Ok(list) => list,
        Err(e) => {
            tracing::warn!(error = %e, "could not read review accounts");
            return;
        }
    };
    for a in accounts.iter().filter(|a| a.expires_at > now) {
        let who = mask_email(&a.identifier);
        if state.config.is_development() {
            tracing::info!(identifier = %who, expires_at = a.expires_at, "review account is active");
        } else {
            tracing::warn!(
                identifier = %who,
                expires_at = a.expires_at,
                "review account is active: this identifier signs in with a fixed code and no message is sent"
            );
        }
    }
}

//! The state every handler shares: a plain struct of parts, cheap to clone.
//!
//! Handlers that need one part take it through axum's `FromRef` (`State<Store>`,
//! `State<SharedClock>`, …); domain functions take narrow contexts built from these parts,
//! never the whole state.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::audit::AuditEvent;
use crate::clock::SharedClock;
use crate::config::net::TrustedProxies;
use crate::config::Config;
use crate::crypto::ServerSecrets;
use crate::delivery::Mailer;
use crate::store::Store;
use crate::tokens::KeyRing;

/// Everything a request handler may need. Cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub keys: KeyRing,
    pub secrets: Arc<ServerSecrets>,
    pub clock: SharedClock,
    pub mailer: Mailer,
    /// Texts codes to phone numbers (docs/sms.md).
    pub sms: crate::delivery::sms::SmsSender,
    /// An HTTP client for the development demo relying party.
    pub http: reqwest::Client,
    /// What this process holds for itself: its id, its outbox worker's wake-up, shutdown.
    pub replica: crate::replica::Replica,
    /// The per-IP limit of authorization requests on this replica.
    pub authorize_limiter: crate::limits::per_ip::AuthorizeLimiter,
    /// The catalogs of the hosted pages and messages, and the default language.
    pub i18n: crate::i18n::I18n,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Appends an audit event; a failure to write it is logged, not fatal to the request.
    pub async fn audit(
        &self,
        event: AuditEvent<'_>,
        user_id: Option<&str>,
        client_id: Option<&str>,
    ) {
        self.audit_from(event, user_id, client_id, None).await
    }

    /// [`AppState::audit`] with the client IP that caused the event.
    pub async fn audit_from(
        &self,
        event: AuditEvent<'_>,
        user_id: Option<&str>,
        client_id: Option<&str>,
        ip: Option<&str>,
    ) {
        self.store
            .record(self.now(), event.row(user_id, client_id, ip))
            .await
    }

    /// An endpoint URL under the issuer.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.issuer, path)
    }
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Store {
        state.store.clone()
    }
}

impl FromRef<AppState> for SharedClock {
    fn from_ref(state: &AppState) -> SharedClock {
        state.clock.clone()
    }
}

impl FromRef<AppState> for Arc<ServerSecrets> {
    fn from_ref(state: &AppState) -> Arc<ServerSecrets> {
        state.secrets.clone()
    }
}

impl FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> TrustedProxies {
        state.config.limits.trusted_proxies.clone()
    }
}

//! The `[console]` section: the admin console in the browser (docs/admin.md), whether it
//! is served, and how long an admin's console session lasts.

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// Serve the admin console at `/admin/console`. Even when true, it answers 404 until a
    /// person is an admin (`sesame admins add EMAIL`).
    pub enabled: bool,
    /// Seconds a console session may go unused before the admin must sign in again.
    pub idle_timeout_seconds: i64,
    /// Seconds a console session lasts at most from its sign-in, however busy. At most
    /// `session.ttl_seconds` (the browser session it lives in).
    pub max_age_seconds: i64,
    /// Destructive actions (deleting a client or a person, rotating keys, creating an admin
    /// token) need a sign-in at most this many seconds old; an older one signs in again.
    pub recent_sign_in_seconds: i64,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            enabled: true,
            idle_timeout_seconds: 30 * 60,
            max_age_seconds: 8 * 3600,
            recent_sign_in_seconds: 5 * 60,
        }
    }
}

impl ConsoleConfig {
    pub(super) fn validate(&self, session_ttl: i64, p: &mut Vec<ConfigError>) {
        for (name, v) in [
            ("console.idle_timeout_seconds", self.idle_timeout_seconds),
            ("console.max_age_seconds", self.max_age_seconds),
            (
                "console.recent_sign_in_seconds",
                self.recent_sign_in_seconds,
            ),
        ] {
            if v <= 0 {
                p.push(ConfigError(format!("{name} must be greater than zero")));
            }
        }
        if self.idle_timeout_seconds > self.max_age_seconds {
            p.push(ConfigError(
                "console.idle_timeout_seconds must not exceed console.max_age_seconds".into(),
            ));
        }
        if session_ttl > 0 && self.max_age_seconds > session_ttl {
            p.push(ConfigError(
                "console.max_age_seconds must not exceed session.ttl_seconds: a console \
                 session lives in the browser session"
                    .into(),
            ));
        }
    }
}

//! The `[server]` section: how long a connection may take to send a request head or sit
//! idle, and how many connections are served at once (docs/security.md, "Connections").

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Seconds a client has to send a complete request head, counted from when the
    /// connection opens or the previous response was sent. Past it the connection is closed.
    pub header_read_timeout_seconds: u64,
    /// Seconds a connection may go with no byte read or written (an idle keep-alive
    /// connection, a stalled request body, a client that stops reading) before it is closed.
    pub idle_timeout_seconds: u64,
    /// Connections served at once by this process. When they are all open, new ones wait in
    /// the listen backlog and are accepted as others close.
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            header_read_timeout_seconds: 20,
            idle_timeout_seconds: 75,
            max_connections: 1024,
        }
    }
}

impl ServerConfig {
    pub(super) fn validate(&self, p: &mut Vec<ConfigError>) {
        for (name, v) in [
            (
                "server.header_read_timeout_seconds",
                self.header_read_timeout_seconds,
            ),
            ("server.idle_timeout_seconds", self.idle_timeout_seconds),
            ("server.max_connections", self.max_connections as u64),
        ] {
            if v == 0 {
                p.push(ConfigError(format!("{name} must be greater than zero")));
            }
        }
    }
}

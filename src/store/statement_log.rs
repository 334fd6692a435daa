//! A record of the SQL statements a replica runs, with the task that ran each one: off
//! unless switched on, and then only until switched off again.
//!
//! It exists to prove equal work: the address form must run the same statements whether
//! or not the address has an account (docs/security.md, "Account enumeration"). Every
//! statement sent through the pool ([`super::pool::Pool`]'s executor) is recorded, and so is
//! every statement of a transaction on a connection taken from it
//! ([`super::pool::PooledConnection::record`]). Off, it costs one relaxed atomic load per
//! statement.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// One recorded statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The tokio task that ran it (None outside a task).
    pub task: Option<tokio::task::Id>,
    pub sql: String,
}

/// The statements recorded since [`StatementLog::start`].
#[derive(Debug, Default)]
pub struct StatementLog {
    on: AtomicBool,
    seen: Mutex<Vec<Statement>>,
}

impl StatementLog {
    /// Forgets what was recorded and records from now on.
    pub fn start(&self) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.on.store(true, Ordering::SeqCst);
    }

    /// Stops recording and returns what was recorded, in order.
    pub fn stop(&self) -> Vec<Statement> {
        self.on.store(false, Ordering::SeqCst);
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Records `sql` when recording is on.
    pub fn note(&self, sql: &str) {
        if !self.on.load(Ordering::Relaxed) {
            return;
        }
        let s = Statement {
            task: tokio::task::try_id(),
            sql: sql.split_whitespace().collect::<Vec<_>>().join(" "),
        };
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }
}

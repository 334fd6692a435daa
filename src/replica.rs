//! What this one process holds for itself, and nothing another replica needs: its id (which
//! names its outbox claims), the outbox worker's wake-up, and the bookkeeping of a graceful
//! shutdown (background tasks in flight, the deadline).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{watch, Notify};
use tokio::task::AbortHandle;

use crate::crypto::random_token;

/// What this one process holds for itself: nothing another replica needs.
pub struct Replica {
    /// Names this replica's outbox claims (random per start).
    pub id: String,
    /// Wakes this replica's outbox worker early.
    pub outbox_wake: Notify,
    shutdown: watch::Sender<bool>,
    shutdown_started: Mutex<Option<Instant>>,
    inflight: AtomicUsize,
    idle: Notify,
    tasks: Mutex<Vec<AbortHandle>>,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica").field("id", &self.id).finish()
    }
}

/// Counts a background task as in flight until dropped.
pub struct InFlight<'a>(&'a Replica);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.0.inflight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl Replica {
    pub fn new() -> Result<Replica, crate::crypto::CryptoError> {
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        let host: String = host
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
            .take(40)
            .collect();
        let suffix = random_token(6)?;
        let id = if host.is_empty() {
            suffix
        } else {
            format!("{host}/{suffix}")
        };
        Ok(Replica {
            id,
            outbox_wake: Notify::new(),
            shutdown: watch::channel(false).0,
            shutdown_started: Mutex::new(None),
            inflight: AtomicUsize::new(0),
            idle: Notify::new(),
            tasks: Mutex::new(Vec::new()),
        })
    }

    /// Marks the start of shutdown (idempotent): readiness fails, workers stop claiming.
    pub fn begin_shutdown(&self) {
        {
            let mut started = self
                .shutdown_started
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if started.is_none() {
                *started = Some(Instant::now());
            }
        }
        self.shutdown.send_replace(true);
    }

    pub fn is_shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// A receiver that turns `true` when shutdown begins.
    pub fn shutdown_receiver(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Time left before `deadline` after shutdown began (the whole deadline before).
    pub fn shutdown_time_left(&self, deadline: Duration) -> Duration {
        let started = *self
            .shutdown_started
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match started {
            Some(t) => deadline.saturating_sub(t.elapsed()),
            None => deadline,
        }
    }

    /// Marks a background task (an immediate delivery) as in flight.
    pub fn track(&self) -> InFlight<'_> {
        self.inflight.fetch_add(1, Ordering::SeqCst);
        InFlight(self)
    }

    /// Remembers a spawned background task so shutdown can abort it past the deadline.
    pub fn remember_task(&self, handle: AbortHandle) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.retain(|h| !h.is_finished());
        tasks.push(handle);
    }

    /// Waits until no tracked background task runs.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.inflight.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Aborts every remembered background task still running.
    pub fn abort_tasks(&self) {
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for t in tasks {
            t.abort();
        }
    }
}

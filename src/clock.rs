//! Time as a parameter: handlers ask the clock in the state, so tests can move it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }
}

/// The real time plus an offset that tests can advance.
#[derive(Debug, Default, Clone)]
pub struct ShiftedClock {
    offset: Arc<AtomicI64>,
}

impl ShiftedClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> i64 {
        SystemClock.now() + self.offset.load(Ordering::SeqCst)
    }
}

pub type SharedClock = Arc<dyn Clock>;

//! A busy handler for SQLite that waits in small steps.
//!
//! SQLite lets one connection write at a time; a connection that finds the write lock taken
//! calls its busy handler. The stock handler behind `busy_timeout` sleeps 1, 2, 5, 10, 15,
//! 20, 25, 25, 25, 50, 50 and then 100 ms between tries, while a commit here holds the lock
//! for tens of microseconds. Under load (the benchmark's code exchange, refresh and client
//! credentials at concurrency 16) writers slept long after the lock was free, which showed
//! as a p99 of 40–90 ms and as cores left idle. This handler retries after 20 µs, doubling
//! up to 1 ms, and gives up after the same 5 s as before, when the caller gets
//! `SQLITE_BUSY` (503, see `StoreError::is_unavailable`).

use std::ffi::{c_int, c_void};
use std::time::Duration;

use sqlx::sqlite::SqliteConnection;

/// Total time a writer waits for the lock before giving up.
const GIVE_UP_AFTER: Duration = Duration::from_secs(5);
const FIRST_WAIT: Duration = Duration::from_micros(20);
const LONGEST_WAIT: Duration = Duration::from_millis(1);

/// The wait before try number `n + 1` (`n` counts the tries already refused).
fn wait_before(n: u32) -> Duration {
    FIRST_WAIT
        .saturating_mul(1u32 << n.min(16))
        .min(LONGEST_WAIT)
}

/// The total time waited after `n` refused tries.
fn waited_after(n: u32) -> Duration {
    // The doubling phase is short (20 µs × 2^k up to 1 ms: six steps); then 1 ms a try.
    let mut total = Duration::ZERO;
    for i in 0..n.min(8) {
        total += wait_before(i);
    }
    total + LONGEST_WAIT.saturating_mul(n.saturating_sub(8))
}

extern "C" fn busy_handler(_arg: *mut c_void, tries: c_int) -> c_int {
    let n = u32::try_from(tries).unwrap_or(0);
    if waited_after(n) >= GIVE_UP_AFTER {
        return 0;
    }
    // This runs on the connection's own worker thread (sqlx runs every SQLite connection on
    // a dedicated thread), never on the async runtime.
    std::thread::sleep(wait_before(n));
    1
}

/// Installs the handler on a new connection (it replaces the `busy_timeout` handler).
pub(super) async fn install(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is the open connection owned by `handle`, which stays locked for this
    // call; the callback is a plain function without state.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_busy_handler(db, Some(busy_handler), std::ptr::null_mut())
    };
    if rc == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Protocol(format!(
            "could not install the SQLite busy handler (code {rc})"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_start_small_and_are_capped() {
        assert_eq!(wait_before(0), Duration::from_micros(20));
        assert_eq!(wait_before(1), Duration::from_micros(40));
        assert_eq!(wait_before(5), Duration::from_micros(640));
        assert_eq!(wait_before(6), LONGEST_WAIT);
        assert_eq!(wait_before(1000), LONGEST_WAIT);
    }

    #[test]
    fn gives_up_after_about_five_seconds() {
        let n = (0..10_000)
            .find(|&n| waited_after(n) >= GIVE_UP_AFTER)
            .unwrap();
        let total = waited_after(n);
        assert!(total >= GIVE_UP_AFTER && total < GIVE_UP_AFTER + LONGEST_WAIT * 2);
        assert_eq!(busy_handler(std::ptr::null_mut(), n as c_int), 0);
    }
}

//! The integration suite: one binary, one module per story. Every test starts its own
//! server on port 0 with its own database and SMTP listener.
//!
//! Run on SQLite (default) or PostgreSQL: `SESAME_TEST_BACKEND=postgres cargo test`.

mod support;

mod core_flow;
mod limits;

mod security_common;
mod security_guessing;
mod security_headers;
mod security_input;
mod security_properties;
mod security_protocol;
mod security_secrets;
mod security_sending;
mod security_session;

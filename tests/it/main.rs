//! The integration suite: one binary, one module per story. Every test starts its own
//! server on port 0 with its own database and SMTP listener.
//!
//! Run on SQLite (default) or PostgreSQL: `SESAME_TEST_BACKEND=postgres cargo test`.

mod support;

mod authorize_errors;
mod cli_and_modes;
mod core_flow;
mod discovery;
mod limits;
mod login_codes;
mod login_pages;
mod smtp_delivery;
mod token_errors;
mod userinfo;

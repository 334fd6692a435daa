//! The integration suite: one binary, one module per story. Every test starts its own
//! server on port 0 with its own database and SMTP listener.
//!
//! Run on SQLite (default) or PostgreSQL: `SESAME_TEST_BACKEND=postgres cargo test`.

mod support;

mod core_flow;
mod limits;

mod admin_auth;
mod admin_cli;
mod admin_clients;
mod admin_common;
mod admin_keys_audit;
mod admin_review;
mod admin_users;

//! The integration suite: one binary, one module per story. Every test starts its own
//! server on port 0 with its own database and SMTP listener.
//!
//! Run on SQLite (default) or PostgreSQL: `SESAME_TEST_BACKEND=postgres cargo test`.

mod support;

mod core_flow;
mod limits;
mod ops_http;
mod ops_process;
mod scale_migrations;
mod scale_outbox;
mod scale_reliability;
mod scale_replicas;
mod scale_support;
mod sms;

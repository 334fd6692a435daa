//! The integration suite: one binary, in folders by area (admin, conformance, login, oidc,
//! ops, scale, security), one module per story. Every test starts its own server on port 0
//! with its own database and SMTP listener.
//!
//! Run on SQLite (default) or PostgreSQL: `SESAME_TEST_BACKEND=postgres cargo test`.

mod support;

mod admin;
mod conformance;
mod console;
mod login;
mod oidc;
mod ops;
mod scale;
mod security;

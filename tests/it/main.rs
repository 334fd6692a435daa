//! The integration suite: one binary, one module per story. Every test starts its own
//! server on port 0 with its own database and SMTP listener.
//!
//! Run on SQLite (default) or PostgreSQL: `SESAME_TEST_BACKEND=postgres cargo test`.

mod support;

mod account;
mod admin_auth;
mod admin_cli;
mod admin_clients;
mod admin_common;
mod admin_keys_audit;
mod admin_review;
mod admin_users;
mod audit_log;
mod authorize_errors;
mod cli_and_modes;
mod client_credentials;
mod conformance_basic;
mod conformance_claims;
mod conformance_config;
mod conformance_logout;
mod conformance_params;
mod conformance_session;
mod consent;
mod core_flow;
mod discovery;
mod key_rotation;
mod limits;
mod login_codes;
mod login_pages;
mod logout;
mod ops_http;
mod ops_process;
mod refresh;
mod registration;
mod revocation;
mod scale_migrations;
mod scale_outbox;
mod scale_reliability;
mod scale_replicas;
mod scale_support;
mod security_authorize;
mod security_claims;
mod security_common;
mod security_edges;
mod security_enumeration;
mod security_guessing;
mod security_headers;
mod security_input;
mod security_prompt_none;
mod security_properties;
mod security_protocol;
mod security_secrets;
mod security_sending;
mod security_session;
mod sms;
mod smtp_delivery;
mod sso;
mod store_pool;
mod token_errors;
mod userinfo;

//! Admin: the admin API, its tokens, the CLI, clients, people, keys, review accounts and the audit trail.

mod attributes;
mod audit_log;
mod auth;
mod cli;
mod clients;
pub(crate) mod common;
mod groups;
mod keys_audit;
mod review;
mod users;
mod webhooks;

//! # Sesame
//!
//! A passwordless OpenID Connect provider: a person types an email address, receives a
//! 6-digit code, types it back and is signed in to the relying party that sent them.
//!
//! A guided tour, in the order a request meets the code:
//!
//! - [`cli`]: the `sesame` binary's subcommands (`serve` by default, `clients`, `keys`, …).
//! - [`config`]: typed configuration from defaults, `config/sesame.toml` and `SESAME_*`.
//! - [`app`]: builds the shared [`app::AppState`], the router and its middleware (request
//!   ids, security headers, sessions), binds a listener and shuts down gracefully.
//! - [`oidc`]: the protocol endpoints — discovery, JWKS, `/authorize`, `/token` (code,
//!   refresh and client-credentials grants), `/userinfo`, `/revoke`, `/introspect`,
//!   `/logout`, `/register` — with RFC-shaped errors (docs/protocol.md).
//! - [`authz`]: the validated authorization request, the sign-ins a browser started, and
//!   the step that issues an authorization code and redirects back.
//! - [`login`]: the hosted pages and the passwordless step: parse the address or phone
//!   number, guard SMS sends (`login::sms_guard`), issue and verify the code; consent for
//!   third-party clients; the person's profile page.
//! - [`delivery`]: sends the code (SMTP through lettre; SMS through Twilio or a signed
//!   webhook, see docs/sms.md; or the development console).
//! - [`tokens`]: signing keys (generated, encrypted at rest, rotated) and JWTs.
//! - [`store`]: persistence on SQLite or PostgreSQL; every query written once.
//! - [`limits`]: rate limits counted in the database (shared by replicas), and the
//!   authorization endpoint's per-IP limit in memory.
//! - [`outbox`]: delivery without loss: sealed code messages, back-channel logout tokens
//!   and webhook events delivered by a worker on every replica, retried with backoff (the
//!   sign-in rules it carries out are `login::code_message`'s); [`events`]: what webhooks
//!   subscribe to, read off the audit trail.
//! - [`health`]: health and readiness probes and `/metrics`; [`replica`]: this process's
//!   own state and the bookkeeping of graceful shutdown; [`metrics`]: the Prometheus
//!   registry (a leaf: it imports nothing of Sesame's, so the store can carry it).
//! - [`state`]: the parts every handler shares; [`csrf`] and [`forms`]: the hosted pages'
//!   forms, read strictly and checked against the session's anti-CSRF token.
//! - [`channel`] (email, SMS, and masking an identifier), [`jose`] (the signature
//!   algorithms), [`crypto`], [`clock`], [`error`]: small shared pieces.
//! - [`demo`]: the development-mode demo relying party at `/`.
//! - [`admin`]: the admin HTTP API under `/admin/api/v1` and the operations it shares with
//!   the CLI; [`console`]: the admin console in the browser, pages over the same
//!   operations; [`branding`]: client logos, links and colours on the hosted pages;
//!   [`sso`]: the SSO session (a person signed in in one browser), its state and the
//!   record admins list and end.
//!
//! Data flows one way: handler → domain function → store.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod admin;
pub mod app;
pub mod audit;
pub mod authz;
pub mod branding;
pub mod channel;
pub mod cli;
pub mod clients;
pub mod clock;
pub mod config;
pub mod console;
pub mod crypto;
pub mod csrf;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod events;
pub mod forms;
pub mod health;
pub mod i18n;
pub mod jose;
pub mod limits;
pub mod login;
pub mod metrics;
pub mod oidc;
pub mod outbox;
pub mod replica;
pub mod scope;
pub mod sso;
pub mod state;
pub mod store;
pub mod tokens;

//! Defences, one test per threat.

mod authorize;
mod claims;
mod common;
mod edges;
mod enumeration;
mod guessing;
mod headers;
mod input;
mod prompt_none;
mod properties;
mod protocol;
mod proxies_and_delay;
mod secrets;
mod sending;
mod session;

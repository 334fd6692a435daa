//! The OpenID certification-plan modules, checked as the plans check them.

mod basic;
mod claims;
mod config;
pub(crate) mod logout;
mod params;
mod session;

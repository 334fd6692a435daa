//! The admin console in the browser: who gets in, its defences, and each page's actions
//! compared with what the admin API does.

mod access;
mod actions;
mod admins;
pub(crate) mod common;
mod groups;
mod people;
mod search;

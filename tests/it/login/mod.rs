//! The person's side: the hosted pages, codes by email and SMS, consent, SSO and the account page.

mod account;
mod codes;
mod connected_apps;
mod consent;
mod languages;
mod magic_link;
mod pages;
mod sms;
mod smtp_delivery;
mod sso;

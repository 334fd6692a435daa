//! Operating Sesame: the admin guide against the CLI, modes and CLI start-up, health and
//! metrics over HTTP, the process, shared limits, and the deploy/ manifests checked against
//! the binary.

mod admin_guide;
mod cli_and_modes;
mod config_checks;
mod deploy_manifests;
mod http;
mod limits;
mod process;
mod secret_checks;

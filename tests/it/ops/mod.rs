//! Operating Sesame: modes and CLI start-up, health and metrics over HTTP, the process, shared limits.

mod cli_and_modes;
mod config_checks;
mod http;
mod limits;
mod process;

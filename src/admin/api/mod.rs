//! HTTP handlers of the admin API: thin wrappers that authenticate, parse, call the
//! operation in [`super::ops`] and answer JSON or a problem.

pub mod admins;
pub mod clients;
pub mod groups;
pub mod system;
pub mod users;
pub mod webhooks;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::ops::{Actor, Ctx};
use crate::state::AppState;

pub(crate) fn ctx(state: &AppState, actor: Actor) -> Ctx<'_> {
    Ctx {
        store: &state.store,
        secrets: &state.secrets,
        config: &state.config,
        now: state.now(),
        actor,
    }
}

pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

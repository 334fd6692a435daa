//! The console's first page: the deployment at a glance ([`ops::overview`]).

use axum::extract::State;
use axum::response::Response;

use super::session::ConsoleAdmin;
use super::{age, page_error, Chrome};
use crate::admin::ops::overview::{self as ops, Overview};
use crate::error::{render, PageError};
use crate::state::AppState;

#[derive(askama::Template)]
#[template(path = "console/overview.html")]
struct Page {
    c: Chrome,
    o: Overview,
}

impl Page {
    fn age(&self, s: &i64) -> String {
        age(s)
    }
}

/// GET /admin/console/
pub async fn show(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
) -> Result<Response, PageError> {
    let o = ops::overview(&admin.ctx(&state))
        .await
        .map_err(page_error)?;
    render(&Page {
        c: Chrome::of(&state, &admin, "overview").await?,
        o,
    })
}

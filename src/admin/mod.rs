//! Administration: the admin HTTP API under [`PREFIX`] and the operations it shares with
//! the CLI.
//!
//! - [`ops`]: the operations as plain functions (clients, users, groups, keys, audit, review
//!   accounts, console admins, the overview), each validating its input and writing an
//!   audit event naming the actor.
//! - [`api`]: thin axum handlers over them, described for OpenAPI with utoipa.
//! - [`auth`]: admin tokens and the extractor that checks them. The API is off (404)
//!   until a token exists.
//! - [`problem`]: RFC 9457 problem details for every error.
//!
//! The OpenAPI 3.1 document is generated from the handlers' annotations
//! ([`openapi`]), served at `/admin/api/v1/openapi.json` and checked in as
//! `docs/admin-api.json` (a test keeps the two equal; regenerate with
//! `sesame admin openapi > docs/admin-api.json`).

pub mod api;
pub mod auth;
pub mod ops;
pub mod problem;

use axum::http::StatusCode;
use axum::Router;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use self::auth::AdminAuth;
use self::problem::Problem;
use crate::state::AppState;

/// Where the admin API lives.
pub const PREFIX: &str = "/admin/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sesame admin API",
        version = "1",
        description = "Manage relying parties, people, groups, signing keys and review accounts, and \
                       read the audit trail. Authenticate with an admin token created by \
                       `sesame admin-tokens create --name NAME`: `Authorization: Bearer \
                       <token>`. The API answers 404 everywhere until a token exists. Errors \
                       are RFC 9457 problem details. Times are Unix seconds. Lists are \
                       paginated with `limit` and the opaque `cursor` of the previous page's \
                       `next_cursor`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&Security),
    security(("admin_token" = [])),
    components(schemas(Problem)),
    tags(
        (name = "clients", description = "Relying parties"),
        (name = "users", description = "People, their sign-ins and grants"),
        (name = "groups", description = "Groups of people (the `groups` claim)"),
        (name = "keys", description = "Signing keys"),
        (name = "audit", description = "The audit trail"),
        (name = "review accounts", description = "Fixed-code accounts for app-store review"),
        (name = "webhooks", description = "Event webhooks (people and clients)"),
        (name = "admins", description = "Who may use the admin console; the overview"),
        (name = "meta", description = "This API's description")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An admin token from `sesame admin-tokens create`"))
                    .build(),
            ),
        );
    }
}

/// Adds the answers every authenticated operation can give (401, 404 when the API is
/// off, 500, 503) so each handler lists only its own.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let problem = |desc: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(desc)
                    .content(
                        problem::CONTENT_TYPE,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let public = op.security.as_ref().is_some_and(|s| {
                    serde_json::to_value(s).is_ok_and(|v| v == serde_json::json!([{}]))
                });
                let r = &mut op.responses.responses;
                if !public {
                    r.entry("401".into()).or_insert_with(|| {
                        problem("No valid admin token (missing, unknown or revoked)")
                    });
                    r.entry("400".into())
                        .or_insert_with(|| problem("Malformed parameters or body"));
                }
                r.entry("404".into()).or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(
                                "Not found, or the admin API is off (no admin token exists)",
                            )
                            .build(),
                    )
                });
                r.entry("500".into())
                    .or_insert_with(|| problem("The server could not complete the request"));
                r.entry("503".into())
                    .or_insert_with(|| problem("The database is unavailable; retry"));
            }
        }
    }
}

/// The API's routes with their OpenAPI descriptions (paths relative to [`PREFIX`]).
fn api() -> OpenApiRouter<AppState> {
    use self::api::{admins, clients, groups, system, users, webhooks};
    OpenApiRouter::new()
        .routes(routes!(clients::list_clients, clients::create_client))
        .routes(routes!(
            clients::get_client,
            clients::update_client,
            clients::delete_client
        ))
        .routes(routes!(clients::rotate_secret))
        .routes(routes!(users::list_users))
        .routes(routes!(users::get_user, users::delete_user))
        .routes(routes!(users::disable_user, users::enable_user))
        .routes(routes!(users::list_sessions, users::end_all_sessions))
        .routes(routes!(users::end_session))
        .routes(routes!(users::list_grants, users::revoke_all_grants))
        .routes(routes!(users::revoke_grant))
        .routes(routes!(users::list_attributes))
        .routes(routes!(users::set_attribute, users::unset_attribute))
        .routes(routes!(groups::list_groups, groups::create_group))
        .routes(routes!(groups::get_group, groups::delete_group))
        .routes(routes!(groups::list_members))
        .routes(routes!(groups::add_member, groups::remove_member))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(webhooks::delete_webhook))
        .routes(routes!(system::list_keys))
        .routes(routes!(system::rotate_keys))
        .routes(routes!(system::list_audit_events))
        .routes(routes!(
            system::list_review_accounts,
            system::add_review_account
        ))
        .routes(routes!(system::remove_review_account))
        .routes(routes!(admins::list_admins, admins::add_admin))
        .routes(routes!(admins::remove_admin))
        .routes(routes!(admins::get_overview))
        .routes(routes!(system::openapi_json))
}

/// The OpenAPI 3.1 document of the admin API, generated from the handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(PREFIX, api())
        .into_openapi();
    CommonResponses.modify(&mut doc);
    doc
}

/// [`openapi`] as pretty JSON with a final newline: the text of `docs/admin-api.json`.
pub fn openapi_json() -> String {
    match openapi().to_pretty_json() {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot serialise the OpenAPI document");
            "{}".into()
        }
    }
}

/// Unknown paths and methods under the prefix: 404 while the API is off, otherwise 401
/// without a valid token, otherwise a problem.
async fn not_found(_auth: AdminAuth) -> Problem {
    Problem::status(StatusCode::NOT_FOUND, "no such admin API resource")
}

async fn method_not_allowed(_auth: AdminAuth) -> Problem {
    Problem::status(
        StatusCode::METHOD_NOT_ALLOWED,
        "this resource does not accept that method",
    )
}

/// The admin API's routes, to merge into the application router.
pub fn routes() -> Router<AppState> {
    let (router, _) = api().split_for_parts();
    Router::new().nest(
        PREFIX,
        router
            .fallback(not_found)
            .method_not_allowed_fallback(method_not_allowed),
    )
}

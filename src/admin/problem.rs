//! RFC 9457 problem details (`application/problem+json`) for every error of the admin
//! API, and request extractors whose rejections are problems too.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ops::AdminError;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// Problem types specific to this API (RFC 9457 section 3.1.1); errors that need no more
/// than their status use `about:blank`.
pub const TYPE_INVALID_REQUEST: &str = "urn:sesame:admin:invalid-request";
pub const TYPE_VALIDATION: &str = "urn:sesame:admin:validation";
pub const TYPE_CONFLICT: &str = "urn:sesame:admin:conflict";

/// An error answer (RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: Option<String>,
    /// Extension: the request field at fault, for validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, type_: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem {
            type_: type_.to_string(),
            title: title.to_string(),
            status: status.as_u16(),
            detail: Some(detail.into()),
            field: None,
        }
    }

    /// A problem whose status says it all (`about:blank`, the status's reason as title).
    pub fn status(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::new(
            status,
            "about:blank",
            status.canonical_reason().unwrap_or("Error"),
            detail,
        )
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::status(StatusCode::UNAUTHORIZED, detail)
    }

    pub fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            TYPE_INVALID_REQUEST,
            "The request is malformed",
            detail,
        )
    }

    fn http_status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.http_status();
        let body = serde_json::to_string(&self).unwrap_or_else(|_| "{}".into());
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"sesame-admin\""),
            );
        }
        res
    }
}

impl From<AdminError> for Problem {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotFound { what, id } => {
                let id: String = id.chars().take(200).collect();
                Problem::status(StatusCode::NOT_FOUND, format!("no {what} with id {id}"))
            }
            AdminError::Invalid { field, message } => Problem {
                field: Some(field.to_string()),
                ..Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    TYPE_VALIDATION,
                    "A field is not valid",
                    format!("{field}: {message}"),
                )
            },
            AdminError::Conflict(m) => Problem::new(
                StatusCode::CONFLICT,
                TYPE_CONFLICT,
                "The request conflicts with the resource's state",
                m,
            ),
            AdminError::Store(e) => {
                tracing::error!(error = %e, "database error");
                if e.is_unavailable() {
                    Problem::status(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the database is unavailable; try again",
                    )
                } else {
                    Problem::status(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the server could not complete the request",
                    )
                }
            }
            AdminError::Crypto(e) => {
                tracing::error!(error = %e, "crypto error");
                Problem::status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the server could not complete the request",
                )
            }
            AdminError::Keys(e) => {
                tracing::error!(error = %e, "signing key error");
                Problem::status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the server could not complete the request",
                )
            }
        }
    }
}

impl From<crate::store::StoreError> for Problem {
    fn from(e: crate::store::StoreError) -> Self {
        AdminError::Store(e).into()
    }
}

/// A JSON body; a bad one is answered with a problem (400 syntax, 415 content type,
/// 422 wrong or unknown fields).
pub struct AdminJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AdminJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(AdminJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                TYPE_INVALID_REQUEST,
                "The request body must be JSON",
                "send Content-Type: application/json",
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                TYPE_VALIDATION,
                "A field is not valid",
                e.body_text(),
            )),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(Problem::invalid_request(
                "the request body is not valid JSON",
            )),
            Err(JsonRejection::BytesRejection(e)) => Err(Problem::new(
                e.status(),
                TYPE_INVALID_REQUEST,
                "The request body could not be read",
                e.body_text(),
            )),
            Err(e) => Err(Problem::invalid_request(e.body_text())),
        }
    }
}

/// Query parameters; bad ones are answered with a 400 problem.
pub struct AdminQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for AdminQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| AdminQuery(q.0))
            .map_err(|e: QueryRejection| Problem::invalid_request(e.body_text()))
    }
}

/// Path parameters; bad ones are answered with a 400 problem.
pub struct AdminPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for AdminPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| AdminPath(p.0))
            .map_err(|e: PathRejection| Problem::invalid_request(e.body_text()))
    }
}

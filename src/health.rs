//! Health: health and readiness probes and metrics (what this replica holds for itself
//! is [`crate::replica`]).
//!
//! - `GET /healthz`: the process is up and serving (200, text). No database call: a
//!   liveness probe must not restart replicas because the database is down.
//! - `GET /readyz`: this replica can serve: the database answers and every migration this
//!   binary embeds is applied; 503 with the reason otherwise, and 503 once shutdown began
//!   so load balancers stop sending new requests.
//! - `GET /metrics`: Prometheus text format ([`crate::metrics`]). With `ops.metrics_token` set it
//!   needs `Authorization: Bearer <token>`; without one it is served in development, or in
//!   production only when `ops.metrics_public = true` (otherwise 404).

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use secrecy::ExposeSecret;

use crate::crypto::ct_eq;
use crate::metrics::Gauge;
use crate::state::AppState;

pub const HEALTHZ_PATH: &str = "/healthz";
pub const READYZ_PATH: &str = "/readyz";
pub const METRICS_PATH: &str = "/metrics";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(HEALTHZ_PATH, get(healthz))
        .route(READYZ_PATH, get(readyz))
        .route(METRICS_PATH, get(metrics_endpoint))
}

fn text(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n".into())
}

/// Why this replica is not ready, or None when it is.
pub async fn not_ready_reason(state: &AppState) -> Option<String> {
    if state.replica.is_shutting_down() {
        return Some("shutting down".into());
    }
    let check = async {
        state.store.ping().await?;
        state.store.pending_migrations().await
    };
    match tokio::time::timeout(Duration::from_secs(3), check).await {
        Err(_) => Some("database did not answer in time".into()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database check failed");
            Some("database unreachable".into())
        }
        Ok(Ok(pending)) if !pending.is_empty() => {
            let list: Vec<String> = pending.iter().map(|v| v.to_string()).collect();
            Some(format!("migrations not applied: {}", list.join(", ")))
        }
        Ok(Ok(_)) => None,
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    match not_ready_reason(&state).await {
        None => text(StatusCode::OK, "ready\n".into()),
        Some(reason) => text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        ),
    }
}

/// Whether the request may read `/metrics`; otherwise the answer to give instead.
fn metrics_refusal(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let ops = &state.config.ops;
    match &ops.metrics_token {
        Some(token) => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if ct_eq(presented.as_bytes(), token.expose_secret().as_bytes()) {
                None
            } else {
                let mut res = text(
                    StatusCode::UNAUTHORIZED,
                    "a metrics token is required\n".into(),
                );
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"sesame-metrics\""),
                );
                Some(res)
            }
        }
        None if ops.metrics_public || state.config.is_development() => None,
        None => Some(text(StatusCode::NOT_FOUND, "not found\n".into())),
    }
}

async fn metrics_endpoint(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(res) = metrics_refusal(&state, &headers) {
        return res;
    }
    let now = state.now();
    let mut gauges = Vec::new();
    let depth = tokio::time::timeout(Duration::from_secs(3), state.store.outbox_depth()).await;
    let db_up = match depth {
        Ok(Ok(d)) => {
            gauges.push(Gauge {
                name: "sesame_outbox_pending_messages",
                help: "Messages in the outbox waiting for delivery (all replicas).",
                labels: vec![],
                value: d.pending as f64,
            });
            gauges.push(Gauge {
                name: "sesame_outbox_oldest_pending_age_seconds",
                help: "Age of the oldest message waiting for delivery (0 when none).",
                labels: vec![],
                value: d
                    .oldest_pending_created_at
                    .map(|t| (now - t).max(0) as f64)
                    .unwrap_or(0.0),
            });
            1.0
        }
        _ => 0.0,
    };
    gauges.push(Gauge {
        name: "sesame_database_up",
        help: "1 when the database answered this scrape.",
        labels: vec![],
        value: db_up,
    });
    let (size, idle) = crate::with_pool!(&state.store.db, pool => (pool.size(), pool.num_idle()));
    gauges.push(Gauge {
        name: "sesame_db_pool_connections",
        help: "Connections in this replica's pool, by state.",
        labels: vec![("state", "idle")],
        value: idle as f64,
    });
    gauges.push(Gauge {
        name: "sesame_db_pool_connections",
        help: "",
        labels: vec![("state", "busy")],
        value: (size as usize).saturating_sub(idle) as f64,
    });
    gauges.push(Gauge {
        name: "sesame_replica_info",
        help: "This replica's id (its outbox claims carry it) and database backend.",
        labels: vec![
            ("replica", &state.replica.id),
            ("backend", state.store.backend()),
        ],
        value: 1.0,
    });
    gauges.push(Gauge {
        name: "sesame_shutting_down",
        help: "1 once this replica began shutting down.",
        labels: vec![],
        value: if state.replica.is_shutting_down() {
            1.0
        } else {
            0.0
        },
    });
    let body = state.store.metrics.render(&gauges);
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}

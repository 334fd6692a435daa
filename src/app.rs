//! Building and running the application: the state's parts, router, middleware, listener,
//! shutdown.

pub mod secret;
pub mod serve;

pub use secret::{check_secret, describe_database, open_secret, SecretSource};

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::Router;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::clock::{SharedClock, SystemClock};
use crate::config::Config;
use crate::delivery::Mailer;
use crate::state::{AppState, Inner};
use crate::store::Store;
use crate::tokens::KeyRing;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Keys(#[from] crate::tokens::KeyError),
    #[error(transparent)]
    Delivery(#[from] crate::delivery::DeliveryError),
    /// The secret in use does not belong to the database (or none may be generated).
    #[error("{0}")]
    Secret(String),
    #[error("cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("{0}")]
    Other(String),
}

/// Options that tests set and the binary leaves at their defaults.
#[derive(Clone)]
pub struct BuildOptions {
    pub clock: SharedClock,
    /// How long a replica trusts its in-memory copy of the signing keys.
    pub key_cache_seconds: i64,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            clock: Arc::new(SystemClock),
            key_cache_seconds: 30,
        }
    }
}

/// Connects, migrates and loads everything the server needs, without listening.
pub async fn build_state(config: Config, opts: BuildOptions) -> Result<AppState, StartError> {
    config.validate()?;
    // Settings parsed by the delivery layer are checked before anything is created.
    let mailer = Mailer::new(
        config.email.smtp_url.as_ref(),
        &config.email.from,
        &config.email.subject,
        Duration::from_secs(config.email.timeout_seconds.max(1)),
    )?;
    if mailer.is_console() && !config.is_development() {
        return Err(StartError::Other(
            "production mode needs SMTP delivery".into(),
        ));
    }
    let store = Store::connect(&config.database).await?;
    store.migrate().await?;
    let secrets = open_secret(&config, &store).await?;
    let keys = KeyRing::open(
        store.clone(),
        secrets.clone(),
        opts.clock.clone(),
        opts.key_cache_seconds,
    )
    .await?;
    let sms = crate::delivery::sms::SmsSender::new(&config.sms, config.mode, &config.issuer)?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| StartError::Other(format!("http client: {e}")))?;
    let authorize_limiter = crate::limits::per_ip::AuthorizeLimiter::new(&config.authorize);
    let i18n = crate::i18n::I18n::load(
        config.i18n.dir.as_deref(),
        &config.i18n.default_language,
        &config.product_name,
    )
    .map_err(|e| StartError::Other(format!("i18n: {e}")))?;
    let state = AppState(Arc::new(Inner {
        config,
        store,
        keys,
        secrets: Arc::new(secrets),
        clock: opts.clock,
        mailer,
        sms,
        http,
        replica: crate::replica::Replica::new().map_err(|e| StartError::Other(e.to_string()))?,
        authorize_limiter,
        i18n,
    }));
    if state.config.is_development() {
        crate::demo::ensure_demo_client(&state).await?;
    }
    crate::login::review::announce(&state).await;
    Ok(state)
}

/// The full router with its middleware.
pub fn router(state: AppState) -> Router {
    let https = state.config.issuer_is_https();
    let session_layer = SessionManagerLayer::new(state.store.clone())
        .with_name(if https {
            "__Host-sesame"
        } else {
            "sesame_session"
        })
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            state.config.session.ttl_seconds,
        )));

    let mut app = Router::new()
        .merge(crate::oidc::routes())
        .merge(crate::login::routes())
        .merge(crate::health::routes())
        .merge(crate::branding::routes())
        .merge(crate::admin::routes())
        .merge(crate::console::routes());
    if state.config.is_development() {
        app = app.merge(crate::demo::routes());
    }
    // An address nothing answers gets a page, and every error page is written in the
    // request's language with a way back and the request id (i18n::web).
    let app = app
        .fallback(crate::i18n::web::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::i18n::web::error_pages,
        ))
        .layer(axum::middleware::from_fn(crate::metrics::mark_route));
    let track_http = axum::middleware::from_fn_with_state(
        state.store.metrics.clone(),
        crate::metrics::track_http,
    );
    let request_id = HeaderName::from_static("x-request-id");
    let security_headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Pages, errors and token responses are never cached; discovery, JWKS and the
        // stylesheet set their own public caching first.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
                 form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'",
            ),
        ));
    let hsts = https.then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        )
    });
    app.layer(session_layer)
        .layer(security_headers)
        .layer(tower::util::option_layer(hsts))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(
            ServiceBuilder::new()
                .map_request(drop_unsafe_request_id)
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                    })
                    // One access-log line per request, in the request's span (so JSON logs
                    // carry its request_id).
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(request_id)),
        )
        .layer(track_http)
        .with_state(state)
}

/// The longest client-sent `X-Request-Id` that is kept.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// True for a request id worth echoing and logging: 1 to 64 of `A-Z a-z 0-9 . _ -`.
pub fn is_safe_request_id(v: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&v.len())
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Removes a client's `X-Request-Id` unless it is one safe value, so that a generated id
/// takes its place in the log and the response.
fn drop_unsafe_request_id<B>(mut req: Request<B>) -> Request<B> {
    let mut sent = req.headers().get_all("x-request-id").iter();
    let keep = match (sent.next(), sent.next()) {
        (Some(v), None) => is_safe_request_id(v.as_bytes()),
        _ => false,
    };
    if !keep {
        req.headers_mut().remove("x-request-id");
    }
    req
}

/// A server bound to a port, ready to run.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Builds the state and binds the listener named in the configuration.
    pub async fn build(config: Config, opts: BuildOptions) -> Result<Application, StartError> {
        let listener = TcpListener::bind(&config.listen)
            .await
            .map_err(|e| StartError::Listen(config.listen.clone(), e))?;
        Self::with_listener(config, opts, listener).await
    }

    /// Builds the state on an already-bound listener (tests bind port 0 first).
    pub async fn with_listener(
        config: Config,
        opts: BuildOptions,
        listener: TcpListener,
    ) -> Result<Application, StartError> {
        let state = build_state(config, opts).await?;
        Ok(Application { listener, state })
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until `shutdown` resolves, then shuts down gracefully: stops accepting, lets
    /// in-flight requests and deliveries finish, gives back this replica's outbox claims and
    /// closes the pool. Past `ops.shutdown_timeout_seconds` after the signal it stops
    /// waiting: what is still running is abandoned (its claims are given back all the same).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.state.clone();
        let deadline = Duration::from_secs(state.config.ops.shutdown_timeout_seconds);
        let purge = tokio::spawn(purge_loop(state.clone()));
        let mut worker = tokio::spawn(crate::outbox::worker(state.clone()));
        let signal = {
            let state = state.clone();
            tokio::spawn(async move {
                shutdown.await;
                tracing::info!("shutting down: finishing in-flight requests");
                state.replica.begin_shutdown();
            })
        };
        let app = router(self.state);
        let mut begun = state.replica.shutdown_receiver();
        let graceful = async move {
            let _ = begun.wait_for(|v| *v).await;
        };
        let limits = serve::ServeLimits::from(&state.config.server);
        let server = serve::serve(self.listener, app, limits, graceful);
        let mut begun = state.replica.shutdown_receiver();
        let result = tokio::select! {
            r = server => r,
            _ = async {
                let _ = begun.wait_for(|v| *v).await;
                tokio::time::sleep(deadline).await;
            } => {
                tracing::warn!(
                    seconds = deadline.as_secs(),
                    "shutdown deadline passed: exiting with requests still in flight"
                );
                Ok(())
            }
        };
        state.replica.begin_shutdown();
        let left = state.replica.shutdown_time_left(deadline);
        let drained = tokio::time::timeout(left, async {
            let _ = (&mut worker).await;
            state.replica.wait_idle().await;
        })
        .await;
        if drained.is_err() {
            tracing::warn!("shutdown deadline passed: abandoning deliveries in flight");
        }
        worker.abort();
        state.replica.abort_tasks();
        match state
            .store
            .release_message_claims(&state.replica.id, state.now())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "gave back outbox claims"),
            Err(e) => tracing::warn!(error = %e, "could not give back outbox claims"),
        }
        signal.abort();
        purge.abort();
        state.store.close().await;
        result
    }
}

/// Deletes expired rows every few minutes.
async fn purge_loop(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        state.authorize_limiter.forget_idle();
        match state.store.purge_expired(state.now()).await {
            Ok(n) if n > 0 => tracing::debug!(rows = n, "purged expired rows"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purge failed"),
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

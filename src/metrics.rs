//! A small Prometheus registry, one per replica (no process-global state, so several
//! servers in one test process keep their own numbers).
//!
//! Counters and histograms are kept in memory and rendered in the Prometheus text format
//! (version 0.0.4) by `GET /metrics`. Gauges that describe shared state (the outbox depth)
//! are read from the database at scrape time, so every replica reports the same truth.
//!
//! Label values are bounded: routes are axum's matched route templates (never the raw
//! path), methods outside the standard set become `other`, and channel or grant names that
//! do not look like identifiers become `other`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Upper bounds of the latency histogram buckets, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Histogram,
}

struct Family {
    name: &'static str,
    help: &'static str,
    kind: Kind,
}

pub const HTTP_REQUESTS: &str = "sesame_http_requests_total";
pub const HTTP_DURATION: &str = "sesame_http_request_duration_seconds";
pub const CODES_SENT: &str = "sesame_codes_sent_total";
pub const CODES_VERIFIED: &str = "sesame_codes_verified_total";
pub const CODE_VERIFICATIONS_FAILED: &str = "sesame_code_verifications_failed_total";
pub const CODE_DELIVERIES_FAILED: &str = "sesame_code_deliveries_failed_total";
pub const DELIVERY_ATTEMPTS: &str = "sesame_delivery_attempts_total";
pub const TOKENS_ISSUED: &str = "sesame_tokens_issued_total";
pub const RATE_LIMIT_DENIALS: &str = "sesame_rate_limit_denials_total";
pub const AUDIT_EVENTS: &str = "sesame_audit_events_total";

const FAMILIES: &[Family] = &[
    Family {
        name: HTTP_REQUESTS,
        help: "HTTP requests answered, by route template, method and status.",
        kind: Kind::Counter,
    },
    Family {
        name: HTTP_DURATION,
        help: "Time to answer an HTTP request, by route template and method.",
        kind: Kind::Histogram,
    },
    Family {
        name: CODES_SENT,
        help: "One-time codes delivered, by channel.",
        kind: Kind::Counter,
    },
    Family {
        name: CODES_VERIFIED,
        help: "One-time codes typed back correctly, by channel.",
        kind: Kind::Counter,
    },
    Family {
        name: CODE_VERIFICATIONS_FAILED,
        help: "Wrong one-time codes typed, by channel.",
        kind: Kind::Counter,
    },
    Family {
        name: CODE_DELIVERIES_FAILED,
        help: "Code messages that failed for good after every retry, by channel.",
        kind: Kind::Counter,
    },
    Family {
        name: DELIVERY_ATTEMPTS,
        help: "Delivery attempts made by this replica, by channel and result \
               (delivered, retry, failed).",
        kind: Kind::Counter,
    },
    Family {
        name: TOKENS_ISSUED,
        help: "Token responses issued, by grant type.",
        kind: Kind::Counter,
    },
    Family {
        name: RATE_LIMIT_DENIALS,
        help: "Events refused by a rate limit, by rule.",
        kind: Kind::Counter,
    },
    Family {
        name: AUDIT_EVENTS,
        help: "Audit events written, by kind.",
        kind: Kind::Counter,
    },
];

#[derive(Clone, Default)]
struct Histogram {
    /// Non-cumulative counts per bucket; the last slot is +Inf.
    buckets: [u64; LATENCY_BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Series {
    counters: BTreeMap<(&'static str, String), u64>,
    histograms: BTreeMap<(&'static str, String), Histogram>,
}

/// The registry. Cheap operations under one short-lived lock.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<Series>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// A gauge value computed at scrape time.
pub struct Gauge<'a> {
    pub name: &'static str,
    pub help: &'static str,
    pub labels: Vec<(&'static str, &'a str)>,
    pub value: f64,
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn render_labels(labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// A short identifier-like value, or `other`; absent values are `unknown`.
pub fn label_value(v: Option<&str>) -> &str {
    match v {
        None => "unknown",
        Some(v)
            if !v.is_empty()
                && v.len() <= 32
                && v.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
        {
            v
        }
        Some(_) => "other",
    }
}

fn method_label(m: &axum::http::Method) -> &'static str {
    match m.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Series> {
        // A panic while holding this lock cannot leave the maps inconsistent.
        self.series.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds one to a counter.
    pub fn inc(&self, name: &'static str, labels: &[(&str, &str)]) {
        let key = (name, render_labels(labels));
        *self.lock().counters.entry(key).or_insert(0) += 1;
    }

    /// Records one observation in a histogram.
    pub fn observe(&self, name: &'static str, labels: &[(&str, &str)], seconds: f64) {
        let key = (name, render_labels(labels));
        let mut s = self.lock();
        let h = s.histograms.entry(key).or_default();
        let slot = LATENCY_BUCKETS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(LATENCY_BUCKETS.len());
        h.buckets[slot] += 1;
        h.sum += seconds;
        h.count += 1;
    }

    /// The current value of a counter (0 when never counted).
    pub fn counter(&self, name: &'static str, labels: &[(&str, &str)]) -> u64 {
        let key = (name, render_labels(labels));
        self.lock().counters.get(&key).copied().unwrap_or(0)
    }

    pub fn rate_limit_denied(&self, rule: &str) {
        self.inc(RATE_LIMIT_DENIALS, &[("rule", rule)]);
    }

    /// Counts what an audit event says happened: the audit trail is the one place every
    /// code sent, code verified and token issued is already recorded, so the counters
    /// cannot drift from it.
    pub fn observe_event(&self, kind: &str, detail: &serde_json::Value) {
        let field = |k: &str| label_value(detail.get(k).and_then(|v| v.as_str()));
        self.inc(AUDIT_EVENTS, &[("kind", label_value(Some(kind)))]);
        match kind {
            "code_sent" => self.inc(CODES_SENT, &[("channel", field("channel"))]),
            "code_send_failed" => {
                self.inc(CODE_DELIVERIES_FAILED, &[("channel", field("channel"))])
            }
            "verification_succeeded" => self.inc(CODES_VERIFIED, &[("channel", field("channel"))]),
            "verification_failed" => {
                self.inc(CODE_VERIFICATIONS_FAILED, &[("channel", field("channel"))])
            }
            "tokens_issued" => self.inc(TOKENS_ISSUED, &[("grant_type", field("grant_type"))]),
            _ => {}
        }
    }

    /// The registry in the Prometheus text format, followed by `gauges`.
    pub fn render(&self, gauges: &[Gauge<'_>]) -> String {
        let s = self.lock();
        let mut out = String::new();
        for f in FAMILIES {
            let kind = match f.kind {
                Kind::Counter => "counter",
                Kind::Histogram => "histogram",
            };
            let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
            let _ = writeln!(out, "# TYPE {} {kind}", f.name);
            match f.kind {
                Kind::Counter => {
                    for ((_, labels), v) in s.counters.iter().filter(|((n, _), _)| *n == f.name) {
                        let _ = writeln!(out, "{}{labels} {v}", f.name);
                    }
                }
                Kind::Histogram => {
                    for ((_, labels), h) in s.histograms.iter().filter(|((n, _), _)| *n == f.name) {
                        // `{a="b"}` -> `a="b",` to prepend to the `le` label.
                        let inner = labels
                            .strip_prefix('{')
                            .and_then(|l| l.strip_suffix('}'))
                            .map(|l| format!("{l},"))
                            .unwrap_or_default();
                        let mut cumulative = 0;
                        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
                            cumulative += h.buckets[i];
                            let _ = writeln!(
                                out,
                                "{}_bucket{{{inner}le=\"{bound}\"}} {cumulative}",
                                f.name
                            );
                        }
                        cumulative += h.buckets[LATENCY_BUCKETS.len()];
                        let _ =
                            writeln!(out, "{}_bucket{{{inner}le=\"+Inf\"}} {cumulative}", f.name);
                        let _ = writeln!(out, "{}_sum{labels} {}", f.name, h.sum);
                        let _ = writeln!(out, "{}_count{labels} {}", f.name, h.count);
                    }
                }
            }
        }
        drop(s);
        let mut last = "";
        for g in gauges {
            if g.name != last {
                let _ = writeln!(out, "# HELP {} {}", g.name, g.help);
                let _ = writeln!(out, "# TYPE {} gauge", g.name);
                last = g.name;
            }
            let _ = writeln!(out, "{}{} {}", g.name, render_labels(&g.labels), g.value);
        }
        out
    }
}

/// The route template a request matched, handed from [`mark_route`] to [`track_http`].
#[derive(Clone)]
struct RouteLabel(String);

/// Inner middleware (added with `Router::layer`, where the matched route is known): writes
/// the route template into the response for [`track_http`].
pub async fn mark_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let mut res = next.run(req).await;
    if let Some(route) = route {
        res.extensions_mut().insert(RouteLabel(route));
    }
    res
}

/// Outermost middleware: counts every request by route template, method and status, and
/// records its latency, sessions and all.
pub async fn track_http(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let res = next.run(req).await;
    let route = res
        .extensions()
        .get::<RouteLabel>()
        .map(|r| r.0.as_str())
        .unwrap_or("unmatched");
    let status = res.status().as_u16().to_string();
    m.inc(
        HTTP_REQUESTS,
        &[("route", route), ("method", method), ("status", &status)],
    );
    m.observe(
        HTTP_DURATION,
        &[("route", route), ("method", method)],
        start.elapsed().as_secs_f64(),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges_in_text_format() {
        let m = Metrics::new();
        m.inc(
            HTTP_REQUESTS,
            &[("route", "/token"), ("method", "POST"), ("status", "200")],
        );
        m.inc(
            HTTP_REQUESTS,
            &[("route", "/token"), ("method", "POST"), ("status", "200")],
        );
        m.observe(
            HTTP_DURATION,
            &[("route", "/token"), ("method", "POST")],
            0.003,
        );
        m.observe(
            HTTP_DURATION,
            &[("route", "/token"), ("method", "POST")],
            20.0,
        );
        m.observe_event(
            "tokens_issued",
            &serde_json::json!({"grant_type": "authorization_code"}),
        );
        m.observe_event("code_sent", &serde_json::json!({"channel": "Email\"\n"}));
        let text = m.render(&[Gauge {
            name: "sesame_outbox_pending_messages",
            help: "Messages waiting.",
            labels: vec![],
            value: 3.0,
        }]);
        assert!(text.contains(
            "sesame_http_requests_total{route=\"/token\",method=\"POST\",status=\"200\"} 2\n"
        ));
        assert!(text.contains(
            "sesame_http_request_duration_seconds_bucket{route=\"/token\",method=\"POST\",le=\"0.001\"} 0\n"
        ));
        assert!(text.contains(
            "sesame_http_request_duration_seconds_bucket{route=\"/token\",method=\"POST\",le=\"0.005\"} 1\n"
        ));
        assert!(text.contains(
            "sesame_http_request_duration_seconds_bucket{route=\"/token\",method=\"POST\",le=\"10\"} 1\n"
        ));
        assert!(text.contains(
            "sesame_http_request_duration_seconds_bucket{route=\"/token\",method=\"POST\",le=\"+Inf\"} 2\n"
        ));
        assert!(text.contains(
            "sesame_http_request_duration_seconds_count{route=\"/token\",method=\"POST\"} 2\n"
        ));
        assert!(text.contains("sesame_tokens_issued_total{grant_type=\"authorization_code\"} 1\n"));
        // An odd label value is replaced, never echoed.
        assert!(text.contains("sesame_codes_sent_total{channel=\"other\"} 1\n"));
        assert!(text.contains(
            "# TYPE sesame_outbox_pending_messages gauge\nsesame_outbox_pending_messages 3\n"
        ));
        assert!(text.contains("# TYPE sesame_rate_limit_denials_total counter\n"));
    }

    #[test]
    fn label_values_are_bounded() {
        assert_eq!(label_value(Some("email")), "email");
        assert_eq!(label_value(Some("refresh_token")), "refresh_token");
        assert_eq!(label_value(Some("Bad Value")), "other");
        assert_eq!(label_value(Some(&"x".repeat(40))), "other");
        assert_eq!(label_value(None), "unknown");
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}

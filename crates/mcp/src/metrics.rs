//! What one endpoint process has served since it started, for `GET /metrics` (Prometheus
//! text format 0.0.4): calls by tool, connection and outcome, their latency, the rows and
//! bytes they returned, requests refused by the limits, and, read when scraped, the open
//! connections, the event subscriptions and the pending approvals. The figures over a
//! time window, across processes, come from the audit log instead (`dbdock stats`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError, Weak};
use std::time::Duration;

use dbdock_app::ConnectionEntry;
use dbdock_core::{AuditOutcome, MonitorStatus};

/// Upper bounds of the latency histogram, in seconds: sub-millisecond local queries up
/// to the statement timeouts.
const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default, Clone)]
struct Histogram {
    /// Per bucket of [`LATENCY_BUCKETS`] (not cumulative; summed when rendered).
    counts: [u64; LATENCY_BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = LATENCY_BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.counts[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Default)]
struct Figures {
    calls: BTreeMap<(String, String, &'static str), u64>,
    latency: BTreeMap<String, Histogram>,
    rows: BTreeMap<(String, String), u64>,
    bytes: BTreeMap<(String, String), u64>,
    /// Requests refused by a token's rate or concurrency limit, by token and limit.
    limited: BTreeMap<(String, &'static str), u64>,
    /// Requests refused for a missing or unknown token.
    unauthorized: u64,
}

/// One finished call, as the metrics count it.
pub(crate) struct CallFigures<'a> {
    pub tool: &'a str,
    pub connection: Option<&'a str>,
    pub outcome: AuditOutcome,
    pub duration: Duration,
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
}

/// What a scrape reads from the endpoint as it is now.
pub(crate) struct Gauges {
    pub connections: Vec<ConnectionEntry>,
    pub monitors: Vec<MonitorStatus>,
    pub pending_approvals: Option<u32>,
}

/// Something that holds event subscriptions (an MCP session), read when `/metrics` is
/// scraped.
pub(crate) trait MonitorSource: Send + Sync {
    fn statuses(&self) -> std::pin::Pin<Box<dyn Future<Output = Vec<MonitorStatus>> + Send + '_>>;
}

/// The counters of one endpoint.
#[derive(Default)]
pub struct Metrics {
    figures: Mutex<Figures>,
    /// Every session's event subscriptions, while the session lives.
    subscriptions: Mutex<Vec<Weak<dyn MonitorSource>>>,
}

impl Metrics {
    fn figures(&self) -> std::sync::MutexGuard<'_, Figures> {
        // Plain counters: consistent even if a holder panicked.
        self.figures.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn record_call(&self, call: &CallFigures<'_>) {
        let connection = call.connection.unwrap_or("").to_owned();
        let mut figures = self.figures();
        *figures.calls.entry((call.tool.to_owned(), connection.clone(), call.outcome.as_str())).or_default() += 1;
        figures.latency.entry(call.tool.to_owned()).or_default().observe(call.duration.as_secs_f64());
        let key = (call.tool.to_owned(), connection);
        *figures.rows.entry(key.clone()).or_default() += call.rows.unwrap_or(0);
        *figures.bytes.entry(key).or_default() += call.bytes.unwrap_or(0);
    }

    pub(crate) fn record_limited(&self, token: &str, limit: &'static str) {
        *self.figures().limited.entry((token.to_owned(), limit)).or_default() += 1;
    }

    pub(crate) fn record_unauthorized(&self) {
        self.figures().unauthorized += 1;
    }

    pub(crate) fn watch_subscriptions(&self, subscriptions: Weak<dyn MonitorSource>) {
        let mut all = self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
        all.retain(|s| s.strong_count() > 0);
        all.push(subscriptions);
    }

    pub(crate) async fn monitors(&self) -> Vec<MonitorStatus> {
        let live: Vec<_> = {
            let all = self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
            all.iter().filter_map(Weak::upgrade).collect()
        };
        let mut statuses = Vec::new();
        for subscriptions in live {
            statuses.extend(subscriptions.statuses().await);
        }
        statuses
    }

    /// The Prometheus text exposition of the counters and `gauges`.
    pub(crate) fn render(&self, gauges: &Gauges) -> String {
        let figures = self.figures();
        let mut out = String::with_capacity(4096);
        header(&mut out, "dbdock_build_info", "gauge", "The running DB Dock version.");
        let mut lines = vec![format!("dbdock_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"))];
        out.push_str(&take(&mut lines));

        header(&mut out, "dbdock_mcp_calls_total", "counter", "MCP tool calls by tool, connection and outcome.");
        for ((tool, connection, outcome), n) in &figures.calls {
            lines.push(format!(
                "dbdock_mcp_calls_total{{tool=\"{}\",connection=\"{}\",outcome=\"{outcome}\"}} {n}",
                escape(tool),
                escape(connection)
            ));
        }
        out.push_str(&take(&mut lines));

        header(&mut out, "dbdock_mcp_call_duration_seconds", "histogram", "MCP tool call latency by tool.");
        for (tool, histogram) in &figures.latency {
            let tool = escape(tool);
            let mut cumulative = 0;
            for (bound, n) in LATENCY_BUCKETS.iter().zip(histogram.counts) {
                cumulative += n;
                lines.push(format!(
                    "dbdock_mcp_call_duration_seconds_bucket{{tool=\"{tool}\",le=\"{bound}\"}} {cumulative}"
                ));
            }
            lines.push(format!(
                "dbdock_mcp_call_duration_seconds_bucket{{tool=\"{tool}\",le=\"+Inf\"}} {}",
                histogram.count
            ));
            lines.push(format!("dbdock_mcp_call_duration_seconds_sum{{tool=\"{tool}\"}} {}", histogram.sum));
            lines.push(format!("dbdock_mcp_call_duration_seconds_count{{tool=\"{tool}\"}} {}", histogram.count));
        }
        out.push_str(&take(&mut lines));

        for (name, help, values) in [
            ("dbdock_mcp_rows_returned_total", "Rows MCP calls returned, by tool and connection.", &figures.rows),
            ("dbdock_mcp_bytes_returned_total", "Bytes MCP calls returned, by tool and connection.", &figures.bytes),
        ] {
            header(&mut out, name, "counter", help);
            for ((tool, connection), n) in values {
                lines.push(format!("{name}{{tool=\"{}\",connection=\"{}\"}} {n}", escape(tool), escape(connection)));
            }
            out.push_str(&take(&mut lines));
        }

        header(
            &mut out,
            "dbdock_http_limited_total",
            "counter",
            "HTTP requests refused with RATE_LIMITED, by token and limit (rate or concurrency).",
        );
        for ((token, limit), n) in &figures.limited {
            lines.push(format!("dbdock_http_limited_total{{token=\"{}\",limit=\"{limit}\"}} {n}", escape(token)));
        }
        out.push_str(&take(&mut lines));
        header(
            &mut out,
            "dbdock_http_unauthorized_total",
            "counter",
            "HTTP requests refused for a missing or unknown token.",
        );
        lines.push(format!("dbdock_http_unauthorized_total {}", figures.unauthorized));
        out.push_str(&take(&mut lines));

        header(&mut out, "dbdock_connections", "gauge", "Open connections of this endpoint by connection and state.");
        for entry in &gauges.connections {
            lines.push(format!(
                "dbdock_connections{{connection=\"{}\",state=\"{}\"}} 1",
                escape(&entry.name),
                serde_json::to_value(entry.status.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            ));
        }
        out.push_str(&take(&mut lines));

        for (name, help, value) in [
            (
                "dbdock_monitor_events_total",
                "Events a subscription received.",
                (|m: &MonitorStatus| m.events_total as f64) as fn(&MonitorStatus) -> f64,
            ),
            (
                "dbdock_monitor_dropped_total",
                "Events a subscription dropped because they were not read in time.",
                |m| m.dropped as f64,
            ),
            ("dbdock_monitor_events_per_second", "A subscription's event rate over the last few seconds.", |m| {
                m.events_per_sec
            }),
        ] {
            let kind = if name.ends_with("_total") { "counter" } else { "gauge" };
            header(&mut out, name, kind, help);
            for monitor in &gauges.monitors {
                lines.push(format!(
                    "{name}{{monitor=\"{}\",target=\"{}\"}} {}",
                    escape(&monitor.monitor_id),
                    escape(&monitor.target),
                    value(monitor)
                ));
            }
            out.push_str(&take(&mut lines));
        }

        if let Some(pending) = gauges.pending_approvals {
            header(&mut out, "dbdock_approvals_pending", "gauge", "AI writes waiting for the user's approval.");
            lines.push(format!("dbdock_approvals_pending {pending}"));
            out.push_str(&take(&mut lines));
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn take(lines: &mut Vec<String>) -> String {
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    lines.clear();
    text
}

/// A label value as the text format needs it: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_in_the_text_format() {
        let metrics = Metrics::default();
        for (ms, outcome) in [(0.3, AuditOutcome::Ok), (7.0, AuditOutcome::Ok), (20_000.0, AuditOutcome::Error)] {
            metrics.record_call(&CallFigures {
                tool: "execute-query",
                connection: Some("pg \"main\""),
                outcome,
                duration: Duration::from_secs_f64(ms / 1000.0),
                rows: Some(2),
                bytes: Some(10),
            });
        }
        metrics.record_limited("agent", "rate");
        let text = metrics.render(&Gauges { connections: vec![], monitors: vec![], pending_approvals: Some(1) });
        let has = |line: &str| text.lines().any(|l| l == line);
        assert!(
            has(r#"dbdock_mcp_calls_total{tool="execute-query",connection="pg \"main\"",outcome="ok"} 2"#),
            "{text}"
        );
        assert!(has(r#"dbdock_mcp_call_duration_seconds_bucket{tool="execute-query",le="0.0005"} 1"#), "{text}");
        assert!(has(r#"dbdock_mcp_call_duration_seconds_bucket{tool="execute-query",le="10"} 2"#), "{text}");
        assert!(has(r#"dbdock_mcp_call_duration_seconds_bucket{tool="execute-query",le="+Inf"} 3"#), "{text}");
        assert!(has(r#"dbdock_mcp_rows_returned_total{tool="execute-query",connection="pg \"main\""} 6"#), "{text}");
        assert!(has(r#"dbdock_http_limited_total{token="agent",limit="rate"} 1"#), "{text}");
        assert!(has("dbdock_approvals_pending 1"), "{text}");
    }
}

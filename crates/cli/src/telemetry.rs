//! The process's `tracing` subscriber: diagnostics on stderr (`RUST_LOG`, default `warn`)
//! and, only when `dbdock mcp` is given an OTLP endpoint, each tool call's span
//! (`mcp.tool_call`) exported there over OTLP/HTTP. Without an endpoint there is no
//! exporter and no network; with one, nothing but those spans leaves the process.

use std::sync::Mutex;

use dbdock_core::{Error, Result};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use self::otlp::Guard;

/// The exporter of this process, kept until [`flush`].
static GUARD: Mutex<Option<Guard>> = Mutex::new(None);

/// Installs the subscriber; with `otlp` (the collector's OTLP/HTTP base URL), the span
/// exporter too, whose queued spans [`flush`] sends before the process exits.
pub fn init(otlp: Option<&str>) -> Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(filter);
    let Some(endpoint) = otlp else {
        let _ = tracing_subscriber::registry().with(stderr).try_init();
        return Ok(());
    };
    let traces = traces_url(endpoint)?;
    let (spans, guard) = otlp::layer(&traces)?;
    let _ = tracing_subscriber::registry().with(stderr).with(spans).try_init();
    if let Ok(mut kept) = GUARD.lock() {
        *kept = Some(guard);
    }
    Ok(())
}

/// Sends the spans still queued and stops the exporter, waiting at most two seconds for a
/// collector that does not answer. A no-op without one. Blocks: call it off the runtime.
pub fn flush() {
    if let Some(guard) = GUARD.lock().ok().and_then(|mut kept| kept.take()) {
        guard.shutdown();
    }
}

/// `URL/v1/traces` (a URL that already ends so is kept): the base URL an OTLP/HTTP
/// collector listens on, e.g. `http://127.0.0.1:4318`. Only http(s) URLs with a host.
fn traces_url(endpoint: &str) -> Result<String> {
    const EXAMPLE: &str = "give the collector's OTLP/HTTP base URL, e.g. http://127.0.0.1:4318";
    let url = url::Url::parse(endpoint.trim()).map_err(|e| {
        Error::invalid_input(format!("--otlp-endpoint (DBDOCK_OTLP_ENDPOINT) is not a URL ({e}); {EXAMPLE}"))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_input(format!(
            "--otlp-endpoint (DBDOCK_OTLP_ENDPOINT) must be an http:// or https:// URL with a host, not a {}: URL; \
             {EXAMPLE}",
            url.scheme()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(format!(
            "--otlp-endpoint (DBDOCK_OTLP_ENDPOINT) takes no query or fragment; {EXAMPLE}"
        )));
    }
    let base = url.as_str().trim_end_matches('/');
    Ok(if url.path().trim_end_matches('/').ends_with("/v1/traces") {
        base.to_owned()
    } else {
        format!("{base}/v1/traces")
    })
}

#[cfg(feature = "otlp")]
mod otlp {
    use std::time::Duration;

    use dbdock_core::{Error, Result};
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::{Protocol, WithExportConfig};
    use opentelemetry_sdk::Resource;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing::Subscriber;
    use tracing_subscriber::Layer;
    use tracing_subscriber::filter::filter_fn;
    use tracing_subscriber::registry::LookupSpan;

    /// The one span exported (crates/mcp/src/server/audit.rs). Events and every other
    /// span stay local: drivers log statement text, which leaves only with
    /// `--otlp-statements`, on this span.
    const EXPORTED_SPAN: &str = "mcp.tool_call";
    /// One export, retries included.
    const EXPORT_TIMEOUT: Duration = Duration::from_secs(1);
    /// How long exit waits for the last spans: a broken collector does not hold it longer.
    pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

    /// Owns the exporter; shutting it down (or dropping it) sends what is queued.
    pub struct Guard(SdkTracerProvider);

    impl Guard {
        pub fn shutdown(&self) {
            // A collector that is down or too slow is reported by the SDK on stderr.
            let _ = self.0.shutdown_with_timeout(FLUSH_TIMEOUT);
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            self.shutdown();
        }
    }

    /// The layer that turns `mcp.tool_call` spans into OTLP spans (JSON over HTTP, sent
    /// in batches from the SDK's own thread with a blocking client), and its guard.
    pub fn layer<S>(traces_url: &str) -> Result<(Box<dyn Layer<S> + Send + Sync>, Guard)>
    where
        S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpJson)
            .with_endpoint(traces_url)
            .with_timeout(EXPORT_TIMEOUT)
            .build()
            .map_err(|e| Error::invalid_input(format!("cannot export spans to {traces_url}: {e}")))?;
        let resource = Resource::builder()
            .with_service_name("dbdock")
            .with_attribute(opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
            .build();
        let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build();
        let layer = tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("dbdock"))
            .with_location(false)
            .with_target(false)
            .with_threads(false)
            .with_filter(filter_fn(|meta| meta.is_span() && meta.name() == EXPORTED_SPAN));
        Ok((Box::new(layer), Guard(provider)))
    }
}

/// This build has no exporter: an endpoint is refused rather than silently ignored.
#[cfg(not(feature = "otlp"))]
mod otlp {
    use dbdock_core::{Error, Result};
    use tracing_subscriber::Layer;

    pub struct Guard;

    impl Guard {
        pub fn shutdown(&self) {}
    }

    pub fn layer<S: tracing::Subscriber>(_traces_url: &str) -> Result<(Box<dyn Layer<S> + Send + Sync>, Guard)> {
        Err(Error::unsupported("this dbdock was built without OTLP export (the `otlp` cargo feature)"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::traces_url;

    #[test]
    fn traces_go_to_the_v1_traces_path_of_the_url_given() {
        assert_eq!(traces_url("http://127.0.0.1:4318").unwrap(), "http://127.0.0.1:4318/v1/traces");
        assert_eq!(traces_url("http://127.0.0.1:4318/").unwrap(), "http://127.0.0.1:4318/v1/traces");
        assert_eq!(traces_url("https://otel.example:443/otlp").unwrap(), "https://otel.example/otlp/v1/traces");
        assert_eq!(traces_url("http://[::1]:4318/v1/traces").unwrap(), "http://[::1]:4318/v1/traces");
    }

    #[test]
    fn only_http_urls_with_a_host_are_taken() {
        for bad in ["127.0.0.1:4318", "grpc://127.0.0.1:4317", "file:///tmp/spans", "http://", "http://h:4318/?a=b", ""]
        {
            let error = traces_url(bad).unwrap_err();
            assert_eq!(error.code, dbdock_core::ErrorCode::InvalidInput, "{bad}: {}", error.message);
        }
    }
}

//! Reaching a Kafka cluster: the librdkafka settings of a [`ConnectionTarget`] (bootstrap
//! list, TLS, SASL with the keyring's password), the context that turns librdkafka's
//! callbacks into tracing and loss notices, and its errors as DB Dock's codes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use dbdock_core::{ConnectionTarget, Error, ErrorCode, Result, TlsMode};
use rdkafka::ClientConfig;
use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use tokio::sync::Notify;

/// How long one metadata, offset or group request may take before it is a timeout.
pub(super) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The URL options DB Dock reads; anything else is refused so a typo is not ignored.
const OPTIONS: &[&str] = &["sasl", "client_id"];

/// librdkafka settings for `target`: `kafka://[USER:PASSWORD@]HOST:PORT[,HOST:PORT…]`
/// (`kafka+ssl://` for TLS), `?sasl=plain|scram-sha-256|scram-sha-512` when a user is
/// given (PLAIN by default); the profile's TLS settings choose the CA and client
/// certificate (docs/kafka.md).
pub(super) fn config(target: &ConnectionTarget) -> Result<ClientConfig> {
    let url = target.url().ok_or_else(|| Error::invalid_input("a Kafka connection needs kafka://host:port"))?;
    let mut servers = vec![crate::rows::host_port(target)];
    servers.extend(target.more_hosts().iter().map(|h| if h.contains(':') { h.clone() } else { format!("{h}:9092") }));
    let mut mechanism = None;
    let mut client_id = "dbdock".to_owned();
    for (key, value) in url.query_pairs() {
        match key.to_ascii_lowercase().as_str() {
            "sasl" => mechanism = Some(sasl_mechanism(&value)?),
            "client_id" => client_id = value.into_owned(),
            other if !OPTIONS.contains(&other) => {
                return Err(Error::invalid_input(format!(
                    "Kafka URLs take the options {}; '{key}' is not one of them",
                    OPTIONS.join(", ")
                )));
            }
            _ => {}
        }
    }
    let tls = crate::tls::checked(target)?;
    let tls_on = url.scheme().eq_ignore_ascii_case("kafka+ssl") || tls.mode.is_some_and(|m| m != TlsMode::Disable);
    let user = dbdock_core::percent_decode(url.username()).unwrap_or_default();
    let sasl_on = !user.is_empty() || mechanism.is_some();
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", servers.join(","))
        .set("client.id", client_id)
        .set("socket.connection.setup.timeout.ms", "10000")
        // Idle connections closed by the broker are not failures worth a log line.
        .set("log.connection.close", "false")
        .set(
            "security.protocol",
            match (tls_on, sasl_on) {
                (false, false) => "plaintext",
                (true, false) => "ssl",
                (false, true) => "sasl_plaintext",
                (true, true) => "sasl_ssl",
            },
        )
        .set_log_level(RDKafkaLogLevel::Warning);
    if sasl_on {
        config.set("sasl.mechanism", mechanism.unwrap_or("PLAIN")).set("sasl.username", user);
        if let Some(password) = target.password() {
            config.set("sasl.password", password.expose());
        }
    }
    if tls_on {
        if let Some(ca) = &tls.ca_file {
            config.set("ssl.ca.location", ca);
        }
        if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
            config.set("ssl.certificate.location", cert).set("ssl.key.location", key);
        }
        match tls.mode {
            Some(TlsMode::Prefer | TlsMode::Require) => {
                config.set("enable.ssl.certificate.verification", "false");
            }
            Some(TlsMode::VerifyCa) => {
                config.set("ssl.endpoint.identification.algorithm", "none");
            }
            _ => {
                config.set("ssl.endpoint.identification.algorithm", "https");
            }
        }
    }
    Ok(config)
}

fn sasl_mechanism(value: &str) -> Result<&'static str> {
    Ok(match value.to_ascii_lowercase().as_str() {
        "plain" => "PLAIN",
        "scram-sha-256" => "SCRAM-SHA-256",
        "scram-sha-512" => "SCRAM-SHA-512",
        other => {
            return Err(Error::invalid_input(format!(
                "SASL mechanism '{other}' is not supported: use sasl=plain, sasl=scram-sha-256 or sasl=scram-sha-512"
            )));
        }
    })
}

/// librdkafka's callbacks: log lines go to tracing (never a secret: librdkafka does not
/// log its SASL password), and "all brokers are down" is remembered and announced, so a
/// monitor knows its connection is gone while librdkafka reconnects on its own.
#[derive(Default)]
pub(super) struct Observed {
    down: AtomicBool,
    last_error: std::sync::Mutex<Option<String>>,
    lost: Notify,
}

impl Observed {
    /// Whether every broker was unreachable since the last [`Observed::reset`].
    pub fn brokers_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    pub fn reset(&self) {
        self.down.store(false, Ordering::Release);
    }

    /// Resolves when every broker is lost.
    pub async fn lost(&self) {
        self.lost.notified().await;
    }

    /// librdkafka's last complaint, to make a timeout say why.
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok()?.clone()
    }
}

impl ClientContext for Observed {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        match level {
            RDKafkaLogLevel::Emerg | RDKafkaLogLevel::Alert | RDKafkaLogLevel::Critical | RDKafkaLogLevel::Error => {
                tracing::warn!(facility, "librdkafka: {message}");
            }
            _ => tracing::debug!(facility, "librdkafka: {message}"),
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::debug!("librdkafka: {error}: {reason}");
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(reason.to_owned());
        }
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
            self.down.store(true, Ordering::Release);
            // A stored permit: the monitor may be busy delivering when this arrives.
            self.lost.notify_one();
        }
    }
}

impl ConsumerContext for Observed {}

/// A consumer used for reads and commits only, never subscribed.
pub(super) type Reader = BaseConsumer<Observed>;

/// A consumer that joins no group and commits nothing: for metadata, watermarks and,
/// with `group`, reading or committing that group's offsets without becoming a member.
pub(super) fn consumer(target: &ConnectionTarget, group: Option<&str>) -> Result<Reader> {
    let mut config = config(target)?;
    config.set("enable.auto.commit", "false").set("enable.auto.offset.store", "false");
    if let Some(group) = group {
        config.set("group.id", group);
    }
    config.create_with_context(Observed::default()).map_err(|e| creation_error(target, &e))
}

pub(super) fn creation_error(target: &ConnectionTarget, e: &KafkaError) -> Error {
    Error::invalid_input(format!("cannot set up a Kafka client for {}: {e}", target.redacted()))
}

/// A librdkafka error as DB Dock's, with what was being done and where.
pub(super) fn error(target: &ConnectionTarget, doing: &str, e: &KafkaError, observed: Option<&Arc<Observed>>) -> Error {
    use RDKafkaErrorCode as C;
    let code = match e.rdkafka_error_code() {
        Some(C::AllBrokersDown | C::BrokerTransportFailure | C::Resolve | C::BrokerNotAvailable) => {
            ErrorCode::ConnectionFailed
        }
        Some(C::OperationTimedOut | C::RequestTimedOut | C::MessageTimedOut) => ErrorCode::Timeout,
        Some(C::UnknownTopicOrPartition | C::UnknownTopic | C::UnknownPartition | C::GroupIdNotFound) => {
            ErrorCode::NotFound
        }
        Some(C::SaslAuthenticationFailed | C::Authentication) => ErrorCode::AuthFailed,
        Some(
            C::TopicAuthorizationFailed
            | C::GroupAuthorizationFailed
            | C::ClusterAuthorizationFailed
            | C::TransactionalIdAuthorizationFailed,
        ) => ErrorCode::PermissionDenied,
        Some(C::UnknownMemberId | C::IllegalGeneration | C::RebalanceInProgress | C::NonEmptyGroup) => ErrorCode::InUse,
        _ => ErrorCode::QueryFailed,
    };
    let why = observed
        .and_then(|o| o.last_error())
        .filter(|_| matches!(code, ErrorCode::Timeout | ErrorCode::ConnectionFailed));
    let why = why.map(|w| format!(" (last broker error: {w})")).unwrap_or_default();
    Error::new(code, format!("{doing} on Kafka at {} failed: {e}{why}", target.redacted()))
}

/// Runs a blocking librdkafka call off the async runtime.
pub(super) async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::internal(format!("a Kafka call panicked: {e}")))?
}

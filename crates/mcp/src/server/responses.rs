//! What the tools answer, as types: the JSON a model reads is defined here once, not
//! assembled inline in each tool.

use dbdock_core::{Access, ConnectionState, ConsumerLag, Engine, MonitorStatus};
use serde::Serialize;
use serde_json::Value;

use crate::login::LoginReport;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionListing {
    pub connection_id: String,
    pub engine: Engine,
    pub access: Access,
    pub state: ConnectionState,
    pub url: String,
    pub max_rows: u64,
    pub max_bytes: u64,
    pub timeout_secs: u64,
    #[serde(flatten)]
    pub login: LoginReport,
}

#[derive(Debug, Serialize)]
pub struct Connections {
    pub connections: Vec<ConnectionListing>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connected {
    pub connection_id: String,
    pub engine: Engine,
    pub access: Access,
    pub state: ConnectionState,
    pub latency_ms: Option<f64>,
    pub server_version: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Disconnected {
    pub connection_id: String,
    pub was_open: bool,
    pub state: ConnectionState,
}

/// `execute-update`: mcp-dbs's snake_case key, kept for its users.
#[derive(Debug, Serialize)]
pub struct RowsAffected {
    pub rows_affected: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StoppedBy {
    MaxEvents,
    Timeout,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sampled {
    pub events: Vec<Value>,
    pub messages: usize,
    pub stopped_by: StoppedBy,
    pub elapsed_ms: u64,
    pub truncated: bool,
    pub dropped: u64,
    /// Messages that did not match the filter.
    #[serde(skip_serializing_if = "is_zero")]
    pub passed_over: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscribed {
    pub subscription_id: String,
    pub target: String,
    pub state: ConnectionState,
}

#[derive(Debug, Serialize)]
pub struct EventsRead {
    pub events: Vec<Value>,
    pub truncated: bool,
    pub unread: usize,
    pub status: MonitorStatus,
}

#[derive(Debug, Serialize)]
pub struct Unsubscribed {
    pub stopped: bool,
    pub status: MonitorStatus,
    pub unread: usize,
}

#[derive(Debug, Serialize)]
pub struct PublishedReport {
    pub published: bool,
    pub receivers: Option<u64>,
    pub sequence: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct ReplyReport {
    pub subject: String,
    pub payload: String,
    pub json: Option<Value>,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LagReport {
    pub consumers: Vec<ConsumerLag>,
    /// The sum of the rows' pending counts (Kafka: the total lag).
    pub total_pending: u64,
}

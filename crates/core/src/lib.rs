//! The engine-neutral model of DB Dock.
//!
//! This crate owns what every other part agrees on: the [`Engine`] kinds, a parsed
//! [`ConnectionTarget`] whose secret is held apart and never printed, the typed
//! [`Value`]s of a [`QueryResult`], the [`SchemaInfo`] tree, the one [`Error`] type
//! with stable machine codes, and the [`Database`] trait every SQL engine implements.
//!
//! It must not depend on any driver, on the store, on MCP, or on a window: engines,
//! the store and the faces (CLI, MCP, desktop) all build on it, never the reverse.

mod approval;
mod audit;
mod classify;
mod database;
mod digest;
mod engine;
mod error;
mod event;
mod keys;
mod lifecycle;
mod network;
mod profile;
pub mod read_commands;
mod reconnect;
mod result;
mod schema;
mod secret;
mod stage;
mod stats;
mod table_data;
mod target;
mod text;
mod token;
mod topics;
mod value;
mod whole_file;

pub use approval::{
    ApprovalRoute, ApprovalState, PREVIEW_ROWS, RowChanges, WritePreview, answer_hash, approval_binding, preview_row,
};
pub use audit::AuditOutcome;
pub use classify::{Dialect, FunctionName, PreviewSql, ReadCheck, check_read_only, differential_check, plan_preview};
pub use database::{Database, ExecOutcome, LoginAccess, QueryOptions, resolve_table};
pub use digest::{CanonicalHash, canonical_sha256};
pub use engine::{Capabilities, Engine, EngineSpec, QueryLanguage};
pub use error::{Error, ErrorCode, Result};
pub use event::{
    Category, ConsumerLag, Event, EventKind, LogPosition, MonitorStatus, Severity, TopicStart, WatchTarget,
    payload_as_text,
};
pub use keys::{
    Blob, DEFAULT_SCAN_BUDGET, DEFAULT_VALUE_PAGE, KeyBrowser, KeyDatabase, KeyInfo, KeyName, KeyPage, KeyScan,
    KeySpace, MAX_CHILDREN_SHOWN, MAX_ENTRY_BYTES, PrefixLevel, PrefixNode, PrefixQuery, PrefixSummary,
    STRING_PAGE_BYTES, StreamConsumer, StreamGroup, ValueEntry, ValuePage, ValueRequest,
};
pub use lifecycle::{ConnectionState, ConnectionStatus};
pub use network::{MAX_SSH_HOPS, SshAuth, SshHop, TlsMode, TlsOptions, validate_ssh_hops};
pub use profile::{Access, Profile, ProfileSource, secret_env_var, ssh_secret_account, validate_profile_name};
pub use reconnect::{Backoff, ReconnectPolicy};
pub use result::{Column, QueryResult};
pub use schema::{ColumnInfo, ForeignKeyInfo, IndexInfo, SchemaInfo, TableInfo, TableKind, TableRef};
pub use secret::Secret;
pub use stage::STAGE_TARGET;
pub use stats::{AiStats, CallCount, EventCount, MinuteCount};
pub use table_data::{
    CellInput, ChangeOutcome, ColumnFilter, FilterOp, GuardedStatement, PagePlan, PageRequest, Paging, RowChange,
    SortKey, SqlStatement, count_rows, plan_changes, plan_page, qualified_name, row_key,
};
pub use target::{ConnectionTarget, Endpoint, percent_decode, redact_url_text};
pub use text::{MAX_AUDITED_TEXT_BYTES, MAX_ERROR_MESSAGE_BYTES, cap_text};
pub use token::{
    DEFAULT_TOKEN_CONCURRENCY, DEFAULT_TOKEN_RATE, NewToken, TokenInfo, TokenScope, constant_time_eq, token_hash,
};
pub use topics::{
    BrokerInfo, GroupDetail, GroupMember, GroupSummary, OffsetReset, OffsetResetPlan, PartitionInfo, PartitionReset,
    TopicCatalog, TopicInfo,
};
pub use value::{JsonText, Value, parse_hex};
pub use whole_file::WholeFile;

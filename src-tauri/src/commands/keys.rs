//! Key browser (Redis): logical databases, one level of the prefix tree at a time, a
//! key's facts and its value a page at a time (docs/redis.md, "Key browser"). Counts and
//! sizes go to the UI as JS numbers (exact to 2^53).

use dbdock_app::Audience;
use dbdock_core::{KeyScan, PrefixQuery, Result, ValueRequest};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::AppState;

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyDatabaseView {
    pub index: u32,
    pub keys: f64,
    pub expires: f64,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyDatabasesView {
    /// The one the profile selects.
    pub selected: u32,
    pub databases: Vec<KeyDatabaseView>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyLevelView {
    pub db: u32,
    pub prefix: String,
    pub delimiter: String,
    pub total_keys: f64,
    pub seen: f64,
    pub complete: bool,
    /// Pass back to scan on; the counts of the answer add to these.
    pub cursor: Option<String>,
    pub covered: f64,
    pub hidden: f64,
    pub children: Vec<KeyNodeView>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyNodeView {
    pub name: String,
    pub label: String,
    pub is_key: bool,
    pub keys: f64,
    pub types: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyPageView {
    pub keys: Vec<KeyNodeView>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfoView {
    pub name: String,
    pub key_type: String,
    pub ttl_ms: Option<f64>,
    pub memory_bytes: Option<f64>,
    pub encoding: Option<String>,
    pub length: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ValuePageRequest {
    pub db: u32,
    pub key: String,
    pub cursor: Option<String>,
    pub count: Option<u32>,
    pub score_min: Option<String>,
    pub score_max: Option<String>,
    pub reverse: bool,
    pub pattern: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ValuePageView {
    pub key_type: String,
    pub total: Option<f64>,
    pub entries: Vec<ValueEntryView>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ValueEntryView {
    pub field: Option<String>,
    pub index: Option<f64>,
    pub score: Option<f64>,
    pub text: String,
    pub hex: bool,
    pub json: bool,
    pub cut_from: Option<f64>,
}

/// The user's open connection to `profile` (each command asks it for its key browser,
/// which refuses engines without keys).
async fn keys_of(state: &AppState, profile: &str) -> Result<std::sync::Arc<dbdock_app::OpenConnection>> {
    state.workspace.connection(Audience::User, profile).await
}

/// The logical databases and their key counts.
#[tauri::command]
#[specta::specta]
pub async fn key_databases(state: State<'_, AppState>, profile: String) -> Result<KeyDatabasesView> {
    let open = keys_of(&state, &profile).await?;
    let keys = open.key_browser()?;
    let databases = keys.databases().await?;
    Ok(KeyDatabasesView {
        selected: keys.default_db(),
        databases: databases
            .into_iter()
            .map(|d| KeyDatabaseView { index: d.index, keys: d.keys as f64, expires: d.expires as f64 })
            .collect(),
    })
}

/// One level of the key tree under `prefix`, from one bounded scan (or its continuation).
#[tauri::command]
#[specta::specta]
pub async fn key_level(
    state: State<'_, AppState>,
    profile: String,
    db: u32,
    prefix: String,
    delimiter: String,
    cursor: Option<String>,
    key_type: Option<String>,
) -> Result<KeyLevelView> {
    let open = keys_of(&state, &profile).await?;
    let query = PrefixQuery { db, prefix, delimiter, cursor, budget: None, key_type };
    let level = open.key_browser()?.key_prefixes(&query).await?;
    Ok(KeyLevelView {
        db: level.db,
        prefix: level.prefix,
        delimiter: level.delimiter,
        total_keys: level.total_keys as f64,
        seen: level.seen as f64,
        complete: level.complete,
        cursor: level.cursor,
        covered: level.covered,
        hidden: level.hidden as f64,
        children: level
            .children
            .into_iter()
            .map(|n| KeyNodeView {
                name: n.name,
                label: n.label,
                is_key: n.is_key,
                keys: n.keys as f64,
                types: n.types,
            })
            .collect(),
    })
}

/// A page of keys matching a glob (the browser's filter box).
#[tauri::command]
#[specta::specta]
pub async fn key_search(
    state: State<'_, AppState>,
    profile: String,
    db: u32,
    pattern: String,
    key_type: Option<String>,
    cursor: Option<String>,
) -> Result<KeyPageView> {
    let open = keys_of(&state, &profile).await?;
    let scan = KeyScan { db, pattern: Some(pattern), key_type, cursor, count: Some(200) };
    let page = open.key_browser()?.scan_keys(&scan).await?;
    Ok(KeyPageView {
        keys: page
            .keys
            .into_iter()
            .map(|k| KeyNodeView {
                label: k.name.clone(),
                name: k.name,
                is_key: true,
                keys: 1.0,
                types: vec![k.key_type],
            })
            .collect(),
        cursor: page.cursor,
    })
}

/// One key's type, TTL, memory, encoding and length.
#[tauri::command]
#[specta::specta]
pub async fn key_info(state: State<'_, AppState>, profile: String, db: u32, key: String) -> Result<KeyInfoView> {
    let open = keys_of(&state, &profile).await?;
    let info = open.key_browser()?.key_info(db, &key).await?;
    Ok(KeyInfoView {
        name: info.name,
        key_type: info.key_type,
        ttl_ms: info.ttl_ms.map(|t| t as f64),
        memory_bytes: info.memory_bytes.map(|m| m as f64),
        encoding: info.encoding,
        length: info.length.map(|l| l as f64),
    })
}

/// One page of a key's value.
#[tauri::command]
#[specta::specta]
pub async fn key_value(
    state: State<'_, AppState>,
    profile: String,
    request: ValuePageRequest,
) -> Result<ValuePageView> {
    let open = keys_of(&state, &profile).await?;
    let score_range = match (request.score_min, request.score_max) {
        (Some(min), Some(max)) => Some((min, max)),
        (None, None) => None,
        _ => return Err(dbdock_core::Error::invalid_input("a score range needs both a minimum and a maximum")),
    };
    let request = ValueRequest {
        db: request.db,
        key: request.key,
        cursor: request.cursor,
        count: request.count,
        score_range,
        reverse: request.reverse,
        pattern: request.pattern.filter(|p| !p.is_empty()),
    };
    let page = open.key_browser()?.key_value(&request).await?;
    Ok(ValuePageView {
        key_type: page.key_type,
        total: page.total.map(|t| t as f64),
        entries: page
            .entries
            .into_iter()
            .map(|e| ValueEntryView {
                field: e.field,
                index: e.index.map(|i| i as f64),
                score: e.score,
                text: e.value.text,
                hex: e.value.hex,
                json: e.value.json,
                cut_from: e.value.cut_from.map(|c| c as f64),
            })
            .collect(),
        next: page.next,
    })
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StreamGroupView {
    pub name: String,
    pub pending: f64,
    /// None when the server cannot tell (before Redis 7).
    pub lag: Option<f64>,
    pub last_delivered_id: String,
    pub consumers: Vec<StreamConsumerView>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StreamConsumerView {
    pub name: String,
    pub pending: f64,
    pub idle_ms: f64,
}

/// A stream's consumer groups, their consumers and what each has pending.
#[tauri::command]
#[specta::specta]
pub async fn key_stream_groups(
    state: State<'_, AppState>,
    profile: String,
    db: u32,
    key: String,
) -> Result<Vec<StreamGroupView>> {
    let open = keys_of(&state, &profile).await?;
    let groups = open.key_browser()?.stream_groups(db, &key).await?;
    Ok(groups
        .into_iter()
        .map(|g| StreamGroupView {
            name: g.name,
            pending: g.pending as f64,
            lag: g.lag.map(|l| l as f64),
            last_delivered_id: g.last_delivered_id,
            consumers: g
                .consumers
                .into_iter()
                .map(|c| StreamConsumerView { name: c.name, pending: c.pending as f64, idle_ms: c.idle_ms as f64 })
                .collect(),
        })
        .collect())
}

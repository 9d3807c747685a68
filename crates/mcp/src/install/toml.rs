//! TOML configs (the Codex CLI's `config.toml`), edited through toml_edit's document
//! model: comments, blank lines and the order of tables and keys outside DB Dock's
//! `[mcp_servers.dbdock…]` tables are kept as written.

use dbdock_core::{Error, Result};
use serde_json::Value as Json;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::{Client, Edit, Edited, Entry, is_ours};

pub(super) fn edit(client: Client, text: &str, edit: &Edit<'_>, shown: &str) -> Result<Edited> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let line = e.span().map_or(1, |span| text.get(..span.start).unwrap_or(text).matches('\n').count() + 1);
        Error::invalid_input(format!(
            "{shown} is not valid TOML (line {line}: {}); it was left untouched: fix it or move it away, then run \
             this again",
            e.message().trim()
        ))
    })?;
    let key = client.servers_key();
    if !doc.contains_key(key) {
        if matches!(edit, Edit::Remove) {
            return Ok(Edited { text: text.to_owned(), names: Vec::new() });
        }
        // Implicit: only the `[mcp_servers.NAME]` headers are written, as Codex's docs do.
        let mut servers = Table::new();
        servers.set_implicit(true);
        doc.insert(key, Item::Table(servers));
    }
    let servers = doc.get_mut(key).and_then(Item::as_table_like_mut).ok_or_else(|| {
        Error::invalid_input(format!("\"{key}\" in {shown} is not a table; the file was left untouched"))
    })?;
    let names = match edit {
        Edit::Put(entries) => put(servers, entries),
        Edit::Remove => remove_ours(servers, &[]),
    };
    if matches!(edit, Edit::Remove) && !names.is_empty() && servers.is_empty() && client.shares_its_file() {
        doc.remove(key);
    }
    Ok(Edited { text: keep_newlines(text, doc.to_string()), names })
}

/// toml_edit writes `\n`; a file that used `\r\n` throughout keeps doing so.
fn keep_newlines(old: &str, new: String) -> String {
    let crlf_only = old.contains("\r\n") && !old.replace("\r\n", "").contains('\n');
    if crlf_only { new.replace("\r\n", "\n").replace('\n', "\r\n") } else { new }
}

fn remove_ours(servers: &mut dyn TableLike, keep: &[Entry]) -> Vec<String> {
    let names: Vec<String> = servers
        .iter()
        .map(|(name, _)| name.to_owned())
        .filter(|name| is_ours(name) && !keep.iter().any(|e| &e.name == name))
        .collect();
    for name in &names {
        servers.remove(name);
    }
    names
}

/// Puts each entry in: one that already says the same is left alone, a different one is
/// rewritten under its own header (which keeps its place and the comments above it), a
/// new one is added after the other servers.
fn put(servers: &mut dyn TableLike, entries: &[Entry]) -> Vec<String> {
    remove_ours(servers, entries);
    for entry in entries {
        match servers.get_mut(&entry.name) {
            Some(item) if to_json(item).as_ref() == Some(&entry_json(entry)) => {}
            Some(Item::Table(table)) => {
                table.clear();
                fill(table, entry);
            }
            Some(item) => *item = Item::Table(table(entry)),
            None => {
                servers.insert(&entry.name, Item::Table(table(entry)));
            }
        }
    }
    entries.iter().map(|e| e.name.clone()).collect()
}

fn table(entry: &Entry) -> Table {
    let mut table = Table::new();
    fill(&mut table, entry);
    table
}

/// Codex's stdio server: `command`, `args`, and `env` as an inline table.
fn fill(table: &mut Table, entry: &Entry) {
    table.insert("command", toml_edit::value(entry.command.as_str()));
    table.insert("args", toml_edit::value(entry.args.iter().map(String::as_str).collect::<Array>()));
    if !entry.env.is_empty() {
        let env: InlineTable = entry.env.iter().map(|(k, v)| (k.as_str(), Value::from(v.as_str()))).collect();
        table.insert("env", toml_edit::value(env));
    }
}

pub(super) fn entry_json(entry: &Entry) -> Json {
    let mut fields = serde_json::Map::new();
    fields.insert("command".into(), entry.command.clone().into());
    fields.insert("args".into(), entry.args.clone().into());
    if !entry.env.is_empty() {
        fields
            .insert("env".into(), Json::Object(entry.env.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect()));
    }
    Json::Object(fields)
}

/// A TOML item as JSON, to compare an entry with the one wanted (`None` for what an entry
/// never holds: dates, floats, arrays of tables).
pub(super) fn to_json(item: &Item) -> Option<Json> {
    match item {
        Item::Value(value) => value_json(value),
        Item::Table(table) => {
            table.iter().map(|(k, v)| Some((k.to_owned(), to_json(v)?))).collect::<Option<_>>().map(Json::Object)
        }
        Item::None | Item::ArrayOfTables(_) => None,
    }
}

fn value_json(value: &Value) -> Option<Json> {
    match value {
        Value::String(s) => Some(Json::String(s.value().clone())),
        Value::Boolean(b) => Some(Json::Bool(*b.value())),
        Value::Integer(i) => Some(Json::from(*i.value())),
        Value::Array(items) => items.iter().map(value_json).collect::<Option<_>>().map(Json::Array),
        Value::InlineTable(table) => {
            table.iter().map(|(k, v)| Some((k.to_owned(), value_json(v)?))).collect::<Option<_>>().map(Json::Object)
        }
        Value::Float(_) | Value::Datetime(_) => None,
    }
}

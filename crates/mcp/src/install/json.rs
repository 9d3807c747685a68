//! JSON and JSON-with-comments configs, edited through jsonc-parser's concrete syntax
//! tree: every comment, blank line, indent and key order outside DB Dock's entries is the
//! file's own text, carried through unchanged; new entries follow the file's indentation,
//! newline kind and trailing-comma style.

use dbdock_core::{Error, Result};
use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstObject, CstRootNode};
use serde_json::Value;

use super::{Client, Edit, Edited, Entry, Syntax, is_ours};

/// Comments and trailing commas, and none of JSON5's other liberties. Plain JSON files are
/// checked with serde_json first, since the tree parser keeps comments whatever it is told.
fn jsonc() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// `text` as `client` reads it: plain JSON, or JSON with comments; the error says why not.
fn parse(client: Client, text: &str) -> std::result::Result<CstRootNode, String> {
    if client.syntax() == Syntax::Json && !text.trim().is_empty() {
        serde_json::from_str::<Value>(text).map_err(|e| e.to_string())?;
    }
    CstRootNode::parse(text, &jsonc()).map_err(|e| e.to_string())
}

pub(super) fn edit(client: Client, text: &str, edit: &Edit<'_>, shown: &str) -> Result<Edited> {
    let root = parse(client, text).map_err(|why| {
        Error::invalid_input(format!(
            "{shown} is not valid JSON ({why}); it was left untouched: fix it or move it away, then run this again"
        ))
    })?;
    let unchanged = || Ok(Edited { text: text.to_owned(), names: Vec::new() });
    let config = match (root.value(), edit) {
        (Some(value), _) => value.as_object().ok_or_else(|| {
            Error::invalid_input(format!("{shown} does not hold a JSON object; it was left untouched"))
        })?,
        (None, Edit::Remove) => return unchanged(),
        // An empty file (or one of comments only) gets an object.
        (None, Edit::Put(_)) => root.object_value_or_set(),
    };
    let key = client.servers_key();
    let not_object =
        || Error::invalid_input(format!("\"{key}\" in {shown} is not a JSON object; the file was left untouched"));
    let servers = match (config.get(key), edit) {
        (Some(prop), _) => prop.object_value().ok_or_else(not_object)?,
        (None, Edit::Remove) => return unchanged(),
        (None, Edit::Put(_)) => config.object_value_or_create(key).ok_or_else(not_object)?,
    };
    let names = match edit {
        Edit::Put(entries) => put(client, &servers, entries),
        Edit::Remove => {
            let removed = remove_ours(&servers, &[]);
            if !removed.is_empty()
                && servers.properties().is_empty()
                && client.shares_its_file()
                && let Some(prop) = config.get(key)
            {
                prop.remove();
            }
            removed
        }
    };
    let edited = root.to_string();
    if edited != text && parse(client, &edited).is_err() {
        return Err(Error::internal(format!("editing {shown} would leave it invalid; it was left untouched")));
    }
    Ok(Edited { text: edited, names })
}

/// Takes out DB Dock's entries but those named in `keep`; returns the names taken out.
fn remove_ours(servers: &CstObject, keep: &[Entry]) -> Vec<String> {
    let mut removed = Vec::new();
    for prop in servers.properties() {
        let Some(name) = prop.decoded_name() else { continue };
        if is_ours(&name) && !keep.iter().any(|e| e.name == name) {
            prop.remove();
            removed.push(name);
        }
    }
    removed
}

/// Puts each entry in: an entry that already says the same is left as it is (so a second
/// install changes nothing), a different one is replaced where it stands, a new one goes
/// last.
fn put(client: Client, servers: &CstObject, entries: &[Entry]) -> Vec<String> {
    remove_ours(servers, entries);
    for entry in entries {
        let value = entry_value(client, entry);
        match servers.get(&entry.name) {
            Some(prop) => {
                if prop.value().and_then(|v| v.to_serde_value()) != Some(to_serde(&value)) {
                    prop.set_value(value);
                }
            }
            None => {
                servers.append(&entry.name, value);
            }
        }
    }
    entries.iter().map(|e| e.name.clone()).collect()
}

/// The entry in the shape `client` reads, keys in the order its own docs write them.
fn entry_value(client: Client, entry: &Entry) -> CstInputValue {
    let strings = |items: &[String]| CstInputValue::Array(items.iter().map(|s| s.as_str().into()).collect());
    let env = CstInputValue::Object(entry.env.iter().map(|(k, v)| (k.clone(), v.as_str().into())).collect());
    let mut fields: Vec<(String, CstInputValue)> = Vec::new();
    let mut field = |key: &str, value: CstInputValue| fields.push((key.to_owned(), value));
    match client {
        // opencode: one command array, `environment`, and `enabled`.
        Client::Opencode => {
            let command: Vec<String> = std::iter::once(entry.command.clone()).chain(entry.args.clone()).collect();
            field("type", "local".into());
            field("command", strings(&command));
            field("enabled", true.into());
            if !entry.env.is_empty() {
                field("environment", env);
            }
        }
        _ => {
            match client {
                Client::Vscode => field("type", "stdio".into()),
                // Zed releases before its untagged server settings require `source`; later
                // ones ignore it.
                Client::Zed => field("source", "custom".into()),
                _ => {}
            }
            field("command", entry.command.as_str().into());
            field("args", strings(&entry.args));
            if !entry.env.is_empty() {
                field("env", env);
            }
        }
    }
    CstInputValue::Object(fields)
}

/// The value as serde_json sees it, to compare with what the file already holds.
fn to_serde(value: &CstInputValue) -> Value {
    match value {
        CstInputValue::Null => Value::Null,
        CstInputValue::Bool(b) => Value::Bool(*b),
        CstInputValue::Number(n) => serde_json::from_str(n).unwrap_or(Value::Null),
        CstInputValue::String(s) => Value::String(s.clone()),
        CstInputValue::Array(items) => Value::Array(items.iter().map(to_serde).collect()),
        CstInputValue::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect()),
    }
}

/// What `text` holds, as serde_json values (for the tests, which read JSON with comments).
#[cfg(test)]
pub(super) fn read(text: &str) -> Option<Value> {
    CstRootNode::parse(text, &jsonc()).ok()?.value()?.to_serde_value()
}

//! `dbdock keys`, `dbdock key` and `dbdock schema` on Redis: the key browser's operations
//! from the shell (docs/redis.md, "Key browser"), on the engine's own connection.

use std::fmt::Write as _;

use dbdock_core::{Engine, Error, KeyBrowser, KeyScan, KeySpace, Result, ValueRequest};

use crate::args::{Connection, KeyArgs, KeysArgs, SchemaFormat};
use crate::context::{open, print, resolve};
use crate::render::{json_line, new_table, text};

fn no_keys(engine: Engine) -> Error {
    Error::unsupported(format!(
        "{} has no keys to browse; dbdock keys and dbdock key are for {}",
        engine.spec().label,
        Engine::labels_where(|c| c.key_browser)
    ))
}

/// Runs `body` on the connection's key browser, then disconnects and prints.
async fn with_keys(connection: &Connection, body: impl AsyncFnOnce(&dyn KeyBrowser) -> Result<String>) -> Result<()> {
    // Refused before connecting: the engine says whether it has keys.
    let engine = resolve(connection).await?.0.target.engine();
    if !engine.capabilities().key_browser {
        return Err(no_keys(engine));
    }
    let db = open(connection).await?;
    let outcome = match db.keys() {
        Some(keys) => body(keys).await,
        None => Err(no_keys(engine)),
    };
    db.disconnect().await;
    print(&outcome?)
}

pub async fn keys(args: KeysArgs) -> Result<()> {
    with_keys(&args.connection, async |keys| {
        let scan = KeyScan {
            db: args.db.unwrap_or(keys.default_db()),
            pattern: args.pattern.clone(),
            key_type: args.key_type.clone(),
            cursor: args.cursor.clone(),
            count: Some(args.count),
        };
        let page = keys.scan_keys(&scan).await?;
        if args.format == SchemaFormat::Json {
            return json_line(&page);
        }
        let mut table = new_table();
        table.set_header(["key", "type"]);
        for key in &page.keys {
            table.add_row([key.name.as_str(), key.key_type.as_str()]);
        }
        text(|out| {
            writeln!(out, "{table}")?;
            match &page.cursor {
                Some(cursor) => writeln!(out, "({} keys; more with --cursor {cursor})", page.keys.len()),
                None => writeln!(out, "({} keys; the scan is complete)", page.keys.len()),
            }
        })
    })
    .await
}

pub async fn key(args: KeyArgs) -> Result<()> {
    with_keys(&args.connection, async |keys| {
        let db = args.db.unwrap_or(keys.default_db());
        let request = ValueRequest {
            db,
            key: args.key.clone(),
            cursor: args.cursor.clone(),
            count: Some(args.count),
            score_range: args.score.as_ref().map(|s| (s[0].clone(), s[1].clone())),
            reverse: args.reverse,
            pattern: args.pattern.clone(),
        };
        let info = keys.key_info(db, &args.key).await?;
        let page = keys.key_value(&request).await?;
        let groups = if info.key_type == "stream" { keys.stream_groups(db, &args.key).await? } else { Vec::new() };
        if args.format == SchemaFormat::Json {
            return json_line(&serde_json::json!({ "info": info, "value": page, "groups": groups }));
        }
        let mut head = format!("{} ({}", info.name, info.key_type);
        if let Some(length) = info.length {
            let unit = if info.key_type == "string" { "bytes" } else { "entries" };
            let _ = write!(head, ", {length} {unit}");
        }
        match info.ttl_ms {
            Some(ms) => {
                let _ = write!(head, ", expires in {:.1} s", ms as f64 / 1000.0);
            }
            None => head.push_str(", no expiry"),
        }
        if let Some(bytes) = info.memory_bytes {
            let _ = write!(head, ", {bytes} bytes in memory");
        }
        if let Some(encoding) = &info.encoding {
            let _ = write!(head, ", encoding {encoding}");
        }
        head.push(')');
        let mut table = new_table();
        let (label, with_score) = match page.key_type.as_str() {
            "hash" => ("field", false),
            "list" => ("index", false),
            "zset" => ("rank", true),
            "stream" => ("id", false),
            _ => ("", false),
        };
        let mut header: Vec<&str> = if label.is_empty() { vec![] } else { vec![label] };
        if with_score {
            header.push("score");
        }
        header.push("value");
        table.set_header(header);
        for entry in &page.entries {
            let mut row = Vec::new();
            if !label.is_empty() {
                row.push(entry.field.clone().or_else(|| entry.index.map(|i| i.to_string())).unwrap_or_default());
            }
            if with_score {
                row.push(entry.score.map(|s| s.to_string()).unwrap_or_default());
            }
            let mut value = entry.value.text.clone();
            if entry.value.hex {
                value = format!("(hex) {value}");
            }
            if let Some(full) = entry.value.cut_from {
                let _ = write!(value, " … ({full} bytes)");
            }
            row.push(value);
            table.add_row(row);
        }
        let mut group_table = new_table();
        group_table.set_header(["consumer group", "pending", "lag", "last delivered", "consumers (pending, idle)"]);
        for g in &groups {
            let consumers: Vec<String> = g
                .consumers
                .iter()
                .map(|c| format!("{} ({}, {:.1} s)", c.name, c.pending, c.idle_ms as f64 / 1000.0))
                .collect();
            group_table.add_row([
                g.name.clone(),
                g.pending.to_string(),
                g.lag.map_or_else(|| "?".to_owned(), |l| l.to_string()),
                g.last_delivered_id.clone(),
                consumers.join(", "),
            ]);
        }
        text(|out| {
            writeln!(out, "{head}")?;
            writeln!(out, "{table}")?;
            match &page.next {
                Some(next) => writeln!(out, "({} shown; more with --cursor {next})", page.entries.len())?,
                None => writeln!(out, "({} shown; the end of the value)", page.entries.len())?,
            }
            if !groups.is_empty() {
                writeln!(out, "{group_table}")?;
            }
            Ok(())
        })
    })
    .await
}

/// `dbdock schema` on Redis: the prefixes of the top level (or under `prefix`).
pub async fn key_space(connection: &Connection, prefix: Option<&str>, format: SchemaFormat) -> Result<()> {
    with_keys(connection, async |keys| {
        let space = dbdock_app::key_space(keys, prefix.unwrap_or_default(), ":").await?;
        render_space(&space, format)
    })
    .await
}

fn render_space(space: &KeySpace, format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(space);
    }
    let mut table = new_table();
    table.set_header(["prefix or key", "keys", "types"]);
    for p in &space.prefixes {
        let keys = match (p.is_key, p.keys == p.estimated_keys) {
            (true, _) => "key".to_owned(),
            (false, true) => p.keys.to_string(),
            (false, false) => format!("~{} ({} seen)", p.estimated_keys, p.keys),
        };
        table.add_row([p.prefix.clone(), keys, p.types.join(", ")]);
    }
    let others: Vec<String> = space
        .databases
        .iter()
        .filter(|d| d.index != space.db)
        .map(|d| format!("db{} {} keys", d.index, d.keys))
        .collect();
    text(|out| {
        writeln!(out, "{table}")?;
        if space.complete {
            write!(out, "(database {}: {} keys, counted exactly", space.db, space.total_keys)?;
        } else {
            write!(
                out,
                "(database {}: {} keys; counts from a scan of {:.1}% of them, ~ estimates the whole",
                space.db,
                space.total_keys,
                space.covered * 100.0
            )?;
        }
        if !others.is_empty() {
            write!(out, "; also {}", others.join(", "))?;
        }
        writeln!(out, ")")
    })
}

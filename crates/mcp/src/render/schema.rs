//! The text a model reads for a schema search: one line per match instead of a JSON object
//! per match (the same facts, a fraction of the tokens); `structuredContent` keeps the JSON.
//! Full definitions stay JSON: they are asked for a few tables at a time.

use std::fmt::Write as _;

use dbdock_app::{SchemaMatch, SchemaSearchResult};

/// `result` as lines: a count line, then per match `name kind`, `name kind ~rows pk(..):
/// columns` or `table.column type[ not null][ pk]`, then the hint when some were left out.
pub(crate) fn search_text(result: &SchemaSearchResult) -> String {
    let mut out = format!("{} of {} matches\n", result.shown, result.matches);
    for found in result.objects.iter().chain(result.columns.iter()).flatten() {
        match found {
            SchemaMatch::Name { name, kind } => {
                let _ = writeln!(out, "{name} {}", kind.as_str());
            }
            SchemaMatch::Summary { name, kind, estimated_rows, primary_key, columns } => {
                let _ = write!(out, "{name} {}", kind.as_str());
                if let Some(rows) = estimated_rows {
                    let _ = write!(out, " ~{rows} rows");
                }
                if !primary_key.is_empty() {
                    let _ = write!(out, " pk({})", primary_key.join(", "));
                }
                let _ = writeln!(out, ": {}", columns.join(", "));
            }
            SchemaMatch::Full(table) => {
                out.push_str(&serde_json::to_string(table).unwrap_or_default());
                out.push('\n');
            }
            SchemaMatch::KeyPrefix(p) => {
                let what = if p.is_key { "key" } else { "prefix" };
                let count = if p.is_key {
                    String::new()
                } else if p.keys == p.estimated_keys {
                    format!(" {} keys", p.keys)
                } else {
                    format!(" ~{} keys ({} seen)", p.estimated_keys, p.keys)
                };
                let _ = writeln!(out, "{} {what}{count} [{}]", p.prefix, p.types.join(", "));
            }
            SchemaMatch::Column { table, column, type_name, nullable, primary_key } => {
                let _ = writeln!(
                    out,
                    "{table}.{column} {type_name}{}{}",
                    if *nullable { "" } else { " not null" },
                    if *primary_key { " pk" } else { "" }
                );
            }
        }
    }
    if let Some(hint) = &result.hint {
        out.push_str(hint);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use dbdock_core::TableKind;

    use super::*;

    #[test]
    fn one_line_per_match() {
        let result = SchemaSearchResult {
            matches: 3,
            shown: 2,
            objects: Some(vec![
                SchemaMatch::Name { name: "public.orders".into(), kind: TableKind::Table },
                SchemaMatch::Summary {
                    name: "public.items".into(),
                    kind: TableKind::View,
                    estimated_rows: Some(40),
                    primary_key: vec!["id".into()],
                    columns: vec!["id int4 not null".into(), "sku text".into()],
                },
            ]),
            columns: None,
            hint: Some("1 more match; narrow the pattern or raise limit".into()),
        };
        assert_eq!(
            search_text(&result),
            "2 of 3 matches\npublic.orders table\npublic.items view ~40 rows pk(id): id int4 not null, sku \
             text\n1 more match; narrow the pattern or raise limit\n"
        );
    }

    #[test]
    fn key_prefixes_say_whether_their_counts_are_estimates() {
        let prefix = |name: &str, is_key, keys, estimated_keys, types: &[&str]| {
            SchemaMatch::KeyPrefix(dbdock_core::PrefixSummary {
                prefix: name.into(),
                is_key,
                keys,
                estimated_keys,
                types: types.iter().map(|t| (*t).to_owned()).collect(),
            })
        };
        let result = SchemaSearchResult {
            matches: 3,
            shown: 3,
            objects: Some(vec![
                prefix("user:", false, 40, 400, &["hash"]),
                prefix("cache:", false, 7, 7, &["string", "zset"]),
                prefix("config", true, 1, 1, &["string"]),
            ]),
            columns: None,
            hint: None,
        };
        assert_eq!(
            search_text(&result),
            "3 of 3 matches\nuser: prefix ~400 keys (40 seen) [hash]\ncache: prefix 7 keys [string, zset]\nconfig key \
             [string]\n"
        );
    }
}

//! The read-only rule for MongoDB: only read commands reach the server. MongoDB has no
//! read-only transaction to lean on, so the rule is an allowlist over the final command
//! document (whatever format the query was written in), plus a walk of the whole document
//! (sub-pipelines included) for the stages and operators that write or run code, the
//! stages that show other clients' operations, and the envelope fields that would tie the
//! read to a session or transaction. (A user with the `read` role is the server's own
//! enforcement on top: `login_access` reports whether the login has one; docs/safety.md.)

use mongodb::bson::{Bson, Document};

use dbdock_core::{Error, ErrorCode, Result};

/// Commands that only read. Everything else (insert, update, delete, findAndModify,
/// create, drop, mapReduce, eval, …) is refused on a read-only call.
const READ_COMMANDS: [&str; 19] = [
    "find",
    "aggregate",
    "count",
    "distinct",
    "listCollections",
    "listIndexes",
    "listDatabases",
    "collStats",
    "dbStats",
    "dataSize",
    "explain",
    "buildInfo",
    "buildinfo",
    "hello",
    "isMaster",
    "ismaster",
    "ping",
    "connectionStatus",
    "serverStatus",
];

/// Fields of the command envelope that tie a command to a session or transaction, or
/// steer how the driver and server treat it: a read-only call runs in none of them, and
/// another client's `lsid` must not be borrowed.
const ENVELOPE_FIELDS: [&str; 6] = ["lsid", "txnNumber", "startTransaction", "autocommit", "stmtId", "stmtIds"];

/// Stages that report other clients' operations or sessions (their commands, filters and
/// the values in them), which a read-only AI call has no business seeing.
const OTHER_CLIENTS_STAGES: [&str; 5] =
    ["$currentOp", "$listSessions", "$listLocalSessions", "$queryStats", "$listSampledQueries"];

/// Whether `name` is a command a read-only call may send (and so one that carries the
/// statement time limit).
pub fn is_read_command(name: &str) -> bool {
    READ_COMMANDS.contains(&name)
}

/// Stages and operators that write (`$out`, `$merge`) or run JavaScript on the server
/// (`$where`, `$function`, `$accumulator`), wherever they appear in the command.
const FORBIDDEN_KEYS: [&str; 5] = ["$out", "$merge", "$where", "$function", "$accumulator"];

/// Refuses `command` unless it only reads.
pub fn check_read_only(command: &Document) -> Result<()> {
    let name = command.keys().next().map(String::as_str).unwrap_or_default();
    if !READ_COMMANDS.contains(&name) {
        return Err(Error::new(
            ErrorCode::ReadOnlyViolation,
            format!(
                "'{name}' is not a read command, and this connection is read-only (reads: find, aggregate, count, \
             distinct, listCollections, listIndexes, …)"
            ),
        ));
    }
    if name == "explain" {
        match command.get("explain") {
            Some(Bson::Document(inner)) => check_read_only(inner)?,
            _ => return Err(Error::invalid_input("explain takes the command to explain, as a document")),
        }
    }
    if let Some(field) = command.keys().find(|k| ENVELOPE_FIELDS.contains(&k.as_str()) || k.starts_with('$')) {
        return Err(Error::new(
            ErrorCode::ReadOnlyViolation,
            format!(
                "'{field}' is refused on a read-only connection: DB Dock runs each read on its own, outside any session or transaction"
            ),
        ));
    }
    if let Some(stage) = stage_in(command, &OTHER_CLIENTS_STAGES, 0) {
        return Err(Error::new(
            ErrorCode::ReadOnlyViolation,
            format!("'{stage}' is refused on a read-only connection: it shows other clients' operations and sessions"),
        ));
    }
    if let Some(key) = forbidden_key(command, 0) {
        return Err(Error::new(
            ErrorCode::ReadOnlyViolation,
            format!(
                "'{key}' is refused on a read-only connection: it {}",
                if matches!(key, "$out" | "$merge") {
                    "writes to a collection"
                } else {
                    "runs JavaScript on the server"
                }
            ),
        ));
    }
    if command.get("pipeline").is_some_and(|p| has_stage(p, "$changeStream")) {
        return Err(Error::invalid_input(
            "a $changeStream never ends, so it cannot be a query: watch the collection instead (dbdock watch)",
        ));
    }
    Ok(())
}

fn forbidden_key(doc: &Document, depth: usize) -> Option<&'static str> {
    // BSON from the driver nests at most 100 levels; the cap only guards the recursion.
    if depth > 200 {
        return Some("$where");
    }
    for (key, value) in doc {
        if let Some(found) = FORBIDDEN_KEYS.iter().find(|k| **k == key) {
            return Some(found);
        }
        if let Some(found) = forbidden_in(value, depth + 1) {
            return Some(found);
        }
    }
    None
}

fn forbidden_in(value: &Bson, depth: usize) -> Option<&'static str> {
    match value {
        Bson::Document(doc) => forbidden_key(doc, depth),
        Bson::Array(items) => items.iter().find_map(|item| forbidden_in(item, depth + 1)),
        // Server-side JavaScript given as a BSON code value.
        Bson::JavaScriptCode(_) | Bson::JavaScriptCodeWithScope(_) => Some("$where"),
        _ => None,
    }
}

/// The first of `stages` used as a key anywhere in `doc` (sub-pipelines of `$lookup`,
/// `$unionWith`, `$facet` included).
fn stage_in(doc: &Document, stages: &[&'static str], depth: usize) -> Option<&'static str> {
    if depth > 200 {
        return stages.first().copied();
    }
    doc.iter().find_map(|(key, value)| {
        stages.iter().find(|s| **s == key).copied().or_else(|| match value {
            Bson::Document(inner) => stage_in(inner, stages, depth + 1),
            Bson::Array(items) => items.iter().find_map(|item| match item {
                Bson::Document(inner) => stage_in(inner, stages, depth + 1),
                _ => None,
            }),
            _ => None,
        })
    })
}

fn has_stage(pipeline: &Bson, stage: &str) -> bool {
    matches!(pipeline, Bson::Array(stages) if stages.iter().any(|s| matches!(s, Bson::Document(d) if d.contains_key(stage))))
}

#[cfg(test)]
mod tests {
    use mongodb::bson::doc;

    use super::*;

    fn refused(command: Document) {
        let err = check_read_only(&command).err().unwrap_or_else(|| panic!("{command} allowed"));
        assert_eq!(err.code, ErrorCode::ReadOnlyViolation, "{command}: {err}");
    }

    #[test]
    fn reads_pass() {
        for command in [
            doc! {"find": "c", "filter": {"a": {"$gt": 1}}},
            doc! {"aggregate": "c", "pipeline": [{"$group": {"_id": "$a", "n": {"$sum": 1}}}], "cursor": {}},
            doc! {"count": "c"},
            doc! {"distinct": "c", "key": "a"},
            doc! {"explain": {"find": "c"}},
            doc! {"listCollections": 1},
        ] {
            assert!(check_read_only(&command).is_ok(), "{command}");
        }
    }

    #[test]
    fn writes_and_server_code_are_refused() {
        refused(doc! {"insert": "c", "documents": [{}]});
        refused(doc! {"update": "c", "updates": []});
        refused(doc! {"delete": "c", "deletes": []});
        refused(doc! {"findAndModify": "c", "remove": true});
        refused(doc! {"drop": "c"});
        refused(doc! {"mapReduce": "c"});
        refused(doc! {"aggregate": "c", "pipeline": [{"$match": {}}, {"$out": "other"}]});
        refused(doc! {"aggregate": "c", "pipeline": [{"$merge": {"into": "other"}}]});
        refused(doc! {"aggregate": "c", "pipeline": [{"$facet": {"a": [{"$match": {"$where": "sleep(1)"}}]}}]});
        refused(doc! {"find": "c", "filter": {"$where": "this.a > 1"}});
        refused(doc! {"find": "c", "filter": {"$expr": {"$function": {"body": "x", "args": [], "lang": "js"}}}});
        refused(doc! {"aggregate": "c", "pipeline": [{"$group": {"_id": 1, "x": {"$accumulator": {}}}}]});
        refused(doc! {"explain": {"delete": "c", "deletes": []}});
        refused(doc! {"find": "c", "filter": {"a": Bson::JavaScriptCode("1".into())}});
        refused(doc! {"aggregate": 1, "pipeline": [{"$currentOp": {"allUsers": true}}]});
        refused(
            doc! {"aggregate": "c", "pipeline": [{"$unionWith": {"coll": "d", "pipeline": [{"$listSessions": {}}]}}]},
        );
        refused(doc! {"find": "c", "lsid": {"id": 1}});
        refused(doc! {"find": "c", "txnNumber": 1_i64, "autocommit": false});
        refused(doc! {"find": "c", "$db": "admin"});
        let change = check_read_only(&doc! {"aggregate": "c", "pipeline": [{"$changeStream": {}}]});
        assert_eq!(change.err().map(|e| e.code), Some(ErrorCode::InvalidInput));
    }
}

//! What a MongoDB query asks for, whichever of the formats (README, "MongoDB queries") it was written in, and
//! the one server command it becomes. Every format ends as a command document, so the
//! read-only rules ([`super::guard`]) look at exactly what would reach the server.

use mongodb::bson::{Bson, Document, doc};

/// One request, parsed.
// One lives per call, briefly: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Find(Find),
    Count {
        collection: String,
        filter: Document,
        skip: Option<i64>,
        limit: Option<i64>,
    },
    Distinct {
        collection: String,
        key: String,
        filter: Document,
    },
    Aggregate {
        collection: String,
        pipeline: Vec<Document>,
        options: Document,
    },
    Write {
        collection: String,
        op: WriteOp,
    },
    /// A command document given as is (`{"find": "users", …}`, `db.runCommand({…})`).
    Command(Document),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Find {
    pub collection: String,
    pub filter: Document,
    pub projection: Option<Document>,
    pub sort: Option<Document>,
    pub skip: Option<i64>,
    pub limit: Option<i64>,
    pub hint: Option<Bson>,
    pub collation: Option<Document>,
    /// `findOne`: at most one document.
    pub one: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    InsertOne(Document),
    InsertMany(Vec<Document>),
    Update { filter: Document, update: Bson, many: bool, upsert: bool },
    Replace { filter: Document, replacement: Document, upsert: bool },
    Delete { filter: Document, many: bool },
}

/// How the server's reply to a command becomes rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The command opens a cursor: each document is a row.
    Cursor,
    /// `{n: …}`: one row with a `count` column.
    Count,
    /// `{values: […]}`: one row per value.
    Distinct,
    /// A write's reply: `n`, `nModified`, `upserted`, `writeErrors`.
    Write,
    /// Any other reply: the reply document as one row.
    Reply,
}

/// The commands that answer with a cursor.
const CURSOR_COMMANDS: [&str; 4] = ["find", "aggregate", "listCollections", "listIndexes"];

impl Request {
    /// The command to send and how to read its reply. Every read command carries
    /// `max_time_ms` (the statement timeout) as `maxTimeMS`; the query's own value stands
    /// only where it is lower ([`bounded_max_time`]).
    pub fn into_command(self, max_time_ms: Option<u64>) -> (Document, Shape) {
        let (mut command, shape) = match self {
            Request::Find(find) => (find_command(find), Shape::Cursor),
            Request::Count { collection, filter, skip, limit } => {
                let mut command = doc! { "count": collection, "query": filter };
                insert_some(&mut command, "skip", skip.map(Bson::Int64));
                insert_some(&mut command, "limit", limit.map(Bson::Int64));
                (command, Shape::Count)
            }
            Request::Distinct { collection, key, filter } => {
                (doc! { "distinct": collection, "key": key, "query": filter }, Shape::Distinct)
            }
            Request::Aggregate { collection, pipeline, options } => {
                let mut command = doc! { "aggregate": collection, "pipeline": pipeline, "cursor": {} };
                for (key, value) in options {
                    // `cursor` options of the shell (batchSize) are the driver's business.
                    if key != "cursor" {
                        command.insert(key, value);
                    }
                }
                (command, Shape::Cursor)
            }
            Request::Write { collection, op } => (write_command(collection, op), Shape::Write),
            Request::Command(command) => {
                let name = command.keys().next().map(String::as_str).unwrap_or_default();
                let shape = match name {
                    n if CURSOR_COMMANDS.contains(&n) => Shape::Cursor,
                    "count" => Shape::Count,
                    "distinct" => Shape::Distinct,
                    "insert" | "update" | "delete" => Shape::Write,
                    _ => Shape::Reply,
                };
                (command, shape)
            }
        };
        let name = command.keys().next().cloned().unwrap_or_default();
        if let Some(limit) = max_time_ms
            && super::guard::is_read_command(&name)
        {
            let bounded = bounded_max_time(command.get("maxTimeMS"), limit);
            command.insert("maxTimeMS", bounded);
        }
        if name == "aggregate" && !command.contains_key("cursor") {
            command.insert("cursor", Document::new());
        }
        (command, shape)
    }
}

/// The largest `maxTimeMS` a server takes (mongod refuses anything above `i32::MAX`).
const MAX_TIME_MS_CEILING: i64 = i32::MAX as i64;

/// The `maxTimeMS` a read is sent with: the statement time limit (`limit_ms`), or the
/// query's own value when that is a whole number of milliseconds below it. Zero (which
/// mongod reads as "no limit"), negative, fractional, non-numeric or larger values cannot
/// lift the profile's limit (docs/safety.md).
pub fn bounded_max_time(given: Option<&Bson>, limit_ms: u64) -> i64 {
    let limit = i64::try_from(limit_ms).unwrap_or(i64::MAX).clamp(1, MAX_TIME_MS_CEILING);
    match given.and_then(whole_milliseconds) {
        Some(ms) if ms > 0 && ms < limit => ms,
        _ => limit,
    }
}

fn whole_milliseconds(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        Bson::Double(d) if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e15 => Some(*d as i64),
        _ => None,
    }
}

/// Tags a read with `comment` (replacing any the query gave), so that a call dropped
/// midway can find its operation on the server and kill it ([`super::cancel`]).
pub fn tag(command: &mut Document, comment: &str) {
    command.insert("comment", comment);
}

fn find_command(find: Find) -> Document {
    let mut command = doc! { "find": find.collection, "filter": find.filter };
    insert_some(&mut command, "projection", find.projection.map(Bson::Document));
    insert_some(&mut command, "sort", find.sort.map(Bson::Document));
    insert_some(&mut command, "skip", find.skip.map(Bson::Int64));
    if find.one {
        command.insert("limit", 1_i64);
        command.insert("singleBatch", true);
    } else {
        insert_some(&mut command, "limit", find.limit.map(Bson::Int64));
    }
    insert_some(&mut command, "hint", find.hint);
    insert_some(&mut command, "collation", find.collation.map(Bson::Document));
    command
}

fn write_command(collection: String, op: WriteOp) -> Document {
    match op {
        WriteOp::InsertOne(document) => doc! { "insert": collection, "documents": [document] },
        WriteOp::InsertMany(documents) => doc! { "insert": collection, "documents": documents },
        WriteOp::Update { filter, update, many, upsert } => {
            doc! { "update": collection, "updates": [{ "q": filter, "u": update, "multi": many, "upsert": upsert }] }
        }
        WriteOp::Replace { filter, replacement, upsert } => {
            doc! { "update": collection, "updates": [{ "q": filter, "u": replacement, "multi": false, "upsert": upsert }] }
        }
        WriteOp::Delete { filter, many } => {
            doc! { "delete": collection, "deletes": [{ "q": filter, "limit": if many { 0 } else { 1 } }] }
        }
    }
}

fn insert_some(doc: &mut Document, key: &str, value: Option<Bson>) {
    if let Some(value) = value {
        doc.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_becomes_a_find_command_with_the_time_limit() {
        let find = Find {
            collection: "users".into(),
            filter: doc! {"age": {"$gt": 25}},
            sort: Some(doc! {"name": 1}),
            limit: Some(10),
            skip: Some(20),
            ..Find::default()
        };
        let (command, shape) = Request::Find(find).into_command(Some(1500));
        assert_eq!(shape, Shape::Cursor);
        assert_eq!(
            command,
            doc! {"find": "users", "filter": {"age": {"$gt": 25}}, "sort": {"name": 1}, "skip": 20_i64, "limit": 10_i64, "maxTimeMS": 1500_i64}
        );
    }

    #[test]
    fn a_query_keeps_its_own_time_limit_only_when_lower_and_aggregate_gets_a_cursor() {
        let (command, shape) =
            Request::Command(doc! {"aggregate": "x", "pipeline": [], "maxTimeMS": 5}).into_command(Some(1000));
        assert_eq!(shape, Shape::Cursor);
        assert_eq!(command, doc! {"aggregate": "x", "pipeline": [], "maxTimeMS": 5_i64, "cursor": {}});
    }

    #[test]
    fn no_query_can_lift_the_time_limit() {
        let lifts = [
            Bson::Int32(0),
            Bson::Int64(0),
            Bson::Int32(-1),
            Bson::Int64(i64::MIN),
            Bson::Double(0.0),
            Bson::Double(1.5),
            Bson::Double(f64::NAN),
            Bson::Double(f64::INFINITY),
            Bson::Double(1e300),
            Bson::Int64(1001),
            Bson::Int32(i32::MAX),
            Bson::String("0".into()),
            Bson::Null,
            Bson::Boolean(false),
            Bson::Document(doc! {"$numberLong": "0"}),
        ];
        for given in lifts {
            for command in [
                doc! {"find": "c", "maxTimeMS": given.clone()},
                doc! {"aggregate": "c", "pipeline": [], "maxTimeMS": given.clone()},
                doc! {"count": "c", "maxTimeMS": given.clone()},
                doc! {"distinct": "c", "key": "a", "maxTimeMS": given.clone()},
                doc! {"explain": {"find": "c"}, "maxTimeMS": given.clone()},
                doc! {"dbStats": 1, "maxTimeMS": given.clone()},
                doc! {"collStats": "c", "maxTimeMS": given.clone()},
                doc! {"listCollections": 1, "maxTimeMS": given.clone()},
                doc! {"listIndexes": "c", "maxTimeMS": given.clone()},
            ] {
                let (sent, _) = Request::Command(command.clone()).into_command(Some(1000));
                assert_eq!(sent.get("maxTimeMS"), Some(&Bson::Int64(1000)), "{command} became {sent}");
            }
        }
        // Lower, whole values stand, whatever their numeric type.
        for (given, kept) in [(Bson::Int32(5), 5), (Bson::Int64(999), 999), (Bson::Double(250.0), 250)] {
            let (sent, _) = Request::Command(doc! {"find": "c", "maxTimeMS": given}).into_command(Some(1000));
            assert_eq!(sent.get("maxTimeMS"), Some(&Bson::Int64(kept)));
        }
    }

    #[test]
    fn every_read_the_shell_forms_build_gets_the_time_limit() {
        let requests = [
            Request::Find(Find { collection: "c".into(), ..Find::default() }),
            Request::Count { collection: "c".into(), filter: doc! {}, skip: None, limit: None },
            Request::Distinct { collection: "c".into(), key: "a".into(), filter: doc! {} },
            Request::Aggregate { collection: "c".into(), pipeline: vec![], options: doc! {"maxTimeMS": 0} },
            Request::Command(doc! {"listDatabases": 1}),
            Request::Command(
                doc! {"explain": {"aggregate": "c", "pipeline": [], "cursor": {}}, "verbosity": "queryPlanner"},
            ),
        ];
        for request in requests {
            let (sent, _) = request.clone().into_command(Some(30_000));
            assert_eq!(sent.get("maxTimeMS"), Some(&Bson::Int64(30_000)), "{request:?} became {sent}");
        }
        // A limit past what mongod accepts is sent as its ceiling, not refused by the server.
        let (sent, _) = Request::Command(doc! {"find": "c"}).into_command(Some(u64::MAX));
        assert_eq!(sent.get("maxTimeMS"), Some(&Bson::Int64(i64::from(i32::MAX))));
        // No statement timeout: the query's own value goes as given.
        let (sent, _) = Request::Command(doc! {"find": "c", "maxTimeMS": 7}).into_command(None);
        assert_eq!(sent.get("maxTimeMS"), Some(&Bson::Int32(7)));
    }

    #[test]
    fn a_tag_replaces_the_query_comment() {
        let (mut sent, _) = Request::Command(doc! {"find": "c", "comment": "mine"}).into_command(Some(10));
        tag(&mut sent, "dbdock:1");
        assert_eq!(sent, doc! {"find": "c", "comment": "dbdock:1", "maxTimeMS": 10_i64});
    }

    #[test]
    fn writes_become_write_commands() {
        let (command, shape) =
            Request::Write { collection: "c".into(), op: WriteOp::Delete { filter: doc! {"a": 1}, many: false } }
                .into_command(Some(1000));
        assert_eq!(shape, Shape::Write);
        assert_eq!(command, doc! {"delete": "c", "deletes": [{"q": {"a": 1}, "limit": 1}]});
    }
}

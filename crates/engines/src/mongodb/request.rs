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
    /// The command to send and how to read its reply. `max_time_ms` (the statement
    /// timeout) is added to reads that accept it, unless the query set its own.
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
        if let Some(ms) = max_time_ms
            && ["find", "aggregate", "count", "distinct"].contains(&name.as_str())
            && !command.contains_key("maxTimeMS")
        {
            command.insert("maxTimeMS", i64::try_from(ms).unwrap_or(i64::MAX));
        }
        if name == "aggregate" && !command.contains_key("cursor") {
            command.insert("cursor", Document::new());
        }
        (command, shape)
    }
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
    fn a_query_keeps_its_own_time_limit_and_aggregate_gets_a_cursor() {
        let (command, shape) =
            Request::Command(doc! {"aggregate": "x", "pipeline": [], "maxTimeMS": 5}).into_command(Some(1000));
        assert_eq!(shape, Shape::Cursor);
        assert_eq!(command, doc! {"aggregate": "x", "pipeline": [], "maxTimeMS": 5, "cursor": {}});
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

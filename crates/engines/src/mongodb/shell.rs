//! Reads a MongoDB query in any of the formats of README "MongoDB queries" into a [`Request`]:
//!
//! 1. shell syntax `db.getCollection('users').find({…})`, and `db['users']`;
//! 2. shell syntax with cursor methods, `db.users.find({…}).sort({…}).limit(10).skip(20)`;
//! 3. direct collection reference, `db.users.find({…})` (with `findOne`, `count`,
//!    `countDocuments`, `distinct`, `aggregate` and the write methods too);
//! 4. a simplified pipeline, `{"$match": {…}, "$sort": {…}}` (collection in `params[0]`);
//! 5. a collection with stages, `{"collection": "users", "match": {…}, "limit": 10}`;
//! 6. a collection with a filter, `{"collection": "users", "status": "active"}`;
//! 7. a raw command document, `{"find": "users", "filter": {…}}`;
//!
//! and the legacy forms: a pipeline array, or an operation object (`{"insertOne": {…}}`),
//! with the collection in `params[0]`; plus `{collection, pipeline}` and
//! `{collection, operation}`. Nothing is evaluated: the text is parsed.

use mongodb::bson::{Bson, Document};

use super::literal::{ParseError, ParseResult, Parser};
use super::request::{Find, Request, WriteOp};

/// Stage names accepted without their `$` in `{collection, match: …}` objects.
const STAGES: [&str; 31] = [
    "match",
    "sort",
    "limit",
    "skip",
    "project",
    "group",
    "unwind",
    "lookup",
    "count",
    "facet",
    "addFields",
    "set",
    "unset",
    "replaceRoot",
    "replaceWith",
    "sample",
    "bucket",
    "bucketAuto",
    "sortByCount",
    "graphLookup",
    "unionWith",
    "densify",
    "fill",
    "redact",
    "geoNear",
    "setWindowFields",
    "out",
    "merge",
    "indexStats",
    "collStats",
    "changeStream",
];

const WRITE_METHODS: [&str; 7] =
    ["insertOne", "insertMany", "updateOne", "updateMany", "replaceOne", "deleteOne", "deleteMany"];

/// Parses `text` (with `params`, used only as the collection name of the legacy forms).
pub fn parse_request(text: &str, params: &[serde_json::Value]) -> ParseResult<Request> {
    let mut p = Parser::new(text);
    p.skip_space()?;
    let rest = p.rest();
    if rest.starts_with("db") && rest[2..].trim_start().starts_with(['.', '[']) {
        no_params(params)?;
        return shell(&mut p);
    }
    let request = match p.peek() {
        Some('[') => {
            let pipeline = stages(p.value()?)?;
            Request::Aggregate { collection: collection_param(params)?, pipeline, options: Document::new() }
        }
        Some('{') => {
            let doc = p.document()?;
            object(doc, params)?
        }
        _ => {
            return p.error(
                "expected shell syntax (db.users.find({…})), a command document ({\"find\": \"users\", …}), \
                 {\"collection\": …} or a pipeline array",
            );
        }
    };
    if !p.at_end()? {
        return p.error("unexpected text after the query");
    }
    Ok(request)
}

fn no_params(params: &[serde_json::Value]) -> ParseResult<()> {
    if params.is_empty() {
        return Ok(());
    }
    at_start(
        "MongoDB queries take no parameters except the collection name of a pipeline array or stage object: \
         write values into the query itself",
    )
}

/// An error about the query as a whole (its shape, not one character of it).
fn at_start<T>(message: &str) -> ParseResult<T> {
    Err(ParseError { offset: 0, message: message.to_owned() })
}

fn collection_param(params: &[serde_json::Value]) -> ParseResult<String> {
    match params {
        [serde_json::Value::String(name)] if !name.is_empty() => Ok(name.clone()),
        [] => at_start(
            "this form needs the collection name as the first parameter (params: [\"users\"]), or write \
             {\"collection\": \"users\", …} instead",
        ),
        _ => at_start("give exactly one parameter, the collection name as a string"),
    }
}

/// The object formats: 4, 5, 6, 7 and the legacy and `{collection, …}` forms.
fn object(mut doc: Document, params: &[serde_json::Value]) -> ParseResult<Request> {
    let Some(first) = doc.keys().next().cloned() else {
        return at_start("the query object is empty");
    };
    if let Some(collection) = doc.remove("collection") {
        no_params(params)?;
        let Bson::String(collection) = collection else {
            return at_start("\"collection\" must be a string");
        };
        if let Some(pipeline) = doc.remove("pipeline") {
            let options = doc;
            return Ok(Request::Aggregate { collection, pipeline: stages(pipeline)?, options });
        }
        if let Some(operation) = doc.remove("operation") {
            if !doc.is_empty() {
                return at_start("{collection, operation} takes no other keys");
            }
            return Ok(Request::Write { collection, op: operation_object(operation)? });
        }
        return Ok(collection_with_stages_or_filter(collection, doc));
    }
    if first.starts_with('$') {
        // Format 4: every key is a stage.
        let pipeline = doc.into_iter().map(|(k, v)| Document::from_iter([(k, v)])).collect();
        return Ok(Request::Aggregate { collection: collection_param(params)?, pipeline, options: Document::new() });
    }
    if doc.len() == 1 && WRITE_METHODS.contains(&first.as_str()) {
        return Ok(Request::Write {
            collection: collection_param(params)?,
            op: operation_object(Bson::Document(doc))?,
        });
    }
    no_params(params)?;
    Ok(Request::Command(doc))
}

/// Formats 5 and 6: keys named like stages are stages, in the order given; the other keys
/// are a filter, applied first. With no stages at all it is a plain `find`.
fn collection_with_stages_or_filter(collection: String, doc: Document) -> Request {
    let mut filter = Document::new();
    let mut pipeline = Vec::new();
    for (key, value) in doc {
        let bare = key.strip_prefix('$').unwrap_or(&key);
        if STAGES.contains(&bare) {
            pipeline.push(Document::from_iter([(format!("${bare}"), value)]));
        } else {
            filter.insert(key, value);
        }
    }
    if pipeline.is_empty() {
        return Request::Find(Find { collection, filter, ..Find::default() });
    }
    if !filter.is_empty() {
        pipeline.insert(0, Document::from_iter([("$match".to_owned(), Bson::Document(filter))]));
    }
    Request::Aggregate { collection, pipeline, options: Document::new() }
}

fn stages(value: Bson) -> ParseResult<Vec<Document>> {
    let Bson::Array(items) = value else {
        return at_start("a pipeline must be an array of stage objects");
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Bson::Document(stage) if stage.len() == 1 => Ok(stage),
            _ => at_start(&format!("pipeline stage {} must be an object with exactly one $stage key", i + 1)),
        })
        .collect()
}

/// `{"updateOne": {"filter": …, "update": …, "upsert": true}}`, `{"updateOne": [filter,
/// update, options]}`, `{"insertOne": {…document…}}`, `{"deleteMany": {…filter…}}`.
fn operation_object(operation: Bson) -> ParseResult<WriteOp> {
    let Bson::Document(operation) = operation else {
        return at_start("\"operation\" must be an object like {\"insertOne\": {…}}");
    };
    let mut entries = operation.into_iter();
    let (Some((method, value)), None) = (entries.next(), entries.next()) else {
        return at_start("the operation object must have exactly one key, the method (insertOne, updateMany, …)");
    };
    let args = match value {
        Bson::Array(args) if method != "insertMany" => args,
        Bson::Array(documents) => vec![Bson::Array(documents)],
        Bson::Document(named)
            if named.contains_key("filter") || named.contains_key("documents") || named.contains_key("document") =>
        {
            let mut args = Vec::new();
            for key in ["filter", "document", "documents", "update", "replacement"] {
                if let Some(v) = named.get(key) {
                    args.push(v.clone());
                }
            }
            let mut options = Document::new();
            if let Some(upsert) = named.get("upsert") {
                options.insert("upsert", upsert.clone());
            }
            args.push(Bson::Document(options));
            args
        }
        other => vec![other],
    };
    write_op(&method, args).or_else(|message| at_start(&message))
}

/// A write method and its shell arguments.
fn write_op(method: &str, args: Vec<Bson>) -> Result<WriteOp, String> {
    let mut args = args.into_iter();
    let mut next_doc = |what: &str| match args.next() {
        Some(Bson::Document(d)) => Ok(d),
        Some(_) => Err(format!("{method}: the {what} must be an object")),
        None => Err(format!("{method}: the {what} is missing")),
    };
    let op = match method {
        "insertOne" => WriteOp::InsertOne(next_doc("document")?),
        "deleteOne" | "deleteMany" => WriteOp::Delete { filter: next_doc("filter")?, many: method == "deleteMany" },
        "insertMany" => match args.next() {
            Some(Bson::Array(items)) => WriteOp::InsertMany(
                items
                    .into_iter()
                    .map(|d| match d {
                        Bson::Document(d) => Ok(d),
                        _ => Err("insertMany: every document must be an object".to_owned()),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err("insertMany takes an array of documents".into()),
        },
        "updateOne" | "updateMany" => {
            let filter = next_doc("filter")?;
            let update = match args.next() {
                Some(u @ (Bson::Document(_) | Bson::Array(_))) => u,
                _ => return Err(format!("{method}: the update must be an object ({{$set: …}}) or a pipeline")),
            };
            let upsert = upsert_option(args.next())?;
            WriteOp::Update { filter, update, many: method == "updateMany", upsert }
        }
        "replaceOne" => {
            let filter = next_doc("filter")?;
            let replacement = next_doc("replacement")?;
            WriteOp::Replace { filter, replacement, upsert: upsert_option(args.next())? }
        }
        other => return Err(format!("unknown write method '{other}' (known: {})", WRITE_METHODS.join(", "))),
    };
    if let Some(extra) = args.find(|a| !matches!(a, Bson::Document(d) if d.is_empty())) {
        return Err(format!("{method}: unexpected extra argument {extra}"));
    }
    Ok(op)
}

fn upsert_option(options: Option<Bson>) -> Result<bool, String> {
    match options {
        None => Ok(false),
        Some(Bson::Document(options)) => {
            if let Some(key) = options.keys().find(|k| k.as_str() != "upsert") {
                return Err(format!("the write option '{key}' is not supported (only upsert)"));
            }
            match options.get("upsert") {
                None => Ok(false),
                Some(Bson::Boolean(b)) => Ok(*b),
                Some(_) => Err("upsert must be true or false".into()),
            }
        }
        Some(_) => Err("the options argument must be an object like {upsert: true}".into()),
    }
}

/// Shell syntax: `db.<collection>.<method>(…)[.<cursor method>(…)]*`.
fn shell(p: &mut Parser) -> ParseResult<Request> {
    p.pos += 2; // "db"
    let collection = match shell_target(p)? {
        Target::Collection(name) => name,
        Target::DbMethod(method) => return db_method(p, method),
    };
    let method_at = p.pos;
    let Some(method) = p.identifier()? else { return p.error("expected a method name like find or aggregate") };
    let args = call_args(p)?;
    let request = collection_method(collection, method, args, method_at)?;
    let request = cursor_methods(p, request)?;
    p.eat(';')?;
    if !p.at_end()? {
        return p.error("unexpected text after the query (one query per call)");
    }
    Ok(request)
}

enum Target<'a> {
    Collection(String),
    DbMethod(&'a str),
}

/// After `db`: `.getCollection('x').`, `['x'].`, or `.x.y.` (collection names may hold
/// dots: the last name before `(` is the method); or a database method (`db.runCommand(`).
fn shell_target<'a>(p: &mut Parser<'a>) -> ParseResult<Target<'a>> {
    if p.eat('[')? {
        p.skip_space()?;
        let name = match p.peek() {
            Some(q @ ('"' | '\'')) => p.string(q)?,
            _ => return p.error("expected a quoted collection name in db[…]"),
        };
        p.expect(']', "']'")?;
        p.expect('.', "'.' and a method")?;
        return Ok(Target::Collection(name));
    }
    p.expect('.', "'.'")?;
    let mut parts: Vec<&str> = Vec::new();
    loop {
        let at = p.pos;
        let Some(name) = p.identifier()? else { return p.error("expected a collection name") };
        p.skip_space()?;
        if p.peek() == Some('(') {
            if name == "getCollection" || name == "getSiblingCollection" {
                p.expect('(', "'('")?;
                p.skip_space()?;
                let collection = match p.peek() {
                    Some(q @ ('"' | '\'')) => p.string(q)?,
                    _ => return p.error("getCollection takes the collection name as a quoted string"),
                };
                p.expect(')', "')'")?;
                p.expect('.', "'.' and a method")?;
                return Ok(Target::Collection(collection));
            }
            if parts.is_empty() {
                return Ok(Target::DbMethod(name));
            }
            p.pos = at;
            return Ok(Target::Collection(parts.join(".")));
        }
        parts.push(name);
        if !p.eat('.')? {
            return p.error("expected '.' and a method after the collection name");
        }
    }
}

fn db_method(p: &mut Parser, method: &str) -> ParseResult<Request> {
    let at = p.pos;
    let args = call_args(p)?;
    let request = match (method, args.as_slice()) {
        ("runCommand" | "adminCommand", [Bson::Document(command)]) if !command.is_empty() => {
            Request::Command(command.clone())
        }
        ("runCommand" | "adminCommand", [Bson::String(name)]) => {
            Request::Command(Document::from_iter([(name.clone(), Bson::Int32(1))]))
        }
        ("getCollectionNames", []) => Request::Command(Document::from_iter([
            ("listCollections".to_owned(), Bson::Int32(1)),
            ("nameOnly".to_owned(), Bson::Boolean(true)),
        ])),
        ("stats", []) => Request::Command(Document::from_iter([("dbStats".to_owned(), Bson::Int32(1))])),
        ("runCommand" | "adminCommand" | "getCollectionNames" | "stats", _) => {
            return Err(ParseError { offset: at, message: format!("db.{method}(…): wrong arguments") });
        }
        _ => {
            return Err(ParseError {
                offset: at.saturating_sub(method.len() + 1),
                message: format!(
                    "unknown database method '{method}' (known: runCommand, adminCommand, getCollectionNames, stats, \
                     getCollection)"
                ),
            });
        }
    };
    p.eat(';')?;
    if !p.at_end()? {
        return p.error("unexpected text after the query");
    }
    Ok(request)
}

/// `( value, value, … )`.
fn call_args(p: &mut Parser) -> ParseResult<Vec<Bson>> {
    p.expect('(', "'('")?;
    let mut args = Vec::new();
    while !p.eat(')')? {
        args.push(p.value()?);
        if !p.eat(',')? {
            p.expect(')', "',' or ')'")?;
            break;
        }
    }
    Ok(args)
}

const COLLECTION_METHODS: &str = "find, findOne, aggregate, count, countDocuments, estimatedDocumentCount, distinct, \
                                  insertOne, insertMany, updateOne, updateMany, replaceOne, deleteOne, deleteMany";

fn collection_method(collection: String, method: &str, args: Vec<Bson>, at: usize) -> ParseResult<Request> {
    let fail = |message: String| Err(ParseError { offset: at, message });
    let mut args = args.into_iter();
    let optional_doc = |args: &mut std::vec::IntoIter<Bson>, what: &str| match args.next() {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::Document(d)) => Ok(Some(d)),
        Some(_) => Err(ParseError { offset: at, message: format!("{method}: the {what} must be an object") }),
    };
    let request = match method {
        "find" | "findOne" => {
            let filter = optional_doc(&mut args, "filter")?.unwrap_or_default();
            let projection = optional_doc(&mut args, "projection")?;
            Request::Find(Find { collection, filter, projection, one: method == "findOne", ..Find::default() })
        }
        "count" | "countDocuments" => {
            let filter = optional_doc(&mut args, "filter")?.unwrap_or_default();
            let options = optional_doc(&mut args, "options")?.unwrap_or_default();
            let skip = options.get("skip").and_then(as_i64);
            let limit = options.get("limit").and_then(as_i64);
            Request::Count { collection, filter, skip, limit }
        }
        "estimatedDocumentCount" => Request::Count { collection, filter: Document::new(), skip: None, limit: None },
        "distinct" => {
            let Some(Bson::String(key)) = args.next() else {
                return fail("distinct: the first argument is the field name, as a string".into());
            };
            let filter = optional_doc(&mut args, "filter")?.unwrap_or_default();
            Request::Distinct { collection, key, filter }
        }
        "aggregate" => {
            let (pipeline, options) = match args.next() {
                Some(Bson::Array(stages_given)) => {
                    (stages(Bson::Array(stages_given))?, optional_doc(&mut args, "options")?.unwrap_or_default())
                }
                Some(Bson::Document(stage)) => {
                    // The old shell form: stages as separate arguments.
                    let mut all = vec![Bson::Document(stage)];
                    all.extend(args.by_ref());
                    (stages(Bson::Array(all))?, Document::new())
                }
                None => (Vec::new(), Document::new()),
                Some(_) => return fail("aggregate takes an array of stages".into()),
            };
            Request::Aggregate { collection, pipeline, options }
        }
        m if WRITE_METHODS.contains(&m) => {
            let op = write_op(m, args.collect()).map_err(|message| ParseError { offset: at, message })?;
            return Ok(Request::Write { collection, op });
        }
        _ => return fail(format!("unknown method '{method}' (known: {COLLECTION_METHODS})")),
    };
    if let Some(extra) = args.next() {
        return fail(format!("{method}: unexpected extra argument {extra}"));
    }
    Ok(request)
}

fn as_i64(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        Bson::Double(d) if d.fract() == 0.0 && d.is_finite() => Some(*d as i64),
        _ => None,
    }
}

/// `.sort(…)`, `.limit(n)`, `.skip(n)`, `.project(…)`, `.count()` … after `find`.
fn cursor_methods(p: &mut Parser, mut request: Request) -> ParseResult<Request> {
    while p.eat('.')? {
        let at = p.pos;
        let Some(method) = p.identifier()? else { return p.error("expected a cursor method after '.'") };
        let args = call_args(p)?;
        let fail = |message: String| Err(ParseError { offset: at, message });
        if matches!(method, "toArray" | "pretty" | "batchSize") {
            continue;
        }
        let Request::Find(find) = &mut request else {
            return fail(format!("'{method}' can only follow find(…)"));
        };
        if find.one {
            return fail(format!("findOne returns a document, not a cursor: '{method}' cannot follow it"));
        }
        match (method, args.as_slice()) {
            ("sort", [Bson::Document(d)]) => find.sort = Some(d.clone()),
            ("project" | "projection", [Bson::Document(d)]) => find.projection = Some(d.clone()),
            ("collation", [Bson::Document(d)]) => find.collation = Some(d.clone()),
            ("hint", [h @ (Bson::Document(_) | Bson::String(_))]) => find.hint = Some(h.clone()),
            ("limit" | "skip", [n]) => {
                let Some(n) = as_i64(n).filter(|n| *n >= 0) else {
                    return fail(format!("{method} takes a non-negative whole number"));
                };
                if method == "limit" { find.limit = Some(n) } else { find.skip = Some(n) }
            }
            ("count" | "size" | "itcount", args) => {
                let apply = method != "count" || matches!(args, [Bson::Boolean(true)]);
                let find = std::mem::take(find);
                request = Request::Count {
                    collection: find.collection,
                    filter: find.filter,
                    skip: find.skip.filter(|_| apply),
                    limit: find.limit.filter(|_| apply),
                };
            }
            ("sort" | "project" | "projection" | "collation" | "hint" | "limit" | "skip", _) => {
                return fail(format!("{method}: wrong arguments"));
            }
            _ => {
                return fail(format!(
                    "unknown cursor method '{method}' (known: sort, limit, skip, project, count, hint, collation)"
                ));
            }
        }
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use mongodb::bson::doc;

    use super::*;

    fn ok(text: &str) -> Request {
        parse_request(text, &[]).unwrap_or_else(|e| panic!("{text}: {}", e.describe(text)))
    }

    fn with_collection(text: &str) -> Request {
        parse_request(text, &[serde_json::json!("users")]).unwrap_or_else(|e| panic!("{text}: {}", e.describe(text)))
    }

    fn err(text: &str) -> ParseError {
        parse_request(text, &[]).err().unwrap_or_else(|| panic!("{text} parsed"))
    }

    fn find(filter: Document) -> Find {
        Find { collection: "users".into(), filter, ..Find::default() }
    }

    #[test]
    fn the_seven_formats_and_the_legacy_one() {
        let age = doc! {"age": {"$gt": 25}};
        // 1 and 3: shell syntax with getCollection, and with a direct reference.
        assert_eq!(ok("db.getCollection('users').find({age: {$gt: 25}})"), Request::Find(find(age.clone())));
        assert_eq!(ok("db.users.find({age: {$gt: 25}});"), Request::Find(find(age.clone())));
        assert_eq!(ok("db['users'].find({age: {$gt: 25}})"), Request::Find(find(age.clone())));
        // 2: cursor methods.
        assert_eq!(
            ok("db.users.find({age: {$gt: 25}}).sort({name: 1}).limit(10).skip(20).project({name: 1, _id: 0})"),
            Request::Find(Find {
                sort: Some(doc! {"name": 1}),
                limit: Some(10),
                skip: Some(20),
                projection: Some(doc! {"name": 1, "_id": 0}),
                ..find(age.clone())
            })
        );
        // 4: simplified pipeline, collection from params.
        let pipeline = vec![doc! {"$match": {"age": {"$gt": 25}}}, doc! {"$sort": {"name": 1}}, doc! {"$limit": 10}];
        let aggregate = Request::Aggregate { collection: "users".into(), pipeline: pipeline.clone(), options: doc! {} };
        assert_eq!(
            with_collection(r#"{"$match": {"age": {"$gt": 25}}, "$sort": {"name": 1}, "$limit": 10}"#),
            aggregate
        );
        // 5: collection with stages.
        assert_eq!(
            ok(r#"{"collection": "users", "match": {"age": {"$gt": 25}}, "sort": {"name": 1}, "limit": 10}"#),
            aggregate
        );
        // 6: collection with a filter.
        assert_eq!(
            ok(r#"{"collection": "users", "age": {"$gt": 25}, "status": "active"}"#),
            Request::Find(find(doc! {"age": {"$gt": 25}, "status": "active"}))
        );
        // 7: raw command.
        let raw = r#"{"find": "users", "filter": {"age": {"$gt": 25}}, "sort": {"name": 1}, "limit": 10}"#;
        assert_eq!(
            ok(raw),
            Request::Command(doc! {"find": "users", "filter": {"age": {"$gt": 25}}, "sort": {"name": 1}, "limit": 10})
        );
        // Legacy: pipeline array with the collection in params[0]; and {collection, pipeline}.
        assert_eq!(
            with_collection(r#"[{"$match": {"age": {"$gt": 25}}}, {"$sort": {"name": 1}}, {"$limit": 10}]"#),
            aggregate
        );
        assert_eq!(
            ok("{collection: 'users', pipeline: [{$match: {age: {$gt: 25}}}, {$sort: {name: 1}}, {$limit: 10}]}"),
            aggregate
        );
    }

    #[test]
    fn other_collection_methods() {
        assert_eq!(
            ok("db.users.findOne({name: 'Ada'})"),
            Request::Find(Find { one: true, ..find(doc! {"name": "Ada"}) })
        );
        let count = |filter: Document, skip, limit| Request::Count { collection: "users".into(), filter, skip, limit };
        assert_eq!(ok("db.users.countDocuments({a: 1})"), count(doc! {"a": 1}, None, None));
        assert_eq!(ok("db.users.count()"), count(doc! {}, None, None));
        assert_eq!(ok("db.users.find({a: 1}).limit(5).count()"), count(doc! {"a": 1}, None, None));
        assert_eq!(ok("db.users.find({a: 1}).limit(5).count(true)"), count(doc! {"a": 1}, None, Some(5)));
        assert_eq!(
            ok("db.users.distinct('city', {age: {$gte: 18}})"),
            Request::Distinct { collection: "users".into(), key: "city".into(), filter: doc! {"age": {"$gte": 18}} }
        );
        assert_eq!(
            ok("db.users.aggregate([{$group: {_id: '$city', n: {$sum: 1}}}], {allowDiskUse: true})"),
            Request::Aggregate {
                collection: "users".into(),
                pipeline: vec![doc! {"$group": {"_id": "$city", "n": {"$sum": 1}}}],
                options: doc! {"allowDiskUse": true}
            }
        );
        assert_eq!(
            ok("db.system.profile.find()"),
            Request::Find(Find { collection: "system.profile".into(), ..Find::default() })
        );
        assert_eq!(ok("db.runCommand({ping: 1})"), Request::Command(doc! {"ping": 1}));
    }

    #[test]
    fn every_update_form() {
        let write = |op| Request::Write { collection: "users".into(), op };
        assert_eq!(ok("db.users.insertOne({name: 'Ada'})"), write(WriteOp::InsertOne(doc! {"name": "Ada"})));
        assert_eq!(
            ok("db.users.insertMany([{a: 1}, {a: 2}])"),
            write(WriteOp::InsertMany(vec![doc! {"a": 1}, doc! {"a": 2}]))
        );
        let update = WriteOp::Update {
            filter: doc! {"a": 1},
            update: doc! {"$set": {"b": 2}}.into(),
            many: false,
            upsert: true,
        };
        assert_eq!(ok("db.users.updateOne({a: 1}, {$set: {b: 2}}, {upsert: true})"), write(update.clone()));
        assert_eq!(
            ok("{collection: 'users', operation: {updateOne: {filter: {a: 1}, update: {$set: {b: 2}}, upsert: true}}}"),
            write(update.clone())
        );
        assert_eq!(
            ok("{collection: 'users', operation: {updateOne: [{a: 1}, {$set: {b: 2}}, {upsert: true}]}}"),
            write(update.clone())
        );
        assert_eq!(
            with_collection("{updateOne: {filter: {a: 1}, update: {$set: {b: 2}}, upsert: true}}"),
            write(update)
        );
        assert_eq!(
            ok("db.users.updateMany({}, [{$set: {c: 1}}])"),
            write(WriteOp::Update {
                filter: doc! {},
                update: vec![Bson::Document(doc! {"$set": {"c": 1}})].into(),
                many: true,
                upsert: false
            })
        );
        assert_eq!(
            ok("db.users.replaceOne({a: 1}, {a: 1, z: 0})"),
            write(WriteOp::Replace { filter: doc! {"a": 1}, replacement: doc! {"a": 1, "z": 0}, upsert: false })
        );
        assert_eq!(ok("db.users.deleteOne({a: 1})"), write(WriteOp::Delete { filter: doc! {"a": 1}, many: false }));
        assert_eq!(
            ok("{collection: 'users', operation: {deleteMany: {a: 1}}}"),
            write(WriteOp::Delete { filter: doc! {"a": 1}, many: true })
        );
        assert_eq!(
            ok("{collection: 'users', operation: {insertOne: {a: 1}}}"),
            write(WriteOp::InsertOne(doc! {"a": 1}))
        );
        assert_eq!(
            ok(r#"{"insert": "users", "documents": [{"a": 1}]}"#),
            Request::Command(doc! {"insert": "users", "documents": [{"a": 1}]})
        );
    }

    #[test]
    fn malformed_queries_point_at_the_problem() {
        let e = err("db.users.find({a: 1)");
        assert_eq!(e.offset, 19);
        let e = err("db.users.fnd({})");
        assert_eq!(e.offset, 9);
        assert!(e.message.contains("unknown method 'fnd'"), "{e:?}");
        let e = err("db.users.find({_id: ObjectId('nothex')})");
        assert_eq!(e.offset, 29);
        assert!(e.message.contains("not an ObjectId"));
        assert!(err("db.users.find({}).limit(-1)").message.contains("non-negative"));
        assert!(err("db.users.find({}).frobnicate()").message.contains("unknown cursor method"));
        assert!(err("db.users.findOne({}).sort({a: 1})").message.contains("findOne"));
        assert!(err("db.users.insertOne([1])").message.contains("must be an object"));
        assert!(err("db.users.find({}) db.x.find()").message.contains("unexpected text"));
        assert!(err("SELECT * FROM users").message.contains("expected shell syntax"));
        assert!(err("[{$match: {}}]").message.contains("collection name"));
        assert!(err("db.dropDatabase()").message.contains("unknown database method"));
        assert!(parse_request("db.users.find()", &[serde_json::json!(1)]).is_err());
    }
}

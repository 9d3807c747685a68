//! The MongoDB engine against a real wire-protocol server (SecantusDB here, real MongoDB in
//! the optional services workflow): every query format, cursor methods, updates, schema
//! inference, rendering and the read-only refusals.

use dbdock_core::{ConnectionTarget, Database, ErrorCode, QueryOptions, QueryResult, Value};
use dbdock_engines::OpenOptions;
use dbdock_testkit::TestDb;
use serde_json::json;

struct Mongo {
    test: TestDb,
    db: Box<dyn Database>,
}

async fn mongo(test: &str) -> Mongo {
    let test = TestDb::mongodb(test).await;
    let target = ConnectionTarget::parse(&test.url).expect("url");
    let options = OpenOptions { statement_timeout: Some(std::time::Duration::from_secs(10)), ..OpenOptions::default() };
    let db = dbdock_engines::open(target, options).await.expect("connect");
    Mongo { test, db }
}

impl Mongo {
    async fn seed_users(&self) {
        self.write(
            "db.users.insertMany([
                {_id: 1, name: 'Ada', age: 36, city: 'London', status: 'active'},
                {_id: 2, name: 'Brian', age: 22, city: 'Oslo', status: 'active'},
                {_id: 3, name: 'Chen', age: 41, city: 'Oslo', status: 'inactive'},
                {_id: 4, name: 'Dana', age: 29, city: 'Rome', status: 'active'},
                {_id: 5, name: 'Emil', age: 25, city: 'Rome', status: 'active'},
                {_id: 6, name: 'Fay', age: 52, city: 'London', status: 'active'},
            ])",
        )
        .await;
    }

    async fn write(&self, text: &str) -> u64 {
        self.db
            .execute(text, &[], &QueryOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{text}: [{}] {}", e.code, e.message))
            .rows_affected
    }

    async fn read_with(&self, text: &str, params: &[serde_json::Value]) -> QueryResult {
        let limits = QueryOptions { read_only: true, max_rows: Some(200), ..QueryOptions::default() };
        self.db.query(text, params, &limits).await.unwrap_or_else(|e| panic!("{text}: [{}] {}", e.code, e.message))
    }

    async fn read(&self, text: &str) -> QueryResult {
        self.read_with(text, &[]).await
    }

    /// The values of `column` in the result, as text.
    async fn column(&self, text: &str, column: &str) -> Vec<String> {
        column_of(&self.read(text).await, column)
    }

    async fn refused(&self, text: &str, params: &[serde_json::Value]) -> ErrorCode {
        let limits = QueryOptions { read_only: true, ..QueryOptions::default() };
        match self.db.query(text, params, &limits).await {
            Ok(r) => panic!("{text} ran on a read-only call: {:?}", r.rows),
            Err(e) => e.code,
        }
    }

    async fn done(self) {
        self.db.disconnect().await;
        self.test.drop().await;
    }
}

fn column_of(result: &QueryResult, column: &str) -> Vec<String> {
    let i = result
        .columns
        .iter()
        .position(|c| c.name == column)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", result.columns));
    result.rows.iter().map(|row| row[i].display_text().unwrap_or_else(|| "NULL".into())).collect()
}

#[tokio::test]
async fn mongodb_every_query_format_and_the_legacy_one() {
    let m = mongo("formats").await;
    m.seed_users().await;
    let over_25_by_name = ["Ada", "Chen", "Dana", "Fay"];
    // 1. shell syntax with getCollection; 3. a direct collection reference.
    for text in [
        "db.getCollection('users').find({age: {$gt: 25}}).sort({name: 1})",
        "db.users.find({age: {$gt: 25}}).sort({name: 1})",
    ] {
        assert_eq!(m.column(text, "name").await, over_25_by_name, "{text}");
    }
    // 2. cursor methods.
    assert_eq!(
        m.column("db.users.find({age: {$gt: 20}}).sort({age: -1}).skip(1).limit(2).project({name: 1, _id: 0})", "name")
            .await,
        ["Chen", "Ada"]
    );
    let projected = m.read("db.users.find({}).project({name: 1, _id: 0}).limit(1)").await;
    assert_eq!(projected.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["name"]);
    // 4. simplified pipeline (collection as the parameter); 5. collection with stages.
    let users = [json!("users")];
    let stages = r#"{"$match": {"age": {"$gt": 25}}, "$sort": {"name": 1}, "$limit": 3}"#;
    assert_eq!(column_of(&m.read_with(stages, &users).await, "name"), ["Ada", "Chen", "Dana"]);
    assert_eq!(
        m.column(r#"{"collection": "users", "match": {"age": {"$gt": 25}}, "sort": {"name": 1}, "limit": 3}"#, "name")
            .await,
        ["Ada", "Chen", "Dana"]
    );
    // 6. collection with filter criteria.
    let mut active_oslo = m.column(r#"{"collection": "users", "city": "Oslo", "status": "active"}"#, "name").await;
    active_oslo.sort();
    assert_eq!(active_oslo, ["Brian"]);
    // 7. raw command document.
    assert_eq!(
        m.column(r#"{"find": "users", "filter": {"age": {"$gt": 25}}, "sort": {"name": 1}, "limit": 2}"#, "name").await,
        ["Ada", "Chen"]
    );
    // Legacy: a pipeline array with the collection in params[0]; and {collection, pipeline}.
    let pipeline = r#"[{"$group": {"_id": "$city", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]"#;
    let grouped = m.read_with(pipeline, &users).await;
    assert_eq!(column_of(&grouped, "_id"), ["London", "Oslo", "Rome"]);
    assert_eq!(column_of(&grouped, "n"), ["2", "2", "2"]);
    assert_eq!(
        m.column("{collection: 'users', pipeline: [{$match: {city: 'Rome'}}, {$sort: {age: 1}}]}", "name").await,
        ["Emil", "Dana"]
    );
    m.done().await;
}

#[tokio::test]
async fn mongodb_find_one_count_and_distinct() {
    let m = mongo("methods").await;
    m.seed_users().await;
    let one = m.read("db.users.findOne({city: 'Oslo'}, {name: 1})").await;
    assert_eq!(one.row_count, 1);
    for (text, n) in [
        ("db.users.countDocuments({status: 'active'})", "5"),
        ("db.users.count({city: 'Rome'})", "2"),
        ("db.users.find({age: {$gte: 30}}).count()", "3"),
        ("db.users.estimatedDocumentCount()", "6"),
        ("db.users.find({}).skip(2).limit(3).count(true)", "3"),
    ] {
        assert_eq!(m.column(text, "count").await, [n], "{text}");
    }
    let mut cities = m.column("db.users.distinct('city', {status: 'active'})", "value").await;
    cities.sort();
    assert_eq!(cities, ["London", "Oslo", "Rome"]);
    assert_eq!(m.column("db.users.aggregate([{$count: 'n'}])", "n").await, ["6"]);
    m.done().await;
}

#[tokio::test]
async fn mongodb_every_update_form() {
    let m = mongo("updates").await;
    assert_eq!(m.write("db.items.insertOne({_id: 1, sku: 'A', qty: 1})").await, 1);
    assert_eq!(
        m.write("db.getCollection('items').insertMany([{_id: 2, sku: 'B', qty: 2}, {_id: 3, sku: 'C', qty: 3}])").await,
        2
    );
    assert_eq!(m.write("db.items.updateOne({_id: 1}, {$set: {qty: 10}})").await, 1);
    assert_eq!(m.write("db.items.updateMany({qty: {$lt: 5}}, {$inc: {qty: 100}})").await, 2);
    assert_eq!(m.write("db.items.replaceOne({_id: 3}, {sku: 'C2', qty: 0})").await, 1);
    assert_eq!(m.write("db.items.updateOne({_id: 9}, {$set: {sku: 'Z'}}, {upsert: true})").await, 1);
    assert_eq!(m.write("{collection: 'items', operation: {insertOne: {_id: 4, sku: 'D', qty: 4}}}").await, 1);
    assert_eq!(
        m.write(r#"{"collection": "items", "operation": {"updateMany": {"filter": {"sku": "D"}, "update": {"$set": {"qty": 40}}}}}"#)
            .await,
        1
    );
    let legacy =
        m.db.execute(r#"{"deleteOne": {"filter": {"_id": 9}}}"#, &[json!("items")], &QueryOptions::default())
            .await
            .expect("legacy delete");
    assert_eq!(legacy.rows_affected, 1);
    assert_eq!(m.write(r#"{"insert": "items", "documents": [{"_id": 5, "sku": "E", "qty": 5}]}"#).await, 1);
    assert_eq!(m.write(r#"{"update": "items", "updates": [{"q": {"_id": 5}, "u": {"$set": {"qty": 50}}}]}"#).await, 1);
    assert_eq!(m.write("db.items.deleteOne({_id: 5})").await, 1);
    assert_eq!(m.write("db.items.deleteMany({qty: {$gte: 100}})").await, 1);
    let rows = m.read("db.items.find({}).sort({_id: 1})").await;
    assert_eq!(column_of(&rows, "_id"), ["1", "3", "4"]);
    assert_eq!(column_of(&rows, "qty"), ["10", "0", "40"]);
    assert_eq!(column_of(&rows, "sku"), ["A", "C2", "D"]);
    // A duplicate key is a clear error, and the write before it stays.
    let dup = m.db.execute("db.items.insertOne({_id: 1})", &[], &QueryOptions::default()).await;
    let err = dup.expect_err("duplicate _id");
    assert_eq!(err.code, ErrorCode::QueryFailed);
    assert!(err.message.to_lowercase().contains("duplicate"), "{}", err.message);
    // execute refuses reads, saying where they belong.
    let read = m.db.execute("db.items.find()", &[], &QueryOptions::default()).await.expect_err("a read");
    assert_eq!(read.code, ErrorCode::InvalidInput);
    m.done().await;
}

#[tokio::test]
async fn mongodb_schema_is_inferred_from_nested_documents_with_mixed_types() {
    let m = mongo("schema").await;
    m.write(
        "db.orders.insertMany([
            {_id: ObjectId('65a1b2c3d4e5f60718293a4b'), customer: {name: 'Ada', address: {city: 'Oslo'}}, total: NumberDecimal('12.50'),
             items: [{sku: 'A', qty: 1}, {sku: 'B', qty: 2.5}], tags: ['new', 7], at: ISODate('2024-05-01T12:00:00Z')},
            {_id: ObjectId('65a1b2c3d4e5f60718293a4c'), customer: {name: 'Brian'}, total: 30, items: [], note: null},
            {_id: ObjectId('65a1b2c3d4e5f60718293a4d'), customer: 'legacy-string', total: NumberLong(5), items: [{sku: 'C'}]},
        ])",
    )
    .await;
    m.write("db.orders.insertOne({_id: 'x', customer: {name: 'Z'}})").await;
    m.write("db.runCommand({createIndexes: 'orders', indexes: [{key: {'customer.name': 1, at: -1}, name: 'by_customer', unique: false}]})")
        .await;
    m.write("db.runCommand({create: 'big_orders', viewOn: 'orders', pipeline: [{$match: {total: {$gt: 20}}}]})").await;

    let tables = m.db.list_tables().await.expect("list");
    let names: Vec<_> = tables.iter().map(|t| (t.name.as_str(), t.kind.as_str())).collect();
    assert_eq!(names, [("big_orders", "view"), ("orders", "table")]);

    let info = m.db.table_schema("orders").await.expect("schema");
    let column = |name: &str| {
        info.columns.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no {name} in {:?}", info.columns))
    };
    assert_eq!(column("_id").type_name, "objectId|string");
    assert!(column("_id").primary_key && !column("_id").nullable);
    assert_eq!(column("customer").type_name, "object|string");
    assert_eq!(column("customer.name").type_name, "string");
    assert_eq!(column("customer.name").comment.as_deref(), Some("string 100%; in 3 of 4 sampled documents"));
    assert!(column("customer.name").nullable);
    assert_eq!(column("customer.address.city").type_name, "string");
    assert_eq!(
        column("total").type_name.split('|').collect::<std::collections::BTreeSet<_>>(),
        ["decimal", "int", "long"].into()
    );
    assert_eq!(column("items").type_name, "array");
    assert_eq!(column("items[].sku").type_name, "string");
    assert_eq!(
        column("items[].qty").type_name.split('|').collect::<std::collections::BTreeSet<_>>(),
        ["double", "int"].into()
    );
    assert_eq!(
        column("tags[]").type_name.split('|').collect::<std::collections::BTreeSet<_>>(),
        ["int", "string"].into()
    );
    assert!(column("note").type_name.contains("null"));
    assert_eq!(info.primary_key, ["_id"]);
    assert_eq!(info.estimated_rows, Some(4));
    let by_customer = info.indexes.iter().find(|i| i.name == "by_customer").expect("index");
    assert_eq!(by_customer.columns, ["customer.name", "at DESC"]);
    assert!(info.indexes.iter().any(|i| i.primary && i.name == "_id_"));

    let schema = m.db.schema().await.expect("whole schema");
    assert_eq!(schema.tables.len(), 2);
    assert_eq!(schema.database, m.test.name);
    m.done().await;
}

#[tokio::test]
async fn mongodb_values_keep_their_bson_types() {
    let m = mongo("values").await;
    m.write(
        "db.v.insertOne({_id: ObjectId('65a1b2c3d4e5f60718293a4b'), price: NumberDecimal('1234567890.123456789'),
          big: NumberLong('9007199254740993'), at: ISODate('2024-05-01T12:00:00.123Z'), nothing: null, empty: '',
          nested: {n: NumberLong('9007199254740993'), re: /ab+c/i}, f: 1.5})",
    )
    .await;
    let rows = m.read("db.v.find()").await;
    let cell = |name: &str| {
        let i = rows.columns.iter().position(|c| c.name == name).expect("column");
        rows.rows[0][i].clone()
    };
    assert!(matches!(cell("_id"), Value::Json(j) if j.as_str() == r#"{"$oid":"65a1b2c3d4e5f60718293a4b"}"#));
    assert_eq!(cell("price"), Value::Decimal("1234567890.123456789".into()));
    assert_eq!(cell("big"), Value::Int(9_007_199_254_740_993));
    assert!(matches!(cell("at"), Value::Json(j) if j.as_str() == r#"{"$date":{"$numberLong":"1714564800123"}}"#));
    assert_eq!(cell("nothing"), Value::Null);
    assert_eq!(cell("empty"), Value::Text(String::new()));
    assert!(
        matches!(cell("nested"), Value::Json(ref j) if j.as_str() == r#"{"n":{"$numberLong":"9007199254740993"},"re":{"$regularExpression":{"pattern":"ab+c","options":"i"}}}"#),
        "{:?}",
        cell("nested")
    );
    assert_eq!(cell("f"), Value::Float(1.5));
    // What comes out can go back in: Extended JSON in a filter finds the document.
    let again = m.read(r#"db.v.find({_id: {"$oid": "65a1b2c3d4e5f60718293a4b"}, at: {"$date": {"$numberLong": "1714564800123"}}})"#).await;
    assert_eq!(again.row_count, 1);
    m.done().await;
}

#[tokio::test]
async fn mongodb_read_only_refuses_writes_and_server_code() {
    let m = mongo("readonly").await;
    m.seed_users().await;
    let users = [json!("users")];
    for (text, params) in [
        ("db.users.insertOne({name: 'Mallory'})", &[][..]),
        ("db.users.updateMany({}, {$set: {age: 0}})", &[][..]),
        ("db.users.deleteMany({})", &[][..]),
        ("db.users.replaceOne({_id: 1}, {})", &[][..]),
        (r#"{"insert": "users", "documents": [{"name": "Mallory"}]}"#, &[][..]),
        (r#"{"delete": "users", "deletes": [{"q": {}, "limit": 0}]}"#, &[][..]),
        (r#"{"findAndModify": "users", "query": {}, "remove": true}"#, &[][..]),
        (r#"{"drop": "users"}"#, &[][..]),
        ("db.runCommand({dropDatabase: 1})", &[][..]),
        ("db.users.aggregate([{$match: {}}, {$out: 'stolen'}])", &[][..]),
        ("db.users.aggregate([{$merge: {into: 'stolen'}}])", &[][..]),
        (r#"[{"$out": "stolen"}]"#, &users[..]),
        (r#"{"collection": "users", "out": "stolen"}"#, &[][..]),
        ("db.users.find({$where: 'this.age > 1'})", &[][..]),
        ("db.users.find({$expr: {$function: {body: 'function() { return true }', args: [], lang: 'js'}}})", &[][..]),
        (
            "db.users.aggregate([{$group: {_id: 1, x: {$accumulator: {init: 'function(){}', accumulate: 'f', accumulateArgs: [], merge: 'f', lang: 'js'}}}}])",
            &[][..],
        ),
        (r#"{"updateOne": {"filter": {}, "update": {"$set": {"age": 0}}}}"#, &users[..]),
        ("{collection: 'users', operation: {deleteMany: {}}}", &[][..]),
    ] {
        assert_eq!(m.refused(text, params).await, ErrorCode::ReadOnlyViolation, "{text}");
    }
    // Nothing changed: the same six users, unchanged, and no new collection.
    assert_eq!(m.column("db.users.find({}).sort({_id: 1})", "age").await, ["36", "22", "41", "29", "25", "52"]);
    let tables = m.db.list_tables().await.expect("list");
    assert_eq!(tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["users"]);
    m.done().await;
}

#[tokio::test]
async fn mongodb_caps_errors_and_bad_input() {
    let m = mongo("caps").await;
    m.write(&format!(
        "db.many.insertMany([{}])",
        (0..300).map(|i| format!("{{n: {i}}}")).collect::<Vec<_>>().join(",")
    ))
    .await;
    let capped = m.read("db.many.find({}).sort({n: 1})").await;
    assert_eq!(capped.row_count, 200);
    assert!(capped.truncated);
    let exact = m.read("db.many.find({n: {$lt: 200}})").await;
    assert_eq!(exact.row_count, 200);
    assert!(!exact.truncated);
    let bytes =
        m.db.query(
            "db.many.find()",
            &[],
            &QueryOptions { max_bytes: Some(1000), read_only: true, ..QueryOptions::default() },
        )
        .await
        .expect("byte cap");
    assert!(bytes.truncated && bytes.row_count < 300);

    let bad = m.db.query("db.many.find({n: ObjectId('zz')})", &[], &QueryOptions::default()).await.expect_err("bad");
    assert_eq!(bad.code, ErrorCode::InvalidInput);
    assert!(bad.message.contains("line 1, column 27"), "{}", bad.message);
    let unknown = m.db.query("db.many.fnd()", &[], &QueryOptions::default()).await.expect_err("unknown");
    assert!(unknown.message.contains("unknown method 'fnd'"), "{}", unknown.message);
    let server =
        m.db.query("db.many.find({n: {$nosuch: 1}})", &[], &QueryOptions::default()).await.expect_err("server");
    assert_eq!(server.code, ErrorCode::QueryFailed);
    assert!(m.db.server_version().await.expect("version").starts_with("MongoDB "));
    m.done().await;
}

#[tokio::test]
async fn mongodb_unreachable_server_fails_fast_and_clearly() {
    let target = ConnectionTarget::parse("mongodb://u:s3cr3t-pw@127.0.0.1:1/x?directConnection=true").expect("url");
    let options = OpenOptions { connect_timeout: std::time::Duration::from_secs(2), ..OpenOptions::default() };
    let started = std::time::Instant::now();
    let err = dbdock_engines::open(target, options).await.err().expect("no server on port 1");
    assert_eq!(err.code, ErrorCode::ConnectionFailed, "{err}");
    assert!(err.message.contains("127.0.0.1:1") && !err.message.contains("s3cr3t"), "{}", err.message);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

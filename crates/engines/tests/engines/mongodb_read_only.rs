//! MongoDB's read-only defence against a real wire-protocol server (SecantusDB here, real
//! MongoDB in the optional services workflow): a corpus of attacks by class, each refused
//! through both `query` and `execute` with every document left as it was; the time limit
//! the server enforces whatever `maxTimeMS` the query gives; what the login may do.

use std::time::{Duration, Instant};

use dbdock_core::{ConnectionTarget, Database, ErrorCode, QueryOptions};
use dbdock_engines::OpenOptions;
use dbdock_testkit::TestDb;
use serde_json::json;

use ErrorCode::{InvalidInput as Malformed, ReadOnlyViolation as Refused};

async fn open(test: &TestDb, statement_timeout: Duration) -> Box<dyn Database> {
    let target = ConnectionTarget::parse(&test.url).expect("url");
    let options = OpenOptions { statement_timeout: Some(statement_timeout), ..OpenOptions::default() };
    dbdock_engines::open(target, options).await.unwrap_or_else(|e| panic!("cannot open {}: {e}", test.url))
}

fn read_only() -> QueryOptions {
    QueryOptions { read_only: true, ..QueryOptions::default() }
}

/// Every collection and every document in it, in `_id` order, as text.
async fn snapshot(db: &dyn Database) -> Vec<String> {
    let mut all = Vec::new();
    for table in db.list_tables().await.expect("list collections") {
        let text = format!("db.getCollection('{}').find({{}}).sort({{_id: 1}})", table.name);
        let rows = db.query(&text, &[], &QueryOptions::default()).await.unwrap_or_else(|e| panic!("{text}: {e}"));
        all.push(format!("{}: {:?}", table.name, rows.rows));
    }
    all
}

/// (class, query text, whether the collection goes as a parameter, the code expected).
type Attack = (&'static str, &'static str, bool, ErrorCode);

const ATTACKS: &[Attack] = &[
    // Write stages hidden in sub-pipelines.
    ("sub-pipeline", "db.c.aggregate([{$lookup: {from: 'c', pipeline: [{$out: 'x'}], as: 'y'}}])", false, Refused),
    (
        "sub-pipeline",
        r#"{"aggregate": "c", "pipeline": [{"$unionWith": {"coll": "c", "pipeline": [{"$merge": {"into": "c"}}]}}], "cursor": {}}"#,
        false,
        Refused,
    ),
    ("sub-pipeline", "db.c.aggregate([{$facet: {a: [{$match: {}}], b: [{$out: 'c'}]}}])", false, Refused),
    (
        "sub-pipeline",
        "db.c.aggregate([{$graphLookup: {from: 'c', startWith: '$a', connectFromField: 'a', connectToField: 'a', as: 'g'}}, {$lookup: {from: 'c', pipeline: [{$facet: {x: [{$merge: 'c'}]}}], as: 'z'}}])",
        false,
        Refused,
    ),
    (
        "sub-pipeline",
        r#"[{"$match": {}}, {"$lookup": {"from": "c", "pipeline": [{"$unionWith": {"coll": "c", "pipeline": [{"$out": "c"}]}}], "as": "y"}}]"#,
        true,
        Refused,
    ),
    (
        "sub-pipeline",
        r#"{"collection": "c", "pipeline": [{"$merge": {"into": {"db": "other", "coll": "c"}}}]}"#,
        false,
        Refused,
    ),
    // Explain of a write.
    ("explain", r#"{"explain": {"delete": "c", "deletes": [{"q": {}, "limit": 0}]}}"#, false, Refused),
    ("explain", r#"{"explain": {"findAndModify": "c", "query": {}, "remove": true}}"#, false, Refused),
    (
        "explain",
        r#"{"explain": {"update": "c", "updates": [{"q": {}, "u": {"$set": {"x": 1}}}]}, "verbosity": "executionStats"}"#,
        false,
        Refused,
    ),
    ("explain", "db.runCommand({explain: {aggregate: 'c', pipeline: [{$out: 'd'}], cursor: {}}})", false, Refused),
    ("explain", r#"{"explain": {"explain": {"delete": "c", "deletes": [{"q": {}, "limit": 0}]}}}"#, false, Refused),
    ("explain", r#"{"explain": "delete"}"#, false, Malformed),
    // Write and schema commands, as commands and in shell syntax.
    ("write command", r#"{"findAndModify": "c", "query": {}, "remove": true}"#, false, Refused),
    ("write command", r#"{"findandmodify": "c", "query": {}, "update": {"$set": {"a": 0}}}"#, false, Refused),
    (
        "write command",
        r#"{"mapReduce": "c", "map": "function(){}", "reduce": "function(){}", "out": "x"}"#,
        false,
        Refused,
    ),
    ("write command", r#"{"create": "newcoll"}"#, false, Refused),
    ("write command", r#"{"drop": "c"}"#, false, Refused),
    ("write command", "db.adminCommand({renameCollection: 'x.c', to: 'x.d'})", false, Refused),
    ("write command", r#"{"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1"}]}"#, false, Refused),
    ("write command", r#"{"collMod": "c", "validator": {}}"#, false, Refused),
    ("write command", "db.runCommand({dropDatabase: 1})", false, Refused),
    ("write command", "db.c.deleteMany({})", false, Refused),
    ("write command", "db.c.insertOne({x: 1})", false, Refused),
    ("write command", "db.c.updateMany({}, {$set: {a: 0}})", false, Refused),
    ("write command", r#"{"collection": "c", "operation": {"deleteMany": {"filter": {}}}}"#, false, Refused),
    ("write command", "db.c.drop()", false, Malformed),
    ("write command", "db.c.findOneAndDelete({})", false, Malformed),
    ("write command", "db.c.createIndex({a: 1})", false, Malformed),
    ("write command", "db.c.renameCollection('d')", false, Malformed),
    // Server-side JavaScript.
    ("javascript", "db.c.find({$where: 'sleep(1000) || true'})", false, Refused),
    (
        "javascript",
        r#"{"find": "c", "filter": {"$expr": {"$function": {"body": "function(){return true}", "args": [], "lang": "js"}}}}"#,
        false,
        Refused,
    ),
    (
        "javascript",
        "db.c.aggregate([{$group: {_id: null, x: {$accumulator: {init: 'function(){return 0}', accumulate: 'function(s){return s}', accumulateArgs: [], merge: 'function(a,b){return a}', lang: 'js'}}}}])",
        false,
        Refused,
    ),
    ("javascript", r#"{"find": "c", "filter": {"a": {"$code": "1"}}}"#, false, Refused),
    (
        "javascript",
        r#"{"mapReduce": "c", "map": {"$code": "function(){emit(1,1)}"}, "reduce": {"$code": "function(k,v){return 1}"}, "out": {"inline": 1}}"#,
        false,
        Refused,
    ),
    ("javascript", r#"{"count": "c", "query": {"$where": "true"}}"#, false, Refused),
    ("javascript", r#"{"distinct": "c", "key": "a", "query": {"$where": "true"}}"#, false, Refused),
    ("javascript", r#"{"eval": "db.c.drop()"}"#, false, Refused),
    // Unknown and administrative commands.
    ("unknown command", r#"{"frobnicate": 1}"#, false, Refused),
    ("unknown command", r#"{"configureFailPoint": "maxTimeAlwaysTimeOut", "mode": "alwaysOn"}"#, false, Refused),
    ("unknown command", r#"{"setParameter": 1, "notablescan": true}"#, false, Refused),
    ("unknown command", r#"{"applyOps": [{"op": "d", "ns": "x.c", "o": {"_id": 1}}]}"#, false, Refused),
    ("unknown command", r#"{"fsync": 1, "lock": true}"#, false, Refused),
    ("unknown command", r#"{"killOp": 1, "op": 1}"#, false, Refused),
    ("unknown command", r#"{"shutdown": 1}"#, false, Refused),
    // Other clients' operations and sessions.
    ("other clients", "db.c.aggregate([{$currentOp: {allUsers: true}}])", false, Refused),
    ("other clients", r#"{"aggregate": 1, "pipeline": [{"$currentOp": {}}], "cursor": {}}"#, false, Refused),
    ("other clients", r#"{"currentOp": 1, "$all": true}"#, false, Refused),
    (
        "other clients",
        r#"{"aggregate": "system.sessions", "pipeline": [{"$listSessions": {"allUsers": true}}], "cursor": {}}"#,
        false,
        Refused,
    ),
    ("other clients", r#"{"aggregate": 1, "pipeline": [{"$listLocalSessions": {}}], "cursor": {}}"#, false, Refused),
    ("other clients", r#"{"aggregate": 1, "pipeline": [{"$queryStats": {}}], "cursor": {}}"#, false, Refused),
    (
        "other clients",
        "db.c.aggregate([{$lookup: {from: 'c', pipeline: [{$unionWith: {coll: 'c', pipeline: [{$currentOp: {}}]}}], as: 'x'}}])",
        false,
        Refused,
    ),
    // Cursors and sessions that are not the call's own.
    // (As a bare document with a "collection" key this would be a find filtered on
    // `getMore`: the shell form makes it the command.)
    ("cursors and sessions", "db.runCommand({getMore: NumberLong(123), collection: 'c'})", false, Refused),
    ("cursors and sessions", r#"{"killCursors": "c", "cursors": [{"$numberLong": "1"}]}"#, false, Refused),
    (
        "cursors and sessions",
        r#"{"find": "c", "lsid": {"id": {"$binary": {"base64": "AAAAAAAAAAAAAAAAAAAAAA==", "subType": "04"}}}}"#,
        false,
        Refused,
    ),
    (
        "cursors and sessions",
        r#"{"find": "c", "txnNumber": 1, "startTransaction": true, "autocommit": false}"#,
        false,
        Refused,
    ),
    ("cursors and sessions", r#"{"find": "c", "$db": "admin"}"#, false, Refused),
    ("cursors and sessions", r#"{"endSessions": [{"id": 1}]}"#, false, Refused),
    ("cursors and sessions", r#"{"killAllSessions": []}"#, false, Refused),
];

/// Reads that try to lift the time limit: they run, under the profile's limit.
const LIFTS: &[&str] = &[
    r#"{"find": "c", "maxTimeMS": 0}"#,
    "db.c.aggregate([{$match: {}}], {maxTimeMS: 0, allowDiskUse: true})",
    r#"{"count": "c", "maxTimeMS": -1}"#,
    r#"{"distinct": "c", "key": "a", "maxTimeMS": 1.5}"#,
    r#"{"find": "c", "maxTimeMS": 99999999999}"#,
    r#"{"explain": {"find": "c"}, "maxTimeMS": 0}"#,
    r#"{"listCollections": 1, "maxTimeMS": "0"}"#,
];

#[tokio::test]
async fn mongodb_read_only_corpus_is_refused_and_changes_nothing() {
    let test = TestDb::mongodb("ro_corpus").await;
    let db = open(&test, Duration::from_secs(10)).await;
    db.execute(
        "db.c.insertMany([{_id: 1, a: 1}, {_id: 2, a: 2, s: 'x'}, {_id: 3, a: [1, 2]}])",
        &[],
        &QueryOptions::default(),
    )
    .await
    .expect("seed");
    db.execute("db.d.insertOne({_id: 1, b: true})", &[], &QueryOptions::default()).await.expect("seed");
    let before = snapshot(db.as_ref()).await;
    let mut per_class = std::collections::BTreeMap::<&str, usize>::new();
    let mut wrong = Vec::new();
    for (class, text, collection_param, expected) in ATTACKS {
        *per_class.entry(class).or_default() += 1;
        let params = if *collection_param { vec![json!("c")] } else { vec![] };
        let queried = db.query(text, &params, &read_only()).await.map(|r| format!("{:?}", r.rows));
        let executed = db.execute(text, &params, &read_only()).await.map(|o| format!("{o:?}"));
        for (how, outcome) in [("query", queried), ("execute", executed)] {
            match outcome {
                Err(e) if e.code == *expected => {}
                Err(e) => {
                    wrong.push(format!("[{class}] {how} {text}: expected {expected}, got [{}] {}", e.code, e.message))
                }
                Ok(ran) => wrong.push(format!("[{class}] {how} {text}: RAN: {ran}")),
            }
        }
    }
    for text in LIFTS {
        if let Err(e) = db.query(text, &[], &read_only()).await {
            wrong.push(format!("[limits] {text}: [{}] {}", e.code, e.message));
        }
    }
    // Reads that answer with one reply run through `execute` too, under the same limit.
    for text in [r#"{"dbStats": 1, "maxTimeMS": 0}"#, r#"{"explain": {"count": "c"}, "maxTimeMS": -1}"#] {
        if let Err(e) = db.execute(text, &[], &read_only()).await {
            wrong.push(format!("[limits] execute {text}: [{}] {}", e.code, e.message));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(per_class.values().all(|n| *n >= 5), "{per_class:?}");
    assert_eq!(snapshot(db.as_ref()).await, before, "documents or collections changed");
    db.disconnect().await;
    test.drop().await;
}

/// A self-join the server needs seconds for: each of `n` documents looks up all others.
const SLOW_JOIN: &str = r#"[{"$lookup": {"from": "slow", "let": {"x": "$a"}, "pipeline": [{"$match": {"$expr": {"$eq": ["$a", "$$x"]}}}], "as": "m"}}, {"$count": "n"}]"#;

#[tokio::test]
async fn mongodb_server_enforces_the_time_limit_whatever_max_time_ms_says() {
    let test = TestDb::mongodb("ro_maxtime").await;
    let db = open(&test, Duration::from_secs(1)).await;
    let docs: Vec<String> = (0..1000).map(|i| format!("{{a: {}}}", i % 97)).collect();
    db.execute(&format!("db.slow.insertMany([{}])", docs.join(",")), &[], &QueryOptions::default())
        .await
        .expect("seed");
    for lift in ["", r#", "maxTimeMS": 0"#, r#", "maxTimeMS": -5"#, r#", "maxTimeMS": 600000"#, r#", "maxTimeMS": 2.5"#]
    {
        let text = format!(r#"{{"aggregate": "slow", "pipeline": {SLOW_JOIN}, "cursor": {{}}{lift}}}"#);
        let started = Instant::now();
        let outcome = db.query(&text, &[], &read_only()).await;
        let took = started.elapsed();
        eprintln!("maxTimeMS given{lift}: stopped after {took:?}");
        let e = outcome.err().unwrap_or_else(|| panic!("{lift}: the slow join finished within the 1 s limit"));
        assert_eq!(e.code, ErrorCode::Timeout, "{lift}: {e}");
        // The backstop would fire at 3 s: the server itself stopped the command.
        assert!(took < Duration::from_millis(2500), "{lift}: took {took:?}: {e}");
        assert!(e.message.contains("maxTimeMS"), "{lift}: not the server's MaxTimeMSExpired: {e}");
    }
    // A lower limit of the query's own stands.
    let text = format!(r#"{{"aggregate": "slow", "pipeline": {SLOW_JOIN}, "cursor": {{}}, "maxTimeMS": 100}}"#);
    let started = Instant::now();
    let e = db.query(&text, &[], &read_only()).await.expect_err("timed out");
    assert_eq!(e.code, ErrorCode::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_millis(800), "{:?}", started.elapsed());
    db.disconnect().await;
    test.drop().await;
}

/// The server's operations on `collection` still running, as `$currentOp` lists them (run
/// on `admin`). SecantusDB lists none (its `$currentOp` shows only itself), so there this
/// proves nothing; against real MongoDB it shows the dropped read was killed.
async fn running_on(test: &TestDb, collection: &str) -> usize {
    let mut url = url::Url::parse(&test.url).expect("url");
    url.set_path("/admin");
    let admin = dbdock_engines::open(ConnectionTarget::parse(url.as_str()).expect("url"), OpenOptions::default())
        .await
        .expect("admin");
    let text = format!(
        r#"{{"aggregate": 1, "pipeline": [{{"$currentOp": {{}}}}, {{"$match": {{"active": true, "command.aggregate": "{collection}"}}}}], "cursor": {{}}}}"#
    );
    let rows = admin.query(&text, &[], &QueryOptions::default()).await.map(|r| r.rows.len()).unwrap_or(0);
    admin.disconnect().await;
    rows
}

#[tokio::test]
async fn mongodb_a_dropped_read_is_killed_and_the_connection_stays_usable() {
    let test = TestDb::mongodb("ro_dropped").await;
    // A limit far past the test: only the kill can stop the read this soon.
    let db = open(&test, Duration::from_secs(60)).await;
    let docs: Vec<String> = (0..1000).map(|i| format!("{{a: {}}}", i % 97)).collect();
    db.execute(&format!("db.slow.insertMany([{}])", docs.join(",")), &[], &QueryOptions::default())
        .await
        .expect("seed");
    let text = format!(r#"{{"aggregate": "slow", "pipeline": {SLOW_JOIN}, "cursor": {{}}}}"#);
    let dropped = tokio::time::timeout(Duration::from_millis(300), db.query(&text, &[], &read_only())).await;
    assert!(dropped.is_err(), "the slow join finished in 300 ms");
    let started = Instant::now();
    let n = db.query("db.slow.countDocuments({})", &[], &read_only()).await.expect("the next call works");
    assert_eq!(n.rows[0][0].display_text().as_deref(), Some("1000"));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    let deadline = Instant::now() + Duration::from_secs(5);
    while running_on(&test, "slow").await > 0 {
        assert!(Instant::now() < deadline, "the dropped read still runs on the server 5 s later");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    db.disconnect().await;
    test.drop().await;
}

#[tokio::test]
async fn mongodb_login_access_without_authentication_can_write() {
    let test = TestDb::mongodb("ro_access").await;
    let db = open(&test, Duration::from_secs(5)).await;
    let access = db.login_access().await.expect("login access");
    assert!(access.can_write, "{access:?}");
    assert_eq!(access.evidence, ["authentication is off: every client can write"]);
    db.disconnect().await;
    test.drop().await;
}

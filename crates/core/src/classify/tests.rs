//! The statement check's tables: reads that must pass, and writes and tricks that must
//! be refused, per dialect. Each class of attack the check defends against has a table.

use super::*;
use crate::ErrorCode;

/// Refused as a write or as text DB Dock cannot read: either way nothing runs.
fn refused(dialect: Dialect, sql: &str) -> bool {
    check_read_only(dialect, sql)
        .is_err_and(|e| matches!(e.code, ErrorCode::ReadOnlyViolation | ErrorCode::InvalidInput))
}

#[test]
fn reads_pass() {
    for (d, sql) in [
        (Dialect::Postgres, "SELECT 1"),
        (Dialect::Postgres, "  with t as (select * from x) select * from t;  "),
        (Dialect::Postgres, "SELECT 'DELETE FROM x; DROP TABLE y' AS s, \"update\" FROM t -- DROP"),
        (Dialect::Postgres, "SELECT $$ INSERT INTO x $$, $tag$ ; DELETE $tag$"),
        (Dialect::Postgres, "SELECT CASE WHEN a THEN 1 ELSE 2 END, coalesce(b, 0) FROM t WHERE c = $1"),
        (Dialect::Postgres, "EXPLAIN ANALYZE SELECT * FROM t"),
        (Dialect::Postgres, "VALUES (1), (2)"),
        (Dialect::Postgres, "SHOW search_path"),
        (Dialect::Postgres, "SELECT /* nested /* comment */ DELETE */ 1"),
        (Dialect::Postgres, "SELECT E'it\\'s; DELETE' AS x"),
        (Dialect::Mysql, "SELECT REPLACE(name, 'a', 'b'), INSERT('abc', 1, 1, 'x') FROM t"),
        (Dialect::Mysql, "SELECT * FROM t WHERE s = 'it''s'"),
        (Dialect::Mysql, "SHOW TABLES"),
        (Dialect::Mysql, "SELECT 1 -- a comment; DELETE FROM t"),
        (Dialect::Mysql, "SELECT 2--1"),
        (Dialect::Mysql, "DESCRIBE t"),
        (Dialect::Mysql, "SELECT `delete` FROM `update`"),
        (Dialect::Sqlite, "SELECT [insert] FROM t"),
        (Dialect::Sqlite, "PRAGMA table_info(orders)"),
        (Dialect::Sqlite, "PRAGMA main.table_info('orders')"),
        (Dialect::Sqlite, "PRAGMA user_version"),
        (
            Dialect::Mssql,
            "SELECT TOP 5 [begin], [set], \"drop\" FROM t WITH (NOLOCK) ORDER BY 1 OFFSET 0 ROWS FETCH NEXT 5 ROWS ONLY",
        ),
        (Dialect::Mssql, "WITH x AS (SELECT 1 AS a) SELECT a, CASE WHEN a = 1 THEN 'y' END FROM x"),
        (Dialect::Mssql, "SELECT * FROM OPENJSON(@P1) WHERE [value] = N'it''s; DROP TABLE t'"),
        (Dialect::Mssql, "SELECT name FROM sys.tables /* nested /* DROP */ COMMIT */ -- SET"),
    ] {
        assert!(check_read_only(d, sql).is_ok(), "{d:?}: {sql}: {:?}", check_read_only(d, sql));
    }
}

/// Reads people and models really write, which neither reader may refuse.
#[test]
fn tricky_reads_pass() {
    let failures: Vec<String> = [
        (Dialect::Postgres, "SELECT id, sum(total) OVER (PARTITION BY customer_id ORDER BY created_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders"),
        (Dialect::Postgres, "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total) FROM orders"),
        (Dialect::Postgres, "SELECT count(*) FILTER (WHERE status = 'paid') AS paid FROM orders"),
        (Dialect::Postgres, "WITH a AS (SELECT 1 AS x), b AS (WITH c AS (SELECT x FROM a) SELECT x + 1 AS y FROM c) SELECT * FROM b"),
        (Dialect::Postgres, "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT sum(n) FROM t"),
        (Dialect::Postgres, "SELECT $body$ DELETE FROM t; DROP TABLE x; COMMIT $body$ AS text"),
        (Dialect::Postgres, "SELECT data->>'name', data->'tags'->0, data #>> '{a,b}' FROM docs WHERE data @> '{\"x\": 1}'"),
        (Dialect::Postgres, "SELECT jsonb_path_query(data, '$.items[*] ? (@.price > 10)') FROM docs"),
        (Dialect::Postgres, "SELECT DISTINCT ON (customer_id) customer_id, created_at FROM orders ORDER BY customer_id, created_at DESC"),
        (Dialect::Postgres, "SELECT o.id, x.item FROM orders o CROSS JOIN LATERAL unnest(o.items) AS x(item)"),
        (Dialect::Postgres, "SELECT * FROM generate_series(1, 10) AS g(n)"),
        (Dialect::Postgres, "SELECT now() - interval '1 day', date_trunc('month', created_at)::date FROM orders"),
        (Dialect::Postgres, "SELECT 'orders'::regclass, pg_size_pretty(pg_total_relation_size('orders'))"),
        (Dialect::Postgres, "SELECT name FROM users WHERE name ILIKE 'a%' AND email ~* '@example\\.com$'"),
        (Dialect::Postgres, "SELECT a IS DISTINCT FROM b, ARRAY[1,2,3] && ARRAY[2], (ROW(1, 2)).f1 FROM t"),
        (Dialect::Postgres, "SELECT customer_id, count(*) FROM orders GROUP BY GROUPING SETS ((customer_id), ())"),
        (Dialect::Postgres, "SELECT * FROM orders ORDER BY id FETCH FIRST 10 ROWS ONLY"),
        (Dialect::Postgres, "SELECT E'it''s \\n fine', U&'d\\0061t\\+000061' AS s"),
        (Dialect::Postgres, "SELECT string_agg(name, ', ' ORDER BY name) FROM users"),
        (Dialect::Postgres, "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"),
        (Dialect::Postgres, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM orders WHERE id = $1"),
        (Dialect::Postgres, "SELECT * FROM orders WHERE created_at BETWEEN '2024-01-01' AND '2024-12-31' AND status IN ('paid', 'sent')"),
        (Dialect::Postgres, "SELECT id FROM a UNION SELECT id FROM b EXCEPT SELECT id FROM c"),
        (Dialect::Postgres, "SELECT EXISTS (SELECT 1 FROM orders WHERE customer_id = c.id) FROM customers c"),
        (Dialect::Mysql, "SELECT id, ROW_NUMBER() OVER (ORDER BY created_at) FROM orders LIMIT 10, 20"),
        (Dialect::Mysql, "SELECT JSON_EXTRACT(doc, '$.name'), doc->>'$.city' FROM people"),
        (Dialect::Mysql, "SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR ', ') FROM users GROUP BY team"),
        (Dialect::Mysql, "SELECT DATE_SUB(NOW(), INTERVAL 1 DAY), CAST(x AS UNSIGNED), 7 DIV 2 FROM t"),
        (Dialect::Mysql, "SELECT `order`.`select` FROM `order` WHERE name REGEXP '^a'"),
        (Dialect::Mysql, "SHOW COLUMNS FROM orders"),
        (Dialect::Mysql, "SELECT @@version, VERSION(), DATABASE()"),
        (Dialect::Mysql, "WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t"),
        (Dialect::Sqlite, "SELECT json_extract(doc, '$.a'), value FROM docs, json_each(docs.tags)"),
        (Dialect::Sqlite, "SELECT * FROM pragma_table_info('orders')"),
        (Dialect::Sqlite, "SELECT id, lag(total) OVER (ORDER BY id) FROM orders WHERE note = ?1 OR note = :name"),
        (Dialect::Sqlite, "SELECT strftime('%Y', created_at), printf('%05d', id) FROM orders"),
        (Dialect::Mssql, "SELECT TOP (10) o.id, c.name FROM dbo.orders o WITH (NOLOCK) CROSS APPLY (SELECT name FROM customers WHERE id = o.customer_id) c"),
        (Dialect::Mssql, "SELECT id FROM orders ORDER BY id OFFSET 10 ROWS FETCH NEXT 10 ROWS ONLY"),
        (Dialect::Mssql, "SELECT [a]]b], N'text' FROM [dbo].[t] WHERE x = @P1"),
        (Dialect::Mssql, "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY total) OVER () FROM orders"),
    ]
    .into_iter()
    .filter_map(|(d, sql)| check_read_only(d, sql).err().map(|e| format!("{d:?}: {sql}\n    -> {}", e.message)))
    .collect();
    assert!(failures.is_empty(), "{} legitimate reads refused:\n{}", failures.len(), failures.join("\n"));
}

/// Every class of trick that hides code from a reader that lexes the wrong dialect, at
/// least five inputs each. Refused with any code: what matters is that nothing runs.
#[test]
fn lexer_tricks_are_refused() {
    let classes: &[(&str, &[(Dialect, &str)])] = &[
        (
            "E'…' escapes outside PostgreSQL",
            &[
                (Dialect::Mysql, "SELECT e'\\'; DELETE FROM t; -- '"),
                (Dialect::Sqlite, "SELECT e'\\', load_extension('x') --'"),
                (Dialect::Sqlite, "SELECT E'\\'; ATTACH DATABASE '/tmp/x' AS x; --'"),
                (Dialect::Mssql, "SELECT e'\\' COMMIT SELECT '1'"),
                (Dialect::Mssql, "SELECT E'\\' EXEC('DROP TABLE t') --'"),
                (Dialect::Sqlite, "SELECT e'\\'; PRAGMA query_only=0; --'"),
            ],
        ),
        (
            "]] inside bracketed names",
            &[
                (Dialect::Mssql, "SELECT [x]]'] COMMIT --'"),
                (Dialect::Mssql, "SELECT [a]]'] EXEC('DROP TABLE t') --'"),
                (Dialect::Mssql, "SELECT [a]]'] , xp_cmdshell('dir') --'"),
                (Dialect::Mssql, "SELECT 1 AS [b]]\"] SHUTDOWN --\""),
                (Dialect::Mssql, "SELECT [a]]/*] COMMIT BEGIN TRAN --*/"),
            ],
        ),
        (
            "MySQL -- before a non-ASCII space",
            &[
                (Dialect::Mysql, "SELECT 1 --\u{a0}, LOAD_FILE('/etc/hostname')"),
                (Dialect::Mysql, "SELECT 1 --\u{2003}, GET_LOCK('x', 0)"),
                (Dialect::Mysql, "SELECT 1 --\u{2028}INTO OUTFILE '/tmp/x'"),
                (Dialect::Mysql, "SELECT 1 --\u{3000}, SLEEP(10)"),
                (Dialect::Mysql, "SELECT 1 --\u{85}, BENCHMARK(1e9, MD5('x'))"),
            ],
        ),
        (
            "PostgreSQL U&\"…\" names",
            &[
                (Dialect::Postgres, "SELECT U&\"\\0070g_sleep\"(10)"),
                (Dialect::Postgres, "SELECT U&\"pg_advisory_lo\\0063k\"(1)"),
                (Dialect::Postgres, "SELECT * FROM U&\"\\0070g_ls_dir\"('.')"),
                (Dialect::Postgres, "SELECT u&\"set_confi\\0067\"('a.b', 'c', false)"),
                (Dialect::Postgres, "SELECT U&\"!0074s_stat\" UESCAPE '!' ('select 1')"),
            ],
        ),
        (
            "comments that end where the server ends them",
            &[
                (Dialect::Postgres, "SELECT 1 --x\r, pg_advisory_lock(1)"),
                (Dialect::Postgres, "SELECT 1 /* a /* b */ , pg_sleep(1) */, pg_advisory_lock(2)"),
                (Dialect::Mysql, "SELECT 1 # x\r, GET_LOCK('a', 0)"),
                (Dialect::Mysql, "SELECT 1 /* x /* y */ , SLEEP(5) -- */"),
                (Dialect::Mssql, "SELECT 1 --x\r COMMIT"),
            ],
        ),
        (
            "backslashes under either string mode",
            &[
                (Dialect::Postgres, "SELECT 'a\\'; SELECT pg_advisory_lock(1); --'"),
                (Dialect::Postgres, "SELECT 'x\\', pg_advisory_lock(1), '\\'"),
                (Dialect::Mysql, "SELECT 'a\\', GET_LOCK('x', 0), '\\'"),
                (Dialect::Mysql, "SELECT \"a\\\", SLEEP(9), \"\\\""),
                (Dialect::Mysql, "SELECT 'a\\' '', LOAD_FILE('/etc/passwd') -- '"),
            ],
        ),
    ];
    let mut let_through = Vec::new();
    for (class, inputs) in classes {
        assert!(inputs.len() >= 5, "{class}: fewer than five inputs");
        for (d, sql) in *inputs {
            if check_read_only(*d, sql).is_ok() {
                let_through.push(format!("{class}: {d:?}: {sql:?}"));
            }
        }
    }
    assert!(let_through.is_empty(), "let through:\n{}", let_through.join("\n"));
}

#[test]
fn functions_are_listed_for_the_catalog() {
    let check = check_read_only(
        Dialect::Postgres,
        "SELECT lower(name), pg_catalog.now(), \"MyFn\"(1) FROM generate_series(1, 2) g, users",
    )
    .map(|c| c.functions.iter().map(ToString::to_string).collect::<Vec<_>>());
    assert_eq!(
        check.ok(),
        Some(vec!["MyFn".to_owned(), "generate_series".to_owned(), "lower".to_owned(), "pg_catalog.now".to_owned()])
    );
}

#[test]
fn writes_and_tricks_are_refused() {
    for (d, sql) in [
        (Dialect::Postgres, "DELETE FROM t"),
        (Dialect::Postgres, "WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone"),
        (Dialect::Postgres, "COMMIT; DROP TABLE t"),
        (Dialect::Postgres, "END; DROP TABLE t"),
        (Dialect::Postgres, "SELECT 1; SELECT 2"),
        (Dialect::Postgres, "SET TRANSACTION READ WRITE"),
        (Dialect::Postgres, "SELECT * INTO new_table FROM t"),
        (Dialect::Postgres, "COPY t TO PROGRAM 'rm -rf /'"),
        (Dialect::Postgres, "CREATE TEMP TABLE x AS SELECT 1"),
        (Dialect::Postgres, "SELECT nextval('s')"),
        (Dialect::Postgres, "SELECT pg_catalog.setval('s', 1)"),
        (Dialect::Postgres, "SELECT \"pg_terminate_backend\"(123)"),
        (Dialect::Postgres, "SELECT PG_TERMINATE_BACKEND (123)"),
        (Dialect::Postgres, "SELECT lo_import('/etc/passwd')"),
        (Dialect::Postgres, "SELECT set_config('default_transaction_read_only', 'off', false)"),
        (Dialect::Postgres, "SELECT * FROM t FOR UPDATE"),
        (Dialect::Postgres, "SELECT * FROM t FOR SHARE"),
        (Dialect::Postgres, "SELECT * FROM t FOR KEY SHARE"),
        (Dialect::Postgres, "EXPLAIN ANALYZE DELETE FROM t"),
        (Dialect::Postgres, "sElEcT 1; dElEtE fRoM t"),
        (Dialect::Postgres, "DO $$ BEGIN DELETE FROM t; END $$"),
        (Dialect::Postgres, "LOCK TABLE t"),
        (Dialect::Postgres, "NOTIFY ch"),
        (Dialect::Mysql, "/*!50000 DELETE FROM t */"),
        (Dialect::Mysql, "SELECT 1 /*!50000 , (DELETE FROM t) */"),
        (Dialect::Mysql, "SELECT /*M! 1, */ 2"),
        (Dialect::Mysql, "SELECT * FROM t INTO OUTFILE '/tmp/x'"),
        (Dialect::Mysql, "SELECT LOAD_FILE('/etc/passwd')"),
        (Dialect::Mysql, "SELECT SLEEP(100)"),
        (Dialect::Mysql, "SELECT BENCHMARK(100000000, MD5('x'))"),
        (Dialect::Mysql, "SELECT * FROM t LOCK IN SHARE MODE"),
        (Dialect::Mysql, "LOCK TABLES t WRITE"),
        (Dialect::Mysql, "SET GLOBAL max_connections = 1"),
        (Dialect::Mysql, "CREATE TABLE x (a int)"),
        (Dialect::Mysql, "SELECT \"a\\\"; DELETE FROM t; -- \""),
        (Dialect::Mysql, "REPLACE INTO t VALUES (1)"),
        // `--` without a space is arithmetic in MySQL, not a comment.
        (Dialect::Mysql, "SELECT 1 --1, LOAD_FILE('/etc/passwd')"),
        (Dialect::Mysql, "SELECT 1 --1 INTO OUTFILE '/tmp/x'"),
        (Dialect::Mysql, "SELECT 1 --x\n, GET_LOCK('x', 0)"),
        (Dialect::Mysql, "SELECT 1 --1 /*!50000 , 2 */"),
        (Dialect::Mysql, "SELECT NEXTVAL(s)"),
        (Dialect::Postgres, "SELECT query_to_xml('select pg_terminate_backend(1)', true, true, '')"),
        (Dialect::Postgres, "SELECT * FROM query_to_xmlschema('delete from t', true, true, '')"),
        // Harmless with backslash escapes, a DELETE under NO_BACKSLASH_ESCAPES: refused.
        (Dialect::Mysql, "SELECT * FROM t WHERE s = 'a\\'; DELETE FROM t; -- '"),
        (Dialect::Sqlite, "ATTACH DATABASE '/tmp/x.db' AS x"),
        (Dialect::Sqlite, "VACUUM INTO '/tmp/copy.db'"),
        (Dialect::Sqlite, "PRAGMA writable_schema = ON"),
        (Dialect::Sqlite, "PRAGMA journal_mode = DELETE"),
        (Dialect::Sqlite, "PRAGMA journal_mode(WAL)"),
        (Dialect::Sqlite, "PRAGMA user_version = 3"),
        (Dialect::Sqlite, "SELECT load_extension('x')"),
        (Dialect::Sqlite, "SELECT 1; DELETE FROM t"),
        (Dialect::Mssql, "EXEC sp_who"),
        (Dialect::Mssql, "SELECT * FROM OPENQUERY(srv, 'DELETE FROM t')"),
        (Dialect::Mssql, "SELECT * INTO #x FROM t"),
        // Statements written one after another, no `;`: the second one is refused.
        (Dialect::Mssql, "SELECT 1 COMMIT"),
        (Dialect::Mssql, "SELECT 1 AS a SELECT 2 AS b"),
        (Dialect::Mssql, "SELECT 1 ROLLBACK TRAN SELECT 2"),
        (Dialect::Mssql, "SELECT 1 COMMIT DROP TABLE t"),
        (Dialect::Mssql, "SELECT 1 CREATE TABLE t (a int)"),
        (Dialect::Mssql, "SELECT 1 SET IMPLICIT_TRANSACTIONS ON"),
        (Dialect::Mssql, "SELECT 1 WAITFOR DELAY '01:00'"),
        (Dialect::Mssql, "SELECT 1 IF (1 = 1) SHUTDOWN"),
        (Dialect::Mssql, "SELECT * FROM t WITH (NOLOCK) KILL 55"),
        (Dialect::Mssql, "SELECT 1 BEGIN TRAN"),
        (Dialect::Mssql, "SELECT 1 DECLARE @s nvarchar(99) = 'x'"),
        (Dialect::Mssql, "SELECT 1 USE master"),
        (Dialect::Mssql, "SELECT NEXT VALUE FOR dbo.seq"),
        (Dialect::Mssql, "SELECT 1; EXEC sp_executesql N'DROP TABLE t'"),
        (Dialect::Mssql, "SELECT 1 EXECUTE ('DROP TABLE t')"),
        (Dialect::Mssql, "EXEC xp_cmdshell 'dir'"),
        (Dialect::Mssql, "SELECT * FROM OPENROWSET('SQLNCLI', 'Server=x;', 'SELECT 1')"),
        (Dialect::Mssql, "SELECT * FROM OPENDATASOURCE('SQLNCLI', 'Data Source=x').db.dbo.t"),
        (Dialect::Mssql, "WITH x AS (SELECT 1 AS a) UPDATE t SET a = 1"),
        (Dialect::Mssql, "SELECT 1 TRUNCATE TABLE t"),
    ] {
        assert!(refused(d, sql), "{d:?} let through: {sql}");
    }
}

#[test]
fn errors_say_why_and_what_to_do() {
    let e = check_read_only(Dialect::Postgres, "UPDATE t SET a = 1").err().map(|e| e.message).unwrap_or_default();
    assert!(e.starts_with("'UPDATE' is not a read"), "{e}");
    assert!(e.contains("allow writes"), "{e}");
    let e = check_read_only(Dialect::Postgres, "").err();
    assert_eq!(e.map(|e| e.code), Some(ErrorCode::InvalidInput));
    let e = check_read_only(Dialect::Postgres, "SELEC 1").err();
    assert_eq!(e.as_ref().map(|e| e.code), Some(ErrorCode::InvalidInput));
    assert!(e.is_some_and(|e| e.message.contains("typo")));
}

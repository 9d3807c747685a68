//! What a read-only SQLite call must refuse and what it must still run, as data: the unit
//! tests in `src/sqlite/tests.rs` run it through the guarded connection with the
//! classifier bypassed, and `tests/engines/sqlite_read_only.rs` (which includes this
//! file) through `Database::query` and `Database::execute`.
//!
//! `{dir}` stands for the directory holding the database, so a guard that failed would
//! leave its file where the test looks.

/// The database every input runs against.
pub const SCHEMA: &str = "
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE orders (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER REFERENCES customers(id),
        qty INT,
        note TEXT,
        data TEXT
    );
    CREATE INDEX orders_customer ON orders(customer_id);
    CREATE VIEW big_orders AS SELECT * FROM orders WHERE qty > 2;
    INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace'), (3, 'Edsger');
    INSERT INTO orders VALUES
        (1, 1, 1, 'first', '{\"k\": \"a\", \"n\": [1, 2]}'),
        (2, 1, 3, 'x; DROP TABLE orders', '{\"k\": \"b\", \"n\": [3]}'),
        (3, 2, 5, NULL, '{\"k\": \"c\", \"n\": []}'),
        (4, 3, 2, 'last', '{\"k\": \"d\", \"n\": [4, 5, 6]}');
";

/// `(class, SQL, the code the guarded connection answers with)`. Every one is refused.
/// `QUERY_FAILED` and `NOT_FOUND` are SQLite failing to prepare the text at all (a
/// function or table this build lacks, a syntax error): refused before the authorizer
/// needs to decide.
pub const REFUSED: &[(&str, &str, &str)] = &[
    // Multi-statement smuggling: SQLite finds the second statement; nothing runs.
    (
        "multi-statement",
        "SELECT 1; PRAGMA query_only=0; CREATE TEMP VIEW orders AS SELECT * FROM orders WHERE 0",
        "READ_ONLY_VIOLATION",
    ),
    ("multi-statement", "SELECT 1; DROP TABLE orders", "READ_ONLY_VIOLATION"),
    ("multi-statement", "SELECT * FROM orders; DELETE FROM orders", "READ_ONLY_VIOLATION"),
    ("multi-statement", "SELECT ';' AS s; UPDATE orders SET qty = 0", "READ_ONLY_VIOLATION"),
    ("multi-statement", "SELECT 1 /* ; */; INSERT INTO orders(id) VALUES (99)", "READ_ONLY_VIOLATION"),
    ("multi-statement", "VALUES (1);VACUUM INTO '{dir}/smuggled.db'", "READ_ONLY_VIOLATION"),
    ("multi-statement", "SELECT 1; SELECT 2", "READ_ONLY_VIOLATION"),
    ("multi-statement", "SELECT 1\0; DELETE FROM orders", "INVALID_INPUT"),
    // The text after the first statement is prepared to find it: under a deny-all
    // authorizer, so what SQLite does while preparing (this pragma) does not happen.
    ("multi-statement", "SELECT 1; EXPLAIN PRAGMA query_only = 0", "READ_ONLY_VIOLATION"),
    // ATTACH, including one that would create a new file.
    ("attach", "ATTACH DATABASE '{dir}/new.db' AS n", "READ_ONLY_VIOLATION"),
    ("attach", "ATTACH 'file:{dir}/uri.db?mode=rwc' AS u", "READ_ONLY_VIOLATION"),
    ("attach", "ATTACH ':memory:' AS m", "READ_ONLY_VIOLATION"),
    ("attach", "ATTACH '{dir}/shop.db' AS again", "READ_ONLY_VIOLATION"),
    ("attach", "attach database '' as blank", "READ_ONLY_VIOLATION"),
    ("attach", "DETACH DATABASE temp", "READ_ONLY_VIOLATION"),
    // TEMP objects that would shadow a real table for every later caller of the connection.
    ("temp", "CREATE TEMP VIEW orders AS SELECT * FROM orders WHERE 0", "READ_ONLY_VIOLATION"),
    ("temp", "CREATE TEMP TABLE orders (id INTEGER)", "READ_ONLY_VIOLATION"),
    ("temp", "CREATE TEMPORARY TABLE copy AS SELECT * FROM orders", "READ_ONLY_VIOLATION"),
    ("temp", "CREATE TEMP TRIGGER spy AFTER INSERT ON orders BEGIN SELECT 1; END", "READ_ONLY_VIOLATION"),
    ("temp", "CREATE VIEW temp.customers AS SELECT 1 AS id, 'x' AS name", "READ_ONLY_VIOLATION"),
    ("temp", "CREATE VIRTUAL TABLE temp.search USING fts5(body)", "READ_ONLY_VIOLATION"),
    ("temp", "DROP VIEW IF EXISTS temp.orders", "READ_ONLY_VIOLATION"),
    // Pragmas that change things, also under EXPLAIN (which runs them while preparing).
    ("pragma", "PRAGMA writable_schema = ON", "READ_ONLY_VIOLATION"),
    ("pragma", "PRAGMA journal_mode = WAL", "READ_ONLY_VIOLATION"),
    ("pragma", "PRAGMA user_version = 42", "READ_ONLY_VIOLATION"),
    ("pragma", "PRAGMA main.application_id = 7", "READ_ONLY_VIOLATION"),
    ("pragma", "PRAGMA query_only = 0", "READ_ONLY_VIOLATION"),
    ("pragma", "PRAGMA query_only(false)", "READ_ONLY_VIOLATION"),
    ("pragma", "EXPLAIN PRAGMA query_only = 0", "READ_ONLY_VIOLATION"),
    ("pragma", "EXPLAIN PRAGMA writable_schema = 1", "READ_ONLY_VIOLATION"),
    ("pragma", "EXPLAIN QUERY PLAN PRAGMA foreign_keys = OFF", "READ_ONLY_VIOLATION"),
    ("pragma", "PRAGMA schema_version = 1", "READ_ONLY_VIOLATION"),
    ("pragma", "PRAGMA wal_checkpoint(TRUNCATE)", "READ_ONLY_VIOLATION"),
    ("pragma", "SELECT * FROM pragma_journal_mode", "READ_ONLY_VIOLATION"),
    // Functions that reach outside the database.
    ("function", "SELECT load_extension('{dir}/evil.so')", "READ_ONLY_VIOLATION"),
    ("function", "SELECT fts3_tokenizer('simple')", "READ_ONLY_VIOLATION"),
    ("function", "SELECT fts3_tokenizer('evil', x'0000000000000000')", "READ_ONLY_VIOLATION"),
    ("function", "SELECT writefile('{dir}/written.txt', 'x')", "QUERY_FAILED"),
    ("function", "SELECT readfile('/etc/passwd')", "QUERY_FAILED"),
    ("function", "SELECT edit('x', 'vi')", "QUERY_FAILED"),
    ("function", "SELECT name FROM fsdir('{dir}')", "NOT_FOUND"),
    // VACUUM INTO writes a whole new database file, even from a read-only connection.
    ("vacuum", "VACUUM INTO '{dir}/copy.db'", "READ_ONLY_VIOLATION"),
    ("vacuum", "VACUUM main INTO '{dir}/copy2.db'", "READ_ONLY_VIOLATION"),
    ("vacuum", "vacuum into 'file:{dir}/copy3.db?mode=rwc'", "READ_ONLY_VIOLATION"),
    ("vacuum", "VACUUM", "READ_ONLY_VIOLATION"),
    ("vacuum", "EXPLAIN VACUUM INTO '{dir}/copy4.db'", "READ_ONLY_VIOLATION"),
    // Lexer tricks: text that a SQL lexer of another dialect reads differently from
    // SQLite. SQLite's tokenizer is the one that counts here.
    // An E'…' string elsewhere: one string to such a lexer, two statements to SQLite.
    (
        "lexer",
        "WITH t(e) AS (SELECT 1) SELECT e'\\' FROM t; ATTACH '{dir}/lexed.db' AS lexed; --'",
        "READ_ONLY_VIOLATION",
    ),
    ("lexer", "SELECT e'\\'; ATTACH '{dir}/lexed2.db' AS lexed; --'", "NOT_FOUND"),
    ("lexer", "SELECT [a]]b] FROM orders; DROP TABLE orders --]", "QUERY_FAILED"),
    ("lexer", "SELECT 1 --\u{a0}\n; DELETE FROM orders", "READ_ONLY_VIOLATION"),
    ("lexer", "SELECT 1 --\u{2028}\n; UPDATE orders SET qty = 0", "READ_ONLY_VIOLATION"),
    ("lexer", "SELECT 1 /*\u{2028}*/; PRAGMA query_only = 0", "READ_ONLY_VIOLATION"),
    ("lexer", "SELECT 1\u{2028}; PRAGMA query_only = 0", "QUERY_FAILED"),
    ("lexer", "SELECT `a``; ATTACH '{dir}/tick.db' AS t; --` FROM orders", "NOT_FOUND"),
    ("lexer", "SELECT $x; CREATE TEMP TABLE dollar(x)", "READ_ONLY_VIOLATION"),
];

/// Reads that must still run, each with the rows it returns (as JSON text).
pub const ALLOWED: &[(&str, &str)] = &[
    (
        "SELECT id, sum(qty) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM orders",
        "[[1,1],[2,4],[3,8],[4,7]]",
    ),
    (
        "SELECT id, rank() OVER (PARTITION BY customer_id ORDER BY qty DESC) FROM orders ORDER BY id",
        "[[1,2],[2,1],[3,1],[4,1]]",
    ),
    ("SELECT json_extract(data, '$.n[1]') FROM orders WHERE id = 1", "[[2]]"),
    ("SELECT data ->> '$.k' FROM orders ORDER BY id LIMIT 2", "[[\"a\"],[\"b\"]]"),
    ("SELECT o.id, j.value FROM orders o, json_each(o.data, '$.n') j WHERE o.id = 4", "[[4,4],[4,5],[4,6]]"),
    ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10) SELECT sum(x) FROM c", "[[55]]"),
    ("PRAGMA table_info(orders)", ""),
    ("SELECT name, type FROM pragma_table_info('customers')", "[[\"id\",\"INTEGER\"],[\"name\",\"TEXT\"]]"),
    ("SELECT name FROM pragma_index_list('orders')", "[[\"orders_customer\"]]"),
    ("SELECT 'x; DROP TABLE orders' AS s", "[[\"x; DROP TABLE orders\"]]"),
    ("SELECT id FROM orders WHERE note = 'x; DROP TABLE orders'", "[[2]]"),
    ("SELECT [qty], `id`, \"note\" FROM [orders] WHERE `id` = 3", "[[5,3,null]]"),
    ("SELECT 1 AS \"a;b\", 2 AS [c d], 3 AS `e``f`", "[[1,2,3]]"),
    ("EXPLAIN QUERY PLAN SELECT * FROM orders WHERE customer_id = 1", ""),
    ("PRAGMA integrity_check", "[[\"ok\"]]"),
    ("PRAGMA user_version", "[[0]]"),
    ("PRAGMA main.page_count", ""),
    ("PRAGMA foreign_key_check", "[]"),
    ("PRAGMA database_list", ""),
    ("VALUES (1, 'a'), (2, 'b')", "[[1,\"a\"],[2,\"b\"]]"),
    (
        "SELECT printf('%5.2f', 3.14159), upper('x'), length(randomblob(16)), hex(x'41')",
        "[[\" 3.14\",\"X\",16,\"41\"]]",
    ),
    ("SELECT group_concat(id, ',') FROM (SELECT id FROM orders ORDER BY id)", "[[\"1,2,3,4\"]]"),
    (
        "SELECT c.name, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.name ORDER BY 1",
        "[[\"Ada\",2],[\"Edsger\",1],[\"Grace\",1]]",
    ),
    ("SELECT id FROM big_orders ORDER BY id", "[[2],[3]]"),
    ("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", "[[2]]"),
    ("SELECT 1; -- a comment after the statement", "[[1]]"),
    ("  /* leading */ SELECT 2 /* trailing */ ;  \n", "[[2]]"),
    ("WITH t(a) AS (SELECT 1) SELECT a FROM t WHERE a IN (SELECT id FROM orders)", "[[1]]"),
    ("SELECT unixepoch('2024-01-01'), date('2024-02-28', '+1 day')", "[[1704067200,\"2024-02-29\"]]"),
];

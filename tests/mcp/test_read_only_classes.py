"""Read-only through the MCP endpoint, class by class (docs/safety.md): each input of each
class is refused by `execute-query` and by `execute-update` on read-only profiles of
PostgreSQL, MariaDB and SQLite; afterwards the databases are as they were, no file was
written, and a second connection finds no lock a call left behind."""

import os
from pathlib import Path

from conftest import mariadb, psql, run, session_over
from test_read_only import markers, my_state, pg_state, sqlite_state

MARKER = f"/tmp/dbdock-ro-escape-{os.getpid()}"

CLASSES = {
    "lexer tricks": [
        ("pg", "SELECT 1 --x\r, pg_advisory_lock(11)"),
        ("pg", "SELECT U&\"\\0070g_advisory_lock\"(12)"),
        ("pg", "SELECT 'a\\', pg_advisory_lock(13), '\\'"),
        ("maria", "SELECT 1 --\u00a0, GET_LOCK('dbdock_cls', 0)"),
        ("maria", "SELECT e'\\'; DELETE FROM customers; -- '"),
        ("shop", "SELECT e'\\'; DELETE FROM customers; -- '"),
        ("shop", "SELECT [a]]'] , load_extension('x') --'"),
    ],
    "side effects a read-only transaction lets through": [
        ("pg", "SELECT pg_advisory_lock(21)"),
        ("pg", "SELECT pg_try_advisory_lock_shared(22)"),
        ("pg", "SELECT pg_create_physical_replication_slot('dbdock_cls_slot')"),
        ("pg", "SELECT ts_stat('SELECT pg_advisory_lock(23)::text::tsvector')"),
        ("pg", "SELECT lo_creat(-1)"),
        ("maria", "SELECT GET_LOCK('dbdock_cls', 0)"),
        ("maria", "SELECT @leftover := 1"),
    ],
    "state left on a pooled connection": [
        ("shop", "SELECT 1; PRAGMA query_only = 0"),
        ("shop", "CREATE TEMP VIEW customers AS SELECT * FROM customers WHERE 0"),
        ("shop", f"ATTACH DATABASE '{MARKER}-cls.db' AS x"),
        ("shop", "EXPLAIN PRAGMA query_only = 0"),
        ("maria", "SET @v = 1"),
        ("pg", "SELECT set_config('search_path', 'pg_temp', false)"),
    ],
    "files": [
        ("pg", "SELECT pg_read_file('/etc/hostname')"),
        ("pg", "SELECT * FROM pg_ls_dir('.')"),
        ("maria", "SELECT LOAD_FILE('/etc/hostname')"),
        ("maria", f"SELECT 1 --\u3000INTO OUTFILE '{MARKER}-cls-out'"),
        ("shop", f"VACUUM INTO '{MARKER}-cls-vacuum.db'"),
    ],
    "time": [
        ("pg", "SELECT pg_sleep(30)"),
        ("maria", "SELECT SLEEP(30)"),
        ("maria", "SELECT BENCHMARK(1000000000, MD5('x'))"),
        ("pg", "SELECT pg_sleep_for('30 seconds')"),
        ("maria", "SELECT 1 /*!, SLEEP(30) */"),
    ],
}


def pg_locks():
    return psql("postgres", "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")


def pg_slots():
    return psql("postgres", "SELECT count(*) FROM pg_replication_slots")


def test_every_class_is_refused_by_both_tools_and_leaves_nothing(world):
    for stale in markers():
        os.remove(f"/tmp/{stale}")
    before = (pg_state(world), my_state(world), sqlite_state(world), pg_locks(), pg_slots())

    async def body():
        async with session_over("stdio", world) as s:
            let_through = []
            for cls, inputs in CLASSES.items():
                assert len(inputs) >= 5, cls
                for connection, sql in inputs:
                    for tool in ("execute-query", "execute-update"):
                        result = await s.call(tool, connectionId=connection, query=sql)
                        if not result.isError:
                            let_through.append((cls, tool, connection, sql))
            assert let_through == [], let_through
            # A second connection finds nothing held: no advisory or named lock.
            assert pg_locks() == before[3]
            assert mariadb(world.my_db, "SELECT IS_USED_LOCK('dbdock_cls') IS NULL").strip() == "1"
            # The pooled connections still read, see the real tables, and hold no leftovers.
            rows = (await s.ok("execute-query", connectionId="shop", query="SELECT count(*) FROM customers"))["rows"]
            assert rows[0][0] > 0, "a temp view shadows the real table"
            dbs = (await s.ok("execute-query", connectionId="shop", query="PRAGMA database_list"))["rows"]
            assert [d[1] for d in dbs] == ["main"], dbs
            var = (await s.ok("execute-query", connectionId="maria", query="SELECT @leftover IS NULL AND @v IS NULL"))
            assert var["rows"] == [[1]], var
            path = (await s.ok("execute-query", connectionId="pg", query="SELECT current_setting('search_path')"))
            assert path["rows"] == [['"$user", public']], path

    run(body)
    assert (pg_state(world), my_state(world), sqlite_state(world), pg_locks(), pg_slots()) == before
    assert markers() == [], "a refused statement wrote a file"
    assert not Path(f"{MARKER}-cls.db").exists()

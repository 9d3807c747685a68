"""Caps and time limits: the statement timeout is enforced by the server and the
statement is gone afterwards; big results come back capped and say so."""

import json
import time

from conftest import psql, run, session_over


# Seconds of pure reading (pg_sleep is VOLATILE, so read-only calls refuse it).
LONG_READ = "SELECT count(*), 'slow-probe' FROM generate_series(1, 100000) a, generate_series(1, 100000) b"


def active_sleeps(world):
    return int(psql(world.pg_db, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%slow-probe%' AND pid <> pg_backend_pid()"))


def test_a_slow_statement_times_out_on_the_server(world):
    async def body():
        async with session_over("stdio", world) as s:
            started = time.monotonic()
            e = await s.error("execute-query", connectionId="pg_fast", query=LONG_READ)
            elapsed = time.monotonic() - started
            assert e["code"] == "TIMEOUT", e
            assert "1 s limit" in e["message"] and "pg_fast" in e["message"]
            assert elapsed < 2.5, f"TIMEOUT took {elapsed:.2f} s"
            deadline = time.monotonic() + 2
            while active_sleeps(world) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert active_sleeps(world) == 0, "the statement is still running on the server"
            # The connection is usable right after.
            assert (await s.ok("execute-query", connectionId="pg_fast", query="SELECT 1 AS one"))["rows"] == [[1]]

    run(body)


def test_big_results_are_capped_and_say_so(world):
    async def body():
        async with session_over("stdio", world) as s:
            result = await s.call("execute-query", connectionId="pg", query="SELECT * FROM big ORDER BY n")
            data = result.structuredContent
            assert data["truncated"] is True and data["row_count"] == 200
            assert data["rows"][0] == [1, "c4ca4238a0b923820dcc509a6f75849b"]
            assert "LIMIT and OFFSET" in data["hint"]
            assert len(result.content[0].text) < 256 * 1024

            # Wide rows hit the byte cap before the row cap.
            result = await s.call("execute-query", connectionId="pg", query="SELECT n, repeat(h, 100) AS wide FROM big ORDER BY n")
            data = result.structuredContent
            assert data["truncated"] is True and 50 < data["row_count"] < 200, data["row_count"]
            assert len(result.content[0].text) <= 256 * 1024 + 1024

            # One 10 MB value is cut, not sent whole.
            result = await s.call("execute-query", connectionId="pg", query="SELECT id, body FROM huge_text")
            data = result.structuredContent
            assert data["truncated"] is True and data["row_count"] == 1
            cell = data["rows"][0][1]
            assert len(cell) < 300 * 1024 and "[cut: 10485760 bytes in all]" in cell
            assert len(json.dumps(data)) < 300 * 1024

            # Exactly as many rows as the cap is whole, not "truncated".
            data = await s.ok("execute-query", connectionId="pg", query="SELECT n FROM big WHERE n <= 200 ORDER BY n")
            assert data["row_count"] == 200 and data["truncated"] is False and "hint" not in data
            # Small results are whole.
            data = await s.ok("execute-query", connectionId="pg", query="SELECT n FROM big WHERE n <= $1 ORDER BY n", params=[3])
            assert data == {**data, "rows": [[1], [2], [3]], "truncated": False, "row_count": 3}

    run(body)


def test_a_write_session_leaves_nothing_behind(world):
    async def body():
        async with session_over("stdio", world) as s:
            # Session settings and open transactions die with the write's connection.
            await s.ok("execute-update", connectionId="pg_rw", query="SET statement_timeout = 0")
            await s.ok("execute-update", connectionId="pg_rw", query="BEGIN")
            await s.ok("execute-update", connectionId="pg_rw", query="UPDATE orders SET total = 42.42 WHERE id = 12")
            assert psql(world.pg_db, "SELECT total FROM orders WHERE id = 12").strip() == "42.42"
            shown = await s.ok("execute-query", connectionId="pg_rw", query="SHOW statement_timeout")
            assert shown["rows"] == [["30s"]]
            await s.ok("execute-update", connectionId="pg_rw", query="UPDATE orders SET total = 5.00 WHERE id = 12")

    run(body)

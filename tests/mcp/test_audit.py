"""Every call is audited with its outcome, and the profile's password appears nowhere:
not in the audit log, the tool outputs, the server's log, or any file of the home."""

import contextlib
import copy
import json
import os
import socket
import sqlite3
import subprocess
import threading
import time
import types
from pathlib import Path

import httpx

from conftest import DBDOCK, SECRET, dbdock, free_port, make_token, psql, rpc, run, session_over, stdio_endpoint


def test_every_call_is_audited_and_no_secret_leaks(world):
    before = json.loads(dbdock(world.home, "audit", "--format", "json", "--limit", "100000").stdout)
    outputs = []

    async def body():
        async with session_over("stdio", world) as s:
            for tool, args in [
                ("list-connections", {}),
                ("execute-query", {"connectionId": "pg", "query": "SELECT name FROM customers WHERE id = $1", "params": [1]}),
                ("execute-query", {"connectionId": "pg", "query": "DELETE FROM customers"}),
                ("execute-query", {"connectionId": "pg", "query": "SELECT $1::text AS echoed", "params": [SECRET]}),
                ("search-objects", {"connectionId": "pg", "pattern": "cust*"}),
                ("execute-update", {"connectionId": "pg", "query": "DELETE FROM customers"}),
                ("connect-database", {"connectionId": "nope"}),
                ("execute-query", {"connectionId": "maria_pw", "query": "SELECT count(*) FROM customers"}),
                ("execute-query", {"connectionId": "maria_bad", "query": "SELECT 1"}),
            ]:
                result = await s.call(tool, **args)
                outputs.append(result.model_dump_json())

    run(body)
    after = json.loads(dbdock(world.home, "audit", "--format", "json", "--limit", "100000").stdout)
    new = after[: len(after) - len(before)]
    assert [(e["tool"], e["outcome"], e["error_code"]) for e in reversed(new)] == [
        ("list-connections", "ok", None),
        ("execute-query", "ok", None),
        ("execute-query", "error", "READ_ONLY_VIOLATION"),
        ("execute-query", "ok", None),
        ("search-objects", "ok", None),
        ("execute-update", "error", "READ_ONLY_VIOLATION"),
        ("connect-database", "error", "NOT_FOUND"),
        ("execute-query", "ok", None),
        ("execute-query", "error", "AUTH_FAILED"),
    ]
    first_query = new[-2]
    assert new[1]["rows"] == 1 and new[1]["profile"] == "maria_pw"
    assert first_query["client"] == "mcp" and first_query["transport"] == "stdio"
    assert first_query["profile"] == "pg" and first_query["rows"] == 1 and first_query["params"] == [1]
    assert first_query["statement"] == "SELECT name FROM customers WHERE id = $1"
    assert first_query["duration_ms"] > 0
    # A secret passed as a parameter is masked in the audit log too.
    assert new[-4]["params"] == ["***"]
    assert "Access denied" in new[0]["error_message"]

    audit_text = json.dumps(after)
    assert SECRET not in audit_text and f"{SECRET}-wrong" not in audit_text
    # The tool output echoes what the model itself sent; everything else must be clean.
    assert all(SECRET not in out for i, out in enumerate(outputs) if i != 3)
    server_log = (world.home / "stdio-stderr.log").read_text()
    assert SECRET not in server_log
    leaking = [str(p) for p in Path(world.home).rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaking == []


def audit_rows(world):
    return json.loads(dbdock(world.home, "audit", "--format", "json", "--limit", "100000").stdout)


def test_a_call_the_audit_log_cannot_record_does_not_run(world):
    """Another writer holds the store locked longer than the store waits: the write and
    the read are refused with AUDIT_UNAVAILABLE and the write never reaches PostgreSQL."""
    locked = copy.copy(world)
    locked.env = {**world.env, "DBDOCK_STORE_BUSY_TIMEOUT_MS": "300"}
    marker = f"Mallory-{os.getpid()}"

    async def body():
        async with session_over("stdio", locked) as s:
            await s.ok("execute-query", connectionId="pg_rw", query="SELECT 1 AS warm")
            time.sleep(0.3)  # the warm-up's completion is written
            holder = sqlite3.connect(world.home / "dbdock.db", isolation_level=None, timeout=5)
            holder.execute("BEGIN EXCLUSIVE")
            try:
                started = time.monotonic()
                e = await s.error("execute-update", connectionId="pg_rw",
                                  query=f"INSERT INTO customers VALUES (99, '{marker}', NULL)")
                assert e["code"] == "AUDIT_UNAVAILABLE", e
                assert "not run" in e["message"]
                assert time.monotonic() - started < 5
                e = await s.error("execute-query", connectionId="pg", query=f"SELECT '{marker}' AS read")
                assert e["code"] == "AUDIT_UNAVAILABLE", e
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            # Once the store is free, calls run (and are recorded) again.
            assert (await s.ok("execute-query", connectionId="pg", query="SELECT 2 AS two"))["rows"] == [[2]]

    run(body)
    assert psql(world.pg_db, f"SELECT count(*) FROM customers WHERE name = '{marker}'").strip() == "0"
    assert not [e for e in audit_rows(world) if marker in (e["statement"] or "")]
    assert [e for e in audit_rows(world) if e["statement"] == "SELECT 2 AS two"][0]["outcome"] == "ok"


def test_the_row_is_written_before_the_call_runs_and_completed_at_shutdown(world):
    """While a statement runs, its row says running; when the client closes stdin mid-call,
    the endpoint waits for the call and completes the row before it exits."""
    marker = f"shutdown-probe-{os.getpid()}"
    with stdio_endpoint(world.env) as proc:
        rpc(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            # A write-allowed call: read-only calls refuse pg_sleep (VOLATILE).
            "name": "execute-update", "arguments": {"connectionId": "pg_rw", "query": f"SELECT pg_sleep(2), '{marker}'"}}})
        deadline = time.monotonic() + 1.5
        row = None
        while time.monotonic() < deadline and row is None:
            row = next((e for e in audit_rows(world) if marker in (e["statement"] or "")), None)
        assert row is not None and row["outcome"] == "running", row
        table = dbdock(world.home, "audit", "--limit", "5").stdout
        assert any("running" in line and "execute-update" in line for line in table.splitlines()), table
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    row = next(e for e in audit_rows(world) if marker in (e["statement"] or ""))
    assert row["outcome"] == "ok" and row["rows"] == 1 and row["duration_ms"] >= 1900, row


def test_sigterm_stops_the_stdio_endpoint_while_its_client_keeps_stdin_open(world):
    with stdio_endpoint(world.env) as proc:
        rpc(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert "execute-query" in proc.stdout.readline()
        proc.terminate()
        assert proc.wait(timeout=15) == 0


def test_stopping_the_http_endpoint_completes_the_rows_of_running_calls(world):
    """SIGTERM while a call runs over HTTP: the endpoint cancels the call, completes its
    row and only then exits; no row is left running."""
    marker = f"http-shutdown-probe-{os.getpid()}"
    port = free_port()
    proc = subprocess.Popen([DBDOCK, "mcp", "--http", f"127.0.0.1:{port}"], env=world.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            assert time.monotonic() < deadline and proc.poll() is None, "dbdock mcp --http did not start"
            time.sleep(0.05)
        token = make_token(world, "audit", "--scope", "write")
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream",
                   "Content-Type": "application/json"}
        init = httpx.post(url, headers=headers, timeout=10, json={
            "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}}})
        assert init.status_code == 200, init.text
        headers["Mcp-Session-Id"] = init.headers["mcp-session-id"]
        httpx.post(url, headers=headers, timeout=10, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        call = threading.Thread(target=_post_quietly, args=(url, headers, {
            "jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
                # A write-allowed call: read-only calls refuse pg_sleep (VOLATILE).
                "name": "execute-update", "arguments": {"connectionId": "pg_rw", "query": f"SELECT pg_sleep(5), '{marker}'"}}}))
        call.start()
        deadline, running = time.monotonic() + 3, False
        while time.monotonic() < deadline and not running:
            running = any(marker in (e["statement"] or "") and e["outcome"] == "running" for e in audit_rows(world))
            time.sleep(0.05)
        assert running, "the call's row never said running"
        proc.terminate()
        assert proc.wait(timeout=30) == 0
        call.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    row = next(e for e in audit_rows(world) if marker in (e["statement"] or ""))
    # The transport cancelled the 5 s statement: the row says so, with how long it ran.
    assert (row["outcome"], row["error_code"]) == ("error", "CANCELLED") and row["duration_ms"] < 5000, row


def _post_quietly(url, headers, message):
    try:
        httpx.post(url, headers=headers, json=message, timeout=30)
    except httpx.HTTPError:
        pass


def test_the_audit_log_is_tamper_evident(tmp_path):
    """Calls through the endpoint leave a hash chain that `dbdock audit verify` finds
    intact; a row changed, deleted or inserted with sqlite3 is named. A home of its own,
    so the shared one stays intact for the other tests."""
    home = tmp_path / "home"
    home.mkdir()
    shop = home / "shop.db"
    dbdock(home, "demo", str(shop))
    dbdock(home, "profile", "add", "shop", "--url", f"sqlite:{shop}")
    own = types.SimpleNamespace(home=home, env=dict(os.environ, DBDOCK_HOME=str(home),
                                                    DBDOCK_KEYRING_SERVICE="dbdock-mcp-test"))

    async def body():
        async with session_over("stdio", own) as s:
            for i in range(6):
                await s.ok("execute-query", connectionId="shop",
                           query="SELECT count(*) AS n FROM customers WHERE id > ?", params=[i])

    run(body)
    ids = sorted(e["id"] for e in json.loads(dbdock(home, "audit", "--format", "json").stdout))
    assert len(ids) == 6, ids

    def verify():
        return dbdock(home, "audit", "verify", check=False)

    out = verify()
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("intact: 6 rows"), out.stdout
    report = json.loads(dbdock(home, "audit", "verify", "--format", "json").stdout)
    assert report["intact"] and report["rows"] == 6 and len(report["head"]) == 64, report
    assert report["head"] in out.stdout

    store = sqlite3.connect(home / "dbdock.db", isolation_level=None, timeout=10)
    try:
        middle = ids[2]

        def broken_at(row_id):
            out = verify()
            assert out.returncode == 1, out.stdout + out.stderr
            assert out.stdout.startswith(f"broken at row {row_id}:"), out.stdout
            return out.stdout

        # Edited: the row itself is named; put back, the log verifies again.
        (statement,) = store.execute("SELECT statement FROM audit_log WHERE id = ?", (middle,)).fetchone()
        store.execute("UPDATE audit_log SET statement = 'SELECT 1' WHERE id = ?", (middle,))
        assert "changed" in broken_at(middle)
        store.execute("UPDATE audit_log SET statement = ? WHERE id = ?", (statement, middle))
        assert verify().returncode == 0

        # Deleted: the row after the gap is named.
        saved = store.execute("SELECT * FROM audit_log WHERE id = ?", (middle,)).fetchone()
        store.execute("DELETE FROM audit_log WHERE id = ?", (middle,))
        assert "missing" in broken_at(ids[3])
        store.execute(f"INSERT INTO audit_log VALUES ({', '.join('?' * len(saved))})", saved)
        assert verify().returncode == 0

        # Inserted: a row DB Dock did not write.
        store.execute("INSERT INTO audit_log (transport, tool, statement, duration_ms, outcome) "
                      "VALUES ('stdio', 'execute-query', 'SELECT alibi', 1.0, 'ok')")
        assert "inserted by hand" in broken_at(ids[-1] + 1)
    finally:
        store.close()

"""The MCP surface as a client sees it, over stdio and streamable HTTP."""

import json

import pytest

from conftest import run, session_over

TOOLS = {
    "list-connections": (True, False),
    "connect-database": (True, False),
    "disconnect-database": (True, False),
    "execute-query": (True, False),
    "execute-update": (False, True),
    "search-objects": (True, False),
    "explain-query": (True, False),
    "sample-events": (True, False),
    "subscribe": (True, False),
    "read-events": (True, False),
    "unsubscribe": (True, False),
    "publish": (False, False),
    "request": (False, False),
    "stream-lag": (True, False),
    "reset-consumer-offset": (False, True),
}


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_tools_resources_and_queries(world, transport):
    async def body():
        async with session_over(transport, world) as s:
            init = s.session
            tools = (await init.list_tools()).tools
            assert {t.name for t in tools} == set(TOOLS)
            for t in tools:
                read_only, destructive = TOOLS[t.name]
                assert t.annotations.readOnlyHint is read_only, t.name
                assert t.annotations.destructiveHint is destructive, t.name
                assert len(t.description) > 60, t.name
                assert t.inputSchema["type"] == "object"
            query_schema = next(t for t in tools if t.name == "execute-query").inputSchema
            assert set(query_schema["required"]) == {"connectionId", "query"}
            assert "params" in query_schema["properties"]

            listed = await s.ok("list-connections")
            names = {c["connectionId"] for c in listed["connections"]}
            assert {"pg", "pg_fast", "pg_rw", "pg_ask", "maria", "shop"} <= names
            assert "hidden" not in names, "profiles with AI access none are never exposed"
            pg = next(c for c in listed["connections"] if c["connectionId"] == "pg")
            assert pg["access"] == "read-only" and pg["engine"] == "postgres" and pg["maxRows"] == 200

            # Parameters are bound, per dialect.
            rows = await s.ok("execute-query", connectionId="pg", query="SELECT name FROM customers WHERE id = $1 OR email = $2 ORDER BY id", params=[2, "ada@example.org"])
            assert rows["rows"] == [["Ada"], ["Grace"]]
            assert rows["columns"] == [{"name": "name", "type": "TEXT"}]
            rows = await s.ok("execute-query", connectionId="maria", query="SELECT name FROM customers WHERE id = ?", params=[3])
            assert rows["rows"] == [["Linus"]]
            rows = await s.ok("execute-query", connectionId="shop", query="SELECT name FROM customers WHERE country = ? ORDER BY id", params=["GB"])
            assert rows["rows"] == [["Ada Lovelace"], ["Sophie Wilson"]]
            # An injection attempt in a parameter is only a value.
            rows = await s.ok("execute-query", connectionId="pg", query="SELECT count(*) AS n FROM customers WHERE name = $1", params=["x' OR '1'='1"])
            assert rows["rows"] == [[0]]

            connected = await s.ok("connect-database", connectionId="maria")
            assert connected["state"] == "connected" and "MariaDB" in connected["serverVersion"]
            assert (await s.ok("disconnect-database", connectionId="maria"))["wasOpen"] is True
            assert (await s.ok("execute-query", connectionId="maria", query="SELECT 1 AS one"))["rows"] == [[1]]

            # Progressive disclosure.
            names_only = await s.ok("search-objects", connectionId="pg", pattern="order*")
            assert names_only["objects"] == [{"name": "public.orders", "kind": "table"}]
            summary = await s.ok("search-objects", connectionId="pg", pattern="customers", detail="summary")
            assert summary["objects"][0]["columns"] == ["id integer not null", "name text not null", "email text"]
            full = await s.ok("search-objects", connectionId="pg", pattern="orders", detail="full", objectType="table")
            assert full["objects"][0]["foreign_keys"][0]["referenced_table"] == "customers"
            views = await s.ok("search-objects", connectionId="pg", objectType="view")
            assert [o["name"] for o in views["objects"]] == ["public.big_orders"]
            columns = await s.ok("search-objects", connectionId="shop", objectType="column", pattern="*_cents")
            assert {c["column"] for c in columns["columns"]} == {"price_cents", "unit_cents"}

            plan = await s.ok("explain-query", connectionId="pg", query="SELECT * FROM orders WHERE customer_id = $1", params=[1])
            assert "Plan" in json.dumps(plan["rows"][0][0])
            plan = await s.ok("explain-query", connectionId="shop", query="SELECT * FROM orders WHERE customer_id = 1")
            assert "orders" in json.dumps(plan["rows"])
            plan = await s.ok("explain-query", connectionId="maria", query="SELECT * FROM customers WHERE id = 1")
            assert "query_block" in json.dumps(plan["rows"])

            # Resources.
            listed = (await init.list_resources()).resources
            uris = {str(r.uri) for r in listed}
            assert {"database://pg/schema", "database://pg/tables", "database://shop/schema"} <= uris
            assert not any("hidden" in u for u in uris)
            templates = {t.uriTemplate for t in (await init.list_resource_templates()).resourceTemplates}
            assert templates == {"database://{connectionId}/schema", "database://{connectionId}/tables", "database://{connectionId}/tables/{tableName}"}
            schema = json.loads((await init.read_resource("database://pg/schema")).contents[0].text)
            assert {t["name"] for t in schema["tables"]} >= {"customers", "orders", "big_orders"}
            tables = json.loads((await init.read_resource("database://shop/tables")).contents[0].text)
            assert {"name": "order_totals", "kind": "view"} in tables["tables"]
            table = json.loads((await init.read_resource("database://maria/tables/customers")).contents[0].text)
            assert table["primary_key"] == ["id"]
            for bad in ["database://pg/tables/nope", "database://pg/tables/customers%22%3B%20DROP%20TABLE%20customers%3B--", "database://nobody/schema"]:
                with pytest.raises(Exception) as raised:
                    await init.read_resource(bad)
                assert "NOT_FOUND" in str(raised.value), bad

    run(body)


def test_unknown_connections_and_write_access(world):
    async def body():
        async with session_over("stdio", world) as s:
            e = await s.error("execute-query", connectionId="nope", query="SELECT 1")
            assert e["code"] == "NOT_FOUND" and "pg" in e["message"] and "list-connections" in e["message"]
            e = await s.error("execute-query", connectionId="hidden", query="SELECT 1")
            assert e["code"] == "NOT_FOUND"
            e = await s.error("execute-update", connectionId="pg", query="UPDATE customers SET name = 'x'")
            assert e["code"] == "READ_ONLY_VIOLATION" and "read-write" in e["message"]
            e = await s.error("execute-update", connectionId="pg_ask", query="UPDATE customers SET name = 'x'")
            assert e["code"] == "PERMISSION_DENIED" and "approval" in e["message"]
            e = await s.error("connect-database", connectionId="adhoc", url="sqlite:/tmp/x.db")
            assert e["code"] == "PERMISSION_DENIED" and "--allow-adhoc" in e["message"]
            e = await s.error("execute-query", connectionId="pg", query="SELEC 1")
            assert e["code"] == "INVALID_INPUT" and "typo" in e["message"]
            e = await s.error("execute-query", connectionId="pg", query="SELECT * FROM no_such_table")
            assert e["code"] == "NOT_FOUND"
            # read-write allows writes, through execute-update only.
            done = await s.ok("execute-update", connectionId="pg_rw", query="UPDATE orders SET total = total WHERE id = $1", params=[10])
            assert done["rows_affected"] == 1
            e = await s.error("execute-query", connectionId="pg_rw", query="UPDATE orders SET total = 0")
            assert e["code"] == "READ_ONLY_VIOLATION"

    run(body)


def test_profile_filter_and_adhoc(world, tmp_path):
    async def body():
        async with session_over("stdio", world, "--profile", "shop", "--allow-adhoc") as s:
            listed = await s.ok("list-connections")
            assert [c["connectionId"] for c in listed["connections"]] == ["shop"]
            e = await s.error("execute-query", connectionId="pg", query="SELECT 1")
            assert e["code"] == "NOT_FOUND"
            opened = await s.ok("connect-database", connectionId="scratch", url=f"sqlite:{world.sqlite_file}")
            assert opened["access"] == "read-only"
            rows = await s.ok("execute-query", connectionId="scratch", query="SELECT count(*) FROM products")
            assert rows["rows"] == [[8]]

    run(body)


@pytest.mark.parametrize("stdout_kind", ["pipe", "file"])
def test_stdio_waits_for_a_slow_client(world, tmp_path, stdout_kind):
    """A client that writes `initialize` a while after starting the server gets its answer,
    whether stdout is a pipe (the usual case) or a file (stdin piped, stdout redirected)."""
    import subprocess
    import time

    from conftest import DBDOCK

    out_path = tmp_path / "stdout.jsonl"
    with open(out_path, "wb") as out_file:
        stdout = subprocess.PIPE if stdout_kind == "pipe" else out_file
        proc = subprocess.Popen([DBDOCK, "mcp"], env=world.env, stdin=subprocess.PIPE, stdout=stdout,
                                stderr=subprocess.PIPE)
        try:
            time.sleep(0.5)
            assert proc.poll() is None, f"dbdock mcp exited before the client spoke: {proc.stderr.read()!r}"
            request = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                  "clientInfo": {"name": "slow", "version": "1"}}}
            proc.stdin.write((json.dumps(request) + "\n").encode())
            proc.stdin.close()
            if stdout_kind == "pipe":
                line = proc.stdout.readline()
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if stdout_kind == "file":
        line = out_path.read_bytes().split(b"\n")[0]
    answer = json.loads(line)
    assert answer["id"] == 1 and "protocolVersion" in answer["result"], answer

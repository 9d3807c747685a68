"""SQL Server through the MCP endpoint, against pysqlbridge (PyPI): a TDS server that serves
CSV and JSON files as read-only tables behind a TLS login with a password. The real server
is covered by the engine's mssql_server tests in the real-servers workflow.

The bridge checks the profile's password (conftest.SECRET, kept in the keyring), so a wrong
one is refused; the password must appear in no tool output, no server log and no file."""

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT, SECRET, dbdock, free_port, run, session_over

BRIDGE = os.environ.get("DBDOCK_PYSQLBRIDGE", str(ROOT / ".venv-test" / "bin" / "pysqlbridge"))
USER = "tester"
DATABASE = "pysqlbridge"  # what the bridge announces, whatever the client asks for

PEOPLE = "id,name,score,joined\n1,Ada,99.5,2024-01-15\n2,Grace,87.25,2023-12-31\n3,Edsger,,2020-02-29\n"
ITEMS = [
    {"id": 1, "label": "Zoë Ünïcode ✓", "big": 9007199254740993, "note": ""},
    {"id": 2, "label": "plain", "big": -5, "note": None},
]


@pytest.fixture(scope="module")
def bridge(world, tmp_path_factory):
    """A pysqlbridge on a free port, and the profiles `mssql` (read-only) and `mssql_bad`
    (a wrong password) in the shared home; all gone at the end of the module."""
    if not Path(BRIDGE).is_file():
        pytest.fail(f"pysqlbridge (the SQL Server test server) is not installed at {BRIDGE}: run bash scripts/test.sh "
                    "(it installs pysqlbridge==2.1.3 into .venv-test) or set DBDOCK_PYSQLBRIDGE")
    # Outside the home: test_audit checks that no file there holds the secret. The config
    # names the password by an environment variable, so it is on no disk at all.
    directory = tmp_path_factory.mktemp("sqlbridge")
    (directory / "people.csv").write_text(PEOPLE)
    (directory / "items.json").write_text(json.dumps(ITEMS, ensure_ascii=False))
    config = {
        "logins": [{"user": USER, "password": "${DBDOCK_SQLBRIDGE_PASSWORD}"}],
        "tables": [{"name": "people", "csv": "people.csv"}, {"name": "items", "json": "items.json"}],
    }
    (directory / "config.json").write_text(json.dumps(config))
    port = free_port()
    log_path = directory / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [BRIDGE, "--host", "127.0.0.1", "--port", str(port), "--config", str(directory / "config.json")],
        cwd=directory, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        env=dict(os.environ, DBDOCK_SQLBRIDGE_PASSWORD=SECRET),
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail(f"pysqlbridge did not start listening on 127.0.0.1:{port}: {log_path.read_text()}")
            time.sleep(0.05)
        base = f"sqlserver://{USER}:{{}}@127.0.0.1:{port}/{DATABASE}?trustServerCertificate=true"
        added = [
            dbdock(world.home, "profile", "add", "mssql", "--url", base.format(SECRET), "--timeout", "10"),
            dbdock(world.home, "profile", "add", "mssql_bad", "--url", base.format(f"{SECRET}-wrong")),
            dbdock(world.home, "profile", "show", "mssql"),
        ]
        for out in added:
            assert SECRET not in out.stdout + out.stderr, out
        yield log_path
    finally:
        for profile in ["mssql", "mssql_bad"]:
            dbdock(world.home, "profile", "rm", profile, check=False)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_queries_schema_resources_and_refusals(world, bridge):
    outputs = []

    async def body():
        async with session_over("stdio", world) as s:
            async def ok(tool, **arguments):
                result = await s.call(tool, **arguments)
                outputs.append(result.model_dump_json())
                assert not result.isError, f"{tool} {arguments} failed: {result.content[0].text}"
                return result.structuredContent

            async def error(tool, **arguments):
                result = await s.call(tool, **arguments)
                outputs.append(result.model_dump_json())
                assert result.isError, f"{tool} {arguments} succeeded: {result.content[0].text[:300]}"
                return result.structuredContent["error"]

            listed = await ok("list-connections")
            by_id = {c["connectionId"]: c for c in listed["connections"]}
            assert by_id["mssql"]["engine"] == "mssql"
            assert by_id["mssql"]["access"] == "read-only"
            assert by_id["mssql_bad"]["engine"] == "mssql"

            # @P1, @P2: bound by the server, typed as the JSON values are.
            rows = await ok("execute-query", connectionId="mssql",
                            query="SELECT id, name, score FROM people WHERE id >= @P1 AND name <> @P2 ORDER BY id",
                            params=[1, "Grace"])
            assert [c["name"] for c in rows["columns"]] == ["id", "name", "score"]
            assert [c["type"] for c in rows["columns"]] == ["int", "nvarchar", "float"]
            assert rows["rows"] == [[1, "Ada", 99.5], [3, "Edsger", None]]
            assert rows["truncated"] is False
            rows = await ok("execute-query", connectionId="mssql",
                            query="SELECT label, big, note FROM items WHERE id = @P1", params=[1])
            assert rows["rows"] == [["Zoë Ünïcode ✓", 9007199254740993, ""]]
            rows = await ok("execute-query", connectionId="mssql", query="SELECT COUNT(*) AS n FROM items WHERE note IS NULL")
            assert rows["rows"] == [[1]]
            short = await error("execute-query", connectionId="mssql", query="SELECT @P1, @P2", params=[1])
            assert short["code"] == "INVALID_INPUT" and "@P1" in short["message"]

            names = await ok("search-objects", connectionId="mssql", pattern="peo*")
            assert names["objects"] == [{"name": "dbo.people", "kind": "table"}]
            names = await ok("search-objects", connectionId="mssql")
            assert [o["name"] for o in names["objects"]] == ["dbo.items", "dbo.people"]
            summary = await ok("search-objects", connectionId="mssql", pattern="people", detail="summary")
            [people] = summary["objects"]
            assert people["name"] == "dbo.people" and people["kind"] == "table"
            assert people["columns"] == ["id int", "name nvarchar(6)", "score float", "joined nvarchar(10)"]
            columns = await ok("search-objects", connectionId="mssql", objectType="column", pattern="big")
            assert columns["columns"] == [
                {"table": "dbo.items", "column": "big", "type": "bigint", "nullable": True, "primary_key": False}]

            resource = await s.session.read_resource("database://mssql/tables/people")
            table = json.loads(resource.contents[0].text)
            outputs.append(resource.model_dump_json())
            assert (table["schema"], table["name"], table["kind"]) == ("dbo", "people", "table")
            assert [(c["name"], c["type"]) for c in table["columns"]] == [
                ("id", "int"), ("name", "nvarchar(6)"), ("score", "float"), ("joined", "nvarchar(10)")]
            listing = json.loads((await s.session.read_resource("database://mssql/tables")).contents[0].text)
            assert [t["name"] for t in listing["tables"]] == ["dbo.items", "dbo.people"]

            # Read-only: execute-update is refused by the profile, writes and escapes by the
            # classifier before they reach the server.
            for query in ["INSERT INTO people (id, name) VALUES (4, 'Barbara')", "DELETE FROM people"]:
                refused = await error("execute-update", connectionId="mssql", query=query)
                assert refused["code"] == "READ_ONLY_VIOLATION", (query, refused)
            for query in ["EXEC xp_cmdshell 'id'", "SELECT 1 COMMIT", "SELECT 1 AS a; DELETE FROM people",
                          "EXEC sp_executesql N'DELETE FROM people'", "SELECT * INTO #copy FROM people"]:
                refused = await error("execute-query", connectionId="mssql", query=query)
                assert refused["code"] == "READ_ONLY_VIOLATION", (query, refused)
            rows = await ok("execute-query", connectionId="mssql", query="SELECT COUNT(*) AS n FROM people")
            assert rows["rows"] == [[3]]

            # The wrong password: refused by the server, and said so.
            bad = await error("execute-query", connectionId="mssql_bad", query="SELECT 1 AS one")
            assert bad["code"] == "AUTH_FAILED", bad
            assert "18456" in bad["message"]
            bad = await error("connect-database", connectionId="mssql_bad")
            assert bad["code"] == "AUTH_FAILED", bad

    run(body)
    assert outputs and all(SECRET not in out for out in outputs)
    server_log = (world.home / "stdio-stderr.log").read_text()
    assert SECRET not in server_log
    assert SECRET not in bridge.read_text()
    leaking = [str(p) for p in Path(world.home).rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaking == []

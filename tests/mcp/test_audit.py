"""Every call is audited with its outcome, and the profile's password appears nowhere:
not in the audit log, the tool outputs, the server's log, or any file of the home."""

import json
from pathlib import Path

from conftest import SECRET, dbdock, run, session_over


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

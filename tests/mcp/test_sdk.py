"""Which protocol era a client of each MCP Python SDK line actually ends up speaking with
`dbdock mcp` (scripts/test.sh runs this whole suite under 1.x and under 2.x), and what the
endpoint answers a 2026-07-28 client that never sends `initialize`."""

import json
import re
import subprocess

import httpx
import pytest

from conftest import DBDOCK, ROOT, http_server, rpc, run, session_over
from sdk import SDK2, SDK_VERSION

# 1.x offers its newest handshake revision and the endpoint accepts it.
HANDSHAKE = "2025-11-25"
MODERN = "2026-07-28"


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_the_negotiated_protocol_revision(world, transport):
    """1.x: the initialize handshake at 2025-11-25. 2.x (mode "auto", its default): a
    `server/discover` probe that the endpoint answers, so 2026-07-28 with no handshake."""
    async def body():
        async with session_over(transport, world) as s:
            print(f"mcp {SDK_VERSION} over {transport}: {s.session.protocol_version} ({s.session.era})")
            if SDK2:
                assert (s.session.protocol_version, s.session.era) == (MODERN, "2026")
                discovered = s.session.client.session.discover_result
                assert discovered is not None and s.session.client.session.initialize_result is None
                assert MODERN in discovered.supported_versions and HANDSHAKE in discovered.supported_versions
            else:
                assert (s.session.protocol_version, s.session.era) == (HANDSHAKE, "handshake")
            # Who answered, in either era (2026: the discover result's _meta serverInfo).
            assert s.session.server_info.name == "dbdock"
            listed = await s.ok("list-connections")
            assert "shop" in {c["connectionId"] for c in listed["connections"]}

    run(body)


@pytest.mark.skipif(not SDK2, reason="only the 2.x line can be told to skip discovery")
@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_a_2x_client_pinned_to_the_handshake_still_works(world, transport):
    """What a 2.x client does against a server without `server/discover` (its fallback):
    the handshake at its newest handshake revision, and the tools work as before."""
    async def body():
        async with session_over(transport, world, mode="legacy") as s:
            assert (s.session.protocol_version, s.session.era) == (HANDSHAKE, "handshake")
            assert s.session.client.session.initialize_result is not None
            rows = await s.ok("execute-query", connectionId="shop", query="SELECT count(*) AS n FROM products")
            assert rows["rows"] == [[8]]

    run(body)


def test_stdio_speaks_2026_without_initialize(world):
    """The 2026-07-28 wire by hand, whatever SDK is installed: `server/discover` first, then
    requests whose _meta carries the revision, client info and capabilities, no initialize
    at all; a write that needs the user's approval comes back as an `input_required` result
    (not an elicitation request) and its retry carries the answer."""
    meta = {"io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientInfo": {"name": "probe", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}}}
    proc = subprocess.Popen([DBDOCK, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=world.env, text=True)

    def ask(n, method, **params):
        rpc(proc, {"jsonrpc": "2.0", "id": n, "method": method, "params": {"_meta": meta, **params}})
        answer = json.loads(proc.stdout.readline())
        assert answer["id"] == n and "result" in answer, answer
        return answer["result"]

    try:
        discovered = ask(1, "server/discover")
        assert MODERN in discovered["supportedVersions"] and HANDSHAKE in discovered["supportedVersions"], discovered
        assert discovered["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "dbdock", discovered
        assert {"ttlMs", "cacheScope", "capabilities"} <= set(discovered), discovered
        called = ask(2, "tools/call", name="execute-query", arguments={"connectionId": "shop", "query": "SELECT 1 AS one"})
        assert not called.get("isError") and called["structuredContent"]["rows"] == [[1]], called
        write = {"name": "execute-update", "arguments": {"connectionId": "pg_ask", "query": "UPDATE customers SET name = name"}}
        asked = ask(3, "tools/call", **write)
        assert asked["resultType"] == "input_required", asked
        ((key, question),) = asked["inputRequests"].items()
        assert question["method"] == "elicitation/create" and "UPDATE customers" in question["params"]["message"], question
        declined = ask(4, "tools/call", **write, inputResponses={key: {"action": "decline"}},
                       requestState=asked["requestState"])
        assert declined["isError"] and declined["structuredContent"]["error"]["code"] == "PERMISSION_DENIED", declined
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_http_serves_2026_requests_without_a_session(world):
    """The same over streamable HTTP: each request stands alone (no Mcp-Session-Id is handed
    out or needed), with the revision in the MCP-Protocol-Version header and in _meta."""
    meta = {"io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientInfo": {"name": "probe", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": {}}
    with http_server(world) as (url, token):
        def post(n, method, **params):
            headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
                       "Authorization": f"Bearer {token}", "MCP-Protocol-Version": MODERN, "Mcp-Method": method}
            if method == "tools/call":
                headers["Mcp-Name"] = params["name"]
            answer = httpx.post(url, headers=headers, timeout=30, json={
                "jsonrpc": "2.0", "id": n, "method": method, "params": {"_meta": meta, **params}})
            assert answer.status_code == 200, answer.text
            assert "mcp-session-id" not in answer.headers, answer.headers
            # A JSON body, or one SSE event carrying it.
            body = answer.text if answer.headers["content-type"].startswith("application/json") else next(
                line[5:] for line in answer.text.splitlines() if line.startswith("data:") and line[5:].strip())
            message = json.loads(body)
            assert message["id"] == n and "result" in message, message
            return message["result"]

        discovered = post(1, "server/discover")
        assert MODERN in discovered["supportedVersions"], discovered
        called = post(2, "tools/call", name="execute-query", arguments={"connectionId": "shop", "query": "SELECT 1 AS one"})
        assert not called.get("isError") and called["structuredContent"]["rows"] == [[1]], called


def test_both_sdk_lines_pin_the_same_tools():
    """tests/requirements-sdk2.txt differs from tests/requirements.txt only in the mcp pin."""
    def pins(name):
        lines = (ROOT / "tests" / name).read_text().splitlines()
        return {line for line in lines if line and not line.startswith("#") and not re.match(r"mcp==", line)}

    assert pins("requirements.txt") == pins("requirements-sdk2.txt")

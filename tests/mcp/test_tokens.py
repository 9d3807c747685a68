"""Named HTTP tokens (docs/safety.md, "HTTP tokens"): each sees only its profiles, reads
unless scoped write, is refused on the next request once revoked, has its own rate limit;
/metrics for tokens with the metrics scope, /health for anyone; no token stored in the clear."""

import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import DBDOCK, dbdock, free_port, http_server, make_token, run, session_over
from sdk import McpError, connect, http

ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}}}


def open_session(url, token):
    """An initialized session by hand: the headers to send with its requests."""
    headers = {**ACCEPT, "Authorization": f"Bearer {token}"}
    init = httpx.post(url, json=INIT, headers=headers, timeout=10)
    assert init.status_code == 200, init.text
    headers["Mcp-Session-Id"] = init.headers["mcp-session-id"]
    done = httpx.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers, timeout=10)
    assert done.status_code in (200, 202), done.text
    return headers


def ping(url, headers, n=2):
    return httpx.post(url, json={"jsonrpc": "2.0", "id": n, "method": "ping"}, headers=headers, timeout=10)


def test_a_token_sees_only_its_profiles(world):
    token = make_token(world, "only-shop", "--profile", "shop")

    async def body():
        async with session_over("http", world, token=token) as s:
            listed = await s.ok("list-connections")
            assert [c["connectionId"] for c in listed["connections"]] == ["shop"]
            assert (await s.ok("execute-query", connectionId="shop", query="SELECT 1 AS one"))["rows"] == [[1]]
            # Another profile does not exist for this token: the same answer as a name nobody has.
            hidden = await s.error("execute-query", connectionId="pg", query="SELECT 1")
            unknown = await s.error("execute-query", connectionId="no_such_profile", query="SELECT 1")
            assert hidden["code"] == unknown["code"] == "NOT_FOUND", hidden
            assert "pg" not in hidden["message"].replace("no connection 'pg'", ""), hidden["message"]
            resources = await s.session.list_resources()
            assert {str(r.uri).split("/")[2] for r in resources.resources} == {"shop"}
            # The SDK raises McpError with the server's error.
            with pytest.raises(McpError, match="no connection 'pg'"):
                await s.session.read_resource("database://pg/schema")

    run(body)


def test_a_read_token_cannot_write_even_on_a_read_write_profile(world):
    reader = make_token(world, "reader", "--profile", "pg_rw")
    writer = make_token(world, "writer", "--profile", "pg_rw", "--scope", "write")

    async def body():
        async with session_over("http", world, token=reader) as s:
            listed = await s.ok("list-connections")
            assert listed["connections"][0]["access"] == "read-only", listed
            refused = await s.error("execute-update", connectionId="pg_rw", query="CREATE TABLE made_by_reader (id int)")
            assert refused["code"] == "READ_ONLY_VIOLATION" and "reader" in refused["message"], refused
        async with session_over("http", world, token=writer) as s:
            listed = await s.ok("list-connections")
            assert listed["connections"][0]["access"] == "read-write", listed
            done = await s.ok("execute-update", connectionId="pg_rw", query="CREATE TABLE made_by_writer (id int)")
            assert "rowsAffected" in json.dumps(done) or "rows_affected" in json.dumps(done), done
            await s.ok("execute-update", connectionId="pg_rw", query="DROP TABLE made_by_writer")

    run(body)
    tables = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", world.pg_db, "-Atc",
                             "SELECT count(*) FROM pg_tables WHERE tablename = 'made_by_reader'"],
                            capture_output=True, text=True, check=True)
    assert tables.stdout.strip() == "0"


def test_a_revoked_token_is_refused_on_its_next_request(world):
    token = make_token(world, "short-lived")
    with http_server(world) as (url, _):
        headers = open_session(url, token)
        assert ping(url, headers).status_code == 200
        dbdock(world.home, "mcp", "token", "revoke", "short-lived")
        refused = ping(url, headers, 3)
        assert refused.status_code == 401, refused.text
        assert httpx.post(url, json=INIT, headers={**ACCEPT}, timeout=10).status_code == 401
        assert httpx.post(url, json=INIT, headers={**ACCEPT, "Authorization": f"Bearer {token}",
                                                   "Origin": "http://evil.example"}, timeout=10).status_code == 403
    listed = dbdock(world.home, "mcp", "token", "list", "--format", "json").stdout
    assert "short-lived" not in listed


def test_a_flood_is_rate_limited_with_retry_after_and_other_tokens_stay_served(world):
    flood = make_token(world, "flood", "--rate", "50")
    calm = make_token(world, "calm")
    with http_server(world) as (url, _):
        flood_headers, calm_headers = open_session(url, flood), open_session(url, calm)
        started = time.monotonic()

        def send(i):
            # 200 requests paced over one second, from several threads so none waits on another.
            time.sleep(max(0.0, started + i / 200 - time.monotonic()))
            return http.post(url, json={"jsonrpc": "2.0", "id": 10 + i, "method": "ping"}, headers=flood_headers)

        with httpx.Client(timeout=10, limits=httpx.Limits(max_connections=16)) as http:
            with ThreadPoolExecutor(max_workers=12) as pool:
                answers = pool.map(send, range(200))
                calm_ok = []
                for _ in range(5):
                    time.sleep(0.15)
                    calm_ok.append(http.post(url, json={"jsonrpc": "2.0", "id": 999, "method": "ping"},
                                             headers=calm_headers).status_code)
                answers = list(answers)
        statuses = [a.status_code for a in answers]
        retry_after = {a.headers.get("retry-after") for a in answers if a.status_code == 429}
        codes = {a.json()["code"] for a in answers if a.status_code == 429}
        limited, served = statuses.count(429), statuses.count(200)
        print(f"flood at 200 requests/s against 50/s: {served} served, {limited} refused with 429")
        assert limited + served == 200, statuses
        assert limited >= 40 and served >= 50, (limited, served)
        assert codes == {"RATE_LIMITED"}, codes
        assert retry_after and all(v is not None and int(v) >= 1 for v in retry_after), retry_after
        assert calm_ok == [200] * len(calm_ok), calm_ok


def test_metrics_count_the_calls_and_health_needs_no_token(world):
    metrics_token = make_token(world, "scraper", "--scope", "metrics")
    plain = make_token(world, "no-metrics")

    with http_server(world, token=metrics_token) as (url, token):
        base = url.removesuffix("/mcp")
        health = httpx.get(f"{base}/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok" and health.json()["version"], health.text
        assert httpx.get(f"{base}/metrics", timeout=10).status_code == 401
        assert httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {plain}"}, timeout=10).status_code == 403

        # The calls go to this very server (session_over would start another).
        async def calls():
            async with connect(http(url, token)) as session:
                for _ in range(5):
                    r = await session.call_tool("execute-query", {"connectionId": "shop", "query": "SELECT 1 AS one"})
                    assert not r.isError, r.content[0].text
                r = await session.call_tool("execute-query", {"connectionId": "shop", "query": "SELECT * FROM no_such_table"})
                assert r.isError

        run(calls)
        scraped = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain"), scraped.text
        families = {f.name: f for f in text_string_to_metric_families(scraped.text)}
        calls_total = {(s.labels["tool"], s.labels["connection"], s.labels["outcome"]): s.value
                       for s in families["dbdock_mcp_calls"].samples if s.name == "dbdock_mcp_calls_total"}
        assert calls_total[("execute-query", "shop", "ok")] == 5, calls_total
        assert calls_total[("execute-query", "shop", "error")] == 1, calls_total
        latency = {s.labels.get("le"): s.value for s in families["dbdock_mcp_call_duration_seconds"].samples
                   if s.name.endswith("_bucket") and s.labels["tool"] == "execute-query"}
        assert latency["+Inf"] == 6, latency
        rows = [s.value for s in families["dbdock_mcp_rows_returned"].samples
                if s.labels == {"tool": "execute-query", "connection": "shop"}]
        assert rows == [5], rows
        assert "dbdock_connections" in families and "dbdock_approvals_pending" in families


def test_tokens_are_kept_only_as_hashes_and_never_logged(world):
    token = make_token(world, "secret-check", "--scope", "write")
    with http_server(world, token=token) as (url, _):
        assert ping(url, open_session(url, token)).status_code == 200
    dbdock(world.home, "audit")
    for path in Path(world.home).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert token.encode() not in data, f"the token is in {path}"


def test_the_old_plain_token_file_becomes_the_default_token(tmp_path):
    home = tmp_path / "old-home"
    home.mkdir()
    old = "c0ffee" * 11
    (home / "mcp-http-token").write_text(old + "\n")
    env = dict(os.environ, DBDOCK_HOME=str(home), DBDOCK_KEYRING_SERVICE="dbdock-mcp-test")

    class Old:
        pass

    old_world = Old()
    old_world.home, old_world.env = home, env
    with http_server(old_world, token=old) as (url, _):
        assert ping(url, open_session(url, old)).status_code == 200
    assert not (home / "mcp-http-token").exists()
    listed = json.loads(subprocess.run([DBDOCK, "mcp", "token", "list", "--format", "json"], env=env,
                                       capture_output=True, text=True, check=True).stdout)
    assert [t["name"] for t in listed] == ["default"] and set(listed[0]["scopes"]) == {"read", "write", "metrics"}


def test_a_fresh_home_gets_a_default_token_shown_once(tmp_path):
    home = tmp_path / "new-home"
    home.mkdir()
    env = dict(os.environ, DBDOCK_HOME=str(home), DBDOCK_KEYRING_SERVICE="dbdock-mcp-test")
    port = free_port()
    proc = subprocess.Popen([DBDOCK, "mcp", "--http", f"127.0.0.1:{port}"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        first, second = proc.stderr.readline(), proc.stderr.readline()
        assert "/mcp" in first, first
        token = second.strip().rsplit(" ", 1)[-1]
        assert token.startswith("dbdock_") and "shown once" in second, second
        url = f"http://127.0.0.1:{port}/mcp"
        assert ping(url, open_session(url, token)).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for path in home.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), f"the token is in {path}"

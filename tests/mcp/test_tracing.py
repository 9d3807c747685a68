"""Tool-call spans exported over OTLP/HTTP (`dbdock mcp --otlp-endpoint`): a tiny collector
in the test records every POST; the span continues the caller's trace from the
`traceparent` in the request's `_meta`, carries the statement only with
`--otlp-statements`, and nothing is sent at all without an endpoint."""

import contextlib
import json
import secrets
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import DBDOCK, rpc

STATEMENT = "SELECT 1 AS one"


class Collector:
    """An OTLP/HTTP collector on loopback that keeps what it is sent."""

    def __init__(self, port=0):
        self.posts = []
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                posts.append((self.path, self.headers.get("Content-Type"), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def spans(self):
        """Every span received, with its resource's attributes, attributes as a dict."""
        found = []
        for path, content_type, body in self.posts:
            assert path == "/v1/traces", path
            assert content_type == "application/json", content_type
            for resource_spans in json.loads(body)["resourceSpans"]:
                resource = attributes(resource_spans.get("resource", {}))
                for scope in resource_spans.get("scopeSpans", []):
                    for span in scope.get("spans", []):
                        found.append({**span, "attributes": attributes(span), "resource": resource})
        return found


def attributes(item):
    """OTLP/JSON key-values as a dict of plain values."""
    return {kv["key"]: next(iter(kv["value"].values()), None) for kv in item.get("attributes", [])}


def call_over_stdio(world, *args, env=None, meta, modern):
    """One `execute-query` on `shop` with `meta` in its `_meta`, then stdin closed so the
    endpoint exits; returns the call's result. `modern`: as a 2026-07-28 client (no
    handshake, the client's context in every request's `_meta`), else as a 2025 one."""
    env = env or {k: v for k, v in world.env.items() if k != "DBDOCK_OTLP_ENDPOINT"}
    log = open(world.home / "tracing-stderr.log", "a")
    proc = subprocess.Popen([DBDOCK, "mcp", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                            env=env, text=True)
    try:
        if modern:
            meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientCapabilities": {},
                    "io.modelcontextprotocol/clientInfo": {"name": "probe", "version": "1"}, **meta}
        else:
            rpc(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}}})
            assert "dbdock" in proc.stdout.readline()
            rpc(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        rpc(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "_meta": meta, "name": "execute-query", "arguments": {"connectionId": "shop", "query": STATEMENT}}})
        while True:
            line = proc.stdout.readline()
            assert line, f"the endpoint closed stdout: {(world.home / 'tracing-stderr.log').read_text()[-2000:]}"
            message = json.loads(line)
            if message.get("id") == 2:
                break
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0, (world.home / "tracing-stderr.log").read_text()[-2000:]
        assert "error" not in message, message
        assert not message["result"].get("isError"), message
        return message["result"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def the_tool_call(collector, trace_id):
    spans = [s for s in collector.spans() if s["name"] == "mcp.tool_call"]
    assert len(spans) == 1, collector.posts
    span = spans[0]
    assert span["traceId"] == trace_id, span
    return span


def test_a_tool_call_span_continues_the_callers_trace_without_the_statement(world):
    trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
    with Collector() as collector:
        call_over_stdio(world, "--otlp-endpoint", collector.url, meta={"traceparent": f"00-{trace_id}-{parent_id}-01"},
                        modern=True)
    span = the_tool_call(collector, trace_id)
    assert span["parentSpanId"] == parent_id, span
    assert span["spanId"] not in ("", parent_id), span
    assert span["kind"] in (2, "SPAN_KIND_SERVER"), span
    assert span["attributes"]["tool"] == "execute-query", span
    assert span["attributes"]["connection"] == "shop", span
    assert span["attributes"]["outcome"] == "ok", span
    assert "db.statement" not in span["attributes"], span
    assert STATEMENT not in json.dumps(span), span
    assert span["resource"]["service.name"] == "dbdock", span
    assert span["resource"]["service.version"], span
    # Only tool calls leave the process: no driver span or log line comes with them.
    assert {s["name"] for s in collector.spans()} == {"mcp.tool_call"}, collector.spans()


def test_the_statement_is_on_the_span_only_with_otlp_statements(world):
    trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
    with Collector() as collector:
        # The endpoint from DBDOCK_OTLP_ENDPOINT, as from --otlp-endpoint; a 2025 client.
        env = dict(world.env, DBDOCK_OTLP_ENDPOINT=collector.url)
        call_over_stdio(world, "--otlp-statements", env=env,
                        meta={"traceparent": f"00-{trace_id}-{parent_id}-01", "tracestate": "vendor=probe"},
                        modern=False)
    span = the_tool_call(collector, trace_id)
    assert span["parentSpanId"] == parent_id, span
    assert span["attributes"]["db.statement"] == STATEMENT, span
    assert span["attributes"]["connection"] == "shop", span


def test_nothing_is_sent_without_an_endpoint(world):
    # A collector on OTLP's default port (when free) and named by the standard OTel variable:
    # neither turns export on; only --otlp-endpoint or DBDOCK_OTLP_ENDPOINT does.
    with contextlib.ExitStack() as stack:
        collectors = [stack.enter_context(Collector())]
        with contextlib.suppress(OSError):
            collectors.append(stack.enter_context(Collector(4318)))
        env = {k: v for k, v in world.env.items() if k != "DBDOCK_OTLP_ENDPOINT"}
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = collectors[0].url
        env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = collectors[0].url + "/v1/traces"
        trace_id = secrets.token_hex(16)
        call_over_stdio(world, env=env, meta={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}, modern=True)
    for collector in collectors:
        assert collector.posts == [], collector.posts


def test_an_endpoint_that_is_not_http_is_refused(world):
    for bad in ["grpc://127.0.0.1:4317", "127.0.0.1:4318", "file:///tmp/spans"]:
        out = subprocess.run([DBDOCK, "mcp", "--otlp-endpoint", bad], input="", capture_output=True, text=True,
                             env=world.env, timeout=30)
        assert out.returncode == 2, out
        assert "error[INVALID_INPUT]" in out.stderr and "http://" in out.stderr, out.stderr


def test_a_collector_that_never_answers_does_not_hold_the_exit(world):
    # Accepts the connection and then says nothing: the flush gives up after ~2 s.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        call_over_stdio(world, "--otlp-endpoint", url, meta={}, modern=True)
        assert time.monotonic() - started < 8
    finally:
        listener.close()

"""One face over both lines of the official MCP Python SDK, so the same black-box tests
prove a client of either era (scripts/test.sh runs them once per line):

- 1.x (tests/requirements.txt): a 2025-era client. `ClientSession.initialize()` is the
  handshake; results are pydantic models with the wire's camelCase names (`isError`).
- 2.x (tests/requirements-sdk2.txt): speaks both eras. `mcp.Client` (mode "auto", as an
  application uses it) probes `server/discover` at 2026-07-28 and falls back to the
  `initialize` handshake only when the server is not a 2026 server; results are models
  with snake_case names (`is_error`), the HTTP client is httpx2, `McpError` became
  `MCPError`, and elicitation may come back as an `input_required` result that `Client`
  answers through the same callback and retries.

The tests read results by their wire (camelCase) names in both: `wire()` wraps a model so
`result.isError` reads `is_error` under 2.x. Dicts (structuredContent, inputSchema) stay
plain dicts.
"""

import contextlib
import importlib.metadata
import re

from pydantic import BaseModel

from mcp import ClientSession, StdioServerParameters, types  # noqa: F401 (re-exported for the tests)
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

SDK_VERSION = importlib.metadata.version("mcp")
SDK2 = int(SDK_VERSION.split(".")[0]) >= 2

if SDK2:
    import httpx2 as _http
    from mcp import Client
    from mcp.shared.exceptions import MCPError as McpError
else:
    import httpx as _http
    from mcp.shared.exceptions import McpError  # noqa: F401 (re-exported)

# The revisions whose first message is `initialize` (2.x names them; 1.x knows no other).
HANDSHAKE_ERA = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")


def _snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class Wire:
    """A result model read by its wire names under either SDK line."""

    __slots__ = ("_model",)

    def __init__(self, model):
        object.__setattr__(self, "_model", model)

    def __getattr__(self, name):
        model = self._model
        try:
            value = getattr(model, name)
        except AttributeError:
            snake = _snake(name)
            if snake == name:
                raise
            value = getattr(model, snake)
        return wire(value)

    def __repr__(self):
        return repr(self._model)


def wire(value):
    if isinstance(value, BaseModel):
        return Wire(value)
    if isinstance(value, list | tuple):
        return [wire(v) for v in value]
    return value


class Connection:
    """A connected MCP client: the calls the tests make, results by wire names, and which
    protocol revision the two sides settled on."""

    def __init__(self, client, protocol_version, server_info):
        self.client = client
        self.protocol_version = protocol_version
        self.server_info = wire(server_info)

    @property
    def era(self):
        """`handshake` (2025 and earlier: initialize first, sessions) or `2026` (stateless)."""
        return "handshake" if self.protocol_version in HANDSHAKE_ERA else "2026"

    async def call_tool(self, name, arguments=None):
        return wire(await self.client.call_tool(name, arguments or {}))

    async def list_tools(self):
        return wire(await self.client.list_tools())

    async def list_resources(self):
        return wire(await self.client.list_resources())

    async def list_resource_templates(self):
        return wire(await self.client.list_resource_templates())

    async def read_resource(self, uri):
        return wire(await self.client.read_resource(uri))


@contextlib.asynccontextmanager
async def connect(transport, mode="auto", **callbacks):
    """A connection over `transport` (an async context manager yielding the SDK's streams,
    from `stdio()` or `http()`); `callbacks` are the SDK's, e.g. elicitation_callback.
    `mode` is 2.x's: "auto" (discover, else the handshake) or "legacy" (the handshake only);
    1.x always does the handshake."""
    if SDK2:
        async with Client(transport, mode=mode, **callbacks) as client:
            yield Connection(client, client.protocol_version, client.server_info)
    else:
        async with transport as streams:
            async with ClientSession(streams[0], streams[1], **callbacks) as session:
                init = await session.initialize()
                yield Connection(session, init.protocolVersion, init.serverInfo)


def stdio(params, errlog=None):
    """The stdio transport: `params` is a StdioServerParameters."""
    return stdio_client(params) if errlog is None else stdio_client(params, errlog=errlog)


@contextlib.asynccontextmanager
async def http(url, token):
    """The streamable HTTP transport with a bearer token (httpx under 1.x, httpx2 under 2.x)."""
    async with _http.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        async with streamable_http_client(url, http_client=client) as streams:
            yield streams

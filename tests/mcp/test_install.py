"""`dbdock mcp install` writes configs that work: the Claude Desktop entry is launched
exactly as written and serves the tools, and no written file holds a secret."""

import json
import os
import tomllib
from pathlib import Path

from conftest import SECRET, dbdock, run
from sdk import StdioServerParameters, connect, stdio

CLIENT_FILES = {
    "claude-desktop": ".config/Claude/claude_desktop_config.json",
    "claude-code": ".claude.json",
    "cursor": ".cursor/mcp.json",
    "vscode": ".config/Code/User/mcp.json",
    "windsurf": ".codeium/windsurf/mcp_config.json",
    "zed": ".config/zed/settings.json",
    "cline": ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
    "roo-code": ".config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
    "gemini-cli": ".gemini/settings.json",
    "codex": ".codex/config.toml",
    "kiro": ".kiro/settings/mcp.json",
    "lm-studio": ".lmstudio/mcp.json",
    "opencode": ".config/opencode/opencode.json",
}
SERVERS_KEY = {"vscode": "servers", "zed": "context_servers", "codex": "mcp_servers", "opencode": "mcp"}


def install(world, fake_home, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CONFIG_HOME", "CODEX_HOME")}
    env.update(HOME=str(fake_home), DBDOCK_HOME=str(world.home), DBDOCK_KEYRING_SERVICE="dbdock-mcp-test")
    import subprocess
    out = subprocess.run([os.environ.get("DBDOCK_BIN", "target/debug/dbdock"), "mcp", *args], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_written_claude_desktop_config_launches_and_lists_tools(world, tmp_path):
    install(world, tmp_path, "install", "--client", "claude-desktop", "--profile", "shop", "--profile", "pg")
    config = json.loads((tmp_path / CLIENT_FILES["claude-desktop"]).read_text())
    entry = config["mcpServers"]["dbdock"]
    assert Path(entry["command"]).is_absolute() and Path(entry["command"]).exists()
    assert entry["args"] == ["mcp", "--profile", "shop", "--profile", "pg"]
    assert entry["env"] == {"DBDOCK_HOME": str(world.home)}

    async def body():
        # Exactly the command, args and env the config names (plus the environment a
        # client process inherits).
        params = StdioServerParameters(command=entry["command"], args=entry["args"], env={**os.environ, **entry["env"], "DBDOCK_KEYRING_SERVICE": "dbdock-mcp-test"})
        async with connect(stdio(params)) as session:
            assert session.server_info.name == "dbdock"
            tools = {t.name for t in (await session.list_tools()).tools}
            assert {"list-connections", "execute-query", "search-objects"} <= tools
            listed = await session.call_tool("list-connections", {})
            names = sorted(c["connectionId"] for c in listed.structuredContent["connections"])
            assert names == ["pg", "shop"]
            rows = await session.call_tool("execute-query", {"connectionId": "pg", "query": "SELECT count(*) FROM customers"})
            assert not rows.isError and rows.structuredContent["rows"] == [[3]]

    run(body)


def test_every_client_gets_a_config_without_secrets(world, tmp_path):
    for client, relative in CLIENT_FILES.items():
        out = install(world, tmp_path, "install", "--client", client, "--per-profile", "--profile", "pg", "--profile", "shop")
        assert "updated" in out
        text = (tmp_path / relative).read_text()
        written = tomllib.loads(text) if relative.endswith(".toml") else json.loads(text)
        servers = written[SERVERS_KEY.get(client, "mcpServers")]
        assert sorted(servers) == ["dbdock-pg", "dbdock-shop"]
        assert "nothing to change" in install(world, tmp_path, "install", "--client", client, "--per-profile", "--profile", "pg", "--profile", "shop")
        install(world, tmp_path, "uninstall", "--client", client)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 2 * len(CLIENT_FILES)  # the configs and their backups
    assert [str(p) for p in files if SECRET.encode() in p.read_bytes()] == []

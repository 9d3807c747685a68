"""Profiles behind an SSH jump host (docs/network.md): a private sshd started by
scripts/private-sshd.sh on a loopback port, with its own host key and user key, and no
root login. PostgreSQL, MariaDB and Redis are reached through it from the CLI and the MCP
endpoint; an unknown host key is refused with its fingerprint until accepted; a wrong key
is AUTH_FAILED; no secret (the SSH password, the database password) lands in a file, a
log, an audit row or a client config."""

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import DBDOCK, ROOT, SECRET, World, run, session_over


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    where = tmp_path_factory.mktemp("sshd")
    out = subprocess.run(["bash", str(ROOT / "scripts" / "private-sshd.sh"), str(where)], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.fail(f"the private sshd (scripts/private-sshd.sh) did not start: {out.stderr}")
    port = int(out.stdout.strip())
    keygen = subprocess.run(["ssh-keygen", "-lf", str(where / "host_ed25519.pub")], capture_output=True, text=True, check=True)
    yield SimpleNamespace(
        dir=where, port=port, key=where / "user_ed25519", password=(where / "password").read_text().strip(),
        url=f"ssh://dbdock-tunnel@127.0.0.1:{port}", fingerprint=keygen.stdout.split()[1])
    subprocess.run(["pkill", "-f", str(where / "sshd_config")])


@pytest.fixture(scope="module")
def tunneled(world, tmp_path_factory):
    """A home of its own (HOME too, so no known_hosts of the machine plays a part) over the
    session's databases."""
    home = tmp_path_factory.mktemp("tunnel-home")
    w = World(home, world.pg_db, world.my_db, world.sqlite_file)
    w.env["HOME"] = str(home)
    return w


def cli(w, *args, stdin=None):
    return subprocess.run([DBDOCK, *args], input=stdin, capture_output=True, text=True, env=w.env, timeout=60)


def ok(w, *args, stdin=None):
    out = cli(w, *args, stdin=stdin)
    assert out.returncode == 0, f"dbdock {' '.join(args)}: {out.stderr}"
    return out.stdout


def forwarded_to(sshd, port):
    log = (sshd.dir / "sshd.log").read_text()
    # "server_request_direct_tcpip: originator 127.0.0.1 port 0, target 127.0.0.1 port 5432"
    return any("direct_tcpip" in line and line.endswith(f"target 127.0.0.1 port {port}") for line in log.splitlines())


def test_an_unknown_host_key_is_refused_with_its_fingerprint_then_accepted(tunneled, sshd):
    w = tunneled
    ok(w, "profile", "add", "pg_ssh", "--url", f"postgres://postgres:{SECRET}@127.0.0.1:5432/{w.pg_db}",
       "--ssh", sshd.url, "--ssh-key", str(sshd.key))
    refused = cli(w, "profile", "test", "pg_ssh")
    assert refused.returncode != 0
    assert "error[HOST_KEY_UNKNOWN]" in refused.stderr, refused.stderr
    assert sshd.fingerprint in refused.stderr, refused.stderr
    assert f"dbdock profile trust-host pg_ssh --fingerprint {sshd.fingerprint}" in refused.stderr
    # The MCP endpoint refuses the same way, with the same code.
    async def body():
        async with session_over("stdio", w) as s:
            error = await s.error("execute-query", connectionId="pg_ssh", query="SELECT 1")
            assert error["code"] == "HOST_KEY_UNKNOWN" and sshd.fingerprint in error["message"], error
    run(body)

    ok(w, "profile", "trust-host", "pg_ssh", "--fingerprint", sshd.fingerprint)
    assert f"[127.0.0.1]:{sshd.port} ssh-ed25519" in (w.home / "known_hosts").read_text()
    assert "connected" in ok(w, "profile", "test", "pg_ssh")
    shown = ok(w, "profile", "show", "pg_ssh")
    assert f"{sshd.url} (key {sshd.key})" in shown, shown


def test_postgres_mariadb_and_redis_through_the_tunnel_from_the_cli_and_mcp(tunneled, sshd):
    w = tunneled
    # Trusted by the previous test (DB Dock's own known_hosts): the same host and port.
    if not (w.home / "known_hosts").exists():
        ok(w, "profile", "add", "probe_ssh", "--url", f"postgres://postgres@127.0.0.1:5432/{w.pg_db}",
           "--ssh", sshd.url, "--ssh-key", str(sshd.key))
        ok(w, "profile", "trust-host", "probe_ssh", "--fingerprint", sshd.fingerprint)
        ok(w, "profile", "add", "pg_ssh", "--url", f"postgres://postgres:{SECRET}@127.0.0.1:5432/{w.pg_db}",
           "--ssh", sshd.url, "--ssh-key", str(sshd.key))
    # MariaDB through a password login to the jump host, given on stdin with the database's.
    ok(w, "profile", "add", "maria_ssh", "--url", f"mysql://dbdock_mcp@127.0.0.1:3306/{w.my_db}", "--password-stdin",
       "--ssh", sshd.url, "--ssh-password-stdin", stdin=f"{SECRET}\n{sshd.password}\n")
    ok(w, "profile", "add", "redis_ssh", "--url", "redis://127.0.0.1:6379", "--ssh", sshd.url, "--ssh-key", str(sshd.key))

    assert ok(w, "query", "--profile", "pg_ssh", "--format", "csv", "SELECT count(*) AS n FROM customers").split() == ["n", "3"]
    assert forwarded_to(sshd, 5432)
    assert ok(w, "query", "--profile", "maria_ssh", "--format", "csv", "SELECT count(*) AS n FROM customers").split() == ["n", "3"]
    assert forwarded_to(sshd, 3306)
    assert "Redis" in ok(w, "profile", "test", "redis_ssh") or "Valkey" in ok(w, "profile", "test", "redis_ssh")
    assert forwarded_to(sshd, 6379)

    async def body():
        async with session_over("stdio", w) as s:
            rows = (await s.ok("execute-query", connectionId="pg_ssh", query="SELECT name FROM customers ORDER BY id"))["rows"]
            assert rows == [["Ada"], ["Grace"], ["Linus"]]
            rows = (await s.ok("execute-query", connectionId="maria_ssh", query="SELECT name FROM customers ORDER BY id"))["rows"]
            assert rows == [["Ada"], ["Grace"], ["Linus"]]
            # Still read-only, enforced by the server, through the tunnel as without it.
            refused = await s.error("execute-query", connectionId="pg_ssh", query="DELETE FROM customers")
            assert refused["code"] == "READ_ONLY_VIOLATION", refused
    run(body)


def test_a_wrong_key_is_auth_failed_naming_the_hop(tunneled, sshd, tmp_path):
    w = tunneled
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "stranger")], check=True)
    if not (w.home / "known_hosts").exists():
        ok(w, "profile", "add", "probe_ssh2", "--url", "redis://127.0.0.1:6379", "--ssh", sshd.url, "--ssh-key", str(sshd.key))
        ok(w, "profile", "trust-host", "probe_ssh2", "--fingerprint", sshd.fingerprint)
    ok(w, "profile", "add", "stranger_ssh", "--url", f"postgres://postgres@127.0.0.1:5432/{w.pg_db}",
       "--ssh", sshd.url, "--ssh-key", str(tmp_path / "stranger"))
    out = cli(w, "profile", "test", "stranger_ssh")
    assert out.returncode != 0
    assert f"error[AUTH_FAILED]: ssh 127.0.0.1:{sshd.port}: key rejected for user dbdock-tunnel" in out.stderr, out.stderr


def test_no_secret_reaches_a_file_a_log_an_audit_row_or_a_client_config(tunneled, sshd, tmp_path):
    w = tunneled
    fake_home = tmp_path / "client-home"
    fake_home.mkdir()
    env = dict(w.env, HOME=str(fake_home), XDG_CONFIG_HOME=str(fake_home / ".config"), APPDATA=str(fake_home))
    out = subprocess.run([DBDOCK, "mcp", "install", "--client", "claude-desktop", "--profile", "pg_ssh"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    audit = ok(w, "audit", "--format", "json")
    assert "pg_ssh" in audit
    files = [p for p in [*w.home.rglob("*"), *fake_home.rglob("*")] if p.is_file()]
    assert any(p.name == "known_hosts" for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in (sshd.password, SECRET):
            assert secret.encode() not in data, f"{path} holds a secret"
    for text in (audit, ok(w, "profile", "list", "--format", "json"), ok(w, "profile", "export")):
        assert sshd.password not in text and SECRET not in text

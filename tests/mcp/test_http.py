"""The HTTP transport: loopback only, bearer token required, non-local Origins refused."""

import subprocess

import httpx

from conftest import DBDOCK, free_port, http_server

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}}}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def test_token_origin_and_loopback(world):
    with http_server(world) as (url, token):
        port = int(url.split(":")[2].split("/")[0])
        post = lambda **headers: httpx.post(url, json=INIT, headers={**ACCEPT, **headers}, timeout=10)
        assert post().status_code == 401
        assert post(Authorization="Bearer wrong").status_code == 401
        assert post(Authorization=f"Bearer {token[:-1]}").status_code == 401
        assert post(Authorization=f"Bearer {token}", Origin="http://evil.example").status_code == 403
        assert post(Authorization=f"Bearer {token}", Host="evil.example").status_code == 403
        ok = post(Authorization=f"Bearer {token}", Origin=f"http://localhost:{port}")
        assert ok.status_code == 200, ok.text
        assert "dbdock" in ok.text
        # Listening on 127.0.0.1 only: the kernel's socket table shows no wildcard bind.
        listening = [line.split()[1] for line in open("/proc/net/tcp").read().splitlines()[1:] if line.split()[3] == "0A"]
        assert f"0100007F:{port:04X}" in listening
        assert f"00000000:{port:04X}" not in listening

    for addr in ["0.0.0.0", "192.0.2.1"]:
        out = subprocess.run([DBDOCK, "mcp", "--http", f"{addr}:{free_port()}"], env=world.env, capture_output=True, text=True, timeout=10)
        assert out.returncode == 2 and "loopback only" in out.stderr, out.stderr


def test_a_body_over_4_mib_is_refused_with_413(world):
    with http_server(world) as (url, token):
        headers = {**ACCEPT, "Authorization": f"Bearer {token}"}
        big = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + b"x" * (4 * 1024 * 1024) + b'"}}'
        assert httpx.post(url, content=big, headers=headers, timeout=10).status_code == 413

        def chunks():
            yield big[: 1024 * 1024]
            for _ in range(8):
                yield b"x" * (1024 * 1024)

        # No declared length: refused as the excess arrives.
        assert httpx.post(url, content=chunks(), headers=headers, timeout=10).status_code == 413
        assert httpx.post(url, json=INIT, headers=headers, timeout=10).status_code == 200

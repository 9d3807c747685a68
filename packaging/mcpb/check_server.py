#!/usr/bin/env python3
"""Starts a built `dbdock mcp` on stdio as the .mcpb bundle would (the command plus the
manifest's args), in a throwaway home, and checks that it answers the 2025-06-18
handshake, that its tools are exactly the manifest's `tools`, that its version is the
manifest's, and that it exits 0 once stdin closes.

    python3 packaging/mcpb/check_server.py MANIFEST DBDOCK_BINARY

Standard library only, so it runs on every release runner (Linux, macOS, Windows).
"""

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading

TIMEOUT = 30


def fail(message):
    print(f"check_server: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        fail("usage: check_server.py MANIFEST DBDOCK_BINARY")
    manifest_path, binary = sys.argv[1], sys.argv[2]
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    if not os.path.isfile(binary):
        fail(f"no binary at {binary}")
    args = manifest["server"]["mcp_config"].get("args", [])
    wanted = sorted(tool["name"] for tool in manifest.get("tools", []))

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, DBDOCK_HOME=home, DBDOCK_KEYRING_SERVICE="dbdock-mcpb-check")
        proc = subprocess.Popen([binary, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, text=True, encoding="utf-8")
        lines, stderr = queue.Queue(), []

        def read_stdout():
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)  # end of output

        threading.Thread(target=read_stdout, daemon=True).start()
        threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True).start()

        def send(message):
            proc.stdin.write(json.dumps(message) + "\n")
            proc.stdin.flush()

        def answer(request_id):
            while True:
                try:
                    line = lines.get(timeout=TIMEOUT)
                except queue.Empty:
                    proc.kill()
                    fail(f"no answer to request {request_id} within {TIMEOUT}s; stderr:\n{''.join(stderr)}")
                if line is None:
                    proc.wait(timeout=TIMEOUT)
                    fail(f"the server closed stdout (exit code {proc.returncode}); stderr:\n{''.join(stderr)}")
                message = json.loads(line)
                if message.get("id") == request_id:
                    if "error" in message:
                        fail(f"request {request_id} failed: {message['error']}")
                    return message["result"]

        try:
            send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "dbdock-mcpb-check", "version": "1"}}})
            info = answer(1)["serverInfo"]
            send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            names, cursor, request_id = [], None, 2
            while True:
                send({"jsonrpc": "2.0", "id": request_id, "method": "tools/list",
                      "params": {"cursor": cursor} if cursor else {}})
                page = answer(request_id)
                names += [tool["name"] for tool in page["tools"]]
                cursor, request_id = page.get("nextCursor"), request_id + 1
                if not cursor:
                    break
            proc.stdin.close()
            code = proc.wait(timeout=TIMEOUT)
        except (BrokenPipeError, OSError) as e:
            proc.kill()
            fail(f"the server went away: {e}; stderr:\n{''.join(stderr)}")
        except subprocess.TimeoutExpired:
            proc.kill()
            fail(f"the server did not exit within {TIMEOUT}s of stdin closing")

    problems = []
    if info.get("name") != "dbdock":
        problems.append(f"serverInfo.name is {info.get('name')!r}, not 'dbdock'")
    if info.get("version") != manifest["version"]:
        problems.append(f"the server is version {info.get('version')}, the manifest says {manifest['version']}")
    if sorted(names) != wanted:
        missing, extra = sorted(set(names) - set(wanted)), sorted(set(wanted) - set(names))
        problems.append(f"tools differ from the manifest: served but not listed {missing}, listed but not served {extra}")
    if code != 0:
        problems.append(f"exit code {code} after stdin closed; stderr:\n{''.join(stderr)}")
    if problems:
        fail("\n  ".join(["the bundle's server does not match its manifest:", *problems]))
    print(f"check_server: {binary} {' '.join(args)}: dbdock {info['version']}, {len(names)} tools as listed, clean exit")


if __name__ == "__main__":
    main()

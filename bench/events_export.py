"""Event export benchmark (`bash scripts/bench.sh events`): fills a fresh DB Dock home's
event log with BENCH_EVENTS (1,000,000) events, then exports them with `dbdock events
export` as JSON Lines and CSV, measuring the exporter's peak RSS (getrusage of the child)
and wall time, beside a raw export by Python's sqlite3 module of the same rows.

Goal (issue 24): peak RSS under 100 MiB for a million events. Exits non-zero only if an
export fails or writes the wrong number of lines, never on speed or memory."""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
DBDOCK = os.environ["DBDOCK_BIN"]


def fill(home: str) -> None:
    env = dict(os.environ, DBDOCK_HOME=home)
    # Any command opens (and migrates) the store; an empty export is the cheapest.
    subprocess.run([DBDOCK, "events", "export", os.devnull], env=env, check=True, capture_output=True)
    db = sqlite3.connect(os.path.join(home, "dbdock.db"))
    severities = ["info", "warning", "error", "critical"]
    rows = (
        (
            f"2026-12-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{n % 60:02d}.{n % 1000:03d}Z",
            f"m-{n % 50}",
            f"profile-{n % 7}",
            f"channel:orders.{n % 50}",
            severities[n % 4],
            "server_lifecycle",
            "reconnecting" if n % 3 else "connected",
            f"connection lost to 127.0.0.1:6379 ({n}): retrying, attempt {n % 10} of 10",
        )
        for n in range(EVENTS)
    )
    db.executemany(
        "INSERT INTO event_log (ts, monitor_id, profile, target, severity, category, state, message)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.commit()
    db.close()


def run_export(home: str, fmt: str, out: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, from wait4's rusage of this child) of one export."""
    env = dict(os.environ, DBDOCK_HOME=home)
    started = time.perf_counter()
    child = subprocess.Popen(
        [DBDOCK, "events", "export", out, "--format", fmt],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"dbdock events export --format {fmt} failed: {child.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def raw_export(home: str, out: str) -> float:
    """The floor: Python's sqlite3 reading the same rows and writing JSON Lines."""
    started = time.perf_counter()
    db = sqlite3.connect(os.path.join(home, "dbdock.db"))
    cols = ["id", "ts", "monitor_id", "profile", "target", "severity", "category", "state", "message"]
    with open(out, "w") as f:
        for row in db.execute(f"SELECT {', '.join(cols)} FROM event_log ORDER BY id"):
            f.write(json.dumps(dict(zip(cols, row)), separators=(",", ":")) + "\n")
    db.close()
    return time.perf_counter() - started


def lines(path: str) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        fill(home)
        print(f"filled the event log with {EVENTS:,} events in {time.perf_counter() - started:.1f} s", flush=True)
        out = os.path.join(home, "export")
        raw = raw_export(home, out + ".raw.jsonl")
        results = []
        for fmt in ("jsonl", "csv"):
            elapsed, peak = run_export(home, fmt, f"{out}.{fmt}")
            expected = EVENTS + (1 if fmt == "csv" else 0)
            got = lines(f"{out}.{fmt}")
            if got != expected:
                print(f"{fmt}: {got} lines, expected {expected}", file=sys.stderr)
                return 1
            results.append((fmt, elapsed, peak, os.path.getsize(f"{out}.{fmt}") / 2**20))
        print(f"\n{'export':<8} {'events':>10} {'wall s':>8} {'peak RSS MiB':>13} {'file MiB':>9} {'vs raw':>7}")
        for fmt, elapsed, peak, size in results:
            print(f"{fmt:<8} {EVENTS:>10,} {elapsed:>8.2f} {peak:>13.1f} {size:>9.1f} {elapsed / raw:>6.2f}x")
        print(f"{'raw py':<8} {EVENTS:>10,} {raw:>8.2f} {'':>13} {'':>9} {1.0:>6.2f}x")
        print(f"\ngoal: peak RSS < 100 MiB -> {'met' if max(r[2] for r in results) < 100 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

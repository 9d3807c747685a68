"""Redis commands through `dbdock query --read-only` and MCP `execute-query`, against the
real Redis: a table of reads that answer with rows and of commands that are refused
(writes, administration, scripts, KEYS, subscriptions, session commands), the same
verdict from both faces, and the test's keys byte-for-byte unchanged after every refusal.
A read-write profile's `execute-update` does write."""

import json
import os

import pytest

import conftest
from conftest import REDIS, dbdock, run, session_over

DB = 11
URL = f"{REDIS}/{DB}"
T = f"rc{os.getpid()}"


def redis_cli(*args):
    return conftest.redis_cli(DB, *args)


def snapshot():
    """Every key of this test with its type, serialized value and TTL, and the database's size."""
    keys = sorted(redis_cli("--scan", "--pattern", f"{T}:*").split())
    values = {k: (redis_cli("TYPE", k), redis_cli("--no-raw", "DUMP", k), redis_cli("TTL", k)) for k in keys}
    return values, redis_cli("DBSIZE")


@pytest.fixture(scope="module")
def cache(world):
    redis_cli("SET", f"{T}:str", "hello")
    redis_cli("HSET", f"{T}:user:1", "name", "Ada", "age", "36")
    redis_cli("RPUSH", f"{T}:list", "a", "b", "c")
    redis_cli("SADD", f"{T}:set", "x", "y")
    redis_cli("ZADD", f"{T}:z", "1", "a", "2", "b")
    redis_cli("XADD", f"{T}:s", "1-1", "f", "v1")
    redis_cli("XADD", f"{T}:s", "2-1", "f", "v2")
    redis_cli("XGROUP", "CREATE", f"{T}:s", "g", "0")
    redis_cli("PFADD", f"{T}:hll", "a", "b", "c")
    redis_cli("GEOADD", f"{T}:geo", "13.361389", "38.115556", "palermo")
    redis_cli("SETBIT", f"{T}:bits", "7", "1")
    for name, access in [("cache", "read-only"), ("cache_rw", "read-write")]:
        dbdock(world.home, "profile", "add", name, "--url", URL, "--access", access)
    yield world
    for name in ["cache", "cache_rw"]:
        dbdock(world.home, "profile", "rm", name, check=False)
    keys = redis_cli("--scan", "--pattern", f"{T}:*").split()
    if keys:
        redis_cli("DEL", *keys)


def values(result, column=0):
    return [row[column] for row in result["rows"]]


READS = [
    (f"GET {T}:str", lambda r: values(r) == ["hello"]),
    (f"GET '{T}:str'", lambda r: values(r) == ["hello"]),
    (f"MGET {T}:str {T}:nosuch", lambda r: values(r) == ["hello", None]),
    (f"STRLEN {T}:str", lambda r: values(r) == [5]),
    (f"GETRANGE {T}:str 0 1", lambda r: values(r) == ["he"]),
    (f"EXISTS {T}:str {T}:nosuch", lambda r: values(r) == [1]),
    (f"TYPE {T}:user:1", lambda r: values(r) == ["hash"]),
    (f"TTL {T}:str", lambda r: values(r) == [-1]),
    (f"HGET {T}:user:1 name", lambda r: values(r) == ["Ada"]),
    (f"HGETALL {T}:user:1", lambda r: [c["name"] for c in r["columns"]] == ["field", "value"]
     and dict(r["rows"]) == {"name": "Ada", "age": "36"}),
    (f"HKEYS {T}:user:1", lambda r: sorted(values(r)) == ["age", "name"]),
    (f"HLEN {T}:user:1", lambda r: values(r) == [2]),
    (f"LRANGE {T}:list 0 -1", lambda r: values(r) == ["a", "b", "c"]),
    (f"LLEN {T}:list", lambda r: values(r) == [3]),
    (f"SMEMBERS {T}:set", lambda r: sorted(values(r)) == ["x", "y"]),
    (f"SISMEMBER {T}:set x", lambda r: values(r) == [1]),
    (f"ZRANGE {T}:z 0 -1 WITHSCORES", lambda r: r["rows"] == [["a", 1.0], ["b", 2.0]]
     and [c["name"] for c in r["columns"]] == ["member", "score"]),
    (f"ZSCORE {T}:z b", lambda r: values(r) == [2.0]),
    (f"XRANGE {T}:s - +", lambda r: values(r) == ["1-1", "2-1"] and r["rows"][0][1] == ["f", "v1"]),
    (f"XLEN {T}:s", lambda r: values(r) == [2]),
    (f"XINFO GROUPS {T}:s", lambda r: r["columns"][0]["name"] == "name" and values(r) == ["g"]),
    (f"SCAN 0 MATCH {T}:* COUNT 1000", lambda r: set(values(r)) >= {f"{T}:str", f"{T}:list"}),
    (f"MEMORY USAGE {T}:str", lambda r: values(r)[0] > 0),
    (f"OBJECT ENCODING {T}:list", lambda r: values(r)[0] in ("listpack", "quicklist", "ziplist")),
    (f"PFCOUNT {T}:hll", lambda r: values(r) == [3]),
    (f"GEOPOS {T}:geo palermo", lambda r: len(r["rows"]) == 1),
    (f"BITCOUNT {T}:bits", lambda r: values(r) == [1]),
    ("INFO server", lambda r: "redis_version" in values(r, 1)),
    ("PING", lambda r: values(r) == ["PONG"]),
    ("DBSIZE", lambda r: values(r)[0] >= 9),
]

REFUSED = [
    (f"SET {T}:str changed", "READ_ONLY_VIOLATION"),
    (f"DEL {T}:str", "READ_ONLY_VIOLATION"),
    (f"HSET {T}:user:1 name Eve", "READ_ONLY_VIOLATION"),
    (f"LPUSH {T}:list z", "READ_ONLY_VIOLATION"),
    (f"EXPIRE {T}:str 1", "READ_ONLY_VIOLATION"),
    (f"RENAME {T}:str {T}:str2", "READ_ONLY_VIOLATION"),
    (f"XADD {T}:s * f v", "READ_ONLY_VIOLATION"),
    (f"SORT {T}:list ALPHA STORE {T}:sorted", "READ_ONLY_VIOLATION"),
    (f"PUBLISH {T}:chan hi", "READ_ONLY_VIOLATION"),
    ("CONFIG SET maxmemory 1", "READ_ONLY_VIOLATION"),
    ("CONFIG GET maxmemory", "READ_ONLY_VIOLATION"),
    ("FLUSHDB", "READ_ONLY_VIOLATION"),
    ("FLUSHALL", "READ_ONLY_VIOLATION"),
    (f"EVAL \"return redis.call('set', KEYS[1], 'x')\" 1 {T}:str", "READ_ONLY_VIOLATION"),
    ("FCALL anything 0", "READ_ONLY_VIOLATION"),
    ("SCRIPT FLUSH", "READ_ONLY_VIOLATION"),
    ("DEBUG SLEEP 0", "READ_ONLY_VIOLATION"),
    ("CLIENT KILL ID 999999999", "READ_ONLY_VIOLATION"),
    ("MODULE LIST", "READ_ONLY_VIOLATION"),
    (f"MIGRATE 127.0.0.1 1 {T}:str 0 1000", "READ_ONLY_VIOLATION"),
    ("SHUTDOWN NOSAVE", "READ_ONLY_VIOLATION"),
    ("LASTSAVE", "READ_ONLY_VIOLATION"),
    ("NOSUCHCOMMAND x", "READ_ONLY_VIOLATION"),
    ("KEYS *", "INVALID_INPUT"),
    ("SUBSCRIBE c", "INVALID_INPUT"),
    ("MONITOR", "INVALID_INPUT"),
    ("SELECT 0", "INVALID_INPUT"),
    ("MULTI", "INVALID_INPUT"),
    (f"BLPOP {T}:list 1", "INVALID_INPUT"),
    (f'GET "{T}:unbalanced', "INVALID_INPUT"),
]


def test_the_table_has_forty_commands_or_more():
    assert len(READS) + len(REFUSED) >= 40


@pytest.mark.parametrize("command,check", READS, ids=[c for c, _ in READS])
def test_a_read_answers_with_rows_in_the_cli(cache, command, check):
    out = dbdock(cache.home, "query", "--profile", "cache", "--read-only", "--format", "json", command)
    result = json.loads(out.stdout)
    assert check(result), result


@pytest.mark.parametrize("command,code", REFUSED, ids=[c for c, _ in REFUSED])
def test_a_refused_command_changes_nothing_in_the_cli(cache, command, code):
    before = snapshot()
    out = dbdock(cache.home, "query", "--profile", "cache", "--read-only", command, check=False)
    assert out.returncode != 0 and f"error[{code}]" in out.stderr, (out.stdout, out.stderr)
    assert snapshot() == before


def test_every_command_gets_the_same_verdict_over_mcp(cache):
    before = snapshot()

    async def body():
        async with session_over("stdio", cache) as s:
            for command, check in READS:
                result = await s.ok("execute-query", connectionId="cache", query=command)
                assert check(result), (command, result)
            for command, code in REFUSED:
                err = await s.error("execute-query", connectionId="cache", query=command)
                assert err["code"] == code, (command, err)
            # A read-write profile's execute-query still only reads; the server's flags
            # name the reason.
            err = await s.error("execute-query", connectionId="cache_rw", query=f"SET {T}:str x")
            assert err["code"] == "READ_ONLY_VIOLATION" and "it writes" in err["message"], err

    run(body)
    assert snapshot() == before


def test_a_scan_page_tells_the_ai_client_where_to_go_on(cache):
    async def body():
        async with session_over("stdio", cache) as s:
            result = await s.call("execute-query", connectionId="cache", query=f"SCAN 0 MATCH {T}:* COUNT 2")
            assert not result.isError, result.content[0].text
            assert "next_cursor" in result.content[0].text
            assert result.structuredContent["more"][0]["columns"][0]["name"] == "next_cursor"

    run(body)


def test_a_read_write_profile_writes_through_execute_update(cache):
    async def body():
        async with session_over("stdio", cache) as s:
            done = await s.ok("execute-update", connectionId="cache_rw", query=f"SET {T}:written 'by the AI'")
            assert done["rows_affected"] == 1
            done = await s.ok("execute-update", connectionId="cache_rw", query=f"DEL {T}:written {T}:nosuch")
            assert done["rows_affected"] == 1

    run(body)
    assert redis_cli("EXISTS", f"{T}:written") == "0"

"""The Redis key browser for AI clients and the shell, against the real Redis:
`search-objects` lists key prefixes with counts and types, `database://NAME/schema` and
`/tables/PREFIX` describe a level, and `dbdock schema`, `dbdock keys` and `dbdock key` show
the same from the shell. All of it reads; the keys are unchanged afterwards."""

import json
import os

import pytest

import conftest
from conftest import REDIS, dbdock, run, session_over

DB = 13
URL = f"{REDIS}/{DB}"
T = f"kb{os.getpid()}"


def redis_cli(*args):
    return conftest.redis_cli(DB, *args)


def snapshot():
    """Every key of this test with its type, serialized value and whether it expires (the
    seconds left count down while the test runs)."""
    keys = sorted(redis_cli("--scan", "--pattern", f"{T}:*").split())
    return {k: (redis_cli("TYPE", k), redis_cli("--no-raw", "DUMP", k), int(redis_cli("TTL", k)) > 0) for k in keys}


@pytest.fixture(scope="module")
def keyspace(world):
    for i in range(1, 4):
        redis_cli("HSET", f"{T}:user:{i}", "name", f"user {i}", "plan", "free")
    for i in range(5):
        redis_cli("SET", f"{T}:session:{i}", "x", "EX", "600")
    redis_cli("RPUSH", f"{T}:queue:mail", *[f"m{i}" for i in range(150)])
    redis_cli("SET", f"{T}:config", '{"maintenance": false}')
    for i in range(1, 4):
        redis_cli("XADD", f"{T}:events", f"1-{i}", "n", str(i))
    redis_cli("XGROUP", "CREATE", f"{T}:events", "billing", "0")
    redis_cli("XREADGROUP", "GROUP", "billing", "worker", "COUNT", "2", "STREAMS", f"{T}:events", ">")
    dbdock(world.home, "profile", "add", "keys", "--url", URL, "--access", "read-only")
    yield world
    dbdock(world.home, "profile", "rm", "keys", check=False)
    keys = redis_cli("--scan", "--pattern", f"{T}:*").split()
    if keys:
        redis_cli("DEL", *keys)


def cli_json(world, *args):
    out = dbdock(world.home, *args, "--format", "json")
    return json.loads(out.stdout)


def test_schema_lists_the_level_under_a_prefix_with_exact_counts_and_types(keyspace):
    space = cli_json(keyspace, "schema", "--profile", "keys", f"{T}:")
    prefixes = {p["prefix"]: p for p in space["prefixes"]}
    assert space["complete"] is True and space["db"] == DB
    assert (prefixes[f"{T}:user:"]["keys"], prefixes[f"{T}:user:"]["types"]) == (3, ["hash"])
    assert (prefixes[f"{T}:session:"]["keys"], prefixes[f"{T}:session:"]["is_key"]) == (5, False)
    assert prefixes[f"{T}:config"]["is_key"] is True
    # Prefixes first, the fullest first.
    assert [p["prefix"] for p in space["prefixes"]][:2] == [f"{T}:session:", f"{T}:user:"]
    table = dbdock(keyspace.home, "schema", "--profile", "keys", f"{T}:").stdout
    assert f"{T}:user:" in table and "counted exactly" in table


def test_keys_and_key_page_through_the_shell(keyspace):
    page = cli_json(keyspace, "keys", "--profile", "keys", f"{T}:*", "--type", "hash", "--count", "1000")
    assert sorted(k["name"] for k in page["keys"]) == [f"{T}:user:{i}" for i in range(1, 4)]
    assert {k["type"] for k in page["keys"]} == {"hash"}
    shown = cli_json(keyspace, "key", "--profile", "keys", f"{T}:queue:mail", "--count", "100")
    assert shown["info"]["type"] == "list" and shown["info"]["length"] == 150
    assert len(shown["value"]["entries"]) == 100 and shown["value"]["next"] == "100"
    rest = cli_json(keyspace, "key", "--profile", "keys", f"{T}:queue:mail", "--cursor", "100")
    assert [e["value"]["text"] for e in rest["value"]["entries"]][-1] == "m149" and "next" not in rest["value"]
    events = cli_json(keyspace, "key", "--profile", "keys", f"{T}:events", "--reverse")
    assert [e["field"] for e in events["value"]["entries"]] == ["1-3", "1-2", "1-1"]
    billing = events["groups"][0]
    assert (billing["name"], billing["pending"], billing["lag"], billing["last_delivered_id"]) == ("billing", 2, 1, "1-2")
    assert [(c["name"], c["pending"]) for c in billing["consumers"]] == [("worker", 2)]
    session = cli_json(keyspace, "key", "--profile", "keys", f"{T}:session:0")
    assert 0 < session["info"]["ttl_ms"] <= 600_000
    missing = dbdock(keyspace.home, "key", "--profile", "keys", f"{T}:nothing", check=False)
    assert missing.returncode != 0 and "NOT_FOUND" in missing.stderr
    pg = dbdock(keyspace.home, "keys", "--url", "sqlite::memory:", check=False)
    assert pg.returncode != 0 and "UNSUPPORTED" in pg.stderr


def test_an_ai_client_finds_prefixes_and_reads_the_keyspace(keyspace):
    before = snapshot()

    async def body():
        async with session_over("stdio", keyspace) as s:
            result = await s.call("search-objects", connectionId="keys", pattern=f"{T}:")
            assert not result.isError, result.content[0].text
            text = result.content[0].text
            assert f"{T}:user: prefix 3 keys [hash]" in text, text
            assert f"{T}:config key" in text and "counts are exact" in text
            names = [o["prefix"] for o in result.structuredContent["objects"]]
            assert f"{T}:queue:" in names
            narrowed = await s.call("search-objects", connectionId="keys", pattern=f"{T}:u*")
            assert [o["prefix"] for o in narrowed.structuredContent["objects"]] == [f"{T}:user:"]
            schema = json.loads((await s.session.read_resource("database://keys/schema")).contents[0].text)
            assert schema["db"] == DB and schema["total_keys"] >= 10
            assert any(p["prefix"] == f"{T}:" for p in schema["prefixes"]), schema["prefixes"][:20]
            level = json.loads((await s.session.read_resource(f"database://keys/tables/{T}:user:")).contents[0].text)
            assert sorted(p["prefix"] for p in level["prefixes"]) == [f"{T}:user:{i}" for i in range(1, 4)]

    run(body)
    assert snapshot() == before

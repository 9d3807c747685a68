"""The stream tools through the real `dbdock mcp`: sample-events returns what was published
during its window, a subscription hands out buffered messages across reads, publish is a
write, and stream-lag reads a Redis consumer group."""

import asyncio
import json
import os
import subprocess

import pytest

from conftest import dbdock, run, session_over

REDIS = os.environ.get("DBDOCK_TEST_REDIS_URL", "redis://127.0.0.1:6379")
NATS = os.environ.get("DBDOCK_TEST_NATS_URL", "nats://127.0.0.1:4222")
TAG = f"mcp{os.getpid()}"


def redis_cli(*args):
    try:
        return subprocess.run(["redis-cli", "-u", REDIS, *args], capture_output=True, text=True, check=True).stdout
    except (FileNotFoundError, subprocess.CalledProcessError) as e:
        pytest.fail(f"Redis at {REDIS} (redis-cli) failed: {e}")


@pytest.fixture(scope="module")
def streams(world):
    for name, url, access in [
        ("cache", REDIS, "read-only"),
        ("cache_rw", REDIS, "read-write"),
        ("bus", NATS, "read-only"),
        ("bus_rw", NATS, "read-write"),
    ]:
        dbdock(world.home, "profile", "add", name, "--url", url, "--access", access)
    yield world
    for name in ["cache", "cache_rw", "bus", "bus_rw"]:
        dbdock(world.home, "profile", "rm", name, check=False)
    redis_cli("DEL", f"{TAG}.stream")


def payloads(result):
    return [e["payload"] for e in result["events"] if e["kind"] == "message"]


@pytest.mark.parametrize("read,write,target", [
    ("cache", "cache_rw", f"channel:{TAG}.orders"),
    ("bus", "bus_rw", f"subject:{TAG}.orders"),
])
def test_sample_events_returns_what_was_published_in_its_window(streams, read, write, target):
    async def body():
        async with session_over("stdio", streams) as s:
            async def publish_later():
                await asyncio.sleep(0.5)
                for i in range(5):
                    await s.ok("publish", connectionId=write, target=target, payload=f"order-{i}")

            sampled, _ = await asyncio.gather(
                s.ok("sample-events", connectionId=read, target=target, maxEvents=5, timeoutMs=10000),
                publish_later(),
            )
            assert payloads(sampled) == [f"order-{i}" for i in range(5)]
            assert sampled["stoppedBy"] == "maxEvents" and sampled["dropped"] == 0
            # Nothing published: the window ends at the timeout, empty.
            quiet = await s.ok("sample-events", connectionId=read, target=target, maxEvents=5, timeoutMs=300)
            assert payloads(quiet) == [] and quiet["stoppedBy"] == "timeout"

    run(body)


@pytest.mark.parametrize("read,write,target", [
    ("cache", "cache_rw", f"pattern:{TAG}.sub.*"),
    ("bus", "bus_rw", f"subject:{TAG}.sub.>"),
])
def test_a_subscription_buffers_across_reads(streams, read, write, target):
    channel = f"{TAG}.sub.a"
    publish_target = ("channel:" if read == "cache" else "subject:") + channel

    async def body():
        async with session_over("stdio", streams) as s:
            sub = await s.ok("subscribe", connectionId=read, target=target)
            handle = sub["subscriptionId"]
            assert sub["state"] == "connected"
            for i in range(3):
                await s.ok("publish", connectionId=write, target=publish_target, payload=f"first-{i}")
            got = []
            for _ in range(20):
                got += payloads(await s.ok("read-events", subscriptionId=handle, waitMs=500))
                if len(got) >= 3:
                    break
            assert got == ["first-0", "first-1", "first-2"]
            for i in range(2):
                await s.ok("publish", connectionId=write, target=publish_target, payload=f"second-{i}")
            got = []
            for _ in range(20):
                got += payloads(await s.ok("read-events", subscriptionId=handle, waitMs=500))
                if len(got) >= 2:
                    break
            assert got == ["second-0", "second-1"]
            done = await s.ok("unsubscribe", subscriptionId=handle)
            assert done["status"]["events_total"] == 5 and done["status"]["dropped"] == 0
            gone = await s.error("read-events", subscriptionId=handle)
            assert gone["code"] == "NOT_FOUND"

    run(body)


def test_read_events_over_the_byte_cap_loses_nothing_and_audits_each_call(streams):
    """Events read from the buffer that do not fit the byte cap come with the next read;
    every read-events call, failed or not, is one audit row."""
    dbdock(streams.home, "profile", "add", "cache_small", "--url", REDIS, "--max-bytes", "4000")
    channel = f"{TAG}.capped"
    before = len(json.loads(dbdock(streams.home, "audit", "--format", "json", "--limit", "100000").stdout))

    async def body():
        async with session_over("stdio", streams) as s:
            handle = (await s.ok("subscribe", connectionId="cache_small", target=f"channel:{channel}"))["subscriptionId"]
            sent = [f"m{i:03d}-" + "\u0001\"" * 20 for i in range(60)]
            for payload in sent:
                await s.ok("publish", connectionId="cache_rw", target=f"channel:{channel}", payload=payload)
            got, reads = [], 0
            while len(got) < len(sent) and reads < 40:
                result = await s.call("read-events", subscriptionId=handle, waitMs=500, maxEvents=1000)
                assert not result.isError
                assert len(result.model_dump_json(by_alias=True, exclude_none=True)) < 4000 + 1024
                got += payloads(result.structuredContent)
                reads += 1
            assert got == sent and reads > 2, reads
            await s.ok("unsubscribe", subscriptionId=handle)
            await s.error("read-events", subscriptionId=handle)
            return reads

    reads = run_returning(body)
    dbdock(streams.home, "profile", "rm", "cache_small")
    rows = json.loads(dbdock(streams.home, "audit", "--format", "json", "--limit", "100000").stdout)
    new = rows[: len(rows) - before]
    assert sum(1 for e in new if e["tool"] == "read-events") == reads + 1
    assert [e["error_code"] for e in new if e["tool"] == "read-events"][0] == "NOT_FOUND"


def run_returning(body):
    box = []

    async def wrapper():
        box.append(await body())

    run(wrapper)
    return box[0]


def test_publish_and_request_are_writes(streams):
    async def body():
        async with session_over("stdio", streams) as s:
            for connection, target in [("cache", f"channel:{TAG}.x"), ("bus", f"subject:{TAG}.x")]:
                err = await s.error("publish", connectionId=connection, target=target, payload="nope")
                assert err["code"] == "READ_ONLY_VIOLATION", err
            err = await s.error("request", connectionId="bus", target=f"subject:{TAG}.svc", payload="ping")
            assert err["code"] == "READ_ONLY_VIOLATION", err
            # No responder on the read-write profile: a clear error, quickly.
            err = await s.error("request", connectionId="bus_rw", target=f"subject:{TAG}.nobody", payload="ping", timeoutMs=1000)
            assert err["code"] in ("NOT_FOUND", "TIMEOUT"), err

    run(body)


def test_stream_lag_reads_a_redis_consumer_group(streams):
    key = f"{TAG}.stream"
    redis_cli("DEL", key)
    for i in range(5):
        redis_cli("XADD", key, "*", "payload", str(i))
    redis_cli("XGROUP", "CREATE", key, "billing", "0")
    redis_cli("XREADGROUP", "GROUP", "billing", "worker-1", "COUNT", "2", "STREAMS", key, ">")

    async def body():
        async with session_over("stdio", streams) as s:
            lag = await s.ok("stream-lag", connectionId="cache", stream=key)
            (group,) = lag["consumers"]
            assert group["consumer"] == "billing"
            assert group["ack_pending"] == 2
            assert group["pending"] == 3
            err = await s.error("stream-lag", connectionId="cache", stream=key, consumer="nobody")
            assert err["code"] == "NOT_FOUND"

    run(body)

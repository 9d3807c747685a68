"""The Kafka stream tools through the real `dbdock mcp` against the tansu test broker:
sample-events with a JSON filter, stream-lag of a group that read 6,000 of 10,000
messages, and reset-consumer-offset refused on a read-only profile and run on a
read-write one, each call audited."""

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import dbdock, run, session_over

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import kafka_fixture  # noqa: E402

KAFKA = os.environ.get("DBDOCK_TEST_KAFKA_URL", "kafka://127.0.0.1:9092")
BOOTSTRAP = KAFKA.split("://", 1)[1]
TAG = f"mcp{os.getpid()}"
TOPIC, GROUP = f"{TAG}_orders", f"{TAG}_billing"


@pytest.fixture(scope="module")
def kafka(world):
    kafka_fixture.create_topic(BOOTSTRAP, TOPIC)
    kafka_fixture.produce(BOOTSTRAP, TOPIC, 10_000)
    kafka_fixture.consume_as_group(BOOTSTRAP, TOPIC, GROUP, 6_000)
    for name, access in [("log", "read-only"), ("log_rw", "read-write")]:
        dbdock(world.home, "profile", "add", name, "--url", KAFKA, "--access", access)
    yield world
    for name in ["log", "log_rw"]:
        dbdock(world.home, "profile", "rm", name, check=False)


def audit(world):
    return json.loads(dbdock(world.home, "audit", "--format", "json", "--limit", "100000").stdout)


def test_sample_events_with_a_filter_finds_past_messages(kafka):
    async def body():
        async with session_over("stdio", kafka) as s:
            sampled = await s.ok("sample-events", connectionId="log", target=f"topic:{TOPIC}@earliest",
                                 maxEvents=5, timeoutMs=20000, filter={"symbol": "GLOBEX"})
            messages = [e for e in sampled["events"] if e["kind"] == "message"]
            assert len(messages) == 5 and sampled["stoppedBy"] == "maxEvents", sampled
            assert all(e["json"]["symbol"] == "GLOBEX" and e["partition"] == 2 for e in messages)
            assert {"offset", "key", "server_ts"} <= set(messages[0])
            # Every GLOBEX message is on partition 2, so the first call may pass over
            # nothing; n=29 is partition 2's tenth message, so nine come before it there
            # whichever partition the tail reads first.
            one = await s.ok("sample-events", connectionId="log", target=f"topic:{TOPIC}@earliest",
                             maxEvents=1, timeoutMs=20000, filter={"n": 29})
            assert [e["json"]["n"] for e in one["events"] if e["kind"] == "message"] == [29], one
            assert one["passedOver"] >= 9, one

    run(body)


def test_stream_lag_shows_what_the_group_has_not_read(kafka):
    async def body():
        async with session_over("stdio", kafka) as s:
            lag = await s.ok("stream-lag", connectionId="log", stream=TOPIC, consumer=GROUP)
            assert lag["totalPending"] == 4_000
            assert sorted(row["partition"] for row in lag["consumers"]) == [0, 1, 2]
            assert all(row["end_offset"] - row.get("committed", 0) == row["pending"] for row in lag["consumers"])
            every = await s.ok("stream-lag", connectionId="log", stream=TOPIC)
            assert {row["consumer"] for row in every["consumers"]} == {GROUP}
            err = await s.error("stream-lag", connectionId="log", stream=f"{TAG}_nosuch", consumer=GROUP)
            assert err["code"] == "NOT_FOUND", err

    run(body)


def test_reset_consumer_offset_is_a_write(kafka):
    before = len(audit(kafka))

    async def body():
        async with session_over("stdio", kafka) as s:
            args = dict(group=GROUP, topic=TOPIC, to="earliest")
            err = await s.error("reset-consumer-offset", connectionId="log", **args)
            assert err["code"] == "READ_ONLY_VIOLATION", err
            lag = await s.ok("stream-lag", connectionId="log", stream=TOPIC, consumer=GROUP)
            assert lag["totalPending"] == 4_000, "a refused reset changes nothing"
            preview = await s.ok("reset-consumer-offset", connectionId="log", dryRun=True, **args)
            assert (preview["lag_before"], preview["lag_after"], preview["applied"]) == (4_000, 10_000, False)
            done = await s.ok("reset-consumer-offset", connectionId="log_rw", **args)
            assert done["applied"] and done["partitions"] == preview["partitions"]
            lag = await s.ok("stream-lag", connectionId="log", stream=TOPIC, consumer=GROUP)
            assert lag["totalPending"] == 10_000
            bad = await s.error("reset-consumer-offset", connectionId="log_rw", group=GROUP, topic=TOPIC, to="soon")
            assert bad["code"] == "INVALID_INPUT", bad

    run(body)
    new = audit(kafka)[: len(audit(kafka)) - before]
    resets = [e for e in new if e["tool"] == "reset-consumer-offset"]
    assert [e["error_code"] for e in reversed(resets)] == ["READ_ONLY_VIOLATION", None, None, "INVALID_INPUT"], resets


def test_the_cli_watches_every_message_in_order_and_reads_the_lag(kafka):
    """`dbdock watch --format json` on a topic from the beginning: all 10,000, each
    partition in offset order; `dbdock kafka lag` and `dbdock schema` on its own group
    that read 6,000."""
    topic, group = f"{TAG}_cli", f"{TAG}_cli_group"
    kafka_fixture.create_topic(BOOTSTRAP, topic)
    kafka_fixture.produce(BOOTSTRAP, topic, 10_000)
    kafka_fixture.consume_as_group(BOOTSTRAP, topic, group, 6_000)
    out = dbdock(kafka.home, "watch", "--profile", "log", f"topic:{topic}@earliest", "--count", "10000",
                 "--timeout", "120", "--format", "json")
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(events) == 10_000
    last = {}
    for e in events:
        assert last.get(e["partition"], -1) + 1 == e["offset"], e
        last[e["partition"]] = e["offset"]
    assert sorted(last) == [0, 1, 2]
    lag = json.loads(dbdock(kafka.home, "kafka", "lag", "--profile", "log", group, "--format", "json").stdout)
    assert lag["total_lag"] == 4_000 and len(lag["lag"]) == 3
    schema = json.loads(dbdock(kafka.home, "schema", "--profile", "log", "--format", "json").stdout)
    listed = next(t for t in schema["topics"] if t["name"] == topic)
    assert listed["messages"] == 10_000 and len(listed["partitions"]) == 3
    assert any(g["name"] == group for g in schema["groups"])

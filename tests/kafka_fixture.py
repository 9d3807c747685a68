"""A Kafka topic with messages and a consumer group that read part of them, for the MCP
black-box tests (imported) and the desktop end-to-end tests (run as a script):

    python tests/kafka_fixture.py BOOTSTRAP TOPIC GROUP --messages 10000 --read 6000

Creates TOPIC with 3 partitions, writes MESSAGES JSON messages round-robin over them,
then reads READ of them as a member of GROUP (subscribed, as an application would),
commits exactly those offsets and leaves the group. Fails naming Kafka when the broker
cannot be reached.
"""

import argparse
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def reachable(bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    try:
        admin.list_topics(timeout=10)
    except Exception as e:  # noqa: BLE001 - any failure means the broker is not there
        raise SystemExit(f"Kafka at {bootstrap} is not reachable ({e}): start it with "
                         "`. scripts/services.sh; start_kafka`")
    return admin


def create_topic(bootstrap, topic, partitions=3):
    admin = reachable(bootstrap)
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
        future.result(30)


def produce(bootstrap, topic, count, partitions=3, first=0, payload=None):
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for i in range(first, first + count):
        body = payload(i) if payload else {"n": i, "symbol": ["ACME", "INIT", "GLOBEX"][i % 3], "px": i}
        producer.produce(topic, json.dumps(body).encode(), key=f"k{i}".encode(), partition=i % partitions)
        if i % 1000 == 999:
            producer.flush(30)
    if producer.flush(30) != 0:
        raise SystemExit(f"Kafka at {bootstrap} did not take every message")


def consume_as_group(bootstrap, topic, group, count):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })
    consumer.subscribe([topic])
    nexts, read, deadline = {}, 0, time.monotonic() + 60
    while read < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"read only {read} of {count} messages as group {group}")
        message = consumer.poll(0.5)
        if message is None or message.error():
            continue
        nexts[message.partition()] = message.offset() + 1
        read += 1
    consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in nexts.items()], asynchronous=False)
    consumer.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bootstrap")
    parser.add_argument("topic")
    parser.add_argument("group")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--read", type=int, default=6_000)
    args = parser.parse_args()
    create_topic(args.bootstrap, args.topic)
    produce(args.bootstrap, args.topic, args.messages)
    consume_as_group(args.bootstrap, args.topic, args.group, args.read)
    print(f"{args.topic}: {args.messages} messages; group {args.group} read {args.read}", file=sys.stderr)


if __name__ == "__main__":
    main()

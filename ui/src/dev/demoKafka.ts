// The demo backend's Kafka cluster (see demoBackend.ts): three brokers, topics whose end
// offsets grow while the page is open, and three consumer groups — `billing` stopped and
// falling further behind, `audit` caught up (the broker will not describe its members), and
// `live-consumers` running, so its offsets cannot be reset (IN_USE), as Kafka refuses it.
// Lag, plans and resets follow the backend's rules (crates/engines/src/kafka/).

import { ApiError, type GroupView, type MemberView, type PartitionLagView, type PartitionView, type ResetPlanView, type TopicCatalogView, type TopicView } from "../api";

type DemoPartition = { low: number; base: number; perSec: number; outOfSync?: boolean };
type DemoTopic = { name: string; replication: number; partitions: DemoPartition[]; configs: [string, string][] | null };
type DemoGroup = {
  name: string;
  state: string;
  /** null: the broker does not describe the group (then `membersError` says why). */
  members: MemberView[] | null;
  membersError: string | null;
  topics: string[];
  /** Committed offsets by `topic/partition`; a running group's follow the end instead. */
  committed: Map<string, number>;
  running: boolean;
};

const BROKERS = [1, 2, 3].map((id) => ({ id, host: `kafka-${id}.demo.internal`, port: 9092 }));
const CLUSTER_ID = "lkc-7Qm2xDemo";

const TOPICS: DemoTopic[] = [
  {
    name: "orders",
    replication: 3,
    partitions: [
      { low: 0, base: 18_240, perSec: 4 },
      { low: 0, base: 17_990, perSec: 3 },
      { low: 1_200, base: 18_530, perSec: 5, outOfSync: true },
    ],
    configs: [
      ["cleanup.policy", "delete"],
      ["retention.ms", "604800000"],
      ["min.insync.replicas", "2"],
      ["compression.type", "producer"],
      ["max.message.bytes", "1048588"],
    ],
  },
  {
    name: "payments",
    replication: 3,
    partitions: [{ low: 0, base: 5_310, perSec: 1 }],
    configs: [
      ["cleanup.policy", "compact"],
      ["retention.ms", "-1"],
      ["min.insync.replicas", "2"],
    ],
  },
  {
    name: "audit-log",
    replication: 2,
    partitions: [
      { low: 0, base: 2_048, perSec: 0 },
      { low: 0, base: 1_977, perSec: 0 },
    ],
    configs: [
      ["cleanup.policy", "delete"],
      ["retention.ms", "2592000000"],
    ],
  },
  { name: "orders.dlq", replication: 3, partitions: [{ low: 0, base: 12, perSec: 0 }], configs: null },
];

const member = (id: number, assignment: [string, number[]][]): MemberView => ({
  id: `orders-service-${id}-6f1c9a2e-${id}b7d`,
  clientId: `orders-service-${id}`,
  host: `/10.0.3.${13 + id}`,
  assignment,
});

const GROUPS: DemoGroup[] = [
  {
    name: "billing",
    state: "Empty",
    members: [],
    membersError: null,
    topics: ["orders", "payments"],
    // Partition 2 of orders was never committed on: it shows only when asked for the topic.
    committed: new Map([
      ["orders/0", 18_100],
      ["orders/1", 17_590],
      ["payments/0", 5_000],
    ]),
    running: false,
  },
  {
    name: "audit",
    state: "Empty",
    members: null,
    membersError:
      "describing group audit: the broker did not answer DescribeGroups within 2 s (this broker may not answer DescribeGroups; the lag is still exact)",
    topics: ["audit-log"],
    committed: new Map([
      ["audit-log/0", 2_048],
      ["audit-log/1", 1_977],
    ]),
    running: false,
  },
  {
    name: "live-consumers",
    state: "Stable",
    members: [member(1, [["orders", [0, 1]]]), member(2, [["orders", [2]], ["payments", [0]]])],
    membersError: null,
    topics: ["orders", "payments"],
    committed: new Map(),
    running: true,
  },
];

const started = Date.now();
const seconds = (): number => (Date.now() - started) / 1000;

function high(p: DemoPartition): number {
  return p.base + Math.floor(p.perSec * seconds());
}

/** A running group trails the end by a wave of messages, as consumers keep up and fall back. */
function runningCommitted(topic: DemoTopic, index: number): number {
  const p = topic.partitions[index];
  const behind = Math.round(60 + 50 * Math.sin(seconds() / 8 + index));
  return Math.max(p.low, high(p) - behind);
}

function committed(group: DemoGroup, topic: DemoTopic, index: number): number | null {
  if (group.running && group.topics.includes(topic.name)) return runningCommitted(topic, index);
  return group.committed.get(`${topic.name}/${index}`) ?? null;
}

/** What is left to read from `from` (never below what the partition still holds), as the backend counts it. */
function lagFrom(p: DemoPartition, from: number | null): number {
  return Math.max(0, high(p) - Math.max(from ?? p.low, p.low));
}

function findTopic(name: string): DemoTopic {
  const topic = TOPICS.find((t) => t.name === name);
  if (!topic) throw new ApiError({ code: "NOT_FOUND", message: `topic ${name} does not exist on the cluster` });
  return topic;
}

function findGroup(name: string): DemoGroup {
  const group = GROUPS.find((g) => g.name === name);
  if (!group) throw new ApiError({ code: "NOT_FOUND", message: `no consumer group ${name} has committed offsets on the cluster` });
  return group;
}

function partitionView(p: DemoPartition, id: number, replication: number): PartitionView {
  const replicas = Array.from({ length: replication }, (_, i) => ((id + i) % BROKERS.length) + 1);
  const hi = high(p);
  return { id, leader: replicas[0], replicas, isr: p.outOfSync ? replicas.slice(0, -1) : replicas, low: p.low, high: hi, messages: hi - p.low };
}

function topicView(t: DemoTopic): TopicView {
  const partitions = t.partitions.map((p, i) => partitionView(p, i, t.replication));
  return {
    name: t.name,
    partitions,
    replication: t.replication,
    messages: partitions.reduce((sum, p) => sum + p.messages, 0),
    configs: t.configs ?? [],
    configsError: t.configs === null ? "describing the settings of orders.dlq: Broker: Topic authorization failed (TOPIC_AUTHORIZATION_FAILED)" : null,
  };
}

/** The group's lag rows: where it committed, or every partition of `topic` when one is named. */
function lagRows(group: DemoGroup, topic: string | null): PartitionLagView[] {
  const topics = topic === null ? TOPICS.filter((t) => group.topics.includes(t.name) || hasCommits(group, t)) : [findTopic(topic)];
  return topics.flatMap((t) =>
    t.partitions.flatMap((p, i) => {
      const at = committed(group, t, i);
      if (topic === null && at === null) return [];
      return [{ topic: t.name, partition: i, committed: at, endOffset: high(p), lag: lagFrom(p, at) }];
    }),
  );
}

function hasCommits(group: DemoGroup, topic: DemoTopic): boolean {
  return topic.partitions.some((_, i) => group.committed.has(`${topic.name}/${i}`));
}

type Start = { kind: "earliest" } | { kind: "latest" } | { kind: "offset"; offset: number } | { kind: "time" };

/** The reset's `to`, read as the backend reads it (TopicStart::parse). */
function parseStart(to: string): Start {
  const lower = to.trim().toLowerCase();
  if (lower === "earliest" || lower === "beginning") return { kind: "earliest" };
  if (lower === "latest" || lower === "end") return { kind: "latest" };
  if (/^\d+$/.test(lower)) return { kind: "offset", offset: Number(lower) };
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(to.trim()) && !Number.isNaN(Date.parse(to.trim()))) return { kind: "time" };
  throw new ApiError({
    code: "INVALID_INPUT",
    message: `'${to}' is not a place to start a topic: write topic:NAME@earliest, @latest, @OFFSET (a number) or @TIMESTAMP (RFC 3339, such as 2026-12-07T10:00:00Z)`,
  });
}

function newOffset(p: DemoPartition, start: Start): number {
  switch (start.kind) {
    case "earliest":
      return p.low;
    case "offset":
      return Math.min(Math.max(start.offset, p.low), high(p));
    // The demo keeps no message times: a time is past every message, so the end.
    case "latest":
    case "time":
      return high(p);
  }
}

function plan(group: DemoGroup, topic: DemoTopic, to: string, partition: number | null): ResetPlanView {
  const start = parseStart(to);
  const indexes = topic.partitions.map((_, i) => i).filter((i) => partition === null || i === partition);
  if (indexes.length === 0) throw new ApiError({ code: "NOT_FOUND", message: `topic ${topic.name} has no partition ${partition}` });
  const partitions = indexes.map((i) => {
    const p = topic.partitions[i];
    const old = committed(group, topic, i);
    const next = newOffset(p, start);
    return { partition: i, old, new: next, lagBefore: lagFrom(p, old), lagAfter: lagFrom(p, next) };
  });
  return {
    group: group.name,
    topic: topic.name,
    partitions,
    lagBefore: partitions.reduce((sum, p) => sum + p.lagBefore, 0),
    lagAfter: partitions.reduce((sum, p) => sum + p.lagAfter, 0),
    applied: false,
  };
}

/** A `lag:GROUP[/TOPIC]` monitor's payload, as the backend's lag events carry it. */
export function demoLagPayload(name: string): unknown {
  const [groupName, topic = null] = name.split("/");
  const group = GROUPS.find((g) => g.name === groupName);
  const rows = group ? lagRows(group, topic !== null && TOPICS.some((t) => t.name === topic) ? topic : null) : [];
  return {
    group: groupName,
    topic,
    lag: rows.reduce((sum, r) => sum + r.lag, 0),
    partitions: rows.map((r) => ({ topic: r.topic, partition: r.partition, committed: r.committed, end: r.endOffset, lag: r.lag })),
  };
}

/** How many partitions a `topic:` monitor's messages spread over. */
export function demoTopicPartitions(name: string): number {
  return TOPICS.find((t) => t.name === name)?.partitions.length ?? 3;
}

/** The Kafka half of the demo backend; `open` checks that the profile is a Kafka one (and marks it connected). */
export function demoKafka(open: (profile: string) => void) {
  const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    kafkaCatalog: async (profile: string): Promise<TopicCatalogView> => {
      await wait(150);
      open(profile);
      return {
        clusterId: CLUSTER_ID,
        brokers: BROKERS.map((b) => ({ ...b })),
        topics: TOPICS.map(topicView),
        groups: GROUPS.map((g) => ({ name: g.name, state: g.state })),
        groupsError: null,
      };
    },
    kafkaGroup: async (profile: string, name: string, topic: string | null): Promise<GroupView> => {
      await wait(80);
      open(profile);
      const group = findGroup(name);
      const lag = lagRows(group, topic);
      const described = group.members !== null;
      return {
        name: group.name,
        state: described ? group.state : null,
        members: group.members?.map((m) => ({ ...m })) ?? null,
        membersError: group.membersError,
        lag,
        totalLag: lag.reduce((sum, r) => sum + r.lag, 0),
      };
    },
    kafkaResetOffsets: async (profile: string, name: string, topicName: string, to: string, partition: number | null, apply: boolean): Promise<ResetPlanView> => {
      await wait(apply ? 250 : 120);
      open(profile);
      const group = findGroup(name);
      const topic = findTopic(topicName);
      const planned = plan(group, topic, to, partition);
      if (!apply) return planned;
      if (group.members !== null && group.members.length > 0) {
        throw new ApiError({
          code: "IN_USE",
          message: `group ${group.name} has ${group.members.length} active member(s), state ${group.state}: Kafka moves a group's offsets only while no consumer of it runs. Stop its consumers, then reset again. Nothing was changed.`,
        });
      }
      for (const p of planned.partitions) group.committed.set(`${topic.name}/${p.partition}`, p.new);
      if (!group.topics.includes(topic.name)) group.topics.push(topic.name);
      return { ...planned, applied: true };
    },
  };
}

import { describe, expect, it } from "vitest";
import {
  assignmentText,
  brokersText,
  canApply,
  filterByName,
  formatOffset,
  initialResetForm,
  lagAxisMax,
  lagSeries,
  lagTrend,
  LAG_CHART_POINTS,
  localTimeToUtc,
  pushLagPoint,
  resetErrorAdvice,
  resetRequest,
  resetTo,
  resetTopics,
  sameRequest,
  topicPartitions,
  underReplicated,
  type LagPoint,
  type ResetForm,
} from "./kafka";

const named = (...names: string[]) => names.map((name) => ({ name }));
const form = (over: Partial<ResetForm> = {}): ResetForm => ({ ...initialResetForm(["orders"]), ...over });

describe("the topic and group lists", () => {
  const topics = named("orders", "orders.dlq", "payments", "Audit-Log");

  it("filters by a case-insensitive substring", () => {
    expect(filterByName(topics, "ORD").map((t) => t.name)).toEqual(["orders", "orders.dlq"]);
    expect(filterByName(topics, "log").map((t) => t.name)).toEqual(["Audit-Log"]);
    expect(filterByName(topics, "nothing")).toEqual([]);
  });

  it("reads a * as a glob over the whole name", () => {
    expect(filterByName(topics, "*.dlq").map((t) => t.name)).toEqual(["orders.dlq"]);
    expect(filterByName(topics, "orders*").map((t) => t.name)).toEqual(["orders", "orders.dlq"]);
    expect(filterByName(topics, "o*s").map((t) => t.name)).toEqual(["orders"]);
    // The dot of a topic name is a dot, not "any character".
    expect(filterByName(named("ordersxdlq"), "orders.*").map((t) => t.name)).toEqual([]);
  });

  it("keeps everything (the same array) without a filter", () => {
    expect(filterByName(topics, "  ")).toBe(topics);
  });

  it("writes offsets, brokers and assignments as the tables show them", () => {
    expect(formatOffset(null)).toBe("—");
    expect(formatOffset(18240)).toBe("18,240");
    expect(formatOffset(0)).toBe("0");
    expect(brokersText([{ id: 1, host: "kafka-1", port: 9092 }, { id: 2, host: "kafka-2", port: 9093 }])).toBe("#1 kafka-1:9092, #2 kafka-2:9093");
    expect(assignmentText([["orders", [1, 0]], ["payments", [0]]])).toBe("orders[0,1] payments[0]");
    expect(assignmentText([])).toBe("no partitions");
    expect(underReplicated({ replicas: [1, 2, 3], isr: [1, 2] })).toBe(true);
    expect(underReplicated({ replicas: [1, 2], isr: [2, 1] })).toBe(false);
  });
});

describe("the offset-reset form", () => {
  it("sends earliest and latest as they are", () => {
    expect(resetTo(form({ mode: "earliest" }))).toBe("earliest");
    expect(resetTo(form({ mode: "latest" }))).toBe("latest");
    // The other inputs do not matter for these.
    expect(resetTo(form({ mode: "latest", offset: "x", time: "y" }))).toBe("latest");
  });

  it("sends an offset only when it is a whole number", () => {
    expect(resetTo(form({ mode: "offset", offset: " 1200 " }))).toBe("1200");
    expect(resetTo(form({ mode: "offset", offset: "007" }))).toBe("7");
    expect(resetTo(form({ mode: "offset", offset: "0" }))).toBe("0");
    expect(resetTo(form({ mode: "offset", offset: "" }))).toBeNull();
    expect(resetTo(form({ mode: "offset", offset: "-1" }))).toBeNull();
    expect(resetTo(form({ mode: "offset", offset: "1.5" }))).toBeNull();
    expect(resetTo(form({ mode: "offset", offset: "1e3" }))).toBeNull();
    expect(resetTo(form({ mode: "offset", offset: "99999999999999999999" }))).toBeNull();
  });

  it("sends a local date and time as RFC 3339 in UTC", () => {
    // The input's value is local time; what it means in UTC depends on the machine's zone.
    const expected = new Date(2026, 11, 7, 10, 0, 0).toISOString().replace(".000Z", "Z");
    expect(localTimeToUtc("2026-12-07T10:00")).toBe(expected);
    expect(resetTo(form({ mode: "time", time: "2026-12-07T10:00" }))).toBe(expected);
    expect(localTimeToUtc("2026-12-07T10:00:30")).toBe(new Date(2026, 11, 7, 10, 0, 30).toISOString().replace(".000Z", "Z"));
    expect(localTimeToUtc("2026-12-07T10:00:30.250")).toMatch(/\.250Z$/);
    expect(localTimeToUtc("2026-12-07T10:00")).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(localTimeToUtc("")).toBeNull();
    expect(localTimeToUtc("2026-12-07")).toBeNull();
    expect(localTimeToUtc("2026-13-40T10:00")).toBeNull();
    expect(resetTo(form({ mode: "time", time: "" }))).toBeNull();
  });

  it("builds the request, with every partition or one", () => {
    expect(resetRequest(form())).toEqual({ topic: "orders", to: "latest", partition: null });
    expect(resetRequest(form({ partition: "2", mode: "earliest" }))).toEqual({ topic: "orders", to: "earliest", partition: 2 });
    expect(resetRequest(form({ partition: "0" }))?.partition).toBe(0);
    expect(resetRequest(form({ topic: "" }))).toBeNull();
    expect(resetRequest(form({ mode: "offset", offset: "" }))).toBeNull();
  });

  it("starts on the first topic offered, every partition, latest", () => {
    expect(initialResetForm(["orders", "payments"])).toEqual({ topic: "orders", mode: "latest", offset: "", time: "", partition: "" });
    expect(initialResetForm([]).topic).toBe("");
  });

  it("offers the group's topics, else the cluster's", () => {
    const lag = [{ topic: "payments" }, { topic: "orders" }, { topic: "orders" }];
    const topics = named("audit-log", "orders", "payments");
    expect(resetTopics(lag, topics)).toEqual(["orders", "payments"]);
    expect(resetTopics([], topics)).toEqual(["audit-log", "orders", "payments"]);
  });

  it("offers a topic's partitions from the catalog, else from the lag rows", () => {
    const topics = [{ name: "orders", partitions: [{ id: 2 }, { id: 0 }, { id: 1 }] }];
    const lag = [
      { topic: "gone", partition: 3 },
      { topic: "gone", partition: 1 },
    ];
    expect(topicPartitions("orders", topics, lag)).toEqual([0, 1, 2]);
    expect(topicPartitions("gone", topics, lag)).toEqual([1, 3]);
    expect(topicPartitions("none", topics, lag)).toEqual([]);
  });

  it("enables Apply only after a preview of exactly the current inputs", () => {
    const previewed = resetRequest(form({ mode: "earliest" }));
    expect(canApply(previewed, resetRequest(form({ mode: "earliest" })), false)).toBe(true);
    // Any change invalidates the preview: the target, the partition, the topic.
    expect(canApply(previewed, resetRequest(form({ mode: "latest" })), false)).toBe(false);
    expect(canApply(previewed, resetRequest(form({ mode: "earliest", partition: "1" })), false)).toBe(false);
    expect(canApply(previewed, resetRequest(form({ mode: "earliest", topic: "payments" })), false)).toBe(false);
    // An offset typed differently but meaning the same is the same request.
    const byOffset = resetRequest(form({ mode: "offset", offset: "12" }));
    expect(canApply(byOffset, resetRequest(form({ mode: "offset", offset: "012" })), false)).toBe(true);
    expect(canApply(byOffset, resetRequest(form({ mode: "offset", offset: "13" })), false)).toBe(false);
    // Nothing previewed, an incomplete form, or a call under way: no Apply.
    expect(canApply(null, previewed, false)).toBe(false);
    expect(canApply(previewed, null, false)).toBe(false);
    expect(canApply(previewed, previewed, true)).toBe(false);
    expect(sameRequest(null, null)).toBe(false);
  });

  it("says how to get out of IN_USE", () => {
    expect(resetErrorAdvice({ code: "IN_USE", message: "group billing has 2 active member(s)" })).toMatch(/Stop the group's consumers first/);
    expect(resetErrorAdvice({ code: "NOT_FOUND", message: "no such topic" })).toBeNull();
  });
});

describe("the lag chart", () => {
  it("keeps the newest points, oldest first", () => {
    let points: LagPoint[] = [];
    for (let i = 0; i < LAG_CHART_POINTS + 10; i += 1) points = pushLagPoint(points, i * 2000, i);
    expect(points).toHaveLength(LAG_CHART_POINTS);
    expect(points[0]).toEqual({ t: 20_000, lag: 10 });
    expect(points[points.length - 1].lag).toBe(LAG_CHART_POINTS + 9);
    expect(pushLagPoint([], 0, 5, 3)).toEqual([{ t: 0, lag: 5 }]);
  });

  it("does not change the points it is given", () => {
    const before = [{ t: 1, lag: 1 }];
    const after = pushLagPoint(before, 2, 2, 1);
    expect(before).toEqual([{ t: 1, lag: 1 }]);
    expect(after).toEqual([{ t: 2, lag: 2 }]);
  });

  it("charts a negative or unreadable lag as 0", () => {
    expect(pushLagPoint([], 0, -5)[0].lag).toBe(0);
    expect(pushLagPoint([], 0, Number.NaN)[0].lag).toBe(0);
  });

  it("gives uPlot seconds and the lag", () => {
    expect(lagSeries([{ t: 2000, lag: 7 }, { t: 4000, lag: 9 }])).toEqual({ x: [2, 4], y: [7, 9] });
    expect(lagSeries([])).toEqual({ x: [], y: [] });
  });

  it("scales the y axis from 0 to a little above the highest lag", () => {
    expect(lagAxisMax(100)).toBe(110);
    expect(lagAxisMax(0)).toBe(1);
    expect(lagAxisMax(null)).toBe(1);
    expect(lagAxisMax(3)).toBe(4);
  });

  it("says where the lag is going", () => {
    expect(lagTrend([])).toBe("flat");
    expect(lagTrend([{ t: 0, lag: 5 }])).toBe("flat");
    expect(lagTrend([{ t: 0, lag: 5 }, { t: 1, lag: 9 }])).toBe("up");
    expect(lagTrend([{ t: 0, lag: 5 }, { t: 1, lag: 0 }])).toBe("down");
    expect(lagTrend([{ t: 0, lag: 5 }, { t: 1, lag: 9 }, { t: 2, lag: 5 }])).toBe("flat");
  });
});

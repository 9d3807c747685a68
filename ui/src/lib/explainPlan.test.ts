import { describe, expect, it } from "vitest";
import type { Cell, CellKind } from "../api";
import { flatten, isMisestimate, parsePlan, type PlanNode, type PlanRows } from "./explainPlan";

const json = (value: unknown, k: CellKind = "json"): PlanRows => ({
  columns: ["QUERY PLAN"],
  rows: [[{ k, v: JSON.stringify(value) }]],
  analyzed: false,
  elapsedMs: 3,
});

const byPath = (roots: PlanNode[], path: string): PlanNode => {
  const node = flatten(roots).find((n) => n.path === path);
  if (!node) throw new Error(`no node ${path}`);
  return node;
};

// EXPLAIN (FORMAT JSON) SELECT … FROM orders o JOIN customers c ON o.customer_id = c.id WHERE o.created_at > '2026-01-01'
const pgPlan = {
  "Node Type": "Hash Join",
  "Parallel Aware": false,
  "Join Type": "Inner",
  "Startup Cost": 12.5,
  "Total Cost": 48.3,
  "Plan Rows": 120,
  "Plan Width": 64,
  "Inner Unique": true,
  "Hash Cond": "(o.customer_id = c.id)",
  Plans: [
    {
      "Node Type": "Index Scan",
      "Parent Relationship": "Outer",
      "Parallel Aware": false,
      "Scan Direction": "Forward",
      "Index Name": "orders_created_at_idx",
      "Relation Name": "orders",
      Alias: "o",
      "Startup Cost": 0.29,
      "Total Cost": 30.1,
      "Plan Rows": 120,
      "Plan Width": 40,
      "Index Cond": "(created_at > '2026-01-01'::date)",
    },
    {
      "Node Type": "Hash",
      "Parent Relationship": "Inner",
      "Parallel Aware": false,
      "Startup Cost": 10,
      "Total Cost": 10,
      "Plan Rows": 200,
      "Plan Width": 24,
      Plans: [
        {
          "Node Type": "Seq Scan",
          "Parent Relationship": "Outer",
          "Parallel Aware": false,
          "Relation Name": "customers",
          Alias: "c",
          "Startup Cost": 0,
          "Total Cost": 10,
          "Plan Rows": 200,
          "Plan Width": 24,
        },
      ],
    },
  ],
};

// The same statement with EXPLAIN (ANALYZE, FORMAT JSON): actual rows, times and loops.
const pgAnalyzed = {
  ...pgPlan,
  "Actual Startup Time": 0.5,
  "Actual Total Time": 5.2,
  "Actual Rows": 3000,
  "Actual Loops": 1,
  Plans: [
    { ...pgPlan.Plans[0], "Actual Startup Time": 0.02, "Actual Total Time": 3.1, "Actual Rows": 3000, "Actual Loops": 1 },
    {
      ...pgPlan.Plans[1],
      "Actual Startup Time": 0.4,
      "Actual Total Time": 0.4,
      "Actual Rows": 200,
      "Actual Loops": 1,
      Plans: [{ ...pgPlan.Plans[1].Plans?.[0], "Actual Startup Time": 0.01, "Actual Total Time": 0.25, "Actual Rows": 200, "Actual Loops": 1 }],
    },
  ],
};

describe("PostgreSQL plans", () => {
  it("builds the tree with relations, conditions and estimated rows", () => {
    const plan = parsePlan(json([{ Plan: pgPlan }]));
    expect(plan.format).toBe("postgres");
    expect(plan.analyzed).toBe(false);
    expect(plan.metric).toBe("cost");
    expect(plan.planningMs).toBeNull();
    const [join] = plan.roots;
    expect(join.label).toBe("Hash Join");
    expect(join.details).toEqual(["Join Type: Inner", "Hash Cond: (o.customer_id = c.id)"]);
    expect(join.estimatedRows).toBe(120);
    expect(join.actualRows).toBeNull();
    expect(join.children.map((c) => c.label)).toEqual(["Index Scan", "Hash"]);
    const index = byPath(plan.roots, "0.0");
    expect(index.relation).toBe("orders o");
    expect(index.details).toContain("Index Name: orders_created_at_idx");
    expect(index.details).toContain("Index Cond: (created_at > '2026-01-01'::date)");
    const seq = byPath(plan.roots, "0.1.0");
    expect(seq.label).toBe("Seq Scan");
    expect(seq.relation).toBe("customers c");
  });

  it("marks the nodes with the highest self cost without ANALYZE", () => {
    const plan = parsePlan(json([{ Plan: pgPlan }]));
    expect(byPath(plan.roots, "0").self).toBeCloseTo(8.2);
    expect(byPath(plan.roots, "0.0").self).toBeCloseTo(30.1);
    expect(byPath(plan.roots, "0.1").self).toBe(0);
    expect(byPath(plan.roots, "0.1.0").self).toBeCloseTo(10);
    expect(flatten(plan.roots).filter((n) => n.costliest).map((n) => n.path)).toEqual(["0", "0.0", "0.1.0"]);
    expect(plan.total).toBeCloseTo(48.3);
    expect(flatten(plan.roots).some((n) => n.misestimate)).toBe(false);
  });

  it("uses measured self time, actual rows and the total times with ANALYZE", () => {
    const plan = parsePlan({ ...json([{ Plan: pgAnalyzed, "Planning Time": 0.35, Triggers: [], "Execution Time": 5.6 }]), analyzed: true });
    expect(plan.analyzed).toBe(true);
    expect(plan.metric).toBe("time");
    expect(plan.planningMs).toBe(0.35);
    expect(plan.executionMs).toBe(5.6);
    const join = byPath(plan.roots, "0");
    expect(join.timeMs).toBe(5.2);
    expect(join.self).toBeCloseTo(1.7);
    expect(join.actualRows).toBe(3000);
    // 120 estimated, 3,000 returned: 25× off.
    expect(join.misestimate).toBe(true);
    expect(byPath(plan.roots, "0.1.0").misestimate).toBe(false);
    // Index Scan (3.1 ms) and the join itself (1.7 ms); the scan of customers (0.25 ms) is far behind.
    expect(flatten(plan.roots).filter((n) => n.costliest).map((n) => n.path)).toEqual(["0", "0.0"]);
  });

  it("multiplies a node's time per loop by its loops", () => {
    const inner = { "Node Type": "Index Scan", "Relation Name": "items", "Total Cost": 2, "Plan Rows": 1, "Actual Total Time": 0.01, "Actual Rows": 4, "Actual Loops": 100 };
    const plan = parsePlan({ ...json([{ Plan: { "Node Type": "Nested Loop", "Total Cost": 250, "Plan Rows": 100, "Actual Total Time": 1.5, "Actual Rows": 400, "Actual Loops": 1, Plans: [inner] } }]), analyzed: true });
    expect(byPath(plan.roots, "0.0").timeMs).toBeCloseTo(1);
    expect(byPath(plan.roots, "0.0").details).toContain("Actual Loops: 100");
    expect(byPath(plan.roots, "0").self).toBeCloseTo(0.5);
  });
});

// MariaDB: ANALYZE FORMAT=JSON SELECT … FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.total > 100
const mariaAnalyzed = {
  query_block: {
    select_id: 1,
    r_loops: 1,
    r_total_time_ms: 4.1,
    nested_loop: [
      {
        table: {
          table_name: "c",
          access_type: "ALL",
          possible_keys: ["PRIMARY"],
          r_loops: 1,
          rows: 200,
          r_rows: 200,
          r_total_time_ms: 0.3,
          filtered: 100,
          r_filtered: 100,
        },
      },
      {
        table: {
          table_name: "o",
          access_type: "ref",
          possible_keys: ["customer_id"],
          key: "customer_id",
          key_length: "4",
          used_key_parts: ["customer_id"],
          ref: ["shop.c.id"],
          r_loops: 200,
          rows: 2,
          r_rows: 40,
          r_total_time_ms: 3.2,
          filtered: 100,
          r_filtered: 50,
          attached_condition: "o.total > 100",
        },
      },
    ],
  },
};

// MySQL 8: EXPLAIN FORMAT=JSON SELECT … ORDER BY c.name
const mysqlPlan = {
  query_block: {
    select_id: 1,
    cost_info: { query_cost: "91.25" },
    ordering_operation: {
      using_filesort: true,
      nested_loop: [
        {
          table: {
            table_name: "c",
            access_type: "ALL",
            possible_keys: ["PRIMARY"],
            rows_examined_per_scan: 200,
            rows_produced_per_join: 200,
            filtered: "100.00",
            cost_info: { read_cost: "0.75", eval_cost: "20.00", prefix_cost: "20.75", data_read_per_join: "52K" },
            used_columns: ["id", "name"],
          },
        },
        {
          table: {
            table_name: "o",
            access_type: "ref",
            possible_keys: ["customer_id"],
            key: "customer_id",
            used_key_parts: ["customer_id"],
            key_length: "4",
            ref: ["shop.c.id"],
            rows_examined_per_scan: 3,
            rows_produced_per_join: 600,
            filtered: "100.00",
            cost_info: { read_cost: "10.50", eval_cost: "60.00", prefix_cost: "91.25", data_read_per_join: "9K" },
            used_columns: ["id", "customer_id", "total"],
          },
        },
      ],
    },
  },
};

describe("MySQL and MariaDB plans", () => {
  it("walks MariaDB's ANALYZE JSON: measured rows and times", () => {
    const plan = parsePlan({ ...json(mariaAnalyzed, "text"), columns: ["ANALYZE"], analyzed: true });
    expect(plan.format).toBe("mysql");
    expect(plan.metric).toBe("time");
    expect(plan.executionMs).toBe(4.1);
    const [block] = plan.roots;
    expect(block.label).toBe("query_block");
    expect(block.details).toContain("select_id: 1");
    const loop = byPath(plan.roots, "0.0");
    expect(loop.label).toBe("nested_loop");
    expect(loop.children.map((c) => [c.label, c.relation])).toEqual([
      ["ALL", "c"],
      ["ref", "o"],
    ]);
    const orders = byPath(plan.roots, "0.0.1");
    expect(orders.estimatedRows).toBe(2);
    expect(orders.actualRows).toBe(40);
    expect(orders.misestimate).toBe(true);
    expect(orders.details).toContain("key: customer_id");
    expect(orders.details).toContain("attached_condition: o.total > 100");
    expect(byPath(plan.roots, "0.0.0").misestimate).toBe(false);
    expect(block.self).toBeCloseTo(0.6);
    expect(flatten(plan.roots).filter((n) => n.costliest).map((n) => n.path)).toEqual(["0", "0.0.1"]);
  });

  it("walks MySQL's JSON: operations as nodes, the cost of each table", () => {
    const plan = parsePlan(json(mysqlPlan));
    expect(plan.metric).toBe("cost");
    expect(plan.executionMs).toBeNull();
    const order = byPath(plan.roots, "0.0");
    expect(order.label).toBe("ordering_operation");
    expect(order.details).toContain("using_filesort: true");
    const customers = byPath(plan.roots, "0.0.0.0");
    expect(customers.estimatedRows).toBe(200);
    expect(customers.cost).toBeCloseTo(20.75);
    expect(customers.details).not.toContain(expect.stringContaining("cost_info"));
    const orders = byPath(plan.roots, "0.0.0.1");
    expect(orders.self).toBeCloseTo(70.5);
    expect(byPath(plan.roots, "0").self).toBeCloseTo(0);
    expect(flatten(plan.roots).filter((n) => n.costliest).map((n) => n.relation)).toEqual(["c", "o"]);
  });

  it("turns nested objects such as materialized subqueries into children", () => {
    const plan = parsePlan(
      json({ query_block: { select_id: 1, table: { table_name: "<subquery2>", access_type: "eq_ref", materialized_from_subquery: { query_block: { select_id: 2, table: { table_name: "items", access_type: "index", rows: 10 } } } } } }),
    );
    expect(flatten(plan.roots).map((n) => n.label)).toEqual(["query_block", "eq_ref", "materialized_from_subquery", "query_block", "index"]);
  });
});

describe("SQLite plans", () => {
  it("builds the tree from id and parent", () => {
    const int = (n: number): Cell => ({ k: "int", v: String(n) });
    const text = (v: string): Cell => ({ k: "text", v });
    const plan = parsePlan({
      columns: ["id", "parent", "notused", "detail"],
      rows: [
        [int(3), int(0), int(0), text("SCAN o")],
        [int(5), int(0), int(0), text("SEARCH c USING INTEGER PRIMARY KEY (rowid=?)")],
        [int(9), int(0), int(0), text("CORRELATED SCALAR SUBQUERY 1")],
        [int(12), int(9), int(0), text("SEARCH items USING INDEX items_order (order_id=?)")],
        [int(30), int(0), int(0), text("USE TEMP B-TREE FOR ORDER BY")],
      ],
      analyzed: false,
      elapsedMs: 1,
    });
    expect(plan.format).toBe("sqlite");
    expect(plan.metric).toBeNull();
    expect(plan.roots.map((n) => n.label)).toEqual(["SCAN o", "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)", "CORRELATED SCALAR SUBQUERY 1", "USE TEMP B-TREE FOR ORDER BY"]);
    expect(byPath(plan.roots, "2.0").label).toBe("SEARCH items USING INDEX items_order (order_id=?)");
    expect(flatten(plan.roots).some((n) => n.costliest)).toBe(false);
  });
});

describe("row estimates", () => {
  it("warns at 10× either way, counting 0 as 1", () => {
    expect(isMisestimate(100, 10)).toBe(true);
    expect(isMisestimate(10, 99)).toBe(false);
    expect(isMisestimate(1, 0)).toBe(false);
    expect(isMisestimate(0, 10)).toBe(true);
    expect(isMisestimate(null, 10)).toBe(false);
  });

  it("refuses JSON it does not know", () => {
    expect(() => parsePlan(json({ something: 1 }))).toThrow(/shape/);
  });
});

import { describe, expect, it } from "vitest";
import type { TableInfo, TableRef } from "../api";
import { describeForeignKey, flattenTree, groupBySchema, matchFilter, tableKey, type DetailsEntry } from "./schemaTree";

const tables: TableRef[] = [
  { schema: "public", name: "orders", kind: "table" },
  { schema: "public", name: "Customers", kind: "table" },
  { schema: "public", name: "order_items", kind: "table" },
  { schema: "public", name: "order_totals", kind: "view" },
  { schema: "audit", name: "events", kind: "partitioned_table" },
];

const noDetails = new Map<string, DetailsEntry>();

describe("matchFilter", () => {
  it("matches substrings case-insensitively and returns the range in the name", () => {
    expect(matchFilter({ schema: null, name: "order_items" }, "ITEM")).toEqual([6, 10]);
    expect(matchFilter({ schema: null, name: "customers" }, "item")).toBeNull();
    expect(matchFilter({ schema: null, name: "x" }, "  ")).toEqual([0, 0]);
  });

  it("supports globs anchored at both ends", () => {
    expect(matchFilter({ schema: null, name: "order_items" }, "order*")).not.toBeNull();
    expect(matchFilter({ schema: null, name: "order_items" }, "*items")).not.toBeNull();
    expect(matchFilter({ schema: null, name: "order_items" }, "items*")).toBeNull();
    expect(matchFilter({ schema: null, name: "t1" }, "t?")).not.toBeNull();
    expect(matchFilter({ schema: null, name: "t1.x" }, "t?")).toBeNull();
  });

  it("matches schema-qualified names when the filter has a dot", () => {
    expect(matchFilter({ schema: "audit", name: "events" }, "audit.ev")).toEqual([0, 2]);
    expect(matchFilter({ schema: "public", name: "events" }, "audit.ev")).toBeNull();
    expect(matchFilter({ schema: "audit", name: "events" }, "audit.*")).toEqual([0, 6]);
  });
});

describe("flattenTree", () => {
  it("groups by schema, sorts names, and expands a lone schema's groups by default", () => {
    const single = tables.filter((t) => t.schema === "public");
    const rows = flattenTree({ database: "shop", tables: single, filter: "", expansion: new Map(), details: noDetails });
    expect(rows.map((r) => (r.type === "table" ? r.table.name : `${r.type}:${"label" in r ? r.label : ""}`))).toEqual([
      "database:shop",
      "schema:public",
      "group:Tables",
      "Customers",
      "order_items",
      "orders",
      "group:Views",
      "order_totals",
    ]);
  });

  it("keeps several schemas collapsed until opened", () => {
    const rows = flattenTree({ database: "db", tables, filter: "", expansion: new Map(), details: noDetails });
    expect(rows.map((r) => r.type)).toEqual(["database", "schema", "schema"]);
    expect(groupBySchema(tables).map((g) => g.schema)).toEqual(["audit", "public"]);
    const opened = flattenTree({
      database: "db",
      tables,
      filter: "",
      expansion: new Map([["s:audit", true]]),
      details: noDetails,
    });
    expect(opened.filter((r) => r.type === "table").map((r) => (r.type === "table" ? r.qualified : ""))).toEqual([
      "audit.events",
    ]);
  });

  it("filters to matching tables and opens their parents", () => {
    const rows = flattenTree({ database: "db", tables, filter: "order", expansion: new Map(), details: noDetails });
    const names = rows.flatMap((r) => (r.type === "table" ? [r.table.name] : []));
    expect(names).toEqual(["order_items", "orders", "order_totals"]);
    const group = rows.find((r) => r.type === "group" && r.label === "Tables");
    expect(group).toMatchObject({ count: 2, total: 3 });
    const none = flattenTree({ database: "db", tables, filter: "zzz", expansion: new Map(), details: noDetails });
    expect(none[none.length - 1]).toMatchObject({ type: "status", tone: "empty" });
  });

  it("shows loading, then columns, keys and indexes of an expanded table", () => {
    const expansion = new Map([[tableKey("public.orders"), true]]);
    const single = tables.filter((t) => t.name === "orders");
    const loading = flattenTree({ database: "db", tables: single, filter: "", expansion, details: new Map([["public.orders", { status: "loading" }]]) });
    expect(loading[loading.length - 1]).toMatchObject({ type: "status", tone: "loading" });

    const info: TableInfo = {
      schema: "public",
      name: "orders",
      kind: "table",
      columns: [
        { name: "id", type: "integer", nullable: false, primary_key: true, default: null },
        { name: "customer_id", type: "integer", nullable: false, primary_key: false, default: null },
      ],
      primary_key: ["id"],
      indexes: [{ name: "orders_customer", columns: ["customer_id"], unique: false, primary: false }],
      foreign_keys: [
        {
          name: "orders_customer_fk",
          columns: ["customer_id"],
          referenced_schema: null,
          referenced_table: "customers",
          referenced_columns: ["id"],
          on_update: null,
          on_delete: "CASCADE",
        },
      ],
    };
    const details = new Map<string, DetailsEntry>([["public.orders", { status: "ok", info }]]);
    const rows = flattenTree({ database: "db", tables: single, filter: "", expansion, details });
    expect(rows.slice(4).map((r) => r.type)).toEqual(["column", "column", "section", "section"]);
    const open = new Map(expansion);
    open.set(`${tableKey("public.orders")}/keys`, true);
    const withKeys = flattenTree({ database: "db", tables: single, filter: "", expansion: open, details });
    expect(withKeys.filter((r) => r.type === "key").map((r) => (r.type === "key" ? r.label : ""))).toEqual([
      "PRIMARY KEY",
      "orders_customer_fk",
    ]);
    expect(describeForeignKey(info.foreign_keys[0])).toBe("(customer_id) → customers(id) on delete cascade");
  });

  it("says so when the database has no tables, and reports load errors", () => {
    const empty = flattenTree({ database: "db", tables: [], filter: "", expansion: new Map(), details: noDetails });
    expect(empty[1]).toMatchObject({ type: "status", tone: "empty" });
    const expansion = new Map([[tableKey("public.orders"), true]]);
    const failed = flattenTree({
      database: "db",
      tables: [tables[0]],
      filter: "",
      expansion,
      details: new Map([["public.orders", { status: "error", error: { code: "NOT_FOUND", message: "gone" } }]]),
    });
    expect(failed[failed.length - 1]).toMatchObject({ tone: "error", label: "NOT_FOUND: gone" });
  });

  it("stays fast with 5,000 tables", () => {
    const many: TableRef[] = Array.from({ length: 5000 }, (_, i) => ({ schema: null, name: `t${i}`, kind: "table" }));
    const started = performance.now();
    const rows = flattenTree({ database: "db", tables: many, filter: "t49", expansion: new Map(), details: noDetails });
    expect(rows.filter((r) => r.type === "table")).toHaveLength(111);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

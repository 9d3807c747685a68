import { describe, expect, it } from "vitest";
import { demoSpec } from "../dev/demoEngines";
import { quoteIdent, selectRowsSql, sqlSummary, statementSpans, statementToRun, takesSql } from "./sqlText";

describe("statementSpans", () => {
  it("splits at top-level semicolons only", () => {
    const sql = "select ';' as a; select \"x;y\" from t -- c;\n; /* ; */ select $tag$;$tag$";
    const spans = statementSpans(sql).map((s) => sql.slice(s.from, s.to));
    expect(spans).toEqual(["select ';' as a", 'select "x;y" from t -- c;', "/* ; */ select $tag$;$tag$"]);
  });

  it("ignores blank and comment-only pieces", () => {
    expect(statementSpans(" ; -- nothing\n ;")).toEqual([]);
  });
});

describe("statementToRun", () => {
  const sql = "select 1;\nselect 2;\n\nselect 3";
  it("runs the selection when there is one", () => {
    expect(statementToRun(sql, { from: 10, to: 18 })).toBe("select 2");
  });
  it("runs the statement under the cursor", () => {
    expect(statementToRun(sql, { from: 12, to: 12 })).toBe("select 2");
    expect(statementToRun(sql, { from: 0, to: 0 })).toBe("select 1");
    expect(statementToRun(sql, { from: sql.length, to: sql.length })).toBe("select 3");
  });
  it("runs the statement just before the cursor when it sits after a semicolon", () => {
    expect(statementToRun("select 1;   ", { from: 12, to: 12 })).toBe("select 1");
  });
  it("returns nothing for an empty editor", () => {
    expect(statementToRun("  -- just a comment", { from: 0, to: 0 })).toBe("");
  });
});

describe("quoting", () => {
  it("quotes only when needed, per dialect", () => {
    expect(quoteIdent("postgres", "orders")).toBe("orders");
    expect(quoteIdent("postgres", "Order Items")).toBe('"Order Items"');
    expect(quoteIdent("sqlite", "order")).toBe('"order"');
    expect(quoteIdent("mysql", "a`b")).toBe("`a``b`");
    expect(quoteIdent("mssql", "x]y")).toBe("[x]]y]");
  });
  it("writes the engine's own row-preview query", () => {
    expect(selectRowsSql(demoSpec("sqlite"), { schema: null, name: "orders" })).toBe("SELECT * FROM orders LIMIT 100;");
    expect(selectRowsSql(demoSpec("postgres"), { schema: "Sales", name: "orders" }, 10)).toBe('SELECT * FROM "Sales".orders LIMIT 10;');
    expect(selectRowsSql(demoSpec("mssql"), { schema: "dbo", name: "orders" })).toBe("SELECT TOP 100 * FROM dbo.orders;");
    expect(selectRowsSql(demoSpec("mongodb"), { schema: null, name: "users" })).toBe('db.getCollection("users").find({}).limit(100)');
    expect(selectRowsSql(demoSpec("redis"), { schema: null, name: "orders" })).toBe("");
    expect(selectRowsSql(null, { schema: null, name: "orders" })).toBe("");
  });
  it("takes the query language from the spec, not the engine's name", () => {
    const sqlite = demoSpec("sqlite");
    const noQuery = { ...sqlite, capabilities: { ...sqlite.capabilities, query: null } };
    expect(selectRowsSql(noQuery, { schema: null, name: "orders" })).toBe("");
    expect(takesSql(noQuery.capabilities)).toBe(false);
    expect(takesSql(sqlite.capabilities)).toBe(true);
    expect(takesSql(demoSpec("mongodb").capabilities)).toBe(false);
    expect(takesSql(null)).toBe(false);
    const shell = { ...sqlite, capabilities: { ...sqlite.capabilities, query: "mongo-shell" as const } };
    expect(selectRowsSql(shell, { schema: null, name: "orders" })).toBe('db.getCollection("orders").find({}).limit(100)');
  });
  it("summarizes statements on one line", () => {
    expect(sqlSummary("select *\n  from   t")).toBe("select * from t");
    expect(sqlSummary("x".repeat(10), 5)).toBe("xxxx…");
  });
});

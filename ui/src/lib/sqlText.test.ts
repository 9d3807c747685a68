import { describe, expect, it } from "vitest";
import { quoteIdent, selectRowsSql, sqlSummary, statementSpans, statementToRun } from "./sqlText";

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
    expect(selectRowsSql("sqlite", { schema: null, name: "orders" })).toBe("SELECT * FROM orders LIMIT 100;");
    expect(selectRowsSql("postgres", { schema: "Sales", name: "orders" }, 10)).toBe('SELECT * FROM "Sales".orders LIMIT 10;');
    expect(selectRowsSql("mssql", { schema: "dbo", name: "orders" })).toBe("SELECT TOP 100 * FROM dbo.orders;");
    expect(selectRowsSql("mongodb", { schema: null, name: "users" })).toBe('db.getCollection("users").find({}).limit(100)');
  });
  it("summarizes statements on one line", () => {
    expect(sqlSummary("select *\n  from   t")).toBe("select * from t");
    expect(sqlSummary("x".repeat(10), 5)).toBe("xxxx…");
  });
});

import { describe, expect, it } from "vitest";
import { lineOf, notRunText, resultTabLabel, scriptStatements, statementErrorText, statementState } from "./scriptRun";

const script = "-- setup\nSELECT 1;\n\nUPDATE accounts\n   SET balance = 0\n WHERE id = 7;\nSELECT ';' AS semi; DELETE FROM t";

describe("script statements", () => {
  it("splits the text and says the line each statement starts on", () => {
    const statements = scriptStatements(script);
    expect(statements.map((s) => [s.index, s.line, s.sql.replace(/^--.*\n/, "").split("\n")[0]])).toEqual([
      [0, 2, "SELECT 1"],
      [1, 4, "UPDATE accounts"],
      [2, 7, "SELECT ';' AS semi"],
      [3, 7, "DELETE FROM t"],
    ]);
    // The statement keeps its leading comment (as Run sends it); its line is that of its code.
    expect(statements[0].sql).toBe("-- setup\nSELECT 1");
    expect(script.slice(statements[1].from, statements[1].to)).toBe(statements[1].sql);
  });

  it("counts lines from the offset", () => {
    expect(lineOf("a\nb\nc", 0)).toBe(1);
    expect(lineOf("a\nb\nc", 2)).toBe(2);
    expect(lineOf("a\nb\nc", 99)).toBe(3);
  });

  it("labels result tabs and says what failed and what did not run", () => {
    expect(resultTabLabel(0, "SELECT  *\nFROM orders")).toBe("1 · SELECT * FROM orders");
    expect(resultTabLabel(1, "UPDATE accounts SET balance = balance - 10 WHERE id = 7", 16)).toBe("2 · UPDATE accounts…");
    expect(statementErrorText({ index: 1, line: 4 }, "no such table: accounts")).toBe("Statement 2 (line 4): no such table: accounts");
    expect(notRunText(1, 4)).toBe("statements 3–4 not run");
    expect(notRunText(2, 4)).toBe("statement 4 not run");
    expect(notRunText(3, 4)).toBe("");
  });

  it("gives each result tab its state", () => {
    expect(statementState(0, 1, true, "done")).toBe("ok");
    expect(statementState(1, 1, true, null)).toBe("running");
    expect(statementState(2, 1, true, null)).toBe("not-run");
    expect(statementState(1, 1, false, "error")).toBe("error");
    expect(statementState(1, 1, false, "cancelled")).toBe("cancelled");
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, type Backend, type QueryChunk } from "../api";

beforeEach(() => {
  vi.resetModules();
  vi.stubGlobal("window", globalThis);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

type Run = Backend["runQuery"];

async function withBackend(runQuery: Run, extra: Partial<Backend> = {}) {
  const api = await import("../api");
  api.setBackend({ runQuery, queryHistory: () => Promise.resolve([]), cancelQuery: () => Promise.resolve(true), ...extra } as unknown as Backend);
  return { scripts: await import("./scripts"), runs: await import("./runs") };
}

const answer = (queryId: string, rowCount = 0) => ({ queryId, columns: [], rowCount, truncated: false, elapsedMs: 1, moreResults: [] });

describe("running a script", () => {
  it("runs every statement in order and keeps each result", async () => {
    const ran: string[] = [];
    const { scripts } = await withBackend((_p, sql, queryId, onChunk: (c: QueryChunk) => void) => {
      ran.push(sql);
      onChunk({ rows: [[{ k: "int", v: "1" }]] });
      return Promise.resolve({ ...answer(queryId, 1), columns: [{ name: "n", type: "int" }] });
    });
    const failed = await scripts.runScript("t1", "shop", "SELECT 1;\nSELECT 2;\n-- done\nSELECT 3");
    expect(failed).toBeNull();
    expect(ran).toEqual(["SELECT 1", "SELECT 2", "-- done\nSELECT 3"]);
    const script = scripts.scriptsStore.get().get("t1");
    expect(script?.status).toBe("done");
    expect(script?.results.map((r) => [r?.status, r?.sql, r?.rows.length])).toEqual([
      ["done", "SELECT 1", 1],
      ["done", "SELECT 2", 1],
      ["done", "-- done\nSELECT 3", 1],
    ]);
    expect(new Set(script?.results.map((r) => r?.queryId)).size).toBe(3);
  });

  it("stops at the first failure and selects it", async () => {
    const ran: string[] = [];
    const { scripts } = await withBackend((_p, sql, queryId) => {
      ran.push(sql);
      if (sql.startsWith("UPDATE")) return Promise.reject(new ApiError({ code: "QUERY_FAILED", message: "no such table: accounts" }));
      return Promise.resolve(answer(queryId));
    });
    const failed = await scripts.runScript("t2", "shop", "SELECT 1;\n\n\nUPDATE accounts SET x = 1;\nSELECT 3;\nSELECT 4");
    expect(failed).toMatchObject({ index: 1, line: 4 });
    expect(ran).toEqual(["SELECT 1", "UPDATE accounts SET x = 1"]);
    const script = scripts.scriptsStore.get().get("t2");
    expect(script).toMatchObject({ status: "error", current: 1, selected: 1 });
    expect(script?.results[1]?.error?.message).toBe("no such table: accounts");
    expect(script?.results.slice(2)).toEqual([null, null]);
  });

  it("stops the rest of the script on cancel", async () => {
    const ran: string[] = [];
    let release: (() => void) | null = null;
    const { scripts, runs } = await withBackend((_p, sql, queryId) => {
      ran.push(sql);
      return new Promise((resolve, reject) => {
        release = () => reject(new ApiError({ code: "CANCELLED", message: "cancelled" }));
        if (!sql.includes("sleep")) resolve(answer(queryId));
      });
    });
    const pending = scripts.runScript("t3", "shop", "SELECT sleep(10); SELECT 2; SELECT 3");
    await vi.waitFor(() => expect(runs.runOf("t3")?.status).toBe("running"));
    await scripts.cancelScript("t3");
    (release as (() => void) | null)?.();
    expect(await pending).toBeNull();
    expect(ran).toEqual(["SELECT sleep(10)"]);
    expect(scripts.scriptsStore.get().get("t3")).toMatchObject({ status: "cancelled", current: 0 });
  });
});

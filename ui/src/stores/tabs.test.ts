import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

async function loadWith(saved: unknown) {
  const storage = new Map<string, string>([["dbdock.tabs.v1", JSON.stringify(saved)]]);
  vi.stubGlobal("window", {
    localStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) },
    setTimeout: () => 0,
    clearTimeout: () => undefined,
  });
  return import("./tabs");
}

describe("saved tabs", () => {
  it("loads tabs saved before data tabs existed as query tabs, and data tabs", async () => {
    const { tabsStore } = await loadWith({
      tabs: [
        { id: "a", profile: "shop", sql: "SELECT 1" },
        { id: "b", kind: "data", profile: "shop", table: "public.orders", filters: [{ column: "id", op: "eq", values: ["1"] }] },
        { id: "c", kind: "data", profile: "shop" },
      ],
      activeId: "b",
    });
    expect(tabsStore.get()).toEqual({
      tabs: [
        { id: "a", kind: "query", profile: "shop", sql: "SELECT 1" },
        { id: "b", kind: "data", profile: "shop", table: "public.orders", filters: [{ column: "id", op: "eq", values: ["1"] }] },
      ],
      activeId: "b",
    });
  });

  it("opens one unfiltered data tab per table, and a new one with filters", async () => {
    const { openDataTab, tabsStore, openQuery } = await loadWith({ tabs: [], activeId: null });
    const first = openDataTab("shop", "orders");
    expect(openDataTab("shop", "orders")).toBe(first);
    const filtered = openDataTab("shop", "orders", [{ column: "id", op: "eq", values: ["2"] }]);
    expect(filtered).not.toBe(first);
    openQuery("shop", "SELECT 2");
    const tabs = tabsStore.get().tabs;
    expect(tabs.map((t) => t.kind)).toEqual(["data", "data", "query"]);
  });
});

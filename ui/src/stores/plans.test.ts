import { beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, type Backend } from "../api";

beforeEach(() => {
  vi.resetModules();
});

async function withBackend(explainQuery: Backend["explainQuery"]) {
  const api = await import("../api");
  api.setBackend({ explainQuery } as unknown as Backend);
  return import("./plans");
}

describe("explaining a statement", () => {
  it("keeps the plan as a tree and shows it", async () => {
    const explain = vi.fn<Backend["explainQuery"]>(() =>
      Promise.resolve({
        columns: ["id", "parent", "notused", "detail"],
        rows: [
          [{ k: "int", v: "2" }, { k: "int", v: "0" }, { k: "int", v: "0" }, { k: "text", v: "SCAN orders" }],
        ],
        analyzed: false,
        elapsedMs: 2,
      }),
    );
    const plans = await withBackend(explain);
    await plans.explainStatement("t1", "shop", "SELECT * FROM orders", false);
    expect(explain).toHaveBeenCalledWith("shop", "SELECT * FROM orders", false);
    const state = plans.plansStore.get().get("t1");
    expect(state).toMatchObject({ status: "done", shown: true, analyze: false, elapsedMs: 2 });
    expect(state?.plan?.roots.map((n) => n.label)).toEqual(["SCAN orders"]);
    plans.showPlan("t1", false);
    expect(plans.plansStore.get().get("t1")?.shown).toBe(false);
  });

  it("shows the backend's message for engines without plans", async () => {
    const plans = await withBackend(() => Promise.reject(new ApiError({ code: "UNSUPPORTED", message: "Redis has no query plans" })));
    await plans.explainStatement("t2", "cache", "GET x", false);
    expect(plans.plansStore.get().get("t2")).toMatchObject({ status: "error", error: { code: "UNSUPPORTED", message: "Redis has no query plans" } });
  });
});

import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ApprovalView, Backend } from "../api";

beforeEach(() => {
  vi.resetModules();
});

type Push = (pending: ApprovalView[]) => void;

async function withBackend(backend: Partial<Backend>) {
  const api = await import("../api");
  api.setBackend(backend as unknown as Backend);
  return import("./approvals");
}

const request = (id: number): ApprovalView => ({
  id,
  createdAt: "2026-12-06T10:00:00Z",
  expiresMs: 0,
  auditId: null,
  client: "claude",
  profile: "shop",
  tool: "execute-update",
  statement: "DELETE FROM orders WHERE id = 3",
  params: "[]",
  preview: { dry_run: true, rows_affected: 1, changes: null, note: null, error: null },
  state: "pending",
  route: null,
  reason: null,
  decidedAt: null,
  rows: null,
  result: null,
});

describe("approvals", () => {
  it("subscribes once and shows what the backend pushes", async () => {
    let push: Push = () => undefined;
    const watchApprovals = vi.fn((onChange: Push) => {
      push = onChange;
      return Promise.resolve();
    });
    const { approvalsStore, watchApprovals: watch } = await withBackend({ watchApprovals });
    await Promise.all([watch(), watch()]);
    expect(watchApprovals).toHaveBeenCalledTimes(1);
    push([request(1), request(2)]);
    expect(approvalsStore.get().pending.map((a) => a.id)).toEqual([1, 2]);
    push([request(2)]);
    expect(approvalsStore.get().pending.map((a) => a.id)).toEqual([2]);
  });

  it("keeps a failed subscription as an error and tries again on the next call", async () => {
    const watchApprovals = vi
      .fn<(onChange: Push) => Promise<void>>()
      .mockRejectedValueOnce({ code: "INTERNAL", message: "store gone" })
      .mockResolvedValueOnce(undefined);
    const { approvalsStore, watchApprovals: watch } = await withBackend({ watchApprovals });
    await watch();
    expect(approvalsStore.get().error?.code).toBe("INTERNAL");
    await watch();
    expect(watchApprovals).toHaveBeenCalledTimes(2);
  });

  it("sends the decision with its reason", async () => {
    const decideApproval = vi.fn(() => Promise.resolve(request(1)));
    const { decide } = await withBackend({ decideApproval });
    await decide(1, false, "not now");
    expect(decideApproval).toHaveBeenCalledWith(1, false, "not now");
  });
});

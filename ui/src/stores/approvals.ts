// Writes AI clients asked for on connections whose AI access is "ask", waiting for the user:
// pushed by the backend as they arrive and as they are decided (no polling here). While the
// window listens, the backend tells asking clients that someone is here to decide.

import { api, toAppError, type AppError, type ApprovalView } from "../api";
import { createStore } from "./store";

export type ApprovalsState = {
  pending: readonly ApprovalView[];
  error: AppError | null;
};

export const approvalsStore = createStore<ApprovalsState>({ pending: [], error: null });

let watching: Promise<void> | null = null;

/** Subscribes once for the life of the window; a failed subscription is kept in `error` and retried on the next call. */
export function watchApprovals(): Promise<void> {
  watching ??= api
    .watchApprovals((pending) => approvalsStore.set({ pending, error: null }))
    .catch((error: unknown) => {
      watching = null;
      approvalsStore.set((s) => ({ ...s, error: toAppError(error) }));
    });
  return watching;
}

/** Approves or denies request `id`; the new list arrives through the subscription. */
export async function decide(id: number, approve: boolean, reason: string | null): Promise<void> {
  await api.decideApproval(id, approve, reason);
}

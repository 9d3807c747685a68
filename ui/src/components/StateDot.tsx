import type { ConnectionState } from "../api";

const LABELS: Record<ConnectionState, string> = {
  disconnected: "Not connected",
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  error: "Connection failed",
};

export function stateLabel(state: ConnectionState): string {
  return LABELS[state];
}

/** The live connection state as a coloured dot. */
export function StateDot({ state, title }: { state: ConnectionState; title?: string }) {
  return <span className="state-dot" data-state={state} title={title ?? LABELS[state]} aria-label={LABELS[state]} />;
}

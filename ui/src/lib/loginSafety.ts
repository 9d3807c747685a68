// What the AI access area says about a profile's login (docs/safety.md, "least privilege").

import type { Capabilities, LoginReport } from "../api";

/**
 * Whether the login is worth checking: the engine takes statements and either DB Dock can
 * make a read-only login on it, or no read-only transaction stands behind the filter (then
 * read-only rests on the check and the login). SQLite passes neither: a file has no logins,
 * and asking would only answer "cannot tell". Unknown engines are not asked.
 */
export function hasLogins(capabilities: Capabilities | null): boolean {
  if (!capabilities || capabilities.query === null) return false;
  return capabilities.createsReadOnlyLogin || !capabilities.readOnlyTransaction;
}

/**
 * No read-only transaction: with a writing login, only DB Dock's filter stands. An unknown
 * engine is assumed to have none (the warning then says too much rather than too little).
 */
export function filterOnly(capabilities: Capabilities | null): boolean {
  if (!capabilities) return true;
  return capabilities.query !== null && !capabilities.readOnlyTransaction;
}

/** What the button for a read-only login says: DB Dock creates it, or shows the statements to run. */
export function readOnlyLoginAction(capabilities: Capabilities | null): string {
  return capabilities?.createsReadOnlyLogin ? "Create read-only login" : "Show read-only login statements";
}

export type LoginVerdict =
  | { tone: "ok"; text: string }
  | { tone: "warn"; text: string; evidence: string[] }
  | { tone: "unknown"; text: string };

/** One line for the login AI clients use: read-only, can write (and why), or unknown. */
export function loginVerdict(report: LoginReport, capabilities: Capabilities | null): LoginVerdict {
  const viaAi = report.aiLogin !== null;
  const used = viaAi ? report.ai : report.login;
  const error = viaAi ? report.aiError : report.loginError;
  const kind = viaAi ? "AI login" : "Login";
  if (used === null) {
    const who = viaAi ? `${kind} ${report.aiLogin}` : kind;
    return { tone: "unknown", text: `${who}: cannot tell whether it can write${error ? ` (${error})` : ""}` };
  }
  const who = `${kind} ${used.login}`;
  if (!used.can_write) return { tone: "ok", text: `${who} can only read` };
  const rests = filterOnly(capabilities)
    ? "read-only rests on DB Dock's filter alone"
    : "read-only rests on DB Dock's filter and the read-only transaction";
  return { tone: "warn", text: `${who} can write: ${rests}`, evidence: used.evidence };
}

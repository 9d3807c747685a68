// What the AI access area says about a profile's login (docs/safety.md, "least privilege").

import type { Engine, LoginReport } from "../api";

/** Engines whose logins DB Dock can ask about (and make a read-only one for). */
export function hasLogins(engine: Engine): boolean {
  return engine === "postgres" || engine === "mysql" || engine === "mssql" || engine === "mongodb";
}

/** Engines with no read-only transaction: with a writing login, only DB Dock's filter stands. */
export function filterOnly(engine: Engine): boolean {
  return engine === "mssql" || engine === "mongodb";
}

export type LoginVerdict =
  | { tone: "ok"; text: string }
  | { tone: "warn"; text: string; evidence: string[] }
  | { tone: "unknown"; text: string };

/** One line for the login AI clients use: read-only, can write (and why), or unknown. */
export function loginVerdict(report: LoginReport): LoginVerdict {
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
  const rests = filterOnly(report.engine)
    ? "read-only rests on DB Dock's filter alone"
    : "read-only rests on DB Dock's filter and the read-only transaction";
  return { tone: "warn", text: `${who} can write: ${rests}`, evidence: used.evidence };
}

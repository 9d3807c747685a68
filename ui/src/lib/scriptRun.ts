// Running a whole script: the statements of the editor's text, where each starts (line), the
// labels of their result tabs, and what the UI says when one fails. Pure; stores/scripts.ts
// does the running.

import { sqlSummary, statementSpans, type Span } from "./sqlText";

export type ScriptStatement = Span & {
  /** 0-based position in the script. */
  index: number;
  sql: string;
  /** 1-based line of the editor the statement's code starts on (after leading comments). */
  line: number;
};

/** The state of one statement's result tab. */
export type StatementState = "not-run" | "running" | "ok" | "error" | "cancelled";

/** 1-based line number of `offset` in `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** The non-blank statements of the text, in order, with the line each starts on. */
export function scriptStatements(text: string): ScriptStatement[] {
  return statementSpans(text).map((span, index) => ({
    ...span,
    index,
    sql: text.slice(span.from, span.to),
    line: lineOf(text, codeStart(text, span.from, span.to)),
  }));
}

/** Where the statement's code starts: after leading blanks and comments. */
function codeStart(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    if (/\s/.test(text[i])) {
      i += 1;
    } else if (text.startsWith("--", i)) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? to : end + 1;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? to : end + 2;
    } else {
      return i;
    }
  }
  return from;
}

/** "2 · UPDATE accounts SET…": a result tab's label. */
export function resultTabLabel(index: number, sql: string, max = 28): string {
  return `${index + 1} · ${sqlSummary(sql, max)}`;
}

/** "statement 4 not run", "statements 3–4 not run", or "" when none is left after `stoppedAt`. */
export function notRunText(stoppedAt: number, total: number): string {
  const first = stoppedAt + 2;
  if (first > total) return "";
  return first === total ? `statement ${total} not run` : `statements ${first}–${total} not run`;
}

/** "Statement 2 (line 4): <message>". */
export function statementErrorText(statement: Pick<ScriptStatement, "index" | "line">, message: string): string {
  return `Statement ${statement.index + 1} (line ${statement.line}): ${message}`;
}

/**
 * What a script's result tab shows: a finished run's outcome, the running one, or not run
 * (`current` is the statement running now, or the one the script stopped at).
 */
export function statementState(
  index: number,
  current: number,
  scriptRunning: boolean,
  outcome: "done" | "error" | "cancelled" | "running" | "idle" | null,
): StatementState {
  if (index > current) return "not-run";
  if (index === current && scriptRunning) return "running";
  switch (outcome) {
    case "done":
      return "ok";
    case "error":
      return "error";
    case "cancelled":
      return "cancelled";
    case "running":
      return "running";
    default:
      return "not-run";
  }
}

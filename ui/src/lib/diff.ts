// Unified diffs (what an AI client install would change) split into lines to colour.

export type DiffLine = { kind: "add" | "del" | "hunk" | "meta" | "context"; text: string };

export function diffLines(diff: string): DiffLine[] {
  if (diff.trim() === "") return [];
  const lines = diff.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
  return lines.map((text) => {
    if (text.startsWith("+++") || text.startsWith("---")) return { kind: "meta", text };
    if (text.startsWith("@@")) return { kind: "hunk", text };
    if (text.startsWith("+")) return { kind: "add", text };
    if (text.startsWith("-")) return { kind: "del", text };
    return { kind: "context", text };
  });
}

export function diffStats(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.kind === "add") added += 1;
    else if (l.kind === "del") removed += 1;
  }
  return { added, removed };
}

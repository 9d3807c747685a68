import { useMemo } from "react";
import { diffLines, diffStats } from "../lib/diff";

/** A unified diff, coloured line by line. */
export function DiffView({ diff, testId }: { diff: string; testId?: string }) {
  const lines = useMemo(() => diffLines(diff), [diff]);
  const stats = diffStats(lines);
  return (
    <div className="diff" data-testid={testId}>
      <div className="diff-stats">
        <span className="diff-added">+{stats.added}</span> <span className="diff-removed">−{stats.removed}</span>
      </div>
      <pre className="diff-body">
        {lines.map((line, i) => (
          <span key={i} className={`diff-line diff-${line.kind}`}>
            {line.text}
            {"\n"}
          </span>
        ))}
      </pre>
    </div>
  );
}

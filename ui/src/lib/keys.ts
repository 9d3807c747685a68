// The key browser's arithmetic (views/keys/): merging a level's scans, counts that say
// when they are estimates, a value's text as shown.

import type { KeyLevelView, KeyNodeView, ValueEntryView } from "../api";
import { prettyJson } from "./cells";
import { formatCount, formatDuration } from "./format";

/** A level after one more scan of it: counts added, types joined, the scan's position taken from `next`. */
export function mergeLevel(level: KeyLevelView, next: KeyLevelView): KeyLevelView {
  const byName = new Map<string, KeyNodeView>(level.children.map((c) => [c.name, c]));
  for (const child of next.children) {
    const known = byName.get(child.name);
    byName.set(child.name, known ? { ...known, keys: known.keys + child.keys, types: [...new Set([...known.types, ...child.types])].sort() } : child);
  }
  const children = [...byName.values()].sort((a, b) => Number(a.isKey) - Number(b.isKey) || b.keys - a.keys || a.name.localeCompare(b.name));
  return { ...next, seen: level.seen + next.seen, hidden: Math.max(level.hidden, next.hidden), children };
}

/** A node's key count: exact when the level's scan is complete, otherwise an estimate (`~`) scaled by the share covered. */
export function keyCountText(node: KeyNodeView, level: KeyLevelView): string {
  if (level.complete) return formatCount(node.keys);
  const estimate = Math.round(node.keys / Math.max(level.covered, 1e-9));
  return `~${formatCount(estimate)}`;
}

/** What the level's scan covered, for its footer. */
export function coverageText(level: KeyLevelView): string {
  if (level.complete) return `${formatCount(level.seen)} keys, counted exactly`;
  const share = level.covered * 100;
  return `${formatCount(level.seen)} keys seen in ${share < 1 ? share.toFixed(2) : share.toFixed(1)}% of ${formatCount(level.totalKeys)}; counts are estimates`;
}

/** A time to live as people read it; null means the key does not expire. */
export function ttlText(ms: number | null): string {
  return ms === null ? "no expiry" : formatDuration(ms);
}

/** An entry's value as shown: JSON pretty-printed, hex marked, a cut value marked with its full size. */
export function valueText(entry: ValueEntryView, pretty: boolean): string {
  // prettyJson keeps every digit of big numbers, which JSON.parse would round.
  let text = entry.json && pretty ? prettyJson(entry.text) : entry.text;
  if (entry.hex) text = text.replace(/(..)(?!$)/g, "$1 ");
  return text;
}

/** A level's prefix as the breadcrumb shows it: `user:` → ["user:"], `a:b:` → ["a:", "a:b:"]. */
export function prefixPath(prefix: string, delimiter: string): string[] {
  const path: string[] = [];
  let at = prefix.indexOf(delimiter);
  while (at >= 0) {
    path.push(prefix.slice(0, at + delimiter.length));
    at = prefix.indexOf(delimiter, at + delimiter.length);
  }
  return path;
}

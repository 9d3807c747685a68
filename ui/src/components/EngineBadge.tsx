import type { Engine } from "../api";
import { ENGINES } from "../lib/engines";

/** The engine as a small coloured badge (its icon in lists). */
export function EngineBadge({ engine }: { engine: Engine }) {
  const info = ENGINES[engine];
  return (
    <span className="engine-badge" data-engine={engine} title={info.label} aria-label={info.label}>
      {info.badge}
    </span>
  );
}

import type { Engine } from "../api";
import { ENGINE_BADGES, engineLabel } from "../lib/engines";
import { useEngineSpec } from "../stores/engines";

/** The engine as a small coloured badge (its icon in lists). */
export function EngineBadge({ engine }: { engine: Engine }) {
  const label = engineLabel(useEngineSpec(engine), engine);
  return (
    <span className="engine-badge" data-engine={engine} title={label} aria-label={label}>
      {ENGINE_BADGES[engine] ?? engine.slice(0, 2).toUpperCase()}
    </span>
  );
}

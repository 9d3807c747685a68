import { useMemo, useState, type FormEvent } from "react";
import type { Engine, EngineSpec } from "../../api";
import { EngineBadge } from "../../components/EngineBadge";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { engineLabel, labelsWhere } from "../../lib/engines";
import { buildTarget, canWatch, targetKinds, watchableProfiles } from "../../lib/events";
import { useEngineSpecs } from "../../stores/engines";
import { startMonitor } from "../../stores/events";
import { findProfile, profilesStore } from "../../stores/profiles";
import { useStore } from "../../stores/store";
import { uiStore } from "../../stores/ui";

/** Profile, what to watch on it (the kinds its engine offers) and a name: starts a monitor. */
export function StartMonitorForm() {
  const { profiles } = useStore(profilesStore);
  const { activeProfile } = useStore(uiStore);
  const specs = useEngineSpecs();
  const watchable = useMemo(() => watchableProfiles(profiles ?? [], specs), [profiles, specs]);

  const [chosenProfile, setChosenProfile] = useState<string | null>(null);
  const [chosenKind, setChosenKind] = useState<string>("");
  const [name, setName] = useState("");
  const start = useAsyncAction(startMonitor);

  // The chosen profile, else the sidebar's active one when it can be watched, else the first.
  const profile =
    findProfile(watchable, chosenProfile) ?? findProfile(watchable, activeProfile) ?? watchable[0] ?? null;
  const kinds = profile ? targetKinds(specs.get(profile.engine) ?? null) : [];
  const kind = kinds.find((k) => k.kind === chosenKind) ?? kinds[0] ?? null;
  const target = kind ? buildTarget(kind.kind, name) : null;

  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    if (!profile || target === null || start.busy) return;
    void start.run(profile.name, target);
  };

  if (profiles !== null && watchable.length === 0) {
    return (
      <section className="panel" aria-label="Start a monitor">
        <h3>Start a monitor</h3>
        <p className="muted panel-note" data-testid="events-no-profiles">
          {watchableText(specs)}
        </p>
      </section>
    );
  }

  return (
    <section className="panel" aria-label="Start a monitor">
      <h3>Start a monitor</h3>
      <form className="monitor-form" onSubmit={onSubmit}>
        <label className="field">
          <span className="field-label">Connection</span>
          <span className="monitor-form-profile">
            {profile && <EngineBadge engine={profile.engine} />}
            <select
              data-testid="events-profile"
              value={profile?.name ?? ""}
              onChange={(e) => {
                setChosenProfile(e.target.value);
                setChosenKind("");
                start.reset();
              }}
            >
              {watchable.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name} ({engineLabel(specs.get(p.engine) ?? null, p.engine)})
                </option>
              ))}
            </select>
          </span>
        </label>
        <label className="field">
          <span className="field-label">Watch</span>
          <select data-testid="events-target-kind" value={kind?.kind ?? ""} onChange={(e) => setChosenKind(e.target.value)}>
            {kinds.map((k) => (
              <option key={k.kind} value={k.kind} title={k.hint}>
                {k.label} ({k.kind}:)
              </option>
            ))}
          </select>
        </label>
        <label className="field monitor-form-name">
          <span className="field-label">{kind ? `${kind.kind}:` : "Target"}</span>
          <input
            type="text"
            data-testid="events-target"
            placeholder={kind?.placeholder ?? ""}
            value={name}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <button type="submit" className="button primary" data-testid="events-start" disabled={!profile || target === null || start.busy}>
          {start.busy ? "Starting…" : "Start"}
        </button>
      </form>
      {kind && <div className="field-hint">{kind.hint}</div>}
      {start.error && <ErrorNotice error={start.error} testId="events-start-error" onDismiss={start.reset} />}
    </section>
  );
}

/** Which engines have events, as the backend says; none in this build is said too. */
function watchableText(specs: ReadonlyMap<Engine, EngineSpec>): string {
  const labels = labelsWhere(specs.values(), canWatch);
  return labels === ""
    ? "No engine in this build has events to watch."
    : `Events can be watched on ${labels} connections. Add one in Connections first.`;
}

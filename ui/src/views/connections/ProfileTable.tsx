import { useState } from "react";
import { api, toAppError, type AppError, type ProfileView } from "../../api";
import { EngineBadge } from "../../components/EngineBadge";
import { StateDot, stateLabel } from "../../components/StateDot";
import { ACCESS_LABELS } from "../../lib/engines";
import { formatDuration } from "../../lib/format";
import { offerHostKey } from "../../stores/hostKeys";
import { profilesStore } from "../../stores/profiles";
import { useStore } from "../../stores/store";
import { editConnection, setActiveProfile } from "../../stores/ui";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { BulkBar } from "./BulkBar";

/** Every connection with its URL (never a password), AI access, state and latency. */
export function ProfileTable({ profiles, selected }: { profiles: ProfileView[]; selected: string | null }) {
  const { states, tests } = useStore(profilesStore);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  // Only saved connections can be selected (environment ones are not the store's to change).
  const selectable = profiles.filter((p) => p.source === "store").map((p) => p.name);
  const chosen = selectable.filter((n) => checked.has(n));
  const toggle = (name: string) => {
    const next = new Set(checked);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setChecked(next);
  };
  const tags = [...new Set(profiles.filter((p) => p.source === "store").flatMap((p) => p.tags))].sort();
  return (
    <>
    {tags.length > 0 && (
      <div className="tag-select" data-testid="tag-select">
        <span className="muted">Select by tag:</span>
        {tags.map((tag) => (
          <button
            key={tag}
            type="button"
            className="button small"
            data-testid={`select-tag-${tag}`}
            onClick={() => setChecked(new Set(profiles.filter((p) => p.source === "store" && p.tags.includes(tag)).map((p) => p.name)))}
          >
            {tag}
          </button>
        ))}
      </div>
    )}
    {chosen.length > 0 && <BulkBar names={chosen} onDone={(removed) => setChecked(new Set([...checked].filter((n) => !removed.includes(n))))} />}
    <table className="data-table profile-table" data-testid="profile-table">
      <thead>
        <tr>
          <th className="check-cell">
            <input
              type="checkbox"
              aria-label="Select every connection"
              data-testid="profile-select-all"
              checked={selectable.length > 0 && chosen.length === selectable.length}
              onChange={(e) => setChecked(new Set(e.target.checked ? selectable : []))}
            />
          </th>
          <th aria-label="State" />
          <th>Name</th>
          <th>URL</th>
          <th>AI access</th>
          <th className="num">Latency</th>
        </tr>
      </thead>
      <tbody>
        {profiles.map((p) => {
          const live = states.get(p.name);
          const latency = live?.latencyMs ?? tests.get(p.name)?.latencyMs ?? null;
          return (
            <tr
              key={p.name}
              className={p.name === selected ? "selected" : undefined}
              data-testid={`profile-row-${p.name}`}
              onClick={() => {
                setActiveProfile(p.name);
                editConnection({ mode: "edit", name: p.name });
              }}
            >
              <td className="check-cell" onClick={(e) => e.stopPropagation()}>
                {p.source === "store" && (
                  <input
                    type="checkbox"
                    aria-label={`Select ${p.name}`}
                    data-testid={`profile-select-${p.name}`}
                    checked={checked.has(p.name)}
                    onChange={() => toggle(p.name)}
                  />
                )}
              </td>
              <td>
                <StateDot state={live?.state ?? "disconnected"} />
              </td>
              <td>
                <span className="name-cell">
                  <span className="color-chip" style={{ background: p.color ?? "transparent" }} />
                  <EngineBadge engine={p.engine} />
                  <strong>{p.name}</strong>
                  {p.tags.map((t) => (
                    <span key={t} className="kind-tag">
                      {t}
                    </span>
                  ))}
                  {p.source === "environment" && (
                    <span className="kind-tag" title="Defined by MCP_* environment variables">
                      env
                    </span>
                  )}
                </span>
              </td>
              <td className="mono url-cell" title={p.url}>
                {p.url}
              </td>
              <td className="nowrap">
                <span className={`access-badge access-${p.access}`}>{ACCESS_LABELS[p.access]}</span>
              </td>
              <td className="num nowrap">
                {live?.state === "error" ? (
                  <ReconnectButton name={p.name} error={live.error} />
                ) : live?.error ? (
                  <span className="code-badge small" title={live.error.message}>
                    {live.error.code}
                  </span>
                ) : live && live.state !== "connected" && live.state !== "disconnected" ? (
                  <span className="muted">{stateLabel(live.state)}</span>
                ) : (
                  formatDuration(latency)
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
    </>
  );
}

/** Reconnects; an unknown SSH host key is asked about, and trusting it reconnects again. */
async function reconnectOrAsk(name: string): Promise<null> {
  try {
    return await api.reconnectProfile(name);
  } catch (error) {
    offerHostKey(name, toAppError(error), () => api.reconnectProfile(name), true);
    throw error;
  }
}

/** A connection that gave up reconnecting waits for a person: this is the person. */
function ReconnectButton({ name, error }: { name: string; error: AppError | null }) {
  const reconnect = useAsyncAction(reconnectOrAsk);
  return (
    <button
      type="button"
      className="button small"
      data-testid={`profile-reconnect-${name}`}
      title={error ? `${error.code}: ${error.message}` : "It gave up reconnecting"}
      disabled={reconnect.busy}
      onClick={(e) => {
        e.stopPropagation();
        void reconnect.run(name);
      }}
    >
      {reconnect.busy ? "Reconnecting…" : "Reconnect"}
    </button>
  );
}

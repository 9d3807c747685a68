import type { ProfileView } from "../api";
import { formatDuration } from "../lib/format";
import { approvalsStore } from "../stores/approvals";
import { profilesStore } from "../stores/profiles";
import { useStore } from "../stores/store";
import { openTab } from "../stores/tabs";
import { editConnection, setActiveProfile, showView, uiStore, type ViewName } from "../stores/ui";
import { EngineBadge } from "./EngineBadge";
import { Kbd } from "./Kbd";
import { StateDot } from "./StateDot";

const NAV: { view: ViewName; label: string; icon: string }[] = [
  { view: "connections", label: "Connections", icon: "⛁" },
  { view: "schema", label: "Schema", icon: "⊞" },
  { view: "query", label: "Query", icon: "❯" },
  { view: "ai", label: "AI", icon: "✦" },
  { view: "events", label: "Events", icon: "ϟ" },
];

/** The left column: the views, then every connection with its live state. */
export function Sidebar() {
  const { view } = useStore(uiStore);
  const { pending } = useStore(approvalsStore);
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          ◆
        </span>
        DB Dock
      </div>
      <nav className="nav" aria-label="Views">
        {NAV.map((item, i) => (
          <button
            key={item.view}
            type="button"
            className={item.view === view ? "nav-item active" : "nav-item"}
            aria-current={item.view === view ? "page" : undefined}
            data-testid={`nav-${item.view}`}
            onClick={() => showView(item.view)}
          >
            <span className="nav-icon" aria-hidden="true">
              {item.icon}
            </span>
            <span className="nav-label">{item.label}</span>
            {item.view === "ai" && pending.length > 0 && (
              <span className="nav-badge" data-testid="approvals-badge" title={`${pending.length} write(s) waiting for your approval`}>
                {pending.length}
              </span>
            )}
            <Kbd keys={`Mod+${i + 1}`} />
          </button>
        ))}
      </nav>
      <ConnectionList />
    </aside>
  );
}

function ConnectionList() {
  const { profiles, error, states, tests } = useStore(profilesStore);
  const { activeProfile } = useStore(uiStore);
  return (
    <section className="connection-list" aria-label="Connections">
      <header className="sidebar-heading">
        <span>Connections</span>
        <button
          type="button"
          className="icon-button"
          title="Add a connection"
          aria-label="Add a connection"
          data-testid="add-connection"
          onClick={() => editConnection({ mode: "new" })}
        >
          +
        </button>
      </header>
      {profiles === null && !error && <div className="sidebar-note">Loading…</div>}
      {error && (
        <div className="sidebar-note error" title={error.message}>
          <span className="code-badge">{error.code}</span> could not list connections
        </div>
      )}
      {profiles?.length === 0 && <div className="sidebar-note">No connections yet. Press + to add one.</div>}
      <ul>
        {profiles?.map((p) => (
          <ConnectionItem
            key={p.name}
            profile={p}
            active={p.name === activeProfile}
            state={states.get(p.name)?.state ?? "disconnected"}
            latencyMs={states.get(p.name)?.latencyMs ?? tests.get(p.name)?.latencyMs ?? null}
            errorText={states.get(p.name)?.error ? `${states.get(p.name)?.error?.code}: ${states.get(p.name)?.error?.message}` : null}
          />
        ))}
      </ul>
    </section>
  );
}

type ItemProps = {
  profile: ProfileView;
  active: boolean;
  state: "disconnected" | "connecting" | "connected" | "reconnecting" | "error";
  latencyMs: number | null;
  errorText: string | null;
};

function ConnectionItem({ profile, active, state, latencyMs, errorText }: ItemProps) {
  return (
    <li>
      <div
        role="button"
        tabIndex={0}
        className={active ? "connection-item active" : "connection-item"}
        data-testid={`connection-${profile.name}`}
        data-state={state}
        data-active={active}
        style={{ borderLeftColor: profile.color ?? "transparent" }}
        title={errorText ?? `${profile.name} — ${profile.url}`}
        onClick={() => setActiveProfile(profile.name)}
        onDoubleClick={() => {
          setActiveProfile(profile.name);
          openTab(profile.name);
          showView("query");
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            setActiveProfile(profile.name);
          }
        }}
      >
        <EngineBadge engine={profile.engine} />
        <span className="connection-name">{profile.name}</span>
        <span className="connection-latency" data-testid={`connection-latency-${profile.name}`}>
          {latencyMs === null ? "" : formatDuration(latencyMs)}
        </span>
        <StateDot state={state} />
        <button
          type="button"
          className="icon-button connection-edit"
          title={`Edit ${profile.name}`}
          aria-label={`Edit ${profile.name}`}
          data-testid={`edit-connection-${profile.name}`}
          onClick={(e) => {
            e.stopPropagation();
            setActiveProfile(profile.name);
            editConnection({ mode: "edit", name: profile.name });
          }}
        >
          ✎
        </button>
      </div>
    </li>
  );
}

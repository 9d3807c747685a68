import type { ProfileView } from "../../api";
import { Kbd } from "../../components/Kbd";
import { sqlSummary } from "../../lib/sqlText";
import { runsStore } from "../../stores/runs";
import { useStore } from "../../stores/store";
import { activateTab, type Tab } from "../../stores/tabs";

type Props = {
  tabs: Tab[];
  activeId: string | null;
  profiles: ProfileView[];
  onNew: () => void;
  onClose: (id: string) => void;
};

/** The tabs: connection colour, name, the start of the statement (or the table of a data tab), a dot while it runs. */
export function QueryTabBar({ tabs, activeId, profiles, onNew, onClose }: Props) {
  const runs = useStore(runsStore);
  return (
    <div className="tab-bar" role="tablist" aria-label="Query tabs">
      {tabs.map((tab, i) => {
        const profile = profiles.find((p) => p.name === tab.profile);
        const active = tab.id === activeId;
        const status = runs.get(tab.id)?.status ?? "idle";
        return (
          <div
            key={tab.id}
            role="tab"
            tabIndex={active ? 0 : -1}
            aria-selected={active}
            className={active ? "tab active" : "tab"}
            data-testid={`query-tab-${i}`}
            data-profile={tab.profile}
            data-kind={tab.kind}
            data-status={status}
            style={{ borderTopColor: profile?.color ?? "transparent" }}
            title={tab.kind === "data" ? `${tab.table} — rows` : tab.sql || tab.profile}
            onClick={() => activateTab(tab.id)}
            onAuxClick={(e) => {
              if (e.button === 1) onClose(tab.id);
            }}
          >
            {status === "running" && <span className="tab-running" aria-label="running" />}
            <span className="tab-profile">{tab.profile}</span>
            {tab.kind === "data" ? (
              <span className="tab-sql tab-table">▦ {tab.table}</span>
            ) : (
              <span className="tab-sql">{sqlSummary(tab.sql, 28) || "new query"}</span>
            )}
            <button
              type="button"
              className="tab-close"
              aria-label="Close tab"
              data-testid={`query-tab-close-${i}`}
              onClick={(e) => {
                e.stopPropagation();
                onClose(tab.id);
              }}
            >
              ×
            </button>
          </div>
        );
      })}
      <button type="button" className="tab-new" data-testid="new-query-tab" title="New query tab" onClick={onNew}>
        + <Kbd keys="Mod+T" />
      </button>
    </div>
  );
}

import { useEffect, useRef } from "react";
import type { EngineSpec } from "../../api";
import { AddConnectionButton } from "../../components/AddConnectionButton";
import { EmptyState } from "../../components/EmptyState";
import { EngineBadge } from "../../components/EngineBadge";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Kbd } from "../../components/Kbd";
import { Spinner } from "../../components/Spinner";
import { canBrowse, canQuery, engineLabel, hasConsumerGroups, hasKeyBrowser } from "../../lib/engines";
import { plural } from "../../lib/format";
import { useEngineSpec } from "../../stores/engines";
import { offerHostKey } from "../../stores/hostKeys";
import { findProfile, profilesStore } from "../../stores/profiles";
import { loadTables, schemaEntry, schemaStore } from "../../stores/schema";
import { schemaUiOf, schemaUiStore, updateSchemaUi } from "../../stores/schemaUi";
import { useStore } from "../../stores/store";
import { setActiveProfile, uiStore } from "../../stores/ui";
import { KafkaBrowser } from "../kafka/KafkaBrowser";
import { KeyBrowser } from "../keys/KeyBrowser";
import { SchemaTree } from "./SchemaTree";
import { TableDetailsPanel } from "./TableDetailsPanel";

/**
 * Schema: the lazy tree of the active connection, a filter box, and the selected table's details;
 * for an engine with topics and consumer groups (its spec says so), the Kafka browser instead;
 * for one with keys (Redis), the key browser.
 */
export function SchemaView() {
  const { profiles } = useStore(profilesStore);
  const { activeProfile } = useStore(uiStore);
  const profile = findProfile(profiles, activeProfile);
  const spec = useEngineSpec(profile?.engine);
  const browse = canBrowse(spec);
  const topics = hasConsumerGroups(spec);
  const keys = hasKeyBrowser(spec);
  const schemas = useStore(schemaStore);
  const entry = profile ? schemas.get(profile.name) : undefined;
  const uiAll = useStore(schemaUiStore);
  const ui = schemaUiOf(uiAll, profile?.name ?? null);
  const filterRef = useRef<HTMLInputElement>(null);

  const profileName = profile?.name ?? null;
  useEffect(() => {
    if (profileName !== null) void loadTables(profileName);
  }, [profileName]);

  // The tables shown could not be listed because a jump host's key is unknown: ask (once;
  // a key the user rejected is not asked about again here), then list them again.
  // (The store's error, not the rendered one: a reload started above has cleared it.)
  const tablesError = entry?.error ?? null;
  useEffect(() => {
    const current = profileName === null ? null : schemaEntry(profileName).error;
    if (profileName !== null && current !== null) offerHostKey(profileName, current, () => loadTables(profileName, true));
  }, [profileName, tablesError]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "f") {
        e.preventDefault();
        filterRef.current?.focus();
        filterRef.current?.select();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (!profiles || profiles.length === 0) {
    return (
      <div className="view" data-testid="view-schema">
        <EmptyState
          title="No connection to browse"
          actions={
            <AddConnectionButton />
          }
        />
      </div>
    );
  }

  return (
    <div className="view schema-view" data-testid="view-schema">
      <header className="view-header">
        <h1>{topics ? "Topics" : keys ? "Keys" : "Schema"}</h1>
        <select
          className="profile-select"
          data-testid="schema-profile"
          value={profile?.name ?? ""}
          onChange={(e) => setActiveProfile(e.target.value)}
          aria-label="Connection"
        >
          {!profile && <option value="">Choose a connection…</option>}
          {profiles.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        {profile && <EngineBadge engine={profile.engine} />}
        <span className="spacer" />
        {!topics && !keys && (
          <>
            {browse && entry?.tables && <span className="muted">{plural(entry.tables.length, "object")}</span>}
            <div className="filter-box">
              <input
                ref={filterRef}
                type="search"
                data-testid="schema-filter"
                placeholder="Filter tables (orders, ord*, sales.*)"
                value={ui.filter}
                disabled={!profile || !browse}
                onChange={(e) => profile && updateSchemaUi(profile.name, (u) => ({ ...u, filter: e.target.value }))}
                onKeyDown={(e) => {
                  if (e.key === "Escape" && profile) updateSchemaUi(profile.name, (u) => ({ ...u, filter: "" }));
                }}
              />
              <Kbd keys="Mod+F" />
            </div>
            <button
              type="button"
              className="button"
              data-testid="schema-refresh"
              disabled={!profile || !browse || entry?.loading}
              onClick={() => profile && void loadTables(profile.name, true)}
            >
              Refresh
            </button>
          </>
        )}
      </header>
      {!profile ? (
        <EmptyState title="Choose a connection">Pick one in the sidebar or above to see its tables.</EmptyState>
      ) : topics ? (
        <KafkaBrowser profile={profile.name} />
      ) : keys ? (
        <KeyBrowser key={profile.name} profile={profile.name} />
      ) : !browse ? (
        <EmptyState title={`${engineLabel(spec, profile.engine)} has no schema to browse`}>{elsewhere(spec)}</EmptyState>
      ) : (
        <div className="schema-body">
          <div className="schema-tree-pane">
            {entry?.error && <ErrorNotice error={entry.error} testId="schema-error" />}
            {entry?.loading && !entry.tables && (
              <div className="loading-line">
                <Spinner /> Reading the list of tables…
              </div>
            )}
            {entry?.tables && <SchemaTree profile={profile} tables={entry.tables} details={entry.details} ui={ui} />}
          </div>
          <div className="schema-details-pane">
            {ui.selected ? (
              <TableDetailsPanel profile={profile} qualified={ui.selected} />
            ) : (
              <EmptyState title="Select a table">Its columns, keys and indexes show here. Double-click a table to query it.</EmptyState>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

/** Where an engine without a schema can be used instead. */
function elsewhere(spec: EngineSpec | null): string {
  if (canQuery(spec)) return "Use the Query view to send commands.";
  if (spec?.capabilities.watch) return "Watch its events in the Events view.";
  return "";
}

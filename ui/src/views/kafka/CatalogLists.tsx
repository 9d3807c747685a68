import { useEffect, useRef, type KeyboardEvent } from "react";
import type { GroupSummaryView, TopicCatalogView, TopicView } from "../../api";
import { formatCount } from "../../lib/format";
import { filterByName } from "../../lib/kafka";
import { updateKafka, type KafkaSelection } from "../../stores/kafka";

type Props = { profile: string; catalog: TopicCatalogView; filter: string; selected: KafkaSelection };

/** The filter box, then the topics and the consumer groups that match it; a click selects one. */
export function CatalogLists({ profile, catalog, filter, selected }: Props) {
  const topics = filterByName(catalog.topics, filter);
  const groups = filterByName(catalog.groups, filter);
  const select = (next: KafkaSelection): void => updateKafka(profile, (e) => ({ ...e, selected: next }));
  const isSelected = (kind: "topic" | "group", name: string): boolean => selected?.kind === kind && selected.name === name;
  const filterRef = useRef<HTMLInputElement>(null);

  // Ctrl/⌘+F filters here, as it filters the schema tree for a database.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "f") {
        e.preventDefault();
        filterRef.current?.focus();
        filterRef.current?.select();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <>
      <div className="kafka-filter">
        <input
          ref={filterRef}
          type="search"
          data-testid="kafka-filter"
          placeholder="Filter topics and groups (orders, *.dlq)"
          value={filter}
          onChange={(e) => updateKafka(profile, (entry) => ({ ...entry, filter: e.target.value }))}
          onKeyDown={(e) => {
            if (e.key === "Escape") updateKafka(profile, (entry) => ({ ...entry, filter: "" }));
          }}
        />
      </div>
      <h3 className="kafka-list-title">
        Topics <span className="muted">{countText(topics.length, catalog.topics.length)}</span>
      </h3>
      {topics.length > 0 && (
        <table className="data-table compact kafka-list" data-testid="kafka-topics">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">Partitions</th>
              <th className="num">Messages</th>
            </tr>
          </thead>
          <tbody>
            {topics.map((t) => (
              <TopicRow key={t.name} topic={t} selected={isSelected("topic", t.name)} onSelect={() => select({ kind: "topic", name: t.name })} />
            ))}
          </tbody>
        </table>
      )}
      {topics.length === 0 && (
        <p className="muted kafka-list-empty" data-testid="kafka-topics-empty">
          {catalog.topics.length === 0 ? "The cluster has no topics." : "No topic matches the filter."}
        </p>
      )}

      <h3 className="kafka-list-title">
        Consumer groups <span className="muted">{countText(groups.length, catalog.groups.length)}</span>
      </h3>
      {catalog.groupsError !== null && (
        <p className="error-text kafka-list-empty" data-testid="kafka-groups-error">
          groups not listed: {catalog.groupsError}
        </p>
      )}
      {groups.length > 0 && (
        <table className="data-table compact kafka-list" data-testid="kafka-groups">
          <thead>
            <tr>
              <th>Name</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <GroupRow key={g.name} group={g} selected={isSelected("group", g.name)} onSelect={() => select({ kind: "group", name: g.name })} />
            ))}
          </tbody>
        </table>
      )}
      {groups.length === 0 && catalog.groupsError === null && (
        <p className="muted kafka-list-empty" data-testid="kafka-groups-empty">
          {catalog.groups.length === 0 ? "The cluster has no consumer groups." : "No group matches the filter."}
        </p>
      )}
    </>
  );
}

/** `(12)`, or `(3 of 12)` while filtered. */
function countText(shown: number, total: number): string {
  return shown === total ? `(${formatCount(total)})` : `(${formatCount(shown)} of ${formatCount(total)})`;
}

type RowProps<T> = { selected: boolean; onSelect: () => void } & T;

/** Rows are focusable; Enter or Space selects, as a click does. */
function selectOnKey(onSelect: () => void) {
  return (e: KeyboardEvent): void => {
    if (e.key !== "Enter" && e.key !== " ") return;
    e.preventDefault();
    onSelect();
  };
}

function TopicRow({ topic, selected, onSelect }: RowProps<{ topic: TopicView }>) {
  return (
    <tr
      className={selected ? "selected" : undefined}
      aria-selected={selected}
      data-testid={`kafka-topic-row-${topic.name}`}
      data-partitions={topic.partitions.length}
      data-messages={topic.messages}
      tabIndex={0}
      onClick={onSelect}
      onKeyDown={selectOnKey(onSelect)}
    >
      <td className="mono">{topic.name}</td>
      <td className="num">{topic.partitions.length}</td>
      <td className="num">{formatCount(topic.messages)}</td>
    </tr>
  );
}

function GroupRow({ group, selected, onSelect }: RowProps<{ group: GroupSummaryView }>) {
  return (
    <tr className={selected ? "selected" : undefined} aria-selected={selected} data-testid={`kafka-group-row-${group.name}`} data-state={group.state ?? ""} tabIndex={0} onClick={onSelect} onKeyDown={selectOnKey(onSelect)}>
      <td className="mono">{group.name}</td>
      <td className={group.state === "Stable" ? "ok-text" : "muted"}>{group.state ?? "—"}</td>
    </tr>
  );
}

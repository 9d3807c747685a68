import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { ProfileView, TableRef } from "../../api";
import { Spinner } from "../../components/Spinner";
import { flattenTree, kindLabel, qualifiedName, toggled, type DetailsEntry, type SchemaRow } from "../../lib/schemaTree";
import { selectRowsSql } from "../../lib/sqlText";
import { useEngineSpec } from "../../stores/engines";
import { loadDetails } from "../../stores/schema";
import { updateSchemaUi, type SchemaUi } from "../../stores/schemaUi";
import { openDataTab, openQuery } from "../../stores/tabs";
import { showView } from "../../stores/ui";

type Props = {
  profile: ProfileView;
  tables: TableRef[];
  details: ReadonlyMap<string, DetailsEntry>;
  ui: SchemaUi;
};

const ROW_HEIGHT = 24;

/** The virtualized tree: only the rows on screen are in the DOM, so 5,000 tables stay instant. */
export function SchemaTree({ profile, tables, details, ui }: Props) {
  const rows = useMemo(
    () => flattenTree({ database: profile.name, tables, filter: ui.filter, expansion: ui.expansion, details }),
    [profile.name, tables, ui.filter, ui.expansion, details],
  );
  const spec = useEngineSpec(profile.engine);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  // Opens the table's rows in a query tab, when the engine takes queries at all.
  const openRows = (table: Pick<TableRef, "schema" | "name">): void => {
    const sql = selectRowsSql(spec, table);
    if (sql === "") return;
    openQuery(profile.name, sql);
    showView("query");
  };

  // Opens the table's rows in a data tab (SQL engines), else in a query tab.
  const openData = (table: TableRef): void => {
    if (spec?.capabilities.query !== "sql") {
      openRows(table);
      return;
    }
    openDataTab(profile.name, qualifiedName(table));
    showView("query");
  };

  const toggle = (row: SchemaRow): void => {
    if (!("expanded" in row)) return;
    updateSchemaUi(profile.name, (u) => ({ ...u, expansion: toggled(u.expansion, row.key, row.expanded) }));
    if (row.type === "table" && !row.expanded) void loadDetails(profile.name, row.table);
  };

  const selectTable = (row: Extract<SchemaRow, { type: "table" }>): void => {
    updateSchemaUi(profile.name, (u) => ({ ...u, selected: row.qualified }));
    void loadDetails(profile.name, row.table);
  };

  const activate = (row: SchemaRow): void => {
    setFocusKey(row.key);
    if (row.type === "table") {
      selectTable(row);
      if (!row.expanded) toggle(row);
    } else {
      toggle(row);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const index = Math.max(0, rows.findIndex((r) => r.key === focusKey));
    const row = rows[index];
    const move = (to: number): void => {
      const target = rows[Math.max(0, Math.min(rows.length - 1, to))];
      setFocusKey(target.key);
      virtualizer.scrollToIndex(rows.indexOf(target));
      if (target.type === "table") selectTable(target);
    };
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        move(index + 1);
        break;
      case "ArrowUp":
        e.preventDefault();
        move(index - 1);
        break;
      case "ArrowRight":
        e.preventDefault();
        if (row && "expanded" in row && !row.expanded) toggle(row);
        break;
      case "ArrowLeft":
        e.preventDefault();
        if (row && "expanded" in row && row.expanded) toggle(row);
        break;
      case "Enter":
        e.preventDefault();
        if (row?.type === "table") {
          openRows(row.table);
        } else if (row) {
          toggle(row);
        }
        break;
      default:
        break;
    }
  };

  return (
    <div
      className="tree"
      ref={scrollRef}
      role="tree"
      aria-label={`Schema of ${profile.name}`}
      tabIndex={0}
      data-testid="schema-tree"
      data-row-count={rows.length}
      onKeyDown={onKeyDown}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          return (
            <div
              key={row.key}
              className="tree-row-slot"
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
            >
              <TreeRow
                row={row}
                focused={row.key === focusKey}
                selected={row.type === "table" && row.qualified === ui.selected}
                onActivate={activate}
                onToggle={toggle}
                onOpen={openData}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}

type RowProps = {
  row: SchemaRow;
  focused: boolean;
  selected: boolean;
  onActivate: (row: SchemaRow) => void;
  onToggle: (row: SchemaRow) => void;
  onOpen: (table: TableRef) => void;
};

function TreeRow({ row, focused, selected, onActivate, onToggle, onOpen }: RowProps) {
  const expandable = "expanded" in row;
  const className = ["tree-row", `depth-${row.depth}`, `type-${row.type}`, focused ? "focused" : "", selected ? "selected" : ""]
    .filter(Boolean)
    .join(" ");
  const common = {
    className,
    role: "treeitem",
    "aria-level": row.depth + 1,
    "aria-expanded": expandable ? row.expanded : undefined,
    "aria-selected": selected,
    style: { paddingLeft: 6 + row.depth * 14 },
    onClick: () => onActivate(row),
  };
  const chevron = expandable ? (
    <span
      className="chevron"
      aria-hidden="true"
      onClick={(e) => {
        e.stopPropagation();
        onToggle(row);
      }}
    >
      {row.expanded ? "▾" : "▸"}
    </span>
  ) : (
    <span className="chevron" />
  );

  switch (row.type) {
    case "database":
      return (
        <div {...common} data-testid="tree-database">
          {chevron}
          <span className="tree-icon">⛁</span>
          <span className="tree-label">{row.label}</span>
          <span className="tree-count">{row.count}</span>
        </div>
      );
    case "schema":
      return (
        <div {...common} data-testid={`tree-schema-${row.label}`}>
          {chevron}
          <span className="tree-icon">◫</span>
          <span className="tree-label">{row.label}</span>
          <span className="tree-count">{row.count}</span>
        </div>
      );
    case "group":
      return (
        <div {...common} data-testid={`tree-group-${row.key}`}>
          {chevron}
          <span className="tree-label group-label">{row.label}</span>
          <span className="tree-count">{row.count === row.total ? row.total : `${row.count} / ${row.total}`}</span>
        </div>
      );
    case "table":
      return (
        <div
          {...common}
          data-testid={`tree-table-${row.table.name}`}
          data-schema={row.table.schema ?? ""}
          data-kind={row.table.kind}
          data-expanded={row.expanded}
          onDoubleClick={() => onOpen(row.table)}
          title={`${row.qualified} (${kindLabel(row.table.kind)}) — double-click to open its rows, Enter to query it`}
        >
          {chevron}
          <span className={`tree-icon kind-${row.table.kind}`}>{row.table.kind === "table" ? "▦" : "◨"}</span>
          <HighlightedName name={row.table.name} match={row.match} />
          {row.table.kind !== "table" && <span className="kind-tag">{kindLabel(row.table.kind)}</span>}
        </div>
      );
    case "column":
      return (
        <div {...common} data-testid={`tree-column-${row.table}-${row.column.name}`} title={row.column.comment ?? undefined}>
          {chevron}
          <span className={row.column.primary_key ? "tree-icon pk" : "tree-icon"}>{row.column.primary_key ? "⚷" : "•"}</span>
          <span className="tree-label">{row.column.name}</span>
          <span className="column-type">
            {row.column.type}
            {row.column.nullable ? "" : " not null"}
          </span>
        </div>
      );
    case "section":
      return (
        <div {...common} data-testid={`tree-section-${row.key}`}>
          {chevron}
          <span className="tree-label group-label">{row.label}</span>
          <span className="tree-count">{row.count}</span>
        </div>
      );
    case "index":
      return (
        <div {...common}>
          {chevron}
          <span className="tree-icon">⌗</span>
          <span className="tree-label">{row.index.name}</span>
          <span className="column-type">
            ({row.index.columns.join(", ")}){row.index.unique ? " unique" : ""}
          </span>
        </div>
      );
    case "key":
      return (
        <div {...common}>
          {chevron}
          <span className="tree-icon pk">⚷</span>
          <span className="tree-label">{row.label}</span>
          <span className="column-type">{row.detail}</span>
        </div>
      );
    case "status":
      return (
        <div {...common} className={`${className} tone-${row.tone}`} data-testid={`tree-status-${row.tone}`}>
          {chevron}
          {row.tone === "loading" && <Spinner />}
          <span className="tree-label">{row.label}</span>
        </div>
      );
  }
}

function HighlightedName({ name, match }: { name: string; match: readonly [number, number] | null }) {
  if (!match || match[1] <= match[0]) return <span className="tree-label">{name}</span>;
  return (
    <span className="tree-label">
      {name.slice(0, match[0])}
      <mark>{name.slice(match[0], match[1])}</mark>
      {name.slice(match[1])}
    </span>
  );
}

import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useMemo, useRef, type ClipboardEvent, type KeyboardEvent, type MouseEvent } from "react";
import type { Cell, CellKind, ColumnInfo, ForeignKeyInfo, SortKey } from "../../api";
import { cachedDisplay } from "../../lib/cellCache";
import { currentRow, editKind, type Staging } from "../../lib/dataEdits";
import { inRect, moveSelection, selectionRect, single, tabStep, type CellPos, type GridSelection, type Rect } from "../../lib/dataSelection";
import { sortMark } from "../../lib/dataSort";
import { CellEditor, type EditMove } from "./CellEditor";

export type EditState = { pos: CellPos; seed: string | null };

type Props = {
  columns: readonly ColumnInfo[];
  loaded: readonly Cell[][];
  staging: Staging;
  editable: boolean;
  selection: GridSelection | null;
  editing: EditState | null;
  sort: readonly SortKey[];
  /** Why sorting is refused now (staged edits), or null. */
  sortLocked: string | null;
  /** Grid rows a commit found changed by someone else. */
  conflicts: ReadonlySet<number>;
  /** Single-column foreign keys by column index. */
  links: ReadonlyMap<number, ForeignKeyInfo>;
  onSelect: (selection: GridSelection) => void;
  onSort: (column: string, additive: boolean) => void;
  onStartEdit: (edit: EditState) => void;
  onCommitEdit: (pos: CellPos, cell: Cell) => void;
  onCancelEdit: () => void;
  onFollow: (fk: ForeignKeyInfo, cell: NonNullable<Cell>) => void;
  onNearEnd: () => void;
  onPaste: (text: string) => void;
};

const ROW_HEIGHT = 26;
const ROW_NUMBER_WIDTH = 56;

function columnWidth(column: ColumnInfo, sample: readonly Cell[][], j: number): number {
  let longest = column.name.length + Math.ceil(column.type.length * 0.8) + 4;
  for (const row of sample) {
    const cell = row[j] ?? null;
    const len = cell === null ? 4 : Math.min(cell.v.length, 50);
    if (len > longest) longest = len;
  }
  return Math.max(80, Math.min(340, longest * 7.5 + 28));
}

/** The data tab's grid: rows as read then added rows, virtualized; staged changes are marked. */
export function DataGrid(props: Props) {
  const { columns, loaded, staging, editable, selection, editing, sort, sortLocked, onSelect, onStartEdit, onNearEnd } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = loaded.length + staging.added.length;
  const sampleSource = loaded.length > 0 ? loaded : null;
  const widths = useMemo(() => columns.map((c, j) => columnWidth(c, (sampleSource ?? []).slice(0, 50), j)), [columns, sampleSource]);
  const totalWidth = ROW_NUMBER_WIDTH + widths.reduce((a, b) => a + b, 0);
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;
  const deleted = useMemo(() => new Set(staging.deleted), [staging.deleted]);
  const rect = selection ? selectionRect(selection) : null;

  useEffect(() => {
    if (count > 0 && lastShown >= count - 20) onNearEnd();
  }, [lastShown, count, onNearEnd]);

  const focusRow = selection?.focus.row ?? null;
  const focusCol = selection?.focus.col ?? null;
  useEffect(() => {
    if (focusRow === null || focusCol === null) return;
    virtualizer.scrollToIndex(focusRow);
    const id = window.requestAnimationFrame(() => {
      scrollRef.current?.querySelector(`[data-row="${focusRow}"][data-col="${focusCol}"]`)?.scrollIntoView({ block: "nearest", inline: "nearest" });
    });
    return () => window.cancelAnimationFrame(id);
  }, [focusRow, focusCol, virtualizer]);

  const refocus = (): void => scrollRef.current?.focus();

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.target !== scrollRef.current || count === 0 || columns.length === 0) return;
    const at = selection ?? single({ row: 0, col: 0 });
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1);
    const move = (dRow: number, dCol: number): void => onSelect(moveSelection(at, dRow, dCol, count, columns.length, e.shiftKey));
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(1, 0),
      ArrowUp: () => move(-1, 0),
      ArrowRight: () => move(0, 1),
      ArrowLeft: () => move(0, -1),
      PageDown: () => move(page, 0),
      PageUp: () => move(-page, 0),
      Home: () => move(e.ctrlKey || e.metaKey ? -count : 0, -columns.length),
      End: () => move(e.ctrlKey || e.metaKey ? count : 0, columns.length),
      Tab: () => onSelect(single(tabStep(at.focus, e.shiftKey ? -1 : 1, count, columns.length))),
      Enter: () => editable && onStartEdit({ pos: at.focus, seed: null }),
      F2: () => editable && onStartEdit({ pos: at.focus, seed: null }),
    };
    if (keys[e.key] && !e.altKey) {
      e.preventDefault();
      keys[e.key]();
      return;
    }
    if (editable && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      onStartEdit({ pos: at.focus, seed: e.key });
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLDivElement>): void => {
    if (e.target !== scrollRef.current) return;
    const text = e.clipboardData.getData("text/plain");
    if (text === "") return;
    e.preventDefault();
    props.onPaste(text);
  };

  const select = (pos: CellPos, e: MouseEvent): void => {
    onSelect(e.shiftKey && selection ? { anchor: selection.anchor, focus: pos } : single(pos));
  };

  const selectRow = (row: number, e: MouseEvent): void => {
    const last = columns.length - 1;
    if (e.shiftKey && selection) onSelect({ anchor: { row: selection.anchor.row, col: 0 }, focus: { row, col: last } });
    else onSelect({ anchor: { row, col: 0 }, focus: { row, col: last } });
  };

  return (
    <div
      className="grid data-grid"
      ref={scrollRef}
      role="grid"
      aria-rowcount={count}
      aria-colcount={columns.length}
      tabIndex={0}
      data-testid="data-grid"
      data-rows={count}
      onKeyDown={onKeyDown}
      onPaste={onPaste}
    >
      <div className="grid-header" role="row" style={{ width: totalWidth }}>
        <div className="grid-rownum header" style={{ width: ROW_NUMBER_WIDTH }}>
          #
        </div>
        {columns.map((c, j) => {
          const mark = sortMark(sort, c.name);
          return (
            <div
              key={c.name}
              role="columnheader"
              className="grid-header-cell"
              style={{ width: widths[j] }}
              data-testid={`data-header-${c.name}`}
              aria-sort={mark === null ? "none" : mark.descending ? "descending" : "ascending"}
              title={sortLocked ?? `${c.name} : ${c.type}${c.nullable ? "" : " not null"} — click to sort, shift+click to add to the sort`}
              onClick={(e) => sortLocked === null && props.onSort(c.name, e.shiftKey)}
            >
              {c.primary_key && <span className="pk">⚷</span>}
              <span className="header-name">{c.name}</span>
              <span className="header-type">{c.type}</span>
              <span className="sort-mark">
                {mark === null ? "" : `${mark.descending ? "▼" : "▲"}${sort.length > 1 ? mark.position : ""}`}
              </span>
            </div>
          );
        })}
      </div>
      <div className="grid-body" style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
        {items.map((item) => (
          <DataRow
            key={item.key}
            row={item.index}
            top={item.start}
            isNew={item.index >= loaded.length}
            deleted={deleted.has(item.index)}
            conflict={props.conflicts.has(item.index)}
            columns={columns}
            original={loaded[item.index]}
            staging={staging}
            loaded={loaded}
            widths={widths}
            width={totalWidth}
            rect={rect !== null && item.index >= rect.top && item.index <= rect.bottom ? rect : null}
            focusCol={selection?.focus.row === item.index ? selection.focus.col : null}
            editing={editing?.pos.row === item.index ? editing : null}
            links={props.links}
            onSelect={select}
            onSelectRow={selectRow}
            onEdit={(pos) => editable && onStartEdit({ pos, seed: null })}
            onCommit={(pos, cell, move) => {
              props.onCommitEdit(pos, cell);
              if (move !== "stay") onSelect(single(tabStep(pos, move === "right" ? 1 : -1, count, columns.length)));
              refocus();
            }}
            onCancel={() => {
              props.onCancelEdit();
              refocus();
            }}
            onFollow={props.onFollow}
          />
        ))}
      </div>
      {count === 0 && <div className="grid-empty">No rows.</div>}
    </div>
  );
}

type RowProps = {
  row: number;
  top: number;
  isNew: boolean;
  deleted: boolean;
  conflict: boolean;
  columns: readonly ColumnInfo[];
  original: readonly Cell[] | undefined;
  staging: Staging;
  loaded: readonly Cell[][];
  widths: number[];
  width: number;
  rect: Rect | null;
  focusCol: number | null;
  editing: EditState | null;
  links: ReadonlyMap<number, ForeignKeyInfo>;
  onSelect: (pos: CellPos, e: MouseEvent) => void;
  onSelectRow: (row: number, e: MouseEvent) => void;
  onEdit: (pos: CellPos) => void;
  onCommit: (pos: CellPos, cell: Cell, move: EditMove) => void;
  onCancel: () => void;
  onFollow: (fk: ForeignKeyInfo, cell: NonNullable<Cell>) => void;
};

const DataRow = memo(function DataRow(p: RowProps) {
  const cells = currentRow(p.staging, p.loaded, p.row, p.columns.length);
  const rowEdits = p.isNew ? null : p.staging.edits[p.row];
  const state = p.deleted ? "deleted" : p.isNew ? "new" : rowEdits ? "edited" : "";
  const classes = ["grid-row", p.row % 2 === 1 ? "odd" : "", state ? `data-${state}` : "", p.conflict ? "data-conflict" : ""];
  return (
    <div
      className={classes.filter(Boolean).join(" ")}
      role="row"
      aria-rowindex={p.row + 2}
      data-testid={`data-row-${p.row}`}
      data-state={state || undefined}
      data-conflict={p.conflict ? "true" : undefined}
      style={{ transform: `translateY(${p.top}px)`, width: p.width, height: ROW_HEIGHT }}
    >
      <div className="grid-rownum" style={{ width: ROW_NUMBER_WIDTH }} onClick={(e) => p.onSelectRow(p.row, e)} title={p.conflict ? "Changed by someone else since it was read; nothing was committed" : undefined}>
        {p.conflict && (
          <span className="data-conflict-mark" data-testid={`data-conflict-${p.row}`}>
            !
          </span>
        )}
        {p.isNew ? "+" : p.row + 1}
      </div>
      {p.columns.map((column, j) => {
        const cell = cells[j];
        const pos = { row: p.row, col: j };
        const edited = p.isNew ? cell !== undefined : rowEdits?.[j] !== undefined;
        const testId = `data-cell-${p.row}-${column.name}`;
        if (p.editing && p.editing.pos.col === j) {
          const kind: CellKind = editKind(p.original?.[j] ?? undefined, column);
          const initial = p.editing.seed ?? (cell === undefined || cell === null ? "" : cell.v);
          return (
            <div key={column.name} className="grid-cell editing" style={{ width: p.widths[j] }} data-row={p.row} data-col={j}>
              <CellEditor kind={kind} initial={initial} selectAll={p.editing.seed === null} testId={`${testId}-editor`} onCommit={(c, move) => p.onCommit(pos, c, move)} onCancel={p.onCancel} />
            </div>
          );
        }
        const fk = p.links.get(j);
        const shown = cell === undefined ? null : cachedDisplay(cell);
        const classes = ["grid-cell", shown ? `kind-${shown.kind}` : "kind-default", `align-${shown?.align ?? "left"}`];
        if (p.focusCol === j) classes.push("selected");
        else if (p.rect && inRect(p.rect, p.row, j)) classes.push("in-range");
        if (edited) classes.push("data-edited-cell");
        return (
          <div
            key={column.name}
            role="gridcell"
            className={classes.join(" ")}
            style={{ width: p.widths[j] }}
            data-testid={testId}
            data-row={p.row}
            data-col={j}
            data-null={shown?.isNull ? "true" : undefined}
            data-default={cell === undefined ? "true" : undefined}
            data-edited={edited ? "true" : undefined}
            aria-selected={p.focusCol === j}
            onClick={(e) => p.onSelect(pos, e)}
            onDoubleClick={() => p.onEdit(pos)}
          >
            {shown ? shown.text : "DEFAULT"}
            {fk && cell && !p.isNew && !edited && (
              <button
                type="button"
                className="data-fk-link"
                tabIndex={-1}
                data-testid={`data-fk-${p.row}-${column.name}`}
                title={`Open ${fk.referenced_table} where ${fk.referenced_columns[0]} = ${cell.v}`}
                onClick={(e) => {
                  e.stopPropagation();
                  p.onFollow(fk, cell);
                }}
              >
                ↗
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
});

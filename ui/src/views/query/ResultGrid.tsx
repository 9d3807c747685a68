import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { Cell, ResultColumn } from "../../api";
import { cachedDisplay } from "../../lib/cellCache";
import { cellToClipboard } from "../../lib/cells";
import { rowAt, sortedOrder } from "../../lib/gridSort";

export type CellPosition = { row: number; col: number };

type Props = {
  columns: readonly ResultColumn[];
  rows: Cell[][];
  selected: CellPosition | null;
  onSelect: (position: CellPosition, cell: Cell, column: ResultColumn) => void;
  onInspect: () => void;
};

const ROW_HEIGHT = 26;
const ROW_NUMBER_WIDTH = 64;
const columnHelper = createColumnHelper<Cell[]>();
const NO_ROWS: Cell[][] = [];
const NO_CELLS: Cell[] = [];

function initialWidth(column: ResultColumn, sample: readonly Cell[][], index: number): number {
  // The header shows the name and, smaller, the type.
  let longest = column.name.length + Math.ceil(column.type.length * 0.8) + 3;
  for (let i = 0; i < Math.min(sample.length, 50); i += 1) {
    const cell = sample[i][index];
    const len = cell === null ? 4 : Math.min(cell.v.length, 60);
    if (len > longest) longest = len;
  }
  return Math.max(72, Math.min(360, longest * 7.5 + 24));
}

/**
 * The result grid: TanStack Table for the columns (headers, sort state, resizing), TanStack
 * Virtual for the rows. Rows are read straight from the result (sorted through an index array),
 * because a table row model costs seconds at 100,000 rows; only the rows on screen are in the
 * DOM (each a real element with a test id), so 100,000 rows scroll smoothly.
 */
export function ResultGrid({ columns, rows, selected, onSelect, onInspect }: Props) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const scrollRef = useRef<HTMLDivElement>(null);

  // Widths are estimated from the first rows (the grid is mounted afresh for each run).
  const [sample] = useState(() => rows.slice(0, 50));
  const columnDefs = useMemo<ColumnDef<Cell[], Cell>[]>(
    () =>
      columns.map((column, j) =>
        columnHelper.accessor((row) => row[j] ?? null, {
          id: String(j),
          header: column.name,
          size: initialWidth(column, sample, j),
          minSize: 48,
          maxSize: 2000,
          sortDescFirst: false,
        }),
      ),
    [columns, sample],
  );

  const table = useReactTable({
    data: NO_ROWS,
    columns: columnDefs,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    columnResizeMode: "onChange",
    enableColumnResizing: true,
    enableSortingRemoval: true,
  });
  const order = useMemo(() => sortedOrder(rows, sorting.map((s) => ({ column: Number(s.id), desc: s.desc }))), [rows, sorting]);
  const count = rows.length;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  // A stable array while no width changes, so rows that did not change are not re-rendered.
  const sizeKey = headers.map((h) => h.getSize()).join(",");
  const sizes = useMemo(() => (sizeKey === "" ? [] : sizeKey.split(",").map(Number)), [sizeKey]);
  const totalWidth = ROW_NUMBER_WIDTH + sizes.reduce((a, b) => a + b, 0);

  const moveTo = (row: number, col: number): void => {
    if (count === 0 || columns.length === 0) return;
    const r = Math.max(0, Math.min(count - 1, row));
    const c = Math.max(0, Math.min(columns.length - 1, col));
    onSelect({ row: r, col: c }, rowAt(rows, order, r)?.[c] ?? null, columns[c]);
    virtualizer.scrollToIndex(r);
  };

  const selectCell = useCallback(
    (row: number, col: number) => onSelect({ row, col }, rowAt(rows, order, row)?.[col] ?? null, columns[col]),
    [rows, order, columns, onSelect],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const at = selected ?? { row: 0, col: 0 };
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(at.row + 1, at.col),
      ArrowUp: () => moveTo(at.row - 1, at.col),
      ArrowRight: () => moveTo(at.row, at.col + 1),
      ArrowLeft: () => moveTo(at.row, at.col - 1),
      PageDown: () => moveTo(at.row + page, at.col),
      PageUp: () => moveTo(at.row - page, at.col),
      Home: () => moveTo(e.ctrlKey || e.metaKey ? 0 : at.row, 0),
      End: () => moveTo(e.ctrlKey || e.metaKey ? count - 1 : at.row, columns.length - 1),
      Enter: onInspect,
    };
    if (keys[e.key]) {
      e.preventDefault();
      keys[e.key]();
      return;
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "c" && selected) {
      e.preventDefault();
      const cell = rowAt(rows, order, selected.row)?.[selected.col] ?? null;
      void navigator.clipboard?.writeText(cellToClipboard(cell)).catch(() => undefined);
    }
  };

  return (
    <div
      className="grid"
      ref={scrollRef}
      role="grid"
      aria-rowcount={count}
      aria-colcount={columns.length}
      tabIndex={0}
      data-testid="result-grid"
      data-rows={count}
      onKeyDown={onKeyDown}
    >
      <div className="grid-header" role="row" style={{ width: totalWidth }}>
        <div className="grid-rownum header" style={{ width: ROW_NUMBER_WIDTH }}>
          #
        </div>
        {headers.map((header, j) => {
          const sorted = header.column.getIsSorted();
          return (
            <div
              key={header.id}
              role="columnheader"
              className="grid-header-cell"
              style={{ width: sizes[j] }}
              data-testid={`grid-header-${j}`}
              aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none"}
              title={`${columns[j]?.name ?? ""}${columns[j]?.type ? ` : ${columns[j].type}` : ""} — click to sort`}
              onClick={header.column.getToggleSortingHandler()}
            >
              <span className="header-name">{flexRender(header.column.columnDef.header, header.getContext())}</span>
              {columns[j]?.type && <span className="header-type">{columns[j].type}</span>}
              <span className="sort-mark">{sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""}</span>
              <span
                className={header.column.getIsResizing() ? "resizer resizing" : "resizer"}
                onMouseDown={header.getResizeHandler()}
                onTouchStart={header.getResizeHandler()}
                onClick={(e) => e.stopPropagation()}
                onDoubleClick={() => header.column.resetSize()}
                role="separator"
                aria-orientation="vertical"
              />
            </div>
          );
        })}
      </div>
      <div className="grid-body" style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
        {virtualizer.getVirtualItems().map((item) => (
          <GridRow
            key={item.key}
            index={item.index}
            top={item.start}
            cells={rowAt(rows, order, item.index) ?? NO_CELLS}
            sizes={sizes}
            width={totalWidth}
            selectedCol={selected?.row === item.index ? selected.col : null}
            onCellClick={selectCell}
            onCellDoubleClick={onInspect}
          />
        ))}
      </div>
      {count === 0 && <div className="grid-empty">No rows.</div>}
    </div>
  );
}

type RowProps = {
  index: number;
  top: number;
  cells: Cell[];
  sizes: number[];
  width: number;
  selectedCol: number | null;
  onCellClick: (row: number, col: number) => void;
  onCellDoubleClick: () => void;
};

const GridRow = memo(function GridRow({ index, top, cells, sizes, width, selectedCol, onCellClick, onCellDoubleClick }: RowProps) {
  return (
    <div
      className={index % 2 === 1 ? "grid-row odd" : "grid-row"}
      role="row"
      aria-rowindex={index + 2}
      data-testid={`grid-row-${index}`}
      style={{ transform: `translateY(${top}px)`, width, height: ROW_HEIGHT }}
    >
      <div className="grid-rownum" style={{ width: ROW_NUMBER_WIDTH }}>
        {index + 1}
      </div>
      {sizes.map((size, j) => (
        <GridCell
          key={j}
          row={index}
          col={j}
          cell={cells[j] ?? null}
          width={size}
          selected={selectedCol === j}
          onClick={onCellClick}
          onDoubleClick={onCellDoubleClick}
        />
      ))}
    </div>
  );
});

type CellProps = {
  row: number;
  col: number;
  cell: Cell;
  width: number;
  selected: boolean;
  onClick: (row: number, col: number) => void;
  onDoubleClick: () => void;
};

function GridCell({ row, col, cell, width, selected, onClick, onDoubleClick }: CellProps) {
  const shown = cachedDisplay(cell);
  const classes = ["grid-cell", `kind-${shown.kind}`, `align-${shown.align}`];
  if (selected) classes.push("selected");
  return (
    <div
      role="gridcell"
      className={classes.join(" ")}
      style={{ width }}
      data-testid={`grid-cell-${row}-${col}`}
      data-null={shown.isNull ? "true" : undefined}
      data-empty={shown.isEmpty ? "true" : undefined}
      data-kind={shown.kind}
      aria-selected={selected}
      title={shown.shortened ? "Double-click or press Enter to see the whole value" : shown.isEmpty ? "empty string" : undefined}
      onClick={() => onClick(row, col)}
      onDoubleClick={onDoubleClick}
    >
      {shown.text}
    </div>
  );
}

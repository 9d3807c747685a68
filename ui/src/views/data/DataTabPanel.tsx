import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { api, toAppError, type AppError, type Cell, type ColumnFilter, type ForeignKeyInfo, type PlannedStatement, type SortKey } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatCopy, type CopyFormat } from "../../lib/dataClipboard";
import {
  addRow,
  buildEdits,
  changedRowCount,
  currentRow,
  deleteRows,
  duplicateRow,
  EMPTY_STAGING,
  setCell,
  type StagedValue,
  type Staging,
} from "../../lib/dataEdits";
import { selectedRows, selectionRect, single, type CellPos, type GridSelection } from "../../lib/dataSelection";
import { pasteTsv } from "../../lib/dataPaste";
import { cycleSort } from "../../lib/dataSort";
import { plural } from "../../lib/format";
import { pushState, redo, undo, undoStack } from "../../lib/undoStack";
import { openDataTab, openQuery, type DataTab } from "../../stores/tabs";
import { DataGrid, type EditState } from "./DataGrid";
import { DataStatusLine } from "./DataStatusLine";
import { keepDataTab, recallDataTab } from "./dataTabMemory";
import { DataToolbar } from "./DataToolbar";
import { FilterBar } from "./FilterBar";
import { ReviewDialog } from "./ReviewDialog";
import { NO_PAGES, useTablePages } from "./useTablePages";

type Review = { statements: PlannedStatement[] | null; error: AppError | null };
type Notice = { tone: "ok" | "warn"; text: string };

const LOCKED = "Commit or discard the staged changes first";

/** A data tab: a table's rows, filtered and sorted on the server, edited in place and committed together. */
export function DataTabPanel({ tab }: { tab: DataTab }) {
  const [memory] = useState(() => recallDataTab(tab.id));
  const [filters, setFilters] = useState<ColumnFilter[]>(memory?.filters ?? tab.filters);
  const [sort, setSort] = useState<SortKey[]>(memory?.sort ?? []);
  const [history, setHistory] = useState(memory?.history ?? undoStack<Staging>(EMPTY_STAGING));
  const { pages, loading, error, reload, loadMore } = useTablePages(tab.profile, tab.table, memory?.pages ?? NO_PAGES);
  const [selection, setSelection] = useState<GridSelection | null>(null);
  const [editing, setEditing] = useState<EditState | null>(null);
  const [conflicts, setConflicts] = useState<ReadonlySet<number>>(new Set());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [actionError, setActionError] = useState<AppError | null>(null);
  const [review, setReview] = useState<Review | null>(null);
  const [busy, setBusy] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const focusGrid = (): void => rootRef.current?.querySelector<HTMLElement>("[data-testid='data-grid']")?.focus();

  const view = pages.view;
  const rows = pages.rows;
  const columns = useMemo(() => view?.table.columns ?? [], [view]);
  const editable = view !== null && view.key !== null;
  const staging = history.present;
  const changed = changedRowCount(staging);
  const total = rows.length + staging.added.length;
  const links = useMemo(() => {
    const map = new Map<number, ForeignKeyInfo>();
    for (const fk of view?.table.foreign_keys ?? []) {
      if (fk.columns.length !== 1 || fk.referenced_columns.length !== 1) continue;
      const j = columns.findIndex((c) => c.name === fk.columns[0]);
      if (j >= 0) map.set(j, fk);
    }
    return map;
  }, [view, columns]);

  useEffect(() => {
    if (!memory?.pages.view) void reload(memory?.filters ?? tab.filters, memory?.sort ?? []);
  }, [memory, reload, tab.filters]);

  useEffect(() => {
    keepDataTab(tab.id, { pages, filters, sort, history });
  }, [tab.id, pages, filters, sort, history]);

  const stage = useCallback((change: (s: Staging) => Staging) => setHistory((h) => pushState(h, change(h.present))), []);

  // Staged edits (and their history) point at rows by position, so a reload starts afresh.
  const restart = (nextFilters: ColumnFilter[], nextSort: SortKey[]): void => {
    setHistory(undoStack(EMPTY_STAGING));
    setSelection(null);
    setEditing(null);
    setConflicts(new Set());
    void reload(nextFilters, nextSort);
  };

  const onNearEnd = useCallback(() => {
    if (!loading && pages.hasMore && error === null) void loadMore(filters, sort);
  }, [loading, pages.hasMore, error, loadMore, filters, sort]);

  const eachSelectedCell = (value: StagedValue): void => {
    if (!selection) return;
    const r = selectionRect(selection);
    stage((s) => {
      let next = s;
      for (let row = r.top; row <= r.bottom; row += 1) for (let col = r.left; col <= r.right; col += 1) next = setCell(next, rows, row, col, value);
      return next;
    });
  };

  const selectedCells = (): Cell[][] => {
    if (!selection) return [];
    const r = selectionRect(selection);
    return selectedRows(selection).map((row) => currentRow(staging, rows, row, columns.length).slice(r.left, r.right + 1).map((c) => c ?? null));
  };

  const copy = (format: CopyFormat): void => {
    if (!selection || !view) return;
    const r = selectionRect(selection);
    const text = formatCopy(format, { columns: columns.slice(r.left, r.right + 1).map((c) => c.name), rows: selectedCells(), table: view.table });
    navigator.clipboard?.writeText(text).then(
      () => setNotice({ tone: "ok", text: `Copied ${plural(r.bottom - r.top + 1, "row")} as ${format.toUpperCase()}.` }),
      () => setNotice({ tone: "warn", text: "The clipboard refused the text." }),
    );
  };

  const paste = (text: string): void => {
    if (!editable) {
      setNotice({ tone: "warn", text: view?.readOnlyReason ?? "These rows cannot be edited." });
      return;
    }
    const start: CellPos = selection ? { row: selectionRect(selection).top, col: selectionRect(selection).left } : { row: total, col: 0 };
    const result = pasteTsv(staging, rows, columns, start, text);
    if (!result.ok) {
      setNotice({ tone: "warn", text: result.error });
      return;
    }
    stage(() => result.staging);
    setNotice({ tone: "ok", text: `Pasted ${plural(result.rows, "row")}.` });
  };

  const editsToSend = () => buildEdits(staging, rows, columns);

  const openReview = async (): Promise<void> => {
    const { edits } = editsToSend();
    setReview({ statements: null, error: null });
    try {
      setReview({ statements: await api.reviewTableChanges(tab.profile, tab.table, edits), error: null });
    } catch (e) {
      setReview({ statements: [], error: toAppError(e) });
    }
  };

  const commit = async (): Promise<void> => {
    const built = editsToSend();
    if (built.edits.length === 0 || busy) return;
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      const report = await api.commitTableChanges(tab.profile, tab.table, built.edits);
      setReview(null);
      if (report.outcome.committed) {
        const affected = report.outcome.rowsAffected.reduce((a, b) => a + b, 0);
        setNotice({ tone: "ok", text: `Committed: ${plural(report.statements.length, "statement")}, ${plural(affected, "row")}.` });
        restart(filters, sort);
      } else {
        setConflicts(new Set(report.outcome.conflicts.map((i) => built.rows[i]).filter((r) => r !== undefined)));
        setNotice({ tone: "warn", text: `${plural(report.outcome.conflicts.length, "row")} changed by someone else since it was read; nothing was committed.` });
      }
    } catch (e) {
      setActionError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  const follow = (fk: ForeignKeyInfo, cell: NonNullable<Cell>): void => {
    const target = fk.referenced_schema ? `${fk.referenced_schema}.${fk.referenced_table}` : fk.referenced_table;
    openDataTab(tab.profile, target, [{ column: fk.referenced_columns[0], op: "eq", values: [cell.v] }]);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const mod = e.ctrlKey || e.metaKey;
    if (!mod || e.altKey) return;
    const key = e.key.toLowerCase();
    if (key === "s") {
      e.preventDefault();
      void commit();
      return;
    }
    const inField = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement;
    if (inField) return;
    if (key === "z" || key === "y") {
      e.preventDefault();
      setEditing(null);
      setHistory((h) => (key === "y" || e.shiftKey ? redo(h) : undo(h)));
    } else if (key === "c" && selection && (e.target as HTMLElement).closest("[data-testid='data-grid']")) {
      e.preventDefault();
      copy("tsv");
    }
  };

  const focusRow = selection?.focus.row ?? null;
  return (
    <div ref={rootRef} className="data-tab" data-testid="data-tab" data-profile={tab.profile} data-table={tab.table} data-editable={editable} onKeyDown={onKeyDown}>
      <FilterBar
        columns={columns}
        applied={filters}
        filterSql={view?.filter ?? ""}
        locked={changed > 0 ? LOCKED : null}
        onApply={(next) => {
          setFilters(next);
          restart(next, sort);
        }}
        onOpenSql={view ? () => openQuery(tab.profile, view.statement) : null}
      />
      <DataToolbar
        editable={editable}
        hasSelection={selection !== null && total > 0}
        changed={changed}
        canUndo={history.past.length > 0}
        canRedo={history.future.length > 0}
        busy={busy}
        onAddRow={() => {
          stage((s) => addRow(s));
          setSelection(single({ row: total, col: 0 }));
          focusGrid();
        }}
        onDuplicate={() => {
          if (focusRow === null) return;
          const keys = (view?.key ?? []).map((k) => columns.findIndex((c) => c.name === k));
          stage((s) => duplicateRow(s, rows, focusRow, columns.length, keys));
          setSelection(single({ row: total, col: 0 }));
          focusGrid();
        }}
        onDelete={() => selection && stage((s) => deleteRows(s, rows, selectedRows(selection)))}
        onSetNull={() => eachSelectedCell({ cell: null })}
        onSetDefault={() => eachSelectedCell({ default: true })}
        onUndo={() => setHistory(undo)}
        onRedo={() => setHistory(redo)}
        onCopy={copy}
        onReview={() => void openReview()}
        onCommit={() => void commit()}
        onDiscard={() => {
          stage(() => EMPTY_STAGING);
          setConflicts(new Set());
          setNotice(null);
        }}
        onReload={() => restart(filters, sort)}
      />
      {view && !editable && (
        <div className="notice data-read-only" data-testid="data-read-only">
          Read-only: {view.readOnlyReason ?? "these rows cannot be told apart to edit them."}
        </div>
      )}
      {conflicts.size > 0 && (
        <div className="notice data-conflicts" data-testid="data-conflicts">
          {conflicts.size === 1 ? "A row (marked !) was" : `${plural(conflicts.size, "row")} (marked !) were`} changed by someone else since it was read;
          nothing was committed. Your staged edits are kept.
        </div>
      )}
      {error && <ErrorNotice error={error} testId="data-error" />}
      {actionError && <ErrorNotice error={actionError} testId="data-commit-error" onDismiss={() => setActionError(null)} />}
      {notice && (
        <div className={`data-notice tone-${notice.tone}`} data-testid="data-notice" data-tone={notice.tone}>
          {notice.text}
        </div>
      )}
      <DataGrid
        columns={columns}
        loaded={rows}
        staging={staging}
        editable={editable}
        selection={selection}
        editing={editing}
        sort={sort}
        sortLocked={changed > 0 ? LOCKED : null}
        conflicts={conflicts}
        links={links}
        onSelect={setSelection}
        onSort={(column, additive) => {
          const next = cycleSort(sort, column, additive);
          setSort(next);
          restart(filters, next);
        }}
        onStartEdit={(edit) => {
          setSelection(single(edit.pos));
          setEditing(edit);
        }}
        onCommitEdit={(pos, cell) => {
          setEditing(null);
          stage((s) => setCell(s, rows, pos.row, pos.col, { cell }));
        }}
        onCancelEdit={() => setEditing(null)}
        onFollow={follow}
        onNearEnd={onNearEnd}
        onPaste={paste}
      />
      <DataStatusLine
        profile={tab.profile}
        table={tab.table}
        view={view}
        loaded={rows.length}
        hasMore={pages.hasMore}
        loading={loading}
        filters={filters}
        onLoadMore={() => void loadMore(filters, sort)}
      />
      {review && (
        <ReviewDialog
          statements={review.statements}
          error={review.error ?? actionError}
          busy={busy}
          canCommit={review.error === null && changed > 0}
          onCommit={() => void commit()}
          onClose={() => setReview(null)}
        />
      )}
    </div>
  );
}

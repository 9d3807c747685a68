import { useState } from "react";
import { api, toAppError, type AppError, type ColumnFilter, type TablePageView } from "../../api";
import { Spinner } from "../../components/Spinner";
import { formatCount, formatDuration, plural } from "../../lib/format";

type Props = {
  profile: string;
  table: string;
  view: TablePageView | null;
  loaded: number;
  hasMore: boolean;
  loading: boolean;
  filters: ColumnFilter[];
  onLoadMore: () => void;
};

/** Below the grid: rows loaded, the estimate, an exact count on request, how pages are read, Load more. */
export function DataStatusLine({ profile, table, view, loaded, hasMore, loading, filters, onLoadMore }: Props) {
  // An exact count is shown only for the filters it was made with.
  const [counted, setCount] = useState<{ value: number | null; error: AppError | null; busy: boolean; filters: ColumnFilter[] | null }>({ value: null, error: null, busy: false, filters: null });
  const count = counted.filters === filters ? counted : { value: null, error: null, busy: false };
  const estimate = view?.table.estimated_rows;

  const countRows = async (): Promise<void> => {
    setCount({ value: null, error: null, busy: true, filters });
    try {
      setCount({ value: await api.countTableRows(profile, table, filters), error: null, busy: false, filters });
    } catch (e) {
      setCount({ value: null, error: toAppError(e), busy: false, filters });
    }
  };

  return (
    <div className="status-line data-status" data-testid="data-status" data-state={loading ? "loading" : "idle"}>
      {loading && <Spinner />}
      <span data-testid="data-loaded-count" data-count={loaded}>
        {plural(loaded, "row")} loaded{hasMore ? ", more to read" : ""}
      </span>
      {estimate !== undefined && estimate !== null && (
        <span className="muted" data-testid="data-estimate" title="The catalog's estimate of the whole table">
          ≈ {formatCount(estimate)} rows
        </span>
      )}
      <button type="button" className="button small" data-testid="data-count" disabled={count.busy || !view} onClick={() => void countRows()} title="Count the rows these filters keep (may be slow on a big table)">
        Count
      </button>
      {count.value !== null && (
        <span data-testid="data-row-count" data-count={count.value}>
          {plural(count.value, "row")}
        </span>
      )}
      {count.error && (
        <span className="error-text" data-testid="data-count-error" title={count.error.message}>
          {count.error.code}: {count.error.message}
        </span>
      )}
      {view && !view.paging.keyset && view.paging.note && (
        <span className="warn-badge data-paging-note" data-testid="data-paging-note" title={view.paging.note}>
          OFFSET paging: {view.paging.note}
        </span>
      )}
      {view && (
        <span className="muted" data-testid="data-elapsed">
          {formatDuration(view.elapsedMs)}
        </span>
      )}
      <span className="spacer" />
      {hasMore && (
        <button type="button" className="button small" data-testid="data-load-more" disabled={loading} onClick={onLoadMore}>
          Load more
        </button>
      )}
      <span className="muted mono status-profile">
        {profile} · {table}
      </span>
    </div>
  );
}

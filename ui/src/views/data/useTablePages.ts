import { useCallback, useRef, useState } from "react";
import { api, toAppError, type AppError, type ColumnFilter, type SortKey } from "../../api";
import type { LoadedPages } from "./dataTabMemory";

export const PAGE_SIZE = 500;

export const NO_PAGES: LoadedPages = { view: null, rows: [], next: null, hasMore: false };

/**
 * The loaded pages of a table: `reload` reads the first page again (for these filters and
 * sort), `loadMore` the next one (by keyset cursor, or by OFFSET when the backend pages so).
 * A response to a request made before the latest reload is dropped.
 */
export function useTablePages(profile: string, table: string, initial: LoadedPages) {
  const [pages, setPages] = useState<LoadedPages>(initial);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const generation = useRef(0);
  const moreInFlight = useRef(false);

  const reload = useCallback(
    async (filters: ColumnFilter[], sort: SortKey[]): Promise<void> => {
      generation.current += 1;
      const mine = generation.current;
      setLoading(true);
      setError(null);
      try {
        const view = await api.openTablePage(profile, table, { filters, sort, after: null, offset: 0, limit: PAGE_SIZE });
        if (mine !== generation.current) return;
        setPages({ view: { ...view, rows: [] }, rows: view.rows, next: view.next, hasMore: view.hasMore });
      } catch (e) {
        if (mine === generation.current) setError(toAppError(e));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [profile, table],
  );

  const loadMore = useCallback(
    async (filters: ColumnFilter[], sort: SortKey[]): Promise<void> => {
      const current = pages;
      if (!current.view || !current.hasMore || moreInFlight.current) return;
      moreInFlight.current = true;
      const mine = generation.current;
      setLoading(true);
      setError(null);
      const keyset = current.view.paging.keyset && current.next !== null;
      try {
        const view = await api.openTablePage(profile, table, {
          filters,
          sort,
          after: keyset ? current.next : null,
          offset: keyset ? 0 : current.rows.length,
          limit: PAGE_SIZE,
        });
        if (mine !== generation.current) return;
        setPages((p) => ({ ...p, rows: [...p.rows, ...view.rows], next: view.next, hasMore: view.hasMore }));
      } catch (e) {
        if (mine === generation.current) setError(toAppError(e));
      } finally {
        moreInFlight.current = false;
        if (mine === generation.current) setLoading(false);
      }
    },
    [profile, table, pages],
  );

  return { pages, loading, error, reload, loadMore, clearError: () => setError(null) };
}

// The selection of a data grid: an anchor cell and a focus cell (shift+arrows or shift+click
// move the focus and keep the anchor); the rectangle between them is what copy, Set NULL and
// Delete row act on.

export type CellPos = { row: number; col: number };

export type GridSelection = { anchor: CellPos; focus: CellPos };

export type Rect = { top: number; bottom: number; left: number; right: number };

export function single(pos: CellPos): GridSelection {
  return { anchor: pos, focus: pos };
}

export function selectionRect(s: GridSelection): Rect {
  return {
    top: Math.min(s.anchor.row, s.focus.row),
    bottom: Math.max(s.anchor.row, s.focus.row),
    left: Math.min(s.anchor.col, s.focus.col),
    right: Math.max(s.anchor.col, s.focus.col),
  };
}

export function inRect(r: Rect, row: number, col: number): boolean {
  return row >= r.top && row <= r.bottom && col >= r.left && col <= r.right;
}

/** The rows of the selection, top to bottom. */
export function selectedRows(s: GridSelection): number[] {
  const r = selectionRect(s);
  return Array.from({ length: r.bottom - r.top + 1 }, (_, i) => r.top + i);
}

/** The cell `step` cells right (or left) in reading order: past the last column is the next row's first. */
export function tabStep(pos: CellPos, step: 1 | -1, rows: number, cols: number): CellPos {
  const index = pos.row * cols + pos.col + step;
  const clamped = Math.max(0, Math.min(rows * cols - 1, index));
  return { row: Math.floor(clamped / cols), col: clamped % cols };
}

/** Moves the focus by (dRow, dCol) inside the grid; with `extend` the anchor stays. */
export function moveSelection(s: GridSelection, dRow: number, dCol: number, rows: number, cols: number, extend: boolean): GridSelection {
  const focus = {
    row: Math.max(0, Math.min(rows - 1, s.focus.row + dRow)),
    col: Math.max(0, Math.min(cols - 1, s.focus.col + dCol)),
  };
  return extend ? { anchor: s.anchor, focus } : single(focus);
}

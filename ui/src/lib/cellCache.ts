// displayCell results cached per cell object, so scrolling a grid of JSON values does not
// re-format the same cells on every frame.

import type { Cell } from "../api";
import { displayCell, type CellDisplay } from "./cells";

const cache = new WeakMap<object, CellDisplay>();
const NULL_DISPLAY = displayCell(null);

export function cachedDisplay(cell: Cell): CellDisplay {
  if (cell === null) return NULL_DISPLAY;
  let shown = cache.get(cell);
  if (!shown) {
    shown = displayCell(cell);
    cache.set(cell, shown);
  }
  return shown;
}

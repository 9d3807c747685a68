import { describe, expect, it } from "vitest";
import { moveSelection, selectedRows, selectionRect, single, tabStep } from "./dataSelection";

describe("grid selection", () => {
  it("moves, extends and clamps", () => {
    const s = single({ row: 1, col: 1 });
    expect(moveSelection(s, -5, 0, 10, 3, false).focus).toEqual({ row: 0, col: 1 });
    const wide = moveSelection(moveSelection(s, 2, 0, 10, 3, true), 0, 1, 10, 3, true);
    expect(wide.anchor).toEqual({ row: 1, col: 1 });
    expect(selectionRect(wide)).toEqual({ top: 1, bottom: 3, left: 1, right: 2 });
    expect(selectedRows(wide)).toEqual([1, 2, 3]);
  });

  it("tabs across rows", () => {
    expect(tabStep({ row: 0, col: 2 }, 1, 2, 3)).toEqual({ row: 1, col: 0 });
    expect(tabStep({ row: 1, col: 0 }, -1, 2, 3)).toEqual({ row: 0, col: 2 });
    expect(tabStep({ row: 1, col: 2 }, 1, 2, 3)).toEqual({ row: 1, col: 2 });
  });
});

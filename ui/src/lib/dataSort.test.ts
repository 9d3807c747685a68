import { describe, expect, it } from "vitest";
import { cycleSort, sortMark } from "./dataSort";

describe("cycleSort", () => {
  it("cycles one column ascending, descending, unsorted", () => {
    const asc = cycleSort([], "id", false);
    expect(asc).toEqual([{ column: "id", descending: false }]);
    const desc = cycleSort(asc, "id", false);
    expect(desc).toEqual([{ column: "id", descending: true }]);
    expect(cycleSort(desc, "id", false)).toEqual([]);
  });

  it("a plain click replaces the sort; a shift-click adds and cycles a key", () => {
    const two = cycleSort([{ column: "a", descending: true }], "b", true);
    expect(two).toEqual([
      { column: "a", descending: true },
      { column: "b", descending: false },
    ]);
    expect(cycleSort(two, "b", true)).toEqual([
      { column: "a", descending: true },
      { column: "b", descending: true },
    ]);
    expect(cycleSort(cycleSort(two, "b", true), "b", true)).toEqual([{ column: "a", descending: true }]);
    expect(cycleSort(two, "c", false)).toEqual([{ column: "c", descending: false }]);
    expect(cycleSort(two, "a", false)).toEqual([{ column: "a", descending: false }]);
    expect(sortMark(two, "b")).toEqual({ position: 2, descending: false });
    expect(sortMark(two, "z")).toBeNull();
  });
});

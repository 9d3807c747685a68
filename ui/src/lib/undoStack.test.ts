import { describe, expect, it } from "vitest";
import { pushState, redo, undo, undoStack, UNDO_LIMIT } from "./undoStack";

describe("undoStack", () => {
  it("undoes and redoes, and a new change drops the redo side", () => {
    let s = pushState(pushState(undoStack(0), 1), 2);
    expect(s.present).toBe(2);
    s = undo(s);
    expect(s.present).toBe(1);
    s = undo(undo(s));
    expect(s.present).toBe(0);
    s = redo(s);
    expect(s.present).toBe(1);
    s = pushState(s, 5);
    expect(s.future).toEqual([]);
    expect(redo(s)).toBe(s);
    expect(pushState(s, 5)).toBe(s);
  });

  it("keeps a bounded past", () => {
    let s = undoStack(0);
    for (let i = 1; i <= UNDO_LIMIT + 10; i += 1) s = pushState(s, i);
    expect(s.past.length).toBe(UNDO_LIMIT);
  });
});

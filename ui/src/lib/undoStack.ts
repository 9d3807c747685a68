// A value with its undo and redo history: each change pushes the value it replaces.

export type UndoStack<T> = { past: readonly T[]; present: T; future: readonly T[] };

/** How many earlier values are kept. */
export const UNDO_LIMIT = 200;

export function undoStack<T>(present: T): UndoStack<T> {
  return { past: [], present, future: [] };
}

/** Makes `next` the present value (a value identical to the present one is no change). */
export function pushState<T>(stack: UndoStack<T>, next: T): UndoStack<T> {
  if (Object.is(next, stack.present)) return stack;
  return { past: [...stack.past, stack.present].slice(-UNDO_LIMIT), present: next, future: [] };
}

export function undo<T>(stack: UndoStack<T>): UndoStack<T> {
  const previous = stack.past.at(-1);
  if (stack.past.length === 0 || previous === undefined) return stack;
  return { past: stack.past.slice(0, -1), present: previous, future: [stack.present, ...stack.future] };
}

export function redo<T>(stack: UndoStack<T>): UndoStack<T> {
  if (stack.future.length === 0) return stack;
  const [next, ...future] = stack.future;
  return { past: [...stack.past, stack.present], present: next, future };
}

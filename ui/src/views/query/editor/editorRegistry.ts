// The editors that are on screen, by tab, so toolbar buttons and the test hook
// (`window.__dbdock.setQuery`) can reach them; and each tab's editor state, kept while the tab
// is not shown so undo history and the cursor survive.

import type { EditorState } from "@codemirror/state";
import type { Span } from "../../../lib/sqlText";
import type { EditorCallbacks } from "./sqlEditorSetup";

export type EditorHandle = {
  getText: () => string;
  getSelection: () => Span;
  setText: (text: string) => void;
  /** Selects the span (clamped to the text) and scrolls it into view. */
  select: (span: Span) => void;
  focus: () => void;
};

export const editorHandles = new Map<string, EditorHandle>();
export const editorCallbacks = new Map<string, EditorCallbacks>();
export const savedEditorStates = new Map<string, EditorState>();

const noop: EditorCallbacks = {
  onChange: () => undefined,
  onSelection: () => undefined,
  onRun: () => undefined,
  onRunScript: () => undefined,
  onCancel: () => false,
};

export function callbacksFor(tabId: string): () => EditorCallbacks {
  return () => editorCallbacks.get(tabId) ?? noop;
}

export function forgetEditor(tabId: string): void {
  editorHandles.delete(tabId);
  editorCallbacks.delete(tabId);
  savedEditorStates.delete(tabId);
}

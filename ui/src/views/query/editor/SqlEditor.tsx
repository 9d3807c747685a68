import { EditorView } from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { EngineSpec } from "../../../api";
import { callbacksFor, editorCallbacks, editorHandles, savedEditorStates, type EditorHandle } from "./editorRegistry";
import { createEditorState, languageCompartment, languageFor, type EditorCallbacks } from "./sqlEditorSetup";

type Props = EditorCallbacks & {
  tabId: string;
  value: string;
  /** The tab's engine, for its language (null: plain text). */
  spec: EngineSpec | null;
  schema: Record<string, string[]>;
  /** Only reads may run on the tab's connection (Redis completes only the read commands). */
  readsOnly?: boolean;
};

/** The CodeMirror editor of one query tab. */
export function SqlEditor({ tabId, value, spec, schema, readsOnly = false, onChange, onSelection, onRun, onRunScript, onCancel }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const initialRef = useRef({ value, spec, schema, readsOnly });

  // Callbacks are looked up at call time, so the saved editor state never holds stale ones.
  useEffect(() => {
    editorCallbacks.set(tabId, { onChange, onSelection, onRun, onRunScript, onCancel });
  }, [tabId, onChange, onSelection, onRun, onRunScript, onCancel]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const initial = initialRef.current;
    const state =
      savedEditorStates.get(tabId) ??
      createEditorState(initial.value, languageFor(initial.spec, initial.schema, initial.readsOnly), callbacksFor(tabId));
    const view = new EditorView({ state, parent: host });
    viewRef.current = view;
    const handle: EditorHandle = {
      getText: () => view.state.doc.toString(),
      getSelection: () => {
        const main = view.state.selection.main;
        return { from: main.from, to: main.to };
      },
      setText: (text) => {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: text.length } });
      },
      select: (span) => {
        const length = view.state.doc.length;
        const from = Math.min(span.from, length);
        const to = Math.min(span.to, length);
        view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
        view.focus();
      },
      focus: () => view.focus(),
    };
    editorHandles.set(tabId, handle);
    view.focus();
    return () => {
      savedEditorStates.set(tabId, view.state);
      if (editorHandles.get(tabId) === handle) editorHandles.delete(tabId);
      view.destroy();
      viewRef.current = null;
    };
  }, [tabId]);

  // The language follows the tab's connection and its schema (for completion).
  useEffect(() => {
    viewRef.current?.dispatch({ effects: languageCompartment.reconfigure(languageFor(spec, schema, readsOnly)) });
  }, [spec, schema, readsOnly]);

  // Text set from outside (history, the schema browser, the test hook) replaces the document.
  useEffect(() => {
    const view = viewRef.current;
    if (view && view.state.doc.toString() !== value) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div className="sql-editor" ref={hostRef} data-testid="query-editor-host" />;
}

// CodeMirror 6 set-up for the query editor: the engine's SQL dialect, completion from the live
// schema, the app's colours (CSS variables, so light and dark follow the system) and keys.

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { MSSQL, MySQL, PostgreSQL, SQLite, StandardSQL, sql, type SQLDialect } from "@codemirror/lang-sql";
import { bracketMatching, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState, Prec, type Extension } from "@codemirror/state";
import {
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  placeholder,
  rectangularSelection,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";
import type { Engine, EngineSpec } from "../../../api";
import { takesSql } from "../../../lib/sqlText";
import { redisCommands, redisCompletionSource } from "./redisCommands";

// Each SQL engine's CodeMirror dialect and default schema: syntax, not a capability. Whether
// an engine takes SQL at all comes from its spec; a SQL engine missing here gets standard SQL.
const DIALECTS: Partial<Record<Engine, { dialect: SQLDialect; defaultSchema?: string }>> = {
  sqlite: { dialect: SQLite, defaultSchema: "main" },
  postgres: { dialect: PostgreSQL, defaultSchema: "public" },
  mysql: { dialect: MySQL },
  mssql: { dialect: MSSQL, defaultSchema: "dbo" },
};

/** The dialect to highlight and complete; null for engines that take no SQL (or are unknown). */
export function dialectFor(spec: EngineSpec | null): SQLDialect | null {
  if (!spec || !takesSql(spec.capabilities)) return null;
  return DIALECTS[spec.engine]?.dialect ?? StandardSQL;
}

/**
 * The language extension: the engine's dialect with table and column completion; for Redis,
 * completion of command names (only the reads where `readsOnly`).
 */
export function languageFor(spec: EngineSpec | null, schema: Record<string, string[]>, readsOnly = false): Extension {
  if (spec?.capabilities.query === "redis-command") {
    return EditorState.languageData.of(() => [{ autocomplete: redisCompletionSource(redisCommands(spec, readsOnly)) }]);
  }
  const dialect = dialectFor(spec);
  if (!spec || !dialect) return [];
  const defaultSchema = DIALECTS[spec.engine]?.defaultSchema;
  return sql({ dialect, schema, defaultSchema, upperCaseKeywords: true });
}

const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.operatorKeyword, tags.modifier], color: "var(--syn-keyword)", fontWeight: "600" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--syn-string)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--syn-number)" },
  { tag: [tags.lineComment, tags.blockComment, tags.comment], color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: [tags.typeName, tags.standard(tags.name)], color: "var(--syn-type)" },
  { tag: [tags.special(tags.name), tags.quote], color: "var(--syn-ident)" },
  { tag: [tags.operator, tags.punctuation, tags.paren, tags.brace, tags.squareBracket], color: "var(--syn-punct)" },
  { tag: tags.variableName, color: "var(--text)" },
]);

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "13px", background: "var(--editor-bg)", color: "var(--text)" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.55" },
  ".cm-content": { caretColor: "var(--accent)" },
  ".cm-gutters": { background: "var(--editor-gutter)", color: "var(--text-faint)", border: "none" },
  ".cm-activeLine": { background: "var(--editor-active-line)" },
  ".cm-activeLineGutter": { background: "var(--editor-active-line)", color: "var(--text-muted)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": { background: "var(--editor-selection) !important" },
  ".cm-cursor": { borderLeftColor: "var(--accent)" },
  ".cm-selectionMatch": { background: "var(--editor-match)" },
  "&.cm-focused .cm-matchingBracket": { background: "var(--editor-match)", outline: "1px solid var(--border-strong)" },
  ".cm-tooltip": { background: "var(--surface-raised)", border: "1px solid var(--border)", color: "var(--text)" },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": { background: "var(--accent)", color: "var(--accent-text)" },
  ".cm-panels": { background: "var(--surface-raised)", color: "var(--text)" },
  ".cm-placeholder": { color: "var(--text-faint)" },
});

export type EditorCallbacks = {
  onChange: (text: string) => void;
  onSelection: (hasSelection: boolean) => void;
  onRun: () => void;
  /** Ctrl/⌘+Shift+Enter: run every statement of the editor. */
  onRunScript: () => void;
  onCancel: () => boolean;
};

/** Everything but the language, which lives in `language` so it can change with the connection. */
/** One compartment for every editor's language (compartments are only identities). */
export const languageCompartment = new Compartment();

export function createEditorState(
  doc: string,
  languageExtension: Extension,
  callbacks: () => EditorCallbacks,
): EditorState {
  return EditorState.create({
    doc,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      dropCursor(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      syntaxHighlighting(highlight),
      bracketMatching(),
      closeBrackets(),
      autocompletion({ activateOnTyping: true, icons: true }),
      rectangularSelection(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      placeholder("Write a query. Ctrl/⌘+Enter runs the statement under the cursor, or the selection."),
      Prec.highest(
        keymap.of([
          {
            key: "Shift-Mod-Enter",
            run: () => {
              callbacks().onRunScript();
              return true;
            },
          },
          {
            key: "Mod-Enter",
            run: () => {
              callbacks().onRun();
              return true;
            },
          },
          { key: "Escape", run: () => callbacks().onCancel() },
        ]),
      ),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
      languageCompartment.of(languageExtension),
      theme,
      EditorView.contentAttributes.of({ "data-testid": "query-editor", "aria-label": "Query editor" }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) callbacks().onChange(update.state.doc.toString());
        if (update.selectionSet || update.docChanged) {
          callbacks().onSelection(update.state.selection.ranges.some((r) => !r.empty));
        }
      }),
    ],
  });
}

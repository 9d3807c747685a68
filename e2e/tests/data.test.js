// The data editor and the Query view's scripts and plans, end to end on the real window,
// against the suite's PostgreSQL and MariaDB databases (scripts/e2e.sh creates both from
// e2e/fixtures/): open a table, filter, sort, edit two cells and delete a row, review the
// statements, commit, and read the tables back with psql and mariadb; a row changed by
// someone else between the read and the commit; a table without a key; a TSV paste from
// the clipboard; a two-statement script; the plan of a join.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before } from "node:test";
import { Key } from "webdriverio";
import { T, config, eventually, psql, screenshot, step, tid } from "../lib/harness.js";
import { attrIs, click, openAppWithUi, shown, textMatches, textOf, typeInto, until } from "../lib/ui.js";

const PG = "e2e-data-pg";
const MARIA = "e2e-data-maria";
const MARIA_DB = process.env.E2E_MARIA_DB;

/** Runs SQL on the MariaDB test database; `;` inside a procedure body needs another `delimiter`. */
function mariadb(sql, delimiter = ";") {
  return execFileSync("mariadb", ["-h", "127.0.0.1", "-P", "3306", "-u", "root", "--batch", "-N", `--delimiter=${delimiter}`, "-D", MARIA_DB, "-e", sql], {
    encoding: "utf8",
  })
    .trim()
    .replaceAll("\t", "|");
}

/** The engines the editor steps run on, with how to read their database directly. */
const ENGINES = [
  { name: "PostgreSQL", profile: PG, url: `postgres://postgres@127.0.0.1:5432/${config.pgDb}`, sql: (q) => psql(q) },
  { name: "MariaDB", profile: MARIA, url: `mysql://root@127.0.0.1:3306/${MARIA_DB}`, sql: mariadb },
];

let browser;
const current = () => browser;

before(async () => {
  if (!MARIA_DB) throw new Error("E2E_MARIA_DB is not set: run the e2e suite with bash scripts/e2e.sh");
  for (const engine of ENGINES) {
    execFileSync(config.cli, ["profile", "add", engine.profile, "--url", engine.url]);
  }
  browser = await openAppWithUi();
}, { timeout: T.start + 30_000 });

after(async () => {
  if (browser) await browser.deleteSession();
});

async function openTable(profile, table) {
  await browser.execute((t, p) => window.__dbdock.openTable(t, p), table, profile);
  await until(
    browser,
    `a data tab on ${table} of ${profile} should open`,
    () => browser.$(`${tid("data-tab")}[data-table="${table}"][data-profile="${profile}"]`).isDisplayed(),
    (shownNow) => shownNow === true,
    T.db,
  );
}

async function cellText(row, column) {
  return (await textOf(browser, tid(`data-cell-${row}-${column}`))).replace("↗", "").trim();
}

/** Selects a cell, opens its editor with Enter, replaces the text, and stages it with Enter. */
async function editCell(row, column, text) {
  await click(browser, `data-cell-${row}-${column}`);
  await browser.keys(Key.Enter);
  const editor = await shown(browser, `data-cell-${row}-${column}-editor`);
  await browser.keys([Key.Ctrl, "a"]);
  await browser.keys(Key.Backspace);
  await editor.addValue(text);
  await browser.keys(Key.Enter);
  await attrIs(browser, `data-cell-${row}-${column}`, "data-edited", "true");
}

async function rowCount(expected) {
  await attrIs(browser, "data-grid", "data-rows", String(expected), T.db);
}

async function stagedCount(expected) {
  await attrIs(browser, "data-staged-count", "data-count", String(expected));
}

for (const engine of ENGINES) {
  const EDITED = `${engine.name}: a table opened, filtered, sorted; two cells edited and a row deleted, reviewed and committed`;

  step(EDITED, current, async () => {
    await openTable(engine.profile, "tickets");
    await rowCount(5);
    await attrIs(browser, "data-tab", "data-editable", "true");

    // status = 'open', sorted by priority.
    await click(browser, "data-filter-add");
    await (await shown(browser, "data-filter-column-0")).selectByAttribute("value", "status");
    await (await shown(browser, "data-filter-op-0")).selectByAttribute("value", "eq");
    await typeInto(browser, "data-filter-value-0", "open");
    await click(browser, "data-filter-apply");
    await rowCount(3);
    await textMatches(browser, "data-filter-sql", "should show the filter as SQL", (t) => t.includes("status") && t.includes("'open'"));
    await click(browser, "data-header-priority");
    await attrIs(browser, "data-header-priority", "aria-sort", "ascending");
    await until(browser, "rows sorted by priority: 3, 1, 4", async () => [await cellText(0, "id"), await cellText(1, "id"), await cellText(2, "id")], (ids) => ids.join() === "3,1,4", T.db);

    await editCell(0, "title", "Slow export (fixed)");
    await editCell(1, "priority", "1");
    await click(browser, "data-cell-2-id");
    await click(browser, "data-delete-row");
    await attrIs(browser, "data-row-2", "data-state", "deleted");
    await stagedCount(3);

    await click(browser, "data-review");
    await shown(browser, "data-review-dialog", T.db);
    const statements = await textOf(browser, tid("data-review-statements"));
    assert.match(statements, /UPDATE .*tickets.* SET .*title.*'Slow export \(fixed\)'.*WHERE .*id.*3.*title.*'Slow export'/s, statements);
    assert.match(statements, /UPDATE .*tickets.* SET .*priority.*1.*WHERE .*id.*1.*priority.*4/s, statements);
    assert.match(statements, /DELETE FROM .*tickets.* WHERE .*id.*4/s, statements);
    await click(browser, "data-review-commit");
    await stagedCount(0);

    const table = engine.sql("SELECT id, title, status, priority FROM tickets ORDER BY id");
    assert.equal(
      table,
      ["1|Login fails|open|1", "2|Typo on the home page|closed|3", "3|Slow export (fixed)|open|2", "5|Crash on save|closed|1"].join("\n"),
      `${engine.name} should hold exactly the committed changes`,
    );
  });

  const CONFLICT = `${engine.name}: a row changed by someone else between the read and the commit rolls back and is marked`;
  step(CONFLICT, current, async () => {
    // After the commit the tab reloaded: open tickets by priority are 1 (priority 1), 3.
    await rowCount(2);
    await until(browser, "row 0 should be ticket 1", () => cellText(0, "id"), (id) => id === "1", T.db);
    await editCell(0, "title", "Mine");
    await editCell(1, "title", "Also mine");
    engine.sql("UPDATE tickets SET title = 'Theirs' WHERE id = 1");
    await click(browser, "data-commit");
    await attrIs(browser, "data-row-0", "data-conflict", "true", T.db);
    await shown(browser, "data-conflicts");
    await stagedCount(2);
    assert.equal(engine.sql("SELECT title FROM tickets WHERE id IN (1, 3) ORDER BY id"), "Theirs\nSlow export (fixed)", "nothing committed");
    await click(browser, "data-discard");
    await stagedCount(0);
  }, { needs: [EDITED] });

  step(`${engine.name}: three TSV rows pasted from the clipboard are added and committed`, current, async () => {
    await click(browser, "data-add-row");
    await rowCount(3);
    await click(browser, "data-cell-2-id");
    const tsv = "10\tPasted one\topen\t3\n11\tPasted two\topen\t2\n12\tPasted three\topen\t1\n";
    execFileSync("xclip", ["-selection", "clipboard"], { input: tsv, stdio: ["pipe", "ignore", "ignore"] });
    await browser.keys([Key.Ctrl, "v"]);
    await stagedCount(3);
    await click(browser, "data-commit");
    await stagedCount(0);
    assert.equal(
      engine.sql("SELECT id, title, priority FROM tickets WHERE id >= 10 ORDER BY id"),
      "10|Pasted one|3\n11|Pasted two|2\n12|Pasted three|1",
    );
  }, { needs: [CONFLICT] });
}

step("PostgreSQL: a table without a key opens read-only and says why", current, async () => {
  await openTable(PG, "event_log");
  await rowCount(2);
  await attrIs(browser, "data-tab", "data-editable", "false");
  await textMatches(browser, "data-read-only", "should give the reason", (t) => /no primary key/i.test(t));
  await shown(browser, "data-paging-note");
});

step("query: a two-statement script shows two result tabs", current, async () => {
  const sql = "SELECT id FROM tickets WHERE id = 2;\nSELECT title, priority FROM tickets WHERE id = 2";
  await browser.execute((p, s) => window.__dbdock.openQueryTab(p, s), PG, sql);
  await until(browser, "the editor should hold the script", () => browser.execute(() => window.__dbdock.getQuery()), (t) => t === sql);
  await click(browser, "run-script");
  await attrIs(browser, "result-tab-0", "data-state", "ok", T.db);
  await attrIs(browser, "result-tab-1", "data-state", "ok", T.db);
  await attrIs(browser, "result-tab-1", "aria-selected", "true");
  await attrIs(browser, "result-grid", "data-rows", "1");
});

step("query: the plan of a join renders as a tree", current, async () => {
  const sql = "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id";
  await browser.execute((p, s) => window.__dbdock.openQueryTab(p, s), PG, sql);
  await until(browser, "the editor should hold the join", () => browser.execute(() => window.__dbdock.getQuery()), (t) => t === sql);
  await click(browser, "explain-query");
  await shown(browser, "plan-tree", T.db);
  await shown(browser, "plan-node-0");
  await textMatches(browser, "plan-tree", "should name a join and both tables", (t) => /Join|Nested Loop/.test(t) && t.includes("orders") && t.includes("customers"));
  await eventually(async () => (await browser.$$(`${tid("plan-tree")} [data-costliest="true"]`)).length > 0, {
    message: "a costliest node should be marked",
  });
  await screenshot(browser, "plan-tree");
});

step("query: a MariaDB procedure's two result sets are both shown", current, async () => {
  mariadb("DROP PROCEDURE IF EXISTS ticket_sets");
  mariadb("CREATE PROCEDURE ticket_sets() BEGIN SELECT id FROM tickets ORDER BY id; SELECT title, priority FROM tickets WHERE id = 2; END", "//");
  const sql = "CALL ticket_sets()";
  await browser.execute((p, s) => window.__dbdock.openQueryTab(p, s), MARIA, sql);
  await until(browser, "the editor should hold the CALL", () => browser.execute(() => window.__dbdock.getQuery()), (t) => t === sql);
  await click(browser, "run-query");
  await attrIs(browser, "query-status", "data-state", "done", T.db);
  await shown(browser, "result-sets");
  const first = Number(await browser.$(tid("result-set-0")).getAttribute("data-rows"));
  assert.ok(first >= 4, `the first set lists every ticket: ${first}`);
  await click(browser, "result-set-1");
  await attrIs(browser, "result-set-1", "aria-selected", "true");
  await attrIs(browser, "result-grid", "data-rows", "1");
  const header = await textOf(browser, `${tid("grid-header-0")} .header-name`);
  assert.equal(header, "title");
});

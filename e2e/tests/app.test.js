// The DB Dock desktop app, end to end: one real window driven through WebDriver, steps in
// order (each builds on the connection the first one adds). Every step saves a screenshot
// to target/e2e-screenshots/ at its end, passed or failed. Run with bash scripts/e2e.sh.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { after, before } from "node:test";
import { Key } from "webdriverio";
import { T, config, diagnoseBlankPage, eventually, openApp, psql, screenshot, step, tid } from "../lib/harness.js";
import { attrIs, click, gridCell, pasteInto, shown, textMatches, textOf, typeInto, until, valueIs } from "../lib/ui.js";

const PROFILE = "e2e-pg";
/** The same database, reached through the private sshd (scripts/e2e.sh starts it). */
const SSH_PROFILE = "e2e-ssh";
// Loopback PostgreSQL trusts the test user, so any password works; the point is where it goes.
const PASSWORD = "e2e-Secret-7f3a";
const PG_URL = `postgres://postgres:${PASSWORD}@127.0.0.1:5432/${config.pgDb}`;

const FIRST = "connections: shop is listed; a PostgreSQL profile added from a pasted URL tests OK";
const RESULTS_QUERY = "SELECT o.id, o.total, o.note, c.email FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.total";

let browser;
const current = () => browser;

before(async () => {
  browser = await openApp();
  try {
    await shown(browser, "nav-connections", T.start);
  } catch (error) {
    throw new Error(`the app window shows no UI: ${error.message}. ${await diagnoseBlankPage(browser)}`);
  } finally {
    await screenshot(browser, "00-started");
  }
}, { timeout: T.start + 30_000 });

after(async () => {
  if (browser) await browser.deleteSession();
});

/** Every file under `dir`, recursively. */
function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** The active statements of the test database that run pg_sleep (other than psql's own). */
function sleepingBackends() {
  return Number(
    psql(
      `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() ` +
        `AND state <> 'idle' AND query ILIKE '%pg_sleep%'`,
    ),
  );
}

/** Sets the active query tab's text with the UI's test hook and checks it took. */
async function setQuery(sql) {
  await browser.execute((text) => window.__dbdock.setQuery(text), sql);
  await until(browser, "the editor should hold the query", () => browser.execute(() => window.__dbdock.getQuery()), (t) => t === sql);
}

async function runAndWait(expectedState = "done", timeout = T.db) {
  await click(browser, "run-query");
  await attrIs(browser, "query-status", "data-state", expectedState, timeout);
}

step(FIRST, current, async () => {
  await click(browser, "nav-connections");
  await shown(browser, "connection-shop");
  await shown(browser, "profile-row-shop");

  await click(browser, "new-connection");
  await shown(browser, "profile-form");
  // A real paste: the form parses the URL at once, fills the fields and moves the password.
  await pasteInto(browser, "profile-name", "profile-url", PG_URL);
  await valueIs(browser, "profile-host", "127.0.0.1");
  await valueIs(browser, "profile-port", "5432");
  await valueIs(browser, "profile-user", "postgres");
  await valueIs(browser, "profile-database", config.pgDb);
  await valueIs(browser, "profile-password", PASSWORD);
  const url = await browser.$(tid("profile-url")).getValue();
  assert.ok(!url.includes(PASSWORD), `the URL field still shows the password: ${url}`);
  assert.ok(url.includes(`127.0.0.1:5432/${config.pgDb}`), `the URL field lost the address: ${url}`);

  await typeInto(browser, "profile-name", PROFILE);
  await click(browser, "save-profile");
  await textMatches(browser, "save-result", "should say the connection was added", (t) => /added|saved/i.test(t));
  await shown(browser, `connection-${PROFILE}`);
  await shown(browser, `profile-row-${PROFILE}`);

  // The password went to the keyring: the store says it has a secret, and no file in
  // DBDOCK_HOME holds it.
  const saved = JSON.parse(execFileSync(config.cli, ["profile", "list", "--format", "json"], { encoding: "utf8" }));
  const entry = saved.find((p) => p.name === PROFILE);
  assert.ok(entry, `dbdock profile list does not show ${PROFILE}: ${JSON.stringify(saved)}`);
  assert.equal(entry.engine, "postgres");
  assert.equal(entry.has_secret, true, `${PROFILE} should have its password in the keyring`);
  assert.ok(!entry.url.includes(PASSWORD), `the saved URL holds the password: ${entry.url}`);
  for (const file of filesUnder(config.dbdockHome)) {
    assert.ok(!readFileSync(file).includes(PASSWORD), `${file} contains the password`);
  }

  await click(browser, "test-profile");
  const status = await until(
    browser,
    "the connection test should finish",
    () => browser.$(tid("test-result")).getAttribute("data-status"),
    (s) => s === "ok" || s === "error",
    T.db,
  );
  const report = await textOf(browser, tid("test-result"));
  assert.equal(status, "ok", `the connection test failed: ${report}`);
  const version = psql("SHOW server_version").split(" ")[0];
  assert.ok(report.includes(version), `the test result should name the server version ${version}: ${report}`);
});

step("schema: the tables appear and expanding one shows its columns", current, async () => {
  await click(browser, "nav-schema");
  const select = await shown(browser, "schema-profile");
  await select.selectByAttribute("value", PROFILE);
  await valueIs(browser, "schema-profile", PROFILE);
  await shown(browser, "schema-tree", T.db);

  const schema = await shown(browser, "tree-schema-public", T.db);
  if ((await schema.getAttribute("aria-expanded")) === "false") await schema.click();
  await shown(browser, "tree-table-customers", T.db);
  const orders = await shown(browser, "tree-table-orders");
  assert.equal(await orders.getAttribute("data-expanded"), "false", "orders should start collapsed");

  await orders.click();
  await attrIs(browser, "tree-table-orders", "data-expanded", "true");
  const expected = { id: "bigint", customer_id: "integer", total: "numeric", note: "text" };
  for (const [column, type] of Object.entries(expected)) {
    await shown(browser, `tree-column-orders-${column}`, T.db);
    const text = await textOf(browser, tid(`tree-column-orders-${column}`));
    assert.ok(text.includes(column) && text.includes(type), `column ${column} should show its type ${type}: ${JSON.stringify(text)}`);
  }
  // Only the expanded table shows columns.
  assert.equal(await browser.$(tid("tree-column-customers-email")).isExisting(), false, "customers is not expanded");
  await attrIs(browser, "table-details", "data-table", "orders", T.db);
}, { needs: [FIRST] });

step("query: typed in the editor, the grid shows exact numbers and marks NULL", current, async () => {
  await click(browser, "nav-query");
  await shown(browser, "view-query");
  if (!(await browser.$(tid("query-tab-panel")).isExisting())) await click(browser, "open-first-tab");
  const profileSelect = await shown(browser, "query-profile");
  if ((await profileSelect.getValue()) !== PROFILE) await profileSelect.selectByAttribute("value", PROFILE);
  await valueIs(browser, "query-profile", PROFILE);

  // Type into CodeMirror's contenteditable as a person would.
  const editor = browser.$(tid("query-editor"));
  await editor.waitForDisplayed({ timeout: T.ui, timeoutMsg: "the CodeMirror editor is not displayed" });
  await editor.click();
  await browser.keys([Key.Ctrl, "a"]);
  await browser.keys(Key.Backspace);
  await browser.keys(RESULTS_QUERY);
  await browser.keys(Key.Escape); // close a completion popup, if one is open
  await until(browser, "the editor should hold the typed query", () => browser.execute(() => window.__dbdock.getQuery()), (t) => t === RESULTS_QUERY);

  await runAndWait("done");
  await attrIs(browser, "query-row-count", "data-count", "3");
  await attrIs(browser, "result-grid", "data-rows", "3");
  const headers = [];
  for (let j = 0; j < 4; j += 1) headers.push(await textOf(browser, `${tid(`grid-header-${j}`)} .header-name`));
  assert.deepEqual(headers, ["id", "total", "note", "email"]);

  // ORDER BY total: 7.00 (NULL note, NULL email), 42.50 (id 2^53 + 1), 1000.01.
  assert.deepEqual(await gridCell(browser, 0, 0), { text: "2", isNull: false });
  assert.deepEqual(await gridCell(browser, 0, 1), { text: "7.00", isNull: false });
  const nullNote = await gridCell(browser, 0, 2);
  assert.equal(nullNote.isNull, true, `row 0 note should be marked NULL: ${JSON.stringify(nullNote)}`);
  assert.match(nullNote.text, /^null$/i);
  assert.equal((await gridCell(browser, 0, 3)).isNull, true, "row 0 email should be marked NULL");
  assert.deepEqual(await gridCell(browser, 1, 0), { text: "9007199254740993", isNull: false });
  assert.deepEqual(await gridCell(browser, 1, 1), { text: "42.50", isNull: false });
  assert.deepEqual(await gridCell(browser, 1, 2), { text: 'first, "quoted"', isNull: false });
  assert.deepEqual(await gridCell(browser, 2, 1), { text: "1000.01", isNull: false });
  assert.deepEqual(await gridCell(browser, 2, 3), { text: "alan@example.com", isNull: false });
}, { needs: [FIRST] });

step("cancel: pg_sleep(30) is cancelled in the UI and on the server", current, async () => {
  await click(browser, "nav-query");
  await valueIs(browser, "query-profile", PROFILE);
  await setQuery("SELECT pg_sleep(30)");
  await runAndWait("running");
  await eventually(() => sleepingBackends() === 1, { timeout: T.db, message: "pg_sleep(30) should be running on the server" });

  const clicked = Date.now();
  await click(browser, "cancel-query");
  await attrIs(browser, "query-status", "data-state", "cancelled", 5_000);
  const took = Date.now() - clicked;
  await eventually(() => sleepingBackends() === 0, { timeout: 5_000, message: "no pg_sleep should remain in pg_stat_activity" });
  console.log(`# cancelled in ${took} ms`);
}, { needs: [FIRST] });

step("export: the last result as CSV to a file", current, async () => {
  await click(browser, "nav-query");
  await setQuery("SELECT id, name, email, balance FROM customers ORDER BY id");
  await runAndWait("done");
  await attrIs(browser, "query-row-count", "data-count", "3");

  await click(browser, "toggle-export");
  await shown(browser, "export-panel");
  const format = await shown(browser, "export-format");
  await format.selectByAttribute("value", "csv");
  const target = path.join(config.work, "exports", "customers.csv");
  await typeInto(browser, "export-path", target);
  await click(browser, "export-run");
  await attrIs(browser, "export-result", "data-rows", "3", T.db);

  assert.ok(existsSync(target), `${target} was not written`);
  const lines = readFileSync(target, "utf8").split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  assert.deepEqual(lines, [
    "id,name,email,balance",
    "1,Ada Lovelace,ada@example.com,1815.12",
    "2,Grace Hopper,,1906.00",
    "3,Alan Turing,alan@example.com,123456789012345678.90",
  ]);
}, { needs: [FIRST] });

step("events: a NOTIFY monitor streams notifications into the window", current, async () => {
  await click(browser, "nav-events");
  const profile = await shown(browser, "events-profile", T.db);
  await profile.selectByAttribute("value", PROFILE);
  const kind = await shown(browser, "events-target-kind");
  await kind.selectByAttribute("value", "notify");
  await typeInto(browser, "events-target", "e2e_jobs");
  await click(browser, "events-start");
  await attrIs(browser, "monitor-count", "data-count", "1", T.db);
  await until(
    browser,
    "the monitor should be connected",
    () => browser.$('[data-testid^="monitor-"][data-state]').getAttribute("data-state"),
    (state) => state === "connected",
    T.db,
  );
  psql(`SELECT pg_notify('e2e_jobs', '{"job": 42}'), pg_notify('e2e_jobs', 'second')`);
  // Both notifications arrive through the Channel as message rows, in order.
  const payloads = await until(
    browser,
    "two notifications should be listed",
    () =>
      browser.execute(() =>
        [...document.querySelectorAll('[data-testid^="event-row-"][data-kind="message"]')].map((row) => row.textContent ?? ""),
      ),
    (rows) => rows.length >= 2,
    T.db,
  );
  assert.ok(payloads[0].includes("42") && payloads[1].includes("second"), `unexpected rows: ${JSON.stringify(payloads)}`);
  // The monitor's captured events export as JSON Lines, the same objects dbdock watch prints.
  const monitorId = await browser.$('[data-testid^="monitor-"][data-state]').getAttribute("data-testid");
  const select = await shown(browser, "events-monitor");
  await select.selectByAttribute("value", monitorId.replace(/^monitor-/, ""));
  await shown(browser, "captured-export");
  const file = await browser.$(tid("captured-export-path")).getValue();
  await click(browser, "captured-export-run");
  await shown(browser, "captured-export-result", T.db);
  const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const messages = lines.filter((e) => e.kind === "message").map((e) => e.payload);
  assert.deepEqual(messages.slice(0, 2), ['{"job": 42}', "second"], `exported: ${JSON.stringify(lines)}`);
  await select.selectByAttribute("value", "");
}, { needs: [FIRST] });

step("ssh: a profile through an SSH jump host; its unknown host key is confirmed by fingerprint, then queries go through the tunnel", current, async () => {
  const keyFile = path.join(config.sshDir, "user_ed25519");
  const jumpHost = `ssh://dbdock-tunnel@127.0.0.1:${config.sshPort}`;
  await click(browser, "nav-connections");
  await click(browser, "new-connection");
  await shown(browser, "profile-form");
  // The same database as the first step; from the jump host it is 127.0.0.1:5432 too.
  await pasteInto(browser, "profile-name", "profile-url", PG_URL);
  await valueIs(browser, "profile-host", "127.0.0.1");
  await valueIs(browser, "profile-password", PASSWORD);
  await typeInto(browser, "profile-name", SSH_PROFILE);

  await click(browser, "profile-ssh-toggle");
  await click(browser, "profile-ssh-enabled");
  await typeInto(browser, "profile-ssh-url", jumpHost);
  const auth = await shown(browser, "profile-ssh-auth");
  await auth.selectByAttribute("value", "key");
  await valueIs(browser, "profile-ssh-auth", "key");
  // The form checks a key login has its key before anything is sent.
  await click(browser, "save-profile");
  await shown(browser, "profile-ssh-key-error");
  await typeInto(browser, "profile-ssh-key", keyFile);
  const secret = await shown(browser, "profile-ssh-secret");
  assert.equal(await secret.getAttribute("type"), "password", "the passphrase field must not show what is typed");
  assert.equal(await secret.getValue(), "", "the passphrase field is never pre-filled");
  await click(browser, "save-profile");
  await textMatches(browser, "save-result", "should say the connection was added", (t) => /added|saved/i.test(t));
  await shown(browser, `connection-${SSH_PROFILE}`);

  const saved = JSON.parse(execFileSync(config.cli, ["profile", "list", "--format", "json"], { encoding: "utf8" }));
  const entry = saved.find((p) => p.name === SSH_PROFILE);
  assert.ok(entry, `dbdock profile list does not show ${SSH_PROFILE}: ${JSON.stringify(saved)}`);
  assert.equal(entry.ssh?.length, 1, `${SSH_PROFILE} should have one jump host: ${JSON.stringify(entry)}`);
  assert.equal(entry.ssh[0].port, config.sshPort);
  assert.deepEqual(entry.ssh[0].auth, { kind: "key", path: keyFile });

  // HOME is a fresh directory: no known_hosts file knows the jump host, so the test stops at
  // its host key and the window asks, showing the fingerprint the server's own key file has.
  await click(browser, "test-profile");
  await shown(browser, "host-key-dialog", T.db);
  const expected = execFileSync("ssh-keygen", ["-lf", path.join(config.sshDir, "host_ed25519.pub")], { encoding: "utf8" }).split(/\s+/)[1];
  assert.match(expected, /^SHA256:/);
  const fingerprint = (await textOf(browser, tid("host-key-fingerprint"))).trim();
  assert.equal(fingerprint, expected, "the dialog should show the jump host's key fingerprint");
  await textMatches(browser, "host-key-host", "should name the jump host", (t) => t.includes(`127.0.0.1:${config.sshPort}`));
  await attrIs(browser, "test-result", "data-status", "error");
  await attrIs(browser, "test-error", "data-code", "HOST_KEY_UNKNOWN");
  await screenshot(browser, "ssh-host-key-dialog");

  await click(browser, "host-key-accept");
  await until(browser, "the dialog should close", () => browser.$(tid("host-key-dialog")).isExisting(), (v) => v === false, T.db);
  // Accepting retests: now through the tunnel.
  const status = await until(
    browser,
    "the connection test should finish",
    () => browser.$(tid("test-result")).getAttribute("data-status"),
    (s) => s === "ok",
    T.db,
  ).catch(async (error) => {
    throw new Error(`${error.message}: ${await textOf(browser, tid("test-result"))}`);
  });
  assert.equal(status, "ok");
  const report = await textOf(browser, tid("test-result"));
  const version = psql("SHOW server_version").split(" ")[0];
  assert.ok(report.includes(version), `the test result should name the server version ${version}: ${report}`);
  // The key went to DB Dock's own known_hosts, never to the user's.
  const ownKnownHosts = path.join(config.dbdockHome, "known_hosts");
  assert.ok(existsSync(ownKnownHosts), `${ownKnownHosts} was not written`);
  assert.ok(readFileSync(ownKnownHosts, "utf8").includes(`[127.0.0.1]:${config.sshPort}`), "the accepted key is not in DB Dock's known_hosts");
  assert.equal(existsSync(path.join(config.home, ".ssh", "known_hosts")), false, "the user's known_hosts must not be written");
  await browser.$(tid("test-result")).scrollIntoView({ block: "center" });
  await screenshot(browser, "ssh-tested");

  // A query on the tunnelled connection.
  await click(browser, "nav-query");
  await shown(browser, "view-query");
  if (!(await browser.$(tid("query-tab-panel")).isExisting())) await click(browser, "open-first-tab");
  const profileSelect = await shown(browser, "query-profile");
  await profileSelect.selectByAttribute("value", SSH_PROFILE);
  await valueIs(browser, "query-profile", SSH_PROFILE);
  await setQuery("SELECT current_database() AS db, count(*) AS clients FROM pg_stat_activity WHERE client_port IS NOT NULL");
  await runAndWait("done");
  await attrIs(browser, "query-row-count", "data-count", "1");
  assert.deepEqual(await gridCell(browser, 0, 0), { text: config.pgDb, isNull: false });
  const clients = Number((await gridCell(browser, 0, 1)).text);
  assert.ok(clients >= 1, `pg_stat_activity should list this client: ${clients}`);

  // The database was reached through the jump host: sshd opened a direct-tcpip channel to 5432.
  const forwarded = readFileSync(path.join(config.sshDir, "sshd.log"), "utf8")
    .split("\n")
    .filter((line) => /direct[-_]tcpip/.test(line));
  assert.ok(
    forwarded.some((line) => /direct[-_]tcpip.*\bport 5432\b/.test(line)),
    `sshd's log shows no direct-tcpip channel to port 5432: ${JSON.stringify(forwarded)}`,
  );
}, { needs: [FIRST] });

step("AI: install the Claude Desktop config into HOME and run the self-test", current, async () => {
  const configFile = path.join(config.home, ".config", "Claude", "claude_desktop_config.json");
  await click(browser, "nav-ai");
  await shown(browser, "ai-client-claude-desktop", T.db);
  await textMatches(browser, "ai-path-claude-desktop", `should be ${configFile}`, (t) => t.trim() === configFile);
  await attrIs(browser, "ai-client-claude-desktop", "data-installed", "false");

  await click(browser, "ai-preview-claude-desktop");
  await attrIs(browser, "ai-diff-claude-desktop", "data-kind", "preview", T.db);
  assert.equal(await browser.$(tid("ai-diff-claude-desktop")).getAttribute("data-changed"), "true");
  const diff = await textOf(browser, `${tid("ai-diff-claude-desktop")} .diff-body`);
  assert.ok(diff.includes('"dbdock"') && diff.includes(config.cli), `the preview diff should add the dbdock server: ${diff}`);
  assert.equal(existsSync(configFile), false, "a preview must not write the file");

  await click(browser, "ai-install-claude-desktop");
  await attrIs(browser, "ai-diff-claude-desktop", "data-kind", "install", T.db);
  await attrIs(browser, "ai-client-claude-desktop", "data-installed", "true", T.db);
  assert.ok(existsSync(configFile) && statSync(configFile).isFile(), `${configFile} was not written`);
  const text = readFileSync(configFile, "utf8");
  assert.ok(!text.includes(PASSWORD), "the client config contains the password");
  const server = JSON.parse(text).mcpServers?.dbdock;
  assert.ok(server, `no mcpServers.dbdock in ${text}`);
  assert.equal(realpathSync(server.command), realpathSync(config.cli), "the server command is the dbdock binary");
  assert.ok(Array.isArray(server.args) && server.args[0] === "mcp", `args should start with mcp: ${JSON.stringify(server.args)}`);
  assert.equal(server.env?.DBDOCK_HOME, config.dbdockHome, "the entry should point the endpoint at the app's home");

  await click(browser, "ai-selftest");
  const ok = await until(
    browser,
    "the self-test should finish",
    () => browser.$(tid("ai-selftest-result")).getAttribute("data-ok"),
    (v) => v === "true" || v === "false",
    30_000,
  );
  const report = await textOf(browser, tid("ai-selftest-result"));
  assert.equal(ok, "true", `the self-test failed: ${report}`);
  for (const tool of ["execute-query", "list-connections", "search-objects"]) await shown(browser, `ai-tool-${tool}`);
}, { needs: [] });

/** `dbdock mcp` as an AI client spawns it (no elicitation): sends JSON-RPC, awaits replies by id. */
function mcpClient() {
  const child = spawn(config.cli, ["mcp"], { stdio: ["pipe", "pipe", "ignore"] });
  const waiting = new Map();
  createInterface({ input: child.stdout }).on("line", (line) => {
    const message = JSON.parse(line);
    waiting.get(message.id)?.(message);
  });
  const send = (message) => child.stdin.write(`${JSON.stringify(message)}\n`);
  const request = (id, method, params) =>
    new Promise((resolve) => {
      waiting.set(id, resolve);
      send({ jsonrpc: "2.0", id, method, params });
    });
  return { child, send, request };
}

step("AI: a write on an ask connection waits in the window; Approve returns the result to the client", current, async () => {
  psql("DROP TABLE IF EXISTS approval_e2e; CREATE TABLE approval_e2e (id int PRIMARY KEY, n int); INSERT INTO approval_e2e VALUES (1, 1), (2, 2)");
  execFileSync(config.cli, ["profile", "add", "e2e-ask", "--url", `postgres://postgres@127.0.0.1:5432/${config.pgDb}`, "--access", "ask"]);
  await click(browser, "nav-ai");
  await shown(browser, "approvals-empty", T.db);
  const client = mcpClient();
  try {
    await client.request(1, "initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "e2e-client", version: "1" } });
    client.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    const answered = client.request(2, "tools/call", {
      name: "execute-update",
      arguments: { connectionId: "e2e-ask", query: "UPDATE approval_e2e SET n = n * 10 WHERE id = 2" },
    });
    // The request appears while the client waits: badge, card, statement and the dry run.
    await shown(browser, "approvals-badge", T.db);
    const approve = await browser.$('[data-testid^="approve-"]');
    await approve.waitForDisplayed({ timeout: T.db });
    const id = (await approve.getAttribute("data-testid")).slice("approve-".length);
    await textMatches(browser, `approval-statement-${id}`, "should show the statement", (t) => t.includes("UPDATE approval_e2e"));
    await textMatches(browser, `approval-preview-${id}`, "should show the dry run", (t) => t.includes("1 row(s) affected"));
    assert.equal(psql("SELECT n FROM approval_e2e WHERE id = 2"), "2", "the table changed before approval");
    await screenshot(browser, "approval-waiting");
    await click(browser, `approve-${id}`);
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("the client got no reply after the approval")), T.db);
    });
    const reply = await Promise.race([answered, late]).finally(() => clearTimeout(timer));
    assert.ok(!reply.result.isError, `the write failed: ${JSON.stringify(reply)}`);
    assert.equal(reply.result.structuredContent.rows_affected, 1);
    assert.equal(psql("SELECT n FROM approval_e2e WHERE id = 2"), "20");
    await shown(browser, "approvals-empty", T.db);
  } finally {
    // As a client quits: stdin closes and the endpoint exits.
    client.child.stdin.end();
  }
}, { needs: [FIRST] });

step("AI: an HTTP token is made in the window (shown once), listed without its value, and revoked", current, async () => {
  await click(browser, "nav-ai");
  await shown(browser, "tokens-panel", T.db);
  await typeInto(browser, "token-name", "e2e-token");
  await click(browser, "token-scope-metrics");
  await click(browser, "token-create");
  await shown(browser, "token-made", T.db);
  const token = (await textOf(browser, tid("token-value"))).trim();
  assert.match(token, /^dbdock_[0-9a-f]{64}$/, `the token shown is not a token: ${token}`);
  const listed = JSON.parse(execFileSync(config.cli, ["mcp", "token", "list", "--format", "json"], { encoding: "utf8" }));
  const made = listed.find((t) => t.name === "e2e-token");
  assert.deepEqual(made?.scopes, ["read", "metrics"], `the CLI lists ${JSON.stringify(listed)}`);
  assert.ok(!JSON.stringify(listed).includes(token), "the token list holds the token itself");
  await click(browser, "token-done");
  await shown(browser, "token-e2e-token");
  await until(browser, "the token should be shown only once", () => browser.$(tid("token-made")).isExisting(), (v) => v === false);
  await screenshot(browser, "token-listed");
  await click(browser, "token-revoke-e2e-token");
  await click(browser, "token-revoke-dialog-confirm");
  await until(browser, "the revoked token should leave the list", () => browser.$(tid("token-e2e-token")).isExisting(), (v) => v === false, T.db);
  const after = JSON.parse(execFileSync(config.cli, ["mcp", "token", "list", "--format", "json"], { encoding: "utf8" }));
  assert.ok(!after.some((t) => t.name === "e2e-token"), "the CLI still lists the revoked token");
}, { needs: [FIRST] });

step("connections: Find local servers names PostgreSQL and Redis by their handshake; the Redis one is added", current, async () => {
  await click(browser, "nav-connections");
  await click(browser, "discovery-run");
  await shown(browser, "discovery-count", T.db);
  const findingOf = async (engine) => {
    for (const item of await browser.$$(tid("discovery-item"))) {
      if ((await item.getAttribute("data-engine")) === engine) return item;
    }
    return null;
  };
  const pg = await findingOf("postgres");
  assert.ok(pg, "PostgreSQL on 127.0.0.1:5432 was not found");
  const pgText = await pg.getText();
  const version = psql("SHOW server_version").split(" ")[0];
  assert.ok(pgText.includes(version), `the finding should name PostgreSQL ${version}: ${pgText}`);
  // Several saved connections (e2e-pg among them) reach this server: the finding names one.
  assert.match(pgText, /Saved as e2e-\S+\./, `the finding should say a saved connection reaches it: ${pgText}`);
  const redis = await findingOf("redis");
  assert.ok(redis, "Redis on 127.0.0.1:6379 was not found");
  await redis.$(tid("discovery-add")).click();
  await shown(browser, "discovery-added", T.db);
  await screenshot(browser, "discovery-added");
  const saved = JSON.parse(execFileSync(config.cli, ["profile", "list", "--format", "json"], { encoding: "utf8" }));
  assert.ok(saved.some((p) => p.engine === "redis" && p.url.startsWith("redis://127.0.0.1:6379")), `the CLI lists ${JSON.stringify(saved)}`);
}, { needs: [FIRST] });

step("connections: two selected connections are tested at once, each line shown as it ends", current, async () => {
  await click(browser, "nav-connections");
  await click(browser, `profile-select-${PROFILE}`);
  await click(browser, "profile-select-shop");
  await shown(browser, "bulk-bar");
  await click(browser, "bulk-test");
  await until(browser, "both tests should end", () => browser.$(tid("bulk-progress")).getAttribute("data-done"), (d) => d === "2", T.db);
  assert.equal(await browser.$(tid("bulk-progress")).getAttribute("data-failed"), "0", await textOf(browser, tid("bulk-bar")));
  for (const name of [PROFILE, "shop"]) {
    assert.equal(await browser.$(tid(`bulk-item-${name}`)).getAttribute("data-ok"), "true", await textOf(browser, tid("bulk-bar")));
  }
  await screenshot(browser, "bulk-tested");
  await click(browser, "profile-select-all");
  await click(browser, "profile-select-all");
  await until(browser, "the selection bar should close", () => browser.$(tid("bulk-bar")).isExisting(), (v) => v === false);
}, { needs: [FIRST] });

step("connections: a backup is written without passwords and its restore previewed", current, async () => {
  await click(browser, "nav-connections");
  await click(browser, "backup-run");
  await shown(browser, "backup-done", T.db);
  const file = path.join(config.dbdockHome, "dbdock-backup.json");
  const text = readFileSync(file, "utf8");
  assert.ok(text.includes(`"name": "${PROFILE}"`), `the backup should hold ${PROFILE}`);
  assert.ok(!text.includes(PASSWORD), "a backup without passwords holds the password");
  await click(browser, "restore-preview");
  await shown(browser, "restore-plan", T.db);
  assert.equal(await browser.$(tid("restore-plan")).getAttribute("data-preview"), "true");
  const plan = await textOf(browser, tid("restore-plan"));
  assert.ok(plan.includes(PROFILE) && plan.includes("Would add: none"), `the plan should keep everything: ${plan}`);
  await screenshot(browser, "restore-previewed");
}, { needs: [FIRST] });

step("connections: the history names the Redis connection added from discovery by the app, and Undo removes it", current, async () => {
  await click(browser, "nav-connections");
  await click(browser, "history-refresh");
  let added = null;
  await until(browser, "the history should list the added Redis connection", async () => {
    for (const item of await browser.$$('[data-testid^="history-"][data-action="add"]')) {
      if ((await item.getText()).includes("local-redis")) added = item;
    }
    return added;
  }, (v) => v !== null, T.db);
  const text = await added.getText();
  assert.ok(text.includes(" app "), `the change should be the app's: ${text}`);
  const id = (await added.getAttribute("data-testid")).replace("history-", "");
  await click(browser, `history-undo-${id}`);
  await until(browser, "the CLI should no longer list local-redis", () => {
    const saved = JSON.parse(execFileSync(config.cli, ["profile", "list", "--format", "json"], { encoding: "utf8" }));
    return saved.some((p) => p.name === "local-redis");
  }, (listed) => listed === false, T.db);
  await screenshot(browser, "history-undone");
}, { needs: [FIRST] });

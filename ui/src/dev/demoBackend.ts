// An in-memory stand-in for the Rust side, loaded only by `npm run dev` in a plain browser
// (never inside the app, never in a production build). It lets the UI be worked on and looked
// at without building the desktop shell: a small shop database, a 5,000-table schema, slow and
// huge queries, errors with codes, AI clients, a live audit log, pushed connection states
// (demoStates.ts), the engine specs of a full build (demoEngines.ts), monitors that emit
// events (demoEvents.ts), a Kafka cluster with consumer groups to reset (demoKafka.ts), and a
// Redis keyspace to browse (demoKeys.ts).

import {
  ApiError,
  type AiClientId,
  type AiClientView,
  type AuditEntry,
  type Backend,
  type BulkItemView,
  type Cell,
  type ConfigChangeView,
  type FindingView,
  type HistoryEntry,
  type ProfileChange,
  type ProfileView,
  type QueryChunk,
  type ResultColumn,
  type TableInfo,
  type TableRef,
  type TokenInfo,
} from "../api";
import { DEMO_ENGINE_SPECS, demoSpec } from "./demoEngines";
import { demoTableData } from "./demoTableData";
import { demoMonitors } from "./demoEvents";
import { demoKafka } from "./demoKafka";
import { demoKeys } from "./demoKeys";
import { demoStates } from "./demoStates";

const HOME = "/home/demo/.local/share/dbdock";
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const profiles: ProfileView[] = [
  profile("shop", "sqlite", `sqlite:${HOME}/demo/shop.db`, "read-only", "#30a46c", false),
  {
    ...profile("staging", "postgres", "postgres://app@127.0.0.1:5432/warehouse", "read-only", "#0090ff", true),
    ssh: [{ url: "ssh://deploy@bastion.example.com:22", auth: "agent", keyPath: null }],
    tls: { mode: "require", serverName: "staging.internal" },
  },
  profile("cache", "redis", "redis://localhost:6379/0", "none", null, false),
  profile("bus", "nats", "nats://localhost:4222", "none", "#6e56cf", false),
  profile("catalog", "mongodb", "mongodb://localhost:27017/catalog", "read-only", null, false),
  profile("pipeline", "kafka", "kafka://kafka-1.demo.internal:9092,kafka-2.demo.internal:9092", "none", "#f76b15", false),
];

// The demo's PostgreSQL server cannot be reached; every call to it fails.
const unreachable = (p: ProfileView): boolean => p.engine === "postgres";
const states = demoStates(() => profiles, unreachable, ["shop"]);

const demoHistory: ProfileChange[] = [
  { id: 2, at: "2026-12-07T09:12:03.120Z", actor: "cli", action: "set-access", profile: "staging", diff: ['access: "read-write" → "read-only"'], secretsTouched: 0, undoes: null, undoneBy: null },
  { id: 1, at: "2026-12-06T17:40:51.004Z", actor: "app", action: "add", profile: "catalog", diff: ['name: null → "catalog"', 'url: null → "mongodb://localhost:27017/catalog"'], secretsTouched: 0, undoes: null, undoneBy: null },
];

function finding(foundAt: string, summary: string, version: string | null, authRequired: boolean | null, engine: ProfileView["engine"] | null, url: string | null, suggestedName: string | null): FindingView {
  return { token: JSON.stringify({ kind: "demo", foundAt }), foundAt, state: "identified", summary, version, authRequired, detail: null, engine, url, suggestedName, hasSecret: false, secretElsewhere: null, savedAs: null };
}

function profile(name: string, engine: ProfileView["engine"], url: string, access: ProfileView["access"], color: string | null, hasSecret: boolean): ProfileView {
  return { name, engine, url, access, aiLogin: null, color, tags: [], hasSecret, timeoutSecs: null, approvalWaitSecs: null, maxRows: null, maxBytes: null, source: "store", ssh: [], tls: {} };
}

// Jump hosts whose key the user accepted this session (by profile); the first connection
// through any other one fails with HOST_KEY_UNKNOWN, as the backend's does.
const trustedHostKeys = new Set<string>();
const DEMO_HOST_KEY = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";

function checkHostKey(p: ProfileView): void {
  const hop = p.ssh.at(0);
  if (hop === undefined || trustedHostKeys.has(p.name)) return;
  const address = hop.url.replace(/^ssh:\/\/[^@]*@/, "");
  throw new ApiError({
    code: "HOST_KEY_UNKNOWN",
    message: `ssh ${address}: the host key is unknown (ssh-ed25519 ${DEMO_HOST_KEY}); if that is the jump host's key, accept it: dbdock profile trust-host ${p.name} --fingerprint ${DEMO_HOST_KEY}`,
  });
}

type DemoTable = { ref: TableRef; info: TableInfo; row: (i: number) => Cell[] };

const text = (v: string): Cell => ({ k: "text", v });
const int = (v: number | string): Cell => ({ k: "int", v: String(v) });

function col(name: string, type: string, primary = false, nullable = !primary): TableInfo["columns"][number] {
  return { name, type, nullable, primary_key: primary, default: null };
}

function demoTable(name: string, kind: TableRef["kind"], columns: TableInfo["columns"], row: (i: number) => Cell[], extra: Partial<TableInfo> = {}): DemoTable {
  return {
    ref: { schema: null, name, kind },
    info: { schema: null, name, kind, columns, primary_key: columns.filter((c) => c.primary_key).map((c) => c.name), indexes: [], foreign_keys: [], ...extra },
    row,
  };
}

const NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson", "", "Margaret Hamilton"];

const shopTables: DemoTable[] = [
  demoTable("customers", "table", [col("id", "INTEGER", true), col("name", "TEXT", false, false), col("email", "TEXT"), col("created_at", "TIMESTAMP")], (i) => [
    int(i + 1),
    text(NAMES[i % NAMES.length]),
    i % 5 === 3 ? null : text(`user${i + 1}@example.com`),
    { k: "timestamp", v: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString() },
  ]),
  demoTable("products", "table", [col("id", "INTEGER", true), col("name", "TEXT"), col("price", "DECIMAL(10,2)"), col("attributes", "JSON")], (i) => [
    int(i + 1),
    text(`Product ${i + 1}`),
    { k: "decimal", v: (((i * 37) % 10000) / 100 + 0.99).toFixed(2) },
    i % 4 === 0 ? null : { k: "json", v: JSON.stringify({ color: ["red", "green", "blue"][i % 3], sizes: [38, 40, 42], sku: `SKU-${(9007199254740993n + BigInt(i)).toString()}` }) },
  ]),
  demoTable(
    "orders",
    "table",
    [col("id", "INTEGER", true), col("customer_id", "INTEGER", false, false), col("total", "DECIMAL(12,2)"), col("paid", "BOOLEAN"), col("note", "TEXT")],
    (i) => [int(i + 1), int((i % 50) + 1), { k: "decimal", v: ((i * 13.37) % 900).toFixed(2) }, { k: "bool", v: i % 3 === 0 ? "false" : "true" }, i % 6 === 0 ? text("") : i % 6 === 1 ? null : text(`Deliver to door ${i}\nring twice`)],
    {
      indexes: [{ name: "orders_customer", columns: ["customer_id"], unique: false, primary: false }],
      foreign_keys: [{ name: null, columns: ["customer_id"], referenced_schema: null, referenced_table: "customers", referenced_columns: ["id"], on_update: null, on_delete: "CASCADE" }],
    },
  ),
  demoTable("order_items", "table", [col("order_id", "INTEGER", true), col("product_id", "INTEGER", true), col("quantity", "INTEGER")], (i) => [int(Math.floor(i / 3) + 1), int((i % 40) + 1), int((i % 4) + 1)]),
  demoTable("order_totals", "view", [col("customer_id", "INTEGER"), col("orders", "BIGINT"), col("spent", "DECIMAL")], (i) => [int(i + 1), int((i * 7) % 30), { k: "decimal", v: ((i * 91.5) % 5000).toFixed(2) }]),
];

// The rows data tabs page through and edit (how many of each generated table are kept).
const DATA_ROWS: Record<string, number> = { customers: 1200, products: 150, orders: 2000, order_items: 600, order_totals: 50 };
const tableData = demoTableData(shopTables.map((t) => ({ info: t.info, row: t.row, count: DATA_ROWS[t.info.name] ?? 100 })));

/** Data tabs work on the shop's tables; the staging server cannot be reached, as for queries. */
async function withTableData<T>(profileName: string, run: () => T): Promise<T> {
  const p = findProfile(profileName);
  await wait(60);
  if (unreachable(p)) throw new ApiError({ code: "CONNECTION_FAILED", message: "could not connect to staging.internal:5432: connection refused" });
  if (p.engine !== "sqlite") throw new ApiError({ code: "UNSUPPORTED", message: "this connection has no tables to edit" });
  states.opened(profileName);
  return run();
}

const stagingTables: TableRef[] = Array.from({ length: 5000 }, (_, i) => ({
  schema: i < 4000 ? "public" : "archive",
  name: `${["events", "users", "invoices", "metrics", "sessions"][i % 5]}_${String(i).padStart(4, "0")}`,
  kind: i % 23 === 0 ? "view" : "table",
}));

const running = new Map<string, { cancelled: boolean }>();
const results = new Map<string, number>();
const history = new Map<string, HistoryEntry[]>();
let historyId = 1;

function record(profileName: string, sql: string, ok: boolean, rowCount: number | null, elapsedMs: number | null, error: string | null): void {
  const list = history.get(profileName) ?? [];
  list.push({ id: historyId++, sql, at: new Date().toISOString(), ok, rowCount, elapsedMs, error });
  history.set(profileName, list);
}

function findProfile(name: string): ProfileView {
  const p = profiles.find((x) => x.name === name);
  if (!p) throw new ApiError({ code: "NOT_FOUND", message: `no connection named "${name}"` });
  return p;
}

const clients: AiClientView[] = [
  { id: "claude-desktop", name: "Claude Desktop", configPath: "/home/demo/.config/Claude/claude_desktop_config.json", installed: true },
  { id: "claude-code", name: "Claude Code", configPath: "/home/demo/.claude.json", installed: false },
  { id: "cursor", name: "Cursor", configPath: "/home/demo/.cursor/mcp.json", installed: false },
  { id: "vscode", name: "VS Code", configPath: "/home/demo/.config/Code/User/mcp.json", installed: false },
  { id: "windsurf", name: "Windsurf", configPath: "/home/demo/.codeium/windsurf/mcp_config.json", installed: false },
  { id: "zed", name: "Zed", configPath: "/home/demo/.config/zed/settings.json", installed: false },
  { id: "cline", name: "Cline", configPath: "/home/demo/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json", installed: false },
  { id: "roo-code", name: "Roo Code", configPath: "/home/demo/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json", installed: false },
  { id: "gemini-cli", name: "Gemini CLI", configPath: "/home/demo/.gemini/settings.json", installed: false },
  { id: "codex", name: "Codex CLI", configPath: "/home/demo/.codex/config.toml", installed: false },
  { id: "kiro", name: "Kiro", configPath: "/home/demo/.kiro/settings/mcp.json", installed: false },
  { id: "lm-studio", name: "LM Studio", configPath: "/home/demo/.lmstudio/mcp.json", installed: false },
  { id: "opencode", name: "opencode", configPath: "/home/demo/.config/opencode/opencode.json", installed: false },
];

/** The key each client keeps its servers under (Codex's TOML is shown as if it were JSON). */
const serversKey: Partial<Record<string, string>> = { vscode: "servers", zed: "context_servers", codex: "mcp_servers", opencode: "mcp" };

function configChange(id: AiClientId, install: boolean): ConfigChangeView {
  const client = clients.find((c) => c.id === id) ?? clients[0];
  const changed = install !== client.installed;
  const key = serversKey[id] ?? "mcpServers";
  const entry = [`+    "dbdock": {`, `+      "command": "/usr/bin/dbdock",`, `+      "args": ["mcp"]`, `+    }`];
  const lines = [`--- ${client.configPath}`, `+++ ${client.configPath}`, "@@ -1,5 +1,9 @@", " {", `   "${key}": {`, `     "other": { "command": "other-mcp" }${install ? "," : ""}`];
  const body = install ? entry : entry.map((l) => `-${l.slice(1)}`);
  return { client: id, path: client.configPath, diff: changed ? [...lines, ...body, "   }", " }"].join("\n") : "", changed, backup: null };
}

const audit: AuditEntry[] = [];
let auditId = 1;
const tokens: TokenInfo[] = [];
function addAudit(minutesAgo: number): void {
  const failed = auditId % 7 === 0;
  audit.push({
    id: auditId++,
    at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    client: auditId % 2 === 0 ? "claude-ai" : "cursor",
    transport: "stdio",
    tool: failed ? "execute-update" : ["execute-query", "search-objects", "list-connections"][auditId % 3],
    profile: "shop",
    statement: failed ? "DELETE FROM orders WHERE id = 3" : "SELECT name, email FROM customers WHERE id = ?",
    rows: failed ? null : 1,
    durationMs: 1 + (auditId % 9),
    outcome: failed ? "error" : "ok",
    errorCode: failed ? "READ_ONLY_VIOLATION" : null,
    errorMessage: failed ? "this connection is read-only for AI assistants: DELETE writes" : null,
    approval: null,
  });
}
for (let i = 0; i < 40; i += 1) addAudit(55 - i * 1.3);
setInterval(() => addAudit(0), 4000);

function resultColumns(table: DemoTable): ResultColumn[] {
  return table.info.columns.map((c) => ({ name: c.name, type: c.type }));
}

export const demoBackend: Backend = {
  listProfiles: async () => {
    await wait(80);
    return profiles.map((p) => ({ ...p }));
  },
  parseUrl: async (url) => {
    await wait(30);
    // The scheme picks the engine, as the backend's registrations say; ADO.NET strings and
    // bare .db paths are the two forms without one.
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1].toLowerCase() ?? "";
    const engine =
      DEMO_ENGINE_SPECS.find((spec) => spec.schemes.includes(scheme))?.engine ??
      (/^jdbc:sqlserver|Server=/i.test(url) ? "mssql" : /\.db$/.test(url) ? "sqlite" : null);
    if (!engine) {
      const known = DEMO_ENGINE_SPECS.map((spec) => `${spec.schemes[0]}:`).join(", ");
      throw new ApiError({ code: "INVALID_INPUT", message: `not a connection URL this app knows (${known})` });
    }
    const m = /^[a-z+]+:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?]*)(?::(\d+))?(?:\/([^?]*))?/i.exec(url);
    const password = m?.[2];
    return {
      engine,
      host: m?.[3] || null,
      port: m?.[4] ? Number(m[4]) : null,
      user: m?.[1] || null,
      database: engine === "sqlite" ? url.replace(/^sqlite:(\/\/)?/, "") : m?.[5] || null,
      hasPassword: password !== undefined && password !== "",
      redacted: password ? url.replace(`:${password}@`, "@") : url,
      password: password ? decodeURIComponent(password) : null,
    };
  },
  saveProfile: async (input, replacing) => {
    await wait(120);
    if (profiles.some((p) => p.name === input.name && p.name !== replacing)) {
      throw new ApiError({ code: "INVALID_INPUT", message: `a connection named "${input.name}" already exists` });
    }
    const parsed = await demoBackend.parseUrl(input.url);
    const ssh = input.ssh.map((h) => ({ url: h.url.includes("://") ? h.url : `ssh://${h.url}`, auth: h.auth, keyPath: h.keyPath }));
    const saved: ProfileView = { ...profile(input.name, parsed.engine, input.url, input.access, input.color, input.password !== null), tags: input.tags, timeoutSecs: input.timeoutSecs, approvalWaitSecs: input.approvalWaitSecs, maxRows: input.maxRows, maxBytes: input.maxBytes, ssh, tls: input.tls };
    const index = profiles.findIndex((p) => p.name === (replacing ?? input.name));
    if (index >= 0) profiles[index] = { ...saved, hasSecret: saved.hasSecret || profiles[index].hasSecret };
    else profiles.push(saved);
    states.changed();
    return saved;
  },
  deleteProfile: async (name) => {
    await wait(80);
    findProfile(name);
    profiles.splice(profiles.findIndex((p) => p.name === name), 1);
    states.changed();
  },
  testProfile: async (name) => {
    const p = findProfile(name);
    await wait(300);
    checkHostKey(p);
    if (unreachable(p)) throw new ApiError({ code: "CONNECTION_FAILED", message: "could not connect to staging.internal:5432: connection refused" });
    const versions: Partial<Record<ProfileView["engine"], string>> = { sqlite: "SQLite 3.46.0", nats: "NATS 2.10.18", mongodb: "MongoDB 7.0.12", kafka: "Kafka 3.8.0" };
    return { serverVersion: versions[p.engine] ?? "Redis 7.2.4", latencyMs: 1.7 };
  },
  trustHostKey: async (name, fingerprint) => {
    await wait(150);
    findProfile(name);
    if (fingerprint !== DEMO_HOST_KEY) throw new ApiError({ code: "HOST_KEY_MISMATCH", message: `no jump host offered a key with fingerprint ${fingerprint}` });
    trustedHostKeys.add(name);
  },
    reconnectProfile: async (name) => {
    const p = findProfile(name);
    await wait(200);
    if (unreachable(p)) throw new ApiError({ code: "CONNECTION_FAILED", message: "could not connect to staging.internal:5432: connection refused" });
    states.opened(name);
    return null;
  },
  exportProfiles: async () => {
    await wait(100);
    return profiles.length;
  },
  importProfiles: async () => {
    await wait(100);
    return { added: ["reporting"], unchanged: ["shop"], conflicts: ["staging"], needSecrets: ["reporting"] };
  },
  configHistory: async (limit) => {
    await wait(40);
    return demoHistory.slice(0, limit);
  },
  undoChange: async (id) => {
    await wait(80);
    const change = demoHistory.find((c) => (id === null ? c.undoneBy === null && c.undoes === null : c.id === id));
    if (!change) throw new ApiError({ code: "NOT_FOUND", message: "there is no change to undo" });
    const undo: ProfileChange = { ...change, id: demoHistory.length + 1, action: "undo", undoes: change.id, undoneBy: null, actor: "app", at: new Date().toISOString() };
    change.undoneBy = undo.id;
    demoHistory.unshift(undo);
    return undo;
  },
  backupConfig: async (_path, passphrase) => {
    await wait(passphrase === null ? 80 : 500);
    return passphrase !== null;
  },
  restoreConfig: async (_path, passphrase, apply) => {
    await wait(passphrase === null ? 80 : 500);
    return { added: ["reporting"], changed: [], kept: profiles.map((p) => p.name), tokensAdded: [], tokensKept: [], hostKeysAdded: 0, withSecrets: passphrase !== null, preview: !apply };
  },
  bulkAction: async (names, action, access, onItem) => {
    const all: BulkItemView[] = [];
    for (const [i, name] of names.entries()) {
      await wait(60);
      const p = profiles.find((x) => x.name === name);
      let item: BulkItemView = { name, done: i + 1, total: names.length, message: "", error: null };
      if (!p) item = { ...item, message: "not found", error: { code: "NOT_FOUND", message: `no saved profile is named '${name}'` } };
      else if (action === "test" && unreachable(p)) item = { ...item, message: "connection refused", error: { code: "CONNECTION_FAILED", message: "could not connect: connection refused" } };
      else if (action === "delete") {
        profiles.splice(profiles.indexOf(p), 1);
        item.message = "removed";
      } else if (action === "set-access" && access) {
        p.access = access;
        item.message = `AI access ${access}`;
      } else item.message = action === "test" ? "connected in 2.0 ms" : `${action} done`;
      onItem(item);
      all.push(item);
    }
    states.changed();
    return all;
  },
  discoverServers: async (form) => {
    await wait(250);
    const found: FindingView[] = [
      finding("port 127.0.0.1:5432", "PostgreSQL", "16.4", false, "postgres", "postgres://postgres@127.0.0.1:5432/postgres", "local-postgres"),
      finding("port 127.0.0.1:6379", "Redis", "7.2.5", false, "redis", "redis://127.0.0.1:6379/0", "local-redis"),
      { ...finding("port 127.0.0.1:9092", "Kafka", null, null, null, null, null), detail: "60 APIs served" },
    ];
    if (form.folder.trim() !== "") {
      found.push({ ...finding(`${form.folder.trim()}/.env DATABASE_URL`, "MariaDB", "11.4.2", true, "mysql", "mysql://shop@127.0.0.1:3306/shop", "local-mysql"), hasSecret: true });
    }
    return found.map((f) => ({ ...f, savedAs: profiles.find((p) => p.url === f.url)?.name ?? null }));
  },
  addDiscovered: async (_token, url, name, saveSecret, password) => {
    await wait(120);
    if (profiles.some((p) => p.name === name)) throw new ApiError({ code: "INVALID_INPUT", message: `a profile named '${name}' already exists` });
    const engine = (await demoBackend.parseUrl(url)).engine;
    const saved = profile(name, engine, url, "read-only", null, saveSecret || password !== null);
    profiles.push(saved);
    states.changed();
    return saved;
  },
  connectionStates: states.connectionStates,
  watchConnectionStates: states.watchConnectionStates,
  engineSpecs: async () => {
    await wait(10);
    return DEMO_ENGINE_SPECS.map((spec) => ({ ...spec }));
  },
  listTables: async (name) => {
    const p = findProfile(name);
    await wait(p.engine === "postgres" ? 400 : 60);
    states.opened(name);
    if (p.engine === "postgres") return stagingTables;
    if (p.engine === "sqlite") return shopTables.map((t) => t.ref);
    return [];
  },
  tableDetails: async (name, table) => {
    await wait(120);
    const t = shopTables.find((x) => x.ref.name === table);
    if (t) return t.info;
    const ref = stagingTables.find((x) => `${x.schema}.${x.name}` === table);
    if (ref && findProfile(name).engine === "postgres") {
      return { ...ref, columns: [col("id", "bigint", true), col("payload", "jsonb"), col("created_at", "timestamptz")], primary_key: ["id"], indexes: [], foreign_keys: [], estimated_rows: 120_000 };
    }
    throw new ApiError({ code: "NOT_FOUND", message: `no table named "${table}"` });
  },
  runQuery: async (profileName, sql, queryId, onChunk) => {
    const p = findProfile(profileName);
    const started = performance.now();
    const state = { cancelled: false };
    running.set(queryId, state);
    try {
      await wait(40);
      const spec = demoSpec(p.engine);
      if (spec.capabilities.query === null) throw new ApiError({ code: "UNSUPPORTED", message: `${spec.label} takes no queries; watch it in the Events view` });
      if (unreachable(p)) throw new ApiError({ code: "CONNECTION_FAILED", message: "could not connect to staging.internal:5432: connection refused" });
      states.opened(profileName);
      if (spec.capabilities.query === "redis-command") {
        const rows: Cell[][] = [[text("demo"), text("a value from the demo Redis")]];
        onChunk({ rows });
        return finish(rows.length, [{ name: "field", type: "redis" }, { name: "value", type: "redis" }]);
      }
      if (/\bsleep\b/i.test(sql)) {
        for (let i = 0; i < 100 && !state.cancelled; i += 1) await wait(100);
      }
      if (state.cancelled) throw new ApiError({ code: "CANCELLED", message: "the statement was cancelled" });
      const from = /\bfrom\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/i.exec(sql);
      if (!from) {
        const rows: Cell[][] = [[int(1), text("hello"), null, text("")]];
        onChunk({ rows });
        return finish(rows.length, [{ name: "1", type: "INTEGER" }, { name: "'hello'", type: "TEXT" }, { name: "NULL", type: "" }, { name: "''", type: "TEXT" }]);
      }
      const table = shopTables.find((t) => t.ref.name === from[1].toLowerCase());
      if (!table) throw new ApiError({ code: "NOT_FOUND", message: `no such table: ${from[1]}` });
      const limit = Number(/\blimit\s+(\d+)/i.exec(sql)?.[1] ?? 1000);
      const total = Math.min(limit, 100_000);
      for (let start = 0; start < total; start += 5000) {
        if (state.cancelled) throw new ApiError({ code: "CANCELLED", message: "the statement was cancelled" });
        const rows: Cell[][] = [];
        for (let i = start; i < Math.min(total, start + 5000); i += 1) rows.push(table.row(i));
        const chunk: QueryChunk = { rows };
        onChunk(chunk);
        await wait(15);
      }
      return finish(total, resultColumns(table));
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError({ code: "INTERNAL", message: String(error) });
      record(profileName, sql, false, null, performance.now() - started, `${e.code}: ${e.message}`);
      throw e;
    } finally {
      running.delete(queryId);
    }

    function finish(rowCount: number, columns: ResultColumn[]) {
      const elapsedMs = performance.now() - started;
      results.set(queryId, rowCount);
      record(profileName, sql, true, rowCount, elapsedMs, null);
      return { queryId, columns, rowCount, truncated: rowCount >= 100_000, elapsedMs, moreResults: [] };
    }
  },
  explainQuery: async (profileName, sql, analyze) => {
    const p = findProfile(profileName);
    const started = performance.now();
    await wait(60);
    const spec = demoSpec(p.engine);
    if (!spec.capabilities.explain) throw new ApiError({ code: "UNSUPPORTED", message: `${spec.label} has no query plans` });
    if (unreachable(p)) throw new ApiError({ code: "CONNECTION_FAILED", message: "could not connect to staging.internal:5432: connection refused" });
    if (analyze) throw new ApiError({ code: "UNSUPPORTED", message: `${spec.label} has no EXPLAIN ANALYZE; Explain shows the plan without running the statement` });
    states.opened(profileName);
    return { ...demoQueryPlan(sql), analyzed: false, elapsedMs: performance.now() - started };
  },
  cancelQuery: async (queryId) => {
    const state = running.get(queryId);
    if (!state) return false;
    state.cancelled = true;
    await wait(10);
    return true;
  },
  exportResult: async (queryId, path) => {
    await wait(200);
    const rows = results.get(queryId);
    if (rows === undefined) throw new ApiError({ code: "NOT_FOUND", message: "that result is no longer kept; run the query again" });
    return { path, rows };
  },
  queryHistory: async (name, limit) => {
    await wait(40);
    return [...(history.get(name) ?? [])].reverse().slice(0, limit);
  },
  openTablePage: (name, table, request) => withTableData(name, () => tableData.openTablePage(table, request)),
  countTableRows: (name, table, filters) => withTableData(name, () => tableData.countTableRows(table, filters)),
  reviewTableChanges: (name, table, edits) => withTableData(name, () => tableData.reviewTableChanges(table, edits)),
  commitTableChanges: (name, table, edits) => withTableData(name, () => tableData.commitTableChanges(table, edits)),
  aiClients: async () => {
    await wait(60);
    return clients.map((c) => ({ ...c }));
  },
  aiPreview: async (id) => {
    await wait(80);
    return configChange(id, true);
  },
  aiInstall: async (id) => {
    await wait(150);
    const change = configChange(id, true);
    const c = clients.find((x) => x.id === id);
    if (c) c.installed = true;
    return { ...change, backup: change.changed ? `${change.path}.dbdock-backup-20250101-120000` : null };
  },
  aiUninstall: async (id) => {
    await wait(150);
    const change = configChange(id, false);
    const c = clients.find((x) => x.id === id);
    if (c) c.installed = false;
    return change;
  },
  setAccess: async (name, access) => {
    await wait(60);
    const p = findProfile(name);
    p.access = access;
    return { ...p };
  },
  aiSelfTest: async () => {
    await wait(400);
    return {
      ok: true,
      serverName: "dbdock",
      serverVersion: "0.1.0",
      tools: ["list-connections", "connect-database", "disconnect-database", "execute-query", "execute-update", "search-objects", "explain-query", "sample-events", "subscribe", "read-events", "unsubscribe", "publish", "request", "stream-lag"],
      elapsedMs: 38,
      error: null,
    };
  },
  auditLog: async (afterId, limit) => {
    await wait(30);
    return audit.filter((e) => afterId === null || e.id > afterId).sort((a, b) => b.id - a.id).slice(0, limit);
  },
  verifyAudit: async () => {
    await wait(40);
    // The demo log is as written: every row verifies.
    return {
      intact: true,
      rows: audit.length,
      legacy: 0,
      pruned: 0,
      running: audit.filter((e) => e.outcome === "running").length,
      brokenId: null,
      brokenReason: null,
      head: "5f0c3a9e8b7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170605f4e3",
    };
  },
  mcpTokens: async () => {
    await wait(20);
    return tokens.map((t) => ({ ...t }));
  },
  createMcpToken: async (token) => {
    await wait(20);
    if (tokens.some((t) => t.name.toLowerCase() === token.name.toLowerCase())) {
      throw new ApiError({ code: "INVALID_INPUT", message: `a token named '${token.name}' exists; revoke it first` });
    }
    const info = {
      name: token.name,
      scopes: [...new Set(["read" as const, ...token.scopes])],
      profiles: token.profiles,
      ratePerSec: token.ratePerSec ?? 50,
      maxConcurrent: token.maxConcurrent ?? 16,
      createdAt: new Date().toISOString(),
      lastUsedAt: null,
      expiresAt: token.expiresDays === null ? null : new Date(Date.now() + token.expiresDays * 86_400_000).toISOString(),
    };
    tokens.push(info);
    return { info, token: `dbdock_demo_${Math.random().toString(16).slice(2)}` };
  },
  revokeMcpToken: async (name) => {
    await wait(20);
    const at = tokens.findIndex((t) => t.name.toLowerCase() === name.toLowerCase());
    if (at < 0) throw new ApiError({ code: "NOT_FOUND", message: `no token named '${name}'` });
    tokens.splice(at, 1);
  },
  aiStats: async (minutes) => {
    await wait(20);
    const since = Date.now() - minutes * 60_000;
    const recent = audit.filter((e) => Date.parse(e.at) >= since);
    const durations = recent.flatMap((e) => (e.durationMs === null ? [] : [e.durationMs])).sort((a, b) => a - b);
    const rank = (share: number) => (durations.length === 0 ? null : durations[Math.max(0, Math.ceil(share * durations.length) - 1)]);
    return {
      windowMinutes: minutes,
      since: new Date(since).toISOString(),
      calls: recent.length,
      errors: recent.filter((e) => e.outcome === "error").length,
      running: recent.filter((e) => e.outcome === "running").length,
      p50Ms: rank(0.5),
      p95Ms: rank(0.95),
      maxMs: rank(1),
      rows: recent.reduce((sum, e) => sum + (e.rows ?? 0), 0),
      bytes: 0,
      byCall: [],
      perMinute: [],
      pendingApprovals: 0,
      monitorEvents: [],
    };
  },
  approvals: async () => {
    await wait(20);
    return [];
  },
  decideApproval: async (id) => {
    await wait(20);
    throw new ApiError({ code: "NOT_FOUND", message: `there is no approval request ${id}` });
  },
  // The demo has no AI clients asking: nothing ever waits.
  watchApprovals: async (onChange) => {
    await wait(10);
    onChange([]);
  },
  endpointInfo: async () => {
    await wait(20);
    return { binary: "/usr/bin/dbdock", home: HOME, version: "0.1.0" };
  },
  // The demo's logins: the profile's own one can write until it gets a read-only AI login.
  loginReport: async (name) => {
    await wait(60);
    const p = findProfile(name);
    const own = { login: "app", can_write: true, evidence: ["INSERT on public.orders", "CREATE on schema public"] };
    const ai = p.aiLogin ? { login: p.aiLogin, can_write: false, evidence: [] } : null;
    const readOnly = p.access === "read-only" || p.access === "ask";
    return {
      profile: p.name,
      engine: p.engine,
      access: p.access,
      login: own,
      loginError: null,
      aiLogin: p.aiLogin,
      ai,
      aiError: null,
      aiCanWrite: readOnly && (ai ?? own).can_write,
      canCreate: demoSpec(p.engine).capabilities.createsReadOnlyLogin,
    };
  },
  previewAiLogin: async (name, user) => {
    await wait(60);
    const p = findProfile(name);
    const login = user ?? `dbdock_ai_${name.replace(/[^a-z0-9]/gi, "_").toLowerCase()}`;
    const runnable = demoSpec(p.engine).capabilities.createsReadOnlyLogin;
    const statements = runnable
      ? [
          `CREATE ROLE "${login}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '********';`,
          `GRANT pg_read_all_data TO "${login}";`,
          `GRANT CONNECT ON DATABASE "warehouse" TO "${login}";`,
          `ALTER ROLE "${login}" SET default_transaction_read_only = on;`,
        ]
      : [`db.getSiblingDB("catalog").createUser({user: "${login}", pwd: "********", roles: [{role: "read", db: "catalog"}]})`];
    return { login, host: null, database: "warehouse", statements, runnable, notes: [] };
  },
  createAiLogin: async (name, user) => {
    await wait(150);
    const p = findProfile(name);
    p.aiLogin = user ?? `dbdock_ai_${name}`;
    return { ...p };
  },
  removeAiLogin: async (name) => {
    await wait(60);
    const p = findProfile(name);
    p.aiLogin = null;
    return { ...p };
  },
  ...demoMonitors((name) => demoSpec(findProfile(name).engine)),
  ...demoKafka((name) => {
    const spec = demoSpec(findProfile(name).engine);
    if (!spec.capabilities.consumerGroups) throw new ApiError({ code: "UNSUPPORTED", message: `${spec.label} has no topics or consumer groups` });
    states.opened(name);
  }),
  ...demoKeys((name) => {
    const spec = demoSpec(findProfile(name).engine);
    if (!spec.capabilities.keyBrowser) throw new ApiError({ code: "UNSUPPORTED", message: `${spec.label} has no keys to browse` });
    states.opened(name);
  }),
};

/** SQLite's EXPLAIN QUERY PLAN rows for the demo's statements: a scan of the first table, searches of the joined ones. */
function demoQueryPlan(sql: string): { columns: string[]; rows: Cell[][] } {
  const tables = [...sql.matchAll(/\b(?:from|join)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/gi)].map((m) => m[1].toLowerCase());
  for (const name of tables) {
    if (!shopTables.some((t) => t.ref.name === name)) throw new ApiError({ code: "NOT_FOUND", message: `no such table: ${name}` });
  }
  const rows: Cell[][] = [];
  let id = 2;
  const add = (parent: number, detail: string): number => {
    const own = id;
    rows.push([int(own), int(parent), int(0), text(detail)]);
    id += 3;
    return own;
  };
  if (tables.length === 0) add(0, "SCAN CONSTANT ROW");
  tables.forEach((name, i) => add(0, i === 0 ? `SCAN ${name}` : `SEARCH ${name} USING INTEGER PRIMARY KEY (rowid=?)`));
  if (/\bin\s*\(\s*select\b/i.test(sql)) {
    const list = add(0, "LIST SUBQUERY 1");
    add(list, "SCAN CONSTANT ROW");
  }
  if (/\border\s+by\b/i.test(sql)) add(0, "USE TEMP B-TREE FOR ORDER BY");
  return { columns: ["id", "parent", "notused", "detail"], rows };
}

// The one module that talks to the Rust side. Every view calls `api.*`; nothing else imports
// ./bindings. When the generated bindings change shape (field casing, nullability), this file
// maps them back to the types below and the rest of the UI stays as it is.

import { Channel, isTauri } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import type * as B from "./bindings";

// The UI's names for what crosses the boundary. They are the generated types as Rust
// serializes them (the `_Serialize` variants); where the UI wants a different shape, the
// mapping happens in `tauriBackend` below.

/** `{code, message}`: the code is stable (see ErrorCode in bindings.ts), the message is for people. */
/** Codes the UI itself gives an error that did not come from the backend. */
export type ClientErrorCode = "UI" | "IPC" | "UNKNOWN" | "NO_BACKEND" | "SELF_TEST_FAILED";
/** Every error the UI shows: the backend's `ErrorCode`s plus the UI's own. */
export type AppError = { code: ErrorCode | ClientErrorCode; message: string };
export type ErrorCode = B.ErrorCode;
export type Engine = B.Engine;
export type Access = B.Access;
export type ProfileView = B.ProfileView_Serialize;
export type ProfileInput = B.ProfileInput_Serialize;
export type UrlParts = B.UrlParts_Serialize;
/** How DB Dock logs in to an SSH jump host: `agent`, `key` or `password`. */
export type SshAuthKind = B.SshAuthKind;
/** A jump host as the form sends it; `secret: null` keeps the saved passphrase or password. */
export type SshHopInput = B.SshHopInput_Serialize;
/** A saved jump host (never with its secret). */
export type SshHopView = B.SshHopView_Serialize;
export type TlsMode = B.TlsMode;
/** TLS settings beyond the URL; a missing field is no setting. */
export type TlsOptions = B.TlsOptions_Serialize;
export type TestReport = B.TestReport;
export type ImportReport = B.ImportReport;
/** A recorded change to a connection (never with a secret). */
export type ProfileChange = B.ProfileChangeView;
/** What a restore did or, previewed, would do. */
export type RestorePlanView = B.RestorePlanView;
/** An action of the connections list's selection bar. */
export type BulkActionInput = B.BulkActionInput;
/** One connection's outcome of a bulk action, as it ends. */
export type BulkItemView = B.BulkItemView;
/** What "Find local servers" looks at besides the defaults (empty strings: nothing). */
export type DiscoveryForm = B.DiscoveryForm;
/** A server found by its handshake, or a listener that answered none (never with a secret). */
export type FindingView = B.FindingView;
export type ConnectionState = B.ConnectionState;
export type Severity = B.Severity;
export type EventKind = B.EventKind;
export type Category = B.Category;
export type ConnectionStateView = B.ConnectionStateView_Serialize;
/** One compiled engine: its label, URL schemes, watch target kinds and what it can do. */
export type EngineSpec = B.EngineSpecView_Serialize;
export type Capabilities = B.Capabilities_Serialize;
export type QueryLanguage = B.QueryLanguage;
export type TableKind = B.TableKind;
export type TableRef = B.TableRef_Serialize;
export type TableInfo = B.TableInfo_Serialize;
export type ColumnInfo = B.ColumnInfo_Serialize;
export type IndexInfo = B.IndexInfo;
export type ForeignKeyInfo = B.ForeignKeyInfo_Serialize;
/** One value of a result row: NULL is `null`, never an empty text. */
export type Cell = B.Cell | null;
export type CellKind = B.CellKind;
export type QueryChunk = B.QueryChunk;
export type ResultColumn = B.Column;
export type QuerySummary = B.QuerySummary;
/** A statement's plan as the server gave it: PostgreSQL/MySQL JSON in one cell, SQLite's plan rows. */
export type PlanView = Omit<B.PlanView, "elapsedMs"> & { elapsedMs: number };
export type ExportFormat = B.ExportFormat;
export type ExportReport = B.ExportReport;
export type HistoryEntry = B.HistoryView_Serialize;
/** A condition on one column of a data tab (`values`: none, one, a list for `in`, two for `between`). */
export type ColumnFilter = B.ColumnFilter_Serialize;
export type FilterOp = B.FilterOp;
export type SortKey = B.SortKey_Serialize;
/** Which page of a table to read: filters, sort, and where the page starts (keyset `after` or `offset`). */
export type TablePageRequest = { filters: ColumnFilter[]; sort: SortKey[]; after: Cell[] | null; offset: number; limit: number };
/** A page of a table's rows with what the data tab needs to edit them (`key` null: read-only). */
export type TablePageView = Omit<B.TablePageView_Serialize, "elapsedMs"> & { elapsedMs: number };
/** How pages are read: by key (keyset) or by OFFSET, with why. */
export type Paging = B.Paging_Serialize;
/** One column's new value in a row edit; `default` asks for the column's DEFAULT. */
export type CellEdit = { column: string; value: Cell; default: boolean };
/** One changed row of a data tab: an update, an insert or a delete. */
export type RowEdit = { kind: "update"; original: Cell[]; set: CellEdit[] } | { kind: "insert"; values: CellEdit[] } | { kind: "delete"; original: Cell[] };
/** A statement a commit runs, with the rows it must change (null: not checked). */
export type PlannedStatement = B.PlannedStatement_Serialize;
export type ChangeOutcome = B.ChangeOutcome;
/** What a commit ran and whether it committed (conflicts: indexes into the edits sent). */
export type CommitReport = B.CommitReport_Serialize;
export type AiClientId = B.AiClientView["id"];
export type AiClientView = B.AiClientView;
export type ConfigChangeView = B.ConfigChangeView_Serialize;
export type SelfTestReport = B.SelfTestReport_Serialize;
export type AuditEntry = B.AuditView_Serialize;
/** Whether the audit log's hash chain is intact, or the first row where it breaks. */
export type AuditVerification = B.AuditVerificationView_Serialize;
export type TokenInfo = B.TokenInfo_Serialize;
export type TokenScope = B.TokenScope;
export type NewToken = B.NewToken_Serialize;
export type CreatedToken = B.CreatedToken_Serialize;
/** What AI clients did over a recent window, from the audit log. */
export type AiStats = B.AiStats_Serialize;
/** A write an AI client asked for on an "ask" connection, with its dry-run preview. */
export type ApprovalView = B.ApprovalView_Serialize;
export type EndpointInfo = B.EndpointInfo;
export type LoginReport = B.LoginReport_Serialize;
export type LoginPlanView = B.LoginPlanView_Serialize;
/** One event from a monitor: a message, or a change in the monitor's own state (`lifecycle`). */
export type EventView = B.EventView_Serialize;
export type MonitorView = B.MonitorView_Serialize;
/** A lifecycle event as the store keeps it (the event log). */
export type LoggedEvent = B.LoggedEventView_Serialize;
/** Which events of the log an export takes, and where it goes (empty strings: no limit). */
export type EventExportForm = B.EventExportForm;

// Kafka. Counts and offsets are f64 on the Rust side (exact to 2^53), which the generated
// types allow to be null (a NaN would serialize so); the backend never sends one, and the
// mapping in `tauriBackend` turns a null into 0 so that the views read plain numbers.
type Counted<T, K extends keyof T> = Omit<T, K> & { [P in K]: number };
/** A broker of the cluster, as its metadata names it. */
export type BrokerView = B.BrokerView;
/** A partition: its leader, replicas and in-sync replicas by broker id; `low`/`high` are its first and next offsets. */
export type PartitionView = Counted<B.PartitionView, "low" | "high" | "messages">;
/** A topic with its partitions and settings (`configsError` when the broker would not describe them). */
export type TopicView = Omit<Counted<B.TopicView_Serialize, "messages">, "partitions"> & { partitions: PartitionView[] };
/** A consumer group as the list shows it (`state` such as `Stable`, `Empty`). */
export type GroupSummaryView = B.GroupSummaryView_Serialize;
/** Brokers, topics and consumer groups (`groupsError` when the groups could not be listed). */
export type TopicCatalogView = Omit<B.TopicCatalogView_Serialize, "topics"> & { topics: TopicView[] };
/** A logical database of a key-value server and its key counts. */
export type KeyDatabaseView = Counted<B.KeyDatabaseView, "keys" | "expires">;
/** The logical databases, and the one the profile selects. */
export type KeyDatabasesView = { selected: number; databases: KeyDatabaseView[] };
/** A prefix (ending with the delimiter) or a key one step below a level; `keys` the scan met under it. */
export type KeyNodeView = Counted<B.KeyNodeView, "keys">;
/** One level of the key tree from a bounded scan: `complete` false means the counts are a sample (`covered` of the keyspace) and `cursor` scans on. */
export type KeyLevelView = Omit<Counted<B.KeyLevelView_Serialize, "totalKeys" | "seen" | "covered" | "hidden">, "children"> & { children: KeyNodeView[] };
/** A page of keys matching a glob; `cursor` null when the scan is over. */
export type KeyPageView = { keys: KeyNodeView[]; cursor: string | null };
/** A key's type, time to live (null: no expiry), memory, encoding and length (bytes of a string, entries otherwise). */
export type KeyInfoView = B.KeyInfoView_Serialize;
/** Which page of a value to read. */
export type ValuePageRequest = B.ValuePageRequest_Serialize;
/** One entry of a value: a hash field, a list index, a sorted set score, a stream id; `text` hex when `hex`. */
export type ValueEntryView = B.ValueEntryView_Serialize;
/** A stream's consumer: what it has pending and how long it has been idle. */
export type StreamConsumerView = Counted<B.StreamConsumerView, "pending" | "idleMs">;
/** A stream's consumer group: pending (delivered, not acknowledged), lag (not yet delivered; null before Redis 7). */
export type StreamGroupView = Omit<Counted<B.StreamGroupView_Serialize, "pending">, "consumers"> & { consumers: StreamConsumerView[] };
/** One page of a value; `next` goes on. */
export type ValuePageView = Omit<B.ValuePageView_Serialize, "entries"> & { entries: ValueEntryView[] };
/** A group member: its client id, host and the partitions assigned to it, by topic. */
export type MemberView = B.MemberView;
/** A group's position on one partition: `committed` null when it never committed there. */
export type PartitionLagView = Counted<B.PartitionLagView_Serialize, "lag">;
/** One group: its members (null with `membersError` when not described) and lag per partition. */
export type GroupView = Omit<Counted<B.GroupView_Serialize, "totalLag">, "lag"> & { lag: PartitionLagView[] };
/** An offset reset of one partition: old → new committed offset, lag before → after. */
export type PartitionResetView = Counted<B.PartitionResetView_Serialize, "new" | "lagBefore" | "lagAfter">;
/** What an offset reset does (the preview) or did (`applied`). */
export type ResetPlanView = Omit<Counted<B.ResetPlanView_Serialize, "lagBefore" | "lagAfter">, "partitions"> & { partitions: PartitionResetView[] };

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: B.Error };

/** An error from the backend (or the IPC bridge), with its stable code. */
export class ApiError extends Error {
  readonly code: AppError["code"];
  constructor(error: AppError) {
    super(error.message);
    this.name = "ApiError";
    this.code = error.code;
  }
  toAppError(): AppError {
    return { code: this.code, message: this.message };
  }
}

/** Turns anything thrown into `{code, message}` for display. */
export function toAppError(error: unknown): AppError {
  if (error instanceof ApiError) return error.toAppError();
  if (isAppError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: "UI", message: error.message };
  if (typeof error === "string") return { code: "IPC", message: error };
  return { code: "UNKNOWN", message: "Something went wrong, and the backend gave no reason." };
}

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Everything the UI can ask of the backend. Methods throw ApiError on failure. */
export type Backend = {
  listProfiles: () => Promise<ProfileView[]>;
  parseUrl: (url: string) => Promise<UrlParts>;
  saveProfile: (input: ProfileInput, replacing: string | null) => Promise<ProfileView>;
  deleteProfile: (name: string) => Promise<void>;
  testProfile: (name: string) => Promise<TestReport>;
  /** Connects afresh after a connection gave up reconnecting; the new state is pushed. */
  reconnectProfile: (name: string) => Promise<null>;
  /**
   * Trusts the SSH host key with this fingerprint (from a HOST_KEY_UNKNOWN error, after the
   * user compared it with the server's) for the profile's jump hosts; its open connections
   * are dropped so the next use connects afresh.
   */
  trustHostKey: (name: string, fingerprint: string) => Promise<void>;
  exportProfiles: (path: string) => Promise<number>;
  importProfiles: (path: string) => Promise<ImportReport>;
  /** The newest changes to connections, newest first. */
  configHistory: (limit: number) => Promise<ProfileChange[]>;
  /** Undoes a change (or the newest not undone): the connection and its secrets as they were. */
  undoChange: (id: number | null) => Promise<ProfileChange>;
  /** Writes a backup; with a passphrase the passwords come along, sealed. Whether it is sealed. */
  backupConfig: (path: string, passphrase: string | null) => Promise<boolean>;
  /** Previews (`apply` false) or applies a backup file. */
  restoreConfig: (path: string, passphrase: string | null, apply: boolean) => Promise<RestorePlanView>;
  /**
   * Runs one action on the named connections, a few at a time; `onItem` gets each outcome as it ends.
   * `access` is the level for `set-access`.
   */
  bulkAction: (names: string[], action: BulkActionInput, access: Access | null, onItem: (item: BulkItemView) => void) => Promise<BulkItemView[]>;
  /** Finds servers on this machine's default ports and sockets, in the environment, and where `form` says. */
  discoverServers: (form: DiscoveryForm) => Promise<FindingView[]>;
  /**
   * Saves a finding as a profile. With `saveSecret` the password its source holds is read again on the
   * Rust side and kept in the keyring; `password` is one the user typed instead.
   */
  addDiscovered: (token: string, url: string, name: string, saveSecret: boolean, password: string | null) => Promise<ProfileView>;
  connectionStates: () => Promise<ConnectionStateView[]>;
  /**
   * Sends the state of every profile to `onChange` now and at every change, for as long as
   * the window lives. Resolves once the subscription is in place.
   */
  watchConnectionStates: (onChange: (states: ConnectionStateView[]) => void) => Promise<void>;
  /** What each compiled engine is and can do; the same for the whole session. */
  engineSpecs: () => Promise<EngineSpec[]>;
  listTables: (profile: string) => Promise<TableRef[]>;
  tableDetails: (profile: string, table: string) => Promise<TableInfo>;
  /** Streams row batches to `onChunk` and resolves with the summary when the query is done. */
  runQuery: (
    profile: string,
    sql: string,
    queryId: string,
    onChunk: (chunk: QueryChunk) => void,
  ) => Promise<QuerySummary>;
  cancelQuery: (queryId: string) => Promise<boolean>;
  /**
   * The server's plan for `sql`. With `analyze` the statement RUNS (with its effects) and the plan
   * carries measured rows and times; engines without a plan reject with UNSUPPORTED.
   */
  explainQuery: (profile: string, sql: string, analyze: boolean) => Promise<PlanView>;
  exportResult: (queryId: string, path: string, format: ExportFormat) => Promise<ExportReport>;
  queryHistory: (profile: string, limit: number) => Promise<HistoryEntry[]>;
  /** A page of a table's rows (`table` qualified `schema.name` where it has a schema). */
  openTablePage: (profile: string, table: string, request: TablePageRequest) => Promise<TablePageView>;
  /** The exact number of rows the filters keep. */
  countTableRows: (profile: string, table: string, filters: ColumnFilter[]) => Promise<number>;
  /** The statements `commitTableChanges` would run for these edits; nothing runs. */
  reviewTableChanges: (profile: string, table: string, edits: RowEdit[]) => Promise<PlannedStatement[]>;
  /** Runs the edits in one transaction; a row changed since it was read is a conflict and nothing commits. */
  commitTableChanges: (profile: string, table: string, edits: RowEdit[]) => Promise<CommitReport>;
  aiClients: () => Promise<AiClientView[]>;
  aiPreview: (client: AiClientId) => Promise<ConfigChangeView>;
  aiInstall: (client: AiClientId) => Promise<ConfigChangeView>;
  aiUninstall: (client: AiClientId) => Promise<ConfigChangeView>;
  setAccess: (profile: string, access: Access) => Promise<ProfileView>;
  aiSelfTest: () => Promise<SelfTestReport>;
  auditLog: (afterId: number | null, limit: number) => Promise<AuditEntry[]>;
  /** Walks the audit log's hash chain: intact, or the first row changed, removed or inserted by hand. */
  verifyAudit: () => Promise<AuditVerification>;
  /** The HTTP endpoint's named tokens (never the tokens themselves). */
  mcpTokens: () => Promise<TokenInfo[]>;
  /** Makes a token; the result holds the token, the only time it is shown. */
  createMcpToken: (token: NewToken) => Promise<CreatedToken>;
  revokeMcpToken: (name: string) => Promise<void>;
  aiStats: (minutes: number) => Promise<AiStats>;
  /** Approval requests: pending ones, or with `all` the recent ones in every state. */
  approvals: (all: boolean) => Promise<ApprovalView[]>;
  /** The user's decision; `reason` reaches the AI client on a denial. */
  decideApproval: (id: number, approve: boolean, reason: string | null) => Promise<ApprovalView>;
  /** Sends the pending requests to `onChange` now and at every change, for the life of the window. */
  watchApprovals: (onChange: (pending: ApprovalView[]) => void) => Promise<void>;
  endpointInfo: () => Promise<EndpointInfo>;
  /** Whether the profile's login (and its AI login) can write. */
  loginReport: (profile: string) => Promise<LoginReport>;
  /** The statements of a read-only login for AI clients, password masked; nothing runs. */
  previewAiLogin: (profile: string, user: string | null) => Promise<LoginPlanView>;
  /** Runs them and makes the login the profile's AI login (password to the keyring). */
  createAiLogin: (profile: string, user: string | null) => Promise<ProfileView>;
  /** Forgets the AI login; with `drop`, removes it from the server first. */
  removeAiLogin: (profile: string, drop: boolean) => Promise<ProfileView>;
  /** Starts watching `target` on `profile`; batches of events go to `onEvents` until stopped. */
  startMonitor: (profile: string, target: string, onEvents: (batch: EventView[]) => void) => Promise<MonitorView>;
  stopMonitor: (monitorId: string) => Promise<boolean>;
  /** Starts a monitor that gave up reconnecting on a fresh schedule. */
  retryMonitor: (monitorId: string) => Promise<boolean>;
  monitorStatuses: () => Promise<MonitorView[]>;
  /** The newest `limit` lifecycle events of every monitor, newest first. */
  eventLog: (limit: number) => Promise<LoggedEvent[]>;
  /** Writes the events a running monitor captured (the newest 50,000) to a file; how many. */
  exportMonitorEvents: (monitorId: string, path: string, format: EventExportForm["format"]) => Promise<number>;
  /** Writes the event log's events the form takes to its file, streamed on the Rust side; how many. */
  exportEventLog: (form: EventExportForm) => Promise<number>;
  /** Kafka: the cluster's brokers, its topics (partitions, offsets, settings) and its consumer groups. */
  kafkaCatalog: (profile: string) => Promise<TopicCatalogView>;
  /** Kafka: one consumer group's members and lag per partition (of `topic` only, when given). */
  kafkaGroup: (profile: string, group: string, topic: string | null) => Promise<GroupView>;
  /**
   * Kafka: what moving `group`'s committed offsets on `topic` (one partition, or all) to `to`
   * does — `earliest`, `latest`, an offset or an RFC 3339 time. With `apply` false nothing
   * changes (the preview); with `apply` true the offsets are committed. A group with active
   * members refuses with IN_USE.
   */
  kafkaResetOffsets: (profile: string, group: string, topic: string, to: string, partition: number | null, apply: boolean) => Promise<ResetPlanView>;
  /** Redis: the logical databases with their key counts. */
  keyDatabases: (profile: string) => Promise<KeyDatabasesView>;
  /** Redis: one level of the key tree under `prefix`, from one bounded SCAN (`cursor` continues an incomplete one; its counts add). */
  keyLevel: (profile: string, db: number, prefix: string, delimiter: string, cursor: string | null, keyType: string | null) => Promise<KeyLevelView>;
  /** Redis: a page of keys matching a glob (`cursor` continues). */
  keySearch: (profile: string, db: number, pattern: string, keyType: string | null, cursor: string | null) => Promise<KeyPageView>;
  /** Redis: one key's facts; NOT_FOUND when it is gone. */
  keyInfo: (profile: string, db: number, key: string) => Promise<KeyInfoView>;
  /** Redis: one page of a key's value. */
  keyValue: (profile: string, request: ValuePageRequest) => Promise<ValuePageView>;
  /** Redis: a stream's consumer groups with their consumers. */
  keyStreamGroups: (profile: string, db: number, key: string) => Promise<StreamGroupView[]>;
};

async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await pending;
  } catch (error) {
    throw new ApiError(toAppError(error));
  }
  if (result.status === "error") throw new ApiError(toAppError(result.error));
  return result.data;
}

const tauriBackend: Backend = {
  listProfiles: () => unwrap(commands.listProfiles()),
  parseUrl: (url) => unwrap(commands.parseUrl(url)),
  saveProfile: (input, replacing) => unwrap(commands.saveProfile(input, replacing)),
  deleteProfile: async (name) => {
    await unwrap(commands.deleteProfile(name));
  },
  testProfile: (name) => unwrap(commands.testProfile(name)),
  reconnectProfile: (name) => unwrap(commands.reconnectProfile(name)),
  trustHostKey: async (name, fingerprint) => {
    await unwrap(commands.trustHostKey(name, fingerprint));
  },
  exportProfiles: (path) => unwrap(commands.exportProfiles(path)),
  importProfiles: (path) => unwrap(commands.importProfiles(path)),
  configHistory: (limit) => unwrap(commands.configHistory(limit)),
  undoChange: (id) => unwrap(commands.undoChange(id)),
  backupConfig: (path, passphrase) => unwrap(commands.backupConfig(path, passphrase)),
  restoreConfig: (path, passphrase, apply) => unwrap(commands.restoreConfig(path, passphrase, apply)),
  bulkAction: (names, action, access, onItem) => unwrap(commands.bulkAction(names, action, access, new Channel<BulkItemView>(onItem))),
  discoverServers: (form) => unwrap(commands.discoverServers(form)),
  addDiscovered: (token, url, name, saveSecret, password) => unwrap(commands.addDiscovered(token, url, name, saveSecret, password)),
  connectionStates: () => unwrap(commands.connectionStates()),
  watchConnectionStates: async (onChange) => {
    const channel = new Channel<B.ConnectionStateView_Deserialize[]>((list) => onChange(list.map(toStateView)));
    await unwrap(commands.watchConnectionStates(channel));
  },
  // This command cannot fail, so its binding has no Result; only the IPC bridge can reject.
  engineSpecs: () => unwrap(commands.engineSpecs().then((data) => ({ status: "ok" as const, data }))),
  listTables: (profile) => unwrap(commands.listTables(profile)),
  tableDetails: (profile, table) => unwrap(commands.tableDetails(profile, table)),
  runQuery: (profile, sql, queryId, onChunk) => {
    const channel = new Channel<QueryChunk>(onChunk);
    return unwrap(commands.runQuery(profile, sql, queryId, channel));
  },
  cancelQuery: (queryId) => unwrap(commands.cancelQuery(queryId)),
  explainQuery: async (profile, sql, analyze) => {
    const plan = await unwrap(commands.explainQuery(profile, sql, analyze));
    return { ...plan, elapsedMs: plan.elapsedMs ?? 0 };
  },
  exportResult: (queryId, path, format) => unwrap(commands.exportResult(queryId, path, format)),
  queryHistory: (profile, limit) => unwrap(commands.queryHistory(profile, limit)),
  openTablePage: async (profile, table, request) => {
    const page = await unwrap(commands.openTablePage(profile, table, request));
    return { ...page, elapsedMs: page.elapsedMs ?? 0 };
  },
  // A count is never NaN; `null` only in the generated type.
  countTableRows: async (profile, table, filters) => (await unwrap(commands.countTableRows(profile, table, filters))) ?? 0,
  reviewTableChanges: (profile, table, edits) => unwrap(commands.reviewTableChanges(profile, table, edits)),
  commitTableChanges: (profile, table, edits) => unwrap(commands.commitTableChanges(profile, table, edits)),
  aiClients: () => unwrap(commands.aiClients()),
  aiPreview: (client) => unwrap(commands.aiPreview(client)),
  aiInstall: (client) => unwrap(commands.aiInstall(client)),
  aiUninstall: (client) => unwrap(commands.aiUninstall(client)),
  setAccess: (profile, access) => unwrap(commands.setAccess(profile, access)),
  aiSelfTest: () => unwrap(commands.aiSelfTest()),
  auditLog: (afterId, limit) => unwrap(commands.auditLog(afterId, limit)),
  verifyAudit: () => unwrap(commands.verifyAudit()),
  mcpTokens: () => unwrap(commands.mcpTokens()),
  createMcpToken: (token) => unwrap(commands.createMcpToken(token)),
  revokeMcpToken: async (name) => {
    await unwrap(commands.revokeMcpToken(name));
  },
  aiStats: (minutes) => unwrap(commands.aiStats(minutes)),
  approvals: (all) => unwrap(commands.approvals(all)),
  decideApproval: (id, approve, reason) => unwrap(commands.decideApproval(id, approve, reason)),
  watchApprovals: async (onChange) => {
    const channel = new Channel<B.ApprovalView_Deserialize[]>((list) => onChange(list.map(toApprovalView)));
    await unwrap(commands.watchApprovals(channel));
  },
  endpointInfo: () => unwrap(commands.endpointInfo()),
  loginReport: (profile) => unwrap(commands.loginReport(profile)),
  previewAiLogin: (profile, user) => unwrap(commands.previewAiLogin(profile, user)),
  createAiLogin: (profile, user) => unwrap(commands.createAiLogin(profile, user)),
  removeAiLogin: (profile, drop) => unwrap(commands.removeAiLogin(profile, drop)),
  startMonitor: (profile, target, onEvents) => {
    // The generated signature names the deserialize twin, whose nullable fields may be
    // missing; the UI's EventView always has them (null when absent).
    const channel = new Channel<B.EventView_Deserialize[]>((batch) => onEvents(batch.map(toEventView)));
    return unwrap(commands.startMonitor(profile, target, channel));
  },
  stopMonitor: (monitorId) => unwrap(commands.stopMonitor(monitorId)),
  retryMonitor: (monitorId) => unwrap(commands.retryMonitor(monitorId)),
  monitorStatuses: () => unwrap(commands.monitorStatuses()),
  eventLog: (limit) => unwrap(commands.eventLog(limit)),
  exportEventLog: (form) => unwrap(commands.exportEventLog(form)),
  exportMonitorEvents: (monitorId, path, format) => unwrap(commands.exportMonitorEvents(monitorId, path, format)),
  kafkaCatalog: async (profile) => toTopicCatalog(await unwrap(commands.kafkaCatalog(profile))),
  kafkaGroup: async (profile, group, topic) => toGroupView(await unwrap(commands.kafkaGroup(profile, group, topic))),
  kafkaResetOffsets: async (profile, group, topic, to, partition, apply) =>
    toResetPlan(await unwrap(commands.kafkaResetOffsets(profile, group, topic, to, partition, apply))),
  keyDatabases: async (profile) => {
    const v = await unwrap(commands.keyDatabases(profile));
    return { selected: v.selected, databases: v.databases.map((d) => ({ ...d, keys: count(d.keys), expires: count(d.expires) })) };
  },
  keyLevel: async (profile, db, prefix, delimiter, cursor, keyType) => {
    const l = await unwrap(commands.keyLevel(profile, db, prefix, delimiter, cursor, keyType));
    return { ...l, totalKeys: count(l.totalKeys), seen: count(l.seen), covered: count(l.covered), hidden: count(l.hidden), children: l.children.map(toKeyNode) };
  },
  keySearch: async (profile, db, pattern, keyType, cursor) => {
    const p = await unwrap(commands.keySearch(profile, db, pattern, keyType, cursor));
    return { keys: p.keys.map(toKeyNode), cursor: p.cursor };
  },
  keyInfo: (profile, db, key) => unwrap(commands.keyInfo(profile, db, key)),
  keyValue: (profile, request) => unwrap(commands.keyValue(profile, request)),
  keyStreamGroups: async (profile, db, key) =>
    (await unwrap(commands.keyStreamGroups(profile, db, key))).map((g) => ({
      ...g,
      pending: count(g.pending),
      consumers: g.consumers.map((c) => ({ ...c, pending: count(c.pending), idleMs: count(c.idleMs) })),
    })),
};

const toKeyNode = (n: B.KeyNodeView): KeyNodeView => ({ ...n, keys: count(n.keys) });

function toStateView(v: B.ConnectionStateView_Deserialize): ConnectionStateView {
  return { ...v, latencyMs: v.latencyMs ?? null, error: v.error ?? null };
}

function toApprovalView(a: B.ApprovalView_Deserialize): ApprovalView {
  const p = a.preview;
  return {
    ...a,
    auditId: a.auditId ?? null,
    client: a.client ?? null,
    route: a.route ?? null,
    reason: a.reason ?? null,
    decidedAt: a.decidedAt ?? null,
    rows: a.rows ?? null,
    result: a.result ?? null,
    preview: { ...p, rows_affected: p.rows_affected ?? null, changes: p.changes ?? null, note: p.note ?? null, error: p.error ?? null },
  };
}

function toEventView(e: B.EventView_Deserialize): EventView {
  return {
    ...e,
    json: e.json ?? null,
    state: e.state ?? null,
    serverTs: e.serverTs ?? null,
    partition: e.partition ?? null,
    offset: e.offset ?? null,
    key: e.key ?? null,
  };
}

/** A count or offset the generated type allows to be null (see `Counted`). */
const count = (n: number | null): number => n ?? 0;

function toTopicCatalog(c: B.TopicCatalogView_Serialize): TopicCatalogView {
  return {
    ...c,
    topics: c.topics.map((t) => ({
      ...t,
      messages: count(t.messages),
      partitions: t.partitions.map((p) => ({ ...p, low: count(p.low), high: count(p.high), messages: count(p.messages) })),
    })),
  };
}

function toGroupView(g: B.GroupView_Serialize): GroupView {
  return { ...g, totalLag: count(g.totalLag), lag: g.lag.map((l) => ({ ...l, lag: count(l.lag) })) };
}

function toResetPlan(r: B.ResetPlanView_Serialize): ResetPlanView {
  return {
    ...r,
    lagBefore: count(r.lagBefore),
    lagAfter: count(r.lagAfter),
    partitions: r.partitions.map((p) => ({ ...p, new: count(p.new), lagBefore: count(p.lagBefore), lagAfter: count(p.lagAfter) })),
  };
}

const unavailableBackend: Backend = new Proxy({} as Backend, {
  get: () => () =>
    Promise.reject(
      new ApiError({
        code: "NO_BACKEND",
        message: "This page is not running inside the DB Dock app, so there is no backend to talk to.",
      }),
    ),
});

let backend: Backend = isTauri() ? tauriBackend : unavailableBackend;

/** Whether the UI runs inside the Tauri window. */
export const insideTauri = isTauri();

/** Replaces the backend (the browser-only development backend uses this). */
export function setBackend(next: Backend): void {
  backend = next;
}

/** The backend, looked up on each call so that setBackend takes effect everywhere. */
export const api: Backend = new Proxy({} as Backend, {
  get: (_target, key) => backend[key as keyof Backend],
});

//! The audit log of AI calls: one row per MCP tool call, newest first when read. A row is
//! written before the call runs (outcome `running`) and completed after it, so a call the
//! log cannot record does not run (docs/safety.md). Statements, parameters and error
//! messages are cut to a fixed size so one huge value cannot flood the log.
//!
//! The log is tamper-evident (docs/safety.md, "Tamper-evident audit log"). A row's
//! `chain_hash` covers its content as written when the call started and the chain hash of
//! the row before it; its `seal_hash` covers its chain hash and its completion. Rows are
//! appended under SQLite's write lock, so with several processes writing, ids, `at` and the
//! chain still follow one order. [`Store::verify_audit`] walks the chain;
//! [`Store::prune_audit`] deletes old rows from the old end and moves the anchor the chain
//! continues from, so what is kept still verifies.

use std::time::Duration;

use dbdock_core::{
    AuditOutcome, CanonicalHash, Error, MAX_AUDITED_TEXT_BYTES, MAX_ERROR_MESSAGE_BYTES, Result, cap_text,
};
use futures_util::TryStreamExt;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::sqlite::{Sqlite, SqliteRow};

use crate::{Store, store_error};

/// How many days of audit rows the MCP endpoint keeps when `DBDOCK_AUDIT_KEEP_DAYS` does
/// not say otherwise.
pub const DEFAULT_AUDIT_KEEP_DAYS: u32 = 90;

/// The chain hash the first chained row continues from (written by migration 0009).
const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Labels hashed first, so a row's chain hash and its seal can never stand in for each other.
const CHAIN_LABEL: &str = "dbdock audit row v1";
const SEAL_LABEL: &str = "dbdock audit seal v1";

/// One tool call. `statement` and `params` must already be scrubbed of secrets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Set by the store.
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub at: String,
    pub client: Option<String>,
    pub client_version: Option<String>,
    pub transport: String,
    pub tool: String,
    pub profile: Option<String>,
    pub statement: Option<String>,
    pub params: Option<serde_json::Value>,
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
    pub duration_ms: f64,
    pub outcome: AuditOutcome,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// What a finished call adds to the row [`Store::start_audit`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditCompletion {
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
    pub duration_ms: f64,
    /// `ok` or `error`.
    pub outcome: AuditOutcome,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// What [`Store::verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Every chained row checked out, and none is missing.
    pub intact: bool,
    /// Chained rows verified (up to the first broken one).
    pub rows: u64,
    /// Rows written before the log was chained: counted, not verified.
    pub legacy: u64,
    /// Rows retention has deleted so far.
    pub pruned: u64,
    /// Verified rows whose call has not completed (or whose process died mid-call).
    pub running: u64,
    /// The first row that does not verify.
    pub first_broken: Option<BrokenAuditRow>,
    /// When intact: the chain hash the log ends with. Kept somewhere else, it shows later
    /// whether rows were removed from the end (which the chain alone cannot show).
    pub head: Option<String>,
}

/// Where and why the audit chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenAuditRow {
    pub id: i64,
    pub reason: String,
}

/// How long the MCP endpoint keeps audit rows: `DBDOCK_AUDIT_KEEP_DAYS` days, else
/// [`DEFAULT_AUDIT_KEEP_DAYS`]; `None` (the variable set to `0`) keeps every row.
pub fn audit_retention_from_env() -> Option<Duration> {
    let days = match std::env::var("DBDOCK_AUDIT_KEEP_DAYS") {
        Err(_) => DEFAULT_AUDIT_KEEP_DAYS,
        Ok(text) => text.trim().parse::<u32>().unwrap_or_else(|_| {
            tracing::warn!(value = %text, "DBDOCK_AUDIT_KEEP_DAYS is not a whole number of days; keeping {DEFAULT_AUDIT_KEEP_DAYS} days");
            DEFAULT_AUDIT_KEEP_DAYS
        }),
    };
    (days > 0).then(|| audit_keep_days(days))
}

/// `days` as a retention period.
pub fn audit_keep_days(days: u32) -> Duration {
    Duration::from_secs(u64::from(days) * 24 * 3600)
}

/// [`Store::append_audit`]'s transaction, on its connection.
fn append_row(
    conn: &mut rusqlite::Connection,
    e: &AuditEntry,
    completion: Option<&StoredCompletion>,
    at: Option<&str>,
) -> rusqlite::Result<i64> {
    let statement = capped_statement(e.statement.as_deref());
    let params = capped_params(e.params.as_ref());
    // `BEGIN IMMEDIATE` waits (busy timeout) for other writers; a deferred transaction
    // would read first and then fail to upgrade with SQLITE_BUSY instead of waiting.
    // Dropped without commit (an error below), the transaction rolls back.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // The id is AUTOINCREMENT's next one, so an id never comes back after rows at the
    // end were deleted. The hash continues from the newest chained row after the anchor,
    // or from the anchor itself (a missing anchor leaves the genesis hash, and
    // verification says the anchor is missing).
    let (id, previous, at): (i64, String, String) = tx
        .prepare_cached(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0),
                        coalesce((SELECT max(id) FROM audit_log), 0)) + 1,
                    coalesce((SELECT chain_hash FROM audit_log
                              WHERE id > coalesce(a.last_id, 0) AND chain_hash IS NOT NULL
                              ORDER BY id DESC LIMIT 1),
                             a.chain_hash, ?2),
                    coalesce(?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
             FROM (SELECT 1) LEFT JOIN audit_anchor a ON a.singleton = 1",
        )?
        .query_row(rusqlite::params![at, GENESIS_HASH], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    let start = StartFields {
        id,
        at: &at,
        client: e.client.as_deref(),
        client_version: e.client_version.as_deref(),
        transport: &e.transport,
        tool: &e.tool,
        profile: e.profile.as_deref(),
        statement: statement.as_deref(),
        params: params.as_deref(),
    };
    let chain_hash = start.chain_hash(&previous);
    let seal_hash = completion.map(|c| c.seal(&chain_hash));
    tx.prepare_cached(
        "INSERT INTO audit_log (id, at, client, client_version, transport, tool, profile, statement, params,
                                rows, bytes, duration_ms, outcome, error_code, error_message, chain_hash,
                                seal_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(rusqlite::params![
        id,
        at,
        e.client,
        e.client_version,
        e.transport,
        e.tool,
        e.profile,
        statement,
        params,
        completion.and_then(|c| c.rows),
        completion.and_then(|c| c.bytes),
        completion.map_or(0.0, |c| c.duration_ms),
        completion.map_or(AuditOutcome::Running.as_str(), |c| c.outcome.as_str()),
        completion.and_then(|c| c.error_code.as_deref()),
        completion.and_then(|c| c.error_message.as_deref()),
        chain_hash,
        seal_hash,
    ])?;
    tx.commit()?;
    Ok(id)
}

fn capped_statement(statement: Option<&str>) -> Option<String> {
    statement.map(|s| cap_text(s, MAX_AUDITED_TEXT_BYTES).into_owned())
}

/// The parameters as stored: their JSON, or when that is longer than the cap, the JSON
/// text cut and kept as one JSON string (so the column still reads back as JSON).
fn capped_params(params: Option<&serde_json::Value>) -> Option<String> {
    let text = params?.to_string();
    if text.len() <= MAX_AUDITED_TEXT_BYTES {
        return Some(text);
    }
    Some(serde_json::Value::String(cap_text(&text, MAX_AUDITED_TEXT_BYTES).into_owned()).to_string())
}

fn capped_message(message: Option<&str>) -> Option<String> {
    message.map(|m| cap_text(m, MAX_ERROR_MESSAGE_BYTES).into_owned())
}

/// What a row's chain hash covers: the row as written when the call started, as stored.
struct StartFields<'a> {
    id: i64,
    at: &'a str,
    client: Option<&'a str>,
    client_version: Option<&'a str>,
    transport: &'a str,
    tool: &'a str,
    profile: Option<&'a str>,
    statement: Option<&'a str>,
    params: Option<&'a str>,
}

impl StartFields<'_> {
    fn chain_hash(&self, previous: &str) -> String {
        CanonicalHash::new()
            .text(CHAIN_LABEL)
            .text(previous)
            .text(&self.id.to_string())
            .text(self.at)
            .optional(self.client)
            .optional(self.client_version)
            .text(self.transport)
            .text(self.tool)
            .optional(self.profile)
            .optional(self.statement)
            .optional(self.params)
            .finish()
    }
}

/// Writes a `running` row's completion and its seal in one transaction; a row that is no
/// longer `running` (completed, or interrupted at shutdown) is left as it is.
fn seal_row(conn: &mut rusqlite::Connection, id: i64, completion: &StoredCompletion) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let chain_hash: Option<Option<String>> = tx
        .prepare_cached("SELECT chain_hash FROM audit_log WHERE id = ?1 AND outcome = ?2")?
        .query_row(rusqlite::params![id, AuditOutcome::Running.as_str()], |row| row.get(0))
        .optional()?;
    let Some(chain_hash) = chain_hash else { return Ok(()) };
    // A row from before chaining gets no seal: verification does not look at it.
    let seal_hash = chain_hash.map(|hash| completion.seal(&hash));
    tx.prepare_cached(
        "UPDATE audit_log SET rows = ?2, bytes = ?3, duration_ms = ?4, outcome = ?5, error_code = ?6,
                              error_message = ?7, seal_hash = ?8
         WHERE id = ?1 AND outcome = ?9",
    )?
    .execute(rusqlite::params![
        id,
        completion.rows,
        completion.bytes,
        completion.duration_ms,
        completion.outcome,
        completion.error_code,
        completion.error_message,
        seal_hash,
        AuditOutcome::Running.as_str(),
    ])?;
    tx.commit()
}

/// A completion as it is stored, which is what its seal covers.
#[derive(Clone)]
struct StoredCompletion {
    rows: Option<i64>,
    bytes: Option<i64>,
    duration_ms: f64,
    outcome: String,
    error_code: Option<String>,
    error_message: Option<String>,
}

impl StoredCompletion {
    fn of(c: &AuditCompletion) -> StoredCompletion {
        StoredCompletion {
            rows: stored_count(c.rows),
            bytes: stored_count(c.bytes),
            duration_ms: stored_duration(c.duration_ms),
            outcome: c.outcome.as_str().to_owned(),
            error_code: c.error_code.clone(),
            error_message: capped_message(c.error_message.as_deref()),
        }
    }

    fn seal(&self, chain_hash: &str) -> String {
        CanonicalHash::new()
            .text(SEAL_LABEL)
            .text(chain_hash)
            .optional(self.rows.map(|n| n.to_string()).as_deref())
            .optional(self.bytes.map(|n| n.to_string()).as_deref())
            // The exact double SQLite hands back: Rust's shortest text that reads back to it.
            .text(&format!("{:?}", self.duration_ms))
            .text(&self.outcome)
            .optional(self.error_code.as_deref())
            .optional(self.error_message.as_deref())
            .finish()
    }
}

/// A count as stored: one past `i64::MAX` is not stored at all.
fn stored_count(n: Option<u64>) -> Option<i64> {
    n.and_then(|n| i64::try_from(n).ok())
}

/// The duration as SQLite hands it back, so the seal written now is the one verification
/// computes later: SQLite keeps a whole-number REAL as an integer (so `-0.0` comes back as
/// `0.0`) and cannot keep NaN; neither is a duration anyway.
fn stored_duration(ms: f64) -> f64 {
    if ms.is_finite() && ms != 0.0 { ms } else { 0.0 }
}

impl Store {
    /// Writes the row of a call that is about to run, with outcome `running`; returns its
    /// id for [`Store::complete_audit`]. An error means the call must not run.
    pub async fn start_audit(&self, e: &AuditEntry) -> Result<i64> {
        self.append_audit(e, None, None).await
    }

    /// Completes the row [`Store::start_audit`] wrote (only while it is still `running`).
    pub async fn complete_audit(&self, id: i64, c: &AuditCompletion) -> Result<()> {
        self.seal_audit(id, &StoredCompletion::of(c)).await
    }

    /// Marks rows still `running` as `interrupted`: their calls were abandoned at shutdown.
    pub async fn interrupt_audit(&self, ids: &[i64]) -> Result<()> {
        // A running row holds no rows, bytes, duration or error yet, so these are its values.
        let interrupted = StoredCompletion {
            rows: None,
            bytes: None,
            duration_ms: 0.0,
            outcome: AuditOutcome::Interrupted.as_str().to_owned(),
            error_code: None,
            error_message: None,
        };
        for id in ids {
            self.seal_audit(*id, &interrupted).await?;
        }
        Ok(())
    }

    /// Writes a whole row at once (a call that is already over).
    pub async fn record_audit(&self, e: &AuditEntry) -> Result<()> {
        let completion = StoredCompletion::of(&AuditCompletion {
            rows: e.rows,
            bytes: e.bytes,
            duration_ms: e.duration_ms,
            outcome: e.outcome,
            error_code: e.error_code.clone(),
            error_message: e.error_message.clone(),
        });
        self.append_audit(e, Some(&completion), None).await?;
        Ok(())
    }

    /// Appends a row to the chain: one transaction that takes the write lock first, reads
    /// the id and the hash to continue from, and inserts, on this thread unless it has to
    /// wait for the lock (src/hot_path.rs: this runs before every AI call). `at` is the
    /// time the lock was taken, unless a test gives one.
    async fn append_audit(
        &self,
        e: &AuditEntry,
        completion: Option<&StoredCompletion>,
        at: Option<&str>,
    ) -> Result<i64> {
        let (e, completion, at) = (e.clone(), completion.cloned(), at.map(str::to_owned));
        self.hot
            .write("write the audit log", move |conn| append_row(conn, &e, completion.as_ref(), at.as_deref()))
            .await
    }

    /// Writes a row's completion and its seal, only while the row is `running` (a
    /// completed row is final). On the hot-path connection, like the row's start: the two
    /// would otherwise contend for the write lock from two connections of this process,
    /// and the next call's start would wait on a blocking thread (src/hot_path.rs).
    async fn seal_audit(&self, id: i64, completion: &StoredCompletion) -> Result<()> {
        let completion = completion.clone();
        self.hot.write("complete the audit log", move |conn| seal_row(conn, id, &completion)).await
    }

    /// The newest `limit` entries, newest first.
    pub async fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query_as::<_, AuditRow>(
            "SELECT id, at, client, client_version, transport, tool, profile, statement, params, rows, bytes,
                    duration_ms, outcome, error_code, error_message
             FROM audit_log ORDER BY id DESC LIMIT ?1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("read the audit log", &e))?;
        rows.into_iter().map(AuditEntry::try_from).collect()
    }

    /// Walks the audit chain from its anchor to the newest row and reports the first row
    /// that does not verify: one changed, removed or inserted by anything but DB Dock.
    /// Rows are streamed from one read snapshot, so a log of any size costs little memory
    /// and other processes keep writing meanwhile.
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        self.walk_audit_chain().await.map_err(|e| store_error("verify the audit log", &e))
    }

    async fn walk_audit_chain(&self) -> sqlx::Result<AuditVerification> {
        // A deferred transaction: the anchor, the rows and AUTOINCREMENT's counter all come
        // from the snapshot its first read takes, whatever other processes write meanwhile.
        let mut tx = self.pool.begin().await?;
        let anchor: Option<Anchor> =
            sqlx::query_as("SELECT last_id, chain_hash, legacy_last_id, pruned FROM audit_anchor WHERE singleton = 1")
                .fetch_optional(&mut *tx)
                .await?;
        let counter: i64 =
            sqlx::query_scalar("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)")
                .fetch_one(&mut *tx)
                .await?;
        let Some(anchor) = anchor else {
            tx.rollback().await?;
            return Ok(AuditVerification {
                intact: false,
                rows: 0,
                legacy: 0,
                pruned: 0,
                running: 0,
                first_broken: Some(BrokenAuditRow {
                    id: 0,
                    reason: "the chain's anchor (table audit_anchor, where verification starts) is missing".into(),
                }),
                head: None,
            });
        };
        let mut walk = ChainWalk::new(anchor);
        let mut broken = walk.check_anchor().err();
        if broken.is_none() {
            let mut rows = sqlx::query(
                "SELECT id, at, client, client_version, transport, tool, profile, statement, params, rows, bytes,
                        duration_ms, outcome, error_code, error_message, chain_hash, seal_hash
                 FROM audit_log ORDER BY id",
            )
            .fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                if let Err(at_row) = walk.step(&row) {
                    broken = Some(at_row);
                    break;
                }
            }
        }
        let broken = broken.or_else(|| walk.check_end(counter).err());
        tx.rollback().await?;
        Ok(walk.report(broken))
    }

    /// Deletes the rows older than `keep` from the old end of the log (the oldest rows by
    /// id, up to the first one that is not older), and moves the anchor to the last row it
    /// deleted, in one transaction, so the rows kept still verify. Returns how many rows
    /// it deleted.
    pub async fn prune_audit(&self, keep: Duration) -> Result<u64> {
        self.prune_audit_rows(keep).await.map_err(|e| store_error("prune the audit log", &e))
    }

    async fn prune_audit_rows(&self, keep: Duration) -> sqlx::Result<u64> {
        let modifier = format!("-{} seconds", keep.as_secs());
        // Most calls have nothing to delete: find that out without taking the write lock.
        // (A cutoff SQLite cannot compute, thousands of years back, deletes nothing.)
        let (cutoff, oldest): (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1), (SELECT at FROM audit_log ORDER BY id LIMIT 1)",
        )
        .bind(&modifier)
        .fetch_one(&self.pool)
        .await?;
        let (Some(cutoff), Some(oldest)) = (cutoff, oldest) else { return Ok(0) };
        if oldest >= cutoff {
            return Ok(0);
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // The last row of the old prefix: the row before the first row that is not older.
        // NOT INDEXED walks ids from the oldest and stops there, instead of sorting every
        // newer row the index on `at` would find.
        let last: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT id, chain_hash FROM audit_log
             WHERE id < coalesce((SELECT id FROM audit_log NOT INDEXED WHERE at >= ?1 ORDER BY id LIMIT 1),
                                 9223372036854775807)
             ORDER BY id DESC LIMIT 1",
        )
        .bind(&cutoff)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((last_id, last_hash)) = last else { return Ok(0) };
        let deleted =
            sqlx::query("DELETE FROM audit_log WHERE id <= ?1").bind(last_id).execute(&mut *tx).await?.rows_affected();
        // The chain now continues from the last deleted row, with its hash as stored: had
        // someone changed that hash, the next row no longer matches, and verification still
        // says so. Deleting only rows from before chaining leaves the anchor where it is.
        // (In an UPDATE every expression reads the row's old values.)
        sqlx::query(
            "UPDATE audit_anchor SET pruned = pruned + ?2,
                                     chain_hash = CASE WHEN ?1 > last_id THEN coalesce(?3, '') ELSE chain_hash END,
                                     last_id = max(last_id, ?1)
             WHERE singleton = 1",
        )
        .bind(last_id)
        .bind(i64::try_from(deleted).unwrap_or(i64::MAX))
        .bind(&last_hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(deleted)
    }
}

/// The row of `audit_anchor`: where the chain begins.
#[derive(sqlx::FromRow)]
struct Anchor {
    /// The last id before the chain.
    last_id: i64,
    /// The hash the first chained row continues from.
    chain_hash: String,
    /// The last id written before the log was chained.
    legacy_last_id: i64,
    /// Rows retention has deleted.
    pruned: i64,
}

/// The walk of [`Store::verify_audit`], one row at a time.
struct ChainWalk {
    anchor: Anchor,
    /// The chain hash the next row must continue from.
    previous: String,
    /// The id the next chained row must have.
    expected_id: i64,
    rows: u64,
    legacy: u64,
    running: u64,
}

impl ChainWalk {
    fn new(anchor: Anchor) -> ChainWalk {
        ChainWalk {
            previous: anchor.chain_hash.clone(),
            expected_id: anchor.last_id.saturating_add(1),
            anchor,
            rows: 0,
            legacy: 0,
            running: 0,
        }
    }

    /// Until retention passes the rows from before chaining, the anchor is the one the
    /// migration wrote, with the genesis hash.
    fn check_anchor(&self) -> std::result::Result<(), BrokenAuditRow> {
        let anchor = &self.anchor;
        if anchor.last_id < anchor.legacy_last_id
            || (anchor.last_id == anchor.legacy_last_id && anchor.chain_hash != GENESIS_HASH)
        {
            return Err(BrokenAuditRow {
                id: self.expected_id,
                reason: "the chain's anchor (table audit_anchor, where verification starts) was changed".into(),
            });
        }
        Ok(())
    }

    fn step(&mut self, row: &SqliteRow) -> std::result::Result<(), BrokenAuditRow> {
        let id: i64 = column(row, self.expected_id, "id")?;
        let broken = |reason: String| BrokenAuditRow { id, reason };
        let chain_hash: Option<String> = column(row, id, "chain_hash")?;
        let seal_hash: Option<String> = column(row, id, "seal_hash")?;
        if id <= self.anchor.last_id {
            if self.anchor.last_id > self.anchor.legacy_last_id {
                return Err(broken(format!(
                    "retention deleted every row up to {}, so this row was added later by hand",
                    self.anchor.last_id
                )));
            }
            if chain_hash.is_some() || seal_hash.is_some() {
                return Err(broken(
                    "it carries a chain hash but lies before the start of the chain: the chain's anchor was moved"
                        .into(),
                ));
            }
            self.legacy += 1;
            return Ok(());
        }
        if id != self.expected_id {
            let missing = if id - 1 == self.expected_id {
                format!("row {} before it is missing (deleted)", self.expected_id)
            } else {
                format!("rows {} to {} before it are missing (deleted)", self.expected_id, id - 1)
            };
            return Err(broken(missing));
        }
        let Some(chain_hash) = chain_hash else {
            return Err(broken("it has no chain hash, so DB Dock did not write it (inserted by hand)".into()));
        };
        let at: String = column(row, id, "at")?;
        let client: Option<String> = column(row, id, "client")?;
        let client_version: Option<String> = column(row, id, "client_version")?;
        let transport: String = column(row, id, "transport")?;
        let tool: String = column(row, id, "tool")?;
        let profile: Option<String> = column(row, id, "profile")?;
        let statement: Option<String> = column(row, id, "statement")?;
        let params: Option<String> = column(row, id, "params")?;
        let start = StartFields {
            id,
            at: &at,
            client: client.as_deref(),
            client_version: client_version.as_deref(),
            transport: &transport,
            tool: &tool,
            profile: profile.as_deref(),
            statement: statement.as_deref(),
            params: params.as_deref(),
        };
        if start.chain_hash(&self.previous) != chain_hash {
            return Err(broken(
                "its chain hash does not match: the row was changed, or the row before it is missing or was changed"
                    .into(),
            ));
        }
        let completion = StoredCompletion {
            rows: column(row, id, "rows")?,
            bytes: column(row, id, "bytes")?,
            duration_ms: column(row, id, "duration_ms")?,
            outcome: column(row, id, "outcome")?,
            error_code: column(row, id, "error_code")?,
            error_message: column(row, id, "error_message")?,
        };
        let running = completion.outcome == AuditOutcome::Running.as_str();
        match (running, seal_hash) {
            (true, None) => self.running += 1,
            (true, Some(_)) => {
                return Err(broken("it says running but carries a completion seal: its outcome was changed".into()));
            }
            (false, None) => {
                return Err(broken(format!(
                    "it says {} but has no completion seal: its outcome was changed",
                    completion.outcome
                )));
            }
            (false, Some(seal)) => {
                if completion.seal(&chain_hash) != seal {
                    return Err(broken("its completion (rows, bytes, duration, outcome or error) was changed".into()));
                }
            }
        }
        self.rows += 1;
        self.previous = chain_hash;
        self.expected_id = id.saturating_add(1);
        Ok(())
    }

    /// AUTOINCREMENT's counter remembers the largest id ever used, and every row takes the
    /// next one: a counter past the last row means rows were deleted from the end.
    fn check_end(&self, counter: i64) -> std::result::Result<(), BrokenAuditRow> {
        if counter < self.expected_id {
            return Ok(());
        }
        let missing = if counter == self.expected_id {
            format!("row {counter}, the newest, is missing (deleted)")
        } else {
            format!("rows {} to {counter}, the newest, are missing (deleted)", self.expected_id)
        };
        Err(BrokenAuditRow { id: self.expected_id, reason: missing })
    }

    fn report(self, broken: Option<BrokenAuditRow>) -> AuditVerification {
        AuditVerification {
            intact: broken.is_none(),
            rows: self.rows,
            legacy: self.legacy,
            pruned: u64::try_from(self.anchor.pruned).unwrap_or(0),
            running: self.running,
            head: broken.is_none().then_some(self.previous),
            first_broken: broken,
        }
    }
}

/// A column of a row being verified; a value of the wrong type (text in a count, say) can
/// only have been written by hand.
fn column<'r, T>(row: &'r SqliteRow, id: i64, name: &str) -> std::result::Result<T, BrokenAuditRow>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(name)
        .map_err(|e| BrokenAuditRow { id, reason: format!("its {name} cannot be read ({e}): it was changed by hand") })
}

/// A row of `audit_log` as SQLite holds it.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: String,
    client: Option<String>,
    client_version: Option<String>,
    transport: String,
    tool: String,
    profile: Option<String>,
    statement: Option<String>,
    params: Option<String>,
    rows: Option<i64>,
    bytes: Option<i64>,
    duration_ms: f64,
    outcome: String,
    error_code: Option<String>,
    error_message: Option<String>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = Error;

    fn try_from(r: AuditRow) -> Result<AuditEntry> {
        let count = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        let outcome = AuditOutcome::parse(&r.outcome)
            .ok_or_else(|| Error::internal(format!("the audit log holds an unknown outcome '{}'", r.outcome)))?;
        Ok(AuditEntry {
            id: r.id,
            at: r.at,
            client: r.client,
            client_version: r.client_version,
            transport: r.transport,
            tool: r.tool,
            profile: r.profile,
            statement: r.statement,
            params: r.params.and_then(|p| serde_json::from_str(&p).ok()),
            rows: count(r.rows),
            bytes: count(r.bytes),
            duration_ms: r.duration_ms,
            outcome,
            error_code: r.error_code,
            error_message: r.error_message,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Home;

    fn entry(statement: &str, params: serde_json::Value) -> AuditEntry {
        AuditEntry {
            client: Some("test".into()),
            transport: "stdio".into(),
            tool: "execute-query".into(),
            profile: Some("pg".into()),
            statement: Some(statement.into()),
            params: Some(params),
            ..AuditEntry::default()
        }
    }

    #[tokio::test]
    async fn a_row_is_running_until_completed_or_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let first = store.start_audit(&entry("SELECT 1", serde_json::json!([1]))).await.unwrap();
        let second = store.start_audit(&entry("SELECT 2", serde_json::json!([]))).await.unwrap();
        let rows = store.audit_entries(10).await.unwrap();
        assert!(rows.iter().all(|r| r.outcome == AuditOutcome::Running), "{rows:?}");
        let done = AuditCompletion {
            rows: Some(1),
            bytes: Some(10),
            duration_ms: 2.5,
            outcome: AuditOutcome::Ok,
            error_code: None,
            error_message: None,
        };
        store.complete_audit(first, &done).await.unwrap();
        store.interrupt_audit(&[first, second]).await.unwrap();
        // Completing twice changes nothing: a completed row is final.
        store.complete_audit(second, &done).await.unwrap();
        let rows = store.audit_entries(10).await.unwrap();
        let by_id = |id| rows.iter().find(|r| r.id == id).unwrap();
        assert_eq!((by_id(first).outcome, by_id(first).rows), (AuditOutcome::Ok, Some(1)));
        assert_eq!(by_id(second).outcome, AuditOutcome::Interrupted);
        store.close().await;
    }

    #[tokio::test]
    async fn long_statements_params_and_messages_are_cut() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let huge = "x".repeat(100_000);
        let id = store.start_audit(&entry(&huge, serde_json::json!([huge]))).await.unwrap();
        let failed = AuditCompletion {
            rows: None,
            bytes: None,
            duration_ms: 1.0,
            outcome: AuditOutcome::Error,
            error_code: Some("QUERY_FAILED".into()),
            error_message: Some(huge.clone()),
        };
        store.complete_audit(id, &failed).await.unwrap();
        let row = store.audit_entries(1).await.unwrap().remove(0);
        let statement = row.statement.unwrap();
        assert!(statement.len() < MAX_AUDITED_TEXT_BYTES + 64 && statement.ends_with("more bytes]"), "{statement}");
        let params = row.params.unwrap();
        let params = params.as_str().unwrap();
        assert!(params.len() < MAX_AUDITED_TEXT_BYTES + 64 && params.starts_with("[\"xxx"), "{params}");
        assert!(row.error_message.unwrap().len() < MAX_ERROR_MESSAGE_BYTES + 64);
        store.close().await;
    }

    /// A log as busy endpoints leave it.
    struct BusyLog {
        dir: tempfile::TempDir,
        store: Store,
        /// Ids of rows left `running`.
        running: Vec<i64>,
        /// The newest id.
        last: i64,
    }

    /// 1,000 rows: started from two stores on one file (two processes) and several tasks
    /// each, completed in random order, some interrupted, some recorded whole, some left
    /// running.
    async fn busy_log() -> BusyLog {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let other_process = Store::open(Home::at(dir.path())).await.unwrap();
        let mut writers = Vec::new();
        for (n, store) in [&store, &other_process, &store, &other_process].into_iter().enumerate() {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..240 {
                    ids.push(
                        store
                            .start_audit(&entry(&format!("SELECT {n}, {i}"), serde_json::json!([n, i])))
                            .await
                            .unwrap(),
                    );
                    if i % 24 == 0 {
                        let mut whole = entry("SELECT 'whole'", serde_json::json!(null));
                        (whole.outcome, whole.rows, whole.duration_ms) = (AuditOutcome::Ok, Some(3), 0.25);
                        store.record_audit(&whole).await.unwrap();
                    }
                }
                ids
            }));
        }
        let mut started = Vec::new();
        for writer in writers {
            started.extend(writer.await.unwrap());
        }
        other_process.close().await;
        assert_eq!(started.len(), 960);
        fastrand::shuffle(&mut started);
        let (to_complete, rest) = started.split_at(700);
        let (to_interrupt, to_leave) = rest.split_at(100);
        for (i, id) in to_complete.iter().enumerate() {
            let failed = i % 7 == 0;
            let completion = AuditCompletion {
                rows: (!failed).then_some(i as u64),
                bytes: (!failed).then_some(i as u64 * 10),
                duration_ms: i as f64 * 0.37,
                outcome: if failed { AuditOutcome::Error } else { AuditOutcome::Ok },
                error_code: failed.then(|| "QUERY_FAILED".to_owned()),
                error_message: failed.then(|| format!("failure {i}")),
            };
            store.complete_audit(*id, &completion).await.unwrap();
        }
        store.interrupt_audit(to_interrupt).await.unwrap();
        // A completion that arrives after the row was interrupted changes nothing.
        let late = AuditCompletion {
            rows: Some(1),
            bytes: None,
            duration_ms: 1.0,
            outcome: AuditOutcome::Ok,
            error_code: None,
            error_message: None,
        };
        store.complete_audit(to_interrupt[0], &late).await.unwrap();
        let mut running = to_leave.to_vec();
        running.sort_unstable();
        let last = store.audit_entries(1).await.unwrap()[0].id;
        BusyLog { dir, store, running, last }
    }

    impl BusyLog {
        /// Runs SQL on the store's file over a connection of its own, as `sqlite3` would.
        async fn by_hand(&self, sql: &str) {
            use sqlx::{ConnectOptions, Connection};
            let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(self.dir.path().join("dbdock.db"))
                .busy_timeout(Duration::from_secs(15))
                .connect()
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }

        async fn broken(&self) -> BrokenAuditRow {
            let verification = self.store.verify_audit().await.unwrap();
            assert!(!verification.intact && verification.head.is_none(), "{verification:?}");
            verification.first_broken.unwrap()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_busy_log_verifies_intact() {
        let log = busy_log().await;
        let verification = log.store.verify_audit().await.unwrap();
        assert!(verification.intact, "{verification:?}");
        assert_eq!((verification.rows, verification.legacy, verification.pruned), (1000, 0, 0));
        assert_eq!((verification.running, log.last), (log.running.len() as u64, 1000));
        let head: String = sqlx::query_scalar("SELECT chain_hash FROM audit_log WHERE id = ?1")
            .bind(log.last)
            .fetch_one(&log.store.pool)
            .await
            .unwrap();
        assert_eq!(verification.head, Some(head));
        log.store.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_changed_statement_is_found_at_its_row() {
        let log = busy_log().await;
        log.by_hand("UPDATE audit_log SET statement = 'SELECT 1' WHERE id = 500").await;
        let broken = log.broken().await;
        assert_eq!(broken.id, 500, "{broken:?}");
        assert!(broken.reason.contains("the row was changed"), "{broken:?}");
        log.store.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_deleted_row_is_found_at_the_next_row() {
        let log = busy_log().await;
        log.by_hand("DELETE FROM audit_log WHERE id = 500").await;
        let broken = log.broken().await;
        assert_eq!(broken, BrokenAuditRow { id: 501, reason: "row 500 before it is missing (deleted)".into() });
        log.store.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_deleted_from_the_end_are_found() {
        let log = busy_log().await;
        log.by_hand("DELETE FROM audit_log WHERE id > 997").await;
        let broken = log.broken().await;
        assert_eq!(
            broken,
            BrokenAuditRow { id: 998, reason: "rows 998 to 1000, the newest, are missing (deleted)".into() }
        );
        log.store.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_row_inserted_by_hand_is_found() {
        let log = busy_log().await;
        log.by_hand(
            "INSERT INTO audit_log (transport, tool, statement, duration_ms, outcome)
             VALUES ('stdio', 'execute-query', 'SELECT alibi', 1.0, 'ok')",
        )
        .await;
        let broken = log.broken().await;
        assert_eq!(broken.id, 1001, "{broken:?}");
        assert!(broken.reason.contains("no chain hash"), "{broken:?}");
        // DB Dock's next row does not hide it.
        log.store.start_audit(&entry("SELECT 3", serde_json::json!([]))).await.unwrap();
        assert_eq!(log.broken().await.id, 1001);
        log.store.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_row_replaced_under_its_id_is_found() {
        let log = busy_log().await;
        let forged = |hash: &str| {
            format!(
                "DELETE FROM audit_log WHERE id = 500;
                 INSERT INTO audit_log (id, at, transport, tool, statement, duration_ms, outcome, chain_hash)
                 VALUES (500, '2020-01-01T00:00:00.000Z', 'stdio', 'execute-query', 'SELECT alibi', 0, 'running',
                         '{hash}')"
            )
        };
        log.by_hand(&forged(&"ab".repeat(32))).await;
        let broken = log.broken().await;
        assert_eq!(broken.id, 500, "{broken:?}");
        // Forged with a hash computed the way DB Dock computes it, the row itself passes,
        // and the row after it no longer continues the chain.
        let previous: String = sqlx::query_scalar("SELECT chain_hash FROM audit_log WHERE id = 499")
            .fetch_one(&log.store.pool)
            .await
            .unwrap();
        let start = StartFields {
            id: 500,
            at: "2020-01-01T00:00:00.000Z",
            client: None,
            client_version: None,
            transport: "stdio",
            tool: "execute-query",
            profile: None,
            statement: Some("SELECT alibi"),
            params: None,
        };
        log.by_hand(&forged(&start.chain_hash(&previous))).await;
        let broken = log.broken().await;
        assert_eq!(broken.id, 501, "{broken:?}");
        assert!(broken.reason.contains("the row before it is missing or was changed"), "{broken:?}");
        log.store.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_changed_completion_is_found() {
        let log = busy_log().await;
        // A row that completed `ok` with a row count.
        let completed: i64 =
            sqlx::query_scalar("SELECT id FROM audit_log WHERE outcome = 'ok' AND rows > 0 LIMIT 1 OFFSET 10")
                .fetch_one(&log.store.pool)
                .await
                .unwrap();
        log.by_hand(&format!("UPDATE audit_log SET rows = rows + 1 WHERE id = {completed}")).await;
        let broken = log.broken().await;
        assert_eq!(broken.id, completed, "{broken:?}");
        assert!(broken.reason.contains("completion"), "{broken:?}");
        // Changed back, the row verifies again: the seal covers exactly what is stored.
        log.by_hand(&format!("UPDATE audit_log SET rows = rows - 1 WHERE id = {completed}")).await;
        assert!(log.store.verify_audit().await.unwrap().intact);
        // A value of the wrong type is a finding, not an error of the verification.
        log.by_hand(&format!("UPDATE audit_log SET bytes = 'many' WHERE id = {completed}")).await;
        let broken = log.broken().await;
        assert!(broken.id == completed && broken.reason.contains("bytes"), "{broken:?}");
        log.store.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_running_row_completed_by_hand_is_found() {
        let log = busy_log().await;
        let running = log.running[0];
        log.by_hand(&format!("UPDATE audit_log SET outcome = 'ok', rows = 0 WHERE id = {running}")).await;
        let broken = log.broken().await;
        assert_eq!(broken.id, running, "{broken:?}");
        assert!(broken.reason.contains("no completion seal"), "{broken:?}");
        log.store.close().await;
    }

    #[tokio::test]
    async fn pruning_deletes_the_old_end_and_keeps_the_chain_verifiable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        assert_eq!(store.prune_audit(audit_keep_days(90)).await.unwrap(), 0, "an empty log");
        let old = "2020-01-01T00:00:00.000Z";
        let mut ids = Vec::new();
        for i in 0..30 {
            // The oldest rows: some completed, some still running (their process died).
            let id = store.append_audit(&entry(&format!("SELECT {i}"), serde_json::json!([])), None, Some(old)).await;
            ids.push(id.unwrap());
        }
        let done = AuditCompletion {
            rows: Some(1),
            bytes: Some(1),
            duration_ms: 1.0,
            outcome: AuditOutcome::Ok,
            error_code: None,
            error_message: None,
        };
        for id in &ids[..20] {
            store.complete_audit(*id, &done).await.unwrap();
        }
        let recent = store.start_audit(&entry("SELECT 'recent'", serde_json::json!([]))).await.unwrap();
        // An old row after a recent one is not part of the old end: it stays.
        let late_old =
            store.append_audit(&entry("SELECT 'late'", serde_json::json!([])), None, Some(old)).await.unwrap();
        store.complete_audit(recent, &done).await.unwrap();

        assert_eq!(store.prune_audit(audit_keep_days(90)).await.unwrap(), 30);
        assert_eq!(store.prune_audit(audit_keep_days(90)).await.unwrap(), 0, "nothing older is left at the old end");
        let kept: Vec<i64> = store.audit_entries(100).await.unwrap().iter().map(|e| e.id).collect();
        assert_eq!(kept, [late_old, recent]);
        let verification = store.verify_audit().await.unwrap();
        assert!(verification.intact, "{verification:?}");
        assert_eq!((verification.rows, verification.pruned, verification.running), (2, 30, 1));

        // Rows written after pruning continue the chain; tampering after it is still found.
        let next = store.start_audit(&entry("SELECT 'next'", serde_json::json!([]))).await.unwrap();
        assert!(store.verify_audit().await.unwrap().intact);
        sqlx::query("DELETE FROM audit_log WHERE id = ?1").bind(late_old).execute(&store.pool).await.unwrap();
        let broken = store.verify_audit().await.unwrap().first_broken.unwrap();
        assert_eq!(broken.id, next, "{broken:?}");
        // A row put back below the anchor is no legacy row either.
        sqlx::query(
            "INSERT INTO audit_log (id, transport, tool, duration_ms, outcome) VALUES (5, 'stdio', 't', 0, 'ok')",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        let broken = store.verify_audit().await.unwrap().first_broken.unwrap();
        assert!(broken.id == 5 && broken.reason.contains("retention deleted"), "{broken:?}");
        store.close().await;
    }

    #[tokio::test]
    async fn rows_from_before_chaining_are_counted_not_verified() {
        use sqlx::{ConnectOptions, Connection};
        // A home as a release before migration 0009 left it, with four calls of which the
        // newest was deleted (AUTOINCREMENT's counter stays at 4).
        let dir = tempfile::tempdir().unwrap();
        let old_migrations = dir.path().join("migrations");
        std::fs::create_dir(&old_migrations).unwrap();
        for file in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap() {
            let file = file.unwrap();
            if file.file_name().to_string_lossy().as_ref() < "0009" {
                std::fs::copy(file.path(), old_migrations.join(file.file_name())).unwrap();
            }
        }
        let home = Home::at(dir.path().join("home"));
        home.ensure().unwrap();
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(home.database_path())
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .connect()
            .await
            .unwrap();
        sqlx::migrate::Migrator::new(old_migrations.as_path()).await.unwrap().run(&mut conn).await.unwrap();
        sqlx::raw_sql(
            "INSERT INTO audit_log (at, transport, tool, duration_ms, outcome) VALUES
                 ('2020-01-01T00:00:00.000Z', 'stdio', 'list-connections', 1, 'ok'),
                 ('2020-01-01T00:00:01.000Z', 'stdio', 'list-connections', 1, 'ok'),
                 ('2020-01-01T00:00:02.000Z', 'stdio', 'list-connections', 1, 'running'),
                 ('2020-01-01T00:00:03.000Z', 'stdio', 'list-connections', 1, 'ok');
             DELETE FROM audit_log WHERE id = 4;",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();

        let store = Store::open(home).await.unwrap();
        let verification = store.verify_audit().await.unwrap();
        assert!(verification.intact, "{verification:?}");
        assert_eq!((verification.rows, verification.legacy), (0, 3));
        let first = store.start_audit(&entry("SELECT 1", serde_json::json!([]))).await.unwrap();
        assert_eq!(first, 5, "the chain begins after every id used before it");
        // A legacy row still running completes as before, without a seal.
        store.interrupt_audit(&[3]).await.unwrap();
        let verification = store.verify_audit().await.unwrap();
        assert!(verification.intact, "{verification:?}");
        assert_eq!((verification.rows, verification.legacy, verification.running), (1, 3, 1));
        // Retention deletes the legacy rows; the chain's start stays where it was.
        assert_eq!(store.prune_audit(audit_keep_days(90)).await.unwrap(), 3);
        let verification = store.verify_audit().await.unwrap();
        assert!(verification.intact, "{verification:?}");
        assert_eq!((verification.rows, verification.legacy, verification.pruned), (1, 0, 3));
        store.close().await;
    }

    #[tokio::test]
    async fn the_chain_covers_every_start_field_and_the_seal_every_completion_field() {
        let start = StartFields {
            id: 7,
            at: "2026-01-01T00:00:00.000Z",
            client: Some("c"),
            client_version: None,
            transport: "stdio",
            tool: "execute-query",
            profile: Some("p"),
            statement: Some("SELECT 1"),
            params: Some("[]"),
        };
        let base = start.chain_hash(GENESIS_HASH);
        let variants = [
            StartFields { id: 8, ..start },
            StartFields { at: "2026-01-01T00:00:00.001Z", ..start },
            StartFields { client: None, ..start },
            StartFields { client_version: Some(""), ..start },
            StartFields { transport: "http", ..start },
            StartFields { tool: "explain-query", ..start },
            StartFields { profile: Some("q"), ..start },
            StartFields { statement: Some("SELECT 2"), ..start },
            StartFields { params: None, ..start },
        ];
        for variant in &variants {
            assert_ne!(variant.chain_hash(GENESIS_HASH), base);
        }
        assert_ne!(start.chain_hash(&"1".repeat(64)), base, "the hash before it counts");
        let completion = StoredCompletion {
            rows: Some(1),
            bytes: Some(2),
            duration_ms: 1.5,
            outcome: "ok".into(),
            error_code: None,
            error_message: None,
        };
        let seal = completion.seal(&base);
        assert_ne!(seal, base);
        let changed = [
            StoredCompletion { rows: None, ..completion.clone() },
            StoredCompletion { bytes: Some(3), ..completion.clone() },
            StoredCompletion { duration_ms: 1.5000000000000002, ..completion.clone() },
            StoredCompletion { outcome: "error".into(), ..completion.clone() },
            StoredCompletion { error_code: Some(String::new()), ..completion.clone() },
            StoredCompletion { error_message: Some("x".into()), ..completion.clone() },
        ];
        for variant in &changed {
            assert_ne!(variant.seal(&base), seal);
        }
        assert_ne!(completion.seal(&start.chain_hash(&"1".repeat(64))), seal, "the seal is bound to its row");
        assert_eq!(stored_duration(-0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(stored_duration(f64::NAN), 0.0);
    }
}

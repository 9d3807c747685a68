//! PostgreSQL's function policy for read-only calls: a function is judged by what the
//! server's catalog says of it, not by a list of names in our source, so a side-effecting
//! function DB Dock has never heard of is refused too (docs/safety.md, "function policy").
//!
//! The rule, for every function a statement calls (as the statement check lists them):
//! - any overload marked VOLATILE is refused, except a short reviewed list of volatile
//!   `pg_catalog` functions that only read (sizes, clocks, random numbers, WAL positions);
//!   VOLATILE is how PostgreSQL marks functions with side effects (`nextval`, advisory
//!   locks, `pg_terminate_backend`, `lo_import`, `set_config`, `dblink*`, replication-slot
//!   functions) and those that run SQL given as a string (`query_to_xml`, `ts_stat`,
//!   `ts_rewrite(…, text)`, `cursor_to_xml`);
//! - a SECURITY DEFINER function outside `pg_catalog` is refused: it runs with its
//!   owner's rights, past the least-privilege login;
//! - a function the catalog does not know is left to the server (it fails to resolve).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dbdock_core::{Error, ErrorCode, FunctionName, Result};
use sqlx::PgPool;

/// Volatile `pg_catalog` functions that only read: what PostgreSQL marks volatile because
/// the answer changes between calls, not because they change anything.
const READING_VOLATILE: &[&str] = &[
    "random",
    "clock_timestamp",
    "timeofday",
    "gen_random_uuid",
    "currval",
    "lastval",
    "pg_relation_size",
    "pg_table_size",
    "pg_indexes_size",
    "pg_total_relation_size",
    "pg_database_size",
    "pg_tablespace_size",
    "pg_is_in_recovery",
    "pg_current_wal_lsn",
    "pg_current_wal_flush_lsn",
    "pg_current_wal_insert_lsn",
    "pg_last_wal_receive_lsn",
    "pg_last_wal_replay_lsn",
    "pg_last_xact_replay_timestamp",
    "pg_blocking_pids",
    "pg_safe_snapshot_blocking_pids",
    "pg_lock_status",
    "pg_partition_tree",
    "pg_partition_ancestors",
    "pg_jit_available",
    "pg_notification_queue_usage",
    "pg_sequence_last_value",
    "pg_xact_status",
    "txid_status",
    "pg_xact_commit_timestamp",
    "pg_collation_actual_version",
    "pg_database_collation_actual_version",
];

/// How long a verdict is trusted: functions are rarely redefined, and a call that names
/// no function never asks.
const VERDICT_TTL: Duration = Duration::from_secs(60);

const CATALOG_SQL: &str = "SELECT p.proname::text, n.nspname::text, p.provolatile::text, p.prosecdef \
                           FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
                           WHERE p.proname = ANY($1)";

#[derive(Debug, Clone)]
enum Verdict {
    Allowed,
    Refused(String),
}

/// The catalog's verdicts on functions, cached per connection target.
#[derive(Default)]
pub(crate) struct FunctionPolicy {
    verdicts: Mutex<HashMap<FunctionName, (Instant, Verdict)>>,
}

struct Overload {
    schema: String,
    volatility: String,
    security_definer: bool,
}

impl FunctionPolicy {
    /// Refuses the call when any function it names is one the policy refuses. Costs one
    /// round trip when a name is not in the cache, none otherwise.
    pub async fn check(&self, pool: &PgPool, functions: &[FunctionName]) -> Result<()> {
        let unknown: Vec<&FunctionName> = {
            let verdicts =
                self.verdicts.lock().map_err(|_| Error::internal("the function policy cache is poisoned"))?;
            functions.iter().filter(|f| verdicts.get(f).is_none_or(|(at, _)| at.elapsed() > VERDICT_TTL)).collect()
        };
        if !unknown.is_empty() {
            let names: Vec<String> = unknown.iter().map(|f| f.name.clone()).collect();
            let rows: Vec<(String, String, String, bool)> =
                sqlx::query_as(CATALOG_SQL).bind(&names).fetch_all(pool).await.map_err(|e| {
                    Error::new(ErrorCode::QueryFailed, format!("could not read the function catalog: {e}"))
                })?;
            let mut overloads: HashMap<&str, Vec<Overload>> = HashMap::new();
            for (name, schema, volatility, security_definer) in &rows {
                overloads.entry(name.as_str()).or_default().push(Overload {
                    schema: schema.clone(),
                    volatility: volatility.clone(),
                    security_definer: *security_definer,
                });
            }
            let mut verdicts =
                self.verdicts.lock().map_err(|_| Error::internal("the function policy cache is poisoned"))?;
            for function in unknown {
                let found = overloads.get(function.name.as_str()).map(Vec::as_slice).unwrap_or_default();
                verdicts.insert(function.clone(), (Instant::now(), judge(function, found)));
            }
        }
        let verdicts = self.verdicts.lock().map_err(|_| Error::internal("the function policy cache is poisoned"))?;
        for function in functions {
            if let Some((_, Verdict::Refused(reason))) = verdicts.get(function) {
                return Err(Error::new(
                    ErrorCode::ReadOnlyViolation,
                    format!(
                        "{function} {reason}. This connection is read-only: ask the user to allow writes for the \
                         profile if a change is really needed"
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn judge(function: &FunctionName, overloads: &[Overload]) -> Verdict {
    let matching = overloads.iter().filter(|o| function.schema.as_deref().is_none_or(|s| s == o.schema));
    for overload in matching {
        let in_catalog = overload.schema == "pg_catalog";
        if overload.security_definer && !in_catalog {
            return Verdict::Refused(format!(
                "is SECURITY DEFINER in schema {}: it runs with its owner's rights",
                overload.schema
            ));
        }
        if overload.volatility == "v" && !(in_catalog && READING_VOLATILE.contains(&function.name.as_str())) {
            return Verdict::Refused(format!(
                "is marked VOLATILE in schema {} (it may change something or run SQL given as text)",
                overload.schema
            ));
        }
    }
    Verdict::Allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overload(schema: &str, volatility: &str, security_definer: bool) -> Overload {
        Overload { schema: schema.into(), volatility: volatility.into(), security_definer }
    }

    fn name(schema: Option<&str>, name: &str) -> FunctionName {
        FunctionName { schema: schema.map(Into::into), name: name.into() }
    }

    #[test]
    fn volatility_and_rights_decide() {
        let refused = |v: &Verdict| matches!(v, Verdict::Refused(_));
        assert!(refused(&judge(&name(None, "nextval"), &[overload("pg_catalog", "v", false)])));
        assert!(!refused(&judge(&name(None, "random"), &[overload("pg_catalog", "v", false)])));
        // An allowed pg_catalog name is still refused when a volatile one in another schema
        // could be the one resolved.
        assert!(refused(&judge(&name(None, "random"), &[overload("public", "v", false)])));
        assert!(!refused(&judge(&name(None, "lower"), &[overload("pg_catalog", "i", false)])));
        assert!(refused(&judge(
            &name(None, "ts_rewrite"),
            &[overload("pg_catalog", "i", false), overload("pg_catalog", "v", false)]
        )));
        assert!(refused(&judge(&name(None, "report"), &[overload("app", "s", true)])));
        assert!(!refused(&judge(&name(None, "full_name"), &[overload("app", "s", false)])));
        assert!(!refused(&judge(&name(Some("app"), "f"), &[overload("other", "v", false)])));
        assert!(!refused(&judge(&name(None, "coalesce"), &[])));
    }
}

//! The read-only transaction's tripwire. SQL Server has no read-only transaction, so a
//! read-only call runs inside `BEGIN TRANSACTION … ROLLBACK`, which a statement the
//! classifier misread could end (`COMMIT`) or replace (`COMMIT; BEGIN TRAN`). The batch
//! that begins the transaction also reads its id and depth; the batch that rolls it back
//! reads them first. If they differ the statement tampered with the transaction, and the
//! call fails with READ_ONLY_VIOLATION (docs/safety.md, "SQL Server"). Both readings ride
//! on batches DB Dock sends anyway: no extra round trip.
//!
//! `CURRENT_TRANSACTION_ID()` (SQL Server 2016 and later) tells a replaced transaction
//! from the original; where the server lacks it, only the depth (`@@TRANCOUNT`) is
//! compared, which catches an ended or nested transaction but not `COMMIT; BEGIN TRAN`.

use dbdock_core::{Error, ErrorCode};

/// Begins DB Dock's transaction (after rolling back anything a pooled connection still
/// held) and reads its id and depth.
pub(crate) const BEGIN_WITH_ID: &str = "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION; BEGIN TRANSACTION; \
     SELECT CURRENT_TRANSACTION_ID(), CAST(@@TRANCOUNT AS int)";
/// [`BEGIN_WITH_ID`] for servers without `CURRENT_TRANSACTION_ID()`.
pub(crate) const BEGIN_WITHOUT_ID: &str = "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION; BEGIN TRANSACTION; \
     SELECT CAST(NULL AS bigint), CAST(@@TRANCOUNT AS int)";
/// Reads the transaction's id and depth after the statement, then rolls back whatever is
/// open, in one batch.
pub(crate) const END_WITH_ID: &str =
    "SELECT CURRENT_TRANSACTION_ID(), CAST(@@TRANCOUNT AS int); IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION";
/// [`END_WITH_ID`] for servers without `CURRENT_TRANSACTION_ID()`.
pub(crate) const END_WITHOUT_ID: &str =
    "SELECT CAST(NULL AS bigint), CAST(@@TRANCOUNT AS int); IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION";

/// The transaction as the session saw it at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    /// `CURRENT_TRANSACTION_ID()`, where the server has it.
    pub id: Option<i64>,
    /// `@@TRANCOUNT`.
    pub depth: i32,
}

/// Why the statement is judged to have tampered with DB Dock's transaction, if it did.
/// `after` is `None` when the check could not be read back (a `SET NOEXEC ON`,
/// `PARSEONLY` or `FMTONLY` makes the server skip DB Dock's own statements).
pub(crate) fn tampering(before: Mark, after: Option<Mark>, statement_failed: bool) -> Option<&'static str> {
    let Some(after) = after else {
        return (!statement_failed).then_some("DB Dock could not read its transaction back after the statement");
    };
    if after.depth > before.depth {
        return Some("the statement began a transaction of its own");
    }
    if after.depth < before.depth {
        // An error may roll the transaction back (XACT_ABORT, a doomed transaction): then the
        // statement's own error is the answer, and nothing it did survives.
        return (!statement_failed).then_some("the statement ended DB Dock's transaction");
    }
    match (before.id, after.id) {
        (Some(a), Some(b)) if a != b => Some("the statement ended DB Dock's transaction and began another"),
        _ => None,
    }
}

/// The error a tampered call fails with.
pub(crate) fn violation(reason: &str) -> Error {
    Error::new(
        ErrorCode::ReadOnlyViolation,
        format!(
            "the read-only transaction was tampered with: {reason}. What was still open was rolled back and the \
             connection closed; anything committed before that may have been written. Send one read statement \
             (SELECT or WITH … SELECT)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: Mark = Mark { id: Some(7), depth: 1 };

    #[test]
    fn the_batches_read_id_and_depth_in_the_same_round_trip_as_begin_and_rollback() {
        assert!(BEGIN_WITH_ID.contains("BEGIN TRANSACTION; SELECT CURRENT_TRANSACTION_ID(), CAST(@@TRANCOUNT AS int)"));
        assert!(BEGIN_WITH_ID.starts_with("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;"));
        assert!(BEGIN_WITHOUT_ID.ends_with("SELECT CAST(NULL AS bigint), CAST(@@TRANCOUNT AS int)"));
        // The reading comes before the rollback, or it would always read nought.
        for end in [END_WITH_ID, END_WITHOUT_ID] {
            let read = end.find("@@TRANCOUNT AS int").unwrap_or(usize::MAX);
            let rollback = end.find("ROLLBACK").unwrap_or(0);
            assert!(read < rollback, "{end}");
        }
    }

    #[test]
    fn an_untouched_transaction_passes() {
        assert_eq!(tampering(ID, Some(ID), false), None);
        assert_eq!(tampering(ID, Some(ID), true), None);
        let without_ids = Mark { id: None, depth: 1 };
        assert_eq!(tampering(without_ids, Some(without_ids), false), None);
    }

    #[test]
    fn ended_replaced_or_nested_transactions_are_caught() {
        // SELECT 1 COMMIT
        assert!(tampering(ID, Some(Mark { id: Some(9), depth: 0 }), false).is_some());
        // SELECT 1; COMMIT; BEGIN TRAN
        assert!(tampering(ID, Some(Mark { id: Some(8), depth: 1 }), false).is_some());
        assert!(tampering(ID, Some(Mark { id: Some(8), depth: 1 }), true).is_some());
        // BEGIN TRAN inside DB Dock's
        assert!(tampering(ID, Some(Mark { id: Some(7), depth: 2 }), false).is_some());
        assert!(tampering(ID, Some(Mark { id: Some(7), depth: 2 }), true).is_some());
        // SET NOEXEC ON: nothing came back.
        assert!(tampering(ID, None, false).is_some());
    }

    #[test]
    fn an_error_that_rolled_back_is_the_statements_own_answer() {
        assert_eq!(tampering(ID, Some(Mark { id: Some(9), depth: 0 }), true), None);
        assert_eq!(tampering(ID, None, true), None);
    }
}

//! Writes an AI client asks for on a connection whose AI access is `ask`: the request the
//! user approves or denies, where it stands, and what its dry run showed (docs/safety.md,
//! "Approval").

use serde::{Deserialize, Serialize};

use crate::{Error, Value, canonical_sha256};

/// A row as a preview shows it.
pub fn preview_row(row: &[Value]) -> Vec<Option<String>> {
    row.iter().map(Value::display_text).collect()
}

/// Where one approval request stands. `Pending` is the only state a decision can change;
/// `Approved` is taken once by the process that asked (it becomes `Running`), so an
/// approval runs its statement at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ApprovalState {
    /// Waiting for the user.
    Pending,
    /// The user approved; the asking process has not taken it yet.
    Approved,
    /// Taken by the asking process; its statement is running.
    Running,
    /// Ran and succeeded.
    Executed,
    /// Ran and failed (the database refused it).
    Failed,
    /// The user said no.
    Denied,
    /// Nobody answered in time, or the client stopped waiting.
    Expired,
    /// The asking process went away (it crashed or was killed) before a decision.
    Abandoned,
}

impl ApprovalState {
    pub const ALL: [ApprovalState; 8] = [
        ApprovalState::Pending,
        ApprovalState::Approved,
        ApprovalState::Running,
        ApprovalState::Executed,
        ApprovalState::Failed,
        ApprovalState::Denied,
        ApprovalState::Expired,
        ApprovalState::Abandoned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalState::Pending => "pending",
            ApprovalState::Approved => "approved",
            ApprovalState::Running => "running",
            ApprovalState::Executed => "executed",
            ApprovalState::Failed => "failed",
            ApprovalState::Denied => "denied",
            ApprovalState::Expired => "expired",
            ApprovalState::Abandoned => "abandoned",
        }
    }

    pub fn parse(text: &str) -> Option<ApprovalState> {
        ApprovalState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Who decided: the desktop app, `dbdock approvals` in a terminal, or the user answering
/// through the AI client (MCP elicitation or an `input_required` result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ApprovalRoute {
    App,
    Terminal,
    Client,
}

impl ApprovalRoute {
    pub const ALL: [ApprovalRoute; 3] = [ApprovalRoute::App, ApprovalRoute::Terminal, ApprovalRoute::Client];

    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalRoute::App => "app",
            ApprovalRoute::Terminal => "terminal",
            ApprovalRoute::Client => "client",
        }
    }

    pub fn parse(text: &str) -> Option<ApprovalRoute> {
        ApprovalRoute::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What a write would do, learned by running it in a transaction that is always rolled
/// back (SQL engines) or by counting what its filter matches (MongoDB).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WritePreview {
    /// The statement was really run (and rolled back). False: see `note` for why not.
    pub dry_run: bool,
    /// How many rows (documents) it changed in the dry run, or its filter matches.
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub rows_affected: Option<u64>,
    /// Up to [`PREVIEW_ROWS`] of the rows it touched, before and after.
    pub changes: Option<RowChanges>,
    /// What the preview could not show, in words for the person deciding.
    pub note: Option<String>,
    /// The dry run failed: the request can only be denied.
    pub error: Option<Error>,
}

impl WritePreview {
    /// A preview that did not run the statement, saying why.
    pub fn not_run(note: impl Into<String>) -> WritePreview {
        WritePreview { note: Some(note.into()), ..WritePreview::default() }
    }

    /// A dry run that failed: shown with its error, and the request can only be denied.
    pub fn failed(error: Error) -> WritePreview {
        WritePreview { dry_run: true, error: Some(error), ..WritePreview::default() }
    }

    /// One line for lists and the audit log.
    pub fn summary(&self) -> String {
        match (&self.error, self.rows_affected) {
            (Some(e), _) => format!("dry run failed: {}", e.message),
            (None, Some(n)) if self.dry_run => format!("dry run: {n} row(s) affected, rolled back"),
            (None, matched) => self
                .note
                .clone()
                .or_else(|| matched.map(|n| format!("{n} row(s) match")))
                .unwrap_or_else(|| "no preview".to_owned()),
        }
    }
}

/// Most rows a preview shows before and after.
pub const PREVIEW_ROWS: usize = 20;

/// Rows a write touched: as they were before it and as it left them. `before` comes from
/// reading the statement's own `WHERE` first; `after` from its `RETURNING` rows. The two
/// lists are not paired row by row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowChanges {
    pub columns: Vec<String>,
    /// Each value as people read it (`None` is NULL).
    pub before: Vec<Vec<Option<String>>>,
    pub after: Vec<Vec<Option<String>>>,
    /// More rows were touched than are shown.
    pub more: bool,
}

/// The hash an approval is bound to: the connection, the operation, its exact text and
/// its parameters. The statement that runs must hash the same, so an approval cannot be
/// spent on anything else.
pub fn approval_binding(profile: &str, tool: &str, statement: &str, params: &serde_json::Value) -> String {
    canonical_sha256(&[&profile.to_lowercase(), tool, statement, &params.to_string()])
}

/// The hash of the secret an answer through the AI client must carry, as the store keeps
/// it (the secret itself never is).
pub fn answer_hash(secret: &str) -> String {
    canonical_sha256(&["answer", secret])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for s in ApprovalState::ALL {
            assert_eq!(ApprovalState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::Value::from(s.as_str())));
        }
        for r in ApprovalRoute::ALL {
            assert_eq!(ApprovalRoute::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn the_binding_changes_with_every_part() {
        let params = serde_json::json!([1, "a"]);
        let base = approval_binding("shop", "execute-update", "UPDATE t SET a = 1", &params);
        assert_eq!(base, approval_binding("SHOP", "execute-update", "UPDATE t SET a = 1", &params));
        assert_ne!(base, approval_binding("shop2", "execute-update", "UPDATE t SET a = 1", &params));
        assert_ne!(base, approval_binding("shop", "publish", "UPDATE t SET a = 1", &params));
        assert_ne!(base, approval_binding("shop", "execute-update", "UPDATE t SET a = 2", &params));
        assert_ne!(
            base,
            approval_binding("shop", "execute-update", "UPDATE t SET a = 1", &serde_json::json!([2, "a"]))
        );
        // The parts cannot be shifted into one another.
        assert_ne!(approval_binding("ab", "c", "d", &params), approval_binding("a", "bc", "d", &params));
    }

    #[test]
    fn the_hashes_stay_what_stored_approvals_were_bound_with() {
        // Computed independently (Python hashlib over the length-prefixed parts): a change
        // of the encoding would orphan every approval in the queue.
        let params = serde_json::json!([1, "a"]);
        assert_eq!(
            approval_binding("shop", "execute-update", "UPDATE t SET a = 1", &params),
            "413f9c86486481728f23dc5be3dabb1e4cadb8a03b531a5b23fbc243d6e6225c"
        );
        assert_eq!(answer_hash("s3cret"), "8e2f8bdd064fd6fe054c5b7cc0e46c0d0a97b550f00a7262e68a528e9a52c701");
    }
}

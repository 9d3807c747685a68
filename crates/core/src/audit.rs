//! How an audited AI call ended, as the audit log, the app and the faces all name it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum AuditOutcome {
    /// Still running (or its process died before completing the row). A row starts so.
    #[default]
    Running,
    Ok,
    Error,
    /// The endpoint stopped waiting for it when it shut down.
    Interrupted,
}

impl AuditOutcome {
    pub const ALL: [AuditOutcome; 4] =
        [AuditOutcome::Running, AuditOutcome::Ok, AuditOutcome::Error, AuditOutcome::Interrupted];

    /// The stable lowercase name (the audit log's column, JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Running => "running",
            AuditOutcome::Ok => "ok",
            AuditOutcome::Error => "error",
            AuditOutcome::Interrupted => "interrupted",
        }
    }

    pub fn parse(text: &str) -> Option<AuditOutcome> {
        AuditOutcome::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::AuditOutcome;

    #[test]
    fn names_read_back_and_match_json() {
        for outcome in AuditOutcome::ALL {
            assert_eq!(AuditOutcome::parse(outcome.as_str()), Some(outcome));
            assert_eq!(serde_json::to_value(outcome).ok(), Some(serde_json::Value::from(outcome.as_str())));
        }
        assert_eq!(AuditOutcome::parse("done"), None);
    }
}

//! The one check of whether an AI client may change something (docs/safety.md): a write
//! statement, a publish, a request. The user decides per profile: read-write runs, `ask`
//! waits for their approval, anything else is refused in words the model can act on, and
//! the database's own read-only mode stands behind it.

use dbdock_core::{Access, Error, ErrorCode, Profile, Result};

/// What an AI client's write on a profile needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteAccess {
    /// Read-write: it runs.
    Allowed,
    /// `ask`: it runs only once the user approves it (see `approvals`).
    NeedsApproval,
}

/// Whether an AI client may do `what` (a phrase: "the write", "publishing") on `profile`,
/// and if so whether the user must approve it first.
pub fn ai_write_access(profile: &Profile, what: &str) -> Result<WriteAccess> {
    match profile.access {
        Access::ReadWrite => Ok(WriteAccess::Allowed),
        Access::Ask => Ok(WriteAccess::NeedsApproval),
        Access::ReadOnly | Access::None => Err(Error::new(
            ErrorCode::ReadOnlyViolation,
            format!(
                "connection '{}' is read-only for AI clients, so {what} was not run. If the change is needed, show \
                 the user what you wanted to do, or ask them to set the connection's AI access to read-write or ask \
                 in DB Dock.",
                profile.name
            ),
        )),
    }
}

/// The refusal when a write needs the user's approval and nobody can be asked: the app is
/// closed, no terminal watches the queue and the client cannot ask its user.
pub fn no_approver(profile: &Profile, what: &str) -> Error {
    Error::new(
        ErrorCode::PermissionDenied,
        format!(
            "{what} on connection '{}' needs the user's approval, and nobody can give it now: DB Dock is not open, \
             no terminal runs `dbdock approvals watch`, and this client cannot ask its user. Nothing was run. Ask the \
             user to open DB Dock (or run `dbdock approvals watch`) and then call again.",
            profile.name
        ),
    )
}

#[cfg(test)]
mod tests {
    use dbdock_core::{ConnectionTarget, ProfileSource};

    use super::*;

    fn profile(access: Access) -> Profile {
        let target = ConnectionTarget::sqlite_file("/tmp/x.db");
        Profile { access, ..Profile::transient(ProfileSource::Environment, "shop", &target, false, "t") }
    }

    #[test]
    fn read_write_runs_ask_waits_for_the_user_and_the_rest_refuse() {
        assert_eq!(ai_write_access(&profile(Access::ReadWrite), "the write").ok(), Some(WriteAccess::Allowed));
        assert_eq!(ai_write_access(&profile(Access::Ask), "publishing").ok(), Some(WriteAccess::NeedsApproval));
        for access in [Access::ReadOnly, Access::None] {
            let e = ai_write_access(&profile(access), "the write").err();
            assert_eq!(e.as_ref().map(|e| e.code), Some(ErrorCode::ReadOnlyViolation));
            assert!(e.is_some_and(|e| e.message.contains("'shop'") && e.message.contains("the write was not run")));
        }
    }
}

//! The one check of whether an AI client may change something (docs/safety.md): a write
//! statement, a publish, a request. The user decides per profile; this says no in words
//! the model can act on, and the database's own read-only mode stands behind it.

use dbdock_core::{Access, Error, ErrorCode, Profile, Result};

/// Whether an AI client may do `what` (a phrase: "the write", "publishing") on `profile`.
pub fn ai_may_write(profile: &Profile, what: &str) -> Result<()> {
    match ai_write_refusal(profile, what) {
        None => Ok(()),
        Some(refusal) => Err(refusal),
    }
}

/// The refusal [`ai_may_write`] would return, if any.
pub fn ai_write_refusal(profile: &Profile, what: &str) -> Option<Error> {
    match profile.access {
        Access::ReadWrite => None,
        Access::Ask => Some(Error::new(
            ErrorCode::PermissionDenied,
            format!(
                "{what} on connection '{}' needs the user's approval in the DB Dock app, and this endpoint cannot ask \
                 for it yet, so it was not run. Show the user what you wanted to do instead.",
                profile.name
            ),
        )),
        Access::ReadOnly | Access::None => Some(Error::new(
            ErrorCode::ReadOnlyViolation,
            format!(
                "connection '{}' is read-only for AI clients, so {what} was not run. If the change is needed, show \
                 the user what you wanted to do, or ask them to set the connection's AI access to read-write in DB \
                 Dock.",
                profile.name
            ),
        )),
    }
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
    fn only_read_write_lets_an_ai_client_change_things() {
        assert!(ai_may_write(&profile(Access::ReadWrite), "the write").is_ok());
        let ask = ai_may_write(&profile(Access::Ask), "publishing").err();
        assert_eq!(ask.as_ref().map(|e| e.code), Some(ErrorCode::PermissionDenied));
        for access in [Access::ReadOnly, Access::None] {
            let e = ai_may_write(&profile(access), "the write").err();
            assert_eq!(e.as_ref().map(|e| e.code), Some(ErrorCode::ReadOnlyViolation));
            assert!(e.is_some_and(|e| e.message.contains("'shop'") && e.message.contains("the write was not run")));
        }
    }
}

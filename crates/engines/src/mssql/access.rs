//! What the login may do, as SQL Server reports it (docs/safety.md, "least privilege"):
//! server and database roles that write, and the database permissions that do. A server
//! that cannot answer (NULL, or a function it lacks) is `UNSUPPORTED`, never a guess.

use dbdock_core::{Error, LoginAccess, Value};

/// One question per column, each answered 1 (yes), 0 (no) or NULL (cannot say), after
/// the login's name.
pub(crate) const QUERY: &str = "SELECT SUSER_SNAME(), \
     IS_SRVROLEMEMBER('sysadmin'), \
     HAS_PERMS_BY_NAME(NULL, NULL, 'CONTROL SERVER'), \
     IS_ROLEMEMBER('db_owner'), \
     IS_ROLEMEMBER('db_datawriter'), \
     IS_ROLEMEMBER('db_ddladmin'), \
     HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'INSERT'), \
     HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'UPDATE'), \
     HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'DELETE'), \
     HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'ALTER'), \
     HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'CREATE TABLE'), \
     HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'EXECUTE')";

/// What a yes to each question of [`QUERY`] means, in order.
const MEANINGS: [&str; 11] = [
    "server role sysadmin",
    "CONTROL SERVER",
    "role db_owner",
    "role db_datawriter",
    "role db_ddladmin",
    "INSERT on the database",
    "UPDATE on the database",
    "DELETE on the database",
    "ALTER on the database",
    "CREATE TABLE on the database",
    "EXECUTE on the database (stored procedures may write)",
];

/// The login's access from the one row [`QUERY`] returns.
pub(crate) fn from_row(row: &[Value]) -> dbdock_core::Result<LoginAccess> {
    let unsupported = |why: String| {
        Error::unsupported(format!("this server cannot say what the login may do ({why}); check its grants by hand"))
    };
    let Some((login, answers)) = row.split_first() else { return Err(unsupported("no answer".into())) };
    if answers.len() != MEANINGS.len() {
        return Err(unsupported(format!("{} answers to {} questions", answers.len(), MEANINGS.len())));
    }
    let mut evidence = Vec::new();
    for (answer, meaning) in answers.iter().zip(MEANINGS) {
        match answer {
            Value::Int(1) | Value::UInt(1) | Value::Bool(true) => evidence.push(meaning.to_owned()),
            Value::Int(0) | Value::UInt(0) | Value::Bool(false) => {}
            _ => return Err(unsupported(format!("no answer about {meaning}"))),
        }
    }
    let can_write = !evidence.is_empty();
    if !can_write {
        evidence.push("no role or database permission that writes".to_owned());
    }
    evidence.truncate(6);
    Ok(LoginAccess { login: login.display_text().unwrap_or_else(|| "(unknown login)".into()), can_write, evidence })
}

#[cfg(test)]
mod tests {
    use dbdock_core::ErrorCode;

    use super::*;

    fn row(answers: [i64; 11]) -> Vec<Value> {
        std::iter::once(Value::Text("ai".into())).chain(answers.into_iter().map(Value::Int)).collect()
    }

    #[test]
    fn a_reader_cannot_write() {
        let access = from_row(&row([0; 11])).expect("answered");
        assert_eq!(access.login, "ai");
        assert!(!access.can_write);
    }

    #[test]
    fn any_writing_role_or_permission_means_it_can_write() {
        for (i, meaning) in MEANINGS.iter().enumerate() {
            let mut answers = [0; 11];
            answers[i] = 1;
            let access = from_row(&row(answers)).expect("answered");
            assert!(access.can_write, "{meaning}");
            assert_eq!(access.evidence, [meaning.to_string()]);
        }
    }

    #[test]
    fn a_null_or_a_short_row_is_unsupported_not_a_guess() {
        let mut nulls = row([0; 11]);
        nulls[4] = Value::Null;
        assert_eq!(from_row(&nulls).map_err(|e| e.code), Err(ErrorCode::Unsupported));
        assert_eq!(from_row(&row([0; 11])[..5]).map_err(|e| e.code), Err(ErrorCode::Unsupported));
        assert_eq!(from_row(&[]).map_err(|e| e.code), Err(ErrorCode::Unsupported));
    }

    #[test]
    fn the_query_asks_every_question_once() {
        let asked = ["IS_SRVROLEMEMBER(", "IS_ROLEMEMBER(", "HAS_PERMS_BY_NAME("];
        assert_eq!(asked.iter().map(|f| QUERY.matches(f).count()).sum::<usize>(), MEANINGS.len());
        for asked in ["IS_SRVROLEMEMBER('sysadmin')", "IS_ROLEMEMBER('db_datawriter')", "'CREATE TABLE'"] {
            assert!(QUERY.contains(asked), "{asked}");
        }
    }
}

//! Least privilege (docs/safety.md, "least privilege"): a read-only login for AI use.
//!
//! DB Dock's read-only AI access rests on three layers: its statement classifier, the
//! read-only transaction each call runs in, and the login's own privileges. The last is
//! the only one the server enforces whatever the statement does, so DB Dock offers to
//! create a login that can only read. The statements are always shown first, with the
//! password masked; PostgreSQL and MySQL/MariaDB run them on confirmation, SQL Server and
//! MongoDB only show them (the user runs them and attaches the login).
//!
//! The engine-specific SQL lives in each engine's `privileges` module; here are the parts
//! every engine shares: the login name rules, the generated password, the plan.

use dbdock_core::{ConnectionTarget, Engine, Error, Result, Secret};
use serde::Serialize;

/// How a password stands in the statements shown before they run.
pub const MASKED_PASSWORD: &str = "********";

/// Length of a generated password: 32 characters of a 62-letter alphabet, about 190 bits.
const PASSWORD_LEN: usize = 32;

/// Letters and digits only, so the password can sit inside a quoted SQL string or a
/// JavaScript string literal of any of the engines without any escaping, survives every
/// shell and URL unchanged, and needs no percent-encoding (docs/safety.md).
const PASSWORD_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The statements that make a read-only login, as shown to the user (password masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadOnlyLoginPlan {
    pub engine: Engine,
    /// The new login's user (role) name.
    pub login: String,
    /// MySQL/MariaDB: the account's host part (the host the server sees DB Dock connect from).
    pub host: Option<String>,
    /// The database the login may read.
    pub database: Option<String>,
    /// The statements, in order, with the password shown as [`MASKED_PASSWORD`].
    pub statements: Vec<String>,
    /// DB Dock runs these statements itself (PostgreSQL, MySQL/MariaDB); otherwise the user
    /// runs them (SQL Server, MongoDB) and attaches the login to the profile.
    pub runnable: bool,
    /// What the user should know about them (why this host, what to do next).
    pub notes: Vec<String>,
}

/// A new read-only login: what ran, and its password (to go straight to the keyring).
pub struct CreatedLogin {
    pub plan: ReadOnlyLoginPlan,
    pub password: Secret,
}

/// Checks a login name DB Dock is asked to create. Lower-case ASCII letters, digits and
/// `_`, starting with a letter or `_`, at most 32 characters: valid unquoted on every
/// engine (no case folding surprises on PostgreSQL), within MySQL's 32-character limit,
/// and never in need of escaping inside the quotes each engine's statements put around it.
pub fn validate_login_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "'{name}' cannot be the name of a login DB Dock creates: use 1-32 lower-case letters, digits or '_', \
             starting with a letter or '_'"
        )))
    }
}

/// The login name DB Dock proposes for a profile's AI login: `dbdock_ai_<profile>`.
pub fn suggested_login_name(profile_name: &str) -> String {
    let mut name: String = format!("dbdock_ai_{profile_name}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    name.truncate(32);
    name
}

/// A random password from [`PASSWORD_ALPHABET`], from the operating system's CSPRNG.
pub fn generate_password() -> Result<Secret> {
    let mut out = String::with_capacity(PASSWORD_LEN);
    let mut buf = [0u8; 64];
    // Rejection sampling: only bytes below the largest multiple of the alphabet's size
    // are used, so every letter is equally likely.
    let limit = 256 - 256 % PASSWORD_ALPHABET.len();
    while out.len() < PASSWORD_LEN {
        getrandom::fill(&mut buf).map_err(|e| Error::internal(format!("no random numbers for a password: {e}")))?;
        for b in buf.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if out.len() < PASSWORD_LEN {
                out.push(char::from(PASSWORD_ALPHABET[b % PASSWORD_ALPHABET.len()]));
            }
        }
    }
    Ok(Secret::new(out))
}

/// How an engine makes a read-only login (its `Registration::logins`). Every engine that
/// has logins can `plan`; the defaults of the rest say in a typed error that DB Dock only
/// shows the statements there.
#[async_trait::async_trait]
pub trait ReadOnlyLogins: Send + Sync {
    /// The statements, password masked, asking the server where it must. Changes nothing.
    async fn plan(&self, target: &ConnectionTarget, login: &str) -> Result<ReadOnlyLoginPlan>;

    /// Runs them with `password`, all or nothing.
    async fn create(&self, target: &ConnectionTarget, login: &str, password: &Secret) -> Result<ReadOnlyLoginPlan> {
        let _ = password;
        let plan = self.plan(target, login).await?;
        Err(Error::unsupported(format!(
            "DB Dock shows the statements for a read-only login on {} but does not run them: run them yourself ({}), \
             then attach the login to the profile",
            target.engine().spec().label,
            plan.statements.join(" ")
        )))
    }

    /// The statements that remove the login again.
    async fn drop_statements(&self, target: &ConnectionTarget, login: &str) -> Result<Vec<String>> {
        let _ = login;
        Err(no_removal(target))
    }

    /// Removes the login; one that does not exist is not an error.
    async fn drop(&self, target: &ConnectionTarget, login: &str) -> Result<()> {
        let _ = login;
        Err(no_removal(target))
    }
}

fn no_removal(target: &ConnectionTarget) -> Error {
    Error::unsupported(format!("DB Dock does not remove logins on {}", target.engine().spec().label))
}

fn logins_of(target: &ConnectionTarget) -> Result<&'static dyn ReadOnlyLogins> {
    let engine = target.engine();
    crate::registration(engine)?.logins.ok_or_else(|| {
        Error::unsupported(if engine.capabilities().query.is_some() {
            format!(
                "DB Dock cannot create a read-only login on {}: it has no logins; AI connections open it read-only",
                engine.spec().label
            )
        } else {
            format!("{} has no statements, so there is no read-only login to make", engine.spec().label)
        })
    })
}

/// The statements that create a read-only login `login` on `target` (connecting with the
/// target's own login where the engine needs to ask the server: PostgreSQL, MySQL), with
/// the password masked. Nothing changes on the server.
pub async fn plan_read_only_login(target: &ConnectionTarget, login: &str) -> Result<ReadOnlyLoginPlan> {
    validate_login_name(login)?;
    logins_of(target)?.plan(target, login).await
}

/// Creates the read-only login `login` on `target` with a generated password, using the
/// target's login (which needs the right to create logins). All of it or none of it: a
/// statement that fails undoes the ones before it. Only engines whose capabilities say
/// `creates_read_only_login` (PostgreSQL, MySQL/MariaDB).
pub async fn create_read_only_login(target: &ConnectionTarget, login: &str) -> Result<CreatedLogin> {
    validate_login_name(login)?;
    let logins = logins_of(target)?;
    let password = generate_password()?;
    let plan = logins.create(target, login, &password).await?;
    Ok(CreatedLogin { plan, password })
}

/// The statements that remove the login `login` again (no secret in them).
pub async fn plan_drop_login(target: &ConnectionTarget, login: &str) -> Result<Vec<String>> {
    validate_login_name(login)?;
    logins_of(target)?.drop_statements(target, login).await
}

/// Removes the login `login` (PostgreSQL, MySQL/MariaDB), using the target's login. A
/// login that does not exist is not an error.
pub async fn drop_login(target: &ConnectionTarget, login: &str) -> Result<()> {
    validate_login_name(login)?;
    logins_of(target)?.drop(target, login).await
}

/// SQL Server: DB Dock shows the statements; the user runs them.
pub(crate) struct MssqlLogins;

#[async_trait::async_trait]
impl ReadOnlyLogins for MssqlLogins {
    async fn plan(&self, target: &ConnectionTarget, login: &str) -> Result<ReadOnlyLoginPlan> {
        Ok(mssql_plan(target, login))
    }
}

/// MongoDB: DB Dock shows the commands; the user runs them.
pub(crate) struct MongodbLogins;

#[async_trait::async_trait]
impl ReadOnlyLogins for MongodbLogins {
    async fn plan(&self, target: &ConnectionTarget, login: &str) -> Result<ReadOnlyLoginPlan> {
        Ok(mongodb_plan(target, login))
    }
}

/// `[name]` with `]` doubled: T-SQL's rule for a delimited identifier.
fn tsql_ident(name: &str) -> String {
    format!("[{}]", name.replace(']', "]]"))
}

/// SQL Server: a server login, a user for it in the database, and `db_datareader` (read
/// every table and view of that database, nothing else).
fn mssql_plan(target: &ConnectionTarget, login: &str) -> ReadOnlyLoginPlan {
    let database = target.database();
    let db = database.as_deref().map_or_else(|| "[your_database]".to_owned(), tsql_ident);
    let user = tsql_ident(login);
    ReadOnlyLoginPlan {
        engine: Engine::Mssql,
        login: login.to_owned(),
        host: None,
        database: database.clone(),
        statements: vec![
            format!("CREATE LOGIN {user} WITH PASSWORD = '{MASKED_PASSWORD}', CHECK_POLICY = ON;"),
            format!("USE {db};"),
            format!("CREATE USER {user} FOR LOGIN {user};"),
            format!("ALTER ROLE db_datareader ADD MEMBER {user};"),
        ],
        runnable: false,
        notes: vec![
            "DB Dock does not run these on SQL Server: run them as a login that may create logins, with a password \
             of your own in place of the mask, then attach the login to the profile"
                .to_owned(),
            "SQL Server has no read-only transaction: until the profile's AI login can only read, read-only AI \
             access rests on DB Dock's statement filter alone"
                .to_owned(),
        ],
    }
}

/// MongoDB: a user in the authentication database with the `read` role on the profile's
/// database.
fn mongodb_plan(target: &ConnectionTarget, login: &str) -> ReadOnlyLoginPlan {
    let database = target.database();
    let auth_db = target
        .url()
        .and_then(|u| u.query_pairs().find(|(k, _)| k.eq_ignore_ascii_case("authSource")).map(|(_, v)| v.into_owned()))
        .or_else(|| database.clone())
        .unwrap_or_else(|| "admin".to_owned());
    let read_db = database.clone().unwrap_or_else(|| "your_database".to_owned());
    // JSON strings are valid JavaScript string literals: the names are escaped by serde_json.
    let js = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    ReadOnlyLoginPlan {
        engine: Engine::Mongodb,
        login: login.to_owned(),
        host: None,
        database,
        statements: vec![format!(
            "db.getSiblingDB({}).createUser({{user: {}, pwd: \"{MASKED_PASSWORD}\", roles: [{{role: \"read\", db: {}}}]}})",
            js(&auth_db),
            js(login),
            js(&read_db)
        )],
        runnable: false,
        notes: vec![
            "DB Dock does not run this on MongoDB: run it in mongosh as a user that may create users, with a \
             password of your own in place of the mask, then attach the login to the profile"
                .to_owned(),
            "MongoDB has no read-only transaction: until the profile's AI login can only read, read-only AI access \
             rests on DB Dock's command filter alone"
                .to_owned(),
        ],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn login_names() {
        for good in ["dbdock_ai", "_x", "a1", &"a".repeat(32)] {
            assert!(validate_login_name(good).is_ok(), "{good}");
        }
        for bad in ["", "1a", "Upper", "a-b", "a b", "a'b", "a\"b", "a`b", "ü", &"a".repeat(33)] {
            assert!(validate_login_name(bad).is_err(), "{bad}");
        }
        assert_eq!(suggested_login_name("Shop-DB.eu"), "dbdock_ai_shop_db_eu");
        assert!(validate_login_name(&suggested_login_name(&"x".repeat(64))).is_ok());
    }

    #[test]
    fn passwords_are_long_random_and_plain() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_eq!(a.expose().len(), PASSWORD_LEN);
        assert!(a.expose().bytes().all(|c| PASSWORD_ALPHABET.contains(&c)));
        assert_ne!(a.expose(), b.expose());
    }

    #[tokio::test]
    async fn mssql_and_mongodb_are_shown_not_run() {
        let mssql = ConnectionTarget::parse("sqlserver://sa@db:1433/shop").unwrap();
        let plan = plan_read_only_login(&mssql, "dbdock_ai").await.unwrap();
        assert!(!plan.runnable);
        assert_eq!(
            plan.statements,
            [
                "CREATE LOGIN [dbdock_ai] WITH PASSWORD = '********', CHECK_POLICY = ON;",
                "USE [shop];",
                "CREATE USER [dbdock_ai] FOR LOGIN [dbdock_ai];",
                "ALTER ROLE db_datareader ADD MEMBER [dbdock_ai];"
            ]
        );
        let mongo = ConnectionTarget::parse("mongodb://root@a:27017/shop?authSource=admin").unwrap();
        let plan = plan_read_only_login(&mongo, "dbdock_ai").await.unwrap();
        assert_eq!(
            plan.statements,
            [
                r#"db.getSiblingDB("admin").createUser({user: "dbdock_ai", pwd: "********", roles: [{role: "read", db: "shop"}]})"#
            ]
        );
        let refused = create_read_only_login(&mongo, "dbdock_ai").await.err().unwrap();
        assert_eq!(refused.code, dbdock_core::ErrorCode::Unsupported);
        let sqlite = ConnectionTarget::sqlite_file("x.db");
        assert!(plan_read_only_login(&sqlite, "dbdock_ai").await.is_err());
        assert!(plan_read_only_login(&mssql, "Robert'); DROP").await.is_err());
    }
}

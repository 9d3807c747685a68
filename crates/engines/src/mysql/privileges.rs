//! MySQL and MariaDB: what the login may do, and a read-only login for AI use
//! (docs/safety.md, "least privilege").

use dbdock_core::{ConnectionTarget, Database, Engine, Error, LoginAccess, Result, Secret};
use sqlx::{AssertSqlSafe, MySqlPool, Row};

use super::Mysql;
use crate::OpenOptions;
use crate::privileges::{MASKED_PASSWORD, ReadOnlyLoginPlan};

/// At most this many evidence items.
const MAX_EVIDENCE: usize = 5;

/// Privileges that let a login change data, schema or the server, most telling first.
/// (`ALL PRIVILEGES` appears in `information_schema` as each privilege it stands for.)
const WRITE_PRIVILEGES: [&str; 15] = [
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "ALTER",
    "FILE",
    "SUPER",
    "INDEX",
    "CREATE VIEW",
    "CREATE ROUTINE",
    "ALTER ROUTINE",
    "TRIGGER",
    "EVENT",
    "CREATE USER",
];

/// `'user'@'host'` as `information_schema` names a grantee, from `user@host` as
/// `CURRENT_USER()` returns it.
fn grantee(current_user: &str) -> String {
    match current_user.rsplit_once('@') {
        Some((user, host)) => format!("'{user}'@'{host}'"),
        None => format!("'{current_user}'"),
    }
}

/// The grantees of the session's active roles: MariaDB's `CURRENT_ROLE()` is one role name
/// (`r`, grantee `'r'`), MySQL 8's is a list (`` `r`@`%`,`s`@`%` ``) or `NONE`.
fn role_grantees(current_role: Option<&str>) -> Vec<String> {
    let Some(roles) = current_role.filter(|r| !r.is_empty() && *r != "NONE") else { return Vec::new() };
    if roles.contains('`') {
        roles.split(',').map(|r| r.trim().replace('`', "'")).collect()
    } else {
        vec![format!("'{roles}'")]
    }
}

pub(super) async fn login_access(pool: &MySqlPool) -> Result<LoginAccess, sqlx::Error> {
    let current_user: String = sqlx::query_scalar("SELECT CAST(CURRENT_USER() AS CHAR)").fetch_one(pool).await?;
    // CURRENT_ROLE() exists on MariaDB 10.0.5+ and MySQL 8; older servers have no roles.
    let current_role: Option<String> =
        sqlx::query_scalar("SELECT CAST(CURRENT_ROLE() AS CHAR)").fetch_one(pool).await.ok().flatten();
    let mut grantees = vec![grantee(&current_user)];
    grantees.extend(role_grantees(current_role.as_deref()));
    let list = |n: usize| vec!["?"; n].join(", ");
    let (who, what) = (list(grantees.len()), list(WRITE_PRIVILEGES.len()));
    let sql = format!(
        "SELECT CAST(scope AS CHAR) AS scope, CAST(privilege AS CHAR) AS privilege FROM (
           SELECT 1 AS ord, '*.*' AS scope, PRIVILEGE_TYPE AS privilege
             FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN ({who}) AND PRIVILEGE_TYPE IN ({what})
           UNION ALL
           SELECT 2, CONCAT(TABLE_SCHEMA, '.*'), PRIVILEGE_TYPE
             FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN ({who}) AND PRIVILEGE_TYPE IN ({what})
           UNION ALL
           SELECT 3, CONCAT(TABLE_SCHEMA, '.', TABLE_NAME), PRIVILEGE_TYPE
             FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE IN ({who}) AND PRIVILEGE_TYPE IN ({what})
         ) AS p ORDER BY ord, scope LIMIT 500"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for _ in 0..3 {
        for g in &grantees {
            query = query.bind(g.clone());
        }
        for p in WRITE_PRIVILEGES {
            query = query.bind(p);
        }
    }
    let rows = query.fetch_all(pool).await?;
    // One item per object: its writing privileges, most telling first.
    let mut by_scope: Vec<(String, Vec<usize>)> = Vec::new();
    for row in &rows {
        let scope: String = row.try_get("scope")?;
        let privilege: String = row.try_get("privilege")?;
        let Some(rank) = WRITE_PRIVILEGES.iter().position(|p| p.eq_ignore_ascii_case(&privilege)) else { continue };
        match by_scope.iter_mut().find(|(s, _)| *s == scope) {
            Some((_, ranks)) => ranks.push(rank),
            None => by_scope.push((scope, vec![rank])),
        }
    }
    let can_write = !by_scope.is_empty();
    let evidence = by_scope
        .into_iter()
        .take(MAX_EVIDENCE)
        .map(|(scope, mut ranks)| {
            ranks.sort_unstable();
            ranks.dedup();
            let named: Vec<&str> = ranks.iter().take(3).map(|r| WRITE_PRIVILEGES[*r]).collect();
            let more = if ranks.len() > 3 { format!(" and {} more", ranks.len() - 3) } else { String::new() };
            format!("{}{more} on {scope}", named.join(", "))
        })
        .collect();
    Ok(LoginAccess { login: current_user, can_write, evidence })
}

/// What the plan needs to know from the server.
struct Facts {
    /// The host part of `USER()`: where the server sees this connection come from.
    host: String,
    database: String,
    /// MySQL 8's `partial_revokes`: when on, `_` and `%` in a GRANT's database name are
    /// literal characters, not wildcards.
    partial_revokes: bool,
    /// MariaDB (which takes a password hash in `CREATE USER`); otherwise MySQL.
    mariadb: bool,
}

async fn facts(db: &Mysql) -> Result<Facts> {
    let pool = db.pool().await?;
    let row = sqlx::query("SELECT CAST(USER() AS CHAR), CAST(DATABASE() AS CHAR), CAST(VERSION() AS CHAR)")
        .fetch_one(&pool)
        .await
        .map_err(|e| db.err(e))?;
    let user: String = row.try_get(0).map_err(|e| db.err(e))?;
    let database: Option<String> = row.try_get(1).map_err(|e| db.err(e))?;
    let version: String = row.try_get(2).map_err(|e| db.err(e))?;
    // MariaDB has no such variable: there the wildcards always apply.
    let partial_revokes = sqlx::query_scalar::<_, i64>("SELECT CAST(@@global.partial_revokes AS SIGNED)")
        .fetch_one(&pool)
        .await
        .is_ok_and(|on| on == 1);
    let host = user.rsplit_once('@').map(|(_, h)| h.to_owned()).unwrap_or_default();
    let database = database.filter(|d| !d.is_empty()).ok_or_else(|| {
        Error::invalid_input(
            "the profile's URL names no database: a read-only login is granted one database, so add it \
             (mysql://user@host/DATABASE)",
        )
    })?;
    check_host(&host)?;
    Ok(Facts { host, database, partial_revokes, mariadb: version.contains("MariaDB") })
}

/// The host part goes inside a quoted string and is a pattern for the server (`%` and `_`
/// match anything), so only plain host names and addresses are taken.
fn check_host(host: &str) -> Result<()> {
    if !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':')) {
        Ok(())
    } else {
        Err(Error::unsupported(format!(
            "the server sees DB Dock connect from '{host}', which DB Dock does not put into an account name: create \
             the login yourself (CREATE USER, GRANT SELECT, SHOW VIEW) and attach it to the profile"
        )))
    }
}

/// The database as a GRANT names it: in backquotes with backquotes doubled, and (unless
/// `partial_revokes` makes them literal) `\`, `_` and `%` escaped, because in a GRANT they
/// are wildcards and `my_db` would also grant `myXdb`.
fn grant_database(database: &str, partial_revokes: bool) -> String {
    let mut out = String::from("`");
    for c in database.chars() {
        match c {
            '`' => out.push_str("``"),
            '\\' | '_' | '%' if !partial_revokes => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('`');
    out
}

/// `'login'@'host'`: `login` passed `validate_login_name` and the host `check_host`, so
/// neither can hold a quote or a backslash.
fn account(login: &str, host: &str) -> String {
    format!("'{login}'@'{host}'")
}

/// How the password is given in `CREATE USER`.
enum Password<'a> {
    /// Shown to the user: the mask.
    Masked,
    /// Sent to the server. MariaDB takes the `mysql_native_password` hash
    /// (`IDENTIFIED BY PASSWORD '*…'`), so the password itself never reaches the server or
    /// its general log; MySQL 8 has no such form for its default plugin, but rewrites the
    /// password out of its own logs.
    Real(&'a str),
}

/// `*` and the upper-case hex of SHA1(SHA1(password)): MariaDB's `mysql_native_password` hash.
fn native_password_hash(password: &str) -> String {
    use sha1::{Digest, Sha1};
    let twice = Sha1::digest(Sha1::digest(password.as_bytes()));
    let hex: String = twice.iter().map(|b| format!("{b:02X}")).collect();
    format!("*{hex}")
}

/// The statements. The password (letters and digits only) and its hash (`*` and hex)
/// cannot end the string literal, whatever `NO_BACKSLASH_ESCAPES` says.
fn statements(login: &str, facts: &Facts, password: &Password<'_>) -> Vec<String> {
    let account = account(login, &facts.host);
    let identified = match (password, facts.mariadb) {
        (Password::Masked, true) => format!("IDENTIFIED BY PASSWORD '{MASKED_PASSWORD}'"),
        (Password::Masked, false) => format!("IDENTIFIED BY '{MASKED_PASSWORD}'"),
        (Password::Real(p), true) => format!("IDENTIFIED BY PASSWORD '{}'", native_password_hash(p)),
        (Password::Real(p), false) => format!("IDENTIFIED BY '{p}'"),
    };
    vec![
        format!("CREATE USER {account} {identified};"),
        format!(
            "GRANT SELECT, SHOW VIEW ON {}.* TO {account};",
            grant_database(&facts.database, facts.partial_revokes)
        ),
    ]
}

fn plan_from(facts: &Facts, login: &str) -> ReadOnlyLoginPlan {
    ReadOnlyLoginPlan {
        engine: Engine::Mysql,
        login: login.to_owned(),
        host: Some(facts.host.clone()),
        database: Some(facts.database.clone()),
        statements: statements(login, facts, &Password::Masked),
        runnable: true,
        notes: vec![
            format!(
                "the account's host is '{}', where the server sees DB Dock connect from (USER()): the login works \
                 only from there, not from anywhere ('%'); if DB Dock's address changes, create it again",
                facts.host
            ),
            format!("it may read the tables and views of {} and nothing else", facts.database),
            if facts.mariadb {
                "the password is generated and sent as its hash: the password itself never reaches the server or \
                 its logs"
                    .to_owned()
            } else {
                "the password is generated; MySQL keeps it out of its logs".to_owned()
            },
        ],
    }
}

fn adapter(target: &ConnectionTarget) -> Result<Mysql> {
    Mysql::new(target.clone(), OpenOptions { max_connections: 1, ..OpenOptions::default() })
}

pub(crate) async fn plan(target: &ConnectionTarget, login: &str) -> Result<ReadOnlyLoginPlan> {
    let db = adapter(target)?;
    let planned = async { Ok(plan_from(&facts(&db).await?, login)) }.await;
    db.disconnect().await;
    planned
}

/// Runs the statements. Account statements commit on their own in MySQL, so a GRANT that
/// fails is undone by dropping the account just created.
pub(crate) async fn create(target: &ConnectionTarget, login: &str, password: &Secret) -> Result<ReadOnlyLoginPlan> {
    let db = adapter(target)?;
    let created = async {
        let facts = facts(&db).await?;
        let plan = plan_from(&facts, login);
        let pool = db.pool().await?;
        let what = format!("creating the login {}", account(login, &facts.host));
        let mut made_user = false;
        for statement in statements(login, &facts, &Password::Real(password.expose())) {
            // Text protocol: the statement (with the password) is not prepared or cached.
            if let Err(e) = sqlx::raw_sql(AssertSqlSafe(statement)).execute(&pool).await {
                if made_user {
                    let undo = format!("DROP USER IF EXISTS {}", account(login, &facts.host));
                    let _ = sqlx::raw_sql(AssertSqlSafe(undo)).execute(&pool).await;
                }
                return Err(db.err(e).scrub(password).context(&what));
            }
            made_user = true;
        }
        Ok(plan)
    }
    .await;
    db.disconnect().await;
    created
}

pub(crate) async fn drop_statements(target: &ConnectionTarget, login: &str) -> Result<Vec<String>> {
    let db = adapter(target)?;
    let facts = facts(&db).await;
    db.disconnect().await;
    Ok(vec![format!("DROP USER IF EXISTS {};", account(login, &facts?.host))])
}

pub(crate) async fn drop(target: &ConnectionTarget, login: &str) -> Result<()> {
    let statements = drop_statements(target, login).await?;
    let db = adapter(target)?;
    let dropped = async {
        let pool = db.pool().await?;
        for statement in statements {
            sqlx::raw_sql(AssertSqlSafe(statement)).execute(&pool).await.map_err(|e| db.err(e))?;
        }
        Ok(())
    }
    .await;
    db.disconnect().await;
    dropped
}

/// How MySQL/MariaDB makes, runs and removes a read-only login (its registration's `logins`).
pub(crate) struct Logins;

#[async_trait::async_trait]
impl crate::privileges::ReadOnlyLogins for Logins {
    async fn plan(&self, target: &ConnectionTarget, login: &str) -> Result<ReadOnlyLoginPlan> {
        plan(target, login).await
    }
    async fn create(&self, target: &ConnectionTarget, login: &str, password: &Secret) -> Result<ReadOnlyLoginPlan> {
        create(target, login, password).await
    }
    async fn drop_statements(&self, target: &ConnectionTarget, login: &str) -> Result<Vec<String>> {
        drop_statements(target, login).await
    }
    async fn drop(&self, target: &ConnectionTarget, login: &str) -> Result<()> {
        drop(target, login).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mariadb_gets_the_hash_not_the_password() {
        // MariaDB's own PASSWORD('pencil').
        assert_eq!(native_password_hash("pencil"), "*7614BE58636C810A9D8970A50B3B2A78450413E4");
        let facts = Facts { host: "h".into(), database: "d".into(), partial_revokes: false, mariadb: true };
        let sent = statements("u", &facts, &Password::Real("pencil"));
        assert!(!sent[0].contains("pencil") && sent[0].contains(&native_password_hash("pencil")), "{sent:?}");
        let mysql = Facts { mariadb: false, ..facts };
        assert_eq!(statements("u", &mysql, &Password::Masked)[0], "CREATE USER 'u'@'h' IDENTIFIED BY '********';");
    }

    #[test]
    fn grantees_and_quoting() {
        assert_eq!(grantee("root@localhost"), "'root'@'localhost'");
        assert_eq!(role_grantees(Some("reader")), ["'reader'"]);
        assert_eq!(role_grantees(Some("`r`@`%`,`s`@`%`")), ["'r'@'%'", "'s'@'%'"]);
        assert!(role_grantees(Some("NONE")).is_empty() && role_grantees(None).is_empty());
        assert_eq!(grant_database("my_db%", false), r"`my\_db\%`");
        assert_eq!(grant_database("my_db", true), "`my_db`");
        assert_eq!(grant_database("a`b", false), "`a``b`");
        assert!(check_host("localhost").is_ok() && check_host("10.0.0.7").is_ok() && check_host("::1").is_ok());
        for bad in ["", "%", "a_b", "x'y", r"x\y"] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
        let facts =
            Facts { host: "localhost".into(), database: "shop_1".into(), partial_revokes: false, mariadb: true };
        assert_eq!(
            plan_from(&facts, "dbdock_ai").statements,
            [
                "CREATE USER 'dbdock_ai'@'localhost' IDENTIFIED BY PASSWORD '********';",
                r"GRANT SELECT, SHOW VIEW ON `shop\_1`.* TO 'dbdock_ai'@'localhost';"
            ]
        );
    }
}

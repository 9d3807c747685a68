//! PostgreSQL: what the login may do, and a read-only login for AI use (docs/safety.md,
//! "least privilege").

use dbdock_core::{ConnectionTarget, Database, Engine, Error, LoginAccess, Result, Secret};
use sqlx::{AssertSqlSafe, PgPool, Row};

use super::Postgres;
use crate::OpenOptions;
use crate::privileges::{MASKED_PASSWORD, ReadOnlyLoginPlan};

/// At most this many evidence items: enough to see why, short enough for a list view.
const MAX_EVIDENCE: usize = 5;

/// One catalog query: the role's attributes, membership in `pg_write_all_data`, CREATE on
/// the database or a user schema, and up to three tables (or views, which write through
/// to their owner's tables) of a user schema the login may change. `has_table_privilege`
/// counts ownership, grants to PUBLIC and inherited roles, as the server would.
const LOGIN_ACCESS_SQL: &str = r"
SELECT current_user::text AS login,
       COALESCE(r.rolsuper, false) AS superuser,
       COALESCE(r.rolcreaterole, false) AS createrole,
       COALESCE(r.rolcreatedb, false) AS createdb,
       COALESCE(r.rolbypassrls, false) AS bypassrls,
       EXISTS (SELECT 1 FROM pg_roles w
               WHERE w.rolname = 'pg_write_all_data' AND pg_has_role(current_user, w.oid, 'MEMBER')) AS write_all,
       current_database()::text AS database,
       has_database_privilege(current_database(), 'CREATE') AS database_create,
       ARRAY(SELECT quote_ident(n.nspname)
             FROM pg_namespace n
             WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
               AND has_schema_privilege(n.oid, 'CREATE')
             ORDER BY 1 LIMIT 3) AS schemas,
       ARRAY(SELECT p.privilege || ' on ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE')) AS p(privilege)
             WHERE c.relkind IN ('r', 'p', 'v', 'f')
               AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
               AND has_table_privilege(c.oid, p.privilege)
             LIMIT 3) AS tables
FROM (SELECT 1) AS one
LEFT JOIN pg_roles r ON r.rolname = current_user";

pub(super) async fn login_access(pool: &PgPool) -> Result<LoginAccess, sqlx::Error> {
    let row = sqlx::query(LOGIN_ACCESS_SQL).fetch_one(pool).await?;
    let mut evidence = Vec::new();
    for (column, item) in [
        ("superuser", "superuser"),
        ("write_all", "member of pg_write_all_data"),
        ("createrole", "CREATEROLE"),
        ("createdb", "CREATEDB"),
        ("bypassrls", "BYPASSRLS"),
    ] {
        if row.try_get::<bool, _>(column)? {
            evidence.push(item.to_owned());
        }
    }
    if row.try_get::<bool, _>("database_create")? {
        evidence.push(format!("CREATE on database {}", row.try_get::<String, _>("database")?));
    }
    for schema in row.try_get::<Vec<String>, _>("schemas")? {
        evidence.push(format!("CREATE on schema {schema}"));
    }
    evidence.extend(row.try_get::<Vec<String>, _>("tables")?);
    let can_write = !evidence.is_empty();
    evidence.truncate(MAX_EVIDENCE);
    Ok(LoginAccess { login: row.try_get("login")?, can_write, evidence })
}

/// `"name"` with `"` doubled: PostgreSQL's rule for a quoted identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// What the plan needs to know from the server.
struct Facts {
    database: String,
    version_num: i32,
}

async fn facts(db: &Postgres) -> Result<Facts> {
    let pool = db.pool().await?;
    let row = sqlx::query("SELECT current_database()::text, current_setting('server_version_num')::int4")
        .fetch_one(&pool)
        .await
        .map_err(|e| db.err(e))?;
    Ok(Facts { database: row.try_get(0).map_err(|e| db.err(e))?, version_num: row.try_get(1).map_err(|e| db.err(e))? })
}

/// The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802 and 7677, in the
/// format of `pg_authid.rolpassword`): `SCRAM-SHA-256$4096:salt$StoredKey:ServerKey`.
/// `CREATE ROLE … PASSWORD` takes it as it is, so the password itself never reaches the
/// server, its statement log (`log_statement = 'ddl'`) or `pg_stat_activity`. The
/// generated passwords are ASCII letters and digits, which SASLprep leaves unchanged.
fn scram_verifier(password: &str, salt: &[u8; 16]) -> Result<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};

    const ITERATIONS: u32 = 4096;
    let mac = |key: &[u8], parts: &[&[u8]]| -> Result<Vec<u8>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| Error::internal(format!("HMAC: {e}")))?;
        for part in parts {
            mac.update(part);
        }
        Ok(mac.finalize().into_bytes().to_vec())
    };
    // SaltedPassword := Hi(password, salt, i), PBKDF2 with HMAC-SHA-256, one block.
    let mut u = mac(password.as_bytes(), &[salt, &1u32.to_be_bytes()])?;
    let mut salted = u.clone();
    for _ in 1..ITERATIONS {
        u = mac(password.as_bytes(), &[&u])?;
        salted.iter_mut().zip(&u).for_each(|(s, x)| *s ^= x);
    }
    let client_key = mac(&salted, &[b"Client Key"])?;
    let stored_key = Sha256::digest(&client_key);
    let server_key = mac(&salted, &[b"Server Key"])?;
    Ok(format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        STANDARD.encode(salt),
        STANDARD.encode(stored_key),
        STANDARD.encode(server_key)
    ))
}

/// The statements, with `password` where the password goes (the masked one, or a SCRAM
/// verifier). `login` has passed `validate_login_name` (so it needs no escaping, and is
/// quoted anyway); neither form of password holds a quote. The database name comes from
/// the server and is quoted by PostgreSQL's identifier rule.
fn statements(login: &str, database: &str, password: &str) -> Vec<String> {
    let role = ident(login);
    vec![
        format!(
            "CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS \
             PASSWORD '{password}';"
        ),
        format!("GRANT pg_read_all_data TO {role};"),
        format!("GRANT CONNECT ON DATABASE {} TO {role};", ident(database)),
        format!("ALTER ROLE {role} SET default_transaction_read_only = on;"),
    ]
}

fn plan_from(facts: &Facts, login: &str) -> Result<ReadOnlyLoginPlan> {
    // pg_read_all_data arrived in PostgreSQL 14; before it, reading everything needs a
    // grant per schema and default privileges per table owner, which DB Dock does not guess.
    if facts.version_num < 140_000 {
        return Err(Error::unsupported(
            "PostgreSQL 13 and older have no pg_read_all_data role: create a login with SELECT on the schemas the AI \
             may read yourself, then attach it to the profile",
        ));
    }
    let mut notes = vec![
        "pg_read_all_data reads every table, view and sequence in every database of the server (not the system \
         catalogs' secrets); the role gets no other privilege, and its sessions start read-only"
            .to_owned(),
        "the password is generated and sent as its SCRAM-SHA-256 verifier: the password itself never reaches the \
         server or its logs"
            .to_owned(),
        "where the role may log in from is up to the server's pg_hba.conf, which DB Dock leaves as it is".to_owned(),
    ];
    if facts.version_num < 150_000 {
        notes.push(
            "before PostgreSQL 15 every role may CREATE in schema public unless that was revoked from PUBLIC: \
             `dbdock profile test` reports whether the new login can write"
                .to_owned(),
        );
    }
    Ok(ReadOnlyLoginPlan {
        engine: Engine::Postgres,
        login: login.to_owned(),
        host: None,
        database: Some(facts.database.clone()),
        statements: statements(login, &facts.database, MASKED_PASSWORD),
        runnable: true,
        notes,
    })
}

fn adapter(target: &ConnectionTarget) -> Result<Postgres> {
    Postgres::new(target.clone(), OpenOptions { max_connections: 1, ..OpenOptions::default() })
}

pub(crate) async fn plan(target: &ConnectionTarget, login: &str) -> Result<ReadOnlyLoginPlan> {
    let db = adapter(target)?;
    let planned = async { plan_from(&facts(&db).await?, login) }.await;
    db.disconnect().await;
    planned
}

/// Runs the statements in one transaction (PostgreSQL's role statements are
/// transactional): all of them take effect, or none.
pub(crate) async fn create(target: &ConnectionTarget, login: &str, password: &Secret) -> Result<ReadOnlyLoginPlan> {
    let db = adapter(target)?;
    let created = async {
        let facts = facts(&db).await?;
        let plan = plan_from(&facts, login)?;
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| Error::internal(format!("no random numbers for a salt: {e}")))?;
        let verifier = scram_verifier(password.expose(), &salt)?;
        let pool = db.pool().await?;
        let mut tx = pool.begin().await.map_err(|e| db.err(e))?;
        for statement in statements(login, &facts.database, &verifier) {
            // Simple protocol: the text (with the password) is not kept in the statement cache.
            sqlx::raw_sql(AssertSqlSafe(statement))
                .execute(&mut *tx)
                .await
                .map_err(|e| db.err(e).scrub(password).context(format!("creating the role {}", ident(login))))?;
        }
        tx.commit().await.map_err(|e| db.err(e).scrub(password))?;
        Ok(plan)
    }
    .await;
    db.disconnect().await;
    created
}

pub(crate) fn drop_statements(login: &str) -> Vec<String> {
    let role = ident(login);
    // DROP OWNED also revokes what the role was granted here and on the database itself.
    vec![format!("DROP OWNED BY {role};"), format!("DROP ROLE {role};")]
}

pub(crate) async fn drop(target: &ConnectionTarget, login: &str) -> Result<()> {
    let db = adapter(target)?;
    let dropped = async {
        let pool = db.pool().await?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(login)
            .fetch_one(&pool)
            .await
            .map_err(|e| db.err(e))?;
        if !exists {
            return Ok(());
        }
        let mut tx = pool.begin().await.map_err(|e| db.err(e))?;
        for statement in drop_statements(login) {
            sqlx::raw_sql(AssertSqlSafe(statement)).execute(&mut *tx).await.map_err(|e| db.err(e))?;
        }
        tx.commit().await.map_err(|e| db.err(e))
    }
    .await;
    db.disconnect().await;
    dropped
}

/// How PostgreSQL makes, runs and removes a read-only login (its registration's `logins`).
pub(crate) struct Logins;

#[async_trait::async_trait]
impl crate::privileges::ReadOnlyLogins for Logins {
    async fn plan(&self, target: &ConnectionTarget, login: &str) -> Result<ReadOnlyLoginPlan> {
        plan(target, login).await
    }
    async fn create(&self, target: &ConnectionTarget, login: &str, password: &Secret) -> Result<ReadOnlyLoginPlan> {
        create(target, login, password).await
    }
    async fn drop_statements(&self, _target: &ConnectionTarget, login: &str) -> Result<Vec<String>> {
        Ok(drop_statements(login))
    }
    async fn drop(&self, target: &ConnectionTarget, login: &str) -> Result<()> {
        drop(target, login).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scram_verifier_matches_rfc_5802_as_postgres_stores_it() {
        // Computed independently (Python's hashlib.pbkdf2_hmac and hmac).
        let salt: [u8; 16] = std::array::from_fn(|i| i as u8);
        assert_eq!(
            scram_verifier("pencil", &salt).ok().as_deref(),
            Some(
                "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$zHCdol2044/ZyWzPLi7oxApCkamKw9Z+E4U/QApd/5Y=:\
                 dd5peBOitVnLNFu7VmwP+HiDaaw4OUCv396eVCWhYiE="
            )
        );
    }

    #[test]
    fn statements_quote_and_mask() {
        let plan = plan_from(&Facts { database: "sh\"op".into(), version_num: 150_004 }, "dbdock_ai").ok();
        let statements = plan.map(|p| p.statements).unwrap_or_default();
        assert_eq!(
            statements,
            [
                "CREATE ROLE \"dbdock_ai\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS \
                 PASSWORD '********';",
                "GRANT pg_read_all_data TO \"dbdock_ai\";",
                "GRANT CONNECT ON DATABASE \"sh\"\"op\" TO \"dbdock_ai\";",
                "ALTER ROLE \"dbdock_ai\" SET default_transaction_read_only = on;",
            ]
        );
        let old = plan_from(&Facts { database: "x".into(), version_num: 130_000 }, "dbdock_ai");
        assert_eq!(old.err().map(|e| e.code), Some(dbdock_core::ErrorCode::Unsupported));
    }
}

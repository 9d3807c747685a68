//! Least privilege against the real servers: whether a login can write, and the read-only
//! login DB Dock creates, whose writes the server itself refuses.

use dbdock_core::{ConnectionTarget, Database, ErrorCode, QueryOptions, Secret};
use dbdock_engines::OpenOptions;
use dbdock_engines::privileges::{CreatedLogin, MASKED_PASSWORD, create_read_only_login, drop_login};
use dbdock_testkit::{PrivatePostgres, TestDb};

async fn open(target: ConnectionTarget) -> Box<dyn Database> {
    let options = OpenOptions { max_connections: 1, ..OpenOptions::default() };
    let shown = target.redacted();
    dbdock_engines::open(target, options).await.unwrap_or_else(|e| panic!("open {shown}: [{}] {}", e.code, e.message))
}

/// `url` with `user` and `password` as its credentials.
fn as_login(url: &str, user: &str, password: &Secret) -> ConnectionTarget {
    let mut url = url::Url::parse(url).expect("url");
    url.set_username(user).expect("user");
    url.set_password(None).expect("no password");
    ConnectionTarget::parse(url.as_str()).expect("target").with_password(Some(password.clone()))
}

/// A write with DB Dock's classifier out of the way (`read_only: false`): only the
/// server's own refusal can stop it.
const UNGUARDED: QueryOptions =
    QueryOptions { max_rows: None, max_bytes: None, read_only: false, cancellable: false, isolated: false };

fn check_created(created: &CreatedLogin) {
    assert!(created.plan.runnable);
    let shown = created.plan.statements.join("\n");
    assert!(shown.contains(MASKED_PASSWORD), "{shown}");
    assert!(!shown.contains(created.password.expose()), "the password must never be shown");
}

#[tokio::test]
async fn postgres_superuser_can_write_and_the_read_only_login_cannot() {
    let db = TestDb::postgres("privs").await;
    db.run(&["CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders VALUES (1)"]).await;
    let admin_target = ConnectionTarget::parse(&db.url).expect("url");
    let admin = open(admin_target.clone()).await;
    let access = admin.login_access().await.expect("login access");
    assert_eq!(access.login, "postgres");
    assert!(access.can_write, "{access:?}");
    assert_eq!(access.evidence.first().map(String::as_str), Some("superuser"), "{access:?}");
    assert!(access.evidence.len() <= 5);
    admin.disconnect().await;

    let login = format!("dbdock_ai_t{}", std::process::id());
    drop_login(&admin_target, &login).await.expect("clean slate");
    let created = create_read_only_login(&admin_target, &login).await.expect("create");
    check_created(&created);
    let duplicate = create_read_only_login(&admin_target, &login).await.err().expect("exists");
    assert!(duplicate.message.contains("already exists"), "{duplicate:?}");

    let reader = open(as_login(&db.url, &login, &created.password)).await;
    let access = reader.login_access().await.expect("login access");
    assert_eq!((access.login.as_str(), access.can_write), (login.as_str(), false), "{access:?}");
    let rows = reader.query("SELECT count(*) FROM orders", &[], &QueryOptions::default()).await.expect("read");
    assert_eq!(rows.rows.len(), 1);
    // Sessions start read-only (the role's default_transaction_read_only): SQLSTATE 25006.
    let refused = reader.execute("INSERT INTO orders VALUES (2)", &[], &UNGUARDED).await.expect_err("refused");
    assert_eq!(refused.code, ErrorCode::ReadOnlyViolation, "{refused:?}");
    // Turned off for the session (one pooled connection keeps it), the privileges still
    // refuse: SQLSTATE 42501.
    reader.execute("SET default_transaction_read_only = off", &[], &UNGUARDED).await.expect("set");
    for write in ["INSERT INTO orders VALUES (2)", "DELETE FROM orders", "CREATE TABLE sneaky (id int)"] {
        let refused = reader.execute(write, &[], &UNGUARDED).await.expect_err("refused");
        assert_eq!(refused.code, ErrorCode::PermissionDenied, "{write}: {refused:?}");
    }
    reader.disconnect().await;

    drop_login(&admin_target, &login).await.expect("drop");
    let admin = open(admin_target).await;
    let left = admin
        .query("SELECT count(*) FROM pg_roles WHERE rolname = $1", &[login.clone().into()], &QueryOptions::default())
        .await
        .expect("count");
    assert_eq!(left.rows[0][0], dbdock_core::Value::Int(0));
    admin.disconnect().await;
    db.drop().await;
}

/// The shared server trusts every login, so only a server that checks passwords proves
/// the generated password is the one the role got.
#[tokio::test]
async fn postgres_read_only_login_needs_its_generated_password() {
    let server = PrivatePostgres::start(Some("s3cret-admin"));
    let admin_target = ConnectionTarget::parse(&server.url()).expect("url");
    let created = create_read_only_login(&admin_target, "dbdock_ai").await.expect("create");
    let url = server.url_without_password();
    let reader = open(as_login(&url, "dbdock_ai", &created.password)).await;
    assert!(!reader.login_access().await.expect("access").can_write);
    reader.disconnect().await;
    let wrong = dbdock_engines::open(as_login(&url, "dbdock_ai", &Secret::new("wrong")), OpenOptions::default()).await;
    assert_eq!(wrong.err().map(|e| e.code), Some(ErrorCode::AuthFailed));
}

#[tokio::test]
async fn mariadb_root_can_write_and_the_read_only_login_cannot() {
    let db = TestDb::mysql("privs").await;
    let elsewhere = format!("CREATE TABLE {}_b.secrets (id int)", db.name);
    db.run(&["CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders VALUES (1)", &elsewhere]).await;
    let admin_target = ConnectionTarget::parse(&db.url).expect("url");
    let admin = open(admin_target.clone()).await;
    let access = admin.login_access().await.expect("login access");
    assert!(access.login.starts_with("root@"), "{access:?}");
    assert!(access.can_write, "{access:?}");
    assert!(
        access.evidence.iter().any(|e| e.starts_with("INSERT, UPDATE, DELETE") && e.ends_with("on *.*")),
        "{access:?}"
    );
    admin.disconnect().await;

    let login = format!("dbdock_ai_t{}", std::process::id());
    drop_login(&admin_target, &login).await.expect("clean slate");
    let created = create_read_only_login(&admin_target, &login).await.expect("create");
    check_created(&created);
    assert!(created.plan.statements[1].contains(&format!("ON `{}`.*", db.name.replace('_', r"\_"))));

    // MariaDB checks passwords: the account got the generated one (sent as its hash).
    let wrong = dbdock_engines::open(as_login(&db.url, &login, &Secret::new("wrong")), OpenOptions::default()).await;
    assert_eq!(wrong.err().map(|e| e.code), Some(ErrorCode::AuthFailed));
    let reader = open(as_login(&db.url, &login, &created.password)).await;
    let access = reader.login_access().await.expect("login access");
    assert!(access.login.starts_with(&format!("{login}@")) && !access.can_write, "{access:?}");
    let rows = reader.query("SELECT count(*) FROM orders", &[], &QueryOptions::default()).await.expect("read");
    assert_eq!(rows.rows.len(), 1);
    // MySQL error 1142 (command denied): the account has no INSERT, whatever the session does.
    for write in ["INSERT INTO orders VALUES (2)", "DELETE FROM orders", "CREATE TABLE sneaky (id int)"] {
        let refused = reader.execute(write, &[], &UNGUARDED).await.expect_err("refused");
        assert_eq!(refused.code, ErrorCode::PermissionDenied, "{write}: {refused:?}");
    }
    // The other test database of the same server is out of reach.
    let other = reader.query(&format!("SELECT * FROM {}_b.secrets", db.name), &[], &QueryOptions::default()).await;
    assert_eq!(other.err().map(|e| e.code), Some(ErrorCode::PermissionDenied));
    reader.disconnect().await;

    drop_login(&admin_target, &login).await.expect("drop");
    let gone = dbdock_engines::open(as_login(&db.url, &login, &created.password), OpenOptions::default()).await;
    assert_eq!(gone.err().map(|e| e.code), Some(ErrorCode::AuthFailed));
    db.drop().await;
}

use dbdock_core::{ConnectionTarget, Database};
use dbdock_engines::OpenOptions;

/// The PostgreSQL server the tests use (trust auth): DBDOCK_TEST_PG_URL, or the local one.
pub fn pg_admin_url() -> String {
    std::env::var("DBDOCK_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The MariaDB/MySQL server the tests use: DBDOCK_TEST_MYSQL_URL, or the local one.
pub fn mysql_admin_url() -> String {
    std::env::var("DBDOCK_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// The MongoDB server the tests use (SecantusDB here; real MongoDB in the optional
/// workflow): DBDOCK_TEST_MONGODB_URL, or the local one.
pub fn mongodb_url() -> String {
    std::env::var("DBDOCK_TEST_MONGODB_URL")
        .unwrap_or_else(|_| "mongodb://127.0.0.1:27017/?directConnection=true".into())
}

/// A database of its own for one test, dropped again at the end.
pub struct TestDb {
    pub url: String,
    pub name: String,
    admin: Box<dyn Database>,
    drop_sql: Vec<String>,
}

fn unique_name(test: &str) -> String {
    format!("dbdock_t_{}_{}", test, std::process::id())
}

async fn open_admin(url: &str, service: &str) -> Box<dyn Database> {
    let target = ConnectionTarget::parse(url).expect("admin URL");
    dbdock_engines::open(target, OpenOptions::default()).await.unwrap_or_else(|e| {
        panic!(
            "{service} is not reachable at {url}: [{}] {}. Start it (scripts/test.sh does) or point the test at it.",
            e.code, e.message
        )
    })
}

impl TestDb {
    pub async fn postgres(test: &str) -> TestDb {
        let admin = open_admin(&pg_admin_url(), "PostgreSQL").await;
        let name = unique_name(test);
        exec(admin.as_ref(), &format!("DROP DATABASE IF EXISTS {name}")).await;
        exec(admin.as_ref(), &format!("CREATE DATABASE {name}")).await;
        let mut url = url::Url::parse(&pg_admin_url()).expect("url");
        url.set_path(&name);
        TestDb {
            url: url.to_string(),
            drop_sql: vec![format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")],
            name,
            admin,
        }
    }

    /// MariaDB: `name` and `name_b` (MySQL's databases are its schemas).
    pub async fn mysql(test: &str) -> TestDb {
        let admin = open_admin(&mysql_admin_url(), "MariaDB/MySQL").await;
        let name = unique_name(test);
        let mut drop_sql = Vec::new();
        for db in [name.clone(), format!("{name}_b")] {
            exec(admin.as_ref(), &format!("DROP DATABASE IF EXISTS {db}")).await;
            exec(admin.as_ref(), &format!("CREATE DATABASE {db} CHARACTER SET utf8mb4")).await;
            drop_sql.push(format!("DROP DATABASE IF EXISTS {db}"));
        }
        let mut url = url::Url::parse(&mysql_admin_url()).expect("url");
        url.set_path(&name);
        TestDb { url: url.to_string(), drop_sql, name, admin }
    }

    /// MongoDB: a database that exists once something is written to it.
    pub async fn mongodb(test: &str) -> TestDb {
        let name = unique_name(test);
        let mut url = url::Url::parse(&mongodb_url()).expect("url");
        url.set_path(&format!("/{name}"));
        // The drop runs on a connection to the test database itself (`db` is that database).
        let admin = open_admin(url.as_str(), "MongoDB (SecantusDB: scripts/test.sh starts it)").await;
        exec(admin.as_ref(), "db.runCommand({dropDatabase: 1})").await;
        TestDb { url: url.to_string(), drop_sql: vec!["db.runCommand({dropDatabase: 1})".into()], name, admin }
    }

    /// Runs setup statements on the test database, one at a time.
    pub async fn run(&self, statements: &[&str]) {
        let db = open_admin(&self.url, "the test database").await;
        for sql in statements {
            exec(db.as_ref(), sql).await;
        }
        db.disconnect().await;
    }

    pub async fn drop(self) {
        for sql in &self.drop_sql {
            exec(self.admin.as_ref(), sql).await;
        }
        self.admin.disconnect().await;
    }
}

pub async fn exec(db: &dyn Database, sql: &str) {
    db.execute(sql, &[], &Default::default()).await.unwrap_or_else(|e| panic!("{sql}: [{}] {}", e.code, e.message));
}

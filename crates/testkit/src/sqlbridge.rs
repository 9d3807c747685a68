//! A SQL Server stand-in of a test's own: pysqlbridge (PyPI), a TDS server that serves CSV
//! and JSON files as read-only tables behind a TLS login. No SQL Server installs here, and
//! this speaks the same protocol to the same driver; what it cannot emulate (writes, most
//! catalog views, decimal and date wire types) is listed in the README.
//!
//! The binary comes from `DBDOCK_PYSQLBRIDGE`, else `<workspace>/.venv-test/bin/pysqlbridge`
//! (`scripts/test.sh` installs it there). Missing, it panics: tests fail, never skip.

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The login every bridge admits.
pub const SQLBRIDGE_USER: &str = "tester";

/// The database name pysqlbridge announces whatever a client asks for.
pub const SQLBRIDGE_DATABASE: &str = "pysqlbridge";

pub struct SqlBridge {
    dir: tempfile::TempDir,
    child: Child,
    pub port: u16,
    password: String,
}

fn binary() -> PathBuf {
    let path = std::env::var_os("DBDOCK_PYSQLBRIDGE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv-test/bin/pysqlbridge"));
    assert!(
        path.is_file(),
        "pysqlbridge (the SQL Server test server) is not installed at {}: run `bash scripts/test.sh` (it installs \
         pysqlbridge==2.1.3 into .venv-test), or `python3 -m venv .venv-test && .venv-test/bin/pip install \
         pysqlbridge==2.1.3`, or set DBDOCK_PYSQLBRIDGE to its path",
        path.display()
    );
    path
}

fn spare_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a spare port")
}

/// A JSON string literal (the config is written by hand: testkit has no JSON dependency).
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl SqlBridge {
    /// Serves `files` (name, contents): `*.csv` and `*.json` files, each a table named after
    /// the file's stem. The login is [`SQLBRIDGE_USER`] with [`SqlBridge::password`].
    pub fn start(files: &[(&str, &str)]) -> SqlBridge {
        let binary = binary();
        let dir = tempfile::Builder::new().prefix("dbdock-sqlbridge-").tempdir().expect("temp dir");
        // Characters a URL or a connection string would have to escape, to prove nothing does.
        // (ASCII only: pysqlbridge cannot compare a non-ASCII password.)
        let password = format!("Pw;{}:@/x%", std::process::id());
        let mut tables = Vec::new();
        for (name, contents) in files {
            std::fs::write(dir.path().join(name), contents).expect("write a data file");
            let (stem, kind) = name.rsplit_once('.').expect("a data file name with an extension");
            tables.push(format!("{{\"name\": {}, {}: {}}}", json_string(stem), json_string(kind), json_string(name)));
        }
        let config = format!(
            "{{\"logins\": [{{\"user\": {}, \"password\": {}}}], \"tables\": [{}]}}",
            json_string(SQLBRIDGE_USER),
            json_string(&password),
            tables.join(", ")
        );
        let config_path = dir.path().join("config.json");
        std::fs::write(&config_path, config).expect("write the config");
        let port = spare_port();
        let log = File::create(dir.path().join("server.log")).expect("log file");
        let child = Command::new(&binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--config"])
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut bridge = SqlBridge { dir, child, port, password };
        bridge.wait_until_listening();
        bridge
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("pysqlbridge exited ({status}) before listening: {}", self.log());
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            assert!(Instant::now() < deadline, "pysqlbridge did not listen within 30 s: {}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The current contents of one of the served files, to prove a test changed nothing.
    pub fn data_file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
    }

    /// What the server wrote: logins, queries, failures.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// The URL without the password, trusting the server's self-signed certificate (as a
    /// real SQL Server with its default certificate needs too).
    pub fn url(&self) -> String {
        format!("{}?trustServerCertificate=true", self.url_without_options())
    }

    /// The URL with no options: certificate validation on (the default).
    pub fn url_without_options(&self) -> String {
        format!("sqlserver://{SQLBRIDGE_USER}@127.0.0.1:{}/{SQLBRIDGE_DATABASE}", self.port)
    }

    pub fn password(&self) -> &str {
        &self.password
    }

    /// [`SqlBridge::url`] with the password attached, ready to open.
    pub fn target(&self) -> dbdock_core::ConnectionTarget {
        dbdock_core::ConnectionTarget::parse(&self.url())
            .expect("the bridge URL parses")
            .with_password(Some(dbdock_core::Secret::new(self.password.clone())))
    }
}

impl Drop for SqlBridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

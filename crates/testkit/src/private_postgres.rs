//! A PostgreSQL cluster of a test's own, on a spare port, that the test may stop and
//! start: for reconnect tests, password authentication (the shared server trusts
//! loopback) and non-default ports.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    password: Option<String>,
}

fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("DBDOCK_TEST_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!("PostgreSQL server binaries (initdb, pg_ctl) are not installed under /usr/lib/postgresql: install postgresql or set DBDOCK_TEST_PG_BIN")
    })
}

pub(crate) fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user.
fn pg_command(bin: &Path, tool: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    }
}

pub(crate) fn run(mut command: Command, what: &str) {
    let out = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(crate) fn spare_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a spare port")
}

impl PrivatePostgres {
    /// Initializes and starts a cluster. With a password, TCP logins need it (SCRAM).
    pub fn start(password: Option<&str>) -> PrivatePostgres {
        let server = Self::init(password);
        server.start_again();
        server
    }

    /// Initializes a cluster without starting it, so its configuration can be changed
    /// first ([`PrivatePostgres::data_dir`]).
    pub(crate) fn init(password: Option<&str>) -> PrivatePostgres {
        let bin = bin_dir();
        let dir = tempfile::Builder::new().prefix("dbdock-pg-").tempdir().expect("temp dir");
        if is_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres").arg(dir.path());
                    c
                },
                "chown the cluster directory",
            );
        }
        let mut initdb = pg_command(&bin, "initdb");
        initdb.arg("-D").arg(dir.path().join("data")).args(["-U", "postgres", "-N", "--auth-local=trust"]);
        match password {
            Some(pw) => {
                let pwfile = dir.path().join("pwfile");
                std::fs::write(&pwfile, pw).expect("write pwfile");
                if is_root() {
                    run(
                        {
                            let mut c = Command::new("chown");
                            c.arg("postgres").arg(&pwfile);
                            c
                        },
                        "chown pwfile",
                    );
                }
                initdb.arg("--auth-host=scram-sha-256").arg(format!("--pwfile={}", pwfile.display()));
            }
            None => {
                initdb.arg("--auth-host=trust");
            }
        }
        run(initdb, "initdb");
        PrivatePostgres { dir, bin, port: spare_port(), password: password.map(str::to_owned) }
    }

    /// The cluster's directory (owned by the server's user); the data directory is `data` in it.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `sql` as the superuser through the cluster's Unix socket (which trusts local logins).
    pub(crate) fn psql(&self, sql: &str) {
        let mut c = pg_command(&self.bin, "psql");
        c.arg("-h").arg(self.dir.path()).args(["-p", &self.port.to_string(), "-U", "postgres", "-d", "postgres"]);
        c.args(["-v", "ON_ERROR_STOP=1", "-c", sql]);
        run(c, &format!("psql -c {sql}"));
    }

    /// The URL to connect as the superuser, with the password when there is one.
    pub fn url(&self) -> String {
        match &self.password {
            Some(pw) => format!("postgres://postgres:{pw}@127.0.0.1:{}/postgres", self.port),
            None => format!("postgres://postgres@127.0.0.1:{}/postgres", self.port),
        }
    }

    /// The URL without the password.
    pub fn url_without_password(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server (again) on the same port and data.
    pub fn start_again(&self) {
        let mut c = pg_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(self.dir.path().join("data")).arg("-l").arg(self.dir.path().join("log")).args([
            "-w",
            "-o",
            &format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display()),
            "start",
        ]);
        run(c, "pg_ctl start");
    }

    /// Kills the server at once (`-m immediate`), as a crash would.
    pub fn kill(&self) {
        let mut c = pg_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(self.dir.path().join("data")).args(["-m", "immediate", "-w", "stop"]);
        run(c, "pg_ctl stop");
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let mut c = pg_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(self.dir.path().join("data")).args(["-m", "immediate", "stop"]);
        let _ = c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

//! A NATS server of a test's own, on a spare port, that the test may kill and start again
//! on the same port and storage: for reconnect tests and password authentication (the
//! shared server has no auth).

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

enum Auth {
    None,
    User(String, String),
    Token(String),
}

pub struct PrivateNats {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    auth: Auth,
    child: Mutex<Option<Child>>,
}

pub(crate) fn binary() -> PathBuf {
    if let Ok(bin) = std::env::var("DBDOCK_TEST_NATS_SERVER") {
        return PathBuf::from(bin);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|p| p.join("nats-server")).collect::<Vec<_>>())
        .unwrap_or_default();
    std::iter::once(PathBuf::from("/usr/sbin/nats-server")).chain(on_path).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "nats-server is not installed (/usr/sbin/nats-server or on PATH): install it or set DBDOCK_TEST_NATS_SERVER"
        )
    })
}

fn spare_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a spare port")
}

impl PrivateNats {
    /// Starts a server with JetStream (storage in a temporary directory) and no auth.
    pub fn start() -> PrivateNats {
        Self::start_with(Auth::None)
    }

    /// Starts a server that requires this user and password.
    pub fn start_with_user(user: &str, password: &str) -> PrivateNats {
        Self::start_with(Auth::User(user.to_owned(), password.to_owned()))
    }

    /// Starts a server that requires this token.
    pub fn start_with_token(token: &str) -> PrivateNats {
        Self::start_with(Auth::Token(token.to_owned()))
    }

    fn start_with(auth: Auth) -> PrivateNats {
        let dir = tempfile::Builder::new().prefix("dbdock-nats-").tempdir().expect("temp dir");
        let server = PrivateNats { dir, bin: binary(), port: spare_port(), auth, child: Mutex::new(None) };
        server.start_again();
        server
    }

    /// The URL to connect with, the password (or the token, as the URL's user) included.
    pub fn url(&self) -> String {
        match &self.auth {
            Auth::User(user, password) => format!("nats://{user}:{password}@127.0.0.1:{}", self.port),
            Auth::Token(token) => format!("nats://{token}@127.0.0.1:{}", self.port),
            Auth::None => self.url_without_password(),
        }
    }

    /// The URL with no credentials.
    pub fn url_without_password(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port and storage, and waits until it accepts
    /// connections.
    pub fn start_again(&self) {
        let mut child = self.child.lock().unwrap();
        assert!(child.is_none(), "the private nats-server is already running");
        let mut command = Command::new(&self.bin);
        command
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string(), "-js", "-sd"])
            .arg(self.dir.path().join("jetstream"))
            .arg("-l")
            .arg(self.dir.path().join("nats.log"));
        match &self.auth {
            Auth::User(user, password) => {
                command.args(["--user", user, "--pass", password]);
            }
            Auth::Token(token) => {
                command.args(["--auth", token]);
            }
            Auth::None => {}
        }
        let spawned = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        *child = Some(spawned.unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display())));
        drop(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the private nats-server did not listen on {} within 10 s", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server at once (SIGKILL), as a crash would, and waits until it is gone.
    pub fn kill(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateNats {
    fn drop(&mut self) {
        if let Ok(mut running) = self.child.lock()
            && let Some(mut child) = running.take()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

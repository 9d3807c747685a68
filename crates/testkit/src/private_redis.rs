//! A `redis-server` of a test's own, on a spare port, that the test may kill and start
//! again (reconnect tests) or start with a password; and the URL of the shared local
//! Redis, checked to be reachable.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The shared local Redis (`DBDOCK_TEST_REDIS_URL`, by default `redis://127.0.0.1:6379`);
/// panics, naming Redis, when nothing listens there.
pub fn redis_url() -> String {
    let url = std::env::var("DBDOCK_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let parsed = url::Url::parse(&url).unwrap_or_else(|e| panic!("DBDOCK_TEST_REDIS_URL '{url}' is not a URL: {e}"));
    let address = format!("{}:{}", parsed.host_str().unwrap_or("127.0.0.1"), parsed.port().unwrap_or(6379));
    let reachable = address.parse().ok().and_then(|a| TcpStream::connect_timeout(&a, Duration::from_secs(5)).ok());
    assert!(
        reachable.is_some(),
        "the test Redis at {address} is not reachable: start redis-server or set DBDOCK_TEST_REDIS_URL"
    );
    url
}

pub struct PrivateRedis {
    pub port: u16,
    password: Option<String>,
    dir: tempfile::TempDir,
    child: Mutex<Option<Child>>,
}

fn spare_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a spare port")
}

impl PrivateRedis {
    /// Starts a server without persistence on a spare port.
    pub fn start() -> PrivateRedis {
        Self::launch(None)
    }

    /// Starts a server whose clients must give `password` (`--requirepass`).
    pub fn start_with_password(password: &str) -> PrivateRedis {
        Self::launch(Some(password))
    }

    fn launch(password: Option<&str>) -> PrivateRedis {
        let dir = tempfile::Builder::new().prefix("dbdock-redis-").tempdir().expect("temp dir");
        let server =
            PrivateRedis { port: spare_port(), password: password.map(str::to_owned), dir, child: Mutex::new(None) };
        server.start_again();
        server
    }

    /// The URL to connect with, with the password when there is one.
    pub fn url(&self) -> String {
        match &self.password {
            Some(pw) => format!("redis://:{pw}@127.0.0.1:{}", self.port),
            None => format!("redis://127.0.0.1:{}", self.port),
        }
    }

    /// The URL without the password.
    pub fn url_without_password(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port, and waits until it answers.
    pub fn start_again(&self) {
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--dir"])
            .arg(self.dir.path());
        if let Some(pw) = &self.password {
            command.args(["--requirepass", pw]);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run redis-server (install Redis to run these tests): {e}"));
        *self.child.lock().unwrap() = Some(child);
        self.wait_until_answering();
    }

    fn wait_until_answering(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.answers_ping() {
                return;
            }
            if let Some(status) = self.child.lock().unwrap().as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("the private redis-server on port {} exited at start: {status}", self.port);
            }
            assert!(
                Instant::now() < deadline,
                "the private redis-server on port {} did not answer within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A PING answered with PONG, or NOAUTH when a password is required: either way, up.
    fn answers_ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        if stream.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut reply = [0_u8; 64];
        matches!(stream.read(&mut reply), Ok(n) if reply[..n].starts_with(b"+PONG") || reply[..n].starts_with(b"-NOAUTH"))
    }

    /// Kills the server at once (SIGKILL), as a crash would, and waits until it is gone.
    pub fn kill(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

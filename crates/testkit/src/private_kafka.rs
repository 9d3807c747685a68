//! Kafka for the tests: the shared broker (127.0.0.1:9092, or `DBDOCK_TEST_KAFKA_URL`),
//! and a tansu broker of a test's own on a spare port that the test may kill and start
//! again on the same storage (reconnect tests). tansu is built once per machine by
//! `scripts/services.sh` (`ensure_tansu`) into `~/.cache/dbdock-test`.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The shared broker's URL.
pub fn kafka_url() -> String {
    std::env::var("DBDOCK_TEST_KAFKA_URL").unwrap_or_else(|_| "kafka://127.0.0.1:9092".to_owned())
}

/// The shared broker's `host:port`, failing with a message naming Kafka when it is not
/// listening (the tests never skip).
pub fn kafka_bootstrap() -> String {
    let url = url::Url::parse(&kafka_url()).expect("DBDOCK_TEST_KAFKA_URL is a URL");
    let address = format!("{}:{}", url.host_str().unwrap_or("127.0.0.1"), url.port().unwrap_or(9092));
    if TcpStream::connect(&address).is_err() {
        panic!(
            "Kafka is not reachable at {address}: start it with `. scripts/services.sh; start_kafka` (tansu) or set \
             DBDOCK_TEST_KAFKA_URL"
        );
    }
    address
}

fn binary() -> PathBuf {
    if let Ok(bin) = std::env::var("DBDOCK_TEST_TANSU") {
        return PathBuf::from(bin);
    }
    let cache = std::env::var("DBDOCK_TEST_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/dbdock-test"));
    let bin = cache.join("tansu-0.6.0/bin/tansu");
    assert!(
        bin.is_file(),
        "the tansu Kafka broker is not built at {}: run `. scripts/services.sh; ensure_tansu` or set DBDOCK_TEST_TANSU",
        bin.display()
    );
    bin
}

pub struct PrivateKafka {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    child: Mutex<Option<Child>>,
}

impl PrivateKafka {
    /// Starts a broker with SQLite storage in a temporary folder.
    pub fn start() -> PrivateKafka {
        let dir = tempfile::Builder::new().prefix("dbdock-kafka-").tempdir().expect("temp dir");
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
        let broker = PrivateKafka { dir, bin: binary(), port, child: Mutex::new(None) };
        broker.start_again();
        broker
    }

    pub fn url(&self) -> String {
        format!("kafka://127.0.0.1:{}", self.port)
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts the broker (again) on the same port and storage, and waits until it listens.
    pub fn start_again(&self) {
        let mut child = self.child.lock().unwrap();
        assert!(child.is_none(), "the private tansu broker is already running");
        let listener = format!("tcp://127.0.0.1:{}", self.port);
        let log = std::fs::File::create(self.dir.path().join("tansu.log")).expect("tansu log");
        let spawned = Command::new(&self.bin)
            .args(["broker", "--storage-engine", "sqlite://tansu.db", "--listener-url", &listener])
            .args(["--advertised-listener-url", &listener])
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn();
        *child = Some(spawned.unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display())));
        drop(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the private tansu broker did not listen on {} within 20 s", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the broker at once (SIGKILL), as a crash would.
    pub fn kill(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateKafka {
    fn drop(&mut self) {
        self.kill();
    }
}

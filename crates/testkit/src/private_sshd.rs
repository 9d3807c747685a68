//! A private sshd for the SSH tunnel tests, started by `scripts/private-sshd.sh` (the one
//! launcher the Rust, Python and e2e tests share): a jump host on a loopback port with
//! its own host key, a user key and a password for the user `dbdock-tunnel`, which the
//! test may kill and start again on the same port with the same host key.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PrivateSshd {
    pub port: u16,
    dir: tempfile::TempDir,
}

/// The user the private sshd lets in (never root).
pub const SSH_USER: &str = "dbdock-tunnel";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/private-sshd.sh")
}

impl PrivateSshd {
    /// Generates keys and starts sshd on a free port; panics, naming sshd, when it cannot.
    pub fn start() -> PrivateSshd {
        let dir = tempfile::Builder::new().prefix("dbdock-sshd-").tempdir().expect("temp dir");
        let port = launch(dir.path(), None);
        PrivateSshd { port, dir }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `ssh://dbdock-tunnel@127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ssh://{SSH_USER}@127.0.0.1:{}", self.port)
    }

    /// The private key the user logs in with (no passphrase).
    pub fn user_key(&self) -> PathBuf {
        self.dir.path().join("user_ed25519")
    }

    /// The user's password.
    pub fn password(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("password")).expect("the sshd password file").trim().to_owned()
    }

    /// The host key's public half, as a known_hosts line would carry it.
    pub fn host_public_key(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("host_ed25519.pub")).expect("the host key")
    }

    /// `SHA256:…` of the host key, as `ssh-keygen -l` prints it.
    pub fn host_fingerprint(&self) -> String {
        let out = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(self.dir.path().join("host_ed25519.pub"))
            .output()
            .expect("ssh-keygen runs");
        String::from_utf8_lossy(&out.stdout).split_whitespace().nth(1).expect("a fingerprint").to_owned()
    }

    /// Writes a known_hosts file at `path` that trusts this sshd's host key.
    pub fn write_known_hosts(&self, path: &Path) {
        let key = self.host_public_key();
        let mut fields = key.split_whitespace();
        let (kind, body) = (fields.next().expect("key type"), fields.next().expect("key body"));
        std::fs::write(path, format!("[127.0.0.1]:{} {kind} {body}\n", self.port)).expect("write known_hosts");
    }

    /// What sshd logged (debug level: forwarded connections show as `direct-tcpip`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// Kills the listener and every session it forked (the network to the bastion is gone).
    pub fn kill(&self) {
        // Each session is a child of the listener, and holds the network socket in a
        // child of its own (privilege separation): kill the whole tree, leaves first.
        let pid = std::fs::read_to_string(self.dir.path().join("pid")).unwrap_or_default();
        if let Ok(pid) = pid.trim().parse::<u32>() {
            kill_tree(pid);
        }
        let _ = Command::new("pkill").arg("-f").arg(self.config()).status();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("sshd on port {} did not stop", self.port);
    }

    /// Starts sshd again on the same port with the same host key.
    pub fn restart(&self) {
        launch(self.dir.path(), Some(self.port));
    }

    fn config(&self) -> String {
        self.dir.path().join("sshd_config").display().to_string()
    }
}

impl Drop for PrivateSshd {
    fn drop(&mut self) {
        self.kill();
    }
}

/// SIGKILLs the descendants of `pid` (not `pid` itself), deepest first.
fn kill_tree(pid: u32) {
    let out = Command::new("pgrep").arg("-P").arg(pid.to_string()).output();
    let children = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    for child in children.split_whitespace().filter_map(|c| c.parse::<u32>().ok()) {
        kill_tree(child);
        let _ = Command::new("kill").args(["-KILL", &child.to_string()]).status();
    }
}

fn launch(dir: &Path, port: Option<u16>) -> u16 {
    let mut command = Command::new("bash");
    command.arg(script()).arg(dir);
    if let Some(port) = port {
        command.arg(port.to_string());
    }
    let out = command.output().expect("bash runs scripts/private-sshd.sh");
    assert!(
        out.status.success(),
        "the private sshd (scripts/private-sshd.sh) did not start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("private-sshd.sh prints the port")
}

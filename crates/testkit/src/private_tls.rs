//! A test CA and certificates made with the `openssl` CLI, and a PostgreSQL cluster, a
//! `redis-server` and a `nats-server` of a test's own that speak TLS with them: for the
//! tests of each engine's TLS settings (docs/network.md), which must fail when TLS is not
//! really used.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::PrivatePostgres;
use crate::private_postgres::{is_root, run, spare_port};

/// The user a client certificate logs in as (its CN).
pub const CERT_USER: &str = "certuser";

/// A CA and the certificates it signed, as unencrypted PEM files in a directory of their
/// own (removed on drop). Paths are strings, as a profile's TLS settings hold them.
pub struct TestCerts {
    dir: tempfile::TempDir,
    /// The CA's certificate.
    pub ca: String,
    /// The server's certificate: for the DNS name `localhost` only (not `127.0.0.1`, so a
    /// connection by address fails a host name check), and its key.
    pub server_cert: String,
    pub server_key: String,
    /// A client certificate for [`CERT_USER`], and its key.
    pub client_cert: String,
    pub client_key: String,
}

fn openssl(dir: &Path, args: &[&str], what: &str) {
    let mut c = Command::new("openssl");
    c.current_dir(dir).args(args);
    let out = c.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: cannot run openssl: {e}"));
    assert!(
        out.status.success(),
        "{what}: openssl {} failed: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TestCerts {
    /// Generates the CA, a server and a client certificate (EC P-256, valid for two days).
    pub fn generate() -> TestCerts {
        let dir = tempfile::Builder::new().prefix("dbdock-tls-").tempdir().expect("temp dir");
        let d = dir.path();
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc"];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend(["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=DB Dock test CA"]);
        ca.extend(["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        openssl(d, &ca, "the test CA");
        for (name, subject, extensions) in [
            (
                "server",
                "/CN=localhost",
                "subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\n\
                 keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
            ),
            (
                "client",
                "/CN=certuser",
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
            ),
        ] {
            let (key, csr, pem, ext) =
                (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"), format!("{name}.ext"));
            std::fs::write(d.join(&ext), extensions).expect("write the extensions");
            let mut request = vec!["req", "-new"];
            request.extend(ec);
            request.extend(["-keyout", &key, "-out", &csr, "-subj", subject]);
            openssl(d, &request, &format!("the test {name} key"));
            let sign = [
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                &pem,
                "-extfile",
                &ext,
            ];
            openssl(d, &sign, &format!("the test {name} certificate"));
        }
        let path = |name: &str| d.join(name).display().to_string();
        TestCerts {
            ca: path("ca.pem"),
            server_cert: path("server.pem"),
            server_key: path("server.key"),
            client_cert: path("client.pem"),
            client_key: path("client.key"),
            dir,
        }
    }

    /// The directory the files are in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A private PostgreSQL cluster that takes TCP connections only over TLS (a plain one is
/// refused by `pg_hba.conf`), with the test certificates: [`CERT_USER`] logs in with its
/// client certificate (`cert`), every other user is trusted. Stopped on drop.
pub struct PrivateTlsPostgres {
    server: PrivatePostgres,
}

impl PrivateTlsPostgres {
    pub fn start(certs: &TestCerts) -> PrivateTlsPostgres {
        let server = PrivatePostgres::init(None);
        // The server reads its key only when its own user owns it, unreadable to others.
        for (from, to) in [(&certs.server_cert, "server.pem"), (&certs.server_key, "server.key"), (&certs.ca, "ca.pem")]
        {
            let to = server.dir().join(to);
            std::fs::copy(from, &to).unwrap_or_else(|e| panic!("PostgreSQL with TLS: cannot copy {from}: {e}"));
            // (A private PostgreSQL runs on Unix only; the release workflow builds the test
            // crates on Windows too.)
            #[cfg(unix)]
            std::fs::set_permissions(&to, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .expect("PostgreSQL with TLS: chmod");
            if is_root() {
                let mut c = Command::new("chown");
                c.arg("postgres").arg(&to);
                run(c, "PostgreSQL with TLS: chown the certificate files");
            }
        }
        let data = server.dir().join("data");
        std::fs::write(
            data.join("pg_hba.conf"),
            format!(
                "local all all trust\n\
                 hostssl all {CERT_USER} 127.0.0.1/32 cert\n\
                 hostssl all all 127.0.0.1/32 trust\n\
                 hostnossl all all 127.0.0.1/32 reject\n"
            ),
        )
        .expect("PostgreSQL with TLS: write pg_hba.conf");
        let file = |name: &str| server.dir().join(name).display().to_string();
        let settings = format!(
            "\nssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\nssl_ca_file = '{}'\n",
            file("server.pem"),
            file("server.key"),
            file("ca.pem")
        );
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("PostgreSQL with TLS: read postgresql.conf");
        text.push_str(&settings);
        std::fs::write(&conf, text).expect("PostgreSQL with TLS: write postgresql.conf");
        server.start_again();
        server.psql(&format!("CREATE ROLE {CERT_USER} LOGIN"));
        PrivateTlsPostgres { server }
    }

    pub fn port(&self) -> u16 {
        self.server.port
    }

    /// `postgres://USER@HOST:PORT/postgres`, with no TLS option in it.
    pub fn url(&self, user: &str, host: &str) -> String {
        format!("postgres://{user}@{host}:{}/postgres", self.server.port)
    }
}

/// A private `redis-server` that speaks only TLS (`--port 0 --tls-port P`), with the test
/// certificates. Killed on drop.
pub struct PrivateTlsRedis {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl PrivateTlsRedis {
    /// With `client_certificate_required`, a client must show a certificate signed by the
    /// test CA (`--tls-auth-clients yes`); otherwise it may (`optional`).
    pub fn start(certs: &TestCerts, client_certificate_required: bool) -> PrivateTlsRedis {
        let dir = tempfile::Builder::new().prefix("dbdock-redis-tls-").tempdir().expect("temp dir");
        let port = spare_port();
        let log = dir.path().join("log");
        let mut command = Command::new("redis-server");
        command
            .args(["--port", "0", "--tls-port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--tls-cert-file", &certs.server_cert, "--tls-key-file", &certs.server_key])
            .args(["--tls-ca-cert-file", &certs.ca])
            .args(["--tls-auth-clients", if client_certificate_required { "yes" } else { "optional" }])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile"])
            .arg(&log)
            .arg("--dir")
            .arg(dir.path());
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run redis-server (install Redis to run the TLS tests): {e}"));
        wait_until_listening(&mut child, port, "redis-server", &log);
        PrivateTlsRedis { port, child, _dir: dir }
    }

    /// `redis://HOST:PORT` (the scheme the TLS settings must switch to `rediss://`).
    pub fn url(&self, host: &str) -> String {
        format!("redis://{host}:{}", self.port)
    }
}

/// Waits until `port` takes TCP connections (the server answers only in TLS, so that is
/// all a plain client can see); panics, naming `server`, when it exits or takes too long.
fn wait_until_listening(child: &mut Child, port: u16, server: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let log_text = || std::fs::read_to_string(log).unwrap_or_default();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the private {server} with TLS on port {port} exited at start ({status}): {}", log_text());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the private {server} with TLS on port {port} did not listen within 10 s: {}", log_text());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for PrivateTlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private `nats-server` that requires TLS of every client (`--tls`), with the test
/// certificates. Killed on drop.
pub struct PrivateTlsNats {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl PrivateTlsNats {
    /// With `client_certificate_required`, a client must show a certificate signed by the
    /// test CA (`--tlsverify`).
    pub fn start(certs: &TestCerts, client_certificate_required: bool) -> PrivateTlsNats {
        let dir = tempfile::Builder::new().prefix("dbdock-nats-tls-").tempdir().expect("temp dir");
        let port = spare_port();
        let log = dir.path().join("log");
        let mut command = Command::new(crate::private_nats::binary());
        command
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "--tls"])
            .args(["--tlscert", &certs.server_cert, "--tlskey", &certs.server_key])
            .arg("--log")
            .arg(&log);
        if client_certificate_required {
            command.args(["--tlsverify", "--tlscacert", &certs.ca]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run nats-server (install it to run the TLS tests): {e}"));
        wait_until_listening(&mut child, port, "nats-server", &log);
        PrivateTlsNats { port, child, _dir: dir }
    }

    /// `nats://HOST:PORT` (plain in the URL: the TLS settings must ask for TLS).
    pub fn url(&self, host: &str) -> String {
        format!("nats://{host}:{}", self.port)
    }
}

impl Drop for PrivateTlsNats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

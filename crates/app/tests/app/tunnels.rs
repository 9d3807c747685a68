//! Profiles reached through a private sshd (scripts/private-sshd.sh) on this machine:
//! PostgreSQL, MariaDB and Redis through the tunnel, host keys refused until trusted, a
//! changed key refused with HOST_KEY_MISMATCH, wrong logins with AUTH_FAILED, and the
//! tunnel coming back after the sshd restarts. A server or sshd that cannot be started or
//! reached fails the test, naming it.

use std::sync::Arc;
use std::time::Duration;

use dbdock_app::{Audience, Workspace};
use dbdock_core::{ConnectionTarget, ErrorCode, QueryOptions, Secret, SshAuth, SshHop, Value};
use dbdock_store::{Home, NewProfile, Store};
use dbdock_testkit::PrivateSshd;

struct Setup {
    workspace: Arc<Workspace>,
    home: tempfile::TempDir,
}

/// A workspace whose profiles reach `url`s through `sshd`, logging in with its user key;
/// its own known_hosts trusts the sshd's host key when `trusted`.
async fn through(sshd: &PrivateSshd, trusted: bool, profiles: &[(&str, String)]) -> Setup {
    let home = tempfile::tempdir().unwrap();
    if trusted {
        sshd.write_known_hosts(&home.path().join("known_hosts"));
    }
    let store = Store::open(Home::at(home.path())).await.unwrap();
    let key = SshAuth::Key { path: sshd.user_key().display().to_string() };
    for (name, url) in profiles {
        let new = NewProfile {
            ssh: vec![SshHop::parse(&sshd.url(), key.clone()).unwrap()],
            ..NewProfile::new(*name, ConnectionTarget::parse(url).unwrap())
        };
        store.add_profile(new).await.unwrap();
    }
    Setup { workspace: Workspace::new(store), home }
}

/// A new ed25519 key pair in `dir` (no passphrase): its private key's path.
fn new_key(dir: &std::path::Path) -> std::path::PathBuf {
    let key = dir.join("id_ed25519");
    let keygen =
        std::process::Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).status();
    assert!(keygen.is_ok_and(|s| s.success()), "ssh-keygen could not make a key");
    key
}

async fn query(workspace: &Workspace, name: &str, sql: &str) -> dbdock_core::Result<Vec<Vec<Value>>> {
    let open = workspace.connection(Audience::User, name).await?;
    Ok(open.run_statement(sql, &[], &QueryOptions::default()).await?.rows)
}

/// Whether sshd carried a forward to `port` (its debug log: "server_request_direct_tcpip:
/// originator … target 127.0.0.1 port 5432").
fn forwarded_to(sshd: &PrivateSshd, port: u16) -> bool {
    let wanted = format!("target 127.0.0.1 port {port}");
    sshd.log().lines().any(|l| l.contains("direct_tcpip") && l.ends_with(&wanted))
}

#[tokio::test]
async fn postgres_mariadb_and_redis_are_reached_through_the_jump_host() {
    let sshd = PrivateSshd::start();
    let setup = through(
        &sshd,
        true,
        &[
            ("pg", dbdock_testkit::pg_admin_url()),
            ("maria", dbdock_testkit::mysql_admin_url()),
            ("cache", dbdock_testkit::redis_url()),
        ],
    )
    .await;
    let ws = &setup.workspace;
    let rows = query(ws, "pg", "SELECT 41 + 1").await.expect("PostgreSQL on 127.0.0.1:5432 through the sshd");
    assert_eq!(rows[0][0], Value::Int(42));
    assert!(forwarded_to(&sshd, 5432), "sshd carried no connection to 5432:\n{}", sshd.log());
    let rows = query(ws, "maria", "SELECT 6 * 7").await.expect("MariaDB on 127.0.0.1:3306 through the sshd");
    assert_eq!(rows[0][0], Value::Int(42));
    assert!(forwarded_to(&sshd, 3306), "sshd carried no connection to 3306:\n{}", sshd.log());
    let probe = ws.probe(Audience::User, "cache").await.expect("Redis on 127.0.0.1:6379 through the sshd");
    assert!(probe.server_version.contains("Redis") || probe.server_version.contains("Valkey"), "{probe:?}");
    assert!(forwarded_to(&sshd, 6379), "sshd carried no connection to 6379:\n{}", sshd.log());
    ws.close().await;
}

#[tokio::test]
async fn an_unknown_host_key_is_refused_until_its_fingerprint_is_accepted() {
    let sshd = PrivateSshd::start();
    let setup = through(&sshd, false, &[("pg", dbdock_testkit::pg_admin_url())]).await;
    let ws = &setup.workspace;
    let refused = ws.probe(Audience::User, "pg").await.expect_err("an unknown host key is refused");
    assert_eq!(refused.code, ErrorCode::HostKeyUnknown, "{refused:?}");
    let fingerprint = sshd.host_fingerprint();
    assert!(refused.message.contains(&fingerprint), "no fingerprint in: {}", refused.message);
    assert!(refused.message.contains("dbdock profile trust-host pg --fingerprint"), "{}", refused.message);

    let wrong = ws.trust_host_key("pg", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(wrong.expect_err("another fingerprint accepts nothing").code, ErrorCode::HostKeyUnknown);
    ws.trust_host_key("pg", &fingerprint).await.expect("the offered key is accepted");
    let own = std::fs::read_to_string(setup.home.path().join("known_hosts")).unwrap();
    assert!(own.contains(&format!("[127.0.0.1]:{}", sshd.port)), "{own}");
    ws.probe(Audience::User, "pg").await.expect("a trusted host key connects");

    // The jump host now answers with another key: refused everywhere, loudly.
    let other = tempfile::tempdir().unwrap();
    let body = std::fs::read_to_string(new_key(other.path()).with_extension("pub")).unwrap();
    let body: Vec<&str> = body.split_whitespace().take(2).collect();
    std::fs::write(setup.home.path().join("known_hosts"), format!("[127.0.0.1]:{} {}\n", sshd.port, body.join(" ")))
        .unwrap();
    let changed = ws.probe(Audience::User, "pg").await.expect_err("a changed host key is refused");
    assert_eq!(changed.code, ErrorCode::HostKeyMismatch, "{changed:?}");
    assert!(changed.message.contains("HAS CHANGED") && changed.message.contains(&fingerprint), "{}", changed.message);
    let again = ws.trust_host_key("pg", &fingerprint).await.expect_err("a changed key is never accepted over");
    assert_eq!(again.code, ErrorCode::HostKeyMismatch);
}

#[tokio::test]
async fn wrong_logins_are_auth_failed_naming_the_hop_and_passwords_work() {
    let sshd = PrivateSshd::start();
    let home = tempfile::tempdir().unwrap();
    sshd.write_known_hosts(&home.path().join("known_hosts"));
    let store = Store::open(Home::at(home.path())).await.unwrap();
    let stranger = tempfile::tempdir().unwrap();
    let stranger_key = new_key(stranger.path());
    let hop = |auth: SshAuth| SshHop::parse(&sshd.url(), auth).unwrap();
    let pg = || ConnectionTarget::parse(&dbdock_testkit::pg_admin_url()).unwrap();
    let profiles = [
        ("stranger", hop(SshAuth::Key { path: stranger_key.display().to_string() }), None),
        ("password", hop(SshAuth::Password), Some(Secret::new(sshd.password()))),
        ("bad-password", hop(SshAuth::Password), Some(Secret::new("not-the-password"))),
    ];
    for (name, hop, secret) in profiles {
        let new = NewProfile { ssh: vec![hop], ssh_secrets: vec![secret], ..NewProfile::new(name, pg()) };
        store.add_profile(new).await.unwrap();
    }
    let ws = Workspace::new(store);
    let e = ws.probe(Audience::User, "stranger").await.expect_err("a key sshd does not know");
    assert_eq!(e.code, ErrorCode::AuthFailed, "{e:?}");
    assert_eq!(e.message, format!("ssh 127.0.0.1:{}: key rejected for user dbdock-tunnel", sshd.port));
    let e = ws.probe(Audience::User, "bad-password").await.expect_err("a wrong password");
    assert_eq!(e.code, ErrorCode::AuthFailed, "{e:?}");
    assert!(!e.message.contains("not-the-password"), "{}", e.message);
    if let Err(e) = ws.probe(Audience::User, "password").await {
        panic!("the right password does not log in: {e:?}\n{}", sshd.log());
    }

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let store = ws.store();
    let new = NewProfile {
        ssh: vec![SshHop::parse(&format!("ssh://deploy@127.0.0.1:{closed}"), SshAuth::Agent).unwrap()],
        ..NewProfile::new("nowhere", pg())
    };
    store.add_profile(new).await.unwrap();
    let e = ws.probe(Audience::User, "nowhere").await.expect_err("nothing listens there");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e:?}");
    assert_eq!(e.message, format!("ssh 127.0.0.1:{closed}: connection refused"));
}

#[tokio::test]
async fn the_connection_recovers_after_the_jump_host_restarts() {
    let sshd = PrivateSshd::start();
    let setup = through(&sshd, true, &[("pg", dbdock_testkit::pg_admin_url())]).await;
    let ws = &setup.workspace;
    let before = query(ws, "pg", "SELECT pg_backend_pid()").await.expect("PostgreSQL through the sshd");
    sshd.kill();
    // While the jump host is down, a read fails (with the hop named) or is still retried.
    let during = query(ws, "pg", "SELECT 1").await;
    if let Err(e) = &during {
        assert!(matches!(e.code, ErrorCode::ConnectionFailed | ErrorCode::Timeout), "{e:?}");
    }
    sshd.restart();
    // The reconnect policy brings it back: bounded wait, no timing asserted.
    let mut after = None;
    for _ in 0..60 {
        if let Ok(rows) = query(ws, "pg", "SELECT pg_backend_pid()").await {
            after = Some(rows);
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let after = after.expect("the connection did not come back within 30 s of the sshd restarting");
    assert_ne!(before[0][0], after[0][0], "a new backend, through a new SSH session");
    ws.close().await;
}

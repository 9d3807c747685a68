//! Discovery against this machine's servers (PostgreSQL 5432, MariaDB 3306, Redis 6379,
//! NATS 4222, the MongoDB emulator 27017, a pysqlbridge of the test's own), and against
//! listeners that speak no known protocol. A server that cannot be found fails the test,
//! naming it.

use std::io::{Read, Write};
use std::net::TcpListener;

use dbdock_app::{DiscoveryRequest, Finding, Origin, Probed, Workspace};
use dbdock_core::{Engine, ErrorCode};
use dbdock_engines::discover::{Address, Answer, Identity, Patience, Protocol, identify};
use dbdock_store::{Home, Keyring, Store};

async fn workspace() -> (std::sync::Arc<Workspace>, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let service = format!("dbdock-test-discovery-{nanos}");
    let store = Store::open(Home::at(home.path())).await.unwrap().with_keyring(Keyring::with_service(service));
    (Workspace::new(store), home)
}

fn identified<'a>(findings: &'a [Finding], port: u16, service: &str) -> &'a Identity {
    let finding = findings
        .iter()
        .find(|f| matches!(&f.origin, Origin::Port { port: p, .. } if *p == port))
        .unwrap_or_else(|| panic!("{service} on 127.0.0.1:{port} was not found: {findings:#?}"));
    match &finding.probed {
        Probed::Answered(Answer::Identified(identity)) => identity,
        other => panic!("{service} on 127.0.0.1:{port} was not identified: {other:?}"),
    }
}

#[tokio::test]
async fn the_servers_of_this_machine_are_told_by_their_handshake() {
    let (workspace, _home) = workspace().await;
    let request = DiscoveryRequest { defaults: true, ..DiscoveryRequest::default() };
    let findings = workspace.discover(&request, &[]).await.unwrap();

    let pg = identified(&findings, 5432, "PostgreSQL");
    assert_eq!((pg.protocol, pg.product.as_str(), pg.auth_required), (Protocol::Postgres, "PostgreSQL", Some(false)));
    assert!(pg.version.as_deref().is_some_and(|v| v.starts_with(char::is_numeric)), "{pg:?}");
    let maria = identified(&findings, 3306, "MariaDB");
    assert_eq!((maria.protocol, maria.product.as_str()), (Protocol::Mysql, "MariaDB"));
    assert!(maria.version.as_deref().is_some_and(|v| v.starts_with("1")), "{maria:?}");
    assert_eq!(maria.auth_required, Some(false), "root has no password here: {maria:?}");
    let redis = identified(&findings, 6379, "Redis");
    assert!(redis.version.as_deref().is_some_and(|v| v.starts_with(char::is_numeric)), "{redis:?}");
    let nats = identified(&findings, 4222, "NATS");
    assert!(nats.version.as_deref().is_some_and(|v| v.starts_with("2.")), "{nats:?}");
    assert_eq!(nats.detail.as_deref(), Some("JetStream on"));
    let mongo = identified(&findings, 27017, "the MongoDB emulator");
    assert_eq!(mongo.protocol, Protocol::Mongodb, "{mongo:?}");

    let url = |port: u16| {
        findings.iter().find(|f| matches!(&f.origin, Origin::Port { port: p, .. } if *p == port)).unwrap().url.clone()
    };
    assert_eq!(url(5432).as_deref(), Some("postgres://postgres@127.0.0.1:5432/postgres"));
    assert_eq!(url(3306).as_deref(), Some("mysql://root@127.0.0.1:3306/"));
    assert!(
        findings.iter().all(|f| !matches!(f.probed, Probed::Answered(Answer::Closed { .. }))),
        "closed ports are left out: {findings:#?}"
    );
}

#[tokio::test]
async fn a_sql_server_is_found_on_a_port_the_user_names() {
    let bridge = dbdock_testkit::SqlBridge::start(&[("t.csv", "a\n1\n")]);
    let (workspace, _home) = workspace().await;
    let request = DiscoveryRequest { ports: vec![bridge.port], ..DiscoveryRequest::default() };
    let findings = workspace.discover(&request, &[]).await.unwrap();
    let sql = identified(&findings, bridge.port, "pysqlbridge (SQL Server)");
    assert_eq!((sql.protocol, sql.auth_required), (Protocol::Mssql, Some(true)), "{sql:?}");
    assert!(sql.version.is_some(), "{sql:?}");
    assert_eq!(findings[0].engine, Some(Engine::Mssql));
}

/// A listener that answers every connection with `reply` (after reading what it is sent,
/// when `wait_for_request`), on a free loopback port.
fn fake_service(reply: &'static [u8], wait_for_request: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                if wait_for_request {
                    let mut buf = [0u8; 512];
                    let _ = stream.read(&mut buf);
                }
                let _ = stream.write_all(reply);
                std::thread::sleep(std::time::Duration::from_millis(300));
            });
        }
    });
    port
}

#[tokio::test]
async fn a_listener_that_answers_garbage_is_unknown_not_mislabelled() {
    let chatty = fake_service(b"HELLO this is not a database\r\n", false);
    let echo = fake_service(b"+OK maybe\r\n\x00\x01garbage", true);
    let silent = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let _held: Vec<_> = listener.incoming().take(16).collect();
        });
        port
    };
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (workspace, _home) = workspace().await;
    let request = DiscoveryRequest { ports: vec![chatty, echo, silent, closed], ..DiscoveryRequest::default() };
    let findings = workspace.discover(&request, &[]).await.unwrap();
    for port in [chatty, echo, silent] {
        let finding = findings
            .iter()
            .find(|f| matches!(&f.origin, Origin::Port { port: p, .. } if *p == port))
            .unwrap_or_else(|| panic!("the listener on {port} is missing: {findings:#?}"));
        assert!(matches!(finding.probed, Probed::Answered(Answer::Unknown { .. })), "{finding:#?}");
        assert_eq!((finding.engine, &finding.url), (None, &None), "{finding:#?}");
    }
    assert_eq!(findings.len(), 3, "the closed port is not listed: {findings:#?}");

    // On a default port only that port's protocol is tried: garbage is still no server.
    for expected in Protocol::ALL {
        let address = Address::Tcp { host: "127.0.0.1".into(), port: echo };
        let answer = identify(&address, Some(expected), Patience::default()).await;
        assert!(matches!(answer, Answer::Unknown { .. }), "{expected:?} on garbage: {answer:?}");
    }
}

#[tokio::test]
async fn a_dotenv_database_url_is_offered_and_its_password_saved_only_when_confirmed() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join(".env"),
        "DATABASE_URL=postgres://shop:pa%24%24word@127.0.0.1:5432/shop\nOTHER=1\n",
    )
    .unwrap();
    let (workspace, _home) = workspace().await;
    let request = DiscoveryRequest { folder: Some(folder.path().to_owned()), ..DiscoveryRequest::default() };
    let findings = workspace.discover(&request, &[]).await.unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert!(finding.has_secret);
    assert_eq!(finding.url.as_deref(), Some("postgres://shop@127.0.0.1:5432/shop"));
    let json = serde_json::to_string(&findings).unwrap();
    assert!(!json.contains("word"), "the password never leaves the Rust side: {json}");
    assert!(matches!(&finding.probed, Probed::Answered(Answer::Identified(i)) if i.protocol == Protocol::Postgres));
    let name = finding.suggested_name.clone().unwrap();
    let url = finding.url.clone().unwrap();

    let without = workspace.adopt(&finding.origin, &url, &name, false, None, &[]).await.unwrap();
    assert!(!without.has_secret, "no secret without the user's yes");
    let with = workspace.adopt(&finding.origin, &url, "shop-with-secret", true, None, &[]).await.unwrap();
    assert!(with.has_secret);
    let resolved = workspace.store().resolve("shop-with-secret").await.unwrap();
    assert_eq!(resolved.target.password().map(|s| s.expose().to_owned()).as_deref(), Some("pa$$word"));
    workspace.store().remove_profile("shop-with-secret").await.unwrap();

    // The file changed between the listing and the yes: nothing is saved.
    std::fs::write(folder.path().join(".env"), "DATABASE_URL=postgres://127.0.0.1/shop\n").unwrap();
    let gone = workspace.adopt(&finding.origin, &url, "late", true, None, &[]).await.unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotFound, "{gone:?}");
    assert!(workspace.store().stored_profile("late").await.is_err());
}

#[tokio::test]
async fn a_url_to_another_host_is_listed_but_not_contacted() {
    let vars = vec![("REPLICA_URL".to_owned(), "postgres://app@db.example.com:5432/app".to_owned())];
    let (workspace, _home) = workspace().await;
    let request = DiscoveryRequest { environment: true, ..DiscoveryRequest::default() };
    let findings = workspace.discover(&request, &vars).await.unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(matches!(findings[0].probed, Probed::NotProbed { .. }), "{findings:#?}");
}

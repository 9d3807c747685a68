//! A profile's TLS settings, mapped by each engine to its driver, against real servers that
//! speak TLS with a test CA (docs/network.md): a private PostgreSQL cluster that refuses
//! plain connections, a `redis-server` with only a TLS port and a `nats-server` that
//! requires TLS, so every test here fails when TLS is not really used. The server certificate names `localhost` only: a connection
//! to `127.0.0.1` must fail a host name check.

#![allow(clippy::unwrap_used)]

use dbdock_core::{ConnectionTarget, Database, ErrorCode, QueryOptions, TlsMode, TlsOptions, Value};
use dbdock_engines::{OpenOptions, probe};
use dbdock_testkit::{CERT_USER, PrivateTlsNats, PrivateTlsPostgres, PrivateTlsRedis, TestCerts};

fn target(url: &str, tls: TlsOptions) -> ConnectionTarget {
    ConnectionTarget::parse(url).unwrap().with_tls(tls)
}

fn verify(mode: TlsMode, certs: &TestCerts) -> TlsOptions {
    TlsOptions { mode: Some(mode), ca_file: Some(certs.ca.clone()), ..TlsOptions::default() }
}

fn with_client_certificate(tls: TlsOptions, certs: &TestCerts) -> TlsOptions {
    TlsOptions { cert_file: Some(certs.client_cert.clone()), key_file: Some(certs.client_key.clone()), ..tls }
}

async fn open(target: ConnectionTarget) -> dbdock_core::Result<Box<dyn Database>> {
    dbdock_engines::open(target, OpenOptions::default()).await
}

/// The one value `sql` returns.
async fn one(db: &dyn Database, sql: &str) -> Value {
    let result = db.query(sql, &[], &QueryOptions::default()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert_eq!(result.rows.len(), 1, "{sql}: {result:?}");
    result.rows[0][0].clone()
}

const SSL_IN_USE: &str = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

#[tokio::test]
async fn postgres_verify_full_with_the_ca_connects_over_tls() {
    let certs = TestCerts::generate();
    let server = PrivateTlsPostgres::start(&certs);
    let db = open(target(&server.url("postgres", "localhost"), verify(TlsMode::VerifyFull, &certs)))
        .await
        .unwrap_or_else(|e| panic!("verify-full to localhost: {e}"));
    assert_eq!(one(db.as_ref(), SSL_IN_USE).await, Value::Bool(true));
    db.disconnect().await;

    // The profile's settings win over the URL's own, and a CA alone means verify-full.
    let url = format!("{}?sslmode=disable", server.url("postgres", "localhost"));
    let ca_only = TlsOptions { ca_file: Some(certs.ca.clone()), ..TlsOptions::default() };
    let db = open(target(&url, ca_only)).await.unwrap_or_else(|e| panic!("a CA over sslmode=disable: {e}"));
    assert_eq!(one(db.as_ref(), SSL_IN_USE).await, Value::Bool(true));
    db.disconnect().await;

    let probed = probe(
        target(&server.url("postgres", "localhost"), verify(TlsMode::VerifyFull, &certs)),
        OpenOptions::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("probe: {e}"));
    assert!(probed.server_version.contains("PostgreSQL"), "{probed:?}");
}

#[tokio::test]
async fn postgres_verify_full_refuses_a_certificate_for_another_host_name() {
    let certs = TestCerts::generate();
    let server = PrivateTlsPostgres::start(&certs);
    let e = open(target(&server.url("postgres", "127.0.0.1"), verify(TlsMode::VerifyFull, &certs)))
        .await
        .err()
        .expect("verify-full to 127.0.0.1 must fail: the certificate names localhost only");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
    assert!(e.message.contains("certificate") && e.message.contains("name"), "{e}");

    // sqlx checks no other name than the host it connects to: a TLS server name is refused
    // up front rather than checked against the wrong name.
    let named = TlsOptions { server_name: Some("localhost".to_owned()), ..verify(TlsMode::VerifyFull, &certs) };
    let e = open(target(&server.url("postgres", "127.0.0.1"), named)).await.err().expect("a server name");
    assert_eq!(e.code, ErrorCode::Unsupported, "{e}");
    assert!(e.message.contains("localhost") && e.message.contains("verify-ca"), "{e}");

    // verify-ca checks the chain, not the name; without the CA the chain does not verify.
    let db = open(target(&server.url("postgres", "127.0.0.1"), verify(TlsMode::VerifyCa, &certs)))
        .await
        .unwrap_or_else(|e| panic!("verify-ca to 127.0.0.1: {e}"));
    assert_eq!(one(db.as_ref(), SSL_IN_USE).await, Value::Bool(true));
    db.disconnect().await;
    let no_ca = TlsOptions { mode: Some(TlsMode::VerifyCa), ..TlsOptions::default() };
    let e = open(target(&server.url("postgres", "localhost"), no_ca))
        .await
        .err()
        .expect("a certificate of the test CA must not verify against the system's roots");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
    assert!(e.message.contains("certificate") || e.message.contains("UnknownIssuer"), "{e}");
}

#[tokio::test]
async fn postgres_client_certificate_logs_in_without_a_password() {
    let certs = TestCerts::generate();
    let server = PrivateTlsPostgres::start(&certs);
    let url = server.url(CERT_USER, "localhost");
    let tls = with_client_certificate(verify(TlsMode::VerifyFull, &certs), &certs);
    let db = open(target(&url, tls)).await.unwrap_or_else(|e| panic!("login by certificate: {e}"));
    assert_eq!(one(db.as_ref(), "SELECT current_user::text").await, Value::Text(CERT_USER.to_owned()));
    assert_eq!(one(db.as_ref(), SSL_IN_USE).await, Value::Bool(true));
    db.disconnect().await;

    let e = open(target(&url, verify(TlsMode::VerifyFull, &certs)))
        .await
        .err()
        .expect("certuser without its certificate must be refused (pg_hba: cert)");
    assert_eq!(e.code, ErrorCode::AuthFailed, "{e}");
}

#[tokio::test]
async fn postgres_mode_disable_is_refused_by_a_server_that_wants_tls() {
    let certs = TestCerts::generate();
    let server = PrivateTlsPostgres::start(&certs);
    let disable = TlsOptions { mode: Some(TlsMode::Disable), ..TlsOptions::default() };
    let e = open(target(&server.url("postgres", "localhost"), disable))
        .await
        .err()
        .expect("a plain connection must be refused (pg_hba: hostnossl reject)");
    assert_eq!(e.code, ErrorCode::AuthFailed, "{e}");
    assert!(e.message.contains("no encryption"), "{e}");

    // A file that holds no certificate is named, before any connection.
    let wrong = TlsOptions {
        mode: Some(TlsMode::VerifyFull),
        ca_file: Some(certs.client_key.clone()),
        ..TlsOptions::default()
    };
    let e = open(target(&server.url("postgres", "localhost"), wrong)).await.err().expect("a key is no CA");
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e}");
    assert!(e.message.contains(&certs.client_key) && !e.message.contains("PRIVATE KEY-----\n"), "{e}");
}

#[tokio::test]
async fn redis_verify_full_with_the_ca_connects_over_tls() {
    let certs = TestCerts::generate();
    let server = PrivateTlsRedis::start(&certs, false);
    let probed = probe(target(&server.url("localhost"), verify(TlsMode::VerifyFull, &certs)), OpenOptions::default())
        .await
        .unwrap_or_else(|e| panic!("verify-full to localhost: {e}"));
    assert!(probed.server_version.starts_with("Redis"), "{probed:?}");

    // verify-ca checks the chain, not the name.
    probe(target(&server.url("127.0.0.1"), verify(TlsMode::VerifyCa, &certs)), OpenOptions::default())
        .await
        .unwrap_or_else(|e| panic!("verify-ca to 127.0.0.1: {e}"));
    // require does not check the certificate at all; a Redis port offers no choice of TLS,
    // so prefer is require.
    for mode in [TlsMode::Require, TlsMode::Prefer] {
        let unchecked = TlsOptions { mode: Some(mode), ..TlsOptions::default() };
        probe(target(&server.url("127.0.0.1"), unchecked), OpenOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{mode} to 127.0.0.1: {e}"));
    }

    // The server has no plain port: the URL's redis:// alone, without TLS settings, fails.
    let plain = probe(target(&server.url("localhost"), TlsOptions::default()), OpenOptions::default()).await;
    assert!(plain.is_err(), "a plain connection to a TLS-only port must fail: {plain:?}");
}

#[tokio::test]
async fn redis_verify_full_refuses_a_certificate_for_another_host_name() {
    let certs = TestCerts::generate();
    let server = PrivateTlsRedis::start(&certs, false);
    let e = probe(target(&server.url("127.0.0.1"), verify(TlsMode::VerifyFull, &certs)), OpenOptions::default())
        .await
        .expect_err("verify-full to 127.0.0.1 must fail: the certificate names localhost only");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
    assert!(e.message.contains("certificate") && e.message.contains("name"), "{e}");

    let named = TlsOptions { server_name: Some("localhost".to_owned()), ..verify(TlsMode::VerifyFull, &certs) };
    let e = probe(target(&server.url("127.0.0.1"), named), OpenOptions::default()).await.expect_err("a server name");
    assert_eq!(e.code, ErrorCode::Unsupported, "{e}");
    assert!(e.message.contains("localhost") && e.message.contains("verify-ca"), "{e}");

    let no_ca = TlsOptions { mode: Some(TlsMode::VerifyFull), ..TlsOptions::default() };
    let e = probe(target(&server.url("localhost"), no_ca), OpenOptions::default())
        .await
        .expect_err("a certificate of the test CA must not verify against the system's roots");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
}

#[tokio::test]
async fn redis_client_certificate_is_shown_to_a_server_that_demands_one() {
    let certs = TestCerts::generate();
    let server = PrivateTlsRedis::start(&certs, true);
    let url = server.url("localhost");
    let tls = with_client_certificate(verify(TlsMode::VerifyFull, &certs), &certs);
    let probed = probe(target(&url, tls), OpenOptions::default())
        .await
        .unwrap_or_else(|e| panic!("with the client certificate: {e}"));
    assert!(probed.server_version.starts_with("Redis"), "{probed:?}");

    let without = probe(target(&url, verify(TlsMode::VerifyFull, &certs)), OpenOptions::default()).await;
    let e = without.expect_err("without a client certificate the server must refuse the connection");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
}

#[tokio::test]
async fn nats_verify_full_checks_the_ca_and_the_name_it_is_given() {
    let certs = TestCerts::generate();
    let server = PrivateTlsNats::start(&certs, false);
    let probed = probe(target(&server.url("localhost"), verify(TlsMode::VerifyFull, &certs)), OpenOptions::default())
        .await
        .unwrap_or_else(|e| panic!("verify-full to localhost: {e}"));
    assert!(probed.server_version.contains('.'), "{probed:?}");

    let e = probe(target(&server.url("127.0.0.1"), verify(TlsMode::VerifyFull, &certs)), OpenOptions::default())
        .await
        .expect_err("verify-full to 127.0.0.1 must fail: the certificate names localhost only");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
    assert!(e.message.contains("certificate") && e.message.contains("name"), "{e}");

    // A TLS server name is what the certificate is checked against, whatever the address.
    let named = TlsOptions { server_name: Some("localhost".to_owned()), ..verify(TlsMode::VerifyFull, &certs) };
    probe(target(&server.url("127.0.0.1"), named), OpenOptions::default())
        .await
        .unwrap_or_else(|e| panic!("verify-full to 127.0.0.1 expecting localhost: {e}"));
    let wrong = TlsOptions { server_name: Some("db.example".to_owned()), ..verify(TlsMode::VerifyFull, &certs) };
    let e = probe(target(&server.url("localhost"), wrong), OpenOptions::default())
        .await
        .expect_err("a certificate without the server name must fail");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");

    // verify-ca: the chain, not the name; require (and prefer): nothing; without the CA:
    // not trusted.
    probe(target(&server.url("127.0.0.1"), verify(TlsMode::VerifyCa, &certs)), OpenOptions::default())
        .await
        .unwrap_or_else(|e| panic!("verify-ca to 127.0.0.1: {e}"));
    for mode in [TlsMode::Require, TlsMode::Prefer] {
        let unchecked = TlsOptions { mode: Some(mode), ..TlsOptions::default() };
        probe(target(&server.url("127.0.0.1"), unchecked), OpenOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{mode} to 127.0.0.1: {e}"));
    }
    let no_ca = TlsOptions { mode: Some(TlsMode::VerifyFull), ..TlsOptions::default() };
    let e = probe(target(&server.url("localhost"), no_ca), OpenOptions::default())
        .await
        .expect_err("a certificate of the test CA must not verify against the system's roots");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
}

#[tokio::test]
async fn nats_client_certificate_is_shown_to_a_server_that_demands_one() {
    let certs = TestCerts::generate();
    let server = PrivateTlsNats::start(&certs, true);
    let url = server.url("localhost");
    for mode in [TlsMode::VerifyFull, TlsMode::Require] {
        let tls = with_client_certificate(verify(mode, &certs), &certs);
        probe(target(&url, tls), OpenOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{mode} with the client certificate: {e}"));
    }
    let without = probe(target(&url, verify(TlsMode::VerifyFull, &certs)), OpenOptions::default()).await;
    let e = without.expect_err("without a client certificate the server must refuse the connection");
    assert_eq!(e.code, ErrorCode::ConnectionFailed, "{e}");
}

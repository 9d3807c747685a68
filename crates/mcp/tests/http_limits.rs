//! The HTTP endpoint's limits (docs/safety.md), with small values so the test is fast: a
//! body over the limit gets 413 while it is still arriving, a connection past the cap gets
//! 503 and the slot frees when a connection closes, and slow headers close the connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dbdock_mcp::{Endpoint, EndpointConfig, HttpLimits, serve_http_with_limits};
use dbdock_store::{Home, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

struct Server {
    addr: SocketAddr,
    token: String,
    shutdown: CancellationToken,
    _home: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn start(limits: HttpLimits) -> Server {
    let home = tempfile::tempdir().expect("temp dir");
    let store = Store::open(Home::at(home.path())).await.expect("store");
    let token = store.ensure_default_token().await.expect("token").expect("a new home gets a default token");
    let endpoint = Endpoint::new(store, EndpointConfig::default());
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let shutdown = CancellationToken::new();
    tokio::spawn(serve_http_with_limits(Arc::clone(&endpoint), addr, shutdown.clone(), limits));
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "the endpoint did not start listening on {addr}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // That probe connection took a slot until it closed: let the server see it close.
    tokio::time::sleep(Duration::from_millis(100)).await;
    Server { addr, token: token.expose().to_owned(), shutdown, _home: home }
}

/// What the server sends until it closes the connection or `within` passes.
async fn answer(stream: &mut TcpStream, within: Duration) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    String::from_utf8_lossy(&got).into_owned()
}

fn head(token: &str, extra: &str) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\n{extra}\r\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_over_the_limit_gets_413_while_it_is_still_arriving() {
    let limits = HttpLimits { max_body_bytes: 64 * 1024, ..HttpLimits::default() };
    let server = start(limits).await;

    // A declared length over the limit: refused before any of the body is read.
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    stream.write_all(head(&server.token, "Content-Length: 10000000\r\n").as_bytes()).await.expect("write");
    let reply = answer(&mut stream, Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");

    // A chunked body with no declared length: refused once the excess arrives, although
    // the body never ends.
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    stream.write_all(head(&server.token, "Transfer-Encoding: chunked\r\n").as_bytes()).await.expect("write");
    let chunk = format!("{:x}\r\n{}\r\n", 16 * 1024, "x".repeat(16 * 1024));
    for _ in 0..5 {
        let _ = stream.write_all(chunk.as_bytes()).await;
    }
    let reply = answer(&mut stream, Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");

    // A body under the limit reaches the MCP service (which answers the initialize).
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"probe","version":"1"}}}"#;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    stream
        .write_all(format!("{}{body}", head(&server.token, &format!("Content-Length: {}\r\n", body.len()))).as_bytes())
        .await
        .expect("write");
    let reply = answer(&mut stream, Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_past_the_cap_get_503_until_one_closes() {
    let server = start(HttpLimits { max_connections: 2, ..HttpLimits::default() }).await;
    let first = TcpStream::connect(server.addr).await.expect("connect");
    let _second = TcpStream::connect(server.addr).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(server.addr).await.expect("connect");
    let reply = answer(&mut third, Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 503") && reply.contains("too many connections"), "{reply}");

    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fourth = TcpStream::connect(server.addr).await.expect("connect");
    fourth.write_all(b"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.expect("write");
    let reply = answer(&mut fourth, Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 401"), "the freed slot is served: {reply}");
}

#[tokio::test(flavor = "multi_thread")]
async fn headers_sent_too_slowly_close_the_connection_and_free_its_slot() {
    let limits =
        HttpLimits { max_connections: 1, header_read_timeout: Duration::from_millis(300), ..HttpLimits::default() };
    let server = start(limits).await;
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    let started = Instant::now();
    slow.write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.expect("write");
    let reply = answer(&mut slow, Duration::from_secs(5)).await;
    let waited = started.elapsed();
    assert!(!reply.starts_with("HTTP/1.1 2"), "{reply}");
    assert!(waited >= Duration::from_millis(250) && waited < Duration::from_secs(3), "closed after {waited:?}");
    // The rest of the headers comes too late: the connection is gone.
    let late = slow.write_all(b"Authorization: Bearer x\r\n\r\n").await;
    let after = answer(&mut slow, Duration::from_millis(500)).await;
    assert!(late.is_err() || after.is_empty() || !after.starts_with("HTTP/1.1 401"), "{after}");

    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut next = TcpStream::connect(server.addr).await.expect("connect");
    next.write_all(b"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.expect("write");
    let reply = answer(&mut next, Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 401"), "the slot of the slow connection is free again: {reply}");

    // A kept-alive connection that sends no next request is closed the same way, so idle
    // connections cannot hold the slots either.
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let closed = tokio::time::timeout(Duration::from_secs(5), next.read(&mut buf)).await;
    assert!(matches!(closed, Ok(Ok(0) | Err(_))), "{closed:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "idle for {:?}", started.elapsed());
}

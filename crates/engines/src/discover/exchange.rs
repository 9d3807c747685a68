//! One probe connection: open with a deadline, write a request, read until the protocol's
//! framing says a whole message has arrived, the deadline passes, or the bytes cannot be
//! the protocol's at all.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, timeout, timeout_at};

use super::Address;

/// The most a probe reads from one server: greetings and version answers are small, and a
/// listener that streams more is not a database answering a handshake.
const MAX_READ: usize = 64 * 1024;

/// What a protocol's framing makes of the bytes read so far.
pub(super) enum Frame {
    /// A whole message: the first `n` bytes.
    Complete(usize),
    More,
    /// Not this protocol.
    Invalid,
}

#[derive(Debug)]
pub(super) enum ReadError {
    Invalid,
    TimedOut,
    Closed,
    TooLong,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReadError::Invalid => "the answer is not in this protocol's framing",
            ReadError::TimedOut => "no answer in time",
            ReadError::Closed => "the server closed the connection",
            ReadError::TooLong => "the answer is longer than any handshake",
        })
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

pub(super) struct Conn {
    stream: Box<dyn Stream>,
    /// Bytes read and not yet taken as a message (a server may send several at once).
    pending: Vec<u8>,
    eof: bool,
}

impl Conn {
    pub(super) async fn open(address: &Address, wait: Duration) -> Result<Conn, String> {
        let stream: Box<dyn Stream> = match address {
            Address::Tcp { host, port } => {
                let connecting = tokio::net::TcpStream::connect((host.as_str(), *port));
                let stream = timeout(wait, connecting)
                    .await
                    .map_err(|_| format!("no answer within {} ms", wait.as_millis()))?
                    .map_err(|e| e.to_string())?;
                let _ = stream.set_nodelay(true);
                Box::new(stream)
            }
            #[cfg(unix)]
            Address::Unix { path } => Box::new(
                timeout(wait, tokio::net::UnixStream::connect(path))
                    .await
                    .map_err(|_| format!("no answer within {} ms", wait.as_millis()))?
                    .map_err(|e| e.to_string())?,
            ),
            #[cfg(not(unix))]
            Address::Unix { .. } => return Err("unix sockets exist only on Linux and macOS".into()),
        };
        Ok(Conn { stream, pending: Vec::new(), eof: false })
    }

    /// Waits up to `wait` for the server to say something first; what it said, if anything.
    pub(super) async fn greeting(&mut self, wait: Duration) -> &[u8] {
        let mut buf = vec![0; 4096];
        match timeout(wait, self.stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => self.eof = true,
            Ok(Ok(n)) => self.pending.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
        &self.pending
    }

    /// What has been read and not yet taken.
    pub(super) fn pending(&self) -> &[u8] {
        &self.pending
    }

    pub(super) fn closed(&self) -> bool {
        self.eof
    }

    pub(super) async fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream.write_all(bytes).await.map_err(|e| format!("cannot send the handshake: {e}"))?;
        self.stream.flush().await.map_err(|e| format!("cannot send the handshake: {e}"))
    }

    /// Reads until `frame` finds a whole message at the start of what is pending, and takes
    /// it; bytes after it stay pending for the next call.
    pub(super) async fn read_frame(&mut self, wait: Duration, frame: fn(&[u8]) -> Frame) -> Result<Vec<u8>, ReadError> {
        let deadline = Instant::now() + wait;
        let mut chunk = [0u8; 4096];
        loop {
            match frame(&self.pending) {
                Frame::Complete(n) => {
                    let rest = self.pending.split_off(n);
                    return Ok(std::mem::replace(&mut self.pending, rest));
                }
                Frame::Invalid => return Err(ReadError::Invalid),
                Frame::More if self.pending.len() >= MAX_READ => return Err(ReadError::TooLong),
                Frame::More => {}
            }
            match timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Err(_) => return Err(ReadError::TimedOut),
                Ok(Ok(0)) | Ok(Err(_)) => return Err(ReadError::Closed),
                Ok(Ok(n)) => self.pending.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Sends `request` and reads one framed answer.
    pub(super) async fn ask(
        &mut self,
        request: &[u8],
        wait: Duration,
        frame: fn(&[u8]) -> Frame,
    ) -> Result<Vec<u8>, String> {
        self.write(request).await?;
        self.read_frame(wait, frame).await.map_err(|e| e.to_string())
    }
}

/// Framing by a length prefix: once `header` bytes are in, `declared` reads the length
/// field, and `extra` adds what that length does not count.
pub(super) fn by_length(buf: &[u8], header: usize, declared: impl Fn(&[u8]) -> usize, extra: usize) -> Frame {
    if buf.len() < header {
        return Frame::More;
    }
    let total = declared(buf) + extra;
    if total < header || total > MAX_READ {
        Frame::Invalid
    } else if buf.len() >= total {
        Frame::Complete(total)
    } else {
        Frame::More
    }
}

pub(super) fn i32_le(bytes: &[u8]) -> i32 {
    i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

pub(super) fn i32_be(bytes: &[u8]) -> i32 {
    i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// A NUL-terminated string at the start of `bytes`, with the rest after the NUL.
pub(super) fn cstr(bytes: &[u8]) -> Option<(&str, &[u8])> {
    let end = bytes.iter().position(|&b| b == 0)?;
    Some((std::str::from_utf8(&bytes[..end]).ok()?, &bytes[end + 1..]))
}

//! Ctrl-C for the long-running commands (`watch`, `approvals watch`).
//!
//! `tokio::signal::ctrl_c()` installs its handler at the first poll and listens only while a
//! future is alive: a loop that makes a new one per `select!` loses a Ctrl-C that arrives while
//! its body runs, and before the first poll the default action kills the process without its
//! clean-up (an `approvals watch` killed that way still counts as "someone is here to decide").
//! [`Interrupt`] registers at once and keeps every signal until it is read.

use dbdock_core::{Error, Result};

pub struct Interrupt {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
    #[cfg(windows)]
    signal: tokio::signal::windows::CtrlC,
}

impl Interrupt {
    pub fn listen() -> Result<Self> {
        #[cfg(unix)]
        let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        #[cfg(windows)]
        let signal = tokio::signal::windows::ctrl_c();
        let signal = signal.map_err(|e| Error::internal(format!("cannot listen for Ctrl-C: {e}")))?;
        Ok(Self { signal })
    }

    /// Resolves at the next Ctrl-C, or at once for one that came since the last call.
    pub async fn recv(&mut self) {
        self.signal.recv().await;
    }
}

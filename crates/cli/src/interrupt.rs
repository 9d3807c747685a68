//! The signals that stop the long-running commands: Ctrl-C for `watch` and `approvals
//! watch`, Ctrl-C or SIGTERM for `dbdock mcp`.
//!
//! `tokio::signal::ctrl_c()` installs its handler at the first poll and listens only while a
//! future is alive: a loop that makes a new one per `select!` loses a Ctrl-C that arrives while
//! its body runs, and before the first poll the default action kills the process without its
//! clean-up (an `approvals watch` killed that way still counts as "someone is here to decide";
//! an endpoint, with its audit rows unflushed). [`Interrupt`] registers at once and keeps every
//! signal until it is read.

use dbdock_core::{Error, Result};

pub struct Interrupt {
    #[cfg(unix)]
    ctrl_c: tokio::signal::unix::Signal,
    #[cfg(windows)]
    ctrl_c: tokio::signal::windows::CtrlC,
    /// SIGTERM, where asked for and the platform has it.
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Interrupt {
    /// Ctrl-C.
    pub fn ctrl_c() -> Result<Self> {
        Self::listen(false)
    }

    /// Ctrl-C or SIGTERM: how a terminal, an AI client or a service manager stops a server.
    pub fn ctrl_c_or_terminate() -> Result<Self> {
        Self::listen(true)
    }

    fn listen(terminate: bool) -> Result<Self> {
        let cannot = |e: std::io::Error| Error::internal(format!("cannot listen for Ctrl-C: {e}"));
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let ctrl_c = signal(SignalKind::interrupt()).map_err(cannot)?;
            // Without SIGTERM the server still stops on Ctrl-C or when its client leaves.
            let terminate = if terminate { signal(SignalKind::terminate()).ok() } else { None };
            Ok(Self { ctrl_c, terminate })
        }
        #[cfg(windows)]
        {
            let _ = terminate;
            Ok(Self { ctrl_c: tokio::signal::windows::ctrl_c().map_err(cannot)? })
        }
    }

    /// Resolves at the next signal, or at once for one that came since the last call.
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some(terminate) = &mut self.terminate {
            tokio::select! {
                _ = self.ctrl_c.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        self.ctrl_c.recv().await;
    }
}

//! Which host keys DB Dock trusts: those in the user's `~/.ssh/known_hosts` and in DB
//! Dock's own known-hosts file in its home, where keys accepted in DB Dock are written.
//! An unknown key is refused with its fingerprint; a changed key is refused everywhere
//! and never learned over (docs/network.md, "Host keys").

use std::path::{Path, PathBuf};

use dbdock_core::{Error, ErrorCode, Result, SshHop};
use russh::keys::{HashAlg, PublicKey};

/// The files host keys are looked up in, and the one accepted keys are added to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHosts {
    /// Read in order: the user's own file first.
    pub read: Vec<PathBuf>,
    /// DB Dock's own file, also read, and the only one written.
    pub own: PathBuf,
}

impl KnownHosts {
    /// The user's `~/.ssh/known_hosts` (when there is a home directory) and `own`.
    pub fn standard(own: PathBuf) -> KnownHosts {
        let user = std::env::var_os("HOME").map(|home| Path::new(&home).join(".ssh").join("known_hosts"));
        KnownHosts { read: user.into_iter().collect(), own }
    }

    /// What the files say of `key` for `hop`.
    pub fn check(&self, hop: &SshHop, key: &PublicKey) -> Verdict {
        for file in self.read.iter().chain(std::iter::once(&self.own)) {
            match russh::keys::check_known_hosts_path(&hop.host, hop.port, key, file) {
                Ok(true) => return Verdict::Known,
                Ok(false) => {}
                Err(russh::keys::Error::KeyChanged { line }) => {
                    return Verdict::Changed { file: file.clone(), line };
                }
                // An unreadable or malformed file trusts nothing; the others may still.
                Err(e) => tracing::warn!(file = %file.display(), error = %e, "cannot read a known_hosts file"),
            }
        }
        Verdict::Unknown
    }

    /// Adds `key` for `hop` to DB Dock's own file (never to the user's).
    pub fn learn(&self, hop: &SshHop, key: &PublicKey) -> Result<()> {
        if let Some(dir) = self.own.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))?;
        }
        let cannot = |e: &dyn std::fmt::Display| Error::internal(format!("cannot write {}: {e}", self.own.display()));
        let mut text = std::fs::read_to_string(&self.own).unwrap_or_default();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        let public = PublicKey::new(key.key_data().clone(), "");
        text.push_str(&format!("{} {}\n", known_hosts_name(hop), public.to_openssh().map_err(|e| cannot(&e))?));
        // Written whole through a side file, so a crash never leaves half a line.
        let partial = self.own.with_extension("dbdock-partial");
        std::fs::write(&partial, text).and_then(|()| std::fs::rename(&partial, &self.own)).map_err(|e| cannot(&e))
    }
}

/// What the known-hosts files say of a server's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Known,
    Unknown,
    /// A different key of the same type is on record for this host.
    Changed {
        file: PathBuf,
        line: usize,
    },
}

/// `SHA256:…`, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// The refusal of a key the files do not hold: its fingerprint, and how to accept it.
pub fn unknown_key_error(hop: &SshHop, key: &PublicKey, accept_hint: &str) -> Error {
    Error::new(
        ErrorCode::HostKeyUnknown,
        format!(
            "ssh {}: the host key is unknown ({} {}); if that is the jump host's key, accept it: {accept_hint} \
             --fingerprint {}",
            hop.address(),
            key.algorithm(),
            fingerprint(key),
            fingerprint(key)
        ),
    )
}

/// The refusal of a key that differs from the one on record.
pub fn changed_key_error(hop: &SshHop, key: &PublicKey, file: &Path, line: usize) -> Error {
    Error::new(
        ErrorCode::HostKeyMismatch,
        format!(
            "ssh {}: WARNING: THE HOST KEY HAS CHANGED ({} {}), it does not match line {line} of {}. Someone may be \
             intercepting the connection, or the host was reinstalled. DB Dock does not connect; if the change is \
             expected, remove the old key (ssh-keygen -R '{}' -f {}) and accept the new one",
            hop.address(),
            key.algorithm(),
            fingerprint(key),
            file.display(),
            known_hosts_name(hop),
            file.display()
        ),
    )
}

/// The host as known_hosts writes it: `host`, or `[host]:port` off port 22.
fn known_hosts_name(hop: &SshHop) -> String {
    if hop.port == 22 { hop.host.clone() } else { format!("[{}]:{}", hop.host, hop.port) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use dbdock_core::SshAuth;

    const KEYS: [&str; 2] = [
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKp0aKbP+Kt2MTb6xpMmMLez28sABisj06j40wmB6zrZ",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICrUyJ4gdZSbuskSLEYa44gJNLBqXt/aKkqhtiVbbvtf",
    ];

    #[test]
    fn learned_keys_are_known_and_a_different_key_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let hosts = KnownHosts { read: vec![dir.path().join("absent")], own: dir.path().join("own/known_hosts") };
        let hop = SshHop::parse("ssh://deploy@bastion:2222", SshAuth::Agent).unwrap();
        let [first, second] = KEYS.map(|k| PublicKey::from_openssh(k).unwrap());
        assert_eq!(hosts.check(&hop, &first), Verdict::Unknown);
        hosts.learn(&hop, &first).unwrap();
        assert_eq!(hosts.check(&hop, &first), Verdict::Known);
        let changed = hosts.check(&hop, &second);
        assert_eq!(changed, Verdict::Changed { file: hosts.own.clone(), line: 1 });
        // Another port of the same host is another host.
        let other = SshHop { port: 22, ..hop.clone() };
        assert_eq!(hosts.check(&other, &first), Verdict::Unknown);
        let e = changed_key_error(&hop, &second, &hosts.own, 1);
        assert_eq!(e.code, ErrorCode::HostKeyMismatch);
        assert!(e.message.contains(&fingerprint(&second)) && e.message.contains("[bastion]:2222"), "{}", e.message);
        let e = unknown_key_error(&hop, &first, "dbdock profile trust-host shop");
        assert!(e.message.contains("--fingerprint SHA256:"), "{}", e.message);
    }
}

//! How a profile reaches its server: through up to two SSH jump hosts, and with which TLS
//! settings. Neither holds a secret: key passphrases and SSH passwords live in the keyring
//! next to the profile's own secret (docs/network.md).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The most jump hosts a profile may chain (bastion, then an inner host).
pub const MAX_SSH_HOPS: usize = 2;

/// How DB Dock proves who it is to a jump host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum SshAuth {
    /// The keys of the running SSH agent (`SSH_AUTH_SOCK`).
    Agent,
    /// A private key file; its passphrase, if it has one, is in the keyring.
    Key { path: String },
    /// A password, kept in the keyring.
    Password,
}

impl SshAuth {
    pub fn label(&self) -> String {
        match self {
            SshAuth::Agent => "agent".to_owned(),
            SshAuth::Key { path } => format!("key {path}"),
            SshAuth::Password => "password".to_owned(),
        }
    }
}

/// One SSH jump host: `ssh://user@host:port` and how to log in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SshHop {
    pub user: String,
    pub host: String,
    pub port: u16,
    pub auth: SshAuth,
}

impl SshHop {
    /// Parses `ssh://user@host:port` (or `user@host[:port]`); the port defaults to 22.
    /// A password in the URL is refused: it belongs in the keyring.
    pub fn parse(input: &str, auth: SshAuth) -> Result<SshHop> {
        let input = input.trim();
        let with_scheme = if input.contains("://") { input.to_owned() } else { format!("ssh://{input}") };
        let bad = |why: &str| Error::invalid_input(format!("'{}' is not an SSH jump host: {why}", redact(input)));
        let url = url::Url::parse(&with_scheme).map_err(|e| bad(&e.to_string()))?;
        if url.scheme() != "ssh" {
            return Err(bad("expected ssh://user@host:port"));
        }
        if url.password().is_some() {
            return Err(bad("give the SSH password apart (--ssh-password-stdin), never in the URL"));
        }
        let user = crate::percent_decode(url.username()).unwrap_or_default();
        if user.is_empty() {
            return Err(bad("it names no user (ssh://user@host:port)"));
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("it names no host"))?;
        if !matches!(url.path(), "" | "/") || url.query().is_some() {
            return Err(bad("expected nothing after host:port"));
        }
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        Ok(SshHop { user, host, port: url.port().unwrap_or(22), auth })
    }

    /// `host:port`, as errors name the hop.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for SshHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ssh://{}@{}", self.user, self.address())
    }
}

fn redact(input: &str) -> String {
    match (input.find("://"), input.rfind('@')) {
        (Some(scheme), Some(at)) if input[scheme + 3..at].contains(':') => {
            let user_end = scheme + 3 + input[scheme + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &input[..user_end], &input[at..])
        }
        _ => input.to_owned(),
    }
}

/// Checks a chain of jump hosts: at most [`MAX_SSH_HOPS`].
pub fn validate_ssh_hops(hops: &[SshHop]) -> Result<()> {
    if hops.len() > MAX_SSH_HOPS {
        return Err(Error::invalid_input(format!(
            "a profile may chain at most {MAX_SSH_HOPS} SSH jump hosts, not {}",
            hops.len()
        )));
    }
    Ok(())
}

/// How strictly a connection uses TLS, from none to a verified host name. Each engine maps
/// it to its driver's own names (docs/network.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum TlsMode {
    /// Plain text.
    Disable,
    /// TLS when the server offers it, plain text otherwise; the certificate is not checked.
    Prefer,
    /// TLS always; the certificate is not checked.
    Require,
    /// TLS always; the certificate must chain to the CA.
    VerifyCa,
    /// TLS always; the certificate must chain to the CA and name the host.
    VerifyFull,
}

impl TlsMode {
    pub const ALL: [TlsMode; 5] =
        [TlsMode::Disable, TlsMode::Prefer, TlsMode::Require, TlsMode::VerifyCa, TlsMode::VerifyFull];

    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }

    /// Whether the server's certificate is checked against a CA.
    pub fn verifies(self) -> bool {
        matches!(self, TlsMode::VerifyCa | TlsMode::VerifyFull)
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TlsMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        TlsMode::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| {
            Error::invalid_input(format!(
                "unknown TLS mode '{s}': expected disable, prefer, require, verify-ca or verify-full"
            ))
        })
    }
}

/// A profile's TLS settings beyond what its URL carries. Files are paths, never contents;
/// the client key's passphrase, if any, is in the keyring.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TlsOptions {
    /// None: what the URL says, or the driver's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<TlsMode>,
    /// The CA certificate(s) the server's certificate must chain to (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// The client certificate (PEM), for servers that log in by certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<String>,
    /// The client certificate's private key (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
    /// The name the certificate must carry, when it is not the host connected to (a
    /// server reached through an SSH tunnel, or by address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
}

impl TlsOptions {
    pub fn is_empty(&self) -> bool {
        *self == TlsOptions::default()
    }

    /// Checks that the settings fit together and that each file can be read now, so a
    /// typo is caught when the profile is saved, not at the first connection.
    pub fn validate(&self) -> Result<()> {
        if self.cert_file.is_some() != self.key_file.is_some() {
            return Err(Error::invalid_input("a client certificate needs its key, and a key its certificate"));
        }
        if self.mode == Some(TlsMode::Disable) && (self.ca_file.is_some() || self.cert_file.is_some()) {
            return Err(Error::invalid_input("TLS mode 'disable' takes no CA or client certificate"));
        }
        for (what, path) in
            [("CA file", &self.ca_file), ("client certificate", &self.cert_file), ("client key", &self.key_file)]
        {
            if let Some(path) = path {
                std::fs::metadata(path)
                    .map_err(|e| Error::invalid_input(format!("cannot read the TLS {what} {path}: {e}")))?;
            }
        }
        if let Some(name) = &self.server_name
            && (name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == '/'))
        {
            return Err(Error::invalid_input(format!("'{name}' is not a TLS server name")));
        }
        Ok(())
    }

    /// The mode in force: the profile's, or `verify-full` once a CA is given, else none.
    pub fn effective_mode(&self) -> Option<TlsMode> {
        self.mode.or(self.ca_file.as_ref().map(|_| TlsMode::VerifyFull))
    }

    /// One line for `profile show`: what is set, paths and all (never a secret).
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(mode) = self.effective_mode() {
            parts.push(mode.to_string());
        }
        for (label, value) in [
            ("ca", &self.ca_file),
            ("cert", &self.cert_file),
            ("key", &self.key_file),
            ("server name", &self.server_name),
        ] {
            if let Some(v) = value {
                parts.push(format!("{label} {v}"));
            }
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_hosts_parse_with_and_without_scheme() {
        let hop = SshHop::parse("ssh://deploy@bastion:2222", SshAuth::Agent).expect("parses");
        assert_eq!((hop.user.as_str(), hop.host.as_str(), hop.port), ("deploy", "bastion", 2222));
        assert_eq!(hop.to_string(), "ssh://deploy@bastion:2222");
        let hop = SshHop::parse("ops@10.0.0.5", SshAuth::Password).expect("parses");
        assert_eq!((hop.port, hop.address()), (22, "10.0.0.5:22".to_owned()));
        let hop = SshHop::parse("ssh://u@[::1]:22", SshAuth::Agent).expect("parses");
        assert_eq!(hop.address(), "[::1]:22");
    }

    #[test]
    fn bad_jump_hosts_are_refused_without_echoing_a_password() {
        let e = SshHop::parse("ssh://deploy:hunter2@bastion", SshAuth::Agent).expect_err("password refused");
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        for bad in ["ssh://bastion", "http://u@h", "ssh://u@h/path", "ssh://u@"] {
            assert!(SshHop::parse(bad, SshAuth::Agent).is_err(), "{bad}");
        }
        let hop = SshHop::parse("u@h", SshAuth::Agent).expect("parses");
        assert!(validate_ssh_hops(&[hop.clone(), hop.clone()]).is_ok());
        assert!(validate_ssh_hops(&[hop.clone(), hop.clone(), hop]).is_err());
    }

    #[test]
    fn tls_modes_round_trip_and_settings_are_checked() {
        for m in TlsMode::ALL {
            assert_eq!(m.as_str().parse::<TlsMode>().ok(), Some(m));
            assert_eq!(serde_json::to_value(m).ok(), Some(serde_json::json!(m.as_str())));
        }
        assert!("verify".parse::<TlsMode>().is_err());
        let half = TlsOptions { cert_file: Some("/etc/hostname".into()), ..TlsOptions::default() };
        assert!(half.validate().is_err());
        let missing = TlsOptions { ca_file: Some("/nonexistent/ca.pem".into()), ..TlsOptions::default() };
        assert!(missing.validate().expect_err("missing").message.contains("/nonexistent/ca.pem"));
        assert_eq!(missing.effective_mode(), Some(TlsMode::VerifyFull));
        assert!(TlsOptions::default().is_empty() && TlsOptions::default().validate().is_ok());
    }
}

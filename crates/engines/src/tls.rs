//! What every engine's TLS mapping shares (docs/network.md). Each engine keeps one small
//! function that maps a profile's [`TlsOptions`] to its driver's own names; the settings,
//! when set, win over the URL's own TLS options. Here: the files checked before a driver
//! reads them (readable, PEM of the right kind, a key not encrypted; errors name the file,
//! never what it holds), the rule for drivers that cannot check another host name than the
//! one they connect to, advice added to a driver's certificate error, and the process-wide
//! rustls crypto provider.

use dbdock_core::{ConnectionTarget, Error, Result, TlsOptions};

/// The profile's TLS settings, with each file checked: readable, and PEM of the kind it
/// should hold. A driver reads the files again when it connects; this catches a wrong path
/// or a swapped certificate and key with a message that names the file.
pub(crate) fn checked(target: &ConnectionTarget) -> Result<&TlsOptions> {
    install_crypto_provider();
    let tls = target.tls();
    tls.validate()?;
    if let Some(path) = &tls.ca_file {
        check_pem(path, "CA file", Pem::Certificate)?;
    }
    if let Some(path) = &tls.cert_file {
        check_pem(path, "client certificate", Pem::Certificate)?;
    }
    if let Some(path) = &tls.key_file {
        check_pem(path, "client key", Pem::Key)?;
    }
    Ok(tls)
}

#[derive(Clone, Copy)]
enum Pem {
    Certificate,
    Key,
}

fn check_pem(path: &str, what: &str, kind: Pem) -> Result<()> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::invalid_input(format!("cannot read the TLS {what} {path}: {e}")))?;
    // Only the armour lines are looked at (and never shown): a key's body is a secret.
    let text = String::from_utf8_lossy(&bytes);
    let begins = || text.lines().filter_map(|l| l.trim().strip_prefix("-----BEGIN ")?.strip_suffix("-----"));
    match kind {
        Pem::Certificate if begins().any(|label| label == "CERTIFICATE" || label == "X509 CERTIFICATE") => Ok(()),
        Pem::Certificate => Err(Error::invalid_input(format!(
            "the TLS {what} {path} holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)"
        ))),
        Pem::Key
            if begins().any(|label| label == "ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") =>
        {
            Err(Error::unsupported(format!(
                "the TLS {what} {path} is encrypted with a passphrase, which the database drivers cannot take: \
                 give a key without one (openssl pkey -in KEY -out PLAIN_KEY)"
            )))
        }
        Pem::Key if begins().any(|label| label.ends_with("PRIVATE KEY")) => Ok(()),
        Pem::Key => Err(Error::invalid_input(format!(
            "the TLS {what} {path} holds no PEM private key (a block starting -----BEGIN PRIVATE KEY-----)"
        ))),
    }
}

/// The host the driver connects to (after an SSH tunnel rewrote the URL, `127.0.0.1`).
fn connected_host(target: &ConnectionTarget) -> Option<String> {
    let host = target.url()?.host_str()?;
    Some(host.trim_start_matches('[').trim_end_matches(']').to_owned())
}

/// The name the server's certificate must carry when it is not the host the driver
/// connects to: the profile's TLS server name, or, through an SSH tunnel, the server's
/// own host.
pub(crate) fn other_name(target: &ConnectionTarget) -> Option<String> {
    let expected = target.tls_server_name()?;
    let connected = connected_host(target)?;
    (!expected.eq_ignore_ascii_case(&connected)).then_some(expected)
}

/// The way out for a driver that checks no name but the one it connects to.
pub(crate) const VERIFY_CA_INSTEAD: &str =
    "use TLS mode verify-ca (the CA is still checked, the name is not), or connect by the name the certificate carries";

/// For a driver that checks the certificate's name against the host it connects to and
/// takes no other name: when the certificate must carry another name (a TLS server name,
/// or the server's own host behind an SSH tunnel), the connection is refused here, as
/// UNSUPPORTED, rather than checked against the wrong name or not at all. `instead` says
/// what the user can do.
pub(crate) fn refuse_other_name(target: &ConnectionTarget, driver: &str, instead: &str) -> Result<()> {
    let Some(expected) = other_name(target) else { return Ok(()) };
    let connected = connected_host(target).unwrap_or_default();
    let why = if target.is_tunneled() && target.tls().server_name.is_none() {
        "the server is reached through an SSH tunnel"
    } else {
        "the profile sets a TLS server name"
    };
    Err(Error::unsupported(format!(
        "{driver} checks the server's certificate against the host it connects to ({connected}) and cannot be told \
         to expect {expected} ({why}): {instead}"
    )))
}

/// Advice for a certificate the driver refused (rustls' wording), added to its message.
pub(crate) fn advice(detail: &str) -> &'static str {
    if detail.contains("NotValidForName") || detail.contains("not valid for name") {
        " — the server's certificate does not carry the name it was checked against (the host connected to, or the \
         TLS server name): use a name the certificate carries, or TLS mode verify-ca (the CA is checked, the name is \
         not)"
    } else if detail.contains("UnknownIssuer") || detail.contains("unknown issuer") {
        " — the server's certificate does not chain to a trusted CA: give the CA file that signed it"
    } else if ["CertificateRequired", "certificate required", "BadCertificate"].iter().any(|t| detail.contains(t)) {
        " — the server asks for a client certificate signed by a CA it trusts: give one and its key"
    } else {
        ""
    }
}

/// rustls needs one process-wide crypto provider when a build holds two, as this one does
/// (ring for sqlx and async-nats, aws-lc-rs for tiberius): without it, the first TLS
/// connection of the Redis or NATS driver, or sqlx's verify-ca, panics. tiberius and the
/// MongoDB driver pick their own.
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // Fails only when a provider is already installed, which is as good.
    ONCE.call_once(|| drop(rustls::crypto::ring::default_provider().install_default()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbdock_core::ErrorCode;

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    }

    fn with(tls: TlsOptions) -> ConnectionTarget {
        ConnectionTarget::parse("postgres://u@db.example:5432/x").expect("parses").with_tls(tls)
    }

    #[test]
    fn files_are_checked_and_named_without_their_contents() {
        let dir = tempfile::tempdir().expect("dir");
        let cert = file(&dir, "c.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        let key = file(&dir, "k.pem", "-----BEGIN PRIVATE KEY-----\nSECRETBODY\n-----END PRIVATE KEY-----\n");
        let ok = TlsOptions {
            ca_file: Some(cert.clone()),
            cert_file: Some(cert.clone()),
            key_file: Some(key.clone()),
            ..Default::default()
        };
        assert!(checked(&with(ok)).is_ok());

        let swapped = TlsOptions { cert_file: Some(key.clone()), key_file: Some(cert.clone()), ..Default::default() };
        let e = checked(&with(swapped)).expect_err("a key is no certificate");
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains(&key) && !e.message.contains("SECRETBODY"), "{e}");

        let encrypted =
            file(&dir, "e.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nX\n-----END ENCRYPTED PRIVATE KEY-----\n");
        let e = checked(&with(TlsOptions {
            cert_file: Some(cert),
            key_file: Some(encrypted.clone()),
            ..Default::default()
        }))
        .expect_err("encrypted");
        assert_eq!(e.code, ErrorCode::Unsupported);
        assert!(e.message.contains(&encrypted), "{e}");
    }

    #[test]
    fn another_name_is_refused_only_when_it_differs() {
        assert!(refuse_other_name(&with(TlsOptions::default()), "d", "x").is_ok());
        let same = TlsOptions { server_name: Some("DB.example".into()), ..Default::default() };
        assert!(refuse_other_name(&with(same), "d", "x").is_ok());
        let other = TlsOptions { server_name: Some("db.internal".into()), ..Default::default() };
        let e = refuse_other_name(&with(other), "the driver", "use verify-ca").expect_err("refused");
        assert_eq!(e.code, ErrorCode::Unsupported);
        assert!(e.message.contains("db.internal") && e.message.contains("use verify-ca"), "{e}");
        let tunneled = with(TlsOptions::default()).through_tunnel(40000).expect("tunnel");
        let e = refuse_other_name(&tunneled, "the driver", "x").expect_err("refused");
        assert!(e.message.contains("db.example") && e.message.contains("SSH tunnel"), "{e}");
    }
}

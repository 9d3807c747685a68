//! From a `sqlserver://user@host:port/database?…` URL (core normalises ADO and JDBC strings
//! into this form) to a tiberius [`Config`]. Option names are matched case-insensitively and
//! without spaces, dashes or underscores, so `trustServerCertificate`, `TrustServerCertificate`
//! and `trust_server_certificate` are one option. An option DB Dock does not know is refused
//! rather than ignored: a typo in a security setting must not pass silently.

use std::time::Duration;

use dbdock_core::{ConnectionTarget, Error, Result, TlsMode, percent_decode};
use tiberius::{AuthMethod, Config, EncryptionLevel};

/// What a URL asks for, before it becomes a tiberius config (kept apart so it can be tested
/// without a server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub database: Option<String>,
    pub encryption: EncryptionLevel,
    pub trust_server_certificate: bool,
    pub host_name_in_certificate: Option<String>,
    /// The CA the server's certificate must chain to (on top of the system's roots).
    pub ca_file: Option<String>,
    /// A client certificate and its key, for a server that asks for one.
    pub client_certificate: Option<(String, String)>,
    pub application_name: String,
    pub read_only_intent: bool,
    /// From `connectTimeout` (seconds): overrides the profile's connect timeout.
    pub connect_timeout: Option<Duration>,
}

const SUPPORTED: &str = "encrypt, trustServerCertificate, hostNameInCertificate, applicationName, applicationIntent, \
                         connectTimeout";

/// Options that ADO.NET and JDBC strings carry and that change nothing here: DB Dock never
/// keeps a password in a string it shows, pools its own connections and runs one statement
/// per request (so MARS has nothing to do).
const IGNORED: &[&str] = &[
    "persistsecurityinfo",
    "multipleactiveresultsets",
    "pooling",
    "maxpoolsize",
    "minpoolsize",
    "connectretrycount",
    "connectretryinterval",
    "multisubnetfailover",
    "workstationid",
    "packetsize",
    "language",
    "currentlanguage",
];

pub(crate) fn settings(target: &ConnectionTarget) -> Result<Settings> {
    let url = target.url().ok_or_else(|| Error::invalid_input("a SQL Server target needs a sqlserver:// URL"))?;
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
    if host.is_empty() {
        return Err(Error::invalid_input("the URL names no host"));
    }
    let user = percent_decode(url.username()).unwrap_or_else(|| url.username().to_owned());
    if user.is_empty() {
        return Err(Error::invalid_input(
            "the URL names no login: SQL Server needs a SQL login, as in sqlserver://user@host:1433/database",
        ));
    }
    if user.contains('\\') {
        return Err(Error::unsupported(format!(
            "'{user}' is a Windows login; DB Dock signs in to SQL Server with SQL logins only"
        )));
    }
    let mut s = Settings {
        host,
        port: url.port().unwrap_or(1433),
        user,
        database: target.database(),
        encryption: EncryptionLevel::Required,
        trust_server_certificate: false,
        host_name_in_certificate: None,
        ca_file: None,
        client_certificate: None,
        application_name: "dbdock".to_owned(),
        read_only_intent: false,
        connect_timeout: None,
    };
    for (key, value) in url.query_pairs() {
        let normalised: String =
            key.chars().filter(|c| !matches!(c, ' ' | '-' | '_')).collect::<String>().to_ascii_lowercase();
        let value = value.trim();
        match normalised.as_str() {
            "encrypt" => s.encryption = encryption(value)?,
            "trustservercertificate" => s.trust_server_certificate = flag(&key, value)?,
            "hostnameincertificate" => s.host_name_in_certificate = Some(value.to_owned()),
            "applicationname" | "app" => s.application_name = value.to_owned(),
            "applicationintent" => {
                s.read_only_intent = match value.to_ascii_lowercase().as_str() {
                    "readonly" => true,
                    "readwrite" => false,
                    _ => return Err(bad_value(&key, value, "ReadOnly or ReadWrite")),
                }
            }
            "connecttimeout" | "connectiontimeout" | "logintimeout" | "timeout" => {
                let secs: u64 = value.parse().map_err(|_| bad_value(&key, value, "a number of seconds"))?;
                s.connect_timeout = Some(Duration::from_secs(secs.max(1)));
            }
            "instancename" | "instance" => {
                return Err(Error::unsupported(format!(
                    "named instances ({key}={value}) are found through the SQL Server Browser, which DB Dock does not \
                     use: give the instance's TCP port instead (sqlserver://user@host:PORT/database)"
                )));
            }
            "integratedsecurity" | "trustedconnection" | "authentication" => {
                return Err(Error::unsupported(format!(
                    "{key}={value}: DB Dock signs in to SQL Server with SQL logins (user and password) only"
                )));
            }
            k if IGNORED.contains(&k) => {}
            _ => {
                return Err(Error::invalid_input(format!(
                    "unknown SQL Server URL option '{key}': DB Dock understands {SUPPORTED}"
                )));
            }
        }
    }
    with_tls(&mut s, target)?;
    Ok(s)
}

/// The profile's TLS settings as tiberius's, over the URL's own (docs/network.md):
/// disable is `EncryptionLevel::Off` (SQL Server still encrypts the login packet, so the
/// password never goes in the clear; its certificate is not checked), prefer is `On` and
/// require `Required`, both without a certificate check (`trust_cert`), and verify-* are
/// `Required` with the certificate checked (`trust_cert_ca` for a CA file, on top of the
/// system's roots). `encrypt=strict` in the URL stays strict when TLS is required. tiberius
/// always checks the certificate's name (it has no chain-only mode), so verify-ca checks it
/// as verify-full does: against the TLS server name, or the URL's `hostNameInCertificate`,
/// or, behind an SSH tunnel, the server's own host (`hostname_in_certificate`).
fn with_tls(s: &mut Settings, target: &ConnectionTarget) -> Result<()> {
    let tls = crate::tls::checked(target)?;
    let strict = s.encryption == EncryptionLevel::Strict;
    match tls.effective_mode() {
        None => {}
        Some(TlsMode::Disable) => (s.encryption, s.trust_server_certificate) = (EncryptionLevel::Off, true),
        Some(TlsMode::Prefer) => (s.encryption, s.trust_server_certificate) = (EncryptionLevel::On, true),
        Some(TlsMode::Require) => {
            s.encryption = if strict { EncryptionLevel::Strict } else { EncryptionLevel::Required };
            s.trust_server_certificate = true;
        }
        Some(TlsMode::VerifyCa | TlsMode::VerifyFull) => {
            s.encryption = if strict { EncryptionLevel::Strict } else { EncryptionLevel::Required };
            s.trust_server_certificate = false;
        }
    }
    if !s.trust_server_certificate {
        s.ca_file.clone_from(&tls.ca_file);
        if tls.server_name.is_some() || s.host_name_in_certificate.is_none() {
            s.host_name_in_certificate = crate::tls::other_name(target).or(s.host_name_in_certificate.take());
        }
    }
    if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
        s.client_certificate = Some((cert.clone(), key.clone()));
    }
    Ok(())
}

fn bad_value(key: &str, value: &str, expected: &str) -> Error {
    Error::invalid_input(format!("the URL option {key}={value} is not valid: expected {expected}"))
}

fn flag(key: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Ok(true),
        "false" | "no" | "0" | "off" => Ok(false),
        _ => Err(bad_value(key, value, "true or false")),
    }
}

/// ADO.NET's and JDBC's spellings. `false`/`optional` still encrypt the login packet (what
/// SqlClient does); nothing here sends a password in the clear.
fn encryption(value: &str) -> Result<EncryptionLevel> {
    Ok(match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "mandatory" | "required" => EncryptionLevel::Required,
        "false" | "no" | "0" | "optional" => EncryptionLevel::Off,
        "strict" => EncryptionLevel::Strict,
        _ => return Err(bad_value("encrypt", value, "true, false, strict, mandatory or optional")),
    })
}

impl Settings {
    pub fn tiberius(&self, password: &str) -> Config {
        let mut config = Config::new();
        config.host(&self.host);
        config.port(self.port);
        if let Some(db) = &self.database {
            config.database(db);
        }
        config.application_name(&self.application_name);
        config.authentication(AuthMethod::sql_server(&self.user, password));
        config.encryption(self.encryption);
        // tiberius panics when both are set; `with_tls` keeps a CA only when the
        // certificate is checked.
        if self.trust_server_certificate {
            config.trust_cert();
        } else if let Some(ca) = &self.ca_file {
            config.trust_cert_ca(ca);
        }
        if let Some((cert, key)) = &self.client_certificate {
            config.client_certificate(cert, key);
        }
        if let Some(name) = &self.host_name_in_certificate {
            config.hostname_in_certificate(name);
        }
        config.readonly(self.read_only_intent);
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbdock_core::ErrorCode;

    fn parse(url: &str) -> Result<Settings> {
        settings(&ConnectionTarget::parse(url)?)
    }

    #[test]
    fn defaults_encrypt_and_validate_the_certificate() {
        let s = parse("sqlserver://sa@db.example.com/shop").expect("parses");
        assert_eq!((s.host.as_str(), s.port, s.user.as_str()), ("db.example.com", 1433, "sa"));
        assert_eq!(s.database.as_deref(), Some("shop"));
        assert_eq!(s.encryption, EncryptionLevel::Required);
        assert!(!s.trust_server_certificate);
    }

    #[test]
    fn options_are_case_insensitive() {
        let s = parse(
            "sqlserver://app%20user@[::1]:14330?ENCRYPT=false&trustservercertificate=TRUE&Application%20Name=x&\
             ApplicationIntent=ReadOnly&Connection%20Timeout=3&Persist%20Security%20Info=False",
        )
        .expect("parses");
        assert_eq!(s.user, "app user");
        assert_eq!((s.host.as_str(), s.port), ("::1", 14330));
        assert_eq!(s.database, None);
        assert_eq!(s.encryption, EncryptionLevel::Off);
        assert!(s.trust_server_certificate && s.read_only_intent);
        assert_eq!(s.application_name, "x");
        assert_eq!(s.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(parse("sqlserver://u@h?encrypt=strict").map(|s| s.encryption), Ok(EncryptionLevel::Strict));
    }

    #[test]
    fn ado_strings_arrive_as_the_same_settings() {
        let target = ConnectionTarget::parse(
            "Server=tcp:db.example,14330;Database=shop;User Id=app;Password=x;Encrypt=false;\
             TrustServerCertificate=true;Application Name=Dock;Connect Timeout=5;Persist Security Info=False",
        )
        .expect("an ADO.NET string");
        let s = settings(&target).expect("settings");
        assert_eq!((s.host.as_str(), s.port, s.user.as_str()), ("db.example", 14330, "app"));
        assert_eq!(s.database.as_deref(), Some("shop"));
        assert_eq!(s.encryption, EncryptionLevel::Off);
        assert!(s.trust_server_certificate);
        assert_eq!((s.application_name.as_str(), s.connect_timeout), ("Dock", Some(Duration::from_secs(5))));
        let named = ConnectionTarget::parse("Server=db\\SQLEXPRESS;User Id=app;Password=x").expect("named instance");
        assert_eq!(settings(&named).map_err(|e| e.code), Err(ErrorCode::Unsupported));
    }

    #[test]
    fn tls_settings_win_over_the_url() {
        use dbdock_core::TlsOptions;
        let dir = tempfile::tempdir().expect("dir");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n").expect("write");
        let ca = ca.display().to_string();
        let url = "sqlserver://u@db.example/x?trustServerCertificate=true&encrypt=false";
        let with = |mode: TlsMode| {
            let tls = TlsOptions { mode: Some(mode), ca_file: Some(ca.clone()), ..TlsOptions::default() };
            ConnectionTarget::parse(url).expect("parses").with_tls(tls)
        };
        let s = settings(&with(TlsMode::VerifyFull)).expect("settings");
        assert_eq!((s.encryption, s.trust_server_certificate), (EncryptionLevel::Required, false));
        assert_eq!((s.ca_file.as_deref(), s.host_name_in_certificate.as_deref()), (Some(ca.as_str()), None));
        // Through a tunnel the certificate must still name the server, not 127.0.0.1.
        let s = settings(&with(TlsMode::VerifyCa).through_tunnel(40000).expect("tunnel")).expect("settings");
        assert_eq!((s.host.as_str(), s.host_name_in_certificate.as_deref()), ("127.0.0.1", Some("db.example")));
        let s = settings(&with(TlsMode::Require)).expect("settings");
        assert_eq!((s.encryption, s.trust_server_certificate, s.ca_file), (EncryptionLevel::Required, true, None));
        let e = settings(
            &ConnectionTarget::parse(url)
                .expect("parses")
                .with_tls(TlsOptions { ca_file: Some("/nonexistent/ca.pem".into()), ..TlsOptions::default() }),
        )
        .expect_err("a missing CA file");
        assert!(e.code == ErrorCode::InvalidInput && e.message.contains("/nonexistent/ca.pem"), "{e}");
    }

    #[test]
    fn bad_or_unsupported_options_are_refused_by_name() {
        let refused = |url: &str| parse(url).expect_err("refused");
        let e = refused("sqlserver://u@h?encrpyt=false");
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("encrpyt") && e.message.contains("trustServerCertificate"), "{e}");
        let e = refused("sqlserver://u@h?trustServerCertificate=ture");
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("true or false"), "{e}");
        let e = refused("sqlserver://u@h?instanceName=SQLEXPRESS");
        assert_eq!(e.code, ErrorCode::Unsupported);
        assert!(e.message.contains("port"), "{e}");
        let e = refused("sqlserver://h:1433/db");
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("login"), "{e}");
    }
}

use std::fmt;
use std::path::{Path, PathBuf};

use url::{Position, Url};

use crate::{Engine, Error, Result, Secret, TlsOptions};

mod credentials;
mod sqlserver;

use credentials::QueryOption;

/// Where a target points: a database file (SQLite) or a server URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    File(PathBuf),
    /// A server URL with no password in it.
    Url(Url),
}

/// A parsed connection target. The password is taken out of the URL when parsing and kept
/// as a [`Secret`], so the target can be printed, logged and stored (its `Display` is the
/// redacted URL) while the driver still gets the full credentials through
/// [`ConnectionTarget::url_with_secret`].
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionTarget {
    engine: Engine,
    endpoint: Endpoint,
    password: Option<Secret>,
    /// A MongoDB seed list names several hosts (`mongodb://a:1,b:2/db`), which a URL
    /// cannot hold: the first is the URL's host, the others (`host:port`) are kept here
    /// and put back wherever the URL is written out.
    more_hosts: Vec<String>,
    /// The secret is a NATS URL's user with no password (`nats://TOKEN@host`), which
    /// NATS reads as a token. A password given later makes it a user name after all.
    token_from_user: bool,
    /// The profile's TLS settings, which each engine maps to its driver (docs/network.md).
    tls: TlsOptions,
    /// The server's own `host:port` when the URL was pointed at a local tunnel instead.
    tunneled_from: Option<(String, u16)>,
}

const SQLITE_SUFFIXES: [&str; 5] = [".db", ".sqlite", ".sqlite3", ".db3", ".s3db"];

impl ConnectionTarget {
    /// Parses a URL (`postgres://…`, `mysql://…`, `mariadb://…`, `sqlite:path`, …) or a bare
    /// path to a SQLite file. Errors never echo the password.
    pub fn parse(input: &str) -> Result<Self> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Error::invalid_input("the connection URL is empty"));
        }
        if let Some(rest) = strip_prefix_ignore_case(input, "sqlite:") {
            // `sqlite://file.db` and `sqlite:file.db` are both common; `sqlite:///abs` is absolute.
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(Error::invalid_input("the sqlite: URL names no file"));
            }
            return Ok(Self::sqlite_file(path));
        }
        if sqlserver::is_ado_string(input) {
            let (url, password) = sqlserver::from_ado(input)?;
            return Ok(Self::from_url(Engine::Mssql, url).with_password(password));
        }
        if sqlserver::is_jdbc_url(input) {
            let (url, password) = sqlserver::from_jdbc(input)?;
            return Ok(Self::from_url(Engine::Mssql, url).with_password(password));
        }
        if input.contains("://") {
            let (single_host, more_hosts) = split_seed_list(input)?;
            let mut target = Self::parse_url(&single_host)?;
            target.more_hosts = more_hosts;
            return Ok(target);
        }
        let lower = input.to_ascii_lowercase();
        if SQLITE_SUFFIXES.iter().any(|s| lower.ends_with(s)) || Path::new(input).is_file() {
            return Ok(Self::sqlite_file(input));
        }
        Err(Error::invalid_input(format!(
            "'{}' is not a connection URL: expected something like postgres://user@host:5432/db, \
             mysql://user@host/db or sqlite:path/to/file.db",
            redact_url_text(input)
        )))
    }

    fn parse_url(input: &str) -> Result<Self> {
        let mut url = Url::parse(input)
            .map_err(|e| Error::invalid_input(format!("malformed URL '{}': {e}", redact_url_text(input))))?;
        let engine = Engine::from_scheme(url.scheme()).ok_or_else(|| {
            Error::invalid_input(format!(
                "unknown URL scheme '{}': expected one of sqlite, postgres, mysql, mariadb, \
                 sqlserver, mongodb, redis, nats",
                url.scheme()
            ))
        })?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::invalid_input(format!("the URL '{}' names no host", redact_url_text(input))));
        }
        let mut password = match url.password() {
            Some(p) => {
                let decoded = percent_decode(p).ok_or_else(|| {
                    Error::invalid_input("the password in the URL is not valid percent-encoded UTF-8")
                })?;
                Some(Secret::new(decoded))
            }
            None => None,
        };
        url.set_password(None).map_err(|()| Error::invalid_input("the URL cannot carry credentials"))?;
        // NATS reads a user with no password as a token (`nats://TOKEN@host`): a secret.
        let mut token_from_user = false;
        if engine == Engine::Nats && password.is_none() && !url.username().is_empty() {
            let token = percent_decode(url.username())
                .ok_or_else(|| Error::invalid_input("the token in the URL is not valid percent-encoded UTF-8"))?;
            password = Some(Secret::new(token));
            url.set_username("").map_err(|()| Error::invalid_input("the URL cannot carry credentials"))?;
            token_from_user = true;
        }
        // Drivers also read secrets from the query (`?password=`, NATS `?token=`): they move
        // out of the URL like the password; other credentials are refused rather than stored
        // in the open (credentials.rs).
        let mut kept = Vec::new();
        let mut removed = false;
        for (key, value) in url.query_pairs() {
            match credentials::classify(engine, &key, &value)? {
                QueryOption::Keep => kept.push((key.into_owned(), value.into_owned())),
                QueryOption::Secret if password.is_some() && !token_from_user => {
                    return Err(Error::invalid_input(format!(
                        "the URL gives a secret twice (before the host and as ?{key}=): give it once"
                    )));
                }
                QueryOption::Secret if token_from_user => {
                    return Err(Error::invalid_input(format!(
                        "the URL gives a token twice (as the user and as ?{key}=): give it once"
                    )));
                }
                QueryOption::Secret if engine == Engine::Nats && !url.username().is_empty() => {
                    return Err(Error::invalid_input(format!(
                        "the URL gives a user and ?{key}=: NATS takes a user and password, or a token, not both"
                    )));
                }
                QueryOption::Secret => {
                    password = Some(Secret::new(value.into_owned()));
                    removed = true;
                }
            }
        }
        if removed {
            if kept.is_empty() {
                url.set_query(None);
            } else {
                url.query_pairs_mut().clear().extend_pairs(&kept);
            }
        }
        Ok(ConnectionTarget { password, token_from_user, ..Self::from_url(engine, url) })
    }

    fn from_url(engine: Engine, url: Url) -> Self {
        ConnectionTarget {
            engine,
            endpoint: Endpoint::Url(url),
            password: None,
            more_hosts: Vec::new(),
            token_from_user: false,
            tls: TlsOptions::default(),
            tunneled_from: None,
        }
    }

    pub fn sqlite_file(path: impl Into<PathBuf>) -> Self {
        ConnectionTarget {
            engine: Engine::Sqlite,
            endpoint: Endpoint::File(path.into()),
            password: None,
            more_hosts: Vec::new(),
            token_from_user: false,
            tls: TlsOptions::default(),
            tunneled_from: None,
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn password(&self) -> Option<&Secret> {
        self.password.as_ref()
    }

    /// Whether the secret is a NATS URL's user taken as a token, which a password given
    /// apart (stdin, a form) turns back into a user name: see [`ConnectionTarget::with_password`].
    pub fn secret_is_user_as_token(&self) -> bool {
        self.token_from_user
    }

    /// Replaces the password (from the keyring, stdin or an environment variable). On a
    /// NATS URL whose user was taken as a token, a password makes that user a user name
    /// again (a stored `nats://alice@host` plus the keyring's secret is alice's login),
    /// and no password leaves the token as it is.
    pub fn with_password(mut self, password: Option<Secret>) -> Self {
        let password = password.filter(|p| !p.is_empty());
        if self.token_from_user {
            let Some(password) = password else { return self };
            if let (Endpoint::Url(url), Some(user)) = (&mut self.endpoint, &self.password) {
                // A URL that parsed with a host always accepts a user name.
                let _ = url.set_username(user.expose());
            }
            self.token_from_user = false;
            self.password = Some(password);
            return self;
        }
        self.password = password;
        self
    }

    /// The profile's TLS settings (none set: what the URL says).
    pub fn tls(&self) -> &TlsOptions {
        &self.tls
    }

    pub fn with_tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// The server's `host` and port (the engine's default port when the URL names none);
    /// for a tunneled target, the server's own, not the tunnel's.
    pub fn server_address(&self) -> Option<(String, u16)> {
        if let Some(origin) = &self.tunneled_from {
            return Some(origin.clone());
        }
        let url = self.url()?;
        let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_owned();
        Some((host, url.port().or(self.engine.default_port())?))
    }

    /// The host name a server certificate must carry: the TLS server name override, else
    /// the server's own host (also through a tunnel, whose local address no certificate
    /// names).
    pub fn tls_server_name(&self) -> Option<String> {
        self.tls.server_name.clone().or_else(|| self.server_address().map(|(host, _)| host))
    }

    /// Whether the URL was pointed at a local tunnel ([`ConnectionTarget::through_tunnel`]).
    pub fn is_tunneled(&self) -> bool {
        self.tunneled_from.is_some()
    }

    /// The same target reached through a local forward on `127.0.0.1:local_port`: the
    /// driver connects there and the tunnel carries the bytes to the server. A MongoDB
    /// seed list cannot be tunneled (each member would need a forward of its own, and the
    /// driver would follow the members' own addresses), so it is refused; a single
    /// MongoDB host is reached with `directConnection=true` for the same reason.
    pub fn through_tunnel(&self, local_port: u16) -> Result<ConnectionTarget> {
        let (Endpoint::Url(url), Some(origin)) = (&self.endpoint, self.server_address()) else {
            return Err(Error::invalid_input("a database file is not reached through an SSH tunnel"));
        };
        if !self.more_hosts.is_empty() || url.scheme().eq_ignore_ascii_case("mongodb+srv") {
            return Err(Error::unsupported(
                "a MongoDB replica set or mongodb+srv:// URL cannot be reached through an SSH tunnel: \
                 name one member and it is reached with directConnection=true",
            ));
        }
        let mut url = url.clone();
        url.set_host(Some("127.0.0.1"))
            .and_then(|()| url.set_port(Some(local_port)).map_err(|()| url::ParseError::InvalidPort))
            .map_err(|e| Error::internal(format!("cannot point the URL at the tunnel: {e}")))?;
        if self.engine == Engine::Mongodb && !url.query_pairs().any(|(k, _)| k.eq_ignore_ascii_case("directConnection"))
        {
            url.query_pairs_mut().append_pair("directConnection", "true");
        }
        Ok(ConnectionTarget { endpoint: Endpoint::Url(url), tunneled_from: Some(origin), ..self.clone() })
    }

    /// The server URL without any password, if this is a server target.
    pub fn url(&self) -> Option<&Url> {
        match &self.endpoint {
            Endpoint::Url(url) => Some(url),
            Endpoint::File(_) => None,
        }
    }

    /// The hosts after the first of a MongoDB seed list or Kafka bootstrap list, as `host:port`.
    pub fn more_hosts(&self) -> &[String] {
        &self.more_hosts
    }

    /// Where the secret goes back in the URL: NATS with no user takes it as the user
    /// (a token); everything else as the password.
    fn secret_is_user(&self, url: &Url) -> bool {
        self.engine == Engine::Nats && url.username().is_empty()
    }

    /// `url` with `secret` put where it belongs (see [`ConnectionTarget::secret_is_user`]).
    fn url_carrying(&self, url: &Url, secret: &str) -> Url {
        let mut url = url.clone();
        // A URL that parsed with a host always accepts credentials.
        let _ = if self.secret_is_user(&url) { url.set_username(secret) } else { url.set_password(Some(secret)) };
        url
    }

    /// `url` written out with the whole seed list.
    fn write_url(&self, url: &Url) -> String {
        if self.more_hosts.is_empty() {
            return url.to_string();
        }
        format!("{},{}{}", &url[..Position::AfterPort], self.more_hosts.join(","), &url[Position::AfterPort..])
    }

    /// The URL without any password: what a profile stores.
    pub fn url_without_secret(&self) -> String {
        match &self.endpoint {
            Endpoint::Url(url) => self.write_url(url),
            Endpoint::File(path) => format!("sqlite:{}", path.display()),
        }
    }

    /// The full URL with the password, for a driver. Wrapped in [`Secret`] so it cannot be
    /// printed by mistake.
    pub fn url_with_secret(&self) -> Secret {
        match &self.endpoint {
            Endpoint::Url(url) => match &self.password {
                Some(p) => Secret::new(self.write_url(&self.url_carrying(url, p.expose()))),
                None => Secret::new(self.write_url(url)),
            },
            Endpoint::File(path) => Secret::new(format!("sqlite:{}", path.display())),
        }
    }

    /// The database (or file) name the target selects, if any.
    pub fn database(&self) -> Option<String> {
        match &self.endpoint {
            Endpoint::File(path) => Some(path.display().to_string()),
            Endpoint::Url(url) => {
                let name = url.path().trim_start_matches('/');
                (!name.is_empty()).then(|| percent_decode(name).unwrap_or_else(|| name.to_owned()))
            }
        }
    }

    /// The URL with the password shown as `***`: safe for logs, errors and files.
    pub fn redacted(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ConnectionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Endpoint::File(path) => write!(f, "sqlite:{}", path.display()),
            Endpoint::Url(url) if self.password.is_some() => {
                f.write_str(&self.write_url(&self.url_carrying(url, "***")))
            }
            Endpoint::Url(url) => f.write_str(&self.write_url(url)),
        }
    }
}

impl fmt::Debug for ConnectionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnectionTarget({self})")
    }
}

/// Splits a MongoDB seed list (`mongodb://u@a:1,b:2,c/db`) into a URL with only the first
/// host and the other hosts; any other URL comes back unchanged.
fn split_seed_list(input: &str) -> Result<(String, Vec<String>)> {
    let Some(scheme_end) = input.find("://") else { return Ok((input.to_owned(), Vec::new())) };
    // MongoDB seed lists and Kafka bootstrap lists name several hosts.
    let engine = Engine::from_scheme(&input[..scheme_end]);
    if !matches!(engine, Some(Engine::Mongodb | Engine::Kafka)) {
        return Ok((input.to_owned(), Vec::new()));
    }
    let label = engine.map_or("", |e| e.spec().label);
    let authority_start = scheme_end + 3;
    let authority_len = input[authority_start..].find(['/', '?', '#']).unwrap_or(input.len() - authority_start);
    let authority = &input[authority_start..authority_start + authority_len];
    let hosts_start = authority.rfind('@').map_or(0, |at| at + 1);
    let mut hosts = authority[hosts_start..].split(',');
    let first = hosts.next().unwrap_or_default();
    let more: Vec<String> = hosts.map(str::to_owned).collect();
    if more.is_empty() {
        return Ok((input.to_owned(), more));
    }
    if let Some(empty) = more.iter().position(String::is_empty) {
        return Err(Error::invalid_input(format!(
            "the {label} host list has an empty host (number {}): remove the extra comma",
            empty + 2
        )));
    }
    if input[..scheme_end].eq_ignore_ascii_case("mongodb+srv") {
        return Err(Error::invalid_input("a mongodb+srv:// URL names one host (the DNS name of the cluster)"));
    }
    let single =
        format!("{}{}{}", &input[..authority_start + hosts_start], first, &input[authority_start + authority_len..]);
    Ok((single, more))
}

/// Masks the credentials in URL-like text that may not parse (for error messages about
/// it): the password before the host, a NATS token written as the user, and the values of
/// options that name a secret (`password=`, `Pwd=`, `token=`, …) in a query or an ADO.NET
/// string.
pub fn redact_url_text(text: &str) -> String {
    mask_secret_options(&mask_user_info(text))
}

fn mask_user_info(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else { return text.to_owned() };
    let authority_start = scheme_end + 3;
    let authority_end = text[authority_start..].find(['/', '?', '#']).map_or(text.len(), |i| i + authority_start);
    let Some(at) = text[authority_start..authority_end].rfind('@').map(|i| i + authority_start) else {
        return text.to_owned();
    };
    let token_as_user = Engine::from_scheme(&text[..scheme_end]) == Some(Engine::Nats);
    match text[authority_start..at].find(':') {
        Some(colon) => {
            let colon = colon + authority_start;
            format!("{}***{}", &text[..=colon], &text[at..])
        }
        None if token_as_user => format!("{}***{}", &text[..authority_start], &text[at..]),
        None => text.to_owned(),
    }
}

/// Replaces the value of every `key=value` whose key names a secret with `***`; values end
/// at `&`, `;` or the end.
fn mask_secret_options(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(eq) = rest.find('=') {
        let key_start = rest[..eq].rfind(['?', '&', ';']).map_or(0, |i| i + 1);
        let value_end = rest[eq + 1..].find(['&', ';']).map_or(rest.len(), |i| i + eq + 1);
        out.push_str(&rest[..=eq]);
        if credentials::is_secret_key(&rest[key_start..eq]) {
            out.push_str("***");
        } else {
            out.push_str(&rest[eq + 1..value_end]);
        }
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    out
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn parse(s: &str) -> ConnectionTarget {
        ConnectionTarget::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn takes_the_password_out_of_the_url() {
        let t = parse("postgres://alice:p%40ss%3Aword@db.example:6543/shop?sslmode=require");
        assert_eq!(t.engine(), Engine::Postgres);
        assert_eq!(t.password().map(Secret::expose), Some("p@ss:word"));
        assert_eq!(t.to_string(), "postgres://alice:***@db.example:6543/shop?sslmode=require");
        assert!(!format!("{t:?}").contains("p@ss"));
        assert_eq!(t.url().map(|u| u.password()), Some(None));
        assert_eq!(t.database().as_deref(), Some("shop"));
        let full = t.url_with_secret();
        assert_eq!(full.expose(), "postgres://alice:p%40ss%3Aword@db.example:6543/shop?sslmode=require");
    }

    #[test]
    fn a_password_in_the_query_is_a_secret_too() {
        let t = parse("postgres://u@h/db?sslmode=require&password=qu3ry-pw");
        assert_eq!(t.password().map(Secret::expose), Some("qu3ry-pw"));
        assert_eq!(t.url_without_secret(), "postgres://u@h/db?sslmode=require");
        assert!(!t.to_string().contains("qu3ry"));
        let t = parse("mysql://u@h/db?PASSWORD=x1y2");
        assert_eq!(t.url_without_secret(), "mysql://u@h/db");
        for bad in ["postgres://u:a@h/db?password=b", "postgres://u@h/db?sslpassword=k3y", "redis://h/?token=abc"] {
            let err = ConnectionTarget::parse(bad).err().map(|e| e.message).unwrap_or_default();
            assert!(!err.is_empty() && !err.contains("k3y") && !err.contains("abc"), "{bad}: {err}");
        }
    }

    #[test]
    fn recognises_every_engine_scheme() {
        for (url, engine) in [
            ("postgresql://h/db", Engine::Postgres),
            ("mysql://root@127.0.0.1/test", Engine::Mysql),
            ("mariadb://root@127.0.0.1/test", Engine::Mysql),
            ("sqlserver://sa@h:1433", Engine::Mssql),
            ("mongodb+srv://cluster.example/db", Engine::Mongodb),
            ("rediss://h:6380", Engine::Redis),
            ("nats://127.0.0.1:4222", Engine::Nats),
        ] {
            assert_eq!(parse(url).engine(), engine, "{url}");
        }
    }

    #[test]
    fn sqlite_forms() {
        for (input, path) in [
            ("sqlite:shop.db", "shop.db"),
            ("sqlite://shop.db", "shop.db"),
            ("sqlite:///tmp/shop.db", "/tmp/shop.db"),
            ("SQLITE:data/x.sqlite", "data/x.sqlite"),
            ("/var/data/app.sqlite3", "/var/data/app.sqlite3"),
            ("my file.db", "my file.db"),
        ] {
            let t = parse(input);
            assert_eq!(t.engine(), Engine::Sqlite, "{input}");
            assert_eq!(t.endpoint(), &Endpoint::File(PathBuf::from(path)), "{input}");
        }
    }

    #[test]
    fn malformed_input_is_invalid_and_never_shows_the_password() {
        for input in [
            "",
            "sqlite:",
            "postgres://user:topsecret@host:notaport/db",
            "ftp://user:topsecret@host/",
            "postgres://user:topsecret@/db",
            "just some words",
        ] {
            let err = ConnectionTarget::parse(input).err().unwrap_or_else(|| panic!("{input} parsed"));
            assert_eq!(err.code, ErrorCode::InvalidInput, "{input}");
            assert!(!err.message.contains("topsecret"), "{}", err.message);
        }
    }

    #[test]
    fn mongodb_seed_lists_keep_every_host() {
        let t =
            parse("mongodb://app:pw@a.example:27017,b.example:27018,c.example/shop?replicaSet=rs0&authSource=admin");
        assert_eq!(t.engine(), Engine::Mongodb);
        assert_eq!(t.more_hosts(), ["b.example:27018", "c.example"]);
        assert_eq!(t.database().as_deref(), Some("shop"));
        assert_eq!(
            t.url_without_secret(),
            "mongodb://app@a.example:27017,b.example:27018,c.example/shop?replicaSet=rs0&authSource=admin"
        );
        assert_eq!(
            t.to_string(),
            "mongodb://app:***@a.example:27017,b.example:27018,c.example/shop?replicaSet=rs0&authSource=admin"
        );
        assert_eq!(
            t.url_with_secret().expose(),
            "mongodb://app:pw@a.example:27017,b.example:27018,c.example/shop?replicaSet=rs0&authSource=admin"
        );
        assert_eq!(parse("mongodb://h1,h2").url_without_secret(), "mongodb://h1,h2");
        for (bad, code) in [
            ("mongodb://a,,b/db", ErrorCode::InvalidInput),
            ("mongodb+srv://a,b/db", ErrorCode::InvalidInput),
            ("mongodb://a,b/db?tlsCertificateKeyFilePassword=x", ErrorCode::Unsupported),
        ] {
            let err = ConnectionTarget::parse(bad).err().unwrap_or_else(|| panic!("{bad} parsed"));
            assert_eq!(err.code, code, "{bad}");
        }
    }

    #[test]
    fn sql_server_connection_strings() {
        let t = parse("Server=tcp:db,1433;Database=shop;User Id=sa;Password=Pa55;TrustServerCertificate=true");
        assert_eq!(t.engine(), Engine::Mssql);
        assert_eq!(t.url_without_secret(), "sqlserver://sa@db:1433/shop?trustServerCertificate=true");
        assert_eq!(t.password().map(Secret::expose), Some("Pa55"));
        let t = parse("jdbc:sqlserver://db:1433;databaseName=shop;user=sa;password=Pa55");
        assert_eq!(t.url_without_secret(), "sqlserver://sa@db:1433/shop");
        assert!(!t.to_string().contains("Pa55"));
    }

    #[test]
    fn redacts_unparseable_text() {
        assert_eq!(redact_url_text("postgres://u:pw@h:x/db"), "postgres://u:***@h:x/db");
        assert_eq!(redact_url_text("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url_text("plain"), "plain");
        assert_eq!(redact_url_text("nats://tok@h:x"), "nats://***@h:x");
        assert_eq!(redact_url_text("redis://h/?token=t&db=1"), "redis://h/?token=***&db=1");
        assert_eq!(redact_url_text("Server=h;Pwd=p;Database=d"), "Server=h;Pwd=***;Database=d");
        assert_eq!(redact_url_text("mongodb://h:x/?a=1@b"), "mongodb://h:x/?a=1@b");
    }

    #[test]
    fn with_password_replaces_and_ignores_empty() {
        let t = parse("mysql://root@h/db").with_password(Some(Secret::new("pw")));
        assert_eq!(t.to_string(), "mysql://root:***@h/db");
        let t = t.with_password(Some(Secret::new("")));
        assert!(t.password().is_none());
        // A NATS user alone is a token; with a password it is a user name after all.
        let token = parse("nats://tok123@h:4222");
        assert_eq!(token.url_without_secret(), "nats://h:4222");
        assert_eq!(token.clone().with_password(None).password().map(Secret::expose), Some("tok123"));
        let login = token.with_password(Some(Secret::new("pw")));
        assert_eq!(login.url_without_secret(), "nats://tok123@h:4222");
        assert_eq!(login.url_with_secret().expose(), "nats://tok123:pw@h:4222");
    }

    #[test]
    fn a_tunneled_target_points_at_the_local_port_and_keeps_the_server_name() {
        let t = parse("postgres://alice:pw@db.internal/shop?sslmode=require");
        let local = t.through_tunnel(40123).expect("tunnels");
        assert_eq!(local.url_with_secret().expose(), "postgres://alice:pw@127.0.0.1:40123/shop?sslmode=require");
        assert_eq!(local.server_address(), Some(("db.internal".to_owned(), 5432)));
        assert_eq!(local.tls_server_name().as_deref(), Some("db.internal"));
        assert!(local.is_tunneled() && !t.is_tunneled());
        assert_eq!(local.to_string(), "postgres://alice:***@127.0.0.1:40123/shop?sslmode=require");
        let named =
            t.clone().with_tls(crate::TlsOptions { server_name: Some("db.example".into()), ..Default::default() });
        assert_eq!(named.through_tunnel(1).expect("tunnels").tls_server_name().as_deref(), Some("db.example"));
        // MongoDB: one member, reached directly; a seed list or SRV name is refused.
        let mongo = parse("mongodb://m1:27018/app").through_tunnel(40124).expect("tunnels");
        assert_eq!(mongo.url_without_secret(), "mongodb://127.0.0.1:40124/app?directConnection=true");
        for refused in ["mongodb://m1,m2/app", "mongodb+srv://cluster.example/app"] {
            let e = parse(refused).through_tunnel(1).expect_err(refused);
            assert_eq!(e.code, ErrorCode::Unsupported, "{refused}");
        }
        assert!(ConnectionTarget::sqlite_file("a.db").through_tunnel(1).is_err());
    }
}

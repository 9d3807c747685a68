//! SQL Server's other ways of writing a connection: ADO.NET connection strings
//! (`Server=tcp:db,1433;Database=shop;User Id=sa;Password=…;Encrypt=true`) and JDBC URLs
//! (`jdbc:sqlserver://db:1433;databaseName=shop;user=sa;password=…`). Both become the one
//! `sqlserver://user@host:port/database?option=…` form the rest of DB Dock knows, with the
//! password held apart as a [`Secret`].

use url::Url;

use crate::{Error, Result, Secret};

/// Whether `input` looks like an ADO.NET connection string rather than a URL or a path.
pub(super) fn is_ado_string(input: &str) -> bool {
    let Some((key, _)) = input.split_once('=') else { return false };
    !input.contains("://")
        && matches!(
            normalise_key(key).as_str(),
            "server" | "datasource" | "address" | "addr" | "networkaddress" | "host"
        )
}

/// Whether `input` is a JDBC-style SQL Server URL (`jdbc:sqlserver://…;k=v` or
/// `sqlserver://host;k=v`), which the URL parser cannot read as is.
pub(super) fn is_jdbc_url(input: &str) -> bool {
    let lower = input.to_ascii_lowercase();
    lower.starts_with("jdbc:sqlserver://") || (lower.starts_with("sqlserver://") && input.contains(';'))
}

/// The `sqlserver://` URL and the password an ADO.NET connection string describes.
pub(super) fn from_ado(input: &str) -> Result<(Url, Option<Secret>)> {
    let mut parts = Parts::default();
    for (key, value) in split_pairs(input)? {
        parts.set(&key, value)?;
    }
    parts.into_url()
}

/// The `sqlserver://` URL and the password a JDBC URL describes.
pub(super) fn from_jdbc(input: &str) -> Result<(Url, Option<Secret>)> {
    let rest = &input[input.to_ascii_lowercase().find("sqlserver://").map_or(0, |i| i + "sqlserver://".len())..];
    let (server, properties) = rest.split_once(';').unwrap_or((rest, ""));
    let mut parts = Parts::default();
    parts.set("server", server.replace(':', ","))?;
    for (key, value) in split_pairs(properties)? {
        parts.set(&key, value)?;
    }
    parts.into_url()
}

#[derive(Default)]
struct Parts {
    host: Option<String>,
    port: Option<u16>,
    instance: Option<String>,
    database: Option<String>,
    user: Option<String>,
    password: Option<Secret>,
    options: Vec<(&'static str, String)>,
}

impl Parts {
    fn set(&mut self, key: &str, value: String) -> Result<()> {
        match normalise_key(key).as_str() {
            "server" | "datasource" | "address" | "addr" | "networkaddress" | "host" | "servername" => {
                self.set_server(&value)?
            }
            "portnumber" | "port" => self.port = Some(parse_port(&value)?),
            "instancename" => self.instance = Some(value),
            "database" | "initialcatalog" | "databasename" => self.database = Some(value),
            "userid" | "uid" | "user" | "username" => self.user = Some(value),
            "password" | "pwd" => self.password = Some(Secret::new(value)),
            "encrypt" => self.options.push(("encrypt", value)),
            "trustservercertificate" => self.options.push(("trustServerCertificate", value)),
            "applicationname" | "app" => self.options.push(("applicationName", value)),
            "connecttimeout" | "connectiontimeout" | "logintimeout" => self.options.push(("connectTimeout", value)),
            // Options that change nothing DB Dock does, or that it cannot honour yet.
            "persistsecurityinfo" | "multipleactiveresultsets" | "pooling" | "maxpoolsize" | "minpoolsize" => {}
            "integratedsecurity" | "trustedconnection" | "authentication" => {
                return Err(Error::unsupported(format!(
                    "'{key}' (Windows or Azure AD sign-in) is not supported yet: use a SQL login (User Id and Password)"
                )));
            }
            _ => {
                return Err(Error::invalid_input(format!(
                    "unknown SQL Server connection option '{key}' (known: Server, Database, User Id, Password, \
                     Encrypt, TrustServerCertificate, Application Name, Connect Timeout)"
                )));
            }
        }
        Ok(())
    }

    /// `tcp:host,port`, `host\instance`, `(local)`, `.`: the forms SQL Server tools accept.
    fn set_server(&mut self, value: &str) -> Result<()> {
        let value = value.trim();
        let value = value.strip_prefix("tcp:").unwrap_or(value);
        let (host, port) = match value.rsplit_once(',') {
            Some((host, port)) => (host, Some(parse_port(port)?)),
            None => (value, None),
        };
        let (host, instance) = match host.split_once('\\') {
            Some((host, instance)) => (host, Some(instance.to_owned())),
            None => (host, None),
        };
        let host = match host.trim() {
            "." | "(local)" | "(localdb)" | "localhost" => "localhost",
            "" => return Err(Error::invalid_input("the SQL Server connection string names no server")),
            other => other,
        };
        self.host = Some(host.to_owned());
        if port.is_some() {
            self.port = port;
        }
        if instance.is_some() {
            self.instance = instance;
        }
        Ok(())
    }

    fn into_url(self) -> Result<(Url, Option<Secret>)> {
        let host = self.host.ok_or_else(|| Error::invalid_input("the SQL Server connection string names no server"))?;
        let mut url = Url::parse("sqlserver://localhost")
            .map_err(|e| Error::internal(format!("the base SQL Server URL does not parse: {e}")))?;
        url.set_host(Some(&host))
            .map_err(|e| Error::invalid_input(format!("'{host}' is not a valid server name: {e}")))?;
        url.set_port(self.port).map_err(|()| Error::invalid_input("the server cannot take a port"))?;
        if let Some(user) = &self.user {
            url.set_username(user).map_err(|()| Error::invalid_input("the server cannot take a user name"))?;
        }
        if let Some(database) = &self.database {
            url.set_path(&format!("/{database}"));
        }
        let mut options = self.options;
        if let Some(instance) = self.instance {
            options.push(("instanceName", instance));
        }
        if !options.is_empty() {
            url.query_pairs_mut().extend_pairs(options);
        }
        Ok((url, self.password))
    }
}

fn normalise_key(key: &str) -> String {
    key.chars().filter(|c| !c.is_whitespace() && *c != '_').flat_map(char::to_lowercase).collect()
}

fn parse_port(text: &str) -> Result<u16> {
    text.trim().parse().map_err(|_| Error::invalid_input(format!("'{}' is not a port number", text.trim())))
}

/// Splits `k=v;k2={v;2};k3="v3"` into pairs. Values may be quoted with `{}`, `"` or `'`
/// (a doubled closing quote stands for itself) so that passwords can hold `;` and `=`.
fn split_pairs(input: &str) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            if rest.trim_matches(';').trim().is_empty() {
                break;
            }
            return Err(Error::invalid_input(format!(
                "expected key=value in the connection string, found '{}'",
                rest.split(';').next().unwrap_or(rest).trim()
            )));
        };
        let key = rest[..eq].trim().trim_start_matches(';').trim().to_owned();
        let after = rest[eq + 1..].trim_start();
        let (value, remaining) = match after.chars().next() {
            Some(open @ ('{' | '"' | '\'')) => {
                let close = if open == '{' { '}' } else { open };
                quoted(&after[1..], close).ok_or_else(|| {
                    Error::invalid_input(format!("the value of '{key}' opens with {open} but never closes"))
                })?
            }
            _ => match after.find(';') {
                Some(semi) => (after[..semi].trim().to_owned(), &after[semi..]),
                None => (after.trim().to_owned(), ""),
            },
        };
        if key.is_empty() {
            return Err(Error::invalid_input("the connection string has a value with no key"));
        }
        pairs.push((key, value));
        rest = remaining.trim_start().trim_start_matches(';').trim_start();
    }
    Ok(pairs)
}

/// Reads a quoted value up to `close` (doubled `close` is a literal one); returns it and
/// what follows the closing quote.
fn quoted(text: &str, close: char) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == close {
            if chars.peek().is_some_and(|&(_, next)| next == close) {
                chars.next();
                value.push(close);
                continue;
            }
            return Some((value, &text[i + c.len_utf8()..]));
        }
        value.push(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn ado_strings_become_urls_with_the_password_apart() {
        let (url, password) = from_ado(
            "Server=tcp:db.example,14330;Initial Catalog=shop;User ID=sa;Password={p;a=ss}}};Encrypt=true;\
             TrustServerCertificate=True;",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(url.as_str(), "sqlserver://sa@db.example:14330/shop?encrypt=true&trustServerCertificate=True");
        assert_eq!(password.as_ref().map(Secret::expose), Some("p;a=ss}"));
    }

    #[test]
    fn local_server_instance_and_quotes() {
        let (url, password) = from_ado(r#"Data Source=.\SQLEXPRESS;Database=x;uid=u;pwd="q""uote""#).expect("parses");
        assert_eq!(url.as_str(), "sqlserver://u@localhost/x?instanceName=SQLEXPRESS");
        assert_eq!(password.as_ref().map(Secret::expose), Some("q\"uote"));
    }

    #[test]
    fn jdbc_urls() {
        let (url, password) =
            from_jdbc("jdbc:sqlserver://db:1433;databaseName=shop;user=sa;password=s3cret;encrypt=false")
                .expect("parses");
        assert_eq!(url.as_str(), "sqlserver://sa@db:1433/shop?encrypt=false");
        assert_eq!(password.as_ref().map(Secret::expose), Some("s3cret"));
        assert!(is_jdbc_url("sqlserver://h;database=x") && !is_jdbc_url("sqlserver://h/x"));
    }

    #[test]
    fn bad_strings_say_what_is_wrong_without_the_password() {
        for (input, code) in [
            ("Server=h;Password={never closed", ErrorCode::InvalidInput),
            ("Server=h;Colour=blue;Password=topsecret", ErrorCode::InvalidInput),
            ("Server=h,notaport;Password=topsecret", ErrorCode::InvalidInput),
            ("Server=h;Integrated Security=SSPI", ErrorCode::Unsupported),
            ("Server=;Password=topsecret", ErrorCode::InvalidInput),
        ] {
            let err = from_ado(input).err().unwrap_or_else(|| panic!("{input} parsed"));
            assert_eq!(err.code, code, "{input}: {err}");
            assert!(!err.message.contains("topsecret"), "{}", err.message);
        }
        assert!(is_ado_string("Server=h;Database=d") && is_ado_string("data source = h"));
        assert!(!is_ado_string("postgres://h/db?x=1") && !is_ado_string("shop.db"));
    }
}

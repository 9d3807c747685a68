use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Engine, Error, Result, SshHop, TlsOptions};

/// What an AI client may do through a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Access {
    /// Never exposed to AI clients.
    None,
    /// Reads only, enforced by the database engine. The default.
    #[default]
    ReadOnly,
    /// Reads and writes.
    ReadWrite,
    /// Reads; each write waits for the user's approval in the app.
    Ask,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::None => "none",
            Access::ReadOnly => "read-only",
            Access::ReadWrite => "read-write",
            Access::Ask => "ask",
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Access {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "none" => Access::None,
            "read-only" => Access::ReadOnly,
            "read-write" => Access::ReadWrite,
            "ask" => Access::Ask,
            other => {
                return Err(Error::invalid_input(format!(
                    "unknown access '{other}': expected none, read-only, read-write or ask"
                )));
            }
        })
    }
}

/// Where a profile comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ProfileSource {
    /// Saved in the store (secret in the OS keyring).
    Store,
    /// Defined by mcp-dbs environment variables (`MCP_POSTGRES_*`, …) for this process only.
    Environment,
    /// A URL an AI client opened (`dbdock mcp --allow-adhoc`), for its session only.
    Adhoc,
}

impl ProfileSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileSource::Store => "store",
            ProfileSource::Environment => "environment",
            ProfileSource::Adhoc => "adhoc",
        }
    }
}

/// A saved connection. Its name is also its MCP `connectionId`. It never holds a secret:
/// `url` has no password, and `has_secret` says whether the keyring holds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub engine: Engine,
    pub url: String,
    pub has_secret: bool,
    pub access: Access,
    /// The login every AI path (the MCP endpoint) uses instead of the URL's, when set: its
    /// user name; its password is in the keyring under its own entry. The app and the CLI
    /// keep the URL's login (docs/safety.md, "least privilege").
    #[serde(default)]
    pub ai_login: Option<String>,
    pub max_rows: Option<u64>,
    pub max_bytes: Option<u64>,
    pub timeout_secs: Option<u64>,
    /// How long an AI client's write on an `ask` profile waits for the user's decision
    /// (None: the default, 120 s).
    #[serde(default)]
    pub approval_wait_secs: Option<u64>,
    /// SQLite: create the file if it does not exist.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create_if_missing: bool,
    pub color: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The SSH jump hosts the server is reached through, outermost first (docs/network.md).
    #[serde(default)]
    pub ssh: Vec<SshHop>,
    /// TLS settings beyond what the URL carries.
    #[serde(default)]
    pub tls: TlsOptions,
    pub source: ProfileSource,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl Profile {
    /// A profile that lives for one process (mcp-dbs environment variables, ad-hoc MCP
    /// connections): read-only, default caps, nothing stored.
    pub fn transient(
        source: ProfileSource,
        name: &str,
        target: &crate::ConnectionTarget,
        create_if_missing: bool,
        tag: &str,
    ) -> Profile {
        Profile {
            id: format!("{}:{name}", source.as_str()),
            name: name.to_owned(),
            engine: target.engine(),
            url: target.url_without_secret(),
            has_secret: target.password().is_some(),
            access: Access::ReadOnly,
            ai_login: None,
            max_rows: None,
            max_bytes: None,
            timeout_secs: None,
            approval_wait_secs: None,
            create_if_missing,
            color: None,
            tags: vec![tag.to_owned()],
            ssh: Vec::new(),
            tls: target.tls().clone(),
            source,
            created_at: None,
            updated_at: None,
        }
    }
}

/// Checks a profile name: it is an MCP `connectionId` and part of the environment variable
/// `DBDOCK_SECRET_<NAME>`, so it is kept to letters, digits, `-`, `_` and `.`.
pub fn validate_profile_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "'{name}' is not a valid profile name: use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit"
        )))
    }
}

/// The keyring entry of the secret of a profile's `hop`-th SSH jump host (a key's
/// passphrase or a password), beside the profile's own entry (its id).
pub fn ssh_secret_account(profile_id: &str, hop: usize) -> String {
    format!("{profile_id}:ssh{hop}")
}

/// The environment variable that supplies a profile's secret without the keyring.
pub fn secret_env_var(profile_name: &str) -> String {
    let upper: String =
        profile_name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("DBDOCK_SECRET_{upper}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_round_trips_through_text_and_json() {
        for a in [Access::None, Access::ReadOnly, Access::ReadWrite, Access::Ask] {
            assert_eq!(a.as_str().parse::<Access>().ok(), Some(a));
            assert_eq!(serde_json::to_value(a).ok(), Some(serde_json::json!(a.as_str())));
        }
        assert!("write".parse::<Access>().is_err());
        assert_eq!(Access::default(), Access::ReadOnly);
    }

    #[test]
    fn names_and_secret_variables() {
        for good in ["prod", "shop-db", "a.b_c", "9lives"] {
            assert!(validate_profile_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-x", "has space", "semi;colon", "ü", &"x".repeat(65)] {
            assert!(validate_profile_name(bad).is_err(), "{bad}");
        }
        assert_eq!(secret_env_var("shop-db.eu"), "DBDOCK_SECRET_SHOP_DB_EU");
    }
}

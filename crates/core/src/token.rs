//! Named bearer tokens of the MCP HTTP endpoint (docs/safety.md, "HTTP tokens"): what a
//! token may do is its scopes and its profiles; the token itself is shown once and stored
//! only as a salted hash.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// How a token is kept: SHA-256 over its salt and itself. A slow password hash would buy
/// nothing: a token is 256 random bits, which no guessing reaches, where a slow hash
/// exists to protect short human passwords; the salt keeps equal hashes from telling
/// that two tokens are equal.
pub fn token_hash(salt: &str, token: &str) -> String {
    crate::canonical_sha256(&["mcp-token", salt, token])
}

/// Equality that takes as long whatever the inputs share, so timing tells nothing about a
/// stored hash.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a token opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum TokenScope {
    /// The read tools and resources. Every token has it.
    Read,
    /// The write tools too, where the profile's own AI access allows writes.
    Write,
    /// `GET /metrics`.
    Metrics,
}

impl TokenScope {
    pub const ALL: [TokenScope; 3] = [TokenScope::Read, TokenScope::Write, TokenScope::Metrics];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
            TokenScope::Metrics => "metrics",
        }
    }

    pub fn parse(text: &str) -> Option<TokenScope> {
        TokenScope::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Requests per second a token may send when its creator set no rate.
pub const DEFAULT_TOKEN_RATE: u32 = 50;
/// Requests a token may have in flight at once when its creator set no bound.
pub const DEFAULT_TOKEN_CONCURRENCY: u32 = 16;

/// A token as listed: everything but the token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenInfo {
    pub name: String,
    pub scopes: Vec<TokenScope>,
    /// The profiles it may see; empty: every profile the endpoint exposes.
    pub profiles: Vec<String>,
    /// Requests per second.
    pub rate_per_sec: u32,
    /// Requests in flight at once.
    pub max_concurrent: u32,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

impl TokenInfo {
    pub fn has(&self, scope: TokenScope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Whether this token may see the profile `name` (names compare as profiles do).
    pub fn sees(&self, name: &str) -> bool {
        self.profiles.is_empty() || self.profiles.iter().any(|p| p.eq_ignore_ascii_case(name))
    }
}

/// What `token add` asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewToken {
    pub name: String,
    /// `read` is implied.
    pub scopes: Vec<TokenScope>,
    pub profiles: Vec<String>,
    pub expires_days: Option<u32>,
    pub rate_per_sec: Option<u32>,
    pub max_concurrent: Option<u32>,
}

impl NewToken {
    /// The scopes as stored: `read` always, each once, in order.
    pub fn normalized_scopes(&self) -> Vec<TokenScope> {
        let mut scopes = self.scopes.clone();
        scopes.push(TokenScope::Read);
        scopes.sort();
        scopes.dedup();
        scopes
    }

    pub fn validate(&self) -> Result<()> {
        let name = self.name.trim();
        let fine = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if name.is_empty() || name.len() > 64 || !name.chars().all(fine) {
            return Err(Error::invalid_input(format!(
                "'{}' is not a token name: use 1 to 64 letters, digits, '-', '_' or '.'",
                self.name
            )));
        }
        if self.rate_per_sec == Some(0) || self.max_concurrent == Some(0) {
            return Err(Error::invalid_input("a token's rate and concurrency limits must be at least 1"));
        }
        if self.expires_days == Some(0) {
            return Err(Error::invalid_input("--expires takes a number of days, at least 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_and_read_is_always_granted() {
        for scope in TokenScope::ALL {
            assert_eq!(TokenScope::parse(scope.as_str()), Some(scope));
        }
        let new = NewToken {
            name: "ci".into(),
            scopes: vec![TokenScope::Metrics, TokenScope::Metrics],
            profiles: vec![],
            expires_days: None,
            rate_per_sec: None,
            max_concurrent: None,
        };
        assert_eq!(new.normalized_scopes(), vec![TokenScope::Read, TokenScope::Metrics]);
        assert!(new.validate().is_ok());
        assert!(NewToken { name: "a b".into(), ..new.clone() }.validate().is_err());
        assert!(NewToken { rate_per_sec: Some(0), ..new }.validate().is_err());
    }
}

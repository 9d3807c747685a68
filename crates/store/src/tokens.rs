//! Named bearer tokens of the MCP HTTP endpoint (docs/safety.md, "HTTP tokens"). A token
//! is made here from the OS's secure random source, returned once, and kept only as a
//! salted hash; every request is checked against the table as it is now, so a revoked or
//! expired token stops working on the next request of a running endpoint.

use dbdock_core::{
    DEFAULT_TOKEN_CONCURRENCY, DEFAULT_TOKEN_RATE, Error, NewToken, Result, Secret, TokenInfo, TokenScope,
    constant_time_eq, token_hash,
};

use crate::{Store, store_error};

/// The name of the token that `dbdock mcp --http` makes on its first start, and that an
/// older home's plain token file becomes.
pub const DEFAULT_TOKEN_NAME: &str = "default";

/// Where DB Dock before named tokens kept its one token in plain text.
const LEGACY_TOKEN_FILE: &str = "mcp-http-token";

/// A row of `mcp_tokens` as SQLite holds it.
#[derive(sqlx::FromRow)]
struct TokenRow {
    name: String,
    salt: String,
    hash: String,
    scopes: String,
    profiles: String,
    rate_per_sec: i64,
    max_concurrent: i64,
    created_at: String,
    last_used_at: Option<String>,
    expires_at: Option<String>,
}

impl TokenRow {
    fn info(&self) -> TokenInfo {
        let limit = |n: i64, default: u32| u32::try_from(n).unwrap_or(default);
        TokenInfo {
            name: self.name.clone(),
            scopes: self.scopes.split(',').filter_map(TokenScope::parse).collect(),
            profiles: serde_json::from_str(&self.profiles).unwrap_or_default(),
            rate_per_sec: limit(self.rate_per_sec, DEFAULT_TOKEN_RATE),
            max_concurrent: limit(self.max_concurrent, DEFAULT_TOKEN_CONCURRENCY),
            created_at: self.created_at.clone(),
            last_used_at: self.last_used_at.clone(),
            expires_at: self.expires_at.clone(),
        }
    }
}

/// `SELECT` of every column of `mcp_tokens`, then `$tail` (sqlx takes static SQL only).
macro_rules! select_tokens {
    ($tail:literal) => {
        concat!(
            "SELECT name, salt, hash, scopes, profiles, rate_per_sec, max_concurrent, created_at, last_used_at, \
             expires_at FROM mcp_tokens ",
            $tail
        )
    };
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| Error::internal(format!("no secure random source: {e}")))?;
    Ok(buffer.iter().map(|b| format!("{b:02x}")).collect())
}

impl Store {
    /// Makes a token; the returned secret is the only time it exists outside the client.
    /// The profiles it names must exist (`NOT_FOUND` otherwise): a misspelt name would
    /// make a token that sees nothing.
    pub async fn add_token(&self, new: &NewToken) -> Result<(TokenInfo, Secret)> {
        new.validate()?;
        let known = self.profiles().await?;
        if let Some(missing) = new.profiles.iter().find(|p| !known.iter().any(|k| k.name.eq_ignore_ascii_case(p))) {
            return Err(Error::not_found(format!("no profile named '{missing}' (dbdock profile list)")));
        }
        let token = format!("dbdock_{}", random_hex(32)?);
        let info = self.insert_token(new, &token).await?;
        Ok((info, Secret::new(token)))
    }

    async fn insert_token(&self, new: &NewToken, token: &str) -> Result<TokenInfo> {
        let salt = random_hex(16)?;
        let scopes: Vec<&str> = new.normalized_scopes().into_iter().map(TokenScope::as_str).collect();
        let profiles = serde_json::to_string(&new.profiles).map_err(|e| Error::internal(e.to_string()))?;
        let expires = new.expires_days.map(|days| format!("+{days} days"));
        let inserted = sqlx::query(
            "INSERT INTO mcp_tokens (name, salt, hash, scopes, profiles, rate_per_sec, max_concurrent, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                     CASE WHEN ?8 IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?8) END)",
        )
        .bind(new.name.trim())
        .bind(&salt)
        .bind(token_hash(&salt, token))
        .bind(scopes.join(","))
        .bind(profiles)
        .bind(i64::from(new.rate_per_sec.unwrap_or(DEFAULT_TOKEN_RATE)))
        .bind(i64::from(new.max_concurrent.unwrap_or(DEFAULT_TOKEN_CONCURRENCY)))
        .bind(expires)
        .execute(&self.pool)
        .await;
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(Error::invalid_input(format!(
                "a token named '{}' exists; revoke it first (dbdock mcp token revoke {})",
                new.name.trim(),
                new.name.trim()
            ))),
            Err(e) => Err(store_error("save the token", &e)),
            Ok(_) => sqlx::query_as::<_, TokenRow>(select_tokens!("WHERE name = ?1"))
                .bind(new.name.trim())
                .fetch_one(&self.pool)
                .await
                .map(|row| row.info())
                .map_err(|e| store_error("read the token back", &e)),
        }
    }

    /// Every token, oldest first, without the token or its hash.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query_as::<_, TokenRow>(select_tokens!("ORDER BY created_at, name"))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| store_error("read the tokens", &e))?;
        Ok(rows.iter().map(TokenRow::info).collect())
    }

    /// Deletes a token; a running endpoint refuses it from its next request on.
    pub async fn revoke_token(&self, name: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM mcp_tokens WHERE name = ?1")
            .bind(name.trim())
            .execute(&self.pool)
            .await
            .map_err(|e| store_error("revoke the token", &e))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(format!("no token named '{name}' (dbdock mcp token list)")));
        }
        Ok(())
    }

    /// The token `presented` is, if it is one that has not expired. Every stored hash is
    /// compared in constant time; there are a handful, so that costs microseconds.
    pub async fn token_for(&self, presented: &str) -> Result<Option<TokenInfo>> {
        let rows = sqlx::query_as::<_, TokenRow>(select_tokens!(
            "WHERE expires_at IS NULL OR expires_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("read the tokens", &e))?;
        let mut found = None;
        for row in &rows {
            if constant_time_eq(&token_hash(&row.salt, presented), &row.hash) {
                found = Some(row.info());
            }
        }
        Ok(found)
    }

    /// Records that `name` was used now (the endpoint calls it at most once a minute per
    /// token, so a busy client does not turn every request into a write).
    pub async fn touch_token(&self, name: &str) -> Result<()> {
        sqlx::query("UPDATE mcp_tokens SET last_used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?1")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(|e| store_error("record the token's use", &e))?;
        Ok(())
    }

    /// Readies the tokens for an HTTP endpoint. An older home's plain token file becomes
    /// the token `default` (the same token keeps working; the plain copy is deleted).
    /// With no token at all, `default` is made (every scope, every exposed profile) and
    /// returned: shown once, then only its hash exists.
    pub async fn ensure_default_token(&self) -> Result<Option<Secret>> {
        let legacy = self.home().root().join(LEGACY_TOKEN_FILE);
        let default = || NewToken {
            name: DEFAULT_TOKEN_NAME.to_owned(),
            scopes: TokenScope::ALL.to_vec(),
            profiles: Vec::new(),
            expires_days: None,
            rate_per_sec: None,
            max_concurrent: None,
        };
        if let Ok(text) = std::fs::read_to_string(&legacy) {
            let token = text.trim();
            let exists = self.tokens().await?.iter().any(|t| t.name.eq_ignore_ascii_case(DEFAULT_TOKEN_NAME));
            if token.len() >= 32 && !exists {
                self.insert_token(&default(), token).await?;
            }
            std::fs::remove_file(&legacy).map_err(|e| {
                Error::internal(format!("cannot remove the plain token file {}: {e}", legacy.display()))
            })?;
            return Ok(None);
        }
        if !self.tokens().await?.is_empty() {
            return Ok(None);
        }
        let (_, secret) = self.add_token(&default()).await?;
        Ok(Some(secret))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Home;

    fn new(name: &str, scopes: Vec<TokenScope>, profiles: Vec<&str>) -> NewToken {
        NewToken {
            name: name.into(),
            scopes,
            profiles: profiles.into_iter().map(str::to_owned).collect(),
            expires_days: None,
            rate_per_sec: Some(5),
            max_concurrent: None,
        }
    }

    #[tokio::test]
    async fn a_token_is_found_by_itself_only_and_stops_working_when_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let unknown = store.add_token(&new("agent", vec![], vec!["pg"])).await.unwrap_err();
        assert_eq!(unknown.code, dbdock_core::ErrorCode::NotFound);
        let pg = crate::NewProfile::new("pg", dbdock_core::ConnectionTarget::sqlite_file("pg.db"));
        store.add_profile(pg).await.unwrap();
        let (info, secret) = store.add_token(&new("agent", vec![], vec!["pg"])).await.unwrap();
        assert_eq!(info.scopes, vec![TokenScope::Read]);
        assert_eq!((info.rate_per_sec, info.max_concurrent), (5, DEFAULT_TOKEN_CONCURRENCY));
        assert!(info.sees("PG") && !info.sees("other"));
        let (_, other) = store.add_token(&new("ci", vec![TokenScope::Metrics], vec![])).await.unwrap();
        assert_eq!(store.token_for(secret.expose()).await.unwrap().unwrap().name, "agent");
        assert_eq!(store.token_for(other.expose()).await.unwrap().unwrap().name, "ci");
        assert!(store.token_for(&secret.expose()[..secret.expose().len() - 1]).await.unwrap().is_none());
        assert!(store.token_for("").await.unwrap().is_none());
        let duplicate = store.add_token(&new("AGENT", vec![], vec![])).await.unwrap_err();
        assert_eq!(duplicate.code, dbdock_core::ErrorCode::InvalidInput);
        store.revoke_token("agent").await.unwrap();
        assert!(store.token_for(secret.expose()).await.unwrap().is_none());
        assert_eq!(store.revoke_token("agent").await.unwrap_err().code, dbdock_core::ErrorCode::NotFound);
        // Nothing in the store's files holds a token.
        store.close().await;
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(secret.expose()) && !text.contains(other.expose()));
        }
    }

    #[tokio::test]
    async fn the_plain_token_file_becomes_the_default_token() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let old = "ab".repeat(32);
        std::fs::write(dir.path().join(LEGACY_TOKEN_FILE), format!("{old}\n")).unwrap();
        assert!(store.ensure_default_token().await.unwrap().is_none());
        assert!(!dir.path().join(LEGACY_TOKEN_FILE).exists());
        let found = store.token_for(&old).await.unwrap().unwrap();
        assert_eq!((found.name.as_str(), found.scopes.len()), (DEFAULT_TOKEN_NAME, 3));
        // Tokens exist now: nothing new is made.
        assert!(store.ensure_default_token().await.unwrap().is_none());
        store.close().await;
    }

    #[tokio::test]
    async fn a_fresh_home_gets_a_default_token_once_and_expired_tokens_do_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Home::at(dir.path())).await.unwrap();
        let made = store.ensure_default_token().await.unwrap().unwrap();
        assert!(made.expose().starts_with("dbdock_") && made.expose().len() == 71);
        assert!(store.ensure_default_token().await.unwrap().is_none());
        let (_, secret) =
            store.add_token(&NewToken { expires_days: Some(1), ..new("day", vec![], vec![]) }).await.unwrap();
        assert!(store.token_for(secret.expose()).await.unwrap().is_some());
        sqlx::query("UPDATE mcp_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE name = 'day'")
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(store.token_for(secret.expose()).await.unwrap().is_none());
        store.close().await;
    }
}

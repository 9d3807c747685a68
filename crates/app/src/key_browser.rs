//! Browsing a key-value server's keys (Redis; docs/redis.md, "Key browser"): the faces
//! reach the engine's [`KeyBrowser`] through the open connection, and AI clients and
//! `dbdock schema` get the keyspace in brief, a sampled tree of prefixes, instead of tables.

use dbdock_core::{Error, KeyBrowser, KeySpace, PrefixQuery, Result};

use crate::OpenConnection;
use crate::schema_search::{SchemaMatch, SchemaSearch, SchemaSearchResult, glob_match, shown};

impl OpenConnection {
    /// The connection's keys, or why its engine has none to browse.
    pub fn key_browser(&self) -> Result<&dyn KeyBrowser> {
        self.live.database().keys().ok_or_else(|| {
            Error::unsupported(format!(
                "{} has no keys to browse; the key browser is for {}",
                self.profile.engine.spec().label,
                dbdock_core::Engine::labels_where(|c| c.key_browser)
            ))
        })
    }

    /// One level of the keyspace of the profile's database in brief: under `prefix` (empty
    /// for the top), each next prefix or key with counts and sampled types, from one
    /// bounded scan.
    pub async fn key_space(&self, prefix: &str, delimiter: &str) -> Result<KeySpace> {
        key_space(self.key_browser()?, prefix, delimiter).await
    }

    /// `search-objects` on a key-value server: prefixes and keys whose names match the
    /// pattern, at the level the pattern names (`user:` or `user:*` looks under `user:`).
    pub(crate) async fn search_keys(&self, search: &SchemaSearch, limit: usize) -> Result<SchemaSearchResult> {
        let delimiter = ":";
        let level = level_of(&search.pattern, delimiter);
        let space = self.key_space(level, delimiter).await?;
        let pattern = search.pattern.as_str();
        let found: Vec<SchemaMatch> = space
            .prefixes
            .iter()
            .filter(|p| pattern.is_empty() || pattern == level || glob_match(pattern, &p.prefix))
            .cloned()
            .map(SchemaMatch::KeyPrefix)
            .collect();
        let mut result = shown(found, limit, |objects| (Some(objects), None));
        let scope = if space.complete {
            format!("counts are exact ({} keys in database {})", space.total_keys, space.db)
        } else {
            format!(
                "counts are from a scan of {:.1}% of the {} keys in database {}; estimated_keys scales them up",
                space.covered * 100.0,
                space.total_keys,
                space.db
            )
        };
        let next = "a prefix's pattern (user:) lists the level under it; read keys with TYPE, HGETALL, LRANGE, … in \
                    execute-query";
        result.hint = Some(match result.hint.take() {
            Some(more) => format!("{more}; {scope}; {next}"),
            None => format!("{scope}; {next}"),
        });
        Ok(result)
    }
}

/// One level of the keyspace of the browser's default database in brief (see
/// [`OpenConnection::key_space`]), for a face holding the engine's connection itself.
pub async fn key_space(keys: &dyn KeyBrowser, prefix: &str, delimiter: &str) -> Result<KeySpace> {
    let query = PrefixQuery {
        db: keys.default_db(),
        prefix: prefix.to_owned(),
        delimiter: delimiter.to_owned(),
        ..PrefixQuery::default()
    };
    let (level, databases) = tokio::try_join!(keys.key_prefixes(&query), keys.databases())?;
    let databases = databases.into_iter().filter(|d| d.keys > 0 || d.index == query.db).collect();
    Ok(KeySpace::from_level(level, databases))
}

/// The level a search pattern looks at: everything up to its last delimiter before the
/// first wildcard (`user:1*` → `user:`; `user` → the top).
fn level_of<'a>(pattern: &'a str, delimiter: &str) -> &'a str {
    let literal = pattern.find(['*', '?', '[']).map_or(pattern, |i| &pattern[..i]);
    literal.rfind(delimiter).map_or("", |i| &pattern[..i + delimiter.len()])
}

#[cfg(test)]
mod tests {
    use super::level_of;

    #[test]
    fn patterns_name_their_level() {
        assert_eq!(level_of("", ":"), "");
        assert_eq!(level_of("user", ":"), "");
        assert_eq!(level_of("user:", ":"), "user:");
        assert_eq!(level_of("user:*", ":"), "user:");
        assert_eq!(level_of("cache:v2:*:x", ":"), "cache:v2:");
        assert_eq!(level_of("*:session", ":"), "");
    }
}

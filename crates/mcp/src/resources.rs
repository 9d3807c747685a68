//! The `database://` resources (as mcp-dbs names them): a connection's whole schema, its table list,
//! and one table. A table name is only ever matched against the catalog's names, never
//! put into SQL, so a name with quotes or semicolons is simply not found.

use dbdock_core::{Error, Profile, Result, percent_decode};
use rmcp::model::{Resource, ResourceTemplate};
use serde_json::json;

use crate::render::Rendered;
use dbdock_app::OpenConnection;

pub struct Address {
    pub connection_id: String,
    pub what: What,
}

pub enum What {
    Schema,
    Tables,
    Table(String),
}

pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("database://{connectionId}/schema", "schema")
            .with_description("Every table and view of a connection with columns, keys and indexes (JSON)")
            .with_mime_type("application/json"),
        ResourceTemplate::new("database://{connectionId}/tables", "tables")
            .with_description("The names and kinds of a connection's tables and views (JSON)")
            .with_mime_type("application/json"),
        ResourceTemplate::new("database://{connectionId}/tables/{tableName}", "table")
            .with_description("One table or view in full: columns, keys, indexes, foreign keys (JSON)")
            .with_mime_type("application/json"),
    ]
}

pub fn concrete(profiles: &[Profile]) -> Vec<Resource> {
    profiles
        .iter()
        .flat_map(|p| {
            [
                Resource::new(format!("database://{}/schema", p.name), format!("{} schema", p.name))
                    .with_description(format!("Schema of the {} connection '{}'", p.engine, p.name))
                    .with_mime_type("application/json"),
                Resource::new(format!("database://{}/tables", p.name), format!("{} tables", p.name))
                    .with_description(format!("Tables and views of the {} connection '{}'", p.engine, p.name))
                    .with_mime_type("application/json"),
            ]
        })
        .collect()
}

pub fn parse(uri: &str) -> Result<Address> {
    let bad = || {
        Error::invalid_input(format!(
            "'{uri}' is not a DB Dock resource: expected database://{{connectionId}}/schema, /tables or /tables/{{tableName}}"
        ))
    };
    let rest = uri.strip_prefix("database://").ok_or_else(bad)?;
    let (connection_id, path) = rest.split_once('/').ok_or_else(bad)?;
    let connection_id = percent_decode(connection_id).ok_or_else(bad)?;
    let what = match path {
        "schema" => What::Schema,
        "tables" => What::Tables,
        p => match p.strip_prefix("tables/") {
            Some(name) if !name.is_empty() => What::Table(percent_decode(name).ok_or_else(bad)?),
            _ => return Err(bad()),
        },
    };
    Ok(Address { connection_id, what })
}

/// A server whose "schema" is its topics and consumer groups (Kafka).
pub fn is_topic_server(profile: &Profile) -> bool {
    profile.engine.capabilities().consumer_groups
}

/// The schema of a topic server: brokers, topics with partitions and settings, groups;
/// `tables` lists the topics, `tables/NAME` is one topic.
pub fn read_topics(catalog: &dbdock_core::TopicCatalog, address: &Address) -> Result<Rendered> {
    Ok(match &address.what {
        What::Schema => Rendered::json(catalog),
        What::Tables => Rendered::json(&json!({
            "topics": catalog.topics.iter().map(|t| json!({ "name": t.name, "kind": "topic" })).collect::<Vec<_>>()
        })),
        What::Table(name) => {
            Rendered::json(catalog.topics.iter().find(|t| &t.name == name).ok_or_else(|| {
                Error::not_found(format!("no topic '{name}' on connection '{}'", address.connection_id))
            })?)
        }
    })
}

/// The schema of a key-value server (Redis): its keyspace in brief, a sampled tree of
/// prefixes; `tables` lists the top prefixes, `tables/PREFIX` the level under one.
async fn read_keys(open: &OpenConnection, address: &Address) -> Result<Rendered> {
    Ok(match &address.what {
        What::Schema => Rendered::json(&open.key_space("", ":").await?),
        What::Tables => {
            let space = open.key_space("", ":").await?;
            Rendered::json(&json!({
                "prefixes": space.prefixes.iter().map(|p| json!({
                    "name": p.prefix, "kind": if p.is_key { "key" } else { "prefix" }
                })).collect::<Vec<_>>()
            }))
        }
        What::Table(prefix) => Rendered::json(&open.key_space(prefix, ":").await?),
    })
}

pub async fn read(open: &OpenConnection, address: &Address) -> Result<Rendered> {
    let db = open.live.database();
    if db.keys().is_some() {
        return read_keys(open, address).await;
    }
    Ok(match &address.what {
        What::Schema => Rendered::json(&db.schema().await?),
        What::Tables => {
            let tables = db.list_tables().await?;
            Rendered::json(
                &json!({ "tables": tables.iter().map(|t| json!({ "name": t.to_string(), "kind": t.kind })).collect::<Vec<_>>() }),
            )
        }
        What::Table(name) => Rendered::json(&db.table_schema(name).await?),
    })
}

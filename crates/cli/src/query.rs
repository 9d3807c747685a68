//! `dbdock query` and `dbdock schema`: one statement or a schema from the shell.

use dbdock_core::{QueryOptions, Result};

use crate::args::{QueryArgs, SchemaArgs};
use crate::context::{cli_param, open, open_with, print, resolve};
use crate::render;

pub async fn query(args: QueryArgs) -> Result<()> {
    let db = open(&args.connection).await?;
    let params: Vec<serde_json::Value> = args.params.iter().map(|p| cli_param(p)).collect();
    let limits = QueryOptions { max_rows: Some(args.limit), read_only: args.read_only, ..QueryOptions::default() };
    let result = db.query(&args.query, &params, &limits).await;
    db.disconnect().await;
    print(&render::result(&result?, args.format, args.limit)?)
}

pub async fn schema(args: SchemaArgs) -> Result<()> {
    let (resolved, _) = resolve(&args.connection).await?;
    if resolved.target.engine().capabilities().consumer_groups {
        return crate::kafka::catalog(&args.connection, args.format).await;
    }
    if resolved.target.engine().capabilities().key_browser {
        return crate::keys::key_space(&args.connection, args.table.as_deref(), args.format).await;
    }
    let db = open_with(&args.connection, |options| options.schema_sample = args.sample).await?;
    let outcome = match &args.table {
        Some(name) => db.table_schema(name).await.map(|t| render::table(&t, args.format)),
        None => db.schema().await.map(|s| render::schema(&s, args.format)),
    };
    db.disconnect().await;
    print(&outcome??)
}

//! `dbdock query` and `dbdock schema`: one statement or a schema from the shell.

use dbdock_core::{Database, QueryOptions, Result};
use dbdock_engines::OpenOptions;

use crate::args::{Connection, QueryArgs, SchemaArgs};
use crate::context::{cli_param, open_store, print, resolve};
use crate::render;
use dbdock_app::Workspace;

pub(crate) async fn open(connection: &Connection) -> Result<Box<dyn Database>> {
    open_with(connection, |_| {}).await
}

/// Opens the connection with `adjust` applied to the options the profile (or defaults) give.
/// A profile is opened by the workspace (through its SSH tunnel, if it has one); a bare
/// URL has none, and is opened directly.
async fn open_with(connection: &Connection, adjust: impl FnOnce(&mut OpenOptions)) -> Result<Box<dyn Database>> {
    let (resolved, mut options) = resolve(connection).await?;
    adjust(&mut options);
    if connection.profile.is_none() {
        return dbdock_engines::open(resolved.target, options).await;
    }
    let workspace = Workspace::new(open_store().await?);
    let db = workspace.open_once(&resolved, options).await;
    workspace.close().await;
    db
}

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

//! The command-line surface (SPEC §8). Scripts and AI clients rely on it: keep it stable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "dbdock", version, about = "DB Dock: your database connections, from the shell and for AI assistants")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one statement and print its rows.
    Query(QueryArgs),
    /// Print the tables, views, columns, keys and indexes of a database (or of one table).
    Schema(SchemaArgs),
    /// Create the demo shop database (SQLite) if it is missing, and print its URL.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct Connection {
    /// Connection URL: postgres://user@host/db, mysql://…, mariadb://…, sqlite:path/to/file.db.
    /// A password in the URL is used and never printed.
    #[arg(long, value_name = "URL")]
    pub url: String,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// A value for the next placeholder ($1, ?, …); repeat in order. Bound by the server,
    /// never spliced into the statement. Integers, true, false and null mean themselves;
    /// quote as JSON ('"42"') to send text; anything else is text.
    #[arg(long = "param", value_name = "VALUE", allow_hyphen_values = true)]
    pub params: Vec<String>,
    /// Print at most N rows (one more is read to tell whether the result was cut).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,
    /// The statement to run.
    pub query: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Only this table or view (`name` or `schema.name`).
    pub table: Option<String>,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
    pub format: SchemaFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to create it (default: shop.db in the demo folder of the DB Dock home).
    pub path: Option<PathBuf>,
}

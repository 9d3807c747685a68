//! The command-line surface (README, "Using `dbdock`"). Scripts and AI clients rely on it: keep it stable.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use dbdock_mcp::install::Client;

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
    /// Print the tables, views, columns, keys and indexes of a database (or of one table);
    /// on Kafka, its brokers, topics and consumer groups; on Redis, its key prefixes with
    /// counts and types from a bounded scan (or the level under one prefix).
    Schema(SchemaArgs),
    /// Manage saved connection profiles (secrets live in the OS keyring).
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Serve the MCP endpoint to AI clients: stdio by default, or streamable HTTP on loopback.
    Mcp(McpArgs),
    /// Show the log of AI calls, newest first.
    Audit(AuditArgs),
    /// What AI clients did recently, from the audit log: calls by tool, connection and
    /// outcome, latency, rows and bytes, pending approvals (a running HTTP endpoint's live
    /// counters are at its /metrics).
    Stats(StatsArgs),
    /// Approve or deny the writes AI clients asked for on connections whose AI access is
    /// `ask`, and watch for new ones.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Create the demo shop database (SQLite) if it is missing, and print its URL.
    Demo(DemoArgs),
    /// Print live events (Redis pub/sub, keyspace and streams; NATS subjects, JetStream lag,
    /// KV; PostgreSQL NOTIFY; MongoDB change streams; Kafka topics and group lag) until
    /// --count or --timeout.
    Watch(WatchArgs),
    /// Find database and streaming servers to add as profiles: the default ports and unix
    /// sockets on this machine, ports you name, DATABASE_URL-style variables, and the .env
    /// and Compose files of a folder. Each is told by its handshake; only loopback and a
    /// host you type are contacted (docs/discovery.md).
    Discover(DiscoverArgs),
    /// The event log of the monitors (connected, reconnecting, errors, …).
    #[command(subcommand)]
    Events(EventsCommand),
    /// Back up and restore DB Dock's configuration: profiles, AI access, tokens' records,
    /// accepted SSH host keys; passwords too, sealed with a passphrase, on request.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Kafka consumer groups: their lag, and moving their committed offsets.
    #[command(subcommand)]
    Kafka(KafkaCommand),
    /// Redis keys: a page of keys from a SCAN (never KEYS), with their types.
    Keys(KeysArgs),
    /// One Redis key: its type, TTL, memory, encoding and length, and a page of its value.
    Key(KeyArgs),
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// A Redis glob (`user:*`); every key when left out.
    pub pattern: Option<String>,
    /// The logical database (default: the profile's).
    #[arg(long)]
    pub db: Option<u32>,
    /// Only keys of this type (string, hash, list, set, zset, stream, …).
    #[arg(long = "type", value_name = "TYPE")]
    pub key_type: Option<String>,
    /// About this many keys.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub count: u32,
    /// Go on from the cursor an earlier page printed.
    #[arg(long)]
    pub cursor: Option<String>,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
    pub format: SchemaFormat,
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(flatten)]
    pub connection: Connection,
    pub key: String,
    /// The logical database (default: the profile's).
    #[arg(long)]
    pub db: Option<u32>,
    /// Entries per page (a string's page is 64 KiB).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub count: u32,
    /// Go on from where an earlier page ended (the `next` it printed).
    #[arg(long)]
    pub cursor: Option<String>,
    /// Lists and sorted sets from the end, streams newest first.
    #[arg(long)]
    pub reverse: bool,
    /// Sorted sets: by score between MIN and MAX (Redis syntax: -inf, (5, +inf) instead of by rank.
    #[arg(long, num_args = 2, value_names = ["MIN", "MAX"], allow_hyphen_values = true)]
    pub score: Option<Vec<String>>,
    /// Hashes and sets: only fields or members matching this glob.
    #[arg(long = "match", value_name = "GLOB")]
    pub pattern: Option<String>,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
    pub format: SchemaFormat,
}

#[derive(Debug, Subcommand)]
pub enum KafkaCommand {
    /// A consumer group's lag per partition and in total, from its committed offsets and
    /// the partitions' end offsets; its members where the broker describes groups.
    Lag {
        #[command(flatten)]
        connection: Connection,
        group: String,
        /// Only this topic (default: every topic the group committed on).
        #[arg(long)]
        topic: Option<String>,
        #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
        format: SchemaFormat,
    },
    /// Move a group's committed offsets on a topic: shows old and new offsets and the lag
    /// before and after, then commits them (only the preview with --dry-run). Refused while
    /// the group has active members.
    ResetOffsets {
        #[command(flatten)]
        connection: Connection,
        group: String,
        topic: String,
        /// earliest, latest, an offset, or a time (RFC 3339, e.g. 2026-12-07T10:00:00Z).
        #[arg(long, value_name = "earliest|latest|OFFSET|TIME")]
        to: String,
        /// Only this partition (default: every partition of the topic).
        #[arg(long)]
        partition: Option<i32>,
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
        format: SchemaFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a backup to FILE. Without --include-secrets it holds no secret; with it, the
    /// passwords come along and the whole file is sealed with the passphrase read from
    /// stdin (Argon2id + XChaCha20-Poly1305).
    Backup {
        file: PathBuf,
        #[arg(long, requires = "passphrase_stdin")]
        include_secrets: bool,
        /// Read the passphrase from standard input.
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// Restore a backup: shows what is added, changed and kept, then applies it in one
    /// transaction (only the preview with --dry-run). A sealed backup needs its passphrase.
    Restore {
        file: PathBuf,
        #[arg(long)]
        passphrase_stdin: bool,
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
        format: SchemaFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Write the event log, oldest first, as JSON Lines or CSV to FILE (or stdout), read
    /// row by row so any size exports in constant memory.
    Export(EventsExportArgs),
}

#[derive(Debug, Args)]
pub struct EventsExportArgs {
    /// Where to write (replaced only once the export is whole); stdout without it.
    pub file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExportFormatArg::Jsonl)]
    pub format: ExportFormatArg,
    /// Only this monitor (its id or its target, e.g. channel:orders).
    #[arg(long, value_name = "ID|TARGET")]
    pub monitor: Option<String>,
    /// Only this profile's monitors.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// From this time on, UTC: 2026-12-07, 2026-12-07T10:30, or a span back from now (30m, 2h, 7d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// This severity and worse.
    #[arg(long, value_enum)]
    pub severity: Option<SeverityArg>,
    /// Only events whose message or target contains TEXT (any case).
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Info,
    Warning,
    Error,
    Critical,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// Scan these ports too: `5000-5010,6380` (at most 1024).
    #[arg(long, value_name = "PORTS", value_parser = parse_ports)]
    pub ports: Option<PortList>,
    /// The host the --ports are scanned on (default 127.0.0.1).
    #[arg(long, value_name = "HOST", requires = "ports")]
    pub host: Option<String>,
    /// Read the .env and Compose files of this folder.
    #[arg(long, value_name = "FOLDER")]
    pub dir: Option<PathBuf>,
    /// Skip the default ports and unix sockets.
    #[arg(long)]
    pub no_defaults: bool,
    /// Skip DB Dock's own environment variables.
    #[arg(long)]
    pub no_env: bool,
    /// Add the findings with these suggested names as profiles (AI access read-only).
    #[arg(long = "add", value_name = "NAME")]
    pub add: Vec<String>,
    /// Add every finding that has a URL and no saved profile yet.
    #[arg(long, conflicts_with = "add")]
    pub add_all: bool,
    /// When adding, also save the passwords the .env or Compose files and variables hold
    /// to the OS keyring. Without it, profiles are added without them.
    #[arg(long)]
    pub save_secrets: bool,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
    pub format: SchemaFormat,
}

/// The ports of one `--ports` (a newtype: clap would read a `Vec` as repeated values).
#[derive(Debug, Clone)]
pub struct PortList(pub Vec<u16>);

/// `5000-5010,6380` as a list of ports.
fn parse_ports(text: &str) -> Result<PortList, String> {
    match dbdock_app::parse_ports(text) {
        Ok(ports) if ports.is_empty() => Err("no port given".into()),
        Ok(ports) => Ok(PortList(ports)),
        Err(e) => Err(e.message),
    }
}

#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// The requests waiting for a decision (with --all, recent ones in every state).
    List {
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
        format: SchemaFormat,
    },
    /// One request in full: the statement, its parameters and the dry-run preview.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
        format: SchemaFormat,
    },
    /// Let request ID run (once, exactly as shown).
    Approve { id: i64 },
    /// Refuse request ID; the AI client gets the reason.
    Deny {
        id: i64,
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Print new requests as they arrive, until interrupted. While it runs, AI clients'
    /// writes wait for a decision here even when the app is closed.
    Watch {
        /// table: one block per request for people; json: one JSON object per line.
        #[arg(long, value_enum, default_value_t = WatchFormat::Table)]
        format: WatchFormat,
    },
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// What to watch: channel:NAME, pattern:GLOB, keyspace:GLOB, stream:KEY (Redis);
    /// subject:SUBJECT[@QUEUE], lag:STREAM/CONSUMER, kv:BUCKET[/KEY] (NATS); notify:CHANNEL
    /// (PostgreSQL); changes:COLLECTION or changes:* (MongoDB).
    pub target: String,
    /// Exit after this many messages.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Exit after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// table: one line per event for people; json: one JSON object per line on stdout
    /// (lifecycle events go to stderr either way).
    #[arg(long, value_enum, default_value_t = WatchFormat::Table)]
    pub format: WatchFormat,
    /// Events kept while the terminal catches up; past it the oldest are dropped and counted.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub buffer: usize,
    /// Redis keyspace: turn on the server's keyspace notifications (CONFIG SET
    /// notify-keyspace-events KEA) if they are off. Changes the server for every client.
    #[arg(long)]
    pub enable_keyspace_events: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WatchFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct McpArgs {
    #[command(subcommand)]
    pub command: Option<McpCommand>,
    /// Serve streamable HTTP on this loopback address (e.g. 127.0.0.1:8765) instead of stdio.
    #[arg(long, value_name = "ADDR:PORT")]
    pub http: Option<std::net::SocketAddr>,
    /// Expose only this profile; repeat for more (default: every profile whose AI access is not none).
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
    /// Let connect-database open URLs that are not saved profiles (read-only).
    #[arg(long)]
    pub allow_adhoc: bool,
    /// Export each tool call as an OpenTelemetry span to this OTLP/HTTP collector (its base
    /// URL, e.g. http://127.0.0.1:4318; spans go to URL/v1/traces). Off unless given.
    #[arg(long, value_name = "URL", env = "DBDOCK_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// Put each call's statement text on its span (`db.statement`; never its parameters).
    #[arg(long, requires = "otlp_endpoint")]
    pub otlp_statements: bool,
}

#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Add DB Dock to an AI client's MCP configuration (no secrets are written).
    Install(InstallArgs),
    /// Remove DB Dock from an AI client's MCP configuration.
    Uninstall(UninstallArgs),
    /// Named bearer tokens of the HTTP endpoint: each sees only its profiles, reads
    /// unless scoped write, and has its own rate limit.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token; it is printed once, and only its salted hash is kept.
    Add(TokenAddArgs),
    /// The tokens: name, scopes, profiles, limits, created, last used, expiry (never the token).
    List {
        #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
        format: SchemaFormat,
    },
    /// Delete a token; a running endpoint refuses it from its next request on.
    Revoke { name: String },
}

#[derive(Debug, Args)]
pub struct TokenAddArgs {
    /// Letters, digits, '-', '_' or '.'.
    pub name: String,
    /// The token sees only this profile; repeat for more (default: every exposed profile).
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
    /// What it may do besides reading: write (where the profile's AI access allows) and
    /// metrics (GET /metrics); repeat for both.
    #[arg(long = "scope", value_enum)]
    pub scopes: Vec<ScopeArg>,
    /// Stop working after this many days.
    #[arg(long, value_name = "DAYS")]
    pub expires: Option<u32>,
    /// Requests per second (default 50).
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,
    /// Requests in flight at once (default 16).
    #[arg(long, value_name = "N")]
    pub concurrent: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    Read,
    Write,
    Metrics,
}

impl From<ScopeArg> for dbdock_core::TokenScope {
    fn from(scope: ScopeArg) -> Self {
        match scope {
            ScopeArg::Read => dbdock_core::TokenScope::Read,
            ScopeArg::Write => dbdock_core::TokenScope::Write,
            ScopeArg::Metrics => dbdock_core::TokenScope::Metrics,
        }
    }
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The window: calls that started in the last N minutes.
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub minutes: u32,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
    pub format: SchemaFormat,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    #[arg(long, value_parser = client_arg())]
    pub client: Client,
    /// Expose only this profile; repeat for more (default: all with AI access).
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
    /// One server entry per profile (dbdock-NAME) instead of one for all.
    #[arg(long)]
    pub per_profile: bool,
    /// Show the change as a diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    #[arg(long, value_parser = client_arg())]
    pub client: Client,
    /// Show the change as a diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `dbdock audit` lists the log; `verify` and `prune` act on it (docs/safety.md,
/// "Tamper-evident audit log").
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
    pub format: SchemaFormat,
    /// How many entries, newest first.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: u32,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no row was changed, removed or inserted since DB Dock wrote it: prints
    /// `intact: N rows` and the chain's head hash (keep it: it shows later whether rows were
    /// removed from the end), or the first broken row and exits with 1.
    Verify {
        #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
        format: SchemaFormat,
    },
    /// Delete the rows older than N days from the old end of the log; the rows kept still
    /// verify. The MCP endpoint does this when it starts, with DBDOCK_AUDIT_KEEP_DAYS (default 90).
    Prune {
        #[arg(long, value_name = "N", default_value_t = dbdock_store::DEFAULT_AUDIT_KEEP_DAYS,
              value_parser = clap::value_parser!(u32).range(1..=36_500))]
        keep_days: u32,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Connection {
    /// A saved profile (see `dbdock profile list`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Connection URL: postgres://user@host/db, mysql://…, mariadb://…, sqlite:path/to/file.db.
    /// A password in the URL is used and never printed.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Save a connection. A password in the URL (or on stdin) goes to the OS keyring.
    Add(Box<ProfileAddArgs>),
    /// List saved profiles and those defined by MCP_* environment variables.
    List(ListArgs),
    /// Show one profile.
    Show(ShowArgs),
    /// Connect with profiles afresh and report latency and server version: one profile in
    /// detail, or several (names, --all, --tag) in parallel, each line as it ends.
    Test(SelectArgs),
    /// Delete profiles and their keyring entries (more than one only with --yes).
    Rm(RemoveArgs),
    /// Set what AI clients may do with one or several profiles.
    SetAccess(SetAccessArgs),
    /// The changes made to profiles (who, when, what changed; never a secret), newest first.
    History(HistoryArgs),
    /// Undo the newest change not undone yet, or change ID from `profile history`: the
    /// profile and its secrets are put back as they were, if nothing changed it since.
    Undo { id: Option<i64> },
    /// Give AI clients a login of their own that can only read (docs/safety.md, "least
    /// privilege"): --create makes one on the server (statements shown first, run only
    /// with --yes), --set attaches an existing one, --remove forgets it.
    AiLogin(AiLoginArgs),
    /// Write every saved profile as JSON, without secrets (to FILE or stdout).
    Export(ExportArgs),
    /// Merge profiles from an export file; existing names are kept and reported.
    Import(ImportArgs),
    /// Accept the unknown host key of a profile's SSH jump host, after checking its
    /// fingerprint with the host's administrator (`ssh-keygen -lf` on the host). It is
    /// written to DB Dock's own known_hosts file; a changed key is never accepted here.
    TrustHost(TrustHostArgs),
}

/// Which saved profiles a command takes: names, every one, or those with a tag.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["names", "all", "tag"])))]
pub struct SelectArgs {
    pub names: Vec<String>,
    /// Every saved profile.
    #[arg(long, conflicts_with_all = ["names", "tag"])]
    pub all: bool,
    /// The profiles with this tag (see profile add --tag).
    #[arg(long, value_name = "TAG", conflicts_with = "names")]
    pub tag: Option<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this profile (by its name now or a former one).
    pub name: Option<String>,
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
    pub format: SchemaFormat,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Confirm deleting more than one profile at once.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct SetAccessArgs {
    #[arg(value_enum)]
    pub level: AccessArg,
    #[command(flatten)]
    pub select: SelectArgs,
}

#[derive(Debug, Args)]
pub struct TrustHostArgs {
    pub name: String,
    /// The key's fingerprint, as the refusal printed it (SHA256:…).
    #[arg(long, value_name = "SHA256:…")]
    pub fingerprint: String,
}

#[derive(Debug, Args)]
pub struct ProfileAddArgs {
    pub name: String,
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// Read the password from standard input instead of the URL.
    #[arg(long)]
    pub password_stdin: bool,
    /// A tag to select it by in bulk (--tag on test, rm, set-access); repeat for more.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// What AI clients may do with it.
    #[arg(long, value_name = "LEVEL", value_enum, default_value_t = AccessArg::ReadOnly)]
    pub access: AccessArg,
    /// Statement timeout in seconds, enforced by the server.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// With --access ask: how long an AI client's write waits for your decision (default 120).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub approval_wait: Option<u64>,
    /// Most rows an AI client gets per result.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_rows: Option<u64>,
    /// Most bytes an AI client gets per result.
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_bytes: Option<u64>,
    #[command(flatten)]
    pub network: NetworkArgs,
}

/// How the server is reached: SSH jump hosts and TLS (docs/network.md).
#[derive(Debug, Args, Default)]
pub struct NetworkArgs {
    /// An SSH jump host, ssh://user@host:port; give it twice for a chain (outermost
    /// first). Logs in with the SSH agent unless --ssh-key or --ssh-password-stdin.
    #[arg(long = "ssh", value_name = "URL")]
    pub ssh: Vec<String>,
    /// The private key file to log in to the jump host(s) with.
    #[arg(long, value_name = "PATH", requires = "ssh")]
    pub ssh_key: Option<String>,
    /// Read the key's passphrase from standard input (after the database password, on
    /// the next line, when --password-stdin is given too).
    #[arg(long, requires = "ssh_key", conflicts_with = "ssh_password_stdin")]
    pub ssh_passphrase_stdin: bool,
    /// Log in to the jump host(s) with a password read from standard input (after the
    /// database password, on the next line, when --password-stdin is given too).
    #[arg(long, requires = "ssh", conflicts_with = "ssh_key")]
    pub ssh_password_stdin: bool,
    /// TLS mode: disable, prefer, require, verify-ca or verify-full (verify-full when a
    /// CA is given).
    #[arg(long, value_name = "MODE")]
    pub tls_mode: Option<String>,
    /// The CA certificate(s) the server's certificate must chain to (PEM).
    #[arg(long, value_name = "PATH")]
    pub tls_ca: Option<String>,
    /// A client certificate (PEM), for servers that log in by certificate.
    #[arg(long, value_name = "PATH", requires = "tls_key")]
    pub tls_cert: Option<String>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    pub tls_key: Option<String>,
    /// The host name the server's certificate must carry, when it is not the URL's.
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["create", "set", "remove"])))]
pub struct AiLoginArgs {
    pub name: String,
    /// Create a read-only login with a generated password (PostgreSQL, MySQL/MariaDB; for
    /// SQL Server and MongoDB the statements are shown for you to run) and make it the
    /// profile's AI login. The password goes straight to the OS keyring.
    #[arg(long)]
    pub create: bool,
    /// Attach an existing login: its user name with --user, its password on stdin.
    #[arg(long, requires = "user")]
    pub set: bool,
    /// Forget the profile's AI login: AI clients use the profile's own login again.
    #[arg(long)]
    pub remove: bool,
    /// The login's user name (default with --create: dbdock_ai_<profile>).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Run the statements. Without it they are only shown and nothing changes.
    #[arg(long)]
    pub yes: bool,
    /// With --remove: also drop the login on the server (PostgreSQL, MySQL/MariaDB).
    #[arg(long, requires = "remove")]
    pub drop: bool,
}

#[derive(Debug, Args)]
pub struct NameArg {
    pub name: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
    pub format: SchemaFormat,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub name: String,
    #[arg(long, value_enum, default_value_t = SchemaFormat::Table)]
    pub format: SchemaFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub file: PathBuf,
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
    /// Run it as an AI client's read would: in the engine's read-only mode (a read-only
    /// transaction; on Redis only the read commands), so a write is refused.
    #[arg(long)]
    pub read_only: bool,
    /// The statement to run (on Redis, one command quoted as for redis-cli).
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
    /// MongoDB: how many documents to sample per collection to infer its fields.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub sample: u32,
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

/// `--access`: what AI clients may do with a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccessArg {
    None,
    ReadOnly,
    ReadWrite,
    Ask,
}

impl From<AccessArg> for dbdock_core::Access {
    fn from(arg: AccessArg) -> Self {
        match arg {
            AccessArg::None => dbdock_core::Access::None,
            AccessArg::ReadOnly => dbdock_core::Access::ReadOnly,
            AccessArg::ReadWrite => dbdock_core::Access::ReadWrite,
            AccessArg::Ask => dbdock_core::Access::Ask,
        }
    }
}

/// `--client`: the AI client whose configuration is written, by the names
/// [`Client::NAMES`] gives (so `--help` lists every client DB Dock can write).
fn client_arg() -> impl TypedValueParser<Value = Client> {
    PossibleValuesParser::new(Client::NAMES).try_map(|name: String| Client::parse(&name))
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;
    use clap::builder::TypedValueParser;

    use super::AccessArg;

    /// The flags' spellings are the names the rest of DB Dock uses for the same things.
    #[test]
    fn flag_values_are_the_names_used_everywhere() {
        for arg in AccessArg::value_variants() {
            let name = arg.to_possible_value().map(|v| v.get_name().to_owned());
            let access: dbdock_core::Access = (*arg).into();
            assert_eq!(name, Some(access.to_string()));
        }
        // Every client DB Dock can write is offered, by its own name.
        let parser = super::client_arg();
        let offered: Vec<String> =
            parser.possible_values().into_iter().flatten().map(|v| v.get_name().to_owned()).collect();
        assert_eq!(offered, dbdock_mcp::install::Client::NAMES);
    }
}

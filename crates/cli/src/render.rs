//! Rendering results for people (`table`) and for scripts (`json`, `csv`): pure
//! functions from values to text. Printing is the commands' business (`context::print`).

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use dbdock_core::{AuditOutcome, Error, QueryResult, Result, SchemaInfo, TableInfo};

use crate::args::{QueryFormat, SchemaFormat};

/// The text `write` produces (writing to memory cannot fail; the error is kept for the
/// writers' signatures).
pub(crate) fn text(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<String> {
    let mut buffer = Vec::new();
    write(&mut buffer).map_err(|e| Error::internal(format!("cannot render output: {e}")))?;
    String::from_utf8(buffer).map_err(|e| Error::internal(format!("rendered output is not UTF-8: {e}")))
}

pub(crate) fn json_line(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value)
        .map(|line| line + "\n")
        .map_err(|e| Error::internal(format!("cannot encode JSON: {e}")))
}

pub fn result(result: &QueryResult, format: QueryFormat, limit: usize) -> Result<String> {
    match format {
        QueryFormat::Json => json_line(result),
        QueryFormat::Csv => text(|out| result.write_csv(out)),
        QueryFormat::Table => text(|out| {
            result_table(out, result, limit)?;
            // The later result sets of one statement (a SQL Server batch, a procedure's
            // sets, a Redis SCAN's next cursor), each under its own table.
            for set in &result.more {
                writeln!(out)?;
                result_table(out, set, limit)?;
            }
            Ok(())
        }),
    }
}

fn result_table(out: &mut dyn std::io::Write, result: &QueryResult, limit: usize) -> std::io::Result<()> {
    let mut table = new_table();
    table.set_header(result.columns.iter().map(|c| c.name.as_str()));
    for row in &result.rows {
        table.add_row(row.iter().map(|v| v.display_text().unwrap_or_else(|| "NULL".into())));
    }
    let rows = match result.row_count {
        1 => "1 row".to_owned(),
        n => format!("{n} rows"),
    };
    let more = if result.truncated { format!(", more not shown (--limit {limit})") } else { String::new() };
    if !result.columns.is_empty() {
        writeln!(out, "{table}")?;
    }
    writeln!(out, "({rows}{more}; {:.1} ms)", result.elapsed_ms)
}

pub(crate) fn new_table() -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    table
}

pub fn schema(schema: &SchemaInfo, format: SchemaFormat) -> Result<String> {
    match format {
        SchemaFormat::Json => json_line(schema),
        SchemaFormat::Table => {
            let mut table = new_table();
            table.set_header(["table", "kind", "columns", "primary key", "rows (est.)"]);
            for t in &schema.tables {
                table.add_row([
                    t.table_ref().to_string(),
                    t.kind.as_str().to_owned(),
                    t.columns.len().to_string(),
                    t.primary_key.join(", "),
                    t.estimated_rows.map(|n| n.to_string()).unwrap_or_default(),
                ]);
            }
            text(|out| {
                writeln!(out, "database {}", schema.database)?;
                writeln!(out, "{table}")?;
                writeln!(out, "({} tables and views)", schema.tables.len())
            })
        }
    }
}

pub fn table(info: &TableInfo, format: SchemaFormat) -> Result<String> {
    match format {
        SchemaFormat::Json => json_line(info),
        SchemaFormat::Table => {
            let mut columns = new_table();
            // Column comments (and MongoDB's inferred type shares) get a column only when
            // some column has one.
            let notes = info.columns.iter().any(|c| c.comment.is_some());
            let mut header = vec!["column", "type", "nullable", "key", "default"];
            if notes {
                header.push("notes");
            }
            columns.set_header(header);
            for c in &info.columns {
                let mut row = vec![
                    c.name.clone(),
                    c.type_name.clone(),
                    if c.nullable { "yes" } else { "no" }.to_owned(),
                    if c.primary_key { "PK" } else { "" }.to_owned(),
                    c.default.clone().unwrap_or_default(),
                ];
                if notes {
                    row.push(c.comment.clone().unwrap_or_default());
                }
                columns.add_row(row);
            }
            text(|out| {
                writeln!(out, "{} {}", info.kind.as_str(), info.table_ref())?;
                if let Some(comment) = &info.comment {
                    writeln!(out, "  {comment}")?;
                }
                writeln!(out, "{columns}")?;
                for index in &info.indexes {
                    let unique = if index.primary {
                        "primary key"
                    } else if index.unique {
                        "unique index"
                    } else {
                        "index"
                    };
                    writeln!(out, "{unique} {} ({})", index.name, index.columns.join(", "))?;
                }
                for fk in &info.foreign_keys {
                    let target = match &fk.referenced_schema {
                        Some(s) => format!("{s}.{}", fk.referenced_table),
                        None => fk.referenced_table.clone(),
                    };
                    writeln!(
                        out,
                        "foreign key {}({}) -> {target}({}){}",
                        fk.name.as_deref().unwrap_or(""),
                        fk.columns.join(", "),
                        fk.referenced_columns.join(", "),
                        fk.on_delete.as_deref().map(|a| format!(" on delete {a}")).unwrap_or_default()
                    )?;
                }
                Ok(())
            })
        }
    }
}

pub fn profiles(profiles: &[dbdock_core::Profile], format: SchemaFormat, secrets: &[String]) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(&profiles);
    }
    let mut table = new_table();
    table.set_header(["name", "engine", "url", "AI access", "secret", "source"]);
    for (p, secret) in profiles.iter().zip(secrets) {
        table.add_row([
            p.name.clone(),
            p.engine.to_string(),
            p.url.clone(),
            p.access.to_string(),
            secret.clone(),
            p.source.as_str().to_owned(),
        ]);
    }
    text(|out| {
        if profiles.is_empty() {
            writeln!(out, "no profiles yet: add one with dbdock profile add NAME --url URL")
        } else {
            writeln!(out, "{table}")
        }
    })
}

pub fn profile(p: &dbdock_core::Profile, format: SchemaFormat, secret: &str) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(p);
    }
    let limit = |n: Option<u64>, unit: &str| n.map_or_else(|| "default".to_owned(), |n| format!("{n}{unit}"));
    let lines = [
        ("name", p.name.clone()),
        ("engine", p.engine.to_string()),
        ("url", p.url.clone()),
        ("secret", secret.to_owned()),
        ("AI access", p.access.to_string()),
        ("AI login", p.ai_login.clone().unwrap_or_else(|| "(the profile's own)".to_owned())),
        ("max rows", limit(p.max_rows, "")),
        ("max bytes", limit(p.max_bytes, "")),
        ("timeout", limit(p.timeout_secs, " s")),
        ("approval wait", limit(p.approval_wait_secs, " s")),
        ("ssh", if p.ssh.is_empty() { "(direct)".to_owned() } else { ssh_chain(&p.ssh) }),
        ("tls", if p.tls.is_empty() { "(as the URL says)".to_owned() } else { p.tls.summary() }),
        ("source", p.source.as_str().to_owned()),
        ("id", p.id.clone()),
    ];
    text(|out| {
        for (key, value) in lines {
            writeln!(out, "{key:>13}: {value}")?;
        }
        Ok(())
    })
}

/// `ssh://deploy@bastion:22 (key /home/me/.ssh/id_ed25519) -> ssh://…`, never a secret.
fn ssh_chain(hops: &[dbdock_core::SshHop]) -> String {
    hops.iter().map(|h| format!("{h} ({})", h.auth.label())).collect::<Vec<_>>().join(" -> ")
}

pub fn import_report(report: &dbdock_store::ImportReport) -> Result<String> {
    text(|out| {
        writeln!(
            out,
            "imported: {} added, {} unchanged, {} conflicts",
            report.added.len(),
            report.unchanged.len(),
            report.conflicts.len()
        )?;
        for name in &report.conflicts {
            writeln!(out, "conflict: {name} exists here with other settings; kept the existing one")?;
        }
        for name in &report.needs_secret {
            writeln!(
                out,
                "needs a password: {name} (add it again with its password, or set {})",
                dbdock_core::secret_env_var(name)
            )?;
        }
        Ok(())
    })
}

/// The audit log; a call that needed the user's approval shows its request and how it
/// ended (`approval` in JSON).
pub fn audit(
    entries: &[dbdock_store::AuditEntry],
    approvals: &[dbdock_store::Approval],
    format: SchemaFormat,
) -> Result<String> {
    let approval_of = |e: &dbdock_store::AuditEntry| {
        approvals.iter().find(|a| a.audit_id == Some(e.id)).map(|a| {
            let route = a.route.map(|r| format!(" in {}", r.as_str())).unwrap_or_default();
            format!("request {} {}{route}", a.id, a.state.as_str())
        })
    };
    if format == SchemaFormat::Json {
        let rows: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                let mut row = serde_json::to_value(e).unwrap_or_default();
                row["approval"] = approval_of(e).into();
                row
            })
            .collect();
        return json_line(&rows);
    }
    let mut table = new_table();
    table.set_header(["time", "client", "tool", "connection", "outcome", "rows", "ms", "statement"]);
    for e in entries {
        let mut outcome = match &e.error_code {
            Some(code) => format!("{} {code}", e.outcome.as_str()),
            None => e.outcome.as_str().to_owned(),
        };
        if let Some(approval) = approval_of(e) {
            outcome = format!("{outcome} ({approval})");
        }
        let statement: String = e.statement.as_deref().unwrap_or("").chars().take(60).collect();
        table.add_row([
            e.at.clone(),
            e.client.clone().unwrap_or_default(),
            e.tool.clone(),
            e.profile.clone().unwrap_or_default(),
            outcome,
            e.rows.map(|r| r.to_string()).unwrap_or_default(),
            // A row still `running` (or `interrupted`) has no duration yet.
            if matches!(e.outcome, AuditOutcome::Ok | AuditOutcome::Error) {
                format!("{:.1}", e.duration_ms)
            } else {
                String::new()
            },
            statement,
        ]);
    }
    text(|out| if entries.is_empty() { writeln!(out, "no AI calls recorded yet") } else { writeln!(out, "{table}") })
}

pub fn approvals(approvals: &[dbdock_store::Approval], format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(&approvals);
    }
    let mut table = new_table();
    table.set_header(["id", "asked", "client", "connection", "state", "preview", "statement"]);
    for a in approvals {
        table.add_row([
            a.id.to_string(),
            a.created_at.clone(),
            a.client.clone().unwrap_or_default(),
            a.profile.clone(),
            a.state.as_str().to_owned(),
            a.preview.summary(),
            a.statement.chars().take(60).collect(),
        ]);
    }
    text(|out| if approvals.is_empty() { writeln!(out, "no approval requests") } else { writeln!(out, "{table}") })
}

/// One request in full: what would run, with what, and what its dry run showed.
pub fn approval(a: &dbdock_store::Approval, format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(a);
    }
    text(|out| {
        writeln!(
            out,
            "request {}  {}  ({} on '{}', asked {})",
            a.id,
            a.state.as_str(),
            a.tool,
            a.profile,
            a.created_at
        )?;
        if let Some(client) = &a.client {
            writeln!(out, "client: {client}")?;
        }
        writeln!(out, "\n{}\n", a.statement)?;
        if a.params.as_array().is_none_or(|p| !p.is_empty()) {
            writeln!(out, "parameters: {}", a.params)?;
        }
        writeln!(out, "preview: {}", a.preview.summary())?;
        if let Some(note) = a.preview.note.as_deref().filter(|_| a.preview.error.is_none()) {
            writeln!(out, "  {note}")?;
        }
        if let Some(changes) = &a.preview.changes {
            for (label, rows) in [("before", &changes.before), ("after", &changes.after)] {
                if rows.is_empty() {
                    continue;
                }
                let mut table = new_table();
                table.set_header(changes.columns.iter().map(String::as_str));
                for row in rows {
                    table.add_row(row.iter().map(|v| v.as_deref().unwrap_or("NULL")));
                }
                writeln!(out, "{label}:\n{table}")?;
            }
            if changes.more {
                writeln!(out, "(more rows than shown)")?;
            }
        }
        if let Some(route) = a.route {
            let reason = a.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
            writeln!(out, "decided in {} at {}{reason}", route.as_str(), a.decided_at.as_deref().unwrap_or("?"))?;
        }
        if let Some(result) = &a.result {
            writeln!(out, "result: {result}")?;
        }
        if a.state == dbdock_core::ApprovalState::Pending {
            writeln!(
                out,
                "\ndecide: dbdock approvals approve {0}   |   dbdock approvals deny {0} --reason TEXT",
                a.id
            )?;
        }
        Ok(())
    })
}

/// A request as `approvals watch` prints it when it arrives.
pub fn approval_event(a: &dbdock_store::Approval, format: crate::args::WatchFormat) -> Result<String> {
    match format {
        crate::args::WatchFormat::Json => json_line(a),
        crate::args::WatchFormat::Table => approval(a, SchemaFormat::Table),
    }
}

pub fn config_change(change: &dbdock_mcp::install::ConfigChange) -> Result<String> {
    text(|out| {
        let file = change.path.display();
        let client = change.client.as_str();
        match (change.changed, change.dry_run) {
            (false, _) => writeln!(out, "{client}: {file} already says this; nothing to change")?,
            (true, true) => {
                write!(out, "{}", change.diff)?;
                writeln!(out, "{client}: dry run, {file} was not changed")?;
            }
            (true, false) => {
                writeln!(out, "{client}: updated {file} ({})", change.entries.join(", "))?;
                if let Some(backup) = &change.backup {
                    writeln!(out, "previous file kept as {}", backup.display())?;
                }
                if change.client == dbdock_mcp::install::Client::ClaudeDesktop {
                    writeln!(out, "restart Claude Desktop to load it")?;
                }
            }
        }
        Ok(())
    })
}

/// The line `token add` writes to stderr (the token itself goes alone to stdout).
pub fn token_made(t: &dbdock_core::TokenInfo) -> String {
    let profiles = if t.profiles.is_empty() { "every exposed profile".to_owned() } else { t.profiles.join(", ") };
    let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
    let expiry = t.expires_at.as_deref().map(|at| format!(", expires {at}")).unwrap_or_default();
    format!(
        "token '{}' ({}; {profiles}; {} requests/s, {} at once{expiry}). It is shown once, below; DB Dock keeps only \
         its hash. Send it as Authorization: Bearer <token>.",
        t.name,
        scopes.join(", "),
        t.rate_per_sec,
        t.max_concurrent
    )
}

pub fn tokens(tokens: &[dbdock_core::TokenInfo], format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(&tokens);
    }
    let mut table = new_table();
    table.set_header(["name", "scopes", "profiles", "limits", "created", "last used", "expires"]);
    for t in tokens {
        let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
        table.add_row([
            t.name.clone(),
            scopes.join(", "),
            if t.profiles.is_empty() { "all".to_owned() } else { t.profiles.join(", ") },
            format!("{}/s, {} at once", t.rate_per_sec, t.max_concurrent),
            t.created_at.clone(),
            t.last_used_at.clone().unwrap_or_else(|| "never".to_owned()),
            t.expires_at.clone().unwrap_or_else(|| "never".to_owned()),
        ]);
    }
    text(|out| {
        if tokens.is_empty() {
            writeln!(out, "no tokens; `dbdock mcp token add NAME` makes one (and `dbdock mcp --http` a default one)")
        } else {
            writeln!(out, "{table}")
        }
    })
}

pub fn stats(s: &dbdock_core::AiStats, format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(s);
    }
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1} ms"));
    let mut table = new_table();
    table.set_header(["tool", "connection", "outcome", "calls", "rows", "bytes"]);
    for c in &s.by_call {
        table.add_row([
            c.tool.clone(),
            c.connection.clone().unwrap_or_default(),
            c.outcome.as_str().to_owned(),
            c.calls.to_string(),
            format!("{}", c.rows),
            format!("{}", c.bytes),
        ]);
    }
    text(|out| {
        writeln!(out, "AI calls in the last {} min (since {})", s.window_minutes, s.since)?;
        writeln!(
            out,
            "calls {}  ({:.1}/min)  errors {}  running {}  p50 {}  p95 {}  max {}  rows {}  bytes {}",
            s.calls,
            s.calls_per_minute(),
            s.errors,
            s.running,
            ms(s.p50_ms),
            ms(s.p95_ms),
            ms(s.max_ms),
            s.rows,
            s.bytes
        )?;
        writeln!(out, "approvals pending {}", s.pending_approvals)?;
        if !s.monitor_events.is_empty() {
            let events: Vec<String> = s.monitor_events.iter().map(|e| format!("{} {}", e.severity, e.events)).collect();
            writeln!(out, "monitor events: {}", events.join(", "))?;
        }
        if !s.by_call.is_empty() {
            writeln!(out, "{table}")?;
        }
        Ok(())
    })
}

pub fn findings(findings: &[dbdock_app::Finding], format: SchemaFormat) -> Result<String> {
    use dbdock_app::Probed;
    use dbdock_engines::discover::Answer;
    if format == SchemaFormat::Json {
        return json_line(&findings);
    }
    let mut table = new_table();
    table.set_header(["name", "found", "version", "password", "where", "url"]);
    for f in findings {
        let (found, version, auth) = match &f.probed {
            Probed::Answered(Answer::Identified(i)) => (
                i.product.clone(),
                i.version.clone().unwrap_or_default(),
                match i.auth_required {
                    Some(true) => "required",
                    Some(false) => "not required",
                    None => "?",
                }
                .to_owned(),
            ),
            Probed::Answered(Answer::Unknown { reason }) => {
                (format!("unknown: {reason}"), String::new(), String::new())
            }
            Probed::Answered(Answer::Closed { reason }) => {
                (format!("not reachable: {reason}"), String::new(), String::new())
            }
            Probed::NotProbed { reason } => (format!("not contacted: {reason}"), String::new(), String::new()),
        };
        let auth = match (&f.has_secret, &f.secret_elsewhere) {
            (true, _) => format!("{auth} (source holds one)").trim().to_owned(),
            (false, Some(from)) => format!("{auth} (from {from})").trim().to_owned(),
            _ => auth,
        };
        let name = match &f.saved_as {
            Some(saved) => format!("saved as {saved}"),
            None => f.suggested_name.clone().unwrap_or_default(),
        };
        table.add_row([name, found, version, auth, f.origin.to_string(), f.url.clone().unwrap_or_default()]);
    }
    text(|out| if findings.is_empty() { writeln!(out, "no servers found") } else { writeln!(out, "{table}") })
}

pub fn restore_plan(plan: &dbdock_store::RestorePlan, format: SchemaFormat, dry_run: bool) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(plan);
    }
    let list = |names: &[String]| if names.is_empty() { "none".to_owned() } else { names.join(", ") };
    let verb = if dry_run { "would be" } else { "were" };
    let mut out = format!(
        "profiles added: {}\nprofiles changed: {}\nprofiles kept: {}\ntokens added: {}\ntokens kept (name taken here): {}\nSSH host keys added: {}\n",
        list(&plan.added),
        list(&plan.changed),
        list(&plan.kept),
        list(&plan.tokens_added),
        list(&plan.tokens_kept),
        plan.host_keys_added
    );
    out.push_str(&format!(
        "{} {verb} restored{}\n",
        if dry_run { "nothing yet: these" } else { "these" },
        if plan.with_secrets { ", passwords to the OS keyring" } else { ", without passwords" }
    ));
    Ok(out)
}

pub fn config_history(changes: &[dbdock_store::ConfigChange], format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(&changes);
    }
    let mut table = new_table();
    table.set_header(["#", "when", "who", "action", "profile", "what changed"]);
    for c in changes {
        let mut what: Vec<String> = c.diff.iter().map(|f| format!("{}: {} → {}", f.field, f.before, f.after)).collect();
        if c.secrets_touched > 0 {
            what.push(format!("{} secret(s) kept in the keyring for undo", c.secrets_touched));
        }
        let action = match (c.undoes, c.undone_by) {
            (Some(n), _) => format!("undo #{n}"),
            (None, Some(by)) => format!("{} (undone by #{by})", c.action),
            (None, None) => c.action.clone(),
        };
        table.add_row([c.id.to_string(), c.at.clone(), c.actor.clone(), action, c.profile.clone(), what.join("\n")]);
    }
    text(|out| if changes.is_empty() { writeln!(out, "no changes recorded") } else { writeln!(out, "{table}") })
}

pub fn topic_catalog(catalog: &dbdock_core::TopicCatalog, format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(catalog);
    }
    let mut topics = new_table();
    topics.set_header([
        "topic",
        "partitions",
        "replication",
        "messages",
        "offsets (low..high per partition)",
        "settings",
    ]);
    for t in &catalog.topics {
        let offsets: Vec<String> = t.partitions.iter().map(|p| format!("{}:{}..{}", p.id, p.low, p.high)).collect();
        let settings = match &t.configs_error {
            Some(why) => format!("({why})"),
            None => t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "),
        };
        topics.add_row([
            t.name.clone(),
            t.partitions.len().to_string(),
            t.replication.to_string(),
            t.messages.to_string(),
            offsets.join(" "),
            settings,
        ]);
    }
    let mut groups = new_table();
    groups.set_header(["consumer group", "state"]);
    for g in &catalog.groups {
        groups.add_row([g.name.clone(), g.state.clone().unwrap_or_else(|| "-".into())]);
    }
    let brokers: Vec<String> = catalog.brokers.iter().map(|b| format!("{}@{}:{}", b.id, b.host, b.port)).collect();
    text(|out| {
        writeln!(out, "cluster {} (brokers {})", catalog.cluster_id.as_deref().unwrap_or("?"), brokers.join(", "))?;
        writeln!(out, "{topics}")?;
        writeln!(out, "({} topics)", catalog.topics.len())?;
        match &catalog.groups_error {
            Some(why) => writeln!(out, "consumer groups: not listed ({why})"),
            None => writeln!(out, "{groups}\n({} consumer groups)", catalog.groups.len()),
        }
    })
}

pub fn group(detail: &dbdock_core::GroupDetail, format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(detail);
    }
    let mut table = new_table();
    table.set_header(["topic", "partition", "committed", "end offset", "lag"]);
    let show = |n: Option<i64>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
    for row in &detail.lag {
        table.add_row([
            row.stream.clone(),
            row.partition.map(|p| p.to_string()).unwrap_or_default(),
            show(row.committed),
            show(row.end_offset),
            row.pending.map(|n| n.to_string()).unwrap_or_default(),
        ]);
    }
    let members = match (&detail.members, &detail.members_error) {
        (Some(members), _) => {
            let list: Vec<String> = members.iter().map(|m| format!("{} ({})", m.client_id, m.host)).collect();
            format!("{} member(s){}{}", members.len(), if list.is_empty() { "" } else { ": " }, list.join(", "))
        }
        (None, Some(why)) => format!("members unavailable: {why}"),
        (None, None) => "members unavailable".to_owned(),
    };
    text(|out| {
        writeln!(out, "group {} ({})", detail.name, detail.state.as_deref().unwrap_or("state unknown"))?;
        writeln!(out, "{table}")?;
        writeln!(out, "total lag {}; {members}", detail.total_lag)
    })
}

pub fn reset_plan(plan: &dbdock_core::OffsetResetPlan, format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return json_line(plan);
    }
    let mut table = new_table();
    table.set_header(["partition", "old offset", "new offset", "lag before", "lag after"]);
    for p in &plan.partitions {
        table.add_row([
            p.partition.to_string(),
            p.old.map_or_else(|| "-".to_owned(), |n| n.to_string()),
            p.new.to_string(),
            p.lag_before.to_string(),
            p.lag_after.to_string(),
        ]);
    }
    text(|out| {
        writeln!(out, "group {} on topic {}", plan.group, plan.topic)?;
        writeln!(out, "{table}")?;
        let done = if plan.applied { "committed" } else { "preview only: nothing was changed (--dry-run)" };
        writeln!(out, "lag {} -> {}; {done}", plan.lag_before, plan.lag_after)
    })
}

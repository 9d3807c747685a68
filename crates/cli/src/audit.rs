//! `dbdock audit`: the log of AI calls, the check that nobody changed it since DB Dock
//! wrote it, and retention (docs/safety.md, "Tamper-evident audit log").

use dbdock_core::{Error, Result};
use dbdock_store::{AuditVerification, Store, audit_keep_days};

use crate::args::{AuditArgs, AuditCommand, SchemaFormat};
use crate::{context, render};

pub async fn run(args: AuditArgs) -> Result<()> {
    let store = context::open_store().await?;
    let outcome = on_store(&store, args).await;
    store.close().await;
    outcome
}

async fn on_store(store: &Store, args: AuditArgs) -> Result<()> {
    match args.command {
        None => {
            let entries = store.audit_entries(args.limit).await?;
            let approvals = store.approvals(None, 1000).await?;
            context::print(&render::audit(&entries, &approvals, args.format)?)
        }
        Some(AuditCommand::Verify { format }) => {
            let verification = store.verify_audit().await?;
            context::print(&verification_text(&verification, format)?)?;
            // A broken chain fails the command, so a script or a scheduled check notices.
            match &verification.first_broken {
                None => Ok(()),
                Some(broken) => Err(Error::new(
                    dbdock_core::ErrorCode::AuditTampered,
                    format!("the audit log is not intact: it breaks at row {} (see above)", broken.id),
                )),
            }
        }
        Some(AuditCommand::Prune { keep_days }) => {
            let deleted = store.prune_audit(audit_keep_days(keep_days)).await?;
            context::print_line(&format!(
                "removed {deleted} audit {} older than {keep_days} days from the old end of the log",
                plural(deleted, "row", "rows")
            ))
        }
    }
}

/// `intact: N rows` with what was not verified and the head hash, or where it breaks.
fn verification_text(v: &AuditVerification, format: SchemaFormat) -> Result<String> {
    if format == SchemaFormat::Json {
        return serde_json::to_string(v)
            .map(|line| line + "\n")
            .map_err(|e| Error::internal(format!("cannot encode JSON: {e}")));
    }
    if let Some(broken) = &v.first_broken {
        return Ok(format!("broken at row {}: {}\n", broken.id, broken.reason));
    }
    let mut summary = format!("intact: {} {}", v.rows, plural(v.rows, "row", "rows"));
    if v.running > 0 {
        summary.push_str(&format!(" ({} still running)", v.running));
    }
    if v.legacy > 0 {
        summary.push_str(&format!(
            "; {} {} from before chaining (not verified)",
            v.legacy,
            plural(v.legacy, "row", "rows")
        ));
    }
    if v.pruned > 0 {
        summary.push_str(&format!("; {} {} removed by retention", v.pruned, plural(v.pruned, "row", "rows")));
    }
    if let Some(head) = &v.head {
        summary.push_str(&format!("\nhead: {head}"));
    }
    Ok(summary + "\n")
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use dbdock_store::BrokenAuditRow;

    use super::*;

    fn intact() -> AuditVerification {
        AuditVerification {
            intact: true,
            rows: 12,
            legacy: 3,
            pruned: 1,
            running: 2,
            first_broken: None,
            head: Some("ab".repeat(32)),
        }
    }

    #[test]
    fn an_intact_log_says_what_was_verified_and_its_head() {
        let text = verification_text(&intact(), SchemaFormat::Table).ok();
        let expected = format!(
            "intact: 12 rows (2 still running); 3 rows from before chaining (not verified); 1 row removed by \
             retention\nhead: {}\n",
            "ab".repeat(32)
        );
        assert_eq!(text, Some(expected));
        let bare = AuditVerification { legacy: 0, pruned: 0, running: 0, rows: 1, ..intact() };
        assert!(verification_text(&bare, SchemaFormat::Table).is_ok_and(|t| t.starts_with("intact: 1 row\nhead: ")));
    }

    #[test]
    fn a_broken_log_names_the_row() {
        let broken = AuditVerification {
            intact: false,
            first_broken: Some(BrokenAuditRow { id: 7, reason: "row 6 before it is missing (deleted)".into() }),
            head: None,
            ..intact()
        };
        assert_eq!(
            verification_text(&broken, SchemaFormat::Table).ok().as_deref(),
            Some("broken at row 7: row 6 before it is missing (deleted)\n")
        );
        let json = verification_text(&broken, SchemaFormat::Json).ok().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(json["first_broken"]["id"], 7);
        assert_eq!(json["intact"], false);
    }
}

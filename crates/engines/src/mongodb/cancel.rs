//! Stopping a read on the server when its call is dropped (an MCP client's cancel, the
//! statement time limit's backstop). Dropping the driver's future only closes the
//! connection; mongod goes on running the command until it finishes or its `maxTimeMS`
//! runs out. So every read carries a unique `comment` ([`super::request::tag`]), and a
//! dropped one is looked up in `$currentOp` by that comment and killed with `killOp`,
//! from a task of its own (docs/safety.md, "MongoDB").

use futures_util::TryStreamExt;
use mongodb::Client;
use mongodb::bson::{Bson, Document, doc, oid::ObjectId};

/// How long the clean-up of a dropped call may take before it is given up.
const KILL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A fresh tag for one call: unique across processes and calls (an ObjectId).
pub fn new_tag() -> String {
    format!("dbdock:{}", ObjectId::new().to_hex())
}

/// Armed while a tagged read runs; dropped before [`KillOnDrop::disarm`], it kills the
/// read's operations on the server.
pub struct KillOnDrop {
    client: Option<Client>,
    tag: String,
}

impl KillOnDrop {
    pub fn new(client: Client, tag: String) -> Self {
        KillOnDrop { client: Some(client), tag }
    }

    /// The read finished (or failed) on its own: nothing to kill.
    pub fn disarm(mut self) {
        self.client = None;
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else { return };
        let tag = std::mem::take(&mut self.tag);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                match tokio::time::timeout(KILL_WAIT, kill_tagged(&client, &tag)).await {
                    Ok(Ok(killed)) => tracing::debug!(killed, "killed the operations of a dropped MongoDB read"),
                    Ok(Err(e)) => tracing::warn!(error = %e, "killing a dropped MongoDB read failed"),
                    Err(_) => tracing::warn!("killing a dropped MongoDB read took too long"),
                }
            });
        }
    }
}

/// Kills every operation whose command (or the command that opened its cursor) carries
/// `tag` as its comment; returns how many. Only exact matches are killed, checked here
/// again because a server may ignore the `$match` (SecantusDB's `$currentOp` lists no
/// comments at all, so there it finds nothing).
pub async fn kill_tagged(client: &Client, tag: &str) -> mongodb::error::Result<usize> {
    let admin = client.database("admin");
    let pipeline = vec![
        // Without `allUsers` mongod lists only this login's operations, which is what a
        // read-only user may see and kill.
        doc! {"$currentOp": {}},
        doc! {"$match": {"$or": [{"command.comment": tag}, {"cursor.originatingCommand.comment": tag}]}},
    ];
    let ops: Vec<Document> = admin.aggregate(pipeline).await?.try_collect().await?;
    let mut killed = 0;
    for op in ops.iter().filter(|op| carries_tag(op, tag)) {
        if let Some(opid) = op.get("opid") {
            admin.run_command(doc! {"killOp": 1, "op": opid.clone()}).await?;
            killed += 1;
        }
    }
    Ok(killed)
}

fn carries_tag(op: &Document, tag: &str) -> bool {
    let comment_of = |path: &[&str]| {
        let mut doc = op;
        for key in &path[..path.len() - 1] {
            doc = doc.get_document(key).ok()?;
        }
        path.last().and_then(|last| doc.get(*last))
    };
    let wanted = Bson::String(tag.to_owned());
    comment_of(&["command", "comment"]) == Some(&wanted)
        || comment_of(&["cursor", "originatingCommand", "comment"]) == Some(&wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_unique() {
        let a = new_tag();
        assert!(a.starts_with("dbdock:") && a.len() == 31, "{a}");
        assert_ne!(a, new_tag());
    }

    #[test]
    fn only_operations_that_carry_the_exact_tag_match() {
        let tag = "dbdock:0123456789abcdef01234567";
        assert!(carries_tag(&doc! {"opid": 7, "command": {"find": "c", "comment": tag}}, tag));
        assert!(carries_tag(
            &doc! {"opid": 8, "command": {"getMore": 1_i64}, "cursor": {"originatingCommand": {"comment": tag}}},
            tag
        ));
        for other in [
            doc! {"opid": 1, "command": {"find": "c", "comment": "dbdock:0123456789abcdef0123456"}},
            doc! {"opid": 2, "command": {"find": "c", "comment": format!("{tag}x")}},
            doc! {"opid": 3, "command": {"aggregate": 1, "pipeline": [{"$match": {"command.comment": tag}}]}},
            doc! {"opid": 4, "command": {"hello": 1}},
            doc! {"opid": 5},
        ] {
            assert!(!carries_tag(&other, tag), "{other}");
        }
    }
}

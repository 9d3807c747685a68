//! One action on many profiles at once (`dbdock profile test --all`, the app's selection
//! bar): run in parallel with a bound, each item reported as it ends, one failure never
//! stopping the others.

use dbdock_core::{Access, Error, Result};
use futures_util::StreamExt;
use serde::Serialize;

use crate::{Audience, Workspace};

/// How many profiles a bulk action works on at once: enough to finish thirty tests in the
/// time of the slowest few, few enough not to open a storm of connections.
pub const BULK_PARALLEL: usize = 8;

/// Which saved profiles an action takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These names (each must exist, checked before anything runs).
    Names(Vec<String>),
    All,
    /// Those carrying this tag (any case).
    Tag(String),
}

/// What to do with each profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    /// Connect afresh and ask the version (`Workspace::probe`).
    Test,
    /// Open the app's shared connection (for a streaming server, which has none, check
    /// that it is reachable).
    Connect,
    /// Close its connections.
    Disconnect,
    /// Delete the profile and its keyring entries.
    Remove,
    /// Set what AI clients may do.
    SetAccess(Access),
}

/// One profile's outcome, in the order the items ended.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkItem {
    pub name: String,
    /// How many items have ended, this one included, of `total`.
    pub done: usize,
    pub total: usize,
    /// What happened, for people (`connected in 2.1 ms, PostgreSQL 16.4`).
    pub message: String,
    /// The failure, when it failed.
    pub error: Option<Error>,
}

impl Workspace {
    /// The names `selection` takes, in the store's order. A name that is not saved is an
    /// error naming it; an empty result (no such tag) is an error too.
    pub async fn select_profiles(&self, selection: &Selection) -> Result<Vec<String>> {
        let saved = self.store.stored_profiles().await?;
        let names: Vec<String> = match selection {
            Selection::All => saved.iter().map(|p| p.name.clone()).collect(),
            Selection::Tag(tag) => saved
                .iter()
                .filter(|p| p.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)))
                .map(|p| p.name.clone())
                .collect(),
            Selection::Names(names) => {
                let mut picked = Vec::with_capacity(names.len());
                for name in names {
                    let profile = saved.iter().find(|p| p.name.eq_ignore_ascii_case(name)).ok_or_else(|| {
                        Error::not_found(format!("no saved profile is named '{name}': nothing was done"))
                    })?;
                    if !picked.contains(&profile.name) {
                        picked.push(profile.name.clone());
                    }
                }
                picked
            }
        };
        if names.is_empty() {
            return Err(match selection {
                Selection::Tag(tag) => Error::not_found(format!("no saved profile has the tag '{tag}'")),
                _ => Error::not_found("there are no saved profiles"),
            });
        }
        Ok(names)
    }

    /// Runs `action` on each of `names`, [`BULK_PARALLEL`] at a time, calling `progress`
    /// as each ends; returns every item's outcome in the order they ended.
    pub async fn bulk(
        &self,
        action: BulkAction,
        names: &[String],
        mut progress: impl FnMut(&BulkItem),
    ) -> Vec<BulkItem> {
        let total = names.len();
        let mut ended = futures_util::stream::iter(names.iter().cloned())
            .map(|name| async move {
                let outcome = self.bulk_one(action, &name).await;
                (name, outcome)
            })
            .buffer_unordered(BULK_PARALLEL);
        let mut items = Vec::with_capacity(total);
        while let Some((name, outcome)) = ended.next().await {
            let (message, error) = match outcome {
                Ok(message) => (message, None),
                Err(e) => (format!("error[{}]: {}", e.code, e.message), Some(e)),
            };
            let item = BulkItem { name, done: items.len() + 1, total, message, error };
            progress(&item);
            items.push(item);
        }
        items
    }

    async fn bulk_one(&self, action: BulkAction, name: &str) -> Result<String> {
        match action {
            BulkAction::Test => {
                let probe = self.probe(Audience::User, name).await?;
                Ok(format!("connected in {:.1} ms, {}", probe.latency_ms, probe.server_version))
            }
            BulkAction::Connect => {
                let profile = self.store.stored_profile(name).await?;
                if profile.engine.capabilities().query.is_none() {
                    // NATS and Kafka have no shared connection: each monitor opens its own.
                    let probe = self.probe(Audience::User, name).await?;
                    return Ok(format!("reachable in {:.1} ms (monitors connect on their own)", probe.latency_ms));
                }
                self.connection(Audience::User, name).await?;
                Ok("connected".into())
            }
            BulkAction::Disconnect => {
                let user = self.disconnect(Audience::User, name).await;
                let ai = self.disconnect(Audience::Ai, name).await;
                Ok(if user || ai { "disconnected" } else { "was not connected" }.into())
            }
            BulkAction::Remove => {
                self.forget(name).await;
                self.store.remove_profile(name).await?;
                Ok("removed".into())
            }
            BulkAction::SetAccess(access) => {
                self.store.set_profile_access(name, access).await?;
                Ok(format!("AI access {access}"))
            }
        }
    }
}

//! The history of profile changes and their undo (docs/backup.md, "History and undo").
//!
//! Every change through the store's profile operations is a row of `config_history`: who
//! made it (the face the store acts for), the action, the profile before and after
//! (secret-free: profiles hold none), and the keyring entries it was about to overwrite or
//! delete, whose old values are parked under `history:<id>:<account>` first. Undoing a
//! change puts the profile row and those secrets back, provided the profile is still as
//! the change left it; the undo is itself a change, so it can be undone too.

use dbdock_core::{Error, ErrorCode, Profile, Result, Secret};
use serde::{Deserialize, Serialize};

use crate::{Store, store_error};

/// How many changes are kept (with their parked secrets); older ones are dropped.
pub const HISTORY_KEPT: i64 = 500;

/// One keyring entry a change touched, and whether it held a secret before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Parked {
    account: String,
    had: bool,
}

/// A field that a change changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// A recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigChange {
    pub id: i64,
    pub at: String,
    /// The face that made it: `cli`, `app`, or `restore`.
    pub actor: String,
    /// `add`, `change`, `set-access`, `set-ai-login`, `clear-ai-login`, `remove`, `undo`.
    pub action: String,
    pub profile: String,
    pub diff: Vec<FieldChange>,
    /// Secrets it may have replaced or removed, kept for its undo (how many; never which).
    pub secrets_touched: usize,
    /// The change this one undid.
    pub undoes: Option<i64>,
    /// The change that undid this one.
    pub undone_by: Option<i64>,
    #[serde(skip)]
    before: Option<Profile>,
    #[serde(skip)]
    after: Option<Profile>,
    #[serde(skip)]
    parked: Vec<Parked>,
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: i64,
    at: String,
    actor: String,
    action: String,
    profile: String,
    before: Option<String>,
    after: Option<String>,
    parked: String,
    undoes: Option<i64>,
    undone_by: Option<i64>,
}

impl ChangeRow {
    fn change(self) -> ConfigChange {
        let read = |text: Option<String>| text.and_then(|t| serde_json::from_str::<Profile>(&t).ok());
        let (before, after) = (read(self.before), read(self.after));
        let parked: Vec<Parked> = serde_json::from_str(&self.parked).unwrap_or_default();
        ConfigChange {
            diff: diff(before.as_ref(), after.as_ref()),
            secrets_touched: parked.iter().filter(|p| p.had).count(),
            id: self.id,
            at: self.at,
            actor: self.actor,
            action: self.action,
            profile: self.profile,
            undoes: self.undoes,
            undone_by: self.undone_by,
            before,
            after,
            parked,
        }
    }
}

/// A profile's settings as compared and shown: everything but id, timestamps and source.
pub(crate) fn settings(p: &Profile) -> serde_json::Value {
    let mut value = serde_json::to_value(p).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        for volatile in ["id", "created_at", "updated_at", "source"] {
            map.remove(volatile);
        }
    }
    value
}

fn diff(before: Option<&Profile>, after: Option<&Profile>) -> Vec<FieldChange> {
    let object = |p: Option<&Profile>| p.map(settings).and_then(|v| v.as_object().cloned()).unwrap_or_default();
    let (before, after) = (object(before), object(after));
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|field| {
            let (b, a) =
                (before.get(field).cloned().unwrap_or_default(), after.get(field).cloned().unwrap_or_default());
            (b != a).then(|| FieldChange { field: field.clone(), before: b, after: a })
        })
        .collect()
}

fn parked_account(change: i64, account: &str) -> String {
    format!("history:{change}:{account}")
}

/// A change begun: its row is written, the secrets it will touch parked.
pub(crate) struct Pending {
    id: i64,
    parked: Vec<Parked>,
}

impl Store {
    /// Begins recording `action` on the profile `before` (None: it is being added, as
    /// `name`), parking first the current values of `accounts` that hold a secret (the
    /// `bool`: as the profile says; the keyring is read only for those).
    pub(crate) async fn begin_change(
        &self,
        action: &str,
        name: &str,
        before: Option<&Profile>,
        accounts: &[(String, bool)],
    ) -> Result<Pending> {
        let before_json = before.map(serde_json::to_string).transpose().map_err(|e| Error::internal(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO config_history (actor, action, profile_id, profile, before) VALUES (?1, ?2, ?3, ?4, ?5)
             RETURNING id",
        )
        .bind(self.actor)
        .bind(action)
        .bind(before.map(|p| p.id.as_str()).unwrap_or_default())
        .bind(name)
        .bind(before_json)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| store_error("record the change", &e))?;
        let mut pending = Pending { id, parked: Vec::new() };
        for (account, holds) in accounts {
            if !holds {
                pending.parked.push(Parked { account: account.clone(), had: false });
                continue;
            }
            // Without a reachable keyring there is nothing to park: the change goes ahead
            // as it did before the history (its undo then cannot bring secrets back).
            let held = match self.keyring.get(account).await {
                Ok(held) => held,
                Err(e) => {
                    tracing::warn!(profile = %name, error = %e, "the keyring cannot be read: secrets are not kept for undo");
                    continue;
                }
            };
            if let Some(secret) = &held
                && let Err(e) = self.keyring.set(&parked_account(id, account), secret).await
            {
                tracing::warn!(profile = %name, error = %e, "the keyring cannot keep a secret for undo");
                continue;
            }
            pending.parked.push(Parked { account: account.clone(), had: held.is_some() });
        }
        Ok(pending)
    }

    /// The change happened: its profile after (None: removed) is recorded.
    pub(crate) async fn finish_change(&self, pending: Pending, after: Option<&Profile>) -> Result<()> {
        let after_json = after.map(serde_json::to_string).transpose().map_err(|e| Error::internal(e.to_string()))?;
        let parked = serde_json::to_string(&pending.parked).map_err(|e| Error::internal(e.to_string()))?;
        sqlx::query(
            "UPDATE config_history SET after = ?1, parked = ?2,
                    profile_id = coalesce(nullif(profile_id, ''), ?3), profile = coalesce(?4, profile)
             WHERE id = ?5",
        )
        .bind(after_json)
        .bind(parked)
        .bind(after.map(|p| p.id.as_str()).unwrap_or_default())
        .bind(after.map(|p| p.name.as_str()))
        .bind(pending.id)
        .execute(&self.pool)
        .await
        .map_err(|e| store_error("record the change", &e))?;
        self.prune_history().await;
        Ok(())
    }

    /// The change failed: its row and parked secrets go.
    pub(crate) async fn abandon_change(&self, pending: Pending) {
        for p in pending.parked.iter().filter(|p| p.had) {
            let _ = self.keyring.delete(&parked_account(pending.id, &p.account)).await;
        }
        let _ = sqlx::query("DELETE FROM config_history WHERE id = ?1").bind(pending.id).execute(&self.pool).await;
    }

    /// Drops changes beyond the newest [`HISTORY_KEPT`], with their parked secrets.
    async fn prune_history(&self) {
        let old: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, parked FROM config_history ORDER BY id DESC LIMIT -1 OFFSET ?1")
                .bind(HISTORY_KEPT)
                .fetch_all(&self.pool)
                .await
                .unwrap_or_default();
        for (id, parked) in old {
            let parked: Vec<Parked> = serde_json::from_str(&parked).unwrap_or_default();
            for p in parked.iter().filter(|p| p.had) {
                let _ = self.keyring.delete(&parked_account(id, &p.account)).await;
            }
            let _ = sqlx::query("DELETE FROM config_history WHERE id = ?1").bind(id).execute(&self.pool).await;
        }
    }

    /// The changes, newest first: of the profile now or once named `profile`, or all.
    pub async fn config_history(&self, profile: Option<&str>, limit: u32) -> Result<Vec<ConfigChange>> {
        let rows = sqlx::query_as::<_, ChangeRow>(
            "SELECT id, at, actor, action, profile, before, after, parked, undoes, undone_by FROM config_history
             WHERE ?1 IS NULL OR profile_id IN (SELECT profile_id FROM config_history WHERE profile = ?1 COLLATE NOCASE)
             ORDER BY id DESC LIMIT ?2",
        )
        .bind(profile)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error("read the history", &e))?;
        Ok(rows.into_iter().map(ChangeRow::change).collect())
    }

    async fn change_by_id(&self, id: Option<i64>) -> Result<ConfigChange> {
        let row = sqlx::query_as::<_, ChangeRow>(
            "SELECT id, at, actor, action, profile, before, after, parked, undoes, undone_by FROM config_history
             WHERE (?1 IS NULL AND undone_by IS NULL AND action <> 'undo') OR id = ?1
             ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| store_error("read the history", &e))?;
        row.map(ChangeRow::change).ok_or_else(|| match id {
            Some(id) => Error::not_found(format!("no change #{id} in the history (it keeps the last {HISTORY_KEPT})")),
            None => Error::not_found("there is no change to undo"),
        })
    }

    /// Undoes change `id` (None: the newest not undone yet). Refused when the profile has
    /// changed since, or its name is taken again: undo the later change first.
    pub async fn undo_change(&self, id: Option<i64>) -> Result<ConfigChange> {
        let change = self.change_by_id(id).await?;
        if let Some(by) = change.undone_by {
            return Err(Error::invalid_input(format!("change #{} was already undone by #{by}", change.id)));
        }
        let current =
            self.profile_by_id(change.after.as_ref().or(change.before.as_ref()).map(|p| p.id.as_str())).await?;
        let still = match (&change.after, &current) {
            (Some(after), Some(now)) => settings(after) == settings(now),
            (None, None) => true,
            _ => false,
        };
        if !still {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "profile '{}' has changed since change #{}: undo the later change first (dbdock profile history)",
                    change.profile, change.id
                ),
            ));
        }
        let holding = current.as_ref().map(crate::profiles::every_secret_account).unwrap_or_default();
        let accounts: Vec<(String, bool)> = change
            .parked
            .iter()
            .map(|p| (p.account.clone(), holding.iter().any(|(a, holds)| *holds && a == &p.account)))
            .collect();
        let pending = self.begin_change("undo", &change.profile, current.as_ref(), &accounts).await?;
        let restored = self.put_back(&change).await;
        match restored {
            Ok(after) => {
                let undo_id = pending.id;
                self.finish_change(pending, after.as_ref()).await?;
                sqlx::query("UPDATE config_history SET undoes = ?1 WHERE id = ?2")
                    .bind(change.id)
                    .bind(undo_id)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| store_error("record the undo", &e))?;
                sqlx::query("UPDATE config_history SET undone_by = ?1 WHERE id = ?2")
                    .bind(undo_id)
                    .bind(change.id)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| store_error("record the undo", &e))?;
                self.change_by_id(Some(undo_id)).await
            }
            Err(e) => {
                self.abandon_change(pending).await;
                Err(e)
            }
        }
    }

    /// Puts `change`'s parked secrets back, then writes `change.before` back (or deletes the
    /// profile it added): secrets first, so a row never points at a secret not yet there.
    async fn put_back(&self, change: &ConfigChange) -> Result<Option<Profile>> {
        for p in &change.parked {
            let parked = parked_account(change.id, &p.account);
            if p.had {
                let secret: Option<Secret> = self.keyring.get(&parked).await?;
                if let Some(secret) = secret {
                    self.keyring.set(&p.account, &secret).await?;
                    let _ = self.keyring.delete(&parked).await;
                }
            } else if let Err(e) = self.keyring.delete(&p.account).await {
                // An entry the change may have written: without a keyring it wrote none.
                tracing::warn!(profile = %change.profile, error = %e, "could not delete a keyring entry on undo");
            }
        }
        // A profile that was added had nothing parked; its own secrets go with it.
        if let (None, Some(after)) = (&change.before, &change.after) {
            for account in crate::profiles::secret_accounts(after) {
                let _ = self.keyring.delete(&account).await;
            }
        }
        let failed = |e: sqlx::Error| store_error("undo the change", &e);
        match &change.before {
            Some(before) => {
                crate::profiles::upsert_profile(&self.pool, &before.id, before, before.has_secret).await?;
            }
            None => {
                let id = change.after.as_ref().map(|p| p.id.clone()).unwrap_or_default();
                sqlx::query("DELETE FROM profiles WHERE id = ?1").bind(id).execute(&self.pool).await.map_err(failed)?;
            }
        }
        self.profile_by_id(change.before.as_ref().map(|p| p.id.as_str())).await
    }
}

/// Needs an OS keyring: run under `bash -c '. scripts/services.sh; with_keyring cargo test -p dbdock-store'`.
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use dbdock_core::{Access, ConnectionTarget};

    use super::*;
    use crate::{Home, Keyring, NewProfile};

    fn target(password: &str) -> ConnectionTarget {
        ConnectionTarget::parse(&format!("postgres://app:{password}@127.0.0.1:5432/shop")).unwrap()
    }

    async fn password(store: &Store, name: &str) -> Option<String> {
        store.resolve(name).await.unwrap().target.password().map(|s| s.expose().to_owned())
    }

    #[tokio::test]
    async fn every_change_is_recorded_and_undone_exactly_secrets_included() {
        let dir = tempfile::tempdir().unwrap();
        let service = format!("dbdock-test-history-{}", std::process::id());
        let store = Store::open(Home::at(dir.path())).await.unwrap().with_keyring(Keyring::with_service(service));
        store.add_profile(NewProfile::new("shop", target("first-pw"))).await.unwrap();
        store.set_profile_access("shop", Access::ReadWrite).await.unwrap();
        store.update_profile("shop", NewProfile::new("store", target("second-pw")), false).await.unwrap();
        store.remove_profile("store").await.unwrap();

        let history = store.config_history(None, 10).await.unwrap();
        let actions: Vec<&str> = history.iter().map(|c| c.action.as_str()).collect();
        assert_eq!(actions, ["remove", "change", "set-access", "add"]);
        assert!(history.iter().all(|c| c.actor == "cli"));
        let access = &history[2].diff;
        assert_eq!(access.len(), 1, "{access:?}");
        assert_eq!(
            (access[0].field.as_str(), &access[0].before, &access[0].after),
            ("access", &serde_json::json!("read-only"), &serde_json::json!("read-write"))
        );
        assert!(history[1].diff.iter().any(|f| f.field == "name"), "{:?}", history[1].diff);
        let text = serde_json::to_string(&history).unwrap();
        assert!(!text.contains("first-pw") && !text.contains("second-pw"), "the history shows a secret");
        assert_eq!(store.config_history(Some("shop"), 10).await.unwrap().len(), 4, "found by a former name");

        // Undo walks back: the removal, the rename with its new password, the access, the add.
        let undo = store.undo_change(None).await.unwrap();
        assert_eq!((undo.action.as_str(), undo.undoes), ("undo", Some(history[0].id)));
        assert_eq!(password(&store, "store").await.as_deref(), Some("second-pw"));
        store.undo_change(None).await.unwrap();
        assert!(store.stored_profile("store").await.is_err());
        assert_eq!(password(&store, "shop").await.as_deref(), Some("first-pw"), "the old password is back");
        assert_eq!(store.stored_profile("shop").await.unwrap().access, Access::ReadWrite);
        store.undo_change(None).await.unwrap();
        assert_eq!(store.stored_profile("shop").await.unwrap().access, Access::ReadOnly);
        let again = store.undo_change(Some(history[2].id)).await.unwrap_err();
        assert!(again.message.contains("already undone"), "{again:?}");

        // A change made since blocks undoing an older one.
        store.set_profile_access("shop", Access::None).await.unwrap();
        let blocked = store.undo_change(Some(history[3].id)).await.unwrap_err();
        assert!(blocked.message.contains("has changed since"), "{blocked:?}");
        store.undo_change(None).await.unwrap();
        store.undo_change(Some(history[3].id)).await.unwrap();
        assert!(store.stored_profiles().await.unwrap().is_empty(), "undoing the add removes it");
        assert_eq!(store.keyring.get(&store_id(&history[3])).await.unwrap(), None, "and its secret");
    }

    fn store_id(change: &ConfigChange) -> String {
        change.after.as_ref().map(|p| p.id.clone()).unwrap_or_default()
    }
}

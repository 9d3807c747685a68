//! The read-only login AI clients of a profile use (docs/safety.md, "least privilege"):
//! planned, created and attached, or forgotten and dropped — the same steps from the CLI
//! and the app. Its password goes from the generator to the keyring and nowhere else.

use dbdock_core::{Profile, Result};
use dbdock_engines::privileges::{self, ReadOnlyLoginPlan};

use crate::Workspace;

impl Workspace {
    /// The statements that would create a read-only login for AI clients of profile
    /// `name` (nothing runs). `user` defaults to `dbdock_ai_<profile>`.
    pub async fn plan_ai_login(&self, name: &str, user: Option<&str>) -> Result<ReadOnlyLoginPlan> {
        let resolved = self.store.resolve(name).await?;
        let user = login_name(name, user);
        privileges::plan_read_only_login(&resolved.target, &user).await
    }

    /// Creates the read-only login with the profile's own login and makes it the profile's
    /// AI login. If the keyring cannot take its password, the login is dropped again: a
    /// login nobody can use is not left behind.
    pub async fn create_ai_login(&self, name: &str, user: Option<&str>) -> Result<(Profile, ReadOnlyLoginPlan)> {
        let resolved = self.store.resolve(name).await?;
        let user = login_name(name, user);
        let created = privileges::create_read_only_login(&resolved.target, &user).await?;
        match self.store.set_ai_login(name, &user, &created.password).await {
            Ok(profile) => Ok((profile, created.plan)),
            Err(e) => {
                if let Err(undo) = privileges::drop_login(&resolved.target, &user).await {
                    tracing::warn!(login = %user, error = %undo, "could not drop the login again");
                }
                Err(e)
            }
        }
    }

    /// The statements that would drop the profile's AI login on the server, if it has one.
    pub async fn plan_drop_ai_login(&self, name: &str) -> Result<Option<(String, Vec<String>)>> {
        let profile = self.store.stored_profile(name).await?;
        let Some(login) = profile.ai_login else { return Ok(None) };
        let resolved = self.store.resolve(name).await?;
        let statements = privileges::plan_drop_login(&resolved.target, &login).await?;
        Ok(Some((login, statements)))
    }

    /// Forgets the profile's AI login (AI clients use the profile's own login again);
    /// with `drop_on_server`, removes it from the server first.
    pub async fn remove_ai_login(&self, name: &str, drop_on_server: bool) -> Result<Profile> {
        let profile = self.store.stored_profile(name).await?;
        if let (true, Some(login)) = (drop_on_server, &profile.ai_login) {
            let resolved = self.store.resolve(name).await?;
            privileges::drop_login(&resolved.target, login).await?;
        }
        self.store.clear_ai_login(name).await
    }
}

fn login_name(profile: &str, user: Option<&str>) -> String {
    user.filter(|u| !u.is_empty()).map_or_else(|| privileges::suggested_login_name(profile), str::to_owned)
}

//! A read-only Redis user for AI clients (docs/safety.md, "least privilege"): an ACL user
//! that may run the read commands and the server-information commands DB Dock's read list
//! allows, subscribe for sampled events, and nothing else. Redis 6 and later; DB Dock
//! shows the command and the user runs it, since it changes the server's users.

use dbdock_core::{ConnectionTarget, Engine, Result};

use crate::privileges::{MASKED_PASSWORD, ReadOnlyLoginPlan, ReadOnlyLogins};

pub(crate) struct ReadOnlyAcl;

#[async_trait::async_trait]
impl ReadOnlyLogins for ReadOnlyAcl {
    async fn plan(&self, target: &ConnectionTarget, login: &str) -> Result<ReadOnlyLoginPlan> {
        Ok(plan(target, login))
    }
}

fn plan(target: &ConnectionTarget, login: &str) -> ReadOnlyLoginPlan {
    // `-@dangerous` takes KEYS (and the rest of that category) back out of `+@read`; the
    // server commands the read list allows are then added one by one.
    let rules = [
        "on",
        &format!(">{MASKED_PASSWORD}"),
        "resetkeys",
        "~*",
        "resetchannels",
        "&*",
        "-@all",
        "+@read",
        "-@dangerous",
        "+info",
        "+ping",
        "+echo",
        "+time",
        "+command|info",
        "+command|count",
        "+command|docs",
        "+memory|stats",
        "+subscribe",
        "+psubscribe",
        "+unsubscribe",
        "+punsubscribe",
    ];
    ReadOnlyLoginPlan {
        engine: Engine::Redis,
        login: login.to_owned(),
        host: None,
        database: target.database(),
        statements: vec![format!("ACL SETUSER {login} {}", rules.join(" ")), "ACL SAVE".to_owned()],
        runnable: false,
        notes: vec![
            "DB Dock does not run these on Redis: run them in redis-cli as a user that may manage users, with a \
             password of your own in place of the mask (ACL SAVE needs an aclfile; without one, put the user in \
             the server's configuration), then attach the login to the profile"
                .to_owned(),
            "Redis has no read-only mode: until the profile's AI login is limited to reads, read-only AI access \
             rests on DB Dock's command list and the server's command flags"
                .to_owned(),
        ],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_user_reads_and_the_password_is_masked() {
        let target = ConnectionTarget::parse("redis://127.0.0.1:6379/2").unwrap();
        let plan = plan(&target, "dbdock_ai_cache");
        let setuser = &plan.statements[0];
        assert!(setuser.starts_with("ACL SETUSER dbdock_ai_cache on >******** "), "{setuser}");
        assert!(setuser.contains(" -@all +@read -@dangerous "), "{setuser}");
        assert!(!setuser.contains("+@write") && !setuser.contains("+@all"), "{setuser}");
        assert_eq!(plan.database.as_deref(), Some("2"));
    }
}

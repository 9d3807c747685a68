//! What `list-connections` says of each connection's login: whether it can write, and a
//! warning where read-only access rests on DB Dock's statement filter alone
//! (docs/safety.md, "least privilege").

use dbdock_core::{Access, LoginAccess, Profile};
use serde::Serialize;

/// Whether a connection's login can write: `true`, `false`, or `"unknown"` when its server
/// cannot tell or did not answer in time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LoginCanWrite {
    Known(bool),
    Unknown(&'static str),
}

/// What `list-connections` says of a login (see `endpoint::login_report`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginReport {
    pub login_can_write: LoginCanWrite,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_evidence: Option<Vec<String>>,
    /// Where read-only access rests on DB Dock's statement filter alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// One connection's login report (see `Endpoint::login_reports`).
pub fn login_report(profile: &Profile, access: Option<&LoginAccess>) -> LoginReport {
    // Without a read-only transaction (SQL Server, MongoDB) and with a login that can
    // write, nothing but DB Dock's statement filter stands between a read-only AI and a write.
    let filter_only = !profile.engine.capabilities().read_only_transaction
        && matches!(profile.access, Access::ReadOnly | Access::Ask)
        && access.is_some_and(|a| a.can_write);
    LoginReport {
        login_can_write: access.map_or(LoginCanWrite::Unknown("unknown"), |a| LoginCanWrite::Known(a.can_write)),
        login_evidence: access.filter(|a| a.can_write).map(|a| a.evidence.clone()),
        warning: filter_only.then(|| {
            format!(
                "this connection's login can write and {} has no read-only transaction: read-only access here rests \
                 on DB Dock's statement filter alone (the user can give it a read-only login in DB Dock)",
                profile.engine.spec().label
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use dbdock_core::ConnectionTarget;
    use serde_json::json;

    use super::*;

    fn profile(url: &str, access: Access) -> Profile {
        let target = ConnectionTarget::parse(url).unwrap();
        Profile { access, ..Profile::transient(dbdock_core::ProfileSource::Environment, "x", &target, false, "t") }
    }

    #[test]
    fn warns_where_read_only_rests_on_the_filter_alone() {
        let writer = LoginAccess { login: "sa".into(), can_write: true, evidence: vec!["sysadmin".into()] };
        let reader = LoginAccess { login: "r".into(), can_write: false, evidence: vec![] };
        let mssql = profile("sqlserver://sa@h:1433/db", Access::ReadOnly);
        let report = serde_json::to_value(login_report(&mssql, Some(&writer))).unwrap();
        assert_eq!(report["loginCanWrite"], json!(true));
        assert_eq!(report["loginEvidence"], json!(["sysadmin"]));
        assert!(report["warning"].as_str().unwrap().contains("statement filter alone"));
        assert!(login_report(&profile("mongodb://u@h/db", Access::Ask), Some(&writer)).warning.is_some());
        assert!(login_report(&mssql, Some(&reader)).warning.is_none());
        assert!(login_report(&profile("sqlserver://sa@h/db", Access::ReadWrite), Some(&writer)).warning.is_none());
        // PostgreSQL's read-only transaction stands behind the filter: no warning.
        let pg = profile("postgres://u@h/db", Access::ReadOnly);
        assert!(login_report(&pg, Some(&writer)).warning.is_none());
        assert_eq!(serde_json::to_value(login_report(&pg, None)).unwrap(), json!({"loginCanWrite": "unknown"}));
    }
}

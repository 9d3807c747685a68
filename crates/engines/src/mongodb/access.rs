//! What the login may do, from `connectionStatus` with `showPrivileges` (docs/safety.md,
//! "least privilege"): any action that changes data, schema or users, on any resource,
//! means the login can write.

use mongodb::bson::{Bson, Document};

use dbdock_core::LoginAccess;

/// Actions that change documents, collections, indexes, databases, or the users and roles
/// that decide who may (granting itself a role is as good as writing).
const WRITE_ACTIONS: [&str; 28] = [
    "anyAction",
    "insert",
    "update",
    "remove",
    "createCollection",
    "dropCollection",
    "createIndex",
    "dropIndex",
    "dropDatabase",
    "renameCollectionSameDB",
    "collMod",
    "convertToCapped",
    "applyOps",
    "compact",
    "reIndex",
    "createUser",
    "dropUser",
    "updateUser",
    "grantRole",
    "revokeRole",
    "createRole",
    "dropRole",
    "updateRole",
    "grantRolesToUser",
    "grantPrivilegesToRole",
    "createSearchIndexes",
    "dropSearchIndex",
    "internal",
];

/// At most this many evidence items.
const EVIDENCE_ITEMS: usize = 6;

/// The login's access as `authInfo` (the reply's field) tells it, or `None` when no user
/// is authenticated (the caller then tells "authentication is off" from "not logged in").
pub fn from_auth_info(auth: &Document) -> Option<LoginAccess> {
    let users: Vec<String> = array(auth, "authenticatedUsers").filter_map(user_at_db).collect();
    if users.is_empty() {
        return None;
    }
    let mut evidence = Vec::new();
    for privilege in array(auth, "authenticatedUserPrivileges").filter_map(Bson::as_document) {
        let writes: Vec<&str> = privilege
            .get_array("actions")
            .map(|a| a.iter().filter_map(Bson::as_str).filter(|a| WRITE_ACTIONS.contains(a)).collect())
            .unwrap_or_default();
        if !writes.is_empty() {
            evidence.push(format!("{} on {}", writes.join(", "), resource(privilege)));
        }
    }
    let can_write = !evidence.is_empty();
    let roles: Vec<String> = array(auth, "authenticatedUserRoles").filter_map(role_at_db).collect();
    let mut items: Vec<String> = roles.into_iter().map(|r| format!("role {r}")).collect();
    if can_write {
        items.extend(evidence);
    } else {
        items.push("no action that writes, on any resource".to_owned());
    }
    items.truncate(EVIDENCE_ITEMS);
    Some(LoginAccess { login: users.join(", "), can_write, evidence: items })
}

fn array<'a>(doc: &'a Document, key: &str) -> impl Iterator<Item = &'a Bson> {
    doc.get_array(key).map(|a| a.iter()).into_iter().flatten()
}

fn user_at_db(user: &Bson) -> Option<String> {
    let user = user.as_document()?;
    Some(format!("{}@{}", user.get_str("user").ok()?, user.get_str("db").unwrap_or("admin")))
}

fn role_at_db(role: &Bson) -> Option<String> {
    let role = role.as_document()?;
    Some(format!("{}@{}", role.get_str("role").ok()?, role.get_str("db").unwrap_or("admin")))
}

/// `test.orders`, `test.*`, `*.*` (any database), `cluster`, `any resource`.
fn resource(privilege: &Document) -> String {
    let Ok(resource) = privilege.get_document("resource") else { return "an unknown resource".to_owned() };
    if resource.get_bool("cluster") == Ok(true) {
        return "the cluster".to_owned();
    }
    if resource.get_bool("anyResource") == Ok(true) {
        return "any resource".to_owned();
    }
    let or_any = |s: &str| if s.is_empty() { "*".to_owned() } else { s.to_owned() };
    format!(
        "{}.{}",
        or_any(resource.get_str("db").unwrap_or_default()),
        or_any(resource.get_str("collection").unwrap_or_default())
    )
}

#[cfg(test)]
mod tests {
    use mongodb::bson::doc;

    use super::*;

    #[test]
    fn a_read_user_cannot_write() {
        let auth = doc! {
            "authenticatedUsers": [{"user": "ai", "db": "shop"}],
            "authenticatedUserRoles": [{"role": "read", "db": "shop"}],
            "authenticatedUserPrivileges": [
                {"resource": {"db": "shop", "collection": ""}, "actions": ["find", "listCollections", "collStats"]},
            ],
        };
        let access = from_auth_info(&auth).expect("a user");
        assert_eq!(access.login, "ai@shop");
        assert!(!access.can_write);
        assert_eq!(access.evidence[0], "role read@shop");
    }

    #[test]
    fn any_write_action_anywhere_means_it_can_write() {
        for (resource, actions, shown) in [
            (doc! {"db": "shop", "collection": ""}, vec!["find", "insert"], "insert on shop.*"),
            (doc! {"db": "", "collection": ""}, vec!["dropDatabase"], "dropDatabase on *.*"),
            (doc! {"db": "other", "collection": "logs"}, vec!["remove", "update"], "remove, update on other.logs"),
            (doc! {"db": "admin", "collection": ""}, vec!["grantRole"], "grantRole on admin.*"),
            (doc! {"anyResource": true}, vec!["anyAction"], "anyAction on any resource"),
        ] {
            let auth = doc! {
                "authenticatedUsers": [{"user": "app", "db": "admin"}],
                "authenticatedUserRoles": [{"role": "custom", "db": "admin"}],
                "authenticatedUserPrivileges": [
                    {"resource": {"db": "shop", "collection": ""}, "actions": ["find"]},
                    {"resource": resource, "actions": actions},
                ],
            };
            let access = from_auth_info(&auth).expect("a user");
            assert!(access.can_write, "{auth}");
            assert!(access.evidence.iter().any(|e| e == shown), "{:?}", access.evidence);
        }
    }

    #[test]
    fn nobody_logged_in_is_left_to_the_caller() {
        let auth = doc! {"authenticatedUsers": [], "authenticatedUserRoles": [], "authenticatedUserPrivileges": []};
        assert_eq!(from_auth_info(&auth), None);
    }
}

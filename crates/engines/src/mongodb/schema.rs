//! A collection's schema, inferred from a sample of its documents: every field path
//! (`address.city` inside documents, `tags[]` for array elements, `items[].sku` inside
//! documents in arrays), the BSON types seen at it with how often, and whether every
//! sampled document has it. Shown as columns so relational tools keep working.

use std::collections::HashSet;

use mongodb::bson::{Bson, Document};

use dbdock_core::ColumnInfo;

use super::render::type_name;

/// Paths deeper than this are not followed (their parent is still listed as `object`).
const MAX_DEPTH: usize = 12;
/// At most this many paths are listed, so one wild collection cannot flood a schema view.
const MAX_PATHS: usize = 2000;

#[derive(Debug, Default)]
struct PathStats {
    path: String,
    /// `(type name, how many values)`, in order of first sighting.
    types: Vec<(&'static str, u32)>,
    /// In how many sampled documents the path appears at least once.
    documents: u32,
}

/// What a sample says about a collection's fields.
#[derive(Debug, Default)]
pub struct Inferred {
    paths: Vec<PathStats>,
    sampled: u32,
}

impl Inferred {
    pub fn from_sample<'a>(docs: impl IntoIterator<Item = &'a Document>) -> Self {
        let mut inferred = Inferred::default();
        for doc in docs {
            inferred.sampled += 1;
            let mut seen = HashSet::new();
            inferred.walk_document("", doc, 0, &mut seen);
            for path in seen {
                if let Some(stats) = inferred.paths.iter_mut().find(|s| s.path == path) {
                    stats.documents += 1;
                }
            }
        }
        inferred
    }

    fn walk_document(&mut self, prefix: &str, doc: &Document, depth: usize, seen: &mut HashSet<String>) {
        for (key, value) in doc {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            self.walk_value(path, value, depth, seen);
        }
    }

    fn walk_value(&mut self, path: String, value: &Bson, depth: usize, seen: &mut HashSet<String>) {
        if !self.record(&path, type_name(value)) {
            return;
        }
        seen.insert(path.clone());
        if depth >= MAX_DEPTH {
            return;
        }
        match value {
            Bson::Document(inner) => self.walk_document(&path, inner, depth + 1, seen),
            Bson::Array(items) => {
                let element = format!("{path}[]");
                for item in items {
                    self.walk_value(element.clone(), item, depth + 1, seen);
                }
            }
            _ => {}
        }
    }

    /// Counts one value of type `ty` at `path`; false when the path cap is reached.
    fn record(&mut self, path: &str, ty: &'static str) -> bool {
        let stats = match self.paths.iter().position(|s| s.path == path) {
            Some(i) => &mut self.paths[i],
            None if self.paths.len() >= MAX_PATHS => return false,
            None => {
                self.paths.push(PathStats { path: path.to_owned(), ..PathStats::default() });
                let last = self.paths.len() - 1;
                &mut self.paths[last]
            }
        };
        match stats.types.iter_mut().find(|(t, _)| *t == ty) {
            Some((_, n)) => *n += 1,
            None => stats.types.push((ty, 1)),
        }
        true
    }

    pub fn sampled(&self) -> u32 {
        self.sampled
    }

    /// The paths as columns: type `string|null` lists the types by frequency; the comment
    /// gives the shares and how many sampled documents have the path.
    pub fn columns(&self) -> Vec<ColumnInfo> {
        self.paths
            .iter()
            .map(|stats| {
                let mut types = stats.types.clone();
                types.sort_by_key(|t| std::cmp::Reverse(t.1));
                let total: u32 = types.iter().map(|(_, n)| n).sum();
                let shares: Vec<String> = types
                    .iter()
                    .map(|(t, n)| format!("{t} {}%", (f64::from(*n) * 100.0 / f64::from(total.max(1))).round()))
                    .collect();
                let always = stats.documents >= self.sampled;
                let element = stats.path.ends_with("[]");
                ColumnInfo {
                    name: stats.path.clone(),
                    type_name: types.iter().map(|(t, _)| *t).collect::<Vec<_>>().join("|"),
                    nullable: !always || types.iter().any(|(t, _)| *t == "null"),
                    primary_key: stats.path == "_id",
                    default: None,
                    comment: Some(if element {
                        format!(
                            "{}; array elements, in {} of {} sampled documents",
                            shares.join(", "),
                            stats.documents,
                            self.sampled
                        )
                    } else {
                        format!("{}; in {} of {} sampled documents", shares.join(", "), stats.documents, self.sampled)
                    }),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use mongodb::bson::doc;

    use super::*;

    #[test]
    fn nested_documents_arrays_and_mixed_types() {
        let docs = [
            doc! {"_id": 1, "name": "a", "address": {"city": "Oslo", "zip": "0150"}, "tags": ["x", "y"], "items": [{"sku": "A", "qty": 1}]},
            doc! {"_id": 2, "name": 5, "address": {"city": "Rome"}, "tags": [], "items": [{"sku": "B", "qty": 2.5}, {"sku": "C"}]},
            doc! {"_id": 3, "name": Bson::Null, "tags": ["z", 1]},
        ];
        let inferred = Inferred::from_sample(&docs);
        assert_eq!(inferred.sampled(), 3);
        let columns = inferred.columns();
        let find =
            |name: &str| columns.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no {name}: {columns:?}"));
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "_id",
                "name",
                "address",
                "address.city",
                "address.zip",
                "tags",
                "tags[]",
                "items",
                "items[]",
                "items[].sku",
                "items[].qty"
            ]
        );
        assert!(find("_id").primary_key && !find("_id").nullable);
        assert_eq!(find("name").type_name, "string|int|null");
        assert!(find("name").nullable);
        assert_eq!(find("address.city").comment.as_deref(), Some("string 100%; in 2 of 3 sampled documents"));
        assert!(find("address.zip").nullable);
        assert_eq!(find("tags[]").type_name, "string|int");
        assert_eq!(find("items[].qty").type_name, "int|double");
        assert!(!find("tags").nullable);
    }
}

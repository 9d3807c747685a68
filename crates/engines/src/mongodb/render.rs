//! BSON as DB Dock rows. Documents become rows whose columns are their top-level fields
//! (in order of first appearance; a field a document lacks is NULL there). Scalars that
//! JSON carries faithfully stay plain (strings, booleans, safe integers, doubles); every
//! other BSON value — ObjectId, dates, Decimal128, binary, regex, timestamps, 64-bit
//! integers beyond 2^53 — is canonical Extended JSON, so its type survives the trip to a
//! model or a file and can be pasted back into a query.

use std::time::Instant;

use mongodb::bson::{Bson, Document};

use dbdock_core::{Column, JsonText, QueryOptions, QueryResult, Value};

use crate::rows::RowCollector;

/// Integers JavaScript (and so most JSON readers) holds exactly.
const SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The JSON for `value`: plain where that keeps its type, canonical Extended JSON where not.
pub fn to_json(value: &Bson) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Bson::Null | Bson::Undefined => J::Null,
        Bson::Boolean(b) => J::Bool(*b),
        Bson::String(s) => J::String(s.clone()),
        Bson::Int32(n) => J::from(*n),
        Bson::Int64(n) if n.abs() <= SAFE_INTEGER => J::from(*n),
        Bson::Double(d) if d.is_finite() => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
        Bson::Document(doc) => J::Object(doc.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Bson::Array(items) => J::Array(items.iter().map(to_json).collect()),
        other => other.clone().into_canonical_extjson(),
    }
}

/// One cell: native DB Dock values for scalars, JSON for the rest.
pub fn to_cell(value: &Bson) -> Value {
    match value {
        Bson::Null | Bson::Undefined => Value::Null,
        Bson::Boolean(b) => Value::Bool(*b),
        Bson::String(s) => Value::Text(s.clone()),
        Bson::Int32(n) => Value::Int(i64::from(*n)),
        // Value::Int is exact in DB Dock's JSON, so 64-bit integers need no wrapper here.
        Bson::Int64(n) => Value::Int(*n),
        Bson::Double(d) if d.is_finite() => Value::Float(*d),
        Bson::Decimal128(d) => Value::Decimal(d.to_string()),
        other => Value::Json(JsonText::from_value(&to_json(other))),
    }
}

/// The `$type` name of a BSON value, as MongoDB spells it.
pub fn type_name(value: &Bson) -> &'static str {
    match value {
        Bson::Double(_) => "double",
        Bson::String(_) => "string",
        Bson::Document(_) => "object",
        Bson::Array(_) => "array",
        Bson::Binary(_) => "binData",
        Bson::Undefined => "undefined",
        Bson::ObjectId(_) => "objectId",
        Bson::Boolean(_) => "bool",
        Bson::DateTime(_) => "date",
        Bson::Null => "null",
        Bson::RegularExpression(_) => "regex",
        Bson::DbPointer(_) => "dbPointer",
        Bson::JavaScriptCode(_) => "javascript",
        Bson::Symbol(_) => "symbol",
        Bson::JavaScriptCodeWithScope(_) => "javascriptWithScope",
        Bson::Int32(_) => "int",
        Bson::Timestamp(_) => "timestamp",
        Bson::Int64(_) => "long",
        Bson::Decimal128(_) => "decimal",
        Bson::MaxKey => "maxKey",
        Bson::MinKey => "minKey",
    }
}

/// Collects documents as rows under the caps.
pub struct DocumentRows {
    collector: RowCollector,
    /// The field names of each collected row, in the row's order.
    keys: Vec<Vec<String>>,
    types: Vec<(String, &'static str)>,
}

impl DocumentRows {
    pub fn new(limits: QueryOptions) -> Self {
        DocumentRows { collector: RowCollector::new(limits), keys: Vec::new(), types: Vec::new() }
    }

    /// Offers the next document; returns whether to keep reading.
    pub fn offer(&mut self, doc: &Document) -> bool {
        let (keys, types, collector) = (&mut self.keys, &mut self.types, &mut self.collector);
        collector.offer(|| {
            keys.push(doc.keys().cloned().collect());
            for (key, value) in doc {
                let name = type_name(value);
                match types.iter_mut().find(|(k, _)| k == key) {
                    Some((_, seen)) if *seen != name && name != "null" => {
                        *seen = if *seen == "null" { name } else { "mixed" };
                    }
                    Some(_) => {}
                    None => types.push((key.clone(), name)),
                }
            }
            doc.values().map(to_cell).collect()
        })
    }

    /// The rows aligned under the union of the fields seen.
    pub fn into_result(self, started: Instant) -> QueryResult {
        let DocumentRows { mut collector, keys, types } = self;
        let columns: Vec<Column> =
            types.iter().map(|(name, ty)| Column { name: name.clone(), type_name: (*ty).to_owned() }).collect();
        let rows = std::mem::take(&mut collector.rows);
        collector.rows = rows
            .into_iter()
            .zip(keys)
            .map(|(cells, keys)| {
                let mut row = vec![Value::Null; columns.len()];
                for (key, cell) in keys.into_iter().zip(cells) {
                    if let Some(i) = columns.iter().position(|c| c.name == key) {
                        row[i] = cell;
                    }
                }
                row
            })
            .collect();
        collector.into_result(columns, started)
    }
}

#[cfg(test)]
mod tests {
    use mongodb::bson::{doc, oid::ObjectId};

    use super::*;

    #[test]
    fn plain_json_where_it_keeps_the_type_extended_json_elsewhere() {
        let id = ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").expect("valid");
        let value = Bson::Document(doc! {
            "_id": id, "n": 1, "big": 9_007_199_254_740_993_i64, "small": 5_i64, "price": 1.5,
            "at": mongodb::bson::DateTime::from_millis(0), "tags": ["a", Bson::Null],
        });
        assert_eq!(
            to_json(&value).to_string(),
            r#"{"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"n":1,"big":{"$numberLong":"9007199254740993"},"small":5,"price":1.5,"at":{"$date":{"$numberLong":"0"}},"tags":["a",null]}"#
        );
        assert_eq!(to_cell(&Bson::Int64(9_007_199_254_740_993)), Value::Int(9_007_199_254_740_993));
        assert!(
            matches!(to_cell(&Bson::Double(f64::NAN)), Value::Json(j) if j.as_str() == r#"{"$numberDouble":"NaN"}"#)
        );
    }

    #[test]
    fn rows_follow_the_union_of_fields() {
        let mut rows = DocumentRows::new(QueryOptions::default());
        assert!(rows.offer(&doc! {"a": 1, "b": "x"}));
        assert!(rows.offer(&doc! {"c": true, "a": "mixed"}));
        let result = rows.into_result(Instant::now());
        let names: Vec<_> = result.columns.iter().map(|c| (c.name.as_str(), c.type_name.as_str())).collect();
        assert_eq!(names, [("a", "mixed"), ("b", "string"), ("c", "bool")]);
        assert_eq!(result.rows[1], vec![Value::Text("mixed".into()), Value::Null, Value::Bool(true)]);
    }
}

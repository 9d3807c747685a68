//! MySQL binary-protocol values to typed [`Value`]s, by column type. Temporal values are
//! read from their raw bytes, so zero dates (`0000-00-00`) come back as text instead of
//! failing the row.

use dbdock_core::{JsonText, Value};
use sqlx::mysql::MySqlRow;
use sqlx::{Row, TypeInfo, ValueRef};

pub(super) fn row(row: &MySqlRow) -> Vec<Value> {
    (0..row.len())
        .map(|i| {
            let Ok(raw) = row.try_get_raw(i) else { return Value::Null };
            if raw.is_null() {
                return Value::Null;
            }
            let type_info = raw.type_info().into_owned();
            // sqlx names a text column with a binary collation (utf8mb4_bin, MariaDB's JSON)
            // BLOB/VARBINARY; the collation, which String's compatibility check reads, tells.
            let is_text = <String as sqlx::Type<sqlx::MySql>>::compatible(&type_info);
            match row.try_get_unchecked::<&[u8], _>(i) {
                Ok(bytes) if is_text => value(type_info.name(), bytes).unwrap_or_else(|| text_or_bytes(bytes)),
                Ok(bytes) => value(type_info.name(), bytes).unwrap_or_else(|| Value::Bytes(bytes.to_vec())),
                Err(_) => Value::Null,
            }
        })
        .collect()
}

fn le<const N: usize>(b: &[u8]) -> Option<[u8; N]> {
    b.try_into().ok()
}

fn value(type_name: &str, b: &[u8]) -> Option<Value> {
    Some(match type_name {
        "BOOLEAN" | "TINYINT" => Value::Int(i64::from(i8::from_le_bytes(le(b)?))),
        "TINYINT UNSIGNED" => Value::Int(i64::from(*b.first()?)),
        "SMALLINT" => Value::Int(i64::from(i16::from_le_bytes(le(b)?))),
        "SMALLINT UNSIGNED" | "YEAR" => Value::Int(i64::from(u16::from_le_bytes(le(b)?))),
        "INT" | "MEDIUMINT" => Value::Int(i64::from(i32::from_le_bytes(le(b)?))),
        "INT UNSIGNED" | "MEDIUMINT UNSIGNED" => Value::Int(i64::from(u32::from_le_bytes(le(b)?))),
        "BIGINT" => Value::Int(i64::from_le_bytes(le(b)?)),
        "BIGINT UNSIGNED" => Value::UInt(u64::from_le_bytes(le(b)?)),
        // Print a FLOAT at its own precision (1.1, not 1.100000023841858).
        "FLOAT" => Value::Float(f32::from_le_bytes(le(b)?).to_string().parse().ok()?),
        "DOUBLE" => Value::Float(f64::from_le_bytes(le(b)?)),
        "DECIMAL" => Value::Decimal(std::str::from_utf8(b).ok()?.to_owned()),
        "DATE" => Value::Date(date_time(b)?.0),
        "DATETIME" | "TIMESTAMP" => {
            let (date, time) = date_time(b)?;
            Value::Timestamp(format!("{date}T{time}"))
        }
        "TIME" => Value::Time(duration(b)?),
        "JSON" => {
            let text = std::str::from_utf8(b).ok()?;
            JsonText::parse(text).map_or_else(|| Value::Text(text.to_owned()), Value::Json)
        }
        "BIT" if b.len() <= 8 => Value::UInt(b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x))),
        "NULL" => Value::Null,
        _ => return None,
    })
}

fn text_or_bytes(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) => Value::Text(s.to_owned()),
        Err(_) => Value::Bytes(b.to_vec()),
    }
}

/// `[len, year lo, year hi, month, day, hour, minute, second, micros(4)]`; the length
/// byte says how many fields follow (0, 4, 7 or 11).
fn date_time(b: &[u8]) -> Option<(String, String)> {
    let (&len, rest) = b.split_first()?;
    let field = |i: usize| rest.get(i).copied().unwrap_or(0);
    let year = if len >= 4 { u16::from_le_bytes([field(0), field(1)]) } else { 0 };
    let date = format!("{year:04}-{:02}-{:02}", field(2), field(3));
    let mut time = format!("{:02}:{:02}:{:02}", field(4), field(5), field(6));
    if len >= 11 {
        let micros = u32::from_le_bytes(le(rest.get(7..11)?)?);
        if micros != 0 {
            time.push_str(&format!(".{micros:06}"));
        }
    }
    Some((date, time))
}

/// TIME is a signed duration: `[len, negative, days(4), hour, minute, second, micros(4)]`.
fn duration(b: &[u8]) -> Option<String> {
    let (&len, rest) = b.split_first()?;
    if len == 0 {
        return Some("00:00:00".into());
    }
    let negative = *rest.first()? == 1;
    let days = u32::from_le_bytes(le(rest.get(1..5)?)?);
    let (h, m, s) = (*rest.get(5)?, *rest.get(6)?, *rest.get(7)?);
    let hours = u64::from(days) * 24 + u64::from(h);
    let mut text = format!("{}{hours:02}:{m:02}:{s:02}", if negative { "-" } else { "" });
    if len >= 12 {
        let micros = u32::from_le_bytes(le(rest.get(8..12)?)?);
        if micros != 0 {
            text.push_str(&format!(".{micros:06}"));
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporal_bytes() {
        let dt = [11, 0xE8, 0x07, 5, 17, 13, 4, 59, 0x40, 0xE2, 0x01, 0x00];
        assert_eq!(value("DATETIME", &dt), Some(Value::Timestamp("2024-05-17T13:04:59.123456".into())));
        assert_eq!(value("DATE", &[0]), Some(Value::Date("0000-00-00".into())));
        assert_eq!(value("DATE", &[4, 0xE8, 0x07, 2, 29]), Some(Value::Date("2024-02-29".into())));
        let t = [8, 1, 1, 0, 0, 0, 2, 3, 4];
        assert_eq!(value("TIME", &t), Some(Value::Time("-26:03:04".into())));
    }

    #[test]
    fn integers_by_width_and_sign() {
        assert_eq!(value("BIGINT UNSIGNED", &u64::MAX.to_le_bytes()), Some(Value::UInt(u64::MAX)));
        assert_eq!(value("TINYINT", &[0xFF]), Some(Value::Int(-1)));
        assert_eq!(value("BIT", &[0x01, 0x02]), Some(Value::UInt(258)));
        assert_eq!(value("INT", &[1, 2]), None);
    }
}

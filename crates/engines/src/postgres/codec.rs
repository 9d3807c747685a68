//! PostgreSQL values in binary wire format, to and from DB Dock's typed [`Value`]s.
//!
//! sqlx asks for every result column in binary format and sends every parameter in
//! binary, so DB Dock reads and writes the bytes itself, by type OID. That keeps one path
//! for built-in types, arrays, enums, domains and composites, keeps numerics exact, and
//! lets a parameter given as text (`--param 42`) be sent as whatever type the statement
//! declared for it.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use dbdock_core::{JsonText, Value};
use serde_json::Value as Json;
use sqlx::postgres::{PgTypeInfo, PgTypeKind};

use super::numeric;

// Built-in type OIDs (pg_type.dat); stable across PostgreSQL versions.
const BOOL: u32 = 16;
const BYTEA: u32 = 17;
const CHAR: u32 = 18;
const NAME: u32 = 19;
const INT8: u32 = 20;
const INT2: u32 = 21;
const INT4: u32 = 23;
const REGPROC: u32 = 24;
const TEXT: u32 = 25;
const OID: u32 = 26;
const XID: u32 = 28;
const CID: u32 = 29;
const JSON: u32 = 114;
const XML: u32 = 142;
const POINT: u32 = 600;
const CIDR: u32 = 650;
const FLOAT4: u32 = 700;
const FLOAT8: u32 = 701;
const UNKNOWN: u32 = 705;
const MONEY: u32 = 790;
const MACADDR: u32 = 829;
const INET: u32 = 869;
const BPCHAR: u32 = 1042;
const VARCHAR: u32 = 1043;
const DATE: u32 = 1082;
const TIME: u32 = 1083;
const TIMESTAMP: u32 = 1114;
const TIMESTAMPTZ: u32 = 1184;
const INTERVAL: u32 = 1186;
const TIMETZ: u32 = 1266;
const BIT: u32 = 1560;
const VARBIT: u32 = 1562;
const NUMERIC: u32 = 1700;
const REGCLASS: u32 = 2205;
const REGTYPE: u32 = 2206;
const UUID: u32 = 2950;
const PG_LSN: u32 = 3220;
const JSONB: u32 = 3802;
const REGNAMESPACE: u32 = 4089;
const XID8: u32 = 5069;

fn epoch_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

fn epoch() -> NaiveDateTime {
    epoch_date().and_hms_opt(0, 0, 0).unwrap_or_default()
}

fn be<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    bytes.try_into().ok()
}

fn oid_of(ty: &PgTypeInfo) -> u32 {
    ty.oid().map_or(0, |o| o.0)
}

/// Decodes one non-NULL binary value of type `ty`. Types it does not know come back as
/// text when the bytes are UTF-8 (true of most extension types) and as bytes otherwise.
pub(crate) fn decode(ty: &PgTypeInfo, bytes: &[u8]) -> Value {
    match ty.kind() {
        PgTypeKind::Enum(_) => return text_or_bytes(bytes),
        PgTypeKind::Domain(base) => return decode(base, bytes),
        PgTypeKind::Array(elem) => {
            return decode_array(elem, bytes).unwrap_or_else(|| Value::Bytes(bytes.to_vec()));
        }
        PgTypeKind::Composite(fields) => {
            return decode_composite(fields, bytes).unwrap_or_else(|| Value::Bytes(bytes.to_vec()));
        }
        PgTypeKind::Simple | PgTypeKind::Pseudo | PgTypeKind::Range(_) => {}
    }
    decode_builtin(oid_of(ty), bytes).unwrap_or_else(|| text_or_bytes(bytes))
}

fn text_or_bytes(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(s) => Value::Text(s.to_owned()),
        Err(_) => Value::Bytes(bytes.to_vec()),
    }
}

fn decode_builtin(oid: u32, b: &[u8]) -> Option<Value> {
    Some(match oid {
        BOOL => Value::Bool(*b.first()? != 0),
        INT2 => Value::Int(i64::from(i16::from_be_bytes(be(b)?))),
        INT4 => Value::Int(i64::from(i32::from_be_bytes(be(b)?))),
        INT8 => Value::Int(i64::from_be_bytes(be(b)?)),
        OID | REGPROC | REGCLASS | REGTYPE | REGNAMESPACE | XID | CID => {
            Value::Int(i64::from(u32::from_be_bytes(be(b)?)))
        }
        XID8 => Value::UInt(u64::from_be_bytes(be(b)?)),
        // Print a float4 at its own precision (0.1, not 0.100000001490116).
        FLOAT4 => Value::Float(f32::from_be_bytes(be(b)?).to_string().parse().ok()?),
        FLOAT8 => Value::Float(f64::from_be_bytes(be(b)?)),
        NUMERIC => Value::Decimal(numeric::decode(b)?),
        MONEY => Value::Decimal(cents_text(i64::from_be_bytes(be(b)?))),
        TEXT | VARCHAR | BPCHAR | NAME | XML | UNKNOWN | CHAR => text_or_bytes(b),
        BYTEA => Value::Bytes(b.to_vec()),
        UUID => Value::Uuid(uuid_text(b)?),
        JSON => json_value(std::str::from_utf8(b).ok()?),
        JSONB => match b.split_first()? {
            (1, rest) => json_value(std::str::from_utf8(rest).ok()?),
            _ => return None,
        },
        DATE => Value::Date(date_text(i32::from_be_bytes(be(b)?))),
        TIMESTAMP => Value::Timestamp(timestamp_text(i64::from_be_bytes(be(b)?), "")),
        TIMESTAMPTZ => Value::TimestampTz(timestamp_text(i64::from_be_bytes(be(b)?), "+00:00")),
        TIME => Value::Time(time_text(i64::from_be_bytes(be(b)?))?),
        TIMETZ => {
            let micros = i64::from_be_bytes(be(b.get(..8)?)?);
            // PostgreSQL stores the zone as seconds *west* of UTC.
            let west = i32::from_be_bytes(be(b.get(8..12)?)?);
            Value::Time(format!("{}{}", time_text(micros)?, offset_text(-west)))
        }
        INTERVAL => {
            let micros = i64::from_be_bytes(be(b.get(..8)?)?);
            let days = i32::from_be_bytes(be(b.get(8..12)?)?);
            let months = i32::from_be_bytes(be(b.get(12..16)?)?);
            Value::Text(interval_text(months, days, micros))
        }
        INET | CIDR => Value::Text(inet_text(b, oid == CIDR)?),
        MACADDR if b.len() == 6 => Value::Text(b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(":")),
        BIT | VARBIT => {
            let len = usize::try_from(i32::from_be_bytes(be(b.get(..4)?)?)).ok()?;
            let bits = b.get(4..)?;
            Value::Text((0..len).map(|i| if bits[i / 8] & (0x80 >> (i % 8)) != 0 { '1' } else { '0' }).collect())
        }
        POINT => {
            let x = f64::from_be_bytes(be(b.get(..8)?)?);
            let y = f64::from_be_bytes(be(b.get(8..16)?)?);
            Value::Text(format!("({x},{y})"))
        }
        PG_LSN => {
            let lsn = u64::from_be_bytes(be(b)?);
            Value::Text(format!("{:X}/{:X}", lsn >> 32, lsn & 0xFFFF_FFFF))
        }
        _ => return None,
    })
}

fn json_value(text: &str) -> Value {
    match JsonText::parse(text) {
        Some(j) => Value::Json(j),
        None => Value::Text(text.to_owned()),
    }
}

fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn uuid_text(b: &[u8]) -> Option<String> {
    if b.len() != 16 {
        return None;
    }
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Some(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]))
}

fn date_text(days: i32) -> String {
    match days {
        i32::MAX => "infinity".into(),
        i32::MIN => "-infinity".into(),
        _ => epoch_date()
            .checked_add_signed(Duration::days(i64::from(days)))
            .map_or_else(|| format!("{days} days after 2000-01-01"), |d| d.format("%Y-%m-%d").to_string()),
    }
}

fn timestamp_text(micros: i64, zone: &str) -> String {
    match micros {
        i64::MAX => "infinity".into(),
        i64::MIN => "-infinity".into(),
        _ => epoch().checked_add_signed(Duration::microseconds(micros)).map_or_else(
            || format!("{micros} µs after 2000-01-01"),
            |t| format!("{}{zone}", t.format("%Y-%m-%dT%H:%M:%S%.f")),
        ),
    }
}

fn time_text(micros: i64) -> Option<String> {
    if micros == 86_400_000_000 {
        return Some("24:00:00".into());
    }
    let secs = u32::try_from(micros.div_euclid(1_000_000)).ok()?;
    let nanos = u32::try_from(micros.rem_euclid(1_000_000) * 1000).ok()?;
    Some(NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)?.format("%H:%M:%S%.f").to_string())
}

fn offset_text(east_secs: i32) -> String {
    let sign = if east_secs < 0 { '-' } else { '+' };
    let abs = east_secs.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs % 3600 / 60, abs % 60);
    if s == 0 { format!("{sign}{h:02}:{m:02}") } else { format!("{sign}{h:02}:{m:02}:{s:02}") }
}

/// PostgreSQL's default `IntervalStyle` (`1 year 2 mons 3 days 04:05:06.5`).
fn interval_text(months: i32, days: i32, micros: i64) -> String {
    let mut parts = Vec::new();
    let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let (years, mons) = (months / 12, months % 12);
    if years != 0 {
        parts.push(plural(i64::from(years), "year", "years"));
    }
    if mons != 0 {
        parts.push(plural(i64::from(mons), "mon", "mons"));
    }
    if days != 0 {
        parts.push(plural(i64::from(days), "day", "days"));
    }
    if micros != 0 || parts.is_empty() {
        let sign = if micros < 0 { "-" } else { "" };
        let abs = micros.unsigned_abs();
        let (secs, frac) = (abs / 1_000_000, abs % 1_000_000);
        let mut t = format!("{sign}{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60);
        if frac != 0 {
            t.push_str(format!(".{frac:06}").trim_end_matches('0'));
        }
        parts.push(t);
    }
    parts.join(" ")
}

fn inet_text(b: &[u8], is_cidr_type: bool) -> Option<String> {
    let (family, bits, addr) = (*b.first()?, *b.get(1)?, b.get(4..)?);
    let (text, full) = match (family, addr.len()) {
        (2, 4) => (std::net::Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]).to_string(), 32),
        (3, 16) => (std::net::Ipv6Addr::from(<[u8; 16]>::try_from(addr).ok()?).to_string(), 128),
        _ => return None,
    };
    Some(if bits == full && !is_cidr_type { text } else { format!("{text}/{bits}") })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn i32(&mut self) -> Option<i32> {
        let (head, rest) = self.0.split_at_checked(4)?;
        self.0 = rest;
        Some(i32::from_be_bytes(be(head)?))
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    /// A length-prefixed element: `None` inside means SQL NULL.
    fn element(&mut self) -> Option<Option<&'a [u8]>> {
        let len = self.i32()?;
        if len < 0 { Some(None) } else { self.take(usize::try_from(len).ok()?).map(Some) }
    }
}

fn decode_array(elem: &PgTypeInfo, bytes: &[u8]) -> Option<Value> {
    let mut r = Reader(bytes);
    let ndim = usize::try_from(r.i32()?).ok()?;
    let _has_nulls = r.i32()?;
    let _elem_oid = r.i32()?;
    let mut dims = Vec::with_capacity(ndim);
    for _ in 0..ndim {
        dims.push(usize::try_from(r.i32()?).ok()?);
        let _lower_bound = r.i32()?;
    }
    if dims.is_empty() {
        return Some(Value::Array(Vec::new()));
    }
    let total: usize = dims.iter().product();
    let mut flat = Vec::with_capacity(total.min(1 << 16));
    for _ in 0..total {
        flat.push(match r.element()? {
            None => Value::Null,
            Some(b) => decode(elem, b),
        });
    }
    // Nest the flat elements by dimension, innermost first.
    for &d in dims[1..].iter().rev() {
        let mut nested = Vec::with_capacity(flat.len() / d.max(1));
        let mut it = flat.into_iter();
        loop {
            let chunk: Vec<Value> = it.by_ref().take(d).collect();
            if chunk.is_empty() {
                break;
            }
            nested.push(Value::Array(chunk));
        }
        flat = nested;
    }
    Some(Value::Array(flat))
}

fn decode_composite(fields: &[(String, PgTypeInfo)], bytes: &[u8]) -> Option<Value> {
    let mut r = Reader(bytes);
    let count = usize::try_from(r.i32()?).ok()?;
    let mut object = serde_json::Map::new();
    for i in 0..count {
        let _oid = r.i32()?;
        let value = r.element()?;
        let (name, ty) = fields.get(i)?;
        let value = value.map_or(Value::Null, |b| decode(ty, b));
        object.insert(name.clone(), serde_json::to_value(&value).ok()?);
    }
    Some(Value::Json(JsonText::from_value(&Json::Object(object))))
}

/// Encodes a JSON parameter as the binary value of the type the statement declared for
/// it. Text is accepted for every type (so CLI `--param` strings work); JSON numbers,
/// booleans, arrays and objects where they fit. The error says what was expected.
pub(crate) fn encode(ty: &PgTypeInfo, value: &Json) -> Result<Option<Vec<u8>>, String> {
    if value.is_null() {
        return Ok(None);
    }
    match ty.kind() {
        PgTypeKind::Enum(_) => return Ok(Some(as_text(value).into_bytes())),
        PgTypeKind::Domain(base) => return encode(base, value),
        PgTypeKind::Array(elem) => return encode_array(elem, value).map(Some),
        PgTypeKind::Simple | PgTypeKind::Pseudo | PgTypeKind::Composite(_) | PgTypeKind::Range(_) => {}
    }
    let oid = oid_of(ty);
    let bytes = match oid {
        BOOL => vec![u8::from(as_bool(value)?)],
        INT2 => {
            i16::try_from(as_i64(value)?).map_err(|_| "out of range for smallint".to_string())?.to_be_bytes().to_vec()
        }
        INT4 => {
            i32::try_from(as_i64(value)?).map_err(|_| "out of range for integer".to_string())?.to_be_bytes().to_vec()
        }
        INT8 => as_i64(value)?.to_be_bytes().to_vec(),
        OID | REGCLASS | REGTYPE | REGPROC | REGNAMESPACE => {
            u32::try_from(as_i64(value)?).map_err(|_| "out of range for oid".to_string())?.to_be_bytes().to_vec()
        }
        FLOAT4 => (as_f64(value)? as f32).to_be_bytes().to_vec(),
        FLOAT8 => as_f64(value)?.to_be_bytes().to_vec(),
        NUMERIC => numeric::encode(&as_text(value))?,
        TEXT | VARCHAR | BPCHAR | NAME | XML | UNKNOWN | CHAR => as_text(value).into_bytes(),
        BYTEA => as_bytes(value)?,
        UUID => parse_uuid(&as_text(value))?.to_vec(),
        JSON => json_text(value)?.into_bytes(),
        JSONB => {
            let mut b = vec![1u8];
            b.extend_from_slice(json_text(value)?.as_bytes());
            b
        }
        DATE => {
            let d = parse_date(&as_text(value))?;
            i32::try_from((d - epoch_date()).num_days()).map_err(|_| "date out of range")?.to_be_bytes().to_vec()
        }
        TIMESTAMP => micros_since_epoch(parse_timestamp(&as_text(value))?)?.to_be_bytes().to_vec(),
        TIMESTAMPTZ => micros_since_epoch(parse_timestamptz(&as_text(value))?)?.to_be_bytes().to_vec(),
        TIME => {
            let t = parse_time(&as_text(value))?;
            let since = t - NaiveTime::MIN;
            since.num_microseconds().ok_or("time out of range")?.to_be_bytes().to_vec()
        }
        _ => {
            return Err(format!(
                "DB Dock cannot send a value of type {ty} directly; cast the parameter in SQL \
                 (for example $1::text::{ty})"
            ));
        }
    };
    Ok(Some(bytes))
}

fn encode_array(elem: &PgTypeInfo, value: &Json) -> Result<Vec<u8>, String> {
    let owned;
    let items = match value {
        Json::Array(items) => items,
        // Text in PostgreSQL's array literal form is not parsed here; JSON text is.
        Json::String(s) => match serde_json::from_str::<Json>(s) {
            Ok(Json::Array(items)) => {
                owned = items;
                &owned
            }
            _ => return Err("expected a JSON array such as [1, 2, 3]".into()),
        },
        _ => return Err("expected a JSON array such as [1, 2, 3]".into()),
    };
    let elem_oid = elem.oid().ok_or_else(|| format!("unknown element type {elem}"))?.0;
    let mut out = Vec::new();
    let has_nulls = items.iter().any(Json::is_null);
    out.extend_from_slice(&1i32.to_be_bytes());
    out.extend_from_slice(&i32::from(has_nulls).to_be_bytes());
    out.extend_from_slice(&elem_oid.to_be_bytes());
    out.extend_from_slice(&i32::try_from(items.len()).map_err(|_| "array too long")?.to_be_bytes());
    out.extend_from_slice(&1i32.to_be_bytes());
    for (i, item) in items.iter().enumerate() {
        match encode(elem, item).map_err(|e| format!("element {}: {e}", i + 1))? {
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(b) => {
                out.extend_from_slice(&i32::try_from(b.len()).map_err(|_| "element too large")?.to_be_bytes());
                out.extend_from_slice(&b);
            }
        }
    }
    Ok(out)
}

/// Text of a JSON scalar as a person would type it (a string without its quotes).
pub(crate) fn as_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn as_bool(value: &Json) -> Result<bool, String> {
    match value {
        Json::Bool(b) => Ok(*b),
        Json::Number(n) if n.as_i64() == Some(0) => Ok(false),
        Json::Number(n) if n.as_i64() == Some(1) => Ok(true),
        Json::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "t" | "true" | "yes" | "y" | "on" | "1" => Ok(true),
            "f" | "false" | "no" | "n" | "off" | "0" => Ok(false),
            _ => Err(format!("'{s}' is not a boolean")),
        },
        other => Err(format!("{other} is not a boolean")),
    }
}

fn as_i64(value: &Json) -> Result<i64, String> {
    match value {
        Json::Number(n) => n.as_i64().ok_or_else(|| format!("{n} is not an integer in range")),
        Json::String(s) => s.trim().parse().map_err(|_| format!("'{s}' is not an integer")),
        Json::Bool(b) => Ok(i64::from(*b)),
        other => Err(format!("{other} is not an integer")),
    }
}

fn as_f64(value: &Json) -> Result<f64, String> {
    match value {
        Json::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not a number")),
        Json::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "nan" => Ok(f64::NAN),
            "infinity" | "inf" => Ok(f64::INFINITY),
            "-infinity" | "-inf" => Ok(f64::NEG_INFINITY),
            t => t.parse().map_err(|_| format!("'{s}' is not a number")),
        },
        other => Err(format!("{other} is not a number")),
    }
}

fn as_bytes(value: &Json) -> Result<Vec<u8>, String> {
    match value {
        Json::String(s) => match s.strip_prefix("\\x") {
            Some(hex) => parse_hex(hex),
            None => Ok(s.as_bytes().to_vec()),
        },
        Json::Array(items) => items
            .iter()
            .map(|i| i.as_u64().and_then(|n| u8::try_from(n).ok()).ok_or_else(|| "expected bytes 0-255".to_string()))
            .collect(),
        other => Err(format!("{other} is not bytes: pass '\\x' followed by hex")),
    }
}

fn parse_hex(hex: &str) -> Result<Vec<u8>, String> {
    if !hex.len().is_multiple_of(2) {
        return Err("hex text needs an even number of digits".into());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| format!("'{hex}' is not hex")))
        .collect()
}

fn parse_uuid(text: &str) -> Result<[u8; 16], String> {
    let hex: String = text.trim().trim_matches(['{', '}']).chars().filter(|c| *c != '-').collect();
    let bytes = parse_hex(&hex).map_err(|_| format!("'{text}' is not a UUID"))?;
    bytes.try_into().map_err(|_| format!("'{text}' is not a UUID"))
}

fn json_text(value: &Json) -> Result<String, String> {
    match value {
        // A string parameter is JSON text (what a CLI user types); a string that is not
        // JSON is refused rather than silently quoted.
        Json::String(s) => {
            serde_json::from_str::<&serde_json::value::RawValue>(s).map_err(|e| format!("not valid JSON text: {e}"))?;
            Ok(s.clone())
        }
        other => Ok(other.to_string()),
    }
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| format!("'{text}' is not a date (YYYY-MM-DD)"))
}

fn parse_time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(text.trim(), "%H:%M"))
        .map_err(|_| format!("'{text}' is not a time (HH:MM:SS)"))
}

fn parse_timestamp(text: &str) -> Result<NaiveDateTime, String> {
    let t = text.trim();
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .or_else(|| parse_date(t).ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
        .ok_or_else(|| format!("'{text}' is not a timestamp (YYYY-MM-DD HH:MM:SS)"))
}

/// A timestamp with an offset is converted to UTC; one without is taken as UTC.
fn parse_timestamptz(text: &str) -> Result<NaiveDateTime, String> {
    let t = text.trim();
    let with_zone =
        ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z"]
            .iter()
            .find_map(|f| chrono::DateTime::parse_from_str(t, f).ok());
    if let Some(dt) = with_zone {
        return Ok(dt.naive_utc());
    }
    let t = t.strip_suffix('Z').unwrap_or(t);
    parse_timestamp(t)
}

fn micros_since_epoch(t: NaiveDateTime) -> Result<i64, String> {
    (t - epoch()).num_microseconds().ok_or_else(|| "timestamp out of range".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporal_texts() {
        assert_eq!(date_text(0), "2000-01-01");
        assert_eq!(date_text(-1), "1999-12-31");
        assert_eq!(date_text(i32::MAX), "infinity");
        assert_eq!(timestamp_text(1_500_000, "+00:00"), "2000-01-01T00:00:01.500+00:00");
        assert_eq!(time_text(3_723_000_001).as_deref(), Some("01:02:03.000001"));
        assert_eq!(interval_text(14, 3, 4 * 3_600_000_000 + 500_000), "1 year 2 mons 3 days 04:00:00.5");
        assert_eq!(interval_text(0, 0, 0), "00:00:00");
        assert_eq!(interval_text(0, -1, 0), "-1 days");
        assert_eq!(offset_text(-5 * 3600 - 1800), "-05:30");
    }

    #[test]
    fn parses_parameters() {
        assert_eq!(parse_timestamptz("2024-05-01T10:00:00+02:00").ok(), parse_timestamp("2024-05-01 08:00:00").ok());
        assert_eq!(parse_timestamptz("2024-05-01T08:00:00Z").ok(), parse_timestamp("2024-05-01 08:00:00").ok());
        assert!(parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").is_ok());
        assert!(parse_uuid("not-a-uuid").is_err());
        assert_eq!(as_bytes(&Json::from("\\xff00")), Ok(vec![0xff, 0x00]));
        assert!(as_bytes(&Json::from("\\xf")).is_err());
        assert_eq!(as_i64(&Json::from(" 42 ")), Ok(42));
        assert!(as_i64(&Json::from(1.5)).is_err());
        assert_eq!(as_bool(&Json::from("off")), Ok(false));
        assert!(json_text(&Json::from("{bad")).is_err());
    }

    #[test]
    fn inet_forms() {
        assert_eq!(inet_text(&[2, 32, 0, 4, 10, 0, 0, 1], false).as_deref(), Some("10.0.0.1"));
        assert_eq!(inet_text(&[2, 24, 1, 4, 10, 0, 0, 0], true).as_deref(), Some("10.0.0.0/24"));
    }
}

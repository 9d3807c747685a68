//! SQL Server values as DB Dock [`Value`]s, exactly: integers of every width as integers,
//! `decimal`/`numeric`/`money` as decimal text with every digit (never through a float),
//! dates and times as ISO 8601 with the column's own fractional digits.

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate, NaiveTime, Timelike};
use dbdock_core::Value;
use tiberius::time::{Date, DateTime, DateTime2, DateTimeOffset, SmallDateTime, Time};
use tiberius::{ColumnData, ColumnType};

/// The SQL Server type name for a result column. The wire type does not always say the
/// declared width (`intn` is tinyint…bigint, `moneyn` money or smallmoney); tiberius resolves
/// the widths it can from the column's length.
pub(crate) fn type_name(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Null => "null",
        ColumnType::Bit | ColumnType::Bitn => "bit",
        ColumnType::Int1 => "tinyint",
        ColumnType::Int2 => "smallint",
        ColumnType::Int4 | ColumnType::Intn => "int",
        ColumnType::Int8 => "bigint",
        ColumnType::Datetime4 => "smalldatetime",
        ColumnType::Datetime | ColumnType::Datetimen => "datetime",
        ColumnType::Float4 => "real",
        ColumnType::Float8 | ColumnType::Floatn => "float",
        ColumnType::Money => "money",
        ColumnType::Money4 => "smallmoney",
        ColumnType::Guid => "uniqueidentifier",
        ColumnType::Decimaln => "decimal",
        ColumnType::Numericn => "numeric",
        ColumnType::Daten => "date",
        ColumnType::Timen => "time",
        ColumnType::Datetime2 => "datetime2",
        ColumnType::DatetimeOffsetn => "datetimeoffset",
        ColumnType::BigVarBin => "varbinary",
        ColumnType::BigVarChar => "varchar",
        ColumnType::BigBinary => "binary",
        ColumnType::BigChar => "char",
        ColumnType::NVarchar => "nvarchar",
        ColumnType::NChar => "nchar",
        ColumnType::Xml => "xml",
        ColumnType::Udt => "udt",
        ColumnType::Text => "text",
        ColumnType::Image => "image",
        ColumnType::NText => "ntext",
        ColumnType::SSVariant => "sql_variant",
    }
}

/// One cell. `ty` is the column's wire type: tiberius hands `money` over as an `f64`, which
/// is turned back into its four exact decimals here.
pub(crate) fn value(ty: ColumnType, data: &ColumnData<'_>) -> Value {
    match data {
        ColumnData::U8(v) => v.map_or(Value::Null, |v| Value::Int(v.into())),
        ColumnData::I16(v) => v.map_or(Value::Null, |v| Value::Int(v.into())),
        ColumnData::I32(v) => v.map_or(Value::Null, |v| Value::Int(v.into())),
        ColumnData::I64(v) => v.map_or(Value::Null, Value::Int),
        // `real` holds 24 bits: go through its shortest decimal form so 0.1 stays 0.1
        // instead of becoming 0.10000000149011612.
        ColumnData::F32(v) => v.map_or(Value::Null, |v| Value::Float(v.to_string().parse().unwrap_or(v.into()))),
        ColumnData::F64(v) => match (v, ty) {
            (None, _) => Value::Null,
            (Some(v), ColumnType::Money | ColumnType::Money4) => Value::Decimal(money_text(*v)),
            (Some(v), _) => Value::Float(*v),
        },
        ColumnData::Bit(v) => v.map_or(Value::Null, Value::Bool),
        ColumnData::String(v) => v.as_ref().map_or(Value::Null, |s| Value::Text(s.to_string())),
        // SQL Server prints uniqueidentifiers in upper case; keep what its tools show.
        ColumnData::Guid(v) => v.map_or(Value::Null, |u| Value::Uuid(u.to_string().to_ascii_uppercase())),
        ColumnData::Binary(v) => v.as_ref().map_or(Value::Null, |b| Value::Bytes(b.to_vec())),
        ColumnData::Numeric(v) => v.map_or(Value::Null, |n| Value::Decimal(decimal_text(n.value(), n.scale()))),
        ColumnData::Xml(v) => v.as_ref().map_or(Value::Null, |x| Value::Text(x.to_string())),
        ColumnData::DateTime(v) => v.map_or(Value::Null, |v| Value::Timestamp(datetime_text(v))),
        ColumnData::SmallDateTime(v) => v.map_or(Value::Null, |v| Value::Timestamp(smalldatetime_text(v))),
        ColumnData::Date(v) => v.map_or(Value::Null, |d| Value::Date(date_text(d))),
        ColumnData::Time(v) => v.map_or(Value::Null, |t| Value::Time(time_text(t))),
        ColumnData::DateTime2(v) => v.map_or(Value::Null, |d| Value::Timestamp(datetime2_text(d))),
        ColumnData::DateTimeOffset(v) => v.map_or(Value::Null, |d| Value::TimestampTz(offset_text(d))),
    }
}

/// `value × 10^-scale` in plain notation: `-12.3400`, `0.05`, `42`.
pub(crate) fn decimal_text(value: i128, scale: u8) -> String {
    let digits = value.unsigned_abs().to_string();
    let scale = usize::from(scale);
    let mut out = String::with_capacity(digits.len() + 3);
    if value < 0 {
        out.push('-');
    }
    if scale == 0 {
        out.push_str(&digits);
        return out;
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let _ = write!(out, "{whole}.{fraction}");
    out
}

/// `money` is an integer count of ten-thousandths on the wire; tiberius divides it into an
/// `f64`. Multiplying back and rounding recovers the integer exactly up to 2^53
/// ten-thousandths (about 900 billion), far beyond everyday amounts.
pub(crate) fn money_text(v: f64) -> String {
    // `as` saturates; money's range is ±922 trillion, inside i128.
    decimal_text((v * 10_000.0).round() as i128, 4)
}

fn base_1900() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
}

fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `datetime`: days since 1900-01-01 and 1/300 s ticks, shown to the millisecond the way SQL
/// Server shows it (.000, .003, .007).
fn datetime_text(v: DateTime) -> String {
    let date = base_1900() + Duration::days(v.days().into());
    let ticks = u64::from(v.seconds_fragments());
    let secs = ticks / 300;
    let millis = ((ticks % 300) * 10 + 1) / 3;
    format!("{}T{}.{millis:03}", iso_date(date), clock(secs))
}

fn smalldatetime_text(v: SmallDateTime) -> String {
    let date = base_1900() + Duration::days(v.days().into());
    format!("{}T{}", iso_date(date), clock(u64::from(v.seconds_fragments()) * 60))
}

/// `date`: days since 0001-01-01.
fn date_text(d: Date) -> String {
    naive_date(d).map_or_else(|| format!("day {} after 0001-01-01", d.days()), iso_date)
}

fn naive_date(d: Date) -> Option<NaiveDate> {
    i32::try_from(d.days()).ok().and_then(|n| NaiveDate::from_num_days_from_ce_opt(n + 1))
}

/// `time(n)`: 10^-n second increments since midnight, shown with n fractional digits.
fn time_text(t: Time) -> String {
    let scale = u32::from(t.scale().min(9));
    let unit = 10u64.pow(scale);
    let (secs, fraction) = (t.increments() / unit, t.increments() % unit);
    match scale {
        0 => clock(secs),
        _ => format!("{}.{fraction:0width$}", clock(secs), width = scale as usize),
    }
}

fn clock(secs: u64) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

fn datetime2_text(d: DateTime2) -> String {
    format!("{}T{}", date_text(d.date()), time_text(d.time()))
}

/// `datetimeoffset` travels as UTC plus the offset in minutes; shown as local time with
/// that offset, as SQL Server prints it.
fn offset_text(d: DateTimeOffset) -> String {
    let utc = d.datetime2();
    let time = utc.time();
    let unit = 10u64.pow(u32::from(time.scale().min(9)));
    let offset = i64::from(d.offset());
    let Some(day) = naive_date(utc.date()) else { return format!("{}+00:00", datetime2_text(utc)) };
    let utc_secs = i64::try_from(time.increments() / unit).unwrap_or(0);
    let local = day.and_time(NaiveTime::MIN) + Duration::seconds(utc_secs + offset * 60);
    let local_time =
        Time::new(u64::from(local.time().num_seconds_from_midnight()) * unit + time.increments() % unit, time.scale());
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset.abs() / 60, offset.abs() % 60);
    format!("{}T{}{sign}{hours:02}:{minutes:02}", iso_date(local.date()), time_text(local_time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use tiberius::numeric::Numeric;

    #[test]
    fn decimals_keep_every_digit() {
        assert_eq!(decimal_text(-123400, 4), "-12.3400");
        assert_eq!(decimal_text(5, 2), "0.05");
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(decimal_text(42, 0), "42");
        assert_eq!(decimal_text(0, 2), "0.00");
        let max = 10i128.pow(38) - 1;
        assert_eq!(decimal_text(max, 10), "9999999999999999999999999999.9999999999");
        assert_eq!(decimal_text(i128::MIN, 0), i128::MIN.to_string());
        let n = ColumnData::Numeric(Some(Numeric::new_with_scale(12_345_678_901_234_567_890, 2)));
        assert_eq!(value(ColumnType::Decimaln, &n), Value::Decimal("123456789012345678.90".into()));
    }

    #[test]
    fn money_comes_back_exact() {
        assert_eq!(money_text(1234.5678), "1234.5678");
        assert_eq!(money_text(-0.0001), "-0.0001");
        assert_eq!(money_text(0.1 + 0.2), "0.3000");
        assert_eq!(money_text(99_999_999_999.999_9), "99999999999.9999");
        assert_eq!(value(ColumnType::Money, &ColumnData::F64(Some(19.99))), Value::Decimal("19.9900".into()));
        assert_eq!(value(ColumnType::Float8, &ColumnData::F64(Some(19.99))), Value::Float(19.99));
    }

    #[test]
    fn dates_and_times_are_iso() {
        // 2024-02-29 is 45349 days after 1900-01-01; 300 ticks a second.
        let dt = DateTime::new(45349, (13 * 3600 + 5 * 60 + 9) * 300 + 1);
        assert_eq!(datetime_text(dt), "2024-02-29T13:05:09.003");
        assert_eq!(datetime_text(DateTime::new(-1, 299)), "1899-12-31T00:00:00.997");
        assert_eq!(smalldatetime_text(SmallDateTime::new(45349, 61)), "2024-02-29T01:01:00");
        let date = Date::new(738_944); // days since 0001-01-01
        assert_eq!(date_text(date), "2024-02-29");
        assert_eq!(time_text(Time::new(1_234_567 + 3_600 * 10_000_000, 7)), "01:00:00.1234567");
        assert_eq!(time_text(Time::new(59, 0)), "00:00:59");
        assert_eq!(datetime2_text(DateTime2::new(date, Time::new(50, 1))), "2024-02-29T00:00:05.0");
        // 23:30 UTC on the 29th is 01:30 on 1 March at +02:00 and 18:00 on the 29th at -05:30.
        let utc = DateTime2::new(date, Time::new((23 * 3600 + 30 * 60) * 1000, 3));
        assert_eq!(offset_text(DateTimeOffset::new(utc, 120)), "2024-03-01T01:30:00.000+02:00");
        assert_eq!(offset_text(DateTimeOffset::new(utc, -330)), "2024-02-29T18:00:00.000-05:30");
    }

    #[test]
    fn other_types_map_to_their_values() {
        assert_eq!(value(ColumnType::Int1, &ColumnData::U8(Some(255))), Value::Int(255));
        assert_eq!(value(ColumnType::Int8, &ColumnData::I64(Some(i64::MIN))), Value::Int(i64::MIN));
        assert_eq!(value(ColumnType::Float4, &ColumnData::F32(Some(0.1))), Value::Float(0.1));
        assert_eq!(value(ColumnType::Bitn, &ColumnData::Bit(Some(true))), Value::Bool(true));
        assert_eq!(value(ColumnType::NVarchar, &ColumnData::String(Some(Cow::from("")))), Value::Text("".into()));
        assert_eq!(value(ColumnType::NVarchar, &ColumnData::String(None)), Value::Null);
        let guid = tiberius::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        assert_eq!(
            value(ColumnType::Guid, &ColumnData::Guid(Some(guid))),
            Value::Uuid("01234567-89AB-CDEF-0123-456789ABCDEF".into())
        );
        assert_eq!(type_name(ColumnType::Int8), "bigint");
        assert_eq!(type_name(ColumnType::NVarchar), "nvarchar");
    }
}

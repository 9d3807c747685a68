//! The literals people write in the mongo shell, parsed (never evaluated) into BSON:
//! relaxed JSON (unquoted keys, single quotes, trailing commas, comments), the shell's
//! constructors (`ObjectId("…")`, `ISODate("…")`, `NumberLong(…)`, `NumberDecimal("…")`,
//! …), regex literals, and Extended JSON (`{"$oid": "…"}`). Every error carries the byte
//! offset where parsing failed, so the message can point at it.

use std::str::FromStr;

use mongodb::bson::{self, Bson, Document, oid::ObjectId, spec::BinarySubtype};

/// How deep objects and arrays may nest: deeper input is refused, not a stack overflow.
const MAX_DEPTH: usize = 128;

/// A parse failure at a byte offset of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

impl ParseError {
    /// The message with the line and column of the failure and the input around it, with a
    /// caret under the failing character.
    pub fn describe(&self, input: &str) -> String {
        let offset = floor_char_boundary(input, self.offset.min(input.len()));
        let line_start = input[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = input[offset..].find('\n').map_or(input.len(), |i| offset + i);
        let line_no = input[..offset].matches('\n').count() + 1;
        let column = input[line_start..offset].chars().count() + 1;
        // Show at most 60 characters either side of the failure.
        let before: String =
            input[line_start..offset].chars().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect();
        let after: String = input[offset..line_end].chars().take(60).collect();
        format!(
            "{} at line {line_no}, column {column}:\n  {before}{after}\n  {}^",
            self.message,
            " ".repeat(before.chars().count())
        )
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

pub(crate) type ParseResult<T> = std::result::Result<T, ParseError>;

/// A cursor over shell text; [`super::shell`] drives it for the surrounding syntax.
pub(crate) struct Parser<'a> {
    pub src: &'a str,
    pub pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a str) -> Self {
        Parser { src, pos: 0, depth: 0 }
    }

    pub fn error<T>(&self, message: impl Into<String>) -> ParseResult<T> {
        Err(ParseError { offset: self.pos, message: message.into() })
    }

    fn error_at<T>(&self, offset: usize, message: impl Into<String>) -> ParseResult<T> {
        Err(ParseError { offset, message: message.into() })
    }

    pub fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    pub fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub fn at_end(&mut self) -> ParseResult<bool> {
        self.skip_space()?;
        Ok(self.pos >= self.src.len())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Skips white space and `//` and `/* */` comments.
    pub fn skip_space(&mut self) -> ParseResult<()> {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if let Some(comment) = trimmed.strip_prefix("/*") {
                match comment.find("*/") {
                    Some(end) => self.pos += end + 4,
                    None => return self.error("this comment never closes (missing */)"),
                }
            } else {
                return Ok(());
            }
        }
    }

    /// Consumes `c` (after any space) or fails saying what was expected.
    pub fn expect(&mut self, c: char, what: &str) -> ParseResult<()> {
        self.skip_space()?;
        match self.peek() {
            Some(found) if found == c => {
                self.pos += c.len_utf8();
                Ok(())
            }
            Some(found) => self.error(format!("expected {what} but found '{found}'")),
            None => self.error(format!("expected {what} but the input ended")),
        }
    }

    /// Consumes `c` if it comes next (after any space).
    pub fn eat(&mut self, c: char) -> ParseResult<bool> {
        self.skip_space()?;
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            return Ok(true);
        }
        Ok(false)
    }

    /// A JavaScript-style identifier (letters, digits, `_`, `$`), or `None` if none starts here.
    pub fn identifier(&mut self) -> ParseResult<Option<&'a str>> {
        self.skip_space()?;
        let rest = self.rest();
        let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(rest.len());
        if len == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
            return Ok(None);
        }
        self.pos += len;
        Ok(Some(&rest[..len]))
    }

    /// Any value: object, array, string, number, regex, constant or constructor call.
    pub fn value(&mut self) -> ParseResult<Bson> {
        self.skip_space()?;
        let start = self.pos;
        match self.peek() {
            None => self.error("expected a value but the input ended"),
            Some('{') => Ok(self.document()?.into_extended(start)?),
            Some('[') => Ok(Bson::Array(self.array()?)),
            Some(q @ ('"' | '\'')) => Ok(Bson::String(self.string(q)?)),
            Some('/') => self.regex(),
            Some(c) if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => self.number(),
            Some(_) => self.named_value(),
        }
    }

    /// `{ key: value, … }` with quoted or bare keys and an optional trailing comma.
    pub fn document(&mut self) -> ParseResult<Document> {
        let open = self.pos;
        self.expect('{', "'{'")?;
        self.enter(open)?;
        let mut doc = Document::new();
        loop {
            if self.eat('}')? {
                break;
            }
            let key_at = self.pos;
            let key = self.key()?;
            self.expect(':', &format!("':' after the key '{key}'"))?;
            let value = self.value()?;
            if doc.insert(key.clone(), value).is_some() {
                return self.error_at(key_at, format!("the key '{key}' appears twice in this object"));
            }
            if !self.eat(',')? {
                self.skip_space()?;
                if self.peek().is_none() {
                    return self.error_at(open, "this '{' is never closed");
                }
                self.expect('}', "',' or '}'")?;
                break;
            }
        }
        self.depth -= 1;
        Ok(doc)
    }

    fn array(&mut self) -> ParseResult<Vec<Bson>> {
        let open = self.pos;
        self.expect('[', "'['")?;
        self.enter(open)?;
        let mut items = Vec::new();
        loop {
            if self.eat(']')? {
                break;
            }
            items.push(self.value()?);
            if !self.eat(',')? {
                self.skip_space()?;
                if self.peek().is_none() {
                    return self.error_at(open, "this '[' is never closed");
                }
                self.expect(']', "',' or ']'")?;
                break;
            }
        }
        self.depth -= 1;
        Ok(items)
    }

    fn enter(&mut self, open: usize) -> ParseResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error_at(open, format!("objects and arrays nest deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn key(&mut self) -> ParseResult<String> {
        self.skip_space()?;
        match self.peek() {
            Some(q @ ('"' | '\'')) => self.string(q),
            Some(_) => {
                // Bare keys may hold dots (`"address.city"` written without quotes) and
                // start with digits (`0: …`), which JavaScript would not allow.
                let rest = self.rest();
                let len =
                    rest.find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '$' | '.'))).unwrap_or(rest.len());
                if len == 0 {
                    return self.error("expected a key (a name or a quoted string)");
                }
                self.pos += len;
                Ok(rest[..len].to_owned())
            }
            None => self.error("expected a key but the input ended"),
        }
    }

    /// A quoted string with JavaScript escapes.
    pub fn string(&mut self, quote: char) -> ParseResult<String> {
        let open = self.pos;
        self.bump();
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return self.error_at(open, "this string never closes");
            };
            match c {
                c if c == quote => return Ok(out),
                '\\' => {
                    let escape_at = self.pos - 1;
                    match self.bump() {
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some('r') => out.push('\r'),
                        Some('b') => out.push('\u{8}'),
                        Some('f') => out.push('\u{c}'),
                        Some('0') => out.push('\0'),
                        Some('u') => out.push(self.unicode_escape(escape_at)?),
                        Some('x') => {
                            let code = self.hex_digits(2, escape_at)?;
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        Some('\n') => {}
                        Some(other) => out.push(other),
                        None => return self.error_at(open, "this string never closes"),
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn hex_digits(&mut self, count: usize, escape_at: usize) -> ParseResult<u32> {
        let digits = self.rest().get(..count).filter(|d| d.chars().all(|c| c.is_ascii_hexdigit()));
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(code) => {
                self.pos += count;
                Ok(code)
            }
            None => self.error_at(
                escape_at,
                format!("a \\{} escape needs {count} hex digits", if count == 2 { 'x' } else { 'u' }),
            ),
        }
    }

    fn unicode_escape(&mut self, escape_at: usize) -> ParseResult<char> {
        let high = self.hex_digits(4, escape_at)?;
        if (0xD800..0xDC00).contains(&high) && self.rest().starts_with("\\u") {
            self.pos += 2;
            let low = self.hex_digits(4, escape_at)?;
            if (0xDC00..0xE000).contains(&low) {
                let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
        }
        Ok(char::from_u32(high).unwrap_or('\u{fffd}'))
    }

    /// An integer (int32 when it fits, else int64) or a double.
    fn number(&mut self) -> ParseResult<Bson> {
        let start = self.pos;
        let rest = self.rest();
        let len = rest
            .char_indices()
            .take_while(|&(i, c)| {
                c.is_ascii_digit()
                    || c == '.'
                    || c == 'e'
                    || c == 'E'
                    || (matches!(c, '-' | '+') && (i == 0 || matches!(rest.as_bytes()[i - 1], b'e' | b'E')))
            })
            .count();
        let text = &rest[..len];
        self.pos += len;
        if let Some(sign) = text.strip_suffix(['-', '+']).filter(|t| t.is_empty()).map(|_| text) {
            // `-Infinity`, `+Infinity`.
            if self.identifier()? == Some("Infinity") {
                return Ok(Bson::Double(if sign == "-" { f64::NEG_INFINITY } else { f64::INFINITY }));
            }
            return self.error_at(start, "expected a number after the sign");
        }
        if !text.contains(['.', 'e', 'E']) {
            if let Ok(n) = text.parse::<i32>() {
                return Ok(Bson::Int32(n));
            }
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Bson::Int64(n));
            }
        }
        match text.parse::<f64>() {
            Ok(n) => Ok(Bson::Double(n)),
            Err(_) => self.error_at(start, format!("'{text}' is not a number")),
        }
    }

    /// `/pattern/flags`.
    fn regex(&mut self) -> ParseResult<Bson> {
        let open = self.pos;
        self.bump();
        let mut pattern = String::new();
        let mut in_class = false;
        loop {
            match self.bump() {
                None | Some('\n') => return self.error_at(open, "this regular expression never closes (missing /)"),
                Some('\\') => {
                    pattern.push('\\');
                    match self.bump() {
                        Some(c) => pattern.push(c),
                        None => return self.error_at(open, "this regular expression never closes (missing /)"),
                    }
                }
                Some('[') => {
                    in_class = true;
                    pattern.push('[');
                }
                Some(']') => {
                    in_class = false;
                    pattern.push(']');
                }
                Some('/') if !in_class => break,
                Some(c) => pattern.push(c),
            }
        }
        let flags_at = self.pos;
        let rest = self.rest();
        let len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let flags = &rest[..len];
        if let Some(bad) = flags.chars().find(|c| !"imsxlu".contains(*c)) {
            return self
                .error_at(flags_at, format!("'{bad}' is not a regular expression flag (use i, m, s, x, l or u)"));
        }
        self.pos += len;
        let mut sorted: Vec<char> = flags.chars().collect();
        sorted.sort_unstable();
        sorted.dedup();
        Ok(Bson::RegularExpression(bson::Regex { pattern, options: sorted.into_iter().collect() }))
    }

    /// Constants (`true`, `null`, `NaN`, `MinKey`…) and constructor calls
    /// (`ObjectId("…")`, `new Date(…)`, …).
    fn named_value(&mut self) -> ParseResult<Bson> {
        let start = self.pos;
        let Some(mut name) = self.identifier()? else {
            let found = self.peek().map_or_else(String::new, |c| c.to_string());
            return self.error(format!("expected a value but found '{found}'"));
        };
        if name == "new" {
            name = match self.identifier()? {
                Some(name) => name,
                None => return self.error("expected a constructor name after 'new'"),
            };
        }
        let value = match name {
            "true" => Bson::Boolean(true),
            "false" => Bson::Boolean(false),
            "null" | "undefined" => Bson::Null,
            "NaN" => Bson::Double(f64::NAN),
            "Infinity" => Bson::Double(f64::INFINITY),
            "MinKey" | "MaxKey" => {
                if self.eat('(')? {
                    self.expect(')', "')'")?;
                }
                if name == "MinKey" { Bson::MinKey } else { Bson::MaxKey }
            }
            _ => return self.constructor(name, start),
        };
        Ok(value)
    }

    fn constructor(&mut self, name: &str, start: usize) -> ParseResult<Bson> {
        const KNOWN: &str = "ObjectId, ISODate, Date, NumberLong, NumberInt, NumberDecimal, Decimal128, Timestamp, \
                             BinData, UUID, MinKey, MaxKey";
        if !self.eat('(')? {
            return self.error_at(start, format!("unknown name '{name}': quote strings, and use one of {KNOWN}"));
        }
        let args_at = self.pos;
        let mut args = Vec::new();
        while !self.eat(')')? {
            args.push(self.value()?);
            if !self.eat(',')? {
                self.expect(')', "',' or ')'")?;
                break;
            }
        }
        let bad = |p: &Self, why: &str| p.error_at::<Bson>(args_at, format!("{name}(…): {why}"));
        match (name, args.as_slice()) {
            ("ObjectId" | "ObjectID", []) => Ok(Bson::ObjectId(ObjectId::new())),
            ("ObjectId" | "ObjectID", [Bson::String(hex)]) => match ObjectId::parse_str(hex) {
                Ok(id) => Ok(Bson::ObjectId(id)),
                Err(_) => bad(self, &format!("'{hex}' is not an ObjectId (24 hexadecimal digits)")),
            },
            ("ISODate" | "Date", []) => Ok(Bson::DateTime(bson::DateTime::now())),
            ("ISODate" | "Date", [Bson::String(text)]) => match parse_date(text) {
                Some(date) => Ok(Bson::DateTime(date)),
                None => bad(self, &format!("'{text}' is not an ISO-8601 date (like 2024-05-01T12:00:00Z)")),
            },
            ("Date", [millis]) => match as_i64(millis) {
                Some(ms) => Ok(Bson::DateTime(bson::DateTime::from_millis(ms))),
                None => bad(self, "expects milliseconds since 1970 or an ISO-8601 string"),
            },
            ("NumberLong", [n]) => match as_i64(n) {
                Some(n) => Ok(Bson::Int64(n)),
                None => bad(self, "expects a 64-bit integer"),
            },
            ("NumberInt", [n]) => match as_i64(n).and_then(|n| i32::try_from(n).ok()) {
                Some(n) => Ok(Bson::Int32(n)),
                None => bad(self, "expects a 32-bit integer"),
            },
            ("NumberDecimal" | "Decimal128", [n]) => {
                let text = match n {
                    Bson::String(s) => s.clone(),
                    Bson::Int32(i) => i.to_string(),
                    Bson::Int64(i) => i.to_string(),
                    Bson::Double(d) => d.to_string(),
                    _ => return bad(self, "expects a number as a string, like NumberDecimal(\"12.50\")"),
                };
                match bson::Decimal128::from_str(&text) {
                    Ok(d) => Ok(Bson::Decimal128(d)),
                    Err(_) => bad(self, &format!("'{text}' is not a decimal number")),
                }
            }
            ("Timestamp", [t, i]) => {
                match (as_i64(t).and_then(|t| u32::try_from(t).ok()), as_i64(i).and_then(|i| u32::try_from(i).ok())) {
                    (Some(time), Some(increment)) => Ok(Bson::Timestamp(bson::Timestamp { time, increment })),
                    _ => bad(self, "expects two unsigned 32-bit integers (seconds, increment)"),
                }
            }
            ("BinData", [subtype, Bson::String(base64)]) => {
                let Some(subtype) = as_i64(subtype).and_then(|s| u8::try_from(s).ok()) else {
                    return bad(self, "the subtype must be a number from 0 to 255");
                };
                match bson::Binary::from_base64(base64, BinarySubtype::from(subtype)) {
                    Ok(binary) => Ok(Bson::Binary(binary)),
                    Err(_) => bad(self, "the data must be base64"),
                }
            }
            ("UUID", [Bson::String(text)]) => match bson::Uuid::parse_str(text) {
                Ok(uuid) => Ok(Bson::Binary(bson::Binary::from_uuid(uuid))),
                Err(_) => bad(self, &format!("'{text}' is not a UUID")),
            },
            (
                "ObjectId" | "ObjectID" | "ISODate" | "Date" | "NumberLong" | "NumberInt" | "NumberDecimal"
                | "Decimal128" | "Timestamp" | "BinData" | "UUID",
                _,
            ) => bad(self, "wrong arguments"),
            _ => self.error_at(
                start,
                format!("unknown function '{name}': the shell syntax is parsed, not run; known: {KNOWN}"),
            ),
        }
    }
}

fn as_i64(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        Bson::Double(d) if d.fract() == 0.0 && d.is_finite() && d.abs() < 9.007_199_254_740_992e15 => Some(*d as i64),
        Bson::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An ISO-8601 date, date-time, or date-time with offset (no offset means UTC, as in the shell).
fn parse_date(text: &str) -> Option<bson::DateTime> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let text = text.trim();
    let utc = if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        dt.timestamp_millis()
    } else if let Ok(dt) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        dt.and_utc().timestamp_millis()
    } else if let Ok(dt) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f") {
        dt.and_utc().timestamp_millis()
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis()
    };
    Some(bson::DateTime::from_millis(utc))
}

/// The Extended JSON wrappers (`{"$oid": …}`) that stand for one BSON value.
const EXTENDED_KEYS: [&str; 16] = [
    "$oid",
    "$date",
    "$numberLong",
    "$numberInt",
    "$numberDouble",
    "$numberDecimal",
    "$binary",
    "$uuid",
    "$regularExpression",
    "$timestamp",
    "$minKey",
    "$maxKey",
    "$symbol",
    "$code",
    "$dbPointer",
    "$undefined",
];

trait IntoExtended {
    fn into_extended(self, start: usize) -> ParseResult<Bson>;
}

impl IntoExtended for Document {
    /// An Extended JSON wrapper becomes the value it stands for; any other document stays.
    fn into_extended(self, start: usize) -> ParseResult<Bson> {
        let is_wrapper = self.keys().next().is_some_and(|k| EXTENDED_KEYS.contains(&k.as_str()));
        if !is_wrapper {
            return Ok(Bson::Document(self));
        }
        let json = Bson::Document(self).into_relaxed_extjson();
        Bson::try_from(json).map_err(|e| ParseError { offset: start, message: format!("invalid Extended JSON: {e}") })
    }
}

/// Parses one complete value (the whole input).
pub fn parse_value(input: &str) -> ParseResult<Bson> {
    let mut parser = Parser::new(input);
    let value = parser.value()?;
    if !parser.at_end()? {
        return parser.error("unexpected text after the value");
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    fn ok(input: &str) -> Bson {
        parse_value(input).unwrap_or_else(|e| panic!("{input}: {}", e.describe(input)))
    }

    fn err(input: &str) -> ParseError {
        parse_value(input).err().unwrap_or_else(|| panic!("{input} parsed"))
    }

    #[test]
    fn relaxed_json() {
        assert_eq!(
            ok("{name: 'Ada', \"age\": 36, 'tags': ['a', \"b\",], nested: {x: -1.5e2, big: 9007199254740993},}"),
            Bson::Document(doc! {
                "name": "Ada", "age": 36, "tags": ["a", "b"], "nested": { "x": -150.0, "big": 9_007_199_254_740_993_i64 }
            })
        );
        assert_eq!(
            ok("{ $gt: 25, 'a.b': null, c: true } // comment"),
            Bson::Document(doc! {"$gt": 25, "a.b": Bson::Null, "c": true})
        );
        assert_eq!(ok("/* lead */ 'it\\'s \\u00e9\\n'"), Bson::String("it's é\n".into()));
    }

    #[test]
    fn shell_constructors_and_extended_json() {
        let id = "65a1b2c3d4e5f60718293a4b";
        let expected = Bson::ObjectId(ObjectId::parse_str(id).expect("valid id"));
        assert_eq!(ok(&format!("ObjectId(\"{id}\")")), expected);
        assert_eq!(ok(&format!("{{\"$oid\": \"{id}\"}}")), expected);
        assert_eq!(ok("ISODate('2024-05-01T12:00:00Z')"), ok("{$date: '2024-05-01T12:00:00Z'}"));
        assert_eq!(ok("new Date('2024-05-01')"), Bson::DateTime(bson::DateTime::from_millis(1_714_521_600_000)));
        assert_eq!(ok("NumberLong('9223372036854775807')"), Bson::Int64(i64::MAX));
        assert_eq!(ok("NumberLong(5)"), ok("{$numberLong: '5'}"));
        assert_eq!(ok("NumberInt(7)"), Bson::Int32(7));
        assert_eq!(ok("NumberDecimal('12.50')"), ok("{\"$numberDecimal\": \"12.50\"}"));
        assert_eq!(ok("Timestamp(10, 2)"), Bson::Timestamp(bson::Timestamp { time: 10, increment: 2 }));
        assert_eq!(
            ok("/^ab[/c]+$/im"),
            Bson::RegularExpression(bson::Regex { pattern: "^ab[/c]+$".into(), options: "im".into() })
        );
        assert!(
            matches!(ok("UUID('3b241101-e2bb-4255-8caf-4136c566a962')"), Bson::Binary(b) if b.subtype == BinarySubtype::Uuid)
        );
        assert_eq!(
            ok("[MinKey, MaxKey(), -Infinity]"),
            Bson::Array(vec![Bson::MinKey, Bson::MaxKey, Bson::Double(f64::NEG_INFINITY)])
        );
    }

    #[test]
    fn errors_point_at_the_failure() {
        let e = err("{a: 1, b: [1, 2}");
        assert_eq!(e.offset, 15, "{e:?}");
        assert!(e.message.contains("',' or ']'"), "{e:?}");
        let e = err("{a: ObjectId('xyz')}");
        assert_eq!(e.offset, 13);
        assert!(e.message.contains("not an ObjectId"));
        let input = "{a: 1,\n  b: foo}";
        let e = err(input);
        assert_eq!(e.offset, 12);
        assert!(e.describe(input).contains("line 2, column 6"), "{}", e.describe(input));
        assert!(err("{a: 1").message.contains("never closed"));
        assert!(err("'open").message.contains("never closes"));
        assert!(err("{a: 1, a: 2}").message.contains("twice"));
        assert!(err("/x/q").message.contains("not a regular expression flag"));
        assert!(err("{a: {$date: 'yesterday'}}").message.contains("Extended JSON"));
        assert!(err(&"[".repeat(10_000)).message.contains("nest deeper"));
        assert!(err("{a: 1} {b: 2}").message.contains("after the value"));
        assert!(err("- x").message.contains("number"));
    }

    #[test]
    fn describe_handles_multibyte_text() {
        let input = "{név: 'é', x: ¿}";
        let e = err(input);
        assert!(e.describe(input).contains('^'));
    }
}

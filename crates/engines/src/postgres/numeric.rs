//! PostgreSQL's binary `numeric` format, both ways, exactly: no float on the path, so a
//! `numeric(30,10)` keeps all thirty digits.
//!
//! Wire layout: `ndigits: i16, weight: i16, sign: u16, dscale: u16`, then `ndigits`
//! base-10000 digits (`u16`). The value is `sum(digit[i] * 10000^(weight - i))`, printed
//! with `dscale` digits after the point.

const POSITIVE: u16 = 0x0000;
const NEGATIVE: u16 = 0x4000;
const NAN: u16 = 0xC000;
const PINF: u16 = 0xD000;
const NINF: u16 = 0xF000;

/// Decodes to plain decimal text (`-1234.5600`, `NaN`, `Infinity`). `None` if malformed.
pub(crate) fn decode(bytes: &[u8]) -> Option<String> {
    let word = |i: usize| bytes.get(i * 2..i * 2 + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let ndigits = word(0)? as i16;
    let weight = word(1)? as i16;
    let sign = word(2)?;
    let dscale = word(3)? as usize;
    match sign {
        NAN => return Some("NaN".into()),
        PINF => return Some("Infinity".into()),
        NINF => return Some("-Infinity".into()),
        POSITIVE | NEGATIVE => {}
        _ => return None,
    }
    let digits: Vec<u16> = (0..ndigits.max(0) as usize).map(|i| word(4 + i)).collect::<Option<_>>()?;
    if digits.iter().any(|&d| d >= 10_000) {
        return None;
    }
    let digit_at = |group: i32| -> u16 {
        // group is the power of 10000 (weight = highest); out of range means zero.
        let index = i32::from(weight) - group;
        usize::try_from(index).ok().and_then(|i| digits.get(i)).copied().unwrap_or(0)
    };
    let mut out = String::new();
    if sign == NEGATIVE {
        out.push('-');
    }
    // Integer part: groups weight..=0.
    if weight < 0 {
        out.push('0');
    } else {
        for (n, group) in (0..=i32::from(weight)).rev().enumerate() {
            let d = digit_at(group);
            if n == 0 {
                out.push_str(&d.to_string());
            } else {
                out.push_str(&format!("{d:04}"));
            }
        }
    }
    if dscale > 0 {
        out.push('.');
        let mut frac = String::with_capacity(dscale + 4);
        let mut group = -1;
        while frac.len() < dscale {
            frac.push_str(&format!("{:04}", digit_at(group)));
            group -= 1;
        }
        frac.truncate(dscale);
        out.push_str(&frac);
    }
    Some(out)
}

/// Encodes decimal text (`12.5`, `-0.001`, `1e20`, `NaN`, `Infinity`) to the wire format.
pub(crate) fn encode(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let special = match text.to_ascii_lowercase().as_str() {
        "nan" => Some(NAN),
        "infinity" | "+infinity" | "inf" => Some(PINF),
        "-infinity" | "-inf" => Some(NINF),
        _ => None,
    };
    if let Some(sign) = special {
        return Ok(header(0, 0, sign, 0));
    }
    let bad = || format!("'{text}' is not a decimal number");
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], unsigned[i + 1..].parse::<i32>().map_err(|_| bad())?),
        None => (unsigned, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    // All digits, and where the decimal point sits within them.
    let mut all: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).map(|b| b - b'0').collect();
    let mut point = int_part.len() as i64 + i64::from(exponent);
    let dscale = (frac_part.len() as i64 - i64::from(exponent)).max(0);
    if dscale > 16383 || point.abs() > 131_072 {
        return Err(format!("'{text}' is out of numeric's range"));
    }
    // Lay the digits out so the point sits on a base-10000 group boundary: zeros in front
    // of a point left of the first digit, zeros behind a point right of the last, then pad
    // both ends to whole groups.
    if point < 0 {
        let mut zeros = vec![0u8; (-point) as usize];
        zeros.append(&mut all);
        all = zeros;
        point = 0;
    }
    if point as usize > all.len() {
        all.resize(point as usize, 0);
    }
    let front_pad = (4 - point % 4) % 4;
    let mut padded = vec![0u8; front_pad as usize];
    padded.append(&mut all);
    point += front_pad;
    while !padded.len().is_multiple_of(4) {
        padded.push(0);
    }
    let groups: Vec<u16> = padded.chunks(4).map(|c| c.iter().fold(0u16, |acc, &d| acc * 10 + u16::from(d))).collect();
    // weight = index of the group just before the point, counted from the point.
    let mut weight = (point / 4) as i32 - 1;
    let mut groups: &[u16] = &groups;
    while let [0, rest @ ..] = groups {
        groups = rest;
        weight -= 1;
    }
    while let [rest @ .., 0] = groups {
        groups = rest;
    }
    if groups.is_empty() {
        return Ok(header(0, 0, POSITIVE, dscale as u16));
    }
    let sign = if negative { NEGATIVE } else { POSITIVE };
    let mut out = header(groups.len() as i16, weight as i16, sign, dscale as u16);
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
    Ok(out)
}

fn header(ndigits: i16, weight: i16, sign: u16, dscale: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + ndigits.max(0) as usize * 2);
    out.extend_from_slice(&ndigits.to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&dscale.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(input: &str, expected: &str) {
        let encoded = encode(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(decode(&encoded).as_deref(), Some(expected), "{input}");
    }

    #[test]
    fn round_trips_exactly() {
        for (input, expected) in [
            ("0", "0"),
            ("0.00", "0.00"),
            ("1", "1"),
            ("-1", "-1"),
            ("10000", "10000"),
            ("12345678901234567890.0123456789", "12345678901234567890.0123456789"),
            ("-98765432109876543210.9876543210", "-98765432109876543210.9876543210"),
            ("0.0001", "0.0001"),
            ("0.00001", "0.00001"),
            ("-0.000000123", "-0.000000123"),
            ("123.45", "123.45"),
            ("1e3", "1000"),
            ("1.5e-3", "0.0015"),
            ("+42.10", "42.10"),
            (".5", "0.5"),
            ("NaN", "NaN"),
            ("Infinity", "Infinity"),
            ("-Infinity", "-Infinity"),
        ] {
            round_trip(input, expected);
        }
    }

    #[test]
    fn decodes_server_bytes() {
        // SELECT 1234.5600::numeric sent by PostgreSQL: ndigits 2, weight 0, sign 0, dscale 4, [1234, 5600]
        let bytes = [0, 2, 0, 0, 0, 0, 0, 4, 0x04, 0xD2, 0x15, 0xE0];
        assert_eq!(decode(&bytes).as_deref(), Some("1234.5600"));
        // 0.01: ndigits 1, weight -1, dscale 2, [100]
        let bytes = [0, 1, 0xFF, 0xFF, 0, 0, 0, 2, 0, 100];
        assert_eq!(decode(&bytes).as_deref(), Some("0.01"));
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "-", "1.2.3", "abc", "1e", "12a", "1e999999"] {
            assert!(encode(bad).is_err(), "{bad}");
        }
        assert_eq!(decode(&[0, 1]), None);
        assert_eq!(decode(&[0, 1, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]), None);
    }
}

//! Parameters: SQL Server names them `@P1, @P2, …` (tiberius declares exactly those for
//! `sp_executesql`). The statement is scanned for them — outside strings, quoted names and
//! comments — so a call with the wrong number of values is refused before it is sent.

use tiberius::Query;
use tiberius::numeric::Numeric;

/// The highest `@Pn` the statement uses (0 when none). `@@VERSION` is a global, `@P1x` and
/// `@P01` are other variables.
pub(crate) fn placeholder_count(sql: &str) -> usize {
    let chars: Vec<char> = sql.chars().collect();
    let n = chars.len();
    let mut highest = 0;
    let mut i = 0;
    let word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '@' | '#' | '$');
    while i < n {
        let next = chars.get(i + 1).copied();
        match chars[i] {
            '\'' | '"' => i = skip_quoted(&chars, i, chars[i]),
            '[' => i = skip_quoted(&chars, i, ']'),
            '-' if next == Some('-') => {
                while i < n && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                // T-SQL block comments nest.
                let mut depth = 0;
                while i < n {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            '@' if (i == 0 || !word(chars[i - 1])) && matches!(next, Some('P' | 'p')) => {
                let start = i + 2;
                let mut end = start;
                while end < n && chars[end].is_ascii_digit() {
                    end += 1;
                }
                let digits: String = chars[start..end].iter().collect();
                let ends_name = end == n || !word(chars[end]);
                if ends_name
                    && !digits.starts_with('0')
                    && let Ok(k) = digits.parse::<usize>()
                {
                    highest = highest.max(k);
                }
                i = end.max(i + 1);
            }
            c if word(c) => {
                // Skip the rest of a word, so `x@P1` is not read as a parameter.
                while i < n && word(chars[i]) {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    highest
}

/// Index just past the closing `quote` (doubled quotes escape it), or the end.
fn skip_quoted(chars: &[char], start: usize, quote: char) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

/// Binds JSON values as their natural SQL Server types (SQL Server converts between them as
/// the statement needs): null, bit, bigint (numeric(20) past i64), float, nvarchar; arrays
/// and objects as JSON text, which `OPENJSON` and `JSON_VALUE` read.
pub(crate) fn bind<'a>(sql: &'a str, params: &'a [serde_json::Value]) -> Query<'a> {
    let mut query = Query::new(sql);
    for p in params {
        match p {
            serde_json::Value::Null => query.bind(Option::<&str>::None),
            serde_json::Value::Bool(b) => query.bind(*b),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => query.bind(i),
                (None, Some(u)) => query.bind(Numeric::new_with_scale(i128::from(u), 0)),
                _ => query.bind(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => query.bind(s.as_str()),
            other => query.bind(other.to_string()),
        }
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_placeholders_outside_strings_names_and_comments() {
        assert_eq!(placeholder_count("SELECT 1"), 0);
        assert_eq!(placeholder_count("SELECT * FROM t WHERE a = @P1 AND b = @p2"), 2);
        assert_eq!(placeholder_count("SELECT @P2, @P1, @P2"), 2);
        assert_eq!(placeholder_count("SELECT @P3"), 3, "the highest one decides");
        assert_eq!(placeholder_count("SELECT '@P1', N'it''s @P2', [@P3], \"@P4\" -- @P5\n /* @P6 /* @P7 */ @P8 */"), 0);
        assert_eq!(placeholder_count("SELECT @@VERSION, @P1x, @P01, @Pname, x@P4, @P1"), 1);
        assert_eq!(placeholder_count("SELECT @P10"), 10);
    }
}

//! One Redis command as people type it for `redis-cli`: words split on spaces, `"…"` with
//! C escapes (`\n`, `\t`, `\"`, `\\`, `\xHH` for any byte) and `'…'` taken literally but
//! for `\'`. A closing quote must end its word, as in redis-cli, so `"a"b` is a typo
//! rather than a guess.

use dbdock_core::{Error, Result};

/// The command's words, as bytes (`\xHH` can write any byte). Empty text is an error.
pub fn split(line: &str) -> Result<Vec<Vec<u8>>> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            break;
        }
        let mut word = Vec::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    double_quoted(&mut chars, &mut word)?;
                    closed(&mut chars)?;
                    break;
                }
                '\'' => {
                    single_quoted(&mut chars, &mut word)?;
                    closed(&mut chars)?;
                    break;
                }
                c if c.is_whitespace() => break,
                c => push_char(&mut word, c),
            }
        }
        words.push(word);
    }
    if words.is_empty() {
        return Err(Error::invalid_input("type a Redis command, e.g. GET user:1 or HGETALL user:1"));
    }
    Ok(words)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn push_char(word: &mut Vec<u8>, c: char) {
    word.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
}

fn double_quoted(chars: &mut Chars<'_>, word: &mut Vec<u8>) -> Result<()> {
    loop {
        match chars.next() {
            None => return Err(unbalanced()),
            Some('"') => return Ok(()),
            Some('\\') => match chars.next() {
                None => return Err(unbalanced()),
                Some('n') => word.push(b'\n'),
                Some('r') => word.push(b'\r'),
                Some('t') => word.push(b'\t'),
                Some('b') => word.push(0x08),
                Some('a') => word.push(0x07),
                Some('x') => {
                    let hex: String = [chars.peek().copied(), chars.clone().nth(1)].into_iter().flatten().collect();
                    match u8::from_str_radix(&hex, 16) {
                        Ok(byte) if hex.len() == 2 => {
                            word.push(byte);
                            chars.nth(1);
                        }
                        // Not two hex digits: redis-cli keeps the `x` as it is.
                        _ => word.push(b'x'),
                    }
                }
                Some(other) => push_char(word, other),
            },
            Some(c) => push_char(word, c),
        }
    }
}

fn single_quoted(chars: &mut Chars<'_>, word: &mut Vec<u8>) -> Result<()> {
    loop {
        match chars.next() {
            None => return Err(unbalanced()),
            Some('\'') => return Ok(()),
            Some('\\') if chars.peek() == Some(&'\'') => {
                chars.next();
                word.push(b'\'');
            }
            Some(c) => push_char(word, c),
        }
    }
}

/// A closing quote ends the word: what follows is a space or the end.
fn closed(chars: &mut Chars<'_>) -> Result<()> {
    match chars.peek() {
        None => Ok(()),
        Some(c) if c.is_whitespace() => Ok(()),
        Some(c) => Err(Error::invalid_input(format!(
            "a closing quote must end its argument, but '{c}' follows it: put a space after the quote"
        ))),
    }
}

fn unbalanced() -> Error {
    Error::invalid_input("unbalanced quotes in the Redis command: close every \" and ' you open")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn words(line: &str) -> Vec<String> {
        split(line).unwrap().into_iter().map(|w| String::from_utf8_lossy(&w).into_owned()).collect()
    }

    #[test]
    fn splits_like_redis_cli() {
        assert_eq!(words("  HGETALL   user:1 "), ["HGETALL", "user:1"]);
        assert_eq!(words(r#"SET "my key" 'it''s'"#.replace("''", r"\'").as_str()), ["SET", "my key", "it's"]);
        assert_eq!(words(r#"GET "a\"b\\c\n""#), ["GET", "a\"b\\c\n"]);
        assert_eq!(words(r"GET 'no \n escapes'"), ["GET", r"no \n escapes"]);
        assert_eq!(words(r#"ECHO """#), ["ECHO", ""]);
        assert_eq!(words("GET ключ"), ["GET", "ключ"]);
        assert_eq!(split(r#"GET "\xff\x00\xzz""#).unwrap()[1], [0xff, 0x00, b'x', b'z', b'z']);
    }

    #[test]
    fn bad_quotes_and_empty_text_are_errors() {
        for bad in [r#"GET "open"#, "GET 'open", r#"GET "a"b"#, "   ", ""] {
            let err = split(bad).unwrap_err();
            assert_eq!(err.code, dbdock_core::ErrorCode::InvalidInput, "{bad}: {err}");
        }
    }
}

//! Cutting text that leaves DB Dock (error messages to AI clients, audited statements) to
//! a size, so one huge value cannot flood a client or the audit log: docs/safety.md.

use std::borrow::Cow;

/// Error messages sent to clients are cut to this many bytes.
pub const MAX_ERROR_MESSAGE_BYTES: usize = 4 * 1024;
/// Audited statements and parameters are cut to this many bytes each.
pub const MAX_AUDITED_TEXT_BYTES: usize = 16 * 1024;

/// `text` cut to at most `max_bytes` bytes on a character boundary, with a note of how
/// many bytes were cut; unchanged when it fits.
pub fn cap_text(text: &str, max_bytes: usize) -> Cow<'_, str> {
    if text.len() <= max_bytes {
        return Cow::Borrowed(text);
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…[cut: {} more bytes]", &text[..end], text.len() - end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_a_char_boundary_and_says_how_much() {
        assert_eq!(cap_text("short", 10), "short");
        let text = "é".repeat(10); // 20 bytes
        let cut = cap_text(&text, 5);
        assert_eq!(cut, "éé…[cut: 16 more bytes]");
        assert!(matches!(cap_text("abc", 3), Cow::Borrowed(_)));
    }
}

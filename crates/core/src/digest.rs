//! SHA-256 over a canonical encoding of several fields, for hashes that bind a tuple of
//! values (an approval to what it approves, an audit row to its content and to the row
//! before it).
//!
//! Each field is written as its length (8 bytes, little endian) followed by its bytes, so
//! no two different tuples encode to the same bytes: `("ab", "c")` and `("a", "bc")` differ.
//! An absent field is written as the length `u64::MAX` with no bytes, a length no text
//! can have, so `None` never hashes like `Some("")`.

use sha2::{Digest, Sha256};

/// Marks an absent field: no text is `u64::MAX` bytes long.
const ABSENT: u64 = u64::MAX;

/// A SHA-256 over fields added one by one; [`CanonicalHash::finish`] gives lowercase hex.
#[derive(Clone, Default)]
pub struct CanonicalHash {
    hash: Sha256,
}

impl CanonicalHash {
    pub fn new() -> CanonicalHash {
        CanonicalHash::default()
    }

    /// Adds a field that is always present.
    #[must_use]
    pub fn text(mut self, field: &str) -> CanonicalHash {
        self.hash.update((field.len() as u64).to_le_bytes());
        self.hash.update(field.as_bytes());
        self
    }

    /// Adds a field that may be absent; `None` and `Some("")` hash differently.
    #[must_use]
    pub fn optional(self, field: Option<&str>) -> CanonicalHash {
        match field {
            Some(field) => self.text(field),
            None => {
                let mut this = self;
                this.hash.update(ABSENT.to_le_bytes());
                this
            }
        }
    }

    /// The hash, as 64 lowercase hex digits.
    pub fn finish(self) -> String {
        self.hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The [`CanonicalHash`] of `fields`, all present.
pub fn canonical_sha256(fields: &[&str]) -> String {
    fields.iter().fold(CanonicalHash::new(), |hash, field| hash.text(field)).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_is_the_length_prefixed_fields() {
        // sha256(le64(2) "ab" le64(1) "c"), computed independently (Python hashlib).
        assert_eq!(canonical_sha256(&["ab", "c"]), "43ee655579de01ca739b3f95c1c2d3f46d353b2c0df818064ea594506cdb2617");
    }

    #[test]
    fn fields_cannot_shift_and_absence_is_not_emptiness() {
        assert_ne!(canonical_sha256(&["ab", "c"]), canonical_sha256(&["a", "bc"]));
        assert_ne!(canonical_sha256(&["", "a"]), canonical_sha256(&["a", ""]));
        let absent = CanonicalHash::new().text("x").optional(None).finish();
        let empty = CanonicalHash::new().text("x").optional(Some("")).finish();
        assert_ne!(absent, empty);
        assert_eq!(empty, canonical_sha256(&["x", ""]));
        assert_eq!(CanonicalHash::new().optional(Some("a")).finish(), canonical_sha256(&["a"]));
    }
}

//! What a file or directory holds, to show a read-only call changed nothing on disk.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

/// The file's bytes, hashed, and their length.
pub fn file_hash(path: &Path) -> (u64, usize) {
    let bytes = std::fs::read(path).expect("read the database");
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    (h.finish(), bytes.len())
}

/// The names in a directory.
pub fn dir_listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("list the directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

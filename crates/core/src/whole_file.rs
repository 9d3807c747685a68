//! Writing a file the user named so that a failure never leaves half of it where theirs
//! was: the bytes go to a side file that replaces the target only once it is complete.
//! A target that is not a regular file (`/dev/null`, `/dev/stdout`, a named pipe) is
//! written in place, since renaming over it would replace the device or pipe itself.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// A file being written; [`WholeFile::commit`] puts it in place, dropping it without a
/// commit removes the side file and leaves the target as it was.
pub struct WholeFile {
    target: PathBuf,
    /// The side file, when the target is (or will be) a regular file.
    partial: Option<PathBuf>,
    out: BufWriter<File>,
}

impl WholeFile {
    pub fn create(target: &Path) -> Result<WholeFile> {
        let in_place = std::fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir());
        let partial = (!in_place).then(|| PathBuf::from(format!("{}.dbdock-partial", target.display())));
        let opened = match &partial {
            Some(side) => File::create(side),
            None => std::fs::OpenOptions::new().write(true).open(target),
        };
        let file = opened.map_err(|e| cannot_write(target, &e))?;
        Ok(WholeFile { target: target.to_owned(), partial, out: BufWriter::new(file) })
    }

    /// Writes `text` and a line end to `target` as one whole file.
    pub fn write_text(target: &Path, text: &str) -> Result<()> {
        let mut file = WholeFile::create(target)?;
        writeln!(file, "{text}").map_err(|e| cannot_write(target, &e))?;
        file.commit()
    }

    /// Flushes and puts the file in place of the target.
    pub fn commit(mut self) -> Result<()> {
        self.out.flush().map_err(|e| cannot_write(&self.target, &e))?;
        if let Some(side) = self.partial.take() {
            std::fs::rename(&side, &self.target).map_err(|e| {
                let _ = std::fs::remove_file(&side);
                cannot_write(&self.target, &e)
            })?;
        }
        Ok(())
    }
}

impl Write for WholeFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Drop for WholeFile {
    fn drop(&mut self) {
        if let Some(side) = &self.partial {
            let _ = std::fs::remove_file(side);
        }
    }
}

fn cannot_write(path: &Path, e: &std::io::Error) -> Error {
    Error::invalid_input(format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_target_changes_only_on_commit_and_no_side_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let mut dropped = WholeFile::create(&path).unwrap();
        dropped.write_all(b"half").unwrap();
        drop(dropped);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let mut file = WholeFile::create(&path).unwrap();
        file.write_all(b"new").unwrap();
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["out.txt"]);
        assert!(WholeFile::create(&dir.path().join("no-such-folder").join("x")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place_not_replaced() {
        let mut null = WholeFile::create(Path::new("/dev/null")).unwrap();
        null.write_all(b"gone").unwrap();
        null.commit().unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null must still be a device");
        assert!(!Path::new("/dev/null.dbdock-partial").exists());
    }
}

//! The config file on disk: read it, show a change as a diff, and replace it safely
//! (timestamped backup first, then a partial file renamed into place, keeping the old
//! file's permissions or making a new one owner-only).

use std::path::{Path, PathBuf};

use dbdock_core::{Error, Result};

/// The file's text, or `None` when it does not exist.
pub(super) fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::invalid_input(format!("cannot read {}: {e}", path.display()))),
    }
}

pub(super) fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .header(&format!("{} (before)", path.display()), &format!("{} (after)", path.display()))
        .to_string()
}

/// Writes `text` next to `path` and renames it into place, after copying the old file
/// to a timestamped backup.
pub(super) fn write(path: &Path, text: &str, existed: bool) -> Result<Option<PathBuf>> {
    let fail = |what: &str, e: std::io::Error| Error::internal(format!("cannot {what} {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail("create the folder of", e))?;
    }
    let backup = if existed {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S%.3f");
        let backup = PathBuf::from(format!("{}.dbdock-backup-{stamp}", path.display()));
        std::fs::copy(path, &backup).map_err(|e| fail("back up", e))?;
        Some(backup)
    } else {
        None
    };
    let partial = PathBuf::from(format!("{}.dbdock-partial", path.display()));
    std::fs::write(&partial, text).map_err(|e| fail("write", e))?;
    // The config may hold other servers' keys: keep the old file's permissions, and make a
    // new one readable by its owner only.
    let permissions = match std::fs::metadata(path) {
        Ok(old) => Some(old.permissions()),
        Err(_) => owner_only(),
    };
    if let Some(permissions) = permissions {
        std::fs::set_permissions(&partial, permissions).map_err(|e| fail("set the permissions of", e))?;
    }
    std::fs::rename(&partial, path).map_err(|e| fail("replace", e))?;
    Ok(backup)
}

fn owner_only() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

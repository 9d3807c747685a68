use std::path::{Path, PathBuf};

use dbdock_core::{Error, Result};

/// The DB Dock home directory: profiles, logs, audit and events live here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// `DBDOCK_HOME` if set, else `dbdock` in the per-OS data directory
    /// (`~/.local/share`, `~/Library/Application Support`, `%APPDATA%`).
    pub fn resolve() -> Result<Home> {
        if let Some(root) = std::env::var_os("DBDOCK_HOME").filter(|h| !h.is_empty()) {
            return Ok(Home::at(root));
        }
        dirs::data_dir()
            .map(|d| Home::at(d.join("dbdock")))
            .ok_or_else(|| Error::invalid_input("no data directory is known for this user: set DBDOCK_HOME"))
    }

    pub fn at(root: impl Into<PathBuf>) -> Home {
        Home { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn database_path(&self) -> PathBuf {
        self.root.join("dbdock.db")
    }

    pub fn demo_database_path(&self) -> PathBuf {
        self.root.join("demo").join("shop.db")
    }

    /// Creates the directory if needed, readable by its owner only where the OS has such
    /// modes. An existing directory (the user may point DBDOCK_HOME anywhere) keeps its mode.
    pub fn ensure(&self) -> Result<()> {
        if self.root.is_dir() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.root)
            .map_err(|e| Error::internal(format!("cannot create the home {}: {e}", self.root.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.root, std::fs::Permissions::from_mode(0o700));
        }
        Ok(())
    }
}

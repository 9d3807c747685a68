//! The headless `dbdock` binary the desktop app ships beside its own executable (Tauri's
//! `externalBin` sidecar, installed with its target triple stripped), which AI clients
//! are configured to spawn. Pure string work, so every OS's layout is tested anywhere.

use super::paths::Os;

/// The `dbdock` binary next to the app executable `app_exe`, written with the separator
/// the path already uses: `/usr/bin/dbdock-desktop` gives `/usr/bin/dbdock`,
/// `C:\Program Files\DB Dock\dbdock-desktop.exe` gives `C:\Program Files\DB Dock\dbdock.exe`.
pub fn installed_sidecar(app_exe: &str, os: Os) -> String {
    let name = if os == Os::Windows { "dbdock.exe" } else { "dbdock" };
    // Windows accepts both separators; elsewhere a backslash is part of a file name.
    let cut = if os == Os::Windows { app_exe.rfind(['/', '\\']) } else { app_exe.rfind('/') };
    match cut {
        Some(at) => format!("{}{name}", &app_exe[..=at]),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Os, installed_sidecar};

    #[test]
    fn the_sidecar_sits_beside_the_app_on_every_os() {
        assert_eq!(installed_sidecar("/usr/bin/dbdock-desktop", Os::Linux), "/usr/bin/dbdock");
        assert_eq!(
            installed_sidecar("/Applications/DB Dock.app/Contents/MacOS/dbdock-desktop", Os::Macos),
            "/Applications/DB Dock.app/Contents/MacOS/dbdock"
        );
        assert_eq!(
            installed_sidecar(r"C:\Program Files\DB Dock\dbdock-desktop.exe", Os::Windows),
            r"C:\Program Files\DB Dock\dbdock.exe"
        );
        // A development build: the workspace's own binary in the same target folder.
        assert_eq!(
            installed_sidecar("/work/dock/target/debug/dbdock-desktop", Os::Linux),
            "/work/dock/target/debug/dbdock"
        );
        assert_eq!(installed_sidecar("D:/apps/dbdock-desktop.exe", Os::Windows), "D:/apps/dbdock.exe");
        assert_eq!(installed_sidecar("dbdock-desktop", Os::Linux), "dbdock");
    }
}

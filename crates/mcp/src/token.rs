//! The bearer token of the HTTP endpoint: generated once, kept in the home directory
//! (readable by its owner only), required on every HTTP request.

use std::io::Write;

use dbdock_core::{Error, Result};
use dbdock_store::Home;

/// The token, and whether it was created now (and so should be shown once).
pub fn http_token(home: &Home) -> Result<(String, bool)> {
    let path = home.root().join("mcp-http-token");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let token = text.trim().to_owned();
        if token.len() >= 32 {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            }
            return Ok((token, false));
        }
    }
    home.ensure()?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no secure random source: {e}")))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(|e| Error::internal(format!("cannot write {}: {e}", path.display())))?;
    writeln!(file, "{token}").map_err(|e| Error::internal(format!("cannot write {}: {e}", path.display())))?;
    Ok((token, true))
}

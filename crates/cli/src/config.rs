//! `dbdock config backup|restore`: the configuration to a file and back (docs/backup.md).

use dbdock_core::Result;
use dbdock_store::BackupFile;

use crate::args::ConfigCommand;
use crate::context::{open_store, print, print_line};
use crate::profile::password_from_stdin;

pub async fn run(command: ConfigCommand) -> Result<()> {
    let store = open_store().await?;
    let outcome = match command {
        ConfigCommand::Backup { file, include_secrets, passphrase_stdin } => {
            let passphrase = match (include_secrets, passphrase_stdin) {
                (true, _) => Some(password_from_stdin("--passphrase-stdin")?),
                (false, true) => {
                    return Err(dbdock_core::Error::invalid_input(
                        "--passphrase-stdin seals secrets: add --include-secrets, or leave both out for a backup \
                         without secrets",
                    ));
                }
                (false, false) => None,
            };
            let backup = store.backup(passphrase.as_ref()).await;
            match backup {
                Ok(backup) => backup.write(&file).and_then(|()| {
                    let kind = if backup.is_sealed() { "with secrets, sealed" } else { "without secrets" };
                    print_line(&format!("backed up to {} ({kind})", file.display()))
                }),
                Err(e) => Err(e),
            }
        }
        ConfigCommand::Restore { file, passphrase_stdin, dry_run, format } => {
            let backup = BackupFile::read(&file)?;
            let passphrase = if passphrase_stdin { Some(password_from_stdin("--passphrase-stdin")?) } else { None };
            match backup.open(passphrase.as_ref()) {
                Ok(content) => {
                    let plan = if dry_run { store.restore_plan(&content).await } else { store.restore(&content).await };
                    match plan {
                        Ok(plan) => print(&crate::render::restore_plan(&plan, format, dry_run)?),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            }
        }
    };
    store.close().await;
    outcome
}

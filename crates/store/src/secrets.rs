//! Secrets in the OS keyring (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows). Nothing here writes a secret anywhere else, and no fallback does.

use dbdock_core::{Error, ErrorCode, Result, Secret};

/// The keyring, under one service name. Development builds use `dbdock-dev` so they never
/// read or overwrite a release's secrets; `DBDOCK_KEYRING_SERVICE` overrides (tests).
#[derive(Debug, Clone)]
pub struct Keyring {
    service: String,
}

impl Keyring {
    pub fn from_env() -> Keyring {
        let default = if cfg!(debug_assertions) { "dbdock-dev" } else { "dbdock" };
        let service = std::env::var("DBDOCK_KEYRING_SERVICE").ok().filter(|s| !s.is_empty());
        Keyring { service: service.unwrap_or_else(|| default.to_owned()) }
    }

    pub fn with_service(service: impl Into<String>) -> Keyring {
        Keyring { service: service.into() }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Runs a keyring call on a blocking thread (the platform APIs block, D-Bus included).
    async fn call<T: Send + 'static>(
        &self,
        account: &str,
        f: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<Result<T, keyring::Error>> {
        let (service, account) = (self.service.clone(), account.to_owned());
        tokio::task::spawn_blocking(move || keyring::Entry::new(&service, &account).and_then(|e| f(&e)))
            .await
            .map_err(|e| Error::internal(format!("keyring task failed: {e}")))
    }

    pub async fn set(&self, account: &str, secret: &Secret) -> Result<()> {
        let value = secret.expose().to_owned();
        self.call(account, move |e| e.set_password(&value)).await?.map_err(unavailable)
    }

    /// `None` when the keyring has no entry for `account`.
    pub async fn get(&self, account: &str) -> Result<Option<Secret>> {
        match self.call(account, |e| e.get_password()).await? {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Removes the entry; `false` when there was none.
    pub async fn delete(&self, account: &str) -> Result<bool> {
        match self.call(account, |e| e.delete_credential()).await? {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }
}

fn unavailable(e: keyring::Error) -> Error {
    // keyring's messages describe the platform failure, never the secret.
    Error::new(ErrorCode::KeyringUnavailable, format!("the OS keyring cannot be used: {e}"))
}

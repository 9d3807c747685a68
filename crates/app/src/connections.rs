//! The one registry of live connections, shared by every face: one live connection per
//! profile and audience, opened on first use. One rule everywhere: the profile is looked
//! up on every call, so a change made anywhere (the app, `dbdock profile`, another
//! process) applies to the next call; names match case-insensitively, as the store's do;
//! a connection that loses an open race is closed, not dropped open; every connection
//! runs with a statement timeout; and state changes are published, not polled.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use dbdock_core::{
    Access, ConnectionStatus, ConnectionTarget, Database, Error, LoginAccess, Profile, ProfileSource, ReconnectPolicy,
    Result, Secret,
};
use dbdock_engines::OpenOptions;
use dbdock_engines::live::LiveConnection;
use dbdock_store::ResolvedProfile;
use tokio::sync::{Mutex, OnceCell, watch};
use tokio::task::AbortHandle;

use crate::Workspace;

/// Statement timeout when the profile sets none: no face runs statements without one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens an engine's adapter (the engine registry's, or a test's fake).
pub type Opener = Arc<dyn Fn(ConnectionTarget, OpenOptions) -> Result<Box<dyn Database>> + Send + Sync>;

/// Whose connection: the user's own login, or an AI client's (the profile's AI login, only
/// while the profile's AI access is not `none`). The two never share a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    User,
    Ai,
}

/// A profile's open connection.
pub struct OpenConnection {
    pub profile: Profile,
    pub live: LiveConnection,
    /// The secret it was opened with, to scrub from anything recorded about its calls.
    secret: Option<Secret>,
    login_access: OnceCell<LoginAccess>,
    forward: AbortHandle,
}

impl OpenConnection {
    pub fn secret(&self) -> Option<&Secret> {
        self.secret.as_ref()
    }

    /// The profile's statement timeout, or the default.
    pub fn timeout(&self) -> Duration {
        self.profile.timeout_secs.map_or(DEFAULT_TIMEOUT, Duration::from_secs)
    }

    /// What the login may do, as its server reports it; asked once per connection.
    pub async fn login_access(&self) -> Result<LoginAccess> {
        if let Some(known) = self.login_access.get() {
            return Ok(known.clone());
        }
        let access = self.live.database().login_access().await?;
        Ok(self.login_access.get_or_init(async || access).await.clone())
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.forward.abort();
    }
}

/// A connection about to be used: open already, or resolved (secret included) and not yet
/// opened. Getting one reaches no database, so a face can record the call first.
pub enum Opening {
    Open(Arc<OpenConnection>),
    Resolved(Audience, Box<ResolvedProfile>),
}

impl Opening {
    /// The profile's secret, to scrub from what is recorded.
    pub fn secret(&self) -> Option<&Secret> {
        match self {
            Opening::Open(open) => open.secret(),
            Opening::Resolved(_, resolved) => resolved.target.password(),
        }
    }
}

/// One open connection's state, as published to the faces.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConnectionEntry {
    pub audience: Audience,
    pub name: String,
    pub status: ConnectionStatus,
}

type Key = (Audience, String);

fn key(audience: Audience, name: &str) -> Key {
    (audience, name.to_lowercase())
}

pub(crate) struct Connections {
    opener: Opener,
    open: Arc<Mutex<HashMap<Key, Arc<OpenConnection>>>>,
    states: Arc<watch::Sender<Vec<ConnectionEntry>>>,
}

impl Connections {
    pub(crate) fn new(opener: Opener) -> Connections {
        Connections { opener, open: Arc::default(), states: Arc::new(watch::channel(Vec::new()).0) }
    }

    async fn publish(open: &Mutex<HashMap<Key, Arc<OpenConnection>>>, states: &watch::Sender<Vec<ConnectionEntry>>) {
        let mut entries: Vec<ConnectionEntry> = open
            .lock()
            .await
            .iter()
            .map(|((audience, _), c)| ConnectionEntry {
                audience: *audience,
                name: c.profile.name.clone(),
                status: c.live.status(),
            })
            .collect();
        entries.sort_by(|a, b| (a.audience == Audience::Ai, &a.name).cmp(&(b.audience == Audience::Ai, &b.name)));
        states.send_replace(entries);
    }

    async fn remove(&self, key: &Key) -> Option<Arc<OpenConnection>> {
        let removed = self.open.lock().await.remove(key);
        if let Some(gone) = &removed {
            gone.live.database().disconnect().await;
            Connections::publish(&self.open, &self.states).await;
        }
        removed
    }

    pub(crate) async fn close_all(&self) {
        let all: Vec<Arc<OpenConnection>> = self.open.lock().await.drain().map(|(_, c)| c).collect();
        for c in all {
            c.live.database().disconnect().await;
        }
        Connections::publish(&self.open, &self.states).await;
    }
}

impl Workspace {
    /// The profile `name` as it is now, if `audience` may use it.
    async fn current_profile(&self, audience: Audience, name: &str) -> Result<Option<Profile>> {
        let profiles = self.store.profiles().await?;
        Ok(profiles
            .into_iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .filter(|p| audience == Audience::User || p.access != Access::None))
    }

    /// The connection of `name` for `audience` up to the point where it would connect:
    /// the open one while its profile is unchanged; otherwise the old one is closed and
    /// the profile resolved (with its secret) for [`Workspace::open`].
    pub async fn prepare(&self, audience: Audience, name: &str) -> Result<Opening> {
        let current = self.current_profile(audience, name).await?;
        self.prepare_current(audience, name, current).await
    }

    /// [`Workspace::prepare`] with the profile as the caller just read it from the store
    /// (`None`: it is gone, or not open to `audience`), so a face that looked it up
    /// already does not read the store twice per call.
    pub async fn prepare_current(&self, audience: Audience, name: &str, current: Option<Profile>) -> Result<Opening> {
        let key = key(audience, name);
        let cached = self.connections.open.lock().await.get(&key).cloned();
        let Some(profile) = current else {
            // An ad-hoc connection lives only here; anything else that vanished is closed.
            if let Some(adhoc) = cached.filter(|c| c.profile.source == ProfileSource::Adhoc) {
                return Ok(Opening::Open(adhoc));
            }
            self.connections.remove(&key).await;
            return Err(Error::not_found(match audience {
                Audience::User => format!("no connection profile named '{name}'"),
                Audience::Ai => format!("no connection '{name}' is open to AI clients"),
            }));
        };
        match cached {
            Some(open) if open.profile == profile => return Ok(Opening::Open(open)),
            Some(_) => {
                self.connections.remove(&key).await;
            }
            None => {}
        }
        Ok(Opening::Resolved(audience, Box::new(self.resolve(audience, &profile.name).await?)))
    }

    /// Connects what [`Workspace::prepare`] resolved.
    pub async fn open(&self, opening: Opening) -> Result<Arc<OpenConnection>> {
        match opening {
            Opening::Open(open) => Ok(open),
            Opening::Resolved(audience, resolved) => self.open_resolved(audience, *resolved).await,
        }
    }

    /// The open connection of `name` for `audience`, opening it on first use.
    pub async fn connection(&self, audience: Audience, name: &str) -> Result<Arc<OpenConnection>> {
        let opening = self.prepare(audience, name).await?;
        self.open(opening).await
    }

    /// A URL that is no saved profile, for AI clients, read-only, under `name`, ready for
    /// [`Workspace::open`].
    pub async fn prepare_adhoc(&self, name: &str, target: ConnectionTarget) -> Result<Opening> {
        dbdock_core::validate_profile_name(name)?;
        if self.current_profile(Audience::User, name).await?.is_some() {
            return Err(Error::invalid_input(format!(
                "'{name}' is the name of one of the user's connections; pick another name for an ad-hoc connection"
            )));
        }
        let profile = Profile::transient(ProfileSource::Adhoc, name, &target, false, "adhoc");
        Ok(Opening::Resolved(Audience::Ai, Box::new(ResolvedProfile::direct(profile, target))))
    }

    async fn open_resolved(&self, audience: Audience, resolved: ResolvedProfile) -> Result<Arc<OpenConnection>> {
        let secret = resolved.target.password().cloned();
        let options = OpenOptions::for_profile(&resolved.profile, Some(DEFAULT_TIMEOUT));
        // The tunnel (if any) is the pool's: it lives exactly as long as the connection.
        let route = crate::network::route(&self.store, &resolved, options.connect_timeout).await?;
        let db = (self.connections.opener)(route.target, options)?;
        let db: Box<dyn Database> = match route.tunnel {
            Some(tunnel) => Box::new(crate::network::Tunneled { inner: db, tunnel }),
            None => db,
        };
        let profile = resolved.profile;
        let live = LiveConnection::open(db, ReconnectPolicy::default()).await?;
        let mut changes = live.subscribe();
        let (open_map, states) = (Arc::clone(&self.connections.open), Arc::clone(&self.connections.states));
        let forward = tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                Connections::publish(&open_map, &states).await;
            }
        })
        .abort_handle();
        let opened = Arc::new(OpenConnection { profile, live, secret, login_access: OnceCell::new(), forward });
        let key = key(audience, &opened.profile.name);
        let winner = {
            let mut map = self.connections.open.lock().await;
            match map.get(&key) {
                // Another caller opened the same profile meanwhile: keep theirs, close ours.
                Some(theirs) if theirs.profile == opened.profile => Some(Arc::clone(theirs)),
                _ => {
                    map.insert(key, Arc::clone(&opened));
                    None
                }
            }
        };
        match winner {
            Some(theirs) => {
                opened.live.database().disconnect().await;
                Ok(theirs)
            }
            None => {
                Connections::publish(&self.connections.open, &self.connections.states).await;
                Ok(opened)
            }
        }
    }

    /// Connects `name` afresh for `audience`: what a person (or `connect-database`) asks
    /// for after a connection gave up reconnecting (`error`), or to be sure it is live.
    pub async fn reconnect(&self, audience: Audience, name: &str) -> Result<Arc<OpenConnection>> {
        self.disconnect(audience, name).await;
        self.connection(audience, name).await
    }

    /// Closes the connection of `name` for `audience`; `false` if it was not open.
    pub async fn disconnect(&self, audience: Audience, name: &str) -> bool {
        self.connections.remove(&key(audience, name)).await.is_some()
    }

    /// Closes every connection of `name` (it was changed or removed).
    pub async fn forget(&self, name: &str) {
        for audience in [Audience::User, Audience::Ai] {
            self.connections.remove(&key(audience, name)).await;
        }
    }

    /// The state of `name`'s connection for `audience`, if it is open.
    pub async fn status(&self, audience: Audience, name: &str) -> Option<ConnectionStatus> {
        self.connections.open.lock().await.get(&key(audience, name)).map(|c| c.live.status())
    }

    /// The ad-hoc connections open now (they are exposed to AI clients like profiles).
    pub async fn adhoc_profiles(&self) -> Vec<Profile> {
        let open = self.connections.open.lock().await;
        open.values().filter(|c| c.profile.source == ProfileSource::Adhoc).map(|c| c.profile.clone()).collect()
    }

    /// Every open connection's state, now and at each change.
    pub fn connection_states(&self) -> watch::Receiver<Vec<ConnectionEntry>> {
        self.connections.states.subscribe()
    }
}

/// The entries of one audience, for a face that shows only its own.
pub fn connection_entries(entries: &[ConnectionEntry], audience: Audience) -> impl Iterator<Item = &ConnectionEntry> {
    entries.iter().filter(move |e| e.audience == audience)
}

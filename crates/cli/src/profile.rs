//! `dbdock profile …`: saved connections. Secrets go to the OS keyring and are never
//! printed; everything shown here is safe to paste into a bug report.

use std::io::Read;
use std::time::Instant;

use dbdock_core::{ConnectionTarget, Error, Profile, ProfileSource, ReconnectPolicy, Result, Secret, secret_env_var};
use dbdock_engines::OpenOptions;
use dbdock_engines::live::LiveConnection;
use dbdock_store::{NewProfile, ProfileExport, Store};

use crate::args::{ProfileAddArgs, ProfileCommand};
use crate::output;
use crate::run::open_store;

pub async fn run(command: ProfileCommand) -> Result<()> {
    let store = open_store().await?;
    let outcome = match command {
        ProfileCommand::Add(args) => add(&store, args).await,
        ProfileCommand::List(args) => {
            let profiles = store.profiles().await?;
            output::print_profiles(&profiles, args.format, store.keyring().service())
        }
        ProfileCommand::Show(args) => {
            let profile = find(&store, &args.name).await?;
            output::print_profile(&profile, args.format, store.keyring().service())
        }
        ProfileCommand::Test(args) => test(&store, &args.name).await,
        ProfileCommand::Rm(args) => {
            let removed = store.remove_profile(&args.name).await?;
            output::print_line(&format!("removed profile {}", removed.name))
        }
        ProfileCommand::Export(args) => {
            let export = store.export_profiles().await?;
            match args.file {
                Some(path) => {
                    export.write(&path)?;
                    output::print_line(&format!("exported {} profiles to {}", export.profiles.len(), path.display()))
                }
                None => output::print_line(&export.to_json()?),
            }
        }
        ProfileCommand::Import(args) => {
            let export = ProfileExport::read(&args.file)?;
            let report = store.import_profiles(export).await?;
            output::print_import_report(&report)
        }
    };
    store.close().await;
    outcome
}

async fn find(store: &Store, name: &str) -> Result<Profile> {
    match store.profiles().await?.into_iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
        Some(profile) => Ok(profile),
        // The store's own lookup words the error with the list of names.
        None => store.stored_profile(name).await,
    }
}

async fn add(store: &Store, args: ProfileAddArgs) -> Result<()> {
    let mut target = ConnectionTarget::parse(&args.url)?;
    if args.password_stdin {
        // `nats://alice@host` alone is a token; with a password on stdin, alice is the user.
        if target.password().is_some() && !target.secret_is_user_as_token() {
            return Err(Error::invalid_input("give the password in the URL or on stdin, not both"));
        }
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::invalid_input(format!("cannot read the password from stdin: {e}")))?;
        let password = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        if password.is_empty() {
            return Err(Error::invalid_input("--password-stdin read an empty password"));
        }
        target = target.with_password(Some(Secret::new(password)));
    }
    let new = NewProfile {
        access: args.access.parse()?,
        timeout_secs: args.timeout,
        max_rows: args.max_rows,
        max_bytes: args.max_bytes,
        ..NewProfile::new(args.name, target.clone())
    };
    let profile = store.add_profile(new).await?;
    let secret = if profile.has_secret {
        format!("; password stored in the OS keyring (service {})", store.keyring().service())
    } else {
        String::new()
    };
    output::print_line(&format!("added profile {}: {} (AI access {}){secret}", profile.name, target, profile.access))
}

async fn test(store: &Store, name: &str) -> Result<()> {
    let resolved = store.resolve(name).await?;
    let started = Instant::now();
    let db = dbdock_engines::open(resolved.target, OpenOptions::for_profile(&resolved.profile, None)).await?;
    let connect_ms = started.elapsed().as_secs_f64() * 1000.0;
    let live = LiveConnection::open(db, ReconnectPolicy::default()).await?;
    let version = live.database().server_version().await;
    let status = live.status();
    live.close().await;
    output::print_line(&format!(
        "ok: {} ({}) connected in {connect_ms:.1} ms, round trip {:.2} ms, server {}",
        resolved.profile.name,
        status.target,
        status.latency_ms.unwrap_or_default(),
        version?
    ))
}

/// Where a profile's secret comes from, for display.
pub fn secret_source(profile: &Profile, keyring_service: &str) -> String {
    if std::env::var_os(secret_env_var(&profile.name)).is_some() {
        format!("from {}", secret_env_var(&profile.name))
    } else if profile.source == ProfileSource::Environment {
        if profile.has_secret { "from MCP_* variables".into() } else { "none".into() }
    } else if profile.has_secret {
        format!("OS keyring ({keyring_service})")
    } else {
        "none".into()
    }
}

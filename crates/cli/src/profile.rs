//! `dbdock profile …`: saved connections. Secrets go to the OS keyring and are never
//! printed; everything shown here is safe to paste into a bug report.

use std::io::Read;

use dbdock_app::{Audience, BulkAction, Selection, Workspace};
use dbdock_core::{Access, ConnectionTarget, Error, LoginAccess, Profile, Result, Secret, SshAuth, SshHop, TlsOptions};
use dbdock_store::{NewProfile, ProfileExport, Store};

use crate::args::{AiLoginArgs, NetworkArgs, ProfileAddArgs, ProfileCommand, RemoveArgs, SelectArgs};
use crate::context::{open_store, print, print_line, secret_source};
use crate::render;

pub async fn run(command: ProfileCommand) -> Result<()> {
    let store = open_store().await?;
    let outcome = match command {
        ProfileCommand::Add(args) => add(&store, *args).await,
        ProfileCommand::List(args) => {
            let profiles = store.profiles().await?;
            let secrets: Vec<String> = profiles.iter().map(|p| secret_source(p, store.keyring().service())).collect();
            print(&render::profiles(&profiles, args.format, &secrets)?)
        }
        ProfileCommand::Show(args) => {
            let profile = find(&store, &args.name).await?;
            print(&render::profile(&profile, args.format, &secret_source(&profile, store.keyring().service()))?)
        }
        ProfileCommand::Test(args) => match (args.names.as_slice(), args.all, &args.tag) {
            ([name], false, None) => test(&store, name).await,
            _ => bulk(&store, BulkAction::Test, &args).await,
        },
        ProfileCommand::Rm(args) => remove(&store, args).await,
        ProfileCommand::History(args) => {
            let changes = store.config_history(args.name.as_deref(), args.limit).await?;
            print(&render::config_history(&changes, args.format)?)
        }
        ProfileCommand::Undo { id } => {
            let undo = store.undo_change(id).await?;
            let what = undo.undoes.map_or_else(String::new, |n| format!(" #{n}"));
            print_line(&format!("undid change{what} of profile {} (recorded as #{})", undo.profile, undo.id))
        }
        ProfileCommand::SetAccess(args) => bulk(&store, BulkAction::SetAccess(args.level.into()), &args.select).await,
        ProfileCommand::AiLogin(args) => ai_login(&store, args).await,
        ProfileCommand::Export(args) => {
            let export = store.export_profiles().await?;
            match args.file {
                Some(path) => {
                    export.write(&path)?;
                    print_line(&format!("exported {} profiles to {}", export.profiles.len(), path.display()))
                }
                None => print_line(&export.to_json()?),
            }
        }
        ProfileCommand::Import(args) => {
            let export = ProfileExport::read(&args.file)?;
            let report = store.import_profiles(export).await?;
            print(&render::import_report(&report)?)
        }
        ProfileCommand::TrustHost(args) => {
            let workspace = Workspace::new(store.clone());
            workspace.trust_host_key(&args.name, &args.fingerprint).await?;
            let file = dbdock_app::known_hosts(&store).own;
            print_line(&format!("accepted host key {} (written to {})", args.fingerprint.trim(), file.display()))
        }
    };
    store.close().await;
    outcome
}

fn selection(args: &SelectArgs) -> Selection {
    match (&args.tag, args.all) {
        (Some(tag), _) => Selection::Tag(tag.clone()),
        (None, true) => Selection::All,
        (None, false) => Selection::Names(args.names.clone()),
    }
}

/// `rm`: one profile as before; several only with --yes, listed first.
async fn remove(store: &Store, args: RemoveArgs) -> Result<()> {
    let workspace = Workspace::new(store.clone());
    let names = workspace.select_profiles(&selection(&args.select)).await?;
    if let [name] = names.as_slice()
        && !args.select.all
        && args.select.tag.is_none()
    {
        let removed = store.remove_profile(name).await?;
        let ai = removed.ai_login.as_ref().map_or_else(String::new, |login| {
            format!(" (its AI login {login} still exists on the server: drop it there if it is no longer needed)")
        });
        return print_line(&format!("removed profile {}{ai}", removed.name));
    }
    if !args.yes {
        return Err(Error::invalid_input(format!(
            "this would delete {} profiles ({}): add --yes to delete them",
            names.len(),
            names.join(", ")
        )));
    }
    run_bulk(&workspace, BulkAction::Remove, &names).await
}

/// A bulk action on the profiles `args` select, a line per profile as it ends and a
/// summary; fails (exit 1) when any item failed.
async fn bulk(store: &Store, action: BulkAction, args: &SelectArgs) -> Result<()> {
    let workspace = Workspace::new(store.clone());
    let names = workspace.select_profiles(&selection(args)).await?;
    run_bulk(&workspace, action, &names).await
}

async fn run_bulk(workspace: &Workspace, action: BulkAction, names: &[String]) -> Result<()> {
    let width = names.len().to_string().len();
    let mut write_failed = None;
    let items = workspace
        .bulk(action, names, |item| {
            let status = if item.error.is_some() { "failed" } else { "ok" };
            let line = format!("[{:>width$}/{}] {status:<6} {}: {}", item.done, item.total, item.name, item.message);
            if let Err(e) = print_line(&line) {
                write_failed.get_or_insert(e);
            }
        })
        .await;
    if let Some(e) = write_failed {
        return Err(e);
    }
    let failed: Vec<&str> = items.iter().filter(|i| i.error.is_some()).map(|i| i.name.as_str()).collect();
    print_line(&format!("{} ok, {} failed", items.len() - failed.len(), failed.len()))?;
    match failed.as_slice() {
        [] => Ok(()),
        _ => Err(Error::new(
            items.iter().find_map(|i| i.error.as_ref()).map_or(dbdock_core::ErrorCode::Internal, |e| e.code),
            format!("{} of {} failed: {}", failed.len(), items.len(), failed.join(", ")),
        )),
    }
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
    let ssh_secret_flag = if args.network.ssh_passphrase_stdin {
        Some("--ssh-passphrase-stdin")
    } else if args.network.ssh_password_stdin {
        Some("--ssh-password-stdin")
    } else {
        None
    };
    // One read of stdin: the database password on the first line, the SSH secret on the next.
    let mut lines = match (args.password_stdin, ssh_secret_flag) {
        (false, None) => Vec::new(),
        (true, None) => vec![password_from_stdin("--password-stdin")?],
        (false, Some(flag)) => vec![password_from_stdin(flag)?],
        (true, Some(flag)) => secret_lines_from_stdin(["--password-stdin", flag])?,
    }
    .into_iter();
    if args.password_stdin {
        // `nats://alice@host` alone is a token; with a password on stdin, alice is the user.
        if target.password().is_some() && !target.secret_is_user_as_token() {
            return Err(Error::invalid_input("give the password in the URL or on stdin, not both"));
        }
        target = target.with_password(lines.next());
    }
    let (ssh, tls) = network(&args.network)?;
    let ssh_secret = lines.next();
    let ssh_secrets = ssh.iter().map(|_| ssh_secret.clone()).collect();
    let new = NewProfile {
        ssh,
        ssh_secrets,
        tls,
        access: args.access.into(),
        timeout_secs: args.timeout,
        approval_wait_secs: args.approval_wait,
        max_rows: args.max_rows,
        max_bytes: args.max_bytes,
        tags: args.tags,
        ..NewProfile::new(args.name, target.clone())
    };
    let profile = store.add_profile(new).await?;
    let secret = if profile.has_secret {
        format!("; password stored in the OS keyring (service {})", store.keyring().service())
    } else {
        String::new()
    };
    let via = profile.ssh.iter().map(|h| format!(" via {h}")).collect::<String>();
    print_line(&format!("added profile {}: {}{via} (AI access {}){secret}", profile.name, target, profile.access))
}

/// The jump hosts and TLS settings the flags describe. A chain of two logs in to both
/// hops the same way (the same key, or the same password).
fn network(args: &NetworkArgs) -> Result<(Vec<SshHop>, TlsOptions)> {
    let auth = match (&args.ssh_key, args.ssh_password_stdin) {
        (Some(path), _) => {
            let path =
                std::path::absolute(path).map_err(|e| Error::invalid_input(format!("bad key path {path}: {e}")))?;
            std::fs::metadata(&path)
                .map_err(|e| Error::invalid_input(format!("cannot read the SSH key {}: {e}", path.display())))?;
            SshAuth::Key { path: path.display().to_string() }
        }
        (None, true) => SshAuth::Password,
        (None, false) => SshAuth::Agent,
    };
    let hops = args.ssh.iter().map(|url| SshHop::parse(url, auth.clone())).collect::<Result<Vec<_>>>()?;
    let absolute = |p: &Option<String>| -> Result<Option<String>> {
        p.as_ref()
            .map(|p| {
                std::path::absolute(p)
                    .map(|a| a.display().to_string())
                    .map_err(|e| Error::invalid_input(format!("bad path {p}: {e}")))
            })
            .transpose()
    };
    let tls = TlsOptions {
        mode: args.tls_mode.as_deref().map(str::parse).transpose()?,
        ca_file: absolute(&args.tls_ca)?,
        cert_file: absolute(&args.tls_cert)?,
        key_file: absolute(&args.tls_key)?,
        server_name: args.tls_server_name.clone(),
    };
    Ok((hops, tls))
}

/// Reads one secret per line from stdin, in the order of `flags`.
fn secret_lines_from_stdin<const N: usize>(flags: [&str; N]) -> Result<Vec<Secret>> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Error::invalid_input(format!("cannot read secrets from stdin: {e}")))?;
    let mut lines = text.lines();
    flags
        .iter()
        .map(|flag| match lines.next().map(|l| l.strip_suffix('\r').unwrap_or(l)) {
            Some(line) if !line.is_empty() => Ok(Secret::new(line)),
            _ => Err(Error::invalid_input(format!(
                "{flag} found no secret on its line of stdin (one per line: {})",
                flags.join(", then ")
            ))),
        })
        .collect()
}

pub(crate) fn password_from_stdin(flag: &str) -> Result<Secret> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Error::invalid_input(format!("cannot read the password from stdin: {e}")))?;
    let password = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
    if password.is_empty() {
        return Err(Error::invalid_input(format!("{flag} read an empty password")));
    }
    Ok(Secret::new(password))
}

/// `dbdock profile test`: connects afresh (every engine, streaming servers too) and, for
/// a database whose AI clients may only read, says whether the logins they use can write.
async fn test(store: &Store, name: &str) -> Result<()> {
    let workspace = Workspace::new(store.clone());
    let probe = workspace.probe(Audience::User, name).await?;
    let profile = find(store, name).await?;
    print_line(&format!(
        "ok: {} ({}) connected in {:.1} ms, server {}",
        profile.name,
        dbdock_core::redact_url_text(&profile.url),
        probe.latency_ms,
        probe.server_version
    ))?;
    if profile.engine.capabilities().query.is_none() {
        return Ok(());
    }
    // What the login may do matters where AI clients may only read through this login.
    if matches!(profile.access, Access::ReadOnly | Access::Ask) {
        let access = async || workspace.connection(Audience::User, name).await?.login_access().await;
        let line = match (access().await, &profile.ai_login) {
            (Ok(a), None) if a.can_write => format!(
                "{}; AI clients use this login, so read-only access rests on DB Dock's filter and the read-only \
                 transaction: give them a read-only login with `dbdock profile ai-login {} --create`",
                describe("login", &a),
                profile.name
            ),
            (Ok(a), _) => describe("login", &a),
            (Err(e), _) => format!("login: cannot tell whether it can write: error[{}]: {}", e.code, e.message),
        };
        print_line(&line)?;
    }
    if let Some(login) = &profile.ai_login {
        // The AI login is what AI clients get: test it the way the MCP endpoint opens it.
        let checked = async { workspace.connection(Audience::Ai, name).await?.login_access().await }.await;
        match checked {
            Ok(a) if a.can_write => print_line(&format!(
                "{}: AI clients use it, yet it is not read-only",
                describe(&format!("AI login {login}"), &a)
            ))?,
            Ok(a) => print_line(&format!("{}: AI clients use it", describe(&format!("AI login {login}"), &a)))?,
            Err(e) if e.code == dbdock_core::ErrorCode::Unsupported => {
                print_line(&format!("AI login {login}: connects; {}", e.message))?;
            }
            Err(e) => return Err(e.context(format!("AI login {login}"))),
        }
    }
    Ok(())
}

/// `login (postgres) can write (superuser, CREATEROLE)` / `AI login reader cannot write`:
/// the login as the server names it, where that says more than `what` already does.
fn describe(what: &str, access: &LoginAccess) -> String {
    let who = if what.ends_with(&access.login) { what.to_owned() } else { format!("{what} ({})", access.login) };
    if access.can_write {
        format!("{who} can write ({})", access.evidence.join(", "))
    } else {
        format!("{who} cannot write")
    }
}

/// `dbdock profile ai-login`: create, attach or forget the profile's AI login.
async fn ai_login(store: &Store, args: AiLoginArgs) -> Result<()> {
    let profile = store.stored_profile(&args.name).await?;
    if args.remove {
        return remove_ai_login(store, &profile, &args).await;
    }
    if args.set {
        let user = args.user.as_deref().unwrap_or_default();
        let password = password_from_stdin("--set")?;
        let saved = store.set_ai_login(&profile.name, user, &password).await?;
        return print_line(&format!(
            "AI clients of {} now log in as {user}; its password is in the OS keyring (service {}). Check it with \
             `dbdock profile test {}`",
            saved.name,
            store.keyring().service(),
            saved.name
        ));
    }
    let workspace = Workspace::new(store.clone());
    let plan = workspace.plan_ai_login(&profile.name, args.user.as_deref()).await?;
    let user = plan.login.clone();
    let resolved = store.resolve(&profile.name).await?;
    let mut text = format!(
        "A read-only login for AI clients of {} ({}){}:\n",
        profile.name,
        resolved.target,
        match resolved.target.url().map(|u| u.username()) {
            Some(admin) if plan.runnable && !admin.is_empty() => format!(", made by {admin}"),
            _ => String::new(),
        }
    );
    for statement in &plan.statements {
        text.push_str(&format!("    {statement}\n"));
    }
    for note in &plan.notes {
        text.push_str(&format!("  - {note}\n"));
    }
    if !plan.runnable {
        text.push_str(&format!(
            "Then attach it, its password on standard input: dbdock profile ai-login {} --set --user {user}",
            profile.name
        ));
        return print_line(&text);
    }
    if !args.yes {
        text.push_str("Nothing was changed: run again with --yes to run these statements.");
        return print_line(&text);
    }
    print_line(text.trim_end())?;
    workspace.create_ai_login(&profile.name, Some(&user)).await?;
    print_line(&format!(
        "created {user}: its password went to the OS keyring (service {}); AI clients of {} now log in as {user}",
        store.keyring().service(),
        profile.name
    ))
}

async fn remove_ai_login(store: &Store, profile: &Profile, args: &AiLoginArgs) -> Result<()> {
    let Some(login) = profile.ai_login.clone() else {
        return print_line(&format!("{} has no AI login: AI clients use its own login", profile.name));
    };
    let workspace = Workspace::new(store.clone());
    if args.drop {
        let statements = workspace.plan_drop_ai_login(&profile.name).await?.map(|(_, s)| s).unwrap_or_default();
        if !args.yes {
            return print_line(&format!(
                "Dropping the AI login of {} runs:\n    {}\nNothing was changed: run again with --yes.",
                profile.name,
                statements.join("\n    ")
            ));
        }
    }
    workspace.remove_ai_login(&profile.name, args.drop).await?;
    print_line(&format!(
        "{}: forgot the AI login {login}{}; AI clients use the profile's own login again",
        profile.name,
        if args.drop { " and dropped it on the server" } else { " (it still exists on the server)" }
    ))
}

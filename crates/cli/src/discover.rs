//! `dbdock discover`: finds servers to add as profiles, and adds the ones named.

use dbdock_app::{DiscoveryRequest, Finding, Workspace};
use dbdock_core::{Error, Result};

use crate::args::DiscoverArgs;
use crate::context::{open_store, print, print_line};
use crate::render;

pub async fn run(args: DiscoverArgs) -> Result<()> {
    let workspace = Workspace::new(open_store().await?);
    let outcome = discover(&workspace, args).await;
    workspace.close().await;
    outcome
}

async fn discover(workspace: &Workspace, args: DiscoverArgs) -> Result<()> {
    let request = DiscoveryRequest {
        defaults: !args.no_defaults,
        host: args.host.clone(),
        ports: args.ports.clone().map(|p| p.0).unwrap_or_default(),
        environment: !args.no_env,
        folder: args.dir.clone(),
    };
    let vars: Vec<(String, String)> = std::env::vars().collect();
    let findings = workspace.discover(&request, &vars).await?;
    print(&render::findings(&findings, args.format)?)?;
    let chosen: Vec<&Finding> = if args.add_all {
        findings.iter().filter(|f| f.url.is_some() && f.saved_as.is_none()).collect()
    } else {
        let mut chosen = Vec::new();
        for name in &args.add {
            let finding = findings.iter().find(|f| f.suggested_name.as_deref() == Some(name.as_str()));
            chosen.push(finding.ok_or_else(|| {
                Error::invalid_input(format!("no finding is named '{name}': use a name from the list above"))
            })?);
        }
        chosen
    };
    for finding in chosen {
        let (Some(url), Some(name)) = (&finding.url, &finding.suggested_name) else { continue };
        let keep = args.save_secrets && finding.has_secret;
        let profile = workspace.adopt(&finding.origin, url, name, keep, None, &vars).await?;
        let secret = match (finding.has_secret, keep) {
            (true, true) => "its password saved to the OS keyring",
            (true, false) => "without the password its source holds (add --save-secrets to keep it)",
            (false, _) => "no password: if the server wants one, add the profile again with --password-stdin",
        };
        print_line(&format!("added {} ({}), {secret}", profile.name, profile.url))?;
    }
    Ok(())
}

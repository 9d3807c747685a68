//! `cargo bench -p dbdock-app --bench tunnel`: what an SSH jump host costs a query
//! (docs/network.md). One run, the same `SELECT 1` on warm connections to the local
//! PostgreSQL three ways: the raw driver (sqlx, the floor), DB Dock's connection straight,
//! and DB Dock's connection through a private sshd on loopback (scripts/private-sshd.sh:
//! needs root). Also the cost of opening each (connect + first answer). Prints the means
//! and the ratios to raw.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use dbdock_app::{Audience, Workspace};
use dbdock_core::{ConnectionTarget, QueryOptions, SshAuth, SshHop};
use dbdock_store::{Home, NewProfile, Store};
use dbdock_testkit::PrivateSshd;

const CALLS: u32 = 2000;
const OPENS: u32 = 20;

async fn round_trips(workspace: &Workspace, name: &str) -> Duration {
    let open = workspace.connection(Audience::User, name).await.expect("connect");
    let options = QueryOptions::default();
    for _ in 0..100 {
        open.run_statement("SELECT 1", &[], &options).await.expect("warm");
    }
    let started = Instant::now();
    for _ in 0..CALLS {
        open.run_statement("SELECT 1", &[], &options).await.expect("query");
    }
    started.elapsed() / CALLS
}

async fn opens(workspace: &Workspace, name: &str) -> Duration {
    let started = Instant::now();
    for _ in 0..OPENS {
        workspace.probe(Audience::User, name).await.expect("probe");
    }
    started.elapsed() / OPENS
}

fn main() {
    let url = dbdock_testkit::pg_admin_url();
    let sshd = PrivateSshd::start();
    let home = tempfile::tempdir().expect("temp dir");
    sshd.write_known_hosts(&home.path().join("known_hosts"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (raw, straight, tunneled, open_straight, open_tunneled) = runtime.block_on(async {
        let pool = sqlx::PgPool::connect(&url).await.expect("PostgreSQL at 127.0.0.1:5432");
        for _ in 0..100 {
            sqlx::query("SELECT 1").execute(&pool).await.unwrap();
        }
        let started = Instant::now();
        for _ in 0..CALLS {
            sqlx::query("SELECT 1").execute(&pool).await.unwrap();
        }
        let raw = started.elapsed() / CALLS;

        let store = Store::open(Home::at(home.path())).await.unwrap();
        let target = || ConnectionTarget::parse(&url).unwrap();
        store.add_profile(NewProfile::new("straight", target())).await.unwrap();
        let hop = SshHop::parse(&sshd.url(), SshAuth::Key { path: sshd.user_key().display().to_string() }).unwrap();
        store.add_profile(NewProfile { ssh: vec![hop], ..NewProfile::new("tunneled", target()) }).await.unwrap();
        let workspace = Workspace::new(store);
        let straight = round_trips(&workspace, "straight").await;
        let tunneled = round_trips(&workspace, "tunneled").await;
        let open_straight = opens(&workspace, "straight").await;
        let open_tunneled = opens(&workspace, "tunneled").await;
        workspace.close().await;
        (raw, straight, tunneled, open_straight, open_tunneled)
    });
    let channels = sshd.log().lines().filter(|l| l.contains("server_request_direct_tcpip")).count();
    let ratio = |d: Duration| d.as_secs_f64() / raw.as_secs_f64();
    println!("SELECT 1 on a warm connection, mean of {CALLS}:");
    println!("  raw sqlx pool            {:>9.1} µs   1.00x", raw.as_secs_f64() * 1e6);
    println!("  DB Dock, straight        {:>9.1} µs   {:.2}x", straight.as_secs_f64() * 1e6, ratio(straight));
    println!("  DB Dock, through sshd    {:>9.1} µs   {:.2}x", tunneled.as_secs_f64() * 1e6, ratio(tunneled));
    println!("  ({channels} forwarded connections in all, {OPENS} of them for the probes)");
    println!("connect + first answer (probe), mean of {OPENS}:");
    println!("  straight                 {:>9.2} ms", open_straight.as_secs_f64() * 1e3);
    println!(
        "  through sshd             {:>9.2} ms   {:.2}x straight",
        open_tunneled.as_secs_f64() * 1e3,
        open_tunneled.as_secs_f64() / open_straight.as_secs_f64()
    );
}

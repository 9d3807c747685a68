//! `dbdock demo`: the bundled demo shop database, for a first look.

use dbdock_core::Result;
use dbdock_store::Home;

use crate::args::DemoArgs;
use crate::context::print_line;

pub async fn run(args: DemoArgs) -> Result<()> {
    let path = match args.path {
        Some(path) => path,
        None => Home::resolve()?.demo_database_path(),
    };
    dbdock_engines::demo::create_demo_database(&path).await?;
    print_line(&format!("sqlite:{}", path.display()))
}

//! Tauri's build step: reads tauri.conf.json at the root, checks the capabilities and
//! generates the permission schema.
fn main() {
    let attributes = tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*");
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}

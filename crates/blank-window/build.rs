fn main() {
    // Declare the one app command so that it needs a permission, and the capability file can
    // allow exactly that command and nothing else.
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["ui_ready"])),
    )
    .expect("tauri-build failed");
}

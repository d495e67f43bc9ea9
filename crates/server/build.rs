//! Embeds the device pages (`ui/dist-devices`, built by `npm run build:devices`) into the server:
//! writes `$OUT_DIR/device_pages.rs`, a table of (path, bytes) with one `include_bytes!` per file.
//! Every build embeds them, debug too, so what the tests serve is what ships. When the pages are
//! not built the table is empty and the server answers 503 "device pages not built" on them.

use std::path::{Path, PathBuf};

fn main() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-env-changed=HALLKEEPER_DEVICE_PAGES_DIR");
    let dir = std::env::var_os("HALLKEEPER_DEVICE_PAGES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../ui/dist-devices"));
    // Watched as a directory (cargo looks at every file under it). It is made when missing, so
    // the first UI build is noticed: a missing path would rerun this script on every build.
    if !dir.exists() && dir.parent().is_some_and(Path::exists) {
        let _ = std::fs::create_dir_all(&dir);
    }
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(&dir, &dir, &mut files);
    files.sort();
    let mut out = String::from("/// The built device pages: (path under ui/dist-devices, bytes).\npub static FILES: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in files {
        out.push_str(&format!("    ({rel:?}, include_bytes!({abs:?})),\n"));
    }
    out.push_str("];\n");
    let target =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("device_pages.rs");
    std::fs::write(target, out).expect("write device_pages.rs");
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.push((rel, path.display().to_string()));
        }
    }
}

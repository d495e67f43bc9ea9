//! Where the built binaries and the artifacts are. No dependencies: the benchmark uses this too.

use std::env;
use std::path::{Path, PathBuf};

/// The name of the real app's binary (package `hallkeeper-desktop`).
pub const APP_BIN_NAME: &str = "hallkeeper";
/// The name of the benchmark's floor (package `hallkeeper-blank-window`).
pub const BLANK_BIN_NAME: &str = "hallkeeper-blank-window";

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

fn non_empty_env(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The target directories to look in, most specific first: `$CARGO_TARGET_DIR`, the target
/// directory this very executable was built into, `<workspace>/target`.
pub fn target_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(t) = non_empty_env("CARGO_TARGET_DIR") {
        let t = PathBuf::from(t);
        dirs.push(if t.is_absolute() { t } else { workspace_root().join(t) });
    }
    // A test or bench executable lives in <target>/<profile>/deps/<name> or <target>/<profile>/<name>.
    if let Ok(exe) = env::current_exe() {
        for ancestor in exe.ancestors().skip(1).take(3) {
            if ancestor.join("CACHEDIR.TAG").exists() {
                dirs.push(ancestor.to_path_buf());
                break;
            }
        }
    }
    dirs.push(workspace_root().join("target"));
    let mut unique: Vec<PathBuf> = Vec::new();
    for d in dirs {
        if !unique.contains(&d) {
            unique.push(d);
        }
    }
    unique
}

/// Finds a built binary: `$<env_var>` if set (it must exist), else `<target>/<profile>/<name>` in
/// the first of [`target_dirs`] that has it. The error lists every path tried.
pub fn find_binary(env_var: &str, name: &str, profile: &str, build_hint: &str) -> Result<PathBuf, String> {
    if let Some(p) = non_empty_env(env_var) {
        let p = PathBuf::from(p);
        let p = if p.is_absolute() { p } else { env::current_dir().map(|d| d.join(&p)).unwrap_or(p) };
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!("${env_var} is {} but there is no such file", p.display()))
        };
    }
    let tried: Vec<PathBuf> = target_dirs().into_iter().map(|t| t.join(profile).join(name)).collect();
    match tried.iter().find(|p| p.is_file()) {
        Some(p) => Ok(p.clone()),
        None => Err(format!(
            "no built `{name}` binary: tried {}; build it with `{build_hint}` (with the same \
             CARGO_TARGET_DIR) or set ${env_var} to its path",
            tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The real app's debug binary: `$HALLKEEPER_APP_BIN`, else `$CARGO_TARGET_DIR/debug/hallkeeper`,
/// else `<workspace>/target/debug/hallkeeper`.
pub fn app_binary() -> Result<PathBuf, String> {
    find_binary(
        "HALLKEEPER_APP_BIN",
        APP_BIN_NAME,
        "debug",
        "(cd ui && npm ci && npm run build) && cargo build -p hallkeeper-desktop",
    )
}

/// The blank window's binary for `profile` ("debug" or "release"): `$HALLKEEPER_BLANK_BIN`, else
/// found in the target directories.
pub fn blank_binary(profile: &str) -> Result<PathBuf, String> {
    find_binary("HALLKEEPER_BLANK_BIN", BLANK_BIN_NAME, profile, "cargo build -p hallkeeper-blank-window")
}

/// The real app's binary for `profile`.
pub fn app_binary_for(profile: &str) -> Result<PathBuf, String> {
    if profile == "debug" {
        return app_binary();
    }
    find_binary(
        "HALLKEEPER_APP_BIN",
        APP_BIN_NAME,
        profile,
        "(cd ui && npm ci && npm run build) && cargo build --release -p hallkeeper-desktop",
    )
}

/// Where failure screenshots, page sources and driver logs go: `$HALLKEEPER_ARTIFACTS`, else
/// `<workspace>/artifacts/e2e`.
pub fn artifacts_dir() -> PathBuf {
    match non_empty_env("HALLKEEPER_ARTIFACTS") {
        Some(p) => {
            let p = PathBuf::from(p);
            if p.is_absolute() {
                p
            } else {
                workspace_root().join(p)
            }
        }
        None => workspace_root().join("artifacts").join("e2e"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_root_has_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"), "{manifest}");
    }

    #[test]
    fn missing_binary_names_what_was_tried() {
        let err = find_binary("HALLKEEPER_SURELY_UNSET_VAR", "no-such-binary-here", "debug", "build it")
            .unwrap_err();
        assert!(err.contains("no-such-binary-here"), "{err}");
        assert!(err.contains("build it"), "{err}");
        assert!(err.contains("HALLKEEPER_SURELY_UNSET_VAR"), "{err}");
    }

    #[test]
    fn target_dirs_are_unique_and_include_the_workspace_target() {
        let dirs = target_dirs();
        assert!(dirs.contains(&workspace_root().join("target")), "{dirs:?}");
        let mut sorted = dirs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), dirs.len(), "{dirs:?}");
    }
}

//! Shared by the shell's integration tests: a store in a folder holding the sample catalog.
#![allow(dead_code)]

use hallkeeper_core::proto::{ImportRequest, Window, WindowInput, WindowKind, WindowState};
use hallkeeper_core::{Store, SystemClock};
use std::path::Path;
use std::sync::Arc;

/// A file store in `dir` with the sample catalog (347 matters, 15 departments) imported.
pub fn store_with_sample_catalog(dir: &Path) -> Arc<Store> {
    let store = Arc::new(Store::open_in_dir(dir, Arc::new(SystemClock)).unwrap());
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample-catalog/sample-catalog.csv");
    let req = ImportRequest {
        path: sample.to_string_lossy().into_owned(),
        mapping: hallkeeper_core::store::catalog::inspect_file(&sample).unwrap().mapping,
    };
    let preview = store.preview_import(&req, &|_| {}).unwrap();
    store.apply_import("t", &req, &preview.fingerprint, &|_| {}).unwrap();
    store
}

pub fn open_window(store: &Store, number: &str) -> Window {
    let input = WindowInput {
        number: number.into(),
        name: "综合受理".into(),
        zone: String::new(),
        kind: WindowKind::General,
        state: WindowState::Open,
    };
    store.create_window("t", &input).unwrap()
}

/// An account as the server would give it: `role` in hall `hall` (None for 系统管理员).
pub fn account(
    id: &str,
    login: &str,
    role: hallkeeper_core::proto::Role,
    hall: Option<&str>,
) -> hallkeeper_core::proto::Account {
    hallkeeper_core::proto::Account {
        id: id.into(),
        login: login.into(),
        display_name: format!("{login} 的姓名"),
        staff_id: None,
        grants: vec![hallkeeper_core::proto::HallRole { hall_id: hall.map(Into::into), role }],
        active: true,
        must_change_password: false,
    }
}

//! The UI's `ErrorCode` union is generated from the core's codes (`Code`, `FailureCode`). This test
//! fails when the committed file differs from what they generate; run it with
//! HALLKEEPER_UPDATE_BINDINGS=1 to rewrite the file.

use std::path::PathBuf;

#[test]
fn ui_error_codes_are_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/api/errorCodes.gen.ts");
    let generated = hallkeeper_core::typescript_error_codes();
    if std::env::var_os("HALLKEEPER_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write error codes");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `HALLKEEPER_UPDATE_BINDINGS=1 cargo test -p hallkeeper-core --test error_codes`",
        path.display()
    );
}

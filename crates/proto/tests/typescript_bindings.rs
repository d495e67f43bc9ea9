//! The UI's TypeScript types are generated from this crate. This test fails when the committed
//! file differs from what the Rust types generate; run it with HALLKEEPER_UPDATE_BINDINGS=1 to
//! rewrite the file.

use std::path::PathBuf;

#[test]
fn ui_bindings_are_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/api/types.gen.ts");
    let generated = hallkeeper_proto::typescript_declarations();
    if std::env::var_os("HALLKEEPER_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `HALLKEEPER_UPDATE_BINDINGS=1 cargo test -p hallkeeper-proto`",
        path.display()
    );
}

#[test]
fn enums_use_the_wire_spelling() {
    use hallkeeper_proto::{Locale, WindowKind, WindowState};
    for kind in WindowKind::ALL {
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
        assert_eq!(WindowKind::parse(kind.as_str()), Some(kind));
    }
    for state in WindowState::ALL {
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(json, format!("\"{}\"", state.as_str()));
        assert_eq!(WindowState::parse(state.as_str()), Some(state));
    }
    for kind in hallkeeper_proto::DeviceKind::ALL {
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
        assert_eq!(hallkeeper_proto::DeviceKind::parse(kind.as_str()), Some(kind));
    }
    for state in hallkeeper_proto::AppointmentState::ALL {
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(json, format!("\"{}\"", state.as_str()));
        assert_eq!(hallkeeper_proto::AppointmentState::parse(state.as_str()), Some(state));
    }
    for role in hallkeeper_proto::Role::ALL {
        let json = serde_json::to_string(&role).unwrap();
        assert_eq!(json, format!("\"{}\"", role.as_str()));
        assert_eq!(hallkeeper_proto::Role::parse(role.as_str()), Some(role));
    }
    assert_eq!(serde_json::to_string(&Locale::EnUs).unwrap(), "\"en-US\"");
    assert_eq!(Locale::parse("zh-CN"), Some(Locale::ZhCn));
    assert_eq!(Locale::parse("fr-FR"), None);
}

#[test]
fn window_input_refuses_unknown_fields() {
    let err = serde_json::from_str::<hallkeeper_proto::WindowInput>(
        r#"{"number":"A01","name":"x","kind":"general","colour":"red"}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
}

#[test]
fn an_account_is_camel_case_and_a_grant_refuses_unknown_fields() {
    use hallkeeper_proto::{Account, HallRole, Role};
    let account = Account {
        id: "a1".into(),
        login: "wang.li".into(),
        display_name: "王丽".into(),
        staff_id: None,
        grants: vec![HallRole { hall_id: Some("h1".into()), role: Role::ShiftLead }],
        active: true,
        must_change_password: false,
    };
    let json = serde_json::to_value(&account).unwrap();
    assert_eq!(json["displayName"], "王丽");
    assert_eq!(json["mustChangePassword"], false);
    assert_eq!(json["grants"][0]["hallId"], "h1");
    assert_eq!(json["grants"][0]["role"], "shift_lead");
    let err =
        serde_json::from_str::<HallRole>(r#"{"hallId":null,"role":"system_admin","all":true}"#).unwrap_err();
    assert!(err.to_string().contains("all"), "{err}");
}

//! The admin client's account calls (人员与权限) against the real server on loopback (SQLite in
//! a temporary folder), as the break-glass 系统管理员: list the hall's accounts, create a 值班长
//! (the first password to be changed), the policy and a grant outside the hall refused at their
//! fields, change the role, disable, reset; the person's own sign-in follows each.

mod common;

use hallkeeper_client::ClientError;
use hallkeeper_core::proto::{AccountInput, AccountUpdate, HallRole, PasswordReset, Role};

const ADMIN: &str = "accounts-test-admin";
const HALL: &str = "hall-1";

fn grant(role: Role) -> Vec<HallRole> {
    vec![HallRole { hall_id: Some(HALL.into()), role }]
}

fn refusal(e: ClientError) -> (String, Option<String>) {
    let body = e.server_error().unwrap_or_else(|| panic!("not a refusal: {e}"));
    (body.code, body.field)
}

/// The status of `POST /api/v1/session` for `login` with `password`.
async fn sign_in(http: &reqwest::Client, base: &str, login: &str, password: &str) -> u16 {
    let req = http.post(format!("{base}/api/v1/session"));
    common::status(req.json(&serde_json::json!({ "login": login, "password": password }))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shift_lead_is_created_changed_disabled_and_reset_through_the_admin_client() {
    let (_dir, _running, base, admin) = common::server(ADMIN, HALL).await;
    admin.ensure_hall("成都市政务服务中心").await.unwrap();
    let http = reqwest::Client::new();

    assert!(admin.accounts().await.unwrap().is_empty());

    let input = |password: &str, grants: Vec<HallRole>| AccountInput {
        login: "zhiban.chen".into(),
        display_name: "陈值班".into(),
        staff_id: None,
        grants,
        password: password.into(),
    };
    let short = admin.create_account(&input("短口令", grant(Role::ShiftLead))).await.unwrap_err();
    assert_eq!(refusal(short), ("password.too_short".into(), Some("password".into())));
    // A hall's route grants only that hall's roles: never the server-wide 系统管理员.
    let above = vec![HallRole { hall_id: None, role: Role::SystemAdmin }];
    let body = admin
        .create_account(&input("值班长初始口令-2026", above))
        .await
        .unwrap_err()
        .server_error()
        .expect("a refusal");
    assert_eq!(body.code, "access.grant_forbidden");
    assert!(body.message.contains("系统管理员"), "the grant at fault is named: {}", body.message);
    assert!(admin.accounts().await.unwrap().is_empty(), "nothing was created");

    let created = admin.create_account(&input("值班长初始口令-2026", grant(Role::ShiftLead))).await.unwrap();
    assert!(created.must_change_password && created.active);
    assert_eq!(created.grants, grant(Role::ShiftLead));
    let listed = admin.accounts().await.unwrap();
    assert_eq!(listed.iter().map(|a| a.login.as_str()).collect::<Vec<_>>(), ["zhiban.chen"]);
    assert_eq!(sign_in(&http, &base, "zhiban.chen", "值班长初始口令-2026").await, 200);

    let update = AccountUpdate { grants: Some(grant(Role::Supervisor)), ..AccountUpdate::default() };
    let changed = admin.update_account(&created.id, &update).await.unwrap();
    assert_eq!(changed.grants, grant(Role::Supervisor));

    let disabled = admin
        .update_account(&created.id, &AccountUpdate { active: Some(false), ..AccountUpdate::default() })
        .await
        .unwrap();
    assert!(!disabled.active);
    assert_eq!(sign_in(&http, &base, "zhiban.chen", "值班长初始口令-2026").await, 403);
    admin
        .update_account(&created.id, &AccountUpdate { active: Some(true), ..AccountUpdate::default() })
        .await
        .unwrap();

    let weak = admin
        .reset_account_password(&created.id, &PasswordReset { password: "zhiban.chen".into() })
        .await
        .unwrap_err();
    assert_eq!(refusal(weak).1.as_deref(), Some("password"));
    admin
        .reset_account_password(&created.id, &PasswordReset { password: "临时口令-重置-2026".into() })
        .await
        .unwrap();
    assert_eq!(sign_in(&http, &base, "zhiban.chen", "值班长初始口令-2026").await, 401);
    assert_eq!(sign_in(&http, &base, "zhiban.chen", "临时口令-重置-2026").await, 200);
    assert!(admin.accounts().await.unwrap()[0].must_change_password);

    // An id with a slash stays one segment (no other route is reached).
    let missing = admin.update_account("../devices", &AccountUpdate::default()).await.unwrap_err();
    assert!(missing.server_error().is_some_and(|b| b.code.contains("not_found")), "{missing}");
}

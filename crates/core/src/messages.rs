//! Every message a person reads, in Simplified Chinese and English. Kept in one place so the two
//! languages are reviewed side by side.

use crate::error::{Code, Error, Rejection};
use hallkeeper_proto::Locale;

pub(crate) fn rejection(r: &Rejection, locale: Locale) -> String {
    let zh = locale == Locale::ZhCn;
    let a = |name| r.get(name);
    match r.code {
        Code::WindowNumberEmpty => pick(zh, "请填写窗口编号".into(), "Enter a window number".into()),
        Code::WindowNumberInvalid => pick(
            zh,
            format!("窗口编号“{}”含有不允许的字符“{}”：只能使用字母、数字和连字符，如 A03", a("number"), a("char")),
            format!(
                "Window number \"{}\" contains \"{}\": use only letters, digits and hyphens, e.g. A03",
                a("number"),
                a("char")
            ),
        ),
        Code::WindowNumberTooLong => pick(
            zh,
            format!("窗口编号最多 {} 个字符，现为 {} 个", a("max"), a("len")),
            format!("A window number has at most {} characters; this one has {}", a("max"), a("len")),
        ),
        Code::WindowNumberDuplicate => pick(
            zh,
            format!("窗口编号 {} 已被“{}”使用，请换一个编号", a("number"), a("name")),
            format!("Window number {} is already used by \"{}\"; choose another number", a("number"), a("name")),
        ),
        Code::WindowNameEmpty => pick(zh, "请填写窗口名称".into(), "Enter a window name".into()),
        Code::WindowNameTooLong => pick(
            zh,
            format!("窗口名称最多 {} 个字，现为 {} 个字", a("max"), a("len")),
            format!("A window name has at most {} characters; this one has {}", a("max"), a("len")),
        ),
        Code::WindowNameInvalid => pick(
            zh,
            "窗口名称不能含有换行或控制字符".into(),
            "A window name cannot contain line breaks or control characters".into(),
        ),
        Code::WindowZoneTooLong => pick(
            zh,
            format!("所属区域最多 {} 个字，现为 {} 个字", a("max"), a("len")),
            format!("A zone has at most {} characters; this one has {}", a("max"), a("len")),
        ),
        Code::WindowZoneInvalid => pick(
            zh,
            "所属区域不能含有换行或控制字符".into(),
            "A zone cannot contain line breaks or control characters".into(),
        ),
        Code::WindowNotFound => pick(
            zh,
            "该窗口已不存在，可能已被删除，请刷新列表".into(),
            "This window no longer exists (it may have been deleted); refresh the list".into(),
        ),
        Code::WindowReferenced => pick(
            zh,
            format!(
                "窗口 {} 仍绑定着 {} 个事项，不能删除：请先解除绑定，或将窗口状态改为“关闭”",
                a("number"),
                a("bindings")
            ),
            format!(
                "Window {} still has {} matter binding(s) and cannot be deleted: remove the bindings first, or set the window to closed",
                a("number"),
                a("bindings")
            ),
        ),
        Code::WindowReorderMismatch => pick(
            zh,
            "窗口列表已被修改，顺序未保存，请刷新后重试".into(),
            "The window list has changed; the order was not saved. Refresh and try again".into(),
        ),
        Code::SettingsLocaleInvalid => pick(
            zh,
            format!("不支持的界面语言“{}”", a("locale")),
            format!("Unsupported interface language \"{}\"", a("locale")),
        ),
        Code::SettingsOperatorInvalid => pick(
            zh,
            "操作员名称须为 1–40 个字".into(),
            "The operator name must be 1–40 characters".into(),
        ),
    }
}

pub(crate) fn fault(e: &Error, locale: Locale) -> String {
    let zh = locale == Locale::ZhCn;
    match e {
        Error::Busy => pick(
            zh,
            "本地数据库正忙，请稍后重试".into(),
            "The local database is busy; try again in a moment".into(),
        ),
        Error::SchemaTooNew { found, known } => pick(
            zh,
            format!("本地数据库由更新版本的厅管家创建（结构版本 {found}，本程序支持 {known}），请升级程序"),
            e.to_string(),
        ),
        Error::Open { path, .. } | Error::DataDir { path, .. } => {
            pick(zh, format!("无法打开本地数据库 {}：{}", path.display(), detail(e)), e.to_string())
        }
        _ => pick(zh, format!("本地数据库出错：{}", detail(e)), e.to_string()),
    }
}

fn detail(e: &Error) -> String {
    match e {
        Error::Open { source, .. } => source.to_string(),
        Error::DataDir { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

fn pick(zh: bool, zh_text: String, en_text: String) -> String {
    if zh {
        zh_text
    } else {
        en_text
    }
}

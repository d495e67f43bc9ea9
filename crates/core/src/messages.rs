//! Every message a person reads, in Simplified Chinese and English. Kept in one place so the two
//! languages are reviewed side by side.

pub mod notices;

use crate::error::{Code, Error, Rejection};
use hallkeeper_proto::{ErrorBody, Locale};

impl Error {
    /// The message for a person, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Error::Rejected(r) => rejection(r, locale),
            other => fault(other, locale),
        }
    }

    /// The error as the UI receives it: stable code, message, the input field at fault.
    pub fn to_body(&self, locale: Locale) -> ErrorBody {
        ErrorBody {
            code: self.code().to_owned(),
            message: self.message(locale),
            field: self.rejection().and_then(|r| r.field.clone()).map(std::borrow::Cow::into_owned),
        }
    }
}

/// In English: how a rejection reads in logs and in `Error`'s `Display`.
impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&rejection(self, Locale::EnUs))
    }
}

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
        Code::ImportFileUnreadable => pick(
            zh,
            format!("无法读取文件 {}：{}", a("file"), a("reason")),
            format!("Cannot read the file {}: {}", a("file"), a("reason")),
        ),
        Code::ImportFileTooLarge => pick(
            zh,
            format!("文件“{}”有 {} MB，超过上限 {} MB，不像是事项目录，请检查是否选错了文件", a("file"), a("mb"), a("max_mb")),
            format!(
                "The file \"{}\" is {} MB, over the {} MB limit; it does not look like a matter catalog — check that it is the right file",
                a("file"),
                a("mb"),
                a("max_mb")
            ),
        ),
        Code::ImportNotATable => {
            let kind = a("kind");
            let (zh_what, en_what) = match kind {
                "xlsx" => ("其实是 Excel 工作簿（.xlsx），请把扩展名改为 .xlsx 后再导入".to_owned(), "is really an Excel workbook (.xlsx); rename it to .xlsx and import again".to_owned()),
                "xls" => ("其实是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx 或 CSV 后再导入".to_owned(), "is really an old Excel file (.xls); save it as .xlsx or CSV in Excel and import again".to_owned()),
                _ => (format!("不是文本表格（第 {} 字节起为二进制内容），请选择 CSV、XLSX 或 JSON 格式的事项目录", a("offset")), format!("is not a text table (binary content from byte {}); choose a catalog in CSV, XLSX or JSON", a("offset"))),
            };
            pick(zh, format!("文件“{}”{}", a("file"), zh_what), format!("The file \"{}\" {}", a("file"), en_what))
        }
        Code::ImportUnknownFormat => pick(
            zh,
            if a("kind") == "xls" {
                format!("文件“{}”是旧版 Excel 格式（.xls），请在 Excel 中另存为 .xlsx 或 CSV 后再导入", a("file"))
            } else {
                format!("无法识别文件“{}”的格式，请使用 CSV、XLSX 或 JSON", a("file"))
            },
            if a("kind") == "xls" {
                format!("\"{}\" is an old Excel file (.xls); save it as .xlsx or CSV in Excel and import again", a("file"))
            } else {
                format!("The format of \"{}\" is not recognised; use CSV, XLSX or JSON", a("file"))
            },
        ),
        Code::ImportEncoding => {
            if a("found") == "UTF-16" {
                pick(
                    zh,
                    format!("文件“{}”是 UTF-16 编码，请另存为 UTF-8 或 GBK 编码的 CSV", a("file")),
                    format!("\"{}\" is encoded as UTF-16; save it as CSV in UTF-8 or GBK", a("file")),
                )
            } else {
                let col_zh = if a("column").is_empty() { format!("第 {} 列", a("letter")) } else { format!("“{}”列（{} 列）", a("column"), a("letter")) };
                let col_en = if a("column").is_empty() { format!("column {}", a("letter")) } else { format!("column {} \"{}\"", a("letter"), a("column")) };
                pick(
                    zh,
                    format!("文件“{}”第 {} 行{}的文字既不是 UTF-8 也不是 GBK 编码，无法识别；请用 Excel 或 WPS 另存为“CSV UTF-8”后再导入", a("file"), a("row"), col_zh),
                    format!("\"{}\", row {}, {}: the text is neither UTF-8 nor GBK; save the file as \"CSV UTF-8\" in Excel or WPS and import again", a("file"), a("row"), col_en),
                )
            }
        }
        Code::ImportEmpty => pick(
            zh,
            format!("文件“{}”中没有表头或数据行", a("file")),
            format!("The file \"{}\" has no header row or no data rows", a("file")),
        ),
        Code::ImportColumnMissing => pick(
            zh,
            format!("文件“{}”缺少必需的列“{}”：请在列对应中为它选择一列", a("file"), field_zh(a("field"))),
            format!("The file \"{}\" lacks the required column \"{}\": choose a column for it in the mapping", a("file"), field_en(a("field"))),
        ),
        Code::ImportMappingOutOfRange => {
            if r.args.iter().any(|(n, _)| *n == "other") {
                pick(
                    zh,
                    format!("第 {} 列同时对应了“{}”和“{}”，每列只能对应一个字段", a("column"), field_zh(a("other")), field_zh(a("field"))),
                    format!("Column {} is mapped to both \"{}\" and \"{}\"; map each column to one field", a("column"), field_en(a("other")), field_en(a("field"))),
                )
            } else {
                pick(
                    zh,
                    format!("“{}”对应第 {} 列，但文件“{}”只有 {} 列", field_zh(a("field")), a("column"), a("file"), a("columns")),
                    format!("\"{}\" is mapped to column {}, but \"{}\" has only {} columns", field_en(a("field")), a("column"), a("file"), a("columns")),
                )
            }
        }
        Code::ImportDuplicateCode => pick(
            zh,
            format!("{}：事项编码“{}”重复，第 {} 行已出现过；每个事项编码只能出现一次", place_zh(r), a("value"), a("first_row")),
            format!("{}: catalog code \"{}\" is repeated (first at row {}); each code may appear once", place_en(r), a("value"), a("first_row")),
        ),
        Code::ImportValueEmpty => pick(
            zh,
            format!("{}为空，必须填写", place_zh(r)),
            format!("{} is empty and must be filled in", place_en(r)),
        ),
        Code::ImportValueInvalid => {
            let (zh_why, en_why) = invalid_reason(a("reason"), a("value"));
            pick(zh, format!("{}：{}", place_zh(r), zh_why), format!("{}: {}", place_en(r), en_why))
        }
        Code::ImportJsonInvalid => pick(
            zh,
            format!("文件“{}”不是有效的 JSON（第 {} 行第 {} 列）：{}", a("file"), a("line"), a("col"), a("reason")),
            format!("\"{}\" is not valid JSON (line {}, column {}): {}", a("file"), a("line"), a("col"), a("reason")),
        ),
        Code::ImportXlsxInvalid => pick(
            zh,
            format!("无法读取 Excel 文件“{}”：{}。请确认文件未损坏、未加密", a("file"), a("reason")),
            format!("Cannot read the Excel file \"{}\": {}. Check that it is not damaged or password-protected", a("file"), a("reason")),
        ),
        Code::ImportPreviewStale => pick(
            zh,
            format!("预览之后，文件“{}”或事项目录已有变化，未导入任何内容；请重新预览后再确认", a("file")),
            format!("The file \"{}\" or the catalog changed after the preview; nothing was imported. Preview again, then confirm", a("file")),
        ),
        Code::MatterNotFound => pick(
            zh,
            "该事项已不存在，请刷新事项目录".into(),
            "This matter no longer exists; refresh the catalog".into(),
        ),
        Code::MatterRetired => pick(
            zh,
            format!("事项 {} {} 已停用，不能绑定到窗口", a("code"), a("name")),
            format!("Matter {} {} is retired and cannot be bound to a window", a("code"), a("name")),
        ),
        Code::BindingEmptySelection => pick(
            zh,
            if a("max").is_empty() { "请先选择要绑定的事项".into() } else { format!("一次最多处理 {} 个事项", a("max")) },
            if a("max").is_empty() { "Select the matters to bind first".into() } else { format!("At most {} matters can be changed at once", a("max")) },
        ),
        Code::StaffEmployeeNoEmpty => pick(zh, "请填写工号".into(), "Enter an employee number".into()),
        Code::StaffEmployeeNoInvalid => pick(
            zh,
            format!("工号“{}”无效：只能使用字母、数字和连字符，最多 {} 个字符", a("value"), a("max")),
            format!("Employee number \"{}\" is invalid: use letters, digits and hyphens, at most {} characters", a("value"), a("max")),
        ),
        Code::StaffEmployeeNoDuplicate => pick(
            zh,
            format!("工号 {} 已属于“{}”", a("value"), a("name")),
            format!("Employee number {} already belongs to \"{}\"", a("value"), a("name")),
        ),
        Code::StaffNameEmpty => pick(zh, "请填写姓名".into(), "Enter a name".into()),
        Code::StaffNameTooLong => pick(
            zh,
            format!("姓名最多 {} 个字，现为 {} 个字", a("max"), a("len")),
            format!("A name has at most {} characters; this one has {}", a("max"), a("len")),
        ),
        Code::StaffNameInvalid => pick(
            zh,
            "姓名不能含有换行或控制字符".into(),
            "A name cannot contain line breaks or control characters".into(),
        ),
        Code::StaffNotFound => pick(
            zh,
            "该工作人员已不存在，请刷新列表".into(),
            "This staff member no longer exists; refresh the list".into(),
        ),
        Code::ThresholdInvalid => pick(
            zh,
            "阈值须为正整数，告警值不小于预警值（人数不超过 10000，时长不超过 1440 分钟），且每个窗口或事项只设一次".into(),
            "Thresholds are whole numbers above zero, the alarm level at least the warning level (at most 10,000 people or 1,440 minutes), each window or matter set once".into(),
        ),
        Code::SettingsLockMinutesInvalid => pick(
            zh,
            format!("自动锁定时间须为 1 到 {} 分钟", a("max")),
            format!("The idle lock is between 1 and {} minutes", a("max")),
        ),
        Code::AccessForbidden => pick(
            zh,
            format!("您的角色没有此权限（{}），如需操作请联系大厅管理员", a("capability")),
            format!("Your role does not allow this ({}); ask the hall administrator", a("capability")),
        ),
        Code::SessionRequired => pick(zh, "请先登录".into(), "Sign in first".into()),
        Code::SessionLocked => pick(
            zh,
            "屏幕已锁定，请输入密码解锁".into(),
            "The screen is locked; enter your password to unlock it".into(),
        ),
        Code::SessionWrongCredentials => pick(
            zh,
            "登录名或密码不正确".into(),
            "The login name or password is not correct".into(),
        ),
        Code::SessionOfflineUnavailable => pick(
            zh,
            format!(
                "无法连接中心服务器，且此账号 {} 天内未在本机联网登录过，不能离线登录",
                a("days")
            ),
            format!(
                "The central server cannot be reached, and this account has not signed in on this PC through the server in the last {} days, so it cannot sign in offline",
                a("days")
            ),
        ),
        Code::SeedNotEmpty => pick(
            zh,
            "本地已有窗口或事项，不能再载入演示大厅".into(),
            "This store already has windows or matters; the demo hall was not loaded".into(),
        ),
        Code::DepartmentNotFound => pick(
            zh,
            "所选部门已不存在，请刷新后重新选择".into(),
            "The chosen department no longer exists; refresh and choose again".into(),
        ),
        Code::RectificationIllegalTransition
        | Code::RectificationFieldRequired
        | Code::RectificationFieldInvalid
        | Code::RectificationCallBackRequired
        | Code::RectificationReopenNotAllowed
        | Code::RectificationTimeWentBackwards
        | Code::RectificationAssigneeUnchanged
        | Code::RectificationAppealSelfDecided
        | Code::RectificationProfileNameEmpty
        | Code::RectificationProfileNameTooLong
        | Code::RectificationProfileNameInvalid
        | Code::RectificationProfileNameDuplicate
        | Code::RectificationProfileOutOfRange
        | Code::CalendarYearUnpublished
        | Code::CalendarDateOutOfRange
        | Code::CalendarFileInvalid
        | Code::CalendarVersionUnsupported
        | Code::CalendarDuplicateYear
        | Code::CalendarEntryInvalid => {
            // Worded by the rectification and calendar modules, carried here (error.rs).
            pick(zh, a(crate::error::MESSAGE_ZH).into(), a(crate::error::MESSAGE_EN).into())
        }
        Code::CaseNotFound => pick(
            zh,
            "该差评件已不存在，请刷新列表".into(),
            "This rectification case no longer exists; refresh the list".into(),
        ),
        Code::EvidenceTooLarge => pick(
            zh,
            format!("文件“{}”有 {} MB，超过佐证材料上限 {} MB，请压缩后再上传", a("file"), a("mb"), a("max_mb")),
            format!("The file \"{}\" is {} MB, over the {} MB limit for evidence; compress it and attach it again", a("file"), a("mb"), a("max_mb")),
        ),
        Code::EvidenceUnreadable => pick(
            zh,
            format!("无法读取佐证材料“{}”：{}", a("file"), a("reason")),
            format!("Cannot read the evidence file \"{}\": {}", a("file"), a("reason")),
        ),
        Code::EvidenceUnknown => pick(
            zh,
            format!("佐证材料“{}”未上传到本差评件，请先上传", a("name")),
            format!("The evidence \"{}\" was not attached to this case; attach it first", a("name")),
        ),
        Code::SmsTemplateUnknownPlaceholder => pick(
            zh,
            format!(
                "模板第 {} 个字处的占位符 {{{}}} 无法识别，可用：{{ticket}} {{window}} {{ahead}} {{wait_min}} {{matter}} {{hall}}",
                sms_char(a("position")),
                a("name")
            ),
            format!(
                "Unknown placeholder {{{}}} at character {}; use {{ticket}} {{window}} {{ahead}} {{wait_min}} {{matter}} {{hall}}",
                a("name"),
                sms_char(a("position"))
            ),
        ),
        Code::SmsTemplateUnclosedBrace => pick(
            zh,
            format!("模板第 {} 个字处的“{{”没有对应的“}}”", sms_char(a("position"))),
            format!("The \"{{\" at character {} is never closed", sms_char(a("position"))),
        ),
        Code::SmsTemplateUnopenedBrace => pick(
            zh,
            format!("模板第 {} 个字处的“}}”前面没有“{{”（要写花括号本身请写 }}}}）", sms_char(a("position"))),
            format!(
                "The \"}}\" at character {} has no opening brace (write }}}} for a literal brace)",
                sms_char(a("position"))
            ),
        ),
        Code::SmsTemplateEmptyPlaceholder => pick(
            zh,
            format!("模板第 {} 个字处有空的占位符 {{}}", sms_char(a("position"))),
            format!("Empty placeholder {{}} at character {}", sms_char(a("position"))),
        ),
        Code::SmsTemplateEmpty => pick(zh, "请填写短信内容".into(), "Enter the message text".into()),
        Code::SmsTemplatePlaceholderUnavailable => pick(
            zh,
            format!(
                "“{}”时还不知道 {{{}}}（第 {} 个字处），请删去这个占位符",
                sms_trigger_zh(a("trigger")),
                a("name"),
                sms_char(a("position"))
            ),
            format!(
                "{{{}}} (character {}) is not known yet when the reminder is \"{}\"; remove it",
                a("name"),
                sms_char(a("position")),
                sms_trigger_en(a("trigger"))
            ),
        ),
        Code::SmsRuleInvalid => sms_rule_invalid(zh, r),
        Code::SmsPhoneInvalid => pick(
            zh,
            "请输入 11 位中国大陆手机号码，如 138 0013 8000".into(),
            "Enter an 11-digit mainland China mobile number, e.g. 138 0013 8000".into(),
        ),
        Code::StarRuleInvalid => star_rule_invalid(zh, r),
        Code::RatingReasonsCount => pick(
            zh,
            format!("评价原因标签须为 {} 到 {} 个（现为 {} 个）", a("min"), a("max"), a("count")),
            format!("Keep {} to {} reason tags (there are {})", a("min"), a("max"), a("count")),
        ),
        Code::RatingReasonEmpty => pick(zh, "评价原因标签不能为空".into(), "A reason tag cannot be empty".into()),
        Code::RatingReasonTooLong => pick(
            zh,
            format!("评价原因标签“{}”过长，最多 {} 个字", a("tag"), a("max")),
            format!("The reason tag “{}” is too long: at most {} characters", a("tag"), a("max")),
        ),
        Code::RatingReasonDuplicate => pick(
            zh,
            format!("评价原因标签“{}”重复了", a("tag")),
            format!("The reason tag “{}” is already in the list", a("tag")),
        ),
        Code::StarMonthInvalid => pick(
            zh,
            format!("没有 {} 年 {} 月这个月份", a("year"), a("month")),
            format!("There is no month {}-{}", a("year"), a("month")),
        ),
        Code::ReportPeriodInvalid => pick(
            zh,
            format!("统计周期的 {} 不正确：{}", a("field"), a("value")),
            format!("The report period's {} is not valid: {}", a("field"), a("value")),
        ),
        Code::ReportExportFailed => pick(
            zh,
            format!("无法写入报表文件“{}”：{}", a("file"), a("reason")),
            format!("Cannot write the report file \"{}\": {}", a("file"), a("reason")),
        ),
    }
}

/// The service-star rule's refusals, by field.
fn star_rule_invalid(zh: bool, r: &Rejection) -> String {
    let max = r.get("max");
    match r.field.as_deref() {
        Some("minServices") => pick(
            zh,
            format!("最少服务量须为 0 到 {max} 之间的整数"),
            format!("The minimum number of services is a whole number from 0 to {max}"),
        ),
        Some("minRatings") => pick(
            zh,
            format!("最少评价数须为 1 到 {max} 之间的整数"),
            format!("The minimum number of ratings is a whole number from 1 to {max}"),
        ),
        Some("topN") => pick(
            zh,
            format!("每月评选人数须为 1 到 {max} 之间的整数"),
            format!("The number of stars a month is a whole number from 1 to {max}"),
        ),
        _ => pick(
            zh,
            "排序规则至少一项，且每个指标只能出现一次".into(),
            "The ranking order needs at least one step, each figure at most once".into(),
        ),
    }
}

/// A 0-based character position as a person counts (from 1).
fn sms_char(position: &str) -> String {
    position.parse::<usize>().map_or_else(|_| position.to_owned(), |p| (p + 1).to_string())
}

fn sms_trigger_zh(kind: &str) -> &'static str {
    match kind {
        "issued" => "取号成功",
        "peopleAhead" => "前面还剩 N 人",
        "called" => "叫号",
        "missed" => "过号",
        "appointmentHeadsUp" => "预约提醒",
        _ => "该提醒",
    }
}

fn sms_trigger_en(kind: &str) -> &'static str {
    match kind {
        "issued" => "ticket issued",
        "peopleAhead" => "N people ahead",
        "called" => "called",
        "missed" => "missed",
        "appointmentHeadsUp" => "appointment heads-up",
        _ => "this reminder",
    }
}

/// A rule-set field wrong for a reason other than its template: worded by the field it is at.
fn sms_rule_invalid(zh: bool, r: &Rejection) -> String {
    let field = r.field.as_deref().unwrap_or("");
    let last = field.rsplit('.').next().unwrap_or(field);
    let reason = r.get("reason");
    if last == "id" {
        return pick(zh, format!("规则编号无效：{reason}"), format!("Rule id: {reason}"));
    }
    if last == "name" {
        return pick(zh, "请填写规则名称".into(), "Enter a rule name".into());
    }
    if last == "n" {
        return pick(
            zh,
            "“前面还剩 N 人”的 N 至少为 1（为 0 时就是叫号本身）".into(),
            "N must be at least 1 (0 people ahead is the call itself)".into(),
        );
    }
    if last == "minutesBefore" {
        return pick(
            zh,
            format!("提前分钟数应为 1–{}", hallkeeper_sms::rules::MAX_HEADS_UP_MINUTES),
            format!("Minutes before must be 1–{}", hallkeeper_sms::rules::MAX_HEADS_UP_MINUTES),
        );
    }
    if last.starts_with("matterIds") {
        return pick(zh, "适用事项中有空项".into(), "A matter in the filter is empty".into());
    }
    if field == "quietHours" {
        return pick(
            zh,
            "免打扰的开始和结束时间相同；不需要免打扰请关闭它".into(),
            "Quiet hours start and end at the same time; turn quiet hours off instead".into(),
        );
    }
    if field == "dailyCapPerCitizen" {
        return pick(
            zh,
            format!("每人每日上限应为 1–{} 条", hallkeeper_sms::rules::MAX_DAILY_CAP),
            format!("The daily cap per citizen must be 1–{}", hallkeeper_sms::rules::MAX_DAILY_CAP),
        );
    }
    pick(zh, format!("短信提醒规则有误：{reason}"), format!("SMS rules: {reason}"))
}

/// Where in a file a problem is: “sample.csv”第 12 行“事项名称”列（B 列）.
fn place_zh(r: &Rejection) -> String {
    let a = |n| r.get(n);
    let json = a("unit") == "record";
    let mut s = if json {
        format!("“{}”第 {} 条记录", a("file"), a("row"))
    } else {
        format!("“{}”第 {} 行", a("file"), a("row"))
    };
    if !a("column").is_empty() || !a("letter").is_empty() {
        if json {
            s.push_str(&format!("的“{}”字段", a("column")));
        } else {
            s.push_str(&format!("“{}”列（{} 列）", a("column"), a("letter")));
        }
    }
    s
}

fn place_en(r: &Rejection) -> String {
    let a = |n| r.get(n);
    let json = a("unit") == "record";
    let mut s = if json {
        format!("\"{}\", record {}", a("file"), a("row"))
    } else {
        format!("\"{}\", row {}", a("file"), a("row"))
    };
    if !a("column").is_empty() || !a("letter").is_empty() {
        if json {
            s.push_str(&format!(", field \"{}\"", a("column")));
        } else {
            s.push_str(&format!(", column {} \"{}\"", a("letter"), a("column")));
        }
    }
    s
}

fn invalid_reason(reason: &str, value: &str) -> (String, String) {
    if let Some(max) = reason.strip_prefix("max:") {
        return (format!("内容过长（最多 {max} 个字）"), format!("too long (at most {max} characters)"));
    }
    if let Some(c) = reason.strip_prefix("char:") {
        return (
            format!("事项编码“{value}”含有不允许的字符“{c}”（只能使用字母、数字、-、_、.）"),
            format!("catalog code \"{value}\" contains \"{c}\" (use letters, digits, -, _ and . only)"),
        );
    }
    match reason {
        "control" => ("含有换行或控制字符".into(), "contains a line break or control character".into()),
        "yes_no" => (format!("“{value}”不是“是”或“否”"), format!("\"{value}\" is not yes/no (是/否)")),
        "days" => (
            format!("“{value}”不是有效的工作日天数（如 15、即办）"),
            format!("\"{value}\" is not a number of working days (e.g. 15, 即办)"),
        ),
        "letter" => (
            format!("取号字母“{value}”须为一个英文字母"),
            format!("ticket prefix \"{value}\" must be one letter A–Z"),
        ),
        "state" => (
            format!("“{value}”不是有效的事项状态（在用/停用）"),
            format!("\"{value}\" is not a matter state (在用/停用, active/retired)"),
        ),
        other => (format!("“{value}”无效：{other}"), format!("\"{value}\" is invalid: {other}")),
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "catalogCode" => "事项编码",
        "name" => "事项名称",
        "department" => "实施部门",
        "departmentCode" => "部门编码",
        "matterType" => "事项类型",
        "required" => "是否必进",
        "timeLimitDays" => "承诺时限",
        "ticketPrefix" => "取号字母",
        "state" => "事项状态",
        _ => "未知字段",
    }
}

fn field_en(field: &str) -> &'static str {
    match field {
        "catalogCode" => "catalog code",
        "name" => "matter name",
        "department" => "department",
        "departmentCode" => "department code",
        "matterType" => "matter type",
        "required" => "required",
        "timeLimitDays" => "time limit",
        "ticketPrefix" => "ticket prefix",
        "state" => "state",
        _ => "unknown field",
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
        Error::SyncGap { expected, found } => {
            pick(zh, format!("服务器的变更记录从 {expected} 跳到了 {found}，正在重新拉取"), e.to_string())
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

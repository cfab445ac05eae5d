//! User-facing text, zh-CN first with English.
//!
//! Every string a person reads is a `Msg`; each is declared with both
//! languages side by side, so a key missing from one locale does not compile,
//! and the tests below catch empty or mismatched translations.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn from_code(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
    /// The `lang` cookie wins; then the first language of `Accept-Language`
    /// we speak; Chinese otherwise.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        cookie
            .and_then(Lang::from_code)
            .or_else(|| {
                accept_language?
                    .split(',')
                    .filter_map(|part| Lang::from_code(part.split(';').next().unwrap_or("")))
                    .next()
            })
            .unwrap_or_default()
    }
}

macro_rules! messages {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Msg { $($key),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];
            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Zh => match self { $(Msg::$key => $zh),* },
                    Lang::En => match self { $(Msg::$key => $en),* },
                }
            }
        }
    };
}

messages! {
    AppName => "校园通行", "Campus Pass";
    Tagline => "访客预约 · 审批 · 扫码通行", "Visits · approvals · gate passes";
    LanguageSwitch => "English", "中文";
    SignIn => "登录", "Sign in";
    SignOut => "退出登录", "Sign out";
    SignInVisitor => "访客 / 居民登录", "Visitor / resident sign-in";
    SignInVisitorHint => "用手机号和短信验证码登录，无需注册", "Sign in with your mobile number and an SMS code; no account needed";
    SignInStaff => "教职工登录", "Staff sign-in";
    SignInStaffHint => "使用工号和密码登录", "Sign in with your staff number and password";
    Phone => "手机号", "Mobile number";
    PhonePlaceholder => "11 位手机号", "11-digit mobile number";
    SmsCode => "短信验证码", "SMS code";
    SmsCodePlaceholder => "6 位数字", "6 digits";
    SendCode => "获取验证码", "Send code";
    CodeSent => "验证码已发送，10 分钟内有效", "Code sent; valid for 10 minutes";
    ResendIn => "秒后可重新获取", "s until you can resend";
    StaffNo => "工号", "Staff number";
    Password => "密码", "Password";
    CurrentPassword => "当前密码", "Current password";
    NewPassword => "新密码", "New password";
    NewPasswordAgain => "再次输入新密码", "New password again";
    PasswordRule => "至少 10 位，含字母和数字，不能与工号相同", "At least 10 characters with letters and digits, not your staff number";
    ChangePassword => "修改密码", "Change password";
    MustChangePassword => "首次登录请先修改初始密码", "Please replace your initial password before continuing";
    PasswordChanged => "密码已修改", "Password changed";
    PasswordsDiffer => "两次输入的新密码不一致", "The two new passwords differ";
    Save => "保存", "Save";
    Saved => "已保存", "Saved";
    Cancel => "取消", "Cancel";
    Add => "新增", "Add";
    Edit => "编辑", "Edit";
    Search => "搜索", "Search";
    Loading => "加载中…", "Loading…";
    Nothing => "暂无记录", "Nothing here yet";
    Back => "返回", "Back";
    Home => "首页", "Home";
    Welcome => "您好", "Hello";
    SignedInAsPhone => "已用手机号登录", "Signed in with mobile";
    YourRoles => "您的身份", "Your roles";
    // roles
    RoleVisitor => "访客", "Visitor";
    RoleResident => "居民", "Resident";
    RoleStaff => "教职工", "Staff";
    RoleApprover => "部门审批人", "Department approver";
    RoleSecurityAdmin => "保卫处管理员", "Security admin";
    RoleGuard => "门岗", "Guard";
    RoleTempAdmin => "临时人员管理员", "Temporary-personnel admin";
    RoleHr => "人事处", "HR";
    // admin
    Admin => "管理", "Administration";
    Campuses => "校区与校门", "Campuses and gates";
    Campus => "校区", "Campus";
    Gates => "校门", "Gates";
    Gate => "校门", "Gate";
    GateKind => "类型", "Kind";
    GateKindPedestrian => "人行", "Pedestrian";
    GateKindVehicle => "车行", "Vehicle";
    GateKindBoth => "人车混行", "Pedestrian and vehicle";
    GateDirection => "方向", "Direction";
    DirectionBoth => "进出", "In and out";
    DirectionEntry => "仅入", "Entry only";
    DirectionExit => "仅出", "Exit only";
    Active => "启用", "Active";
    Inactive => "停用", "Inactive";
    Name => "名称", "Name";
    NameEn => "英文名称", "English name";
    PersonName => "姓名", "Name";
    Departments => "部门", "Departments";
    Department => "部门", "Department";
    DepartmentCode => "部门代码", "Department code";
    Staff => "教职工", "Staff";
    StaffImport => "从 CSV 导入", "Import from CSV";
    StaffImportHint => "列：工号, 姓名, 部门代码或名称, 手机（可选）。支持 UTF-8 和 GBK（Excel 另存为 CSV）。有任何一行出错则全部不导入。", "Columns: staff number, name, department code or name, mobile (optional). UTF-8 and GBK (Excel's CSV) both work. If any row is wrong, nothing is imported.";
    ChooseFile => "选择文件", "Choose file";
    Check => "检查", "Check";
    Import => "导入", "Import";
    ImportErrors => "以下行有错误，未导入任何数据：", "These rows have errors; nothing was imported:";
    ImportReady => "检查通过，可以导入", "All rows are valid and ready to import";
    ImportDone => "导入完成", "Import finished";
    ImportCreated => "新增", "created";
    ImportUpdated => "更新", "updated";
    InitialPasswords => "初始密码（仅显示这一次，请分别告知本人，首次登录须修改）：", "Initial passwords (shown only once; hand each to its owner, who must change it at first sign-in):";
    Row => "行", "Row";
    ResetPassword => "重置密码", "Reset password";
    Grants => "授权", "Grants";
    GrantRole => "授予角色", "Grant a role";
    Role => "角色", "Role";
    Scope => "范围", "Scope";
    Status => "状态", "Status";
    Grant => "授权", "Grant";
    Freeze => "冻结", "Freeze";
    Unfreeze => "解冻", "Unfreeze";
    Revoke => "撤销", "Revoke";
    StatusActive => "有效", "Active";
    StatusFrozen => "已冻结", "Frozen";
    StatusRevoked => "已撤销", "Revoked";
    Audit => "审计日志", "Audit trail";
    Time => "时间", "Time";
    Actor => "操作人", "Actor";
    Action => "操作", "Action";
    Record => "对象", "Record";
    Changes => "变更", "Changes";
    Outbox => "短信发件箱", "SMS outbox";
    Recipient => "收件人", "Recipient";
    Message => "内容", "Message";
    // SMS texts (sent to phones)
    SmsCodeText => "【校园通行】验证码 {code}，10 分钟内有效。如非本人操作请忽略。", "[Campus Pass] Your code is {code}, valid for 10 minutes. Ignore this if you did not ask for it.";
    // errors
    ErrUnauthenticated => "请先登录", "Please sign in first";
    ErrForbidden => "您没有进行此操作的权限", "You are not allowed to do this";
    ErrNotFound => "找不到该记录", "That record was not found";
    ErrInternal => "系统繁忙，请稍后再试", "Something went wrong on our side; please try again shortly";
    ErrNetwork => "网络连接失败，请检查网络后重试", "Could not reach the server; check your connection and retry";
    ErrRateLimited => "操作过于频繁，请稍后再试", "Too many attempts; please wait and try again";
    ErrCrossSite => "请求来源不正确，请刷新页面后重试", "The request came from another site; reload the page and retry";
    ErrPhoneInvalid => "请输入正确的 11 位大陆手机号", "Enter a valid 11-digit mainland mobile number";
    ErrCodeInvalid => "验证码错误或已过期，请重新获取", "The code is wrong or has expired; ask for a new one";
    ErrCodeFormat => "验证码为 6 位数字", "The code is 6 digits";
    ErrSmsPerMinute => "验证码每分钟只能获取一次", "You can ask for a code once a minute";
    ErrSmsPerHour => "每小时最多获取 5 次验证码", "At most 5 codes an hour";
    ErrSmsPerDay => "今日获取验证码次数已达上限，请明天再试", "Today's limit of codes is reached; try again tomorrow";
    ErrSmsPerIp => "此网络获取验证码过于频繁，请稍后再试", "Too many codes requested from this network; try later";
    ErrBadCredentials => "工号或密码错误", "Wrong staff number or password";
    ErrAccountLocked => "密码错误次数过多，请 15 分钟后再试或联系管理员", "Too many wrong passwords; try again in 15 minutes or ask an administrator";
    ErrPasswordWeak => "新密码至少 10 位，须包含字母和数字，且不能与工号相同", "The new password needs 10+ characters with letters and digits, and must not be your staff number";
    ErrPasswordSame => "新密码不能与当前密码相同", "The new password must differ from the current one";
    ErrRequired => "此项必填", "This field is required";
    ErrTooLong => "内容过长", "Too long";
    ErrDuplicate => "已存在相同的记录", "A record with the same value already exists";
    ErrStaffNoInvalid => "工号只能包含字母、数字和短横线，最多 20 位", "Staff numbers are letters, digits and dashes, at most 20";
    ErrUnknownDepartment => "找不到该部门", "No such department";
    ErrUnknownCampus => "找不到该校区", "No such campus";
    ErrUnknownStaff => "找不到该工号的教职工", "No staff member with that number";
    ErrScopeNeeded => "该角色需要指定部门或校门", "This role needs a department or gate";
    ErrCsvEmpty => "文件中没有数据行", "The file has no data rows";
    ErrCsvHeader => "表头应为：工号, 姓名, 部门, 手机", "The header should be: staff number, name, department, mobile";
    ErrCsvColumns => "列数不对", "Wrong number of columns";
    ErrCsvDuplicateInFile => "工号在文件中重复出现", "This staff number appears twice in the file";
    ErrFileTooLarge => "文件太大（最大 5 MB）", "The file is too large (5 MB at most)";
    ErrEncoding => "无法识别文件编码，请另存为 UTF-8 或 GBK 的 CSV", "Unknown file encoding; save it as CSV in UTF-8 or GBK";
    ErrIdNumber => "身份证号码不正确，请核对", "That ID number is not valid; please check it";
    ErrPlate => "车牌号不正确", "That plate number is not valid";
    ErrAlreadyHandled => "该记录已被他人处理，请刷新", "Someone else already handled this; refresh";
}

/// The language in effect for this page, shared through context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n(RwSignal::new(Lang::Zh)))
}

impl I18n {
    pub fn lang(&self) -> Lang {
        self.0.get()
    }
}

/// Reactive text for a message: re-renders when the language changes.
pub fn t(msg: Msg) -> impl Fn() -> &'static str + Send + Sync + Copy + 'static {
    let i18n = use_i18n();
    move || msg.text(i18n.0.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_and_the_same_placeholders() {
        for m in Msg::ALL {
            let zh = m.text(Lang::Zh);
            let en = m.text(Lang::En);
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{m:?} is empty in a locale");
            let holes = |s: &str| {
                let mut v: Vec<String> = s.split('{').skip(1).filter_map(|p| p.split('}').next()).map(str::to_owned).collect();
                v.sort();
                v
            };
            assert_eq!(holes(zh), holes(en), "{m:?} placeholders differ");
        }
    }

    #[test]
    fn chinese_text_is_really_chinese() {
        // A copy-pasted English string in the zh column is a missing translation.
        for m in Msg::ALL {
            let zh = m.text(Lang::Zh);
            if matches!(m, Msg::LanguageSwitch) {
                continue;
            }
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) || zh.chars().all(|c| !c.is_ascii_alphabetic()), "{m:?}: {zh}");
        }
    }

    #[test]
    fn language_negotiation_prefers_cookie_then_header_then_chinese() {
        assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr-FR,zh;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, None), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("xx"), None), Lang::Zh);
    }
}

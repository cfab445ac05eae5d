//! User-facing text, zh-CN first with English.
//!
//! Every string a person reads is a `Msg`; each is declared with both
//! languages side by side, so a key missing from one locale does not compile,
//! and the tests below catch empty or mismatched translations. (Over 400
//! lines: the table is one line per message, in both languages.)

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
            .or_else(|| accept_language?.split(',').filter_map(|part| Lang::from_code(part.split(';').next().unwrap_or(""))).next())
            .unwrap_or_default()
    }
}

macro_rules! messages {
    ($table:ident; $($key:ident => $zh:literal, $en:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $table { $($key),* }

        impl $table {
            pub const ALL: &'static [$table] = &[$($table::$key),*];
            /// The variant names: a `Msg` crosses the wire as its name.
            #[allow(dead_code)]
            const NAMES: &'static [&'static str] = &[$(stringify!($key)),*];
            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Zh => match self { $($table::$key => $zh),* },
                    Lang::En => match self { $($table::$key => $en),* },
                }
            }
        }

        impl Text for $table {
            fn text(self, lang: Lang) -> &'static str {
                $table::text(self, lang)
            }
        }
    };
}

/// Anything a person reads, in their language: a `Msg` or an `OfficeMsg`.
pub trait Text: Copy + Send + Sync + 'static {
    fn text(self, lang: Lang) -> &'static str;
}

// By hand rather than derived: the derived deserializer is a match over
// every variant name, ~45 KB of wasm in each page bundle; a lookup in
// `Msg::NAMES` reads the same JSON (the variant's name as a string).
impl Serialize for Msg {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Msg {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Msg, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Msg::from_name(&name).ok_or_else(|| serde::de::Error::unknown_variant(&name, &[]))
    }
}

impl Msg {
    pub fn name(self) -> &'static str {
        Msg::NAMES[self as usize]
    }
    pub fn from_name(name: &str) -> Option<Msg> {
        Msg::NAMES.iter().position(|n| *n == name).map(|i| Msg::ALL[i])
    }
}

messages! {
    Msg;
    GuardOnRecord => "登记的证件", "The document on record";
    Inactive => "停用", "Inactive";
    AppName => "校园通行", "Campus Pass";
    Tagline => "访客预约 · 审批 · 扫码通行", "Visits · approvals · gate passes";
    LanguageSwitch => "English", "中文";
    SignIn => "登录", "Sign in";
    SignOut => "退出登录", "Sign out";
    // The larger display's switch: "长辈版" is the entry's name the 2021
    // MIIT ageing-friendly guidance asks apps to use.
    LargerDisplay => "长辈版", "Larger display";
    PassTitle => "通行码", "Pass";
    ApplicationTitle => "入校申请", "Application";
    PageNotFound => "找不到该页面", "Page not found";
    SignInVisitor => "访客 / 居民登录", "Visitor / resident sign-in";
    SignInVisitorHint => "用手机号和短信验证码登录，无需注册", "Sign in with your mobile number and an SMS code; no account needed";
    SignInStaff => "教职工登录", "Staff sign-in";
    SignInStaffHint => "使用工号和密码登录", "Sign in with your staff number and password";
    SignInWithCas => "统一身份认证登录", "Sign in with your campus account";
    SignInCasHint => "使用学校统一身份认证的工号和密码", "With the staff number and password of the campus single sign-on";
    SignInWithWeCom => "企业微信登录", "Sign in with WeCom";
    SignInPasswordInstead => "没有统一身份认证账号？使用本系统的工号和密码", "No campus account? Use a staff number and password of this system";
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
    Cancel => "取消", "Cancel";
    Edit => "编辑", "Edit";
    Search => "搜索", "Search";
    Loading => "加载中…", "Loading…";
    Nothing => "暂无记录", "Nothing here yet";
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
    RoleResidentOffice => "社区办（居民管理）", "Resident office";
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
    PersonName => "姓名", "Name";
    Departments => "部门", "Departments";
    Department => "部门", "Department";
    Staff => "教职工", "Staff";
    StaffImport => "从 CSV 导入", "Import from CSV";
    Check => "检查", "Check";
    ImportErrors => "以下行有错误，未导入任何数据：", "These rows have errors; nothing was imported:";
    Grants => "授权", "Grants";
    Role => "角色", "Role";
    Status => "状态", "Status";
    StatusRevoked => "已撤销", "Revoked";
    Audit => "审计日志", "Audit trail";
    Actor => "操作人", "Actor";
    Action => "操作", "Action";
    Outbox => "短信发件箱", "SMS outbox";
    // SMS texts (sent to phones)
    // errors
    ErrUnauthenticated => "请先登录", "Please sign in first";
    ErrForbidden => "您没有进行此操作的权限", "You are not allowed to do this";
    ErrNotFound => "找不到该记录", "That record was not found";
    ErrInternal => "系统繁忙，请稍后再试", "Something went wrong on our side; please try again shortly";
    ErrNetwork => "网络连接失败，请检查网络后重试", "Could not reach the server; check your connection and retry";
    ErrTooManyInvitations => "邀请发送过于频繁，请稍后再发", "Too many invitations sent; please wait before sending more";
    ErrTooManySubmissions => "提交申请过于频繁，请稍后再试；如需帮助请联系接待人或保卫处", "Too many applications submitted; please wait, or ask your host or the security office for help";
    ErrRateLimited => "操作过于频繁，请稍后再试", "Too many attempts; please wait and try again";
    ErrCrossSite => "请求来源不正确，请刷新页面后重试", "The request came from another site; reload the page and retry";
    ErrPhoneInvalid => "请输入正确的 11 位大陆手机号", "Enter a valid 11-digit mainland mobile number";
    ErrCodeInvalid => "验证码错误或已过期，请重新获取", "The code is wrong or has expired; ask for a new one";
    ErrCodeFormat => "验证码为 6 位数字", "The code is 6 digits";
    ErrSmsPerMinute => "验证码每分钟只能获取一次", "You can ask for a code once a minute";
    ErrSmsPerHour => "每小时最多获取 5 次验证码", "At most 5 codes an hour";
    ErrSmsPerDay => "今日获取验证码次数已达上限，请明天再试", "Today's limit of codes is reached; try again tomorrow";
    ErrSmsBusy => "当前获取验证码的人太多，请稍后再试", "Too many people are asking for codes right now; try again in a moment";
    ErrSmsPerIp => "此网络获取验证码过于频繁，请稍后再试", "Too many codes requested from this network; try later";
    ErrBadCredentials => "工号或密码错误", "Wrong staff number or password";
    ErrCasFailed => "统一身份认证未能确认您的身份，请重新登录", "The campus sign-in could not confirm who you are; please sign in again";
    ErrCasUnknownStaff => "您的统一身份认证账号不在本系统的教职工名单中，请联系保卫处", "Your campus account is not on this system's staff list; please contact the security office";
    ErrCasStaffInactive => "您的教职工账号已停用，请联系保卫处", "Your staff account is deactivated; please contact the security office";
    ErrDirectoryUnavailable => "无法读取统一身份目录（LDAP），本次同步未做任何更改", "The campus directory (LDAP) could not be read; nothing was changed";
    ErrDirectoryApplyFailed => "目录中的部门或人员与本系统的记录冲突（如部门重名），本次同步未做任何更改", "The directory's departments or staff conflict with records here (such as two departments with one name); nothing was changed";
    ErrDirectoryEmpty => "目录中没有找到任何教职工，请检查目录地址、搜索范围和筛选条件；本次同步未做任何更改", "The directory returned no staff: check its address, base DN and filter; nothing was changed";
    ErrDirectoryTooManyGone => "本次同步将停用超过一半的教职工账号，已拒绝执行，请先检查目录；未做任何更改", "This sync would deactivate more than half of the staff accounts and was refused: check the directory first; nothing was changed";
    ErrWeComFailed => "企业微信未能确认您的身份，请重新登录", "WeCom could not confirm who you are; please sign in again";
    ErrWeComUnknownStaff => "您的企业微信账号不在本系统的教职工名单中，请联系保卫处", "Your WeCom account is not on this system's staff list; please contact the security office";
    ErrWeComUnavailable => "暂时无法连接企业微信，请稍后再试", "WeCom cannot be reached; please try again later";
    ErrCasUnavailable => "暂时无法连接统一身份认证，请稍后再试", "The campus sign-in cannot be reached; please try again later";
    ErrAccountLocked => "密码错误次数过多，请 15 分钟后再试或联系管理员", "Too many wrong passwords; try again in 15 minutes or ask an administrator";
    ErrPasswordWeak => "新密码至少 10 位，须包含字母和数字，且不能与工号相同", "The new password needs 10+ characters with letters and digits, and must not be your staff number";
    ErrPasswordCommon => "这个密码太常见或容易被猜到，请换一个更长、不常见的密码（几个词组合起来就很好）", "This password is too common or easy to guess: choose a longer, uncommon one (a few words together work well)";
    ErrPasswordSame => "新密码不能与当前密码相同", "The new password must differ from the current one";
    ErrRequired => "此项必填", "This field is required";
    ErrTooLong => "内容过长", "Too long";
    ErrDuplicate => "已存在相同的记录", "A record with the same value already exists";
    ErrStaffNoInvalid => "工号只能包含字母、数字和短横线，最多 20 位", "Staff numbers are letters, digits and dashes, at most 20";
    ErrUnknownDepartment => "找不到该部门", "No such department";
    ErrUnknownCampus => "找不到该校区", "No such campus";
    ErrUnpaidFee => "该车辆有未缴停车费 ¥{arg}，缴清后才能再次预约。请联系保卫处。", "This vehicle has an unpaid parking fee of ¥{arg}; settle it with the security office before booking again.";
    ErrBadJson => "请求格式不正确（应为 JSON）", "The request body is not the expected JSON";
    ErrBadRequest => "请求格式不正确，请刷新页面后重试", "The request could not be read; reload the page and try again";
    ErrOneInput => "请只提供车牌、通行码或证件号中的一项", "Give exactly one of plate, QR or ID number";
    ErrUnknownGate => "找不到该校门", "No such gate";
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
    ErrFreeMinutes => "免费时长应为 0 至 1440 分钟", "Free minutes must be 0 to 1440";
    ErrHourlyRate => "每小时收费应为 0 至 1000 元，最多两位小数", "The hourly rate must be ¥0 to ¥1,000, at most two decimals";
    ErrDailyCap => "每日封顶应为 0 至 10000 元（0 为不封顶），最多两位小数", "The daily cap must be ¥0 to ¥10,000 (0: no cap), at most two decimals";
    ErrVehicleGate => "所选校门不是车行门", "A chosen gate is not a vehicle gate";
    ErrReceiptNo => "请填写收据号（1–40 位字母、数字或 - _ /）", "Enter the receipt number (1–40 letters, digits or - _ /)";
    ErrNoUnpaidFee => "该车辆没有未缴停车费", "This vehicle has no unpaid parking fee";
    ErrAlreadyHandled => "该记录已被他人处理，请刷新", "Someone else already handled this; refresh";
    // applications
    ApplyTitle => "入校预约申请", "Apply to enter campus";
    ContractorApplyTitle => "长期进校人员通行申请", "Long-term contractor pass";
    ResidentApplyTitle => "校区居民通行证", "Resident day pass";
    StaffApplyTitle => "校区工作通行证", "Staff work pass";
    ResidentApplyHint => "每户每 2 天可申请 1 个通行码，仅限 1 人在通行当天使用 1 次；进校时出示通行码和身份证或居住证明。", "One pass per household every 2 days, for one person, once, on its date; show it with your ID card or proof of residence.";
    StaffApplyHint => "经所在单位负责人审批后，凭通行码和工作证进入校区，仅限本人使用。", "After your unit head approves, enter with the pass and your work card; for you only.";
    HouseholderName => "户主姓名", "Householder's name";
    Community => "小区名称", "Community";
    Building => "楼栋号", "Building";
    Door => "门牌号", "Door";
    PassDate => "通行日期", "Date";
    ApplyReason => "申请原因", "Reason";
    BasicInfo => "基本信息", "Basic information";
    PassHolders => "通行人员", "Pass holders";
    WorkCard => "工作证", "Work card";
    PassInfo => "通行信息", "Pass";
    PassStart => "通行开始日期", "First day";
    PassEnd => "通行截止日期", "Last day";
    PassReason => "通行原因", "Reason";
    Unit => "所在单位", "Unit";
    ApplyResidentPass => "申请居民通行证", "Apply for a resident day pass";
    ApplyStaffPass => "申请工作通行证", "Apply for a staff work pass";
    FileContractor => "办理长期进校人员通行证", "File a contractor's pass";
    Renew => "续期（重新申请）", "Renew (new application)";
    ResidentSignInFirst => "请先用登记的手机号登录", "Sign in first with the mobile number on record";
    ApplySignInFirst => "请先用手机号登录，再填写申请（无需注册）。", "Sign in with your mobile number first (no account needed), then fill in the form.";
    ApplyingAs => "申请人手机：", "Applicant mobile:";
    DeadlineHint => "明天的预约今天 {time} 截止；最长 {days} 天；最多提前 {ahead} 天预约。", "Requests for tomorrow close today at {time}; at most {days} days; book at most {ahead} days ahead.";
    Host => "被访人", "Host";
    HostQuery => "被访人工号或姓名", "Host's staff number or name";
    HostQueryHint => "工号即邀请码；按姓名查找时请从列表中选择所在部门", "The staff number is the invitation code; when searching by name, pick the right department";
    Change => "更换", "Change";
    VisitReason => "来访事由", "Reason for the visit";
    PleaseChoose => "请选择", "Please choose";
    ReasonOfficial => "公务", "official";
    ReasonPrivate => "私事", "private";
    StartDate => "开始日期", "First day";
    EndDate => "结束日期", "Last day";
    Dates => "日期", "Dates";
    Entrants => "来访人员", "Visitors";
    PersonsOnPass => "通行人员", "People on the pass";
    Entrant => "来访人", "Visitor";
    EntrantPhoneHint => "本人手机号；无手机（如儿童）可留空", "Own mobile; leave empty for someone without one (e.g. a child)";
    DocType => "证件类型", "Document";
    DocNumber => "证件号码", "Document number";
    DocResidentId => "居民身份证", "Resident ID card";
    DocPassport => "护照", "Passport";
    DocOther => "其他证件（港澳台通行证等）", "Other (HK/Macau/Taiwan permits, …)";
    AddEntrant => "添加同行人员", "Add a person";
    Remove => "删除", "Remove";
    ComingByCar => "驾车来访", "Coming by car";
    Plate => "车牌号", "Plate number";
    PassengersHint => "请在随车人员下勾选“乘坐此车”", "Tick “in the car” for each person in the vehicle";
    InTheCar => "乘坐此车", "in the car";
    FacePhotoOptional => "人脸照片（可选）", "Face photo (optional)";
    FacePhotoWhy => "人脸照片仅用于门岗核验身份。不上传也可以凭身份证件和通行码入校。", "The photo only helps the guard check who you are. Without it you enter with your ID document and pass code.";
    FacePhotoConsent => "我同意提供人脸照片用于入校核验（敏感个人信息）", "I agree to provide a face photo for gate checks (sensitive personal information)";
    HasPhoto => "已上传照片", "photo provided";
    Note => "备注", "Note";
    SubmitApplication => "提交申请", "Submit application";
    MyApplications => "我的申请", "My applications";
    NewApplication => "新的预约申请", "New application";
    Applicant => "申请人", "Applicant";
    PassKindLabel => "类型", "Kind";
    DecisionNote => "审批意见", "Approver's note";
    ApprovalSteps => "审批流程", "Approval steps";
    StepHost => "被访人确认", "Host";
    StepDepartment => "部门审批", "Department";
    StepChosen => "下一步（由上一步审批人指定）", "Next step (chosen by the previous approver)";
    ErrChosenStepFirst => "第一步不能是“由上一步审批人指定”", "The first step cannot be chosen by a previous approver";
    ErrNoHostForKind => "按此申请方式没有被访人（或其部门）可审批：请删除该审批步骤", "With these applicants there is no host (or host department) to approve: remove that step";
    ErrApplicantsMismatch => "申请人与通行证类型不符", "These applicants cannot apply for this kind";
    NextStep => "下一步", "Next step";
    NextStepAgrees => "同意", " approves";
    NextHandler => "下一步办理人", "Next step handled by";
    Household => "住户", "Household";
    FiledBy => "聘用部门经办人", "Filed by (employing department)";
    OnBehalfTitle => "代为登记访客", "Register a visitor on their behalf";
    OnBehalfMobile => "来访人手机号（或家属手机，接收通行码）", "Visitor's mobile (or a family member's: the pass is texted there)";
    OnBehalfFiler => "代办人", "Filed on their behalf by";
    DocConsent => "同意（或已取得本人同意）提供证件号码，仅用于入校核验（敏感个人信息）", "I (or the person, whom I asked) agree to give ID numbers, only for entry checks (sensitive data)";
    PrivacyNoticeShort => "所填个人信息仅用于入校审批和核验，到期自动匿名化；可在“我的个人信息”查看或删除。", "Used only to approve and check entry, anonymised after a set time; see or delete it under \"My personal data\".";
    PrivacyLink => "隐私说明", "Privacy notice";
    ManualAdmission => "人工放行", "Manual admission";
    MyDataTitle => "我的个人信息", "My personal data";
    ErrNotEnded => "申请尚未结束，不能删除（可先撤回或放弃）", "The application has not ended: withdraw or release it first";
    FacePhotoField => "人脸照片", "Face photo";
    History => "办理记录", "History";
    EvSubmit => "提交", "Submitted";
    EvResubmit => "修改后重新提交", "Changed and resubmitted";
    EditAndResubmitHint => "申请已退回，请按审批意见修改后重新提交。", "Your application was returned; change it as the note says and submit it again.";
    ActApprove => "同意", "Approve";
    ActApproveWithEdits => "修改后同意", "Edit and approve";
    ActEditAndReturn => "修改后请申请人确认", "Edit and ask the applicant to confirm";
    ActConfirm => "确认修改", "Confirm the changes";
    ActReturn => "退回修改", "Return for changes";
    ActReject => "不同意", "Reject";
    ActAcknowledge => "知道了", "Acknowledge";
    ActWithdraw => "撤回申请", "Withdraw";
    ActRelease => "不再需要，放弃预约", "Give up this booking";
    ActCancel => "取消通行", "Cancel the pass";
    ActResubmit => "修改并重新提交", "Change and resubmit";
    ReasonRequired => "原因（必填，申请人可见）", "Reason (required, shown to the applicant)";
    NoteOptional => "意见（可选）", "Note (optional)";
    Inbox => "待我审批", "Waiting for me";
    BatchApprove => "批量同意", "Approve selected";
    BatchDone => "已同意 {ok} 份，未能处理 {failed} 份", "{ok} approved, {failed} could not be handled";
    DepartmentApplications => "本部门全部申请", "All of my departments' applications";
    AllStatuses => "全部状态", "All statuses";
    OnlyApprovers => "仅部门审批人可查看", "Only department approvers can see these";
    HostInboxHint => "访客来访需要您确认", "Visitors waiting for your confirmation";
    InviteVisitor => "邀请访客", "Invite a visitor";
    InviteHint => "填写您已知的信息，访客会收到短信链接，核对并补全（如证件号、照片）后提交；您的确认步骤视为已完成。", "Fill in what you know; the visitor gets an SMS link to check and complete it (ID number, photo) and submit. Your own approval step counts as done.";
    VisitorName => "访客姓名", "Visitor's name";
    SendInvitation => "发送邀请短信", "Send the invitation";
    InvitationSent => "邀请已发送", "Invitation sent";
    InviteContractor => "短信邀请施工/服务人员本人填写", "Invite a contractor by SMS to complete it";
    InviteContractorHint => "填写姓名、手机号和通行期限，对方会收到短信链接，本人填写证件信息（及照片、车辆）后提交；提交后仍由本部门审批人审批，您是该申请的负责人。", "Enter the name, mobile and dates; the person gets an SMS link, enters their own ID details (photo, car) and submits; your department's approver then reviews it, and you answer for it.";
    ContractorName => "人员姓名", "Person's name";
    // statuses
    StDraft => "草稿", "Draft";
    StInReview => "审批中", "In review";
    StReturned => "已退回待修改", "Returned for changes";
    StAwaitingConfirmation => "待您确认修改", "Awaiting your confirmation";
    StApproved => "已通过", "Approved";
    StRejectedUnacknowledged => "未通过", "Rejected";
    StRejected => "未通过（已知悉）", "Rejected (acknowledged)";
    StWithdrawn => "已撤回", "Withdrawn";
    StReleased => "已放弃", "Given up";
    StCancelled => "已取消", "Cancelled";
    StExpired => "已过期", "Expired";
    StCompleted => "已完成", "Completed";
    // pass kinds
    KindVisitor => "访客", "Visitor";
    KindContractor => "长期施工人员", "Long-term contractor";
    KindStaffWork => "教职工工作通行", "Staff work pass";
    KindResidentDay => "居民单日通行", "Resident day pass";
    KindTempPersonnel => "临时人员", "Temporary personnel";
    KindEvent => "活动", "Event";
    KindWalkIn => "临时到访", "Walk-in";
    KindVehicle => "车辆通行", "Vehicle pass";
    // passes and the scanner
    Passes => "通行码", "Passes";
    ScannerTile => "扫码核验", "Scan passes";
    PassValid => "有效", "Valid";
    PassNotYetValid => "未到入校日期", "Not valid yet";
    PassUsed => "已使用", "Used";
    PassExpired => "已过期", "Expired";
    PassCancelled => "已取消", "Cancelled";
    ValidFrom => "生效", "Valid from";
    ValidUntil => "截止", "Valid until";
    PassHint => "入校时向门岗出示此二维码和有效证件。请勿转发给他人。", "Show this code and your ID document at the gate. Do not forward it.";
    ScanLanding => "这是校园通行证的核验链接，需门岗登录后核验。", "This is a Campus Pass check link; a signed-in guard verifies it.";
    DirIn => "进校", "Entering";
    DirOut => "离校", "Leaving";
    Allow => "通过", "ALLOW";
    Refuse => "禁止", "STOP";
    ParkingFee => "停车费", "Parking fee";
    OpenCamera => "打开摄像头扫码", "Open the camera";
    CloseCamera => "关闭摄像头", "Close the camera";
    CameraRefused => "无法打开摄像头（浏览器或微信未授权）。请用下方“拍照识别”，或手动核验。", "The camera could not be opened (not allowed here). Use “Take a photo” below, or a manual check.";
    TakePhoto => "拍照识别", "Take a photo";
    NoCodeInPhoto => "照片中没有识别到通行码，请靠近一些重拍", "No pass code found in the photo; retake it closer";
    ManualLookup => "手动核验", "Manual check";
    ScanCode => "通行码内容", "Pass code text";
    // scan verdicts (what the guard reads)
    VerdictOk => "核验通过，请放行", "Valid: let them through";
    VerdictMalformed => "不是本系统的通行码", "Not a Campus Pass code";
    VerdictBadSignature => "通行码无效（签名不符），可能是伪造", "Invalid code (signature does not match); possibly forged";
    VerdictNotYetValid => "通行码尚未生效", "The pass is not valid yet";
    VerdictExpired => "通行码已过期", "The pass has expired";
    VerdictUnknownPass => "查无此通行证", "No such pass";
    VerdictCancelled => "通行证已取消", "The pass was cancelled";
    VerdictAlreadyUsed => "一次性通行证已使用过", "This single-use pass was already used";
    VerdictWrongCampus => "不是本校区的通行证", "The pass is for another campus";
    VerdictWrongGateKind => "请走对应的人行 / 车行通道", "Wrong lane: use the pedestrian / vehicle gate";
    VerdictGateNotAllowed => "私事来访车辆只能从指定校门进入", "Private-visit vehicles may only enter through the listed gates";
    VerdictWrongDirection => "此门只进不出（或只出不进）", "This gate is entry-only (or exit-only)";
    VerdictBlacklisted => "禁止通行，请联系保卫处", "Not allowed in; call the security office";
    VerdictNoPass => "今天没有有效通行证", "No valid pass for today";
    VerdictGateInactive => "此校门已停用", "This gate is switched off";
    // rules admin
    Rules => "事由与规则", "Reasons and rules";
    Blacklist => "黑名单", "Blacklist";
    BlDocument => "证件号码", "Document number";
    // SMS texts (sent to phones; Chinese)
    ArrivalTexts => "访客入校时短信通知我", "Text me when my visitors arrive";
    ArrivalTextsHint => "您邀请或接待的访客首次进校时，系统会发短信告诉您。", "When a visitor you host first enters, you get a text.";
    CheckVehicle => "核对车牌", "Check the plate";
    CheckWorkCard => "查验工作证", "Check the work card (工作证)";
    CheckResidenceProof => "查验身份证或居住证明", "Check the ID card or proof of residence";
    // application errors
    ErrDateFormat => "请选择日期", "Please choose a date";
    ErrEndBeforeStart => "结束日期不能早于开始日期", "The last day cannot be before the first";
    ErrStartInPast => "开始日期已过，请重新选择", "The first day has passed; choose another";
    ErrSameDay => "不能预约当天，请预约明天或以后", "Visits cannot start today; choose tomorrow or later";
    ErrPastDeadline => "明天的预约已于今天 {arg} 截止，请预约后天或以后的日期", "Requests for tomorrow closed today at {arg}; choose the day after tomorrow or later";
    ErrStayTooLong => "来访时间最长 {arg} 天，请缩短日期", "A visit may last at most {arg} days; shorten it";
    ErrTooFarAhead => "最多只能提前 {arg} 天预约，请选择更近的日期", "You can book at most {arg} days ahead; choose an earlier date";
    ErrNoEntrants => "请至少填写一位来访人员", "Add at least one visitor";
    ErrTooManyEntrants => "一份申请最多 {arg} 人，人数更多请分开申请或联系被访人", "At most {arg} people per application; split the group or ask your host";
    ErrHostUnknown => "找不到该被访人，请核对工号或姓名", "No such host; check the staff number or name";
    ErrReasonUnknown => "请选择来访事由", "Please choose the reason for the visit";
    ErrKindNotOffered => "暂不受理此类通行申请", "This kind of pass cannot be applied for here";
    ErrDocShape => "证件号码应为 5–20 位字母或数字", "The document number should be 5–20 letters or digits";
    ErrIdLength => "身份证号码应为 18 位", "A resident ID number has 18 characters";
    ErrIdChars => "身份证号码只能是数字，最后一位可以是 X", "Only digits, with X allowed as the last character";
    ErrIdBirthDate => "身份证号码中的出生日期不正确", "The birth date inside the ID number is not a real date";
    ErrPhotoInvalid => "照片无法识别或太大，请换一张照片", "The photo could not be read or is too large; try another";
    ErrPhotoRequired => "此类通行需要人脸照片", "This pass needs a face photo";
    ErrPhotoConsent => "上传人脸照片前请勾选同意", "Tick the consent box before adding a face photo";
    ErrDocConsent => "请勾选同意提供证件号码", "Tick the consent box for ID numbers";
    ErrStillInside => "此申请的人员或车辆仍登记在校内，离校后才能删除", "Someone or a car of this application is still recorded inside; it can be deleted once they have left";
    ErrPassengersWithoutCar => "勾选了乘车人员，请填写车牌号", "Someone is marked as in the car; enter the plate number";
    ErrVehicleNotAllowed => "此类通行不能登记车辆", "Vehicles cannot be registered for this kind of pass";
    ErrRepeatedDocument => "两位来访人员的证件号码相同，请核对", "Two visitors have the same document number; please check";
    ErrRepeatedMobile => "两位来访人员的手机号相同；没有本人手机的人员请留空", "Two visitors have the same mobile; leave it empty for someone without their own";
    ErrDuplicateDocument => "证件号 {arg} 已在另一份未结束的申请中。一个人同一时间只能有一份有效申请：请等该申请结束，或撤回 / 放弃它后再申请。", "Document {arg} is already on another open application. One person may hold one at a time: wait for it to end, or withdraw / give it up first.";
    ErrDuplicateMobile => "手机号 {arg} 已在另一份未结束的申请中。请等该申请结束，或撤回 / 放弃它后再申请。", "Mobile {arg} is already on another open application. Wait for it to end, or withdraw / give it up first.";
    ErrDuplicatePlate => "车辆 {arg} 已在另一份未结束的申请中。请等该申请结束，或撤回 / 放弃它后再申请。", "Vehicle {arg} is already on another open application. Wait for it to end, or withdraw / give it up first.";
    ErrNotPermitted => "该申请暂时无法受理。如有疑问，请联系保卫处。", "This application cannot be accepted. Please contact the campus security office if you have questions.";
    ErrVehicleInside => "该车辆目前登记在校内，驶离后才能再次预约。如已离校，请联系保卫处。", "This vehicle is recorded as inside a campus; it can be booked again once it has left. If it has left, contact the security office.";
    ErrVisitorsOnly => "请使用手机号登录后以访客身份申请", "Sign in with your mobile number to apply as a visitor";
    ErrFiledByStaff => "此类通行证由校内教职工代为办理，请联系您的接待人或聘用部门（可通过短信邀请您补全信息）", "Staff file this kind of pass for you: ask your host or employing department (they can invite you by SMS to complete it)";
    ErrStaffOnly => "此类通行证由教职工登录后申请", "Staff apply for this kind of pass after signing in";
    ErrNotAResident => "该手机号不是登记住户的成员，请联系社区办登记", "This mobile number is not a registered household member; ask the resident office to register it";
    ErrPaperPassHolder => "您家已领取纸质通行证，不能再申请通行二维码", "Your household holds a paper pass and cannot apply for a QR pass";
    ErrHouseholdElsewhere => "您的住户登记在其他校区", "Your household is registered on another campus";
    ErrNotYourHousehold => "所选小区、楼栋、门牌与您的住户登记不符", "The community, building and door chosen are not your household's";
    ErrHouseholderName => "户主姓名与登记不符", "The householder's name does not match the record";
    ErrResidentDocumentMissing => "您的证件未登记，请联系社区办", "Your document is not on record; ask the resident office";
    ErrHouseholdPassTooSoon => "每户每 {arg} 天只能申请 1 个通行码，所选日期已有本户的通行码", "One pass per household every {arg} days: your household already has one for these days";
    ErrChooseNextHandler => "请选择下一步和下一步办理人", "Choose the next step and who handles it";
    ErrPeriodsOverlap => "各时段不能重叠", "Periods must not overlap";
    ErrTooManyPeriods => "一次申请最多 {arg} 个时段", "At most {arg} periods in one application";
    ErrPeriodsEditedByVisitor => "多时段申请的日期请退回申请人修改", "Return a several-period application to the visitor to change its dates";
    AddPeriod => "＋ 增加一个时段", "+ Add another period";
    Periods => "通行时段", "Periods";
    ErrNextHandlerUnknown => "所选办理人不是该部门的审批人", "The person chosen does not approve for that department";
    ErrWrongState => "该申请当前状态下不能进行此操作，请刷新后查看", "This is not possible in the application's current state; refresh to see it";
    ErrReasonNeeded => "请填写原因，申请人会看到", "Please give a reason; the applicant will see it";
    ErrNoChanges => "没有修改任何内容", "Nothing was changed";
    ErrTooMany => "一次最多处理 100 份", "At most 100 at a time";
    ErrInvitationInvalid => "邀请链接无效或已过期，或不是发给这个手机号的", "The invitation link is invalid, has expired, or was sent to another mobile";
    ErrInvitationUsed => "该邀请已经提交过申请", "This invitation has already been used";
    ErrOutOfRange => "数值超出允许范围", "The value is out of range";
    ErrStepNotOffered => "访客类通行证暂不支持此审批步骤", "This step is not offered for visitor passes";
    ErrTooManyEvents => "一次最多同步 1000 条记录", "At most 1000 events per sync";
    // offline scanning
    OfflineVerdict => "离线核验：服务器暂时连不上，结果依据本机名单和签名", "Offline check: the server cannot be reached; decided from this phone's roster and the signature";
    OfflineBanner => "离线模式", "Offline";
    OnlineBanner => "在线", "Online";
    ScanReady => "等待扫码", "Ready";
    ScanReadyHint => "扫描通行码，或在下方按证件号、手机号、车牌查询", "Scan a pass, or look it up below by ID number, mobile or plate";
    RosterAge => "名单更新于", "Roster updated";
    RosterNone => "本机还没有离线名单，联网后会自动下载", "No offline roster on this phone yet; it downloads once online";
    QueuedEvents => "待同步记录", "Events waiting to sync";
    SyncedEvents => "已同步", "Synced";
    OfflineNeedsNetwork => "离线时只能核验通行码和车牌；证件号、手机号核验需要联网", "Offline, only pass codes and plates can be checked; ID and mobile lookups need the network";
    // the security office: scans and who is inside
    ScanLog => "通行记录", "Scan log";
    OnCampus => "在校人员车辆", "On campus now";
    Direction => "方向", "Direction";
    Method => "方式", "Method";
    Offline => "离线", "Offline";
    Filter => "筛选", "Filter";
    From => "从", "From";
    To => "到", "To";
    // gate devices and keys
    Devices => "闸机与设备", "Gate devices";
    ParkingFees => "停车费", "Parking fees";
    Statistics => "统计", "Statistics";
    StaffBlacklist => "教职工黑名单", "Staff blacklist";
    RollCall => "清点与疏散", "Roll call";
    ErrDrillOpen => "该校区已有进行中的演练，请先结束它", "A drill is already running on this campus: end it first";
    ErrStatsBackwards => "结束日期不能早于开始日期", "The end date cannot be before the start date";
    ErrStatsTooLong => "统计期间最长 367 天", "A period can be at most 367 days";
    // households and residents (the resident office)
    Households => "住户管理", "Households";
    Members => "成员", "Members";
    PrintPoster => "打印申请码", "Print the application QR code";
    ErrResidentPhoneTaken => "该手机号已登记给另一位居民（{arg}）。一个手机号只能登记一位居民。", "This mobile is already registered to another resident ({arg}). A mobile belongs to one resident only.";
    ErrHouseholdExists => "该校区已登记这个小区、楼栋、门牌的住户", "This campus already has a household at that community, building and door";
    ErrHouseholderFirst => "请先登记户主（勾选“户主”）", "Register the householder first (tick “Householder”)";
    ErrHouseholderStays => "每户有且只有一位户主：请把另一位成员设为户主，而不是取消当前户主", "A household has exactly one householder: make another member householder instead of unticking this one";
    ErrRemoveHouseholder => "户主不能删除：请先把另一位成员设为户主", "The householder cannot be removed: make another member householder first";
    ErrDocTypeChanged => "更换证件类型时请填写新的证件号码", "Enter the new number when changing the document type";
    ErrHouseholdCsvHeader => "表头应为：校区, 小区, 楼栋, 门牌, 姓名, 手机, 证件类型, 证件号码, 户主, 纸质通行证", "The header should be: campus, community, building, door, name, mobile, document type, document number, householder, paper pass";
    ErrYesNo => "请填写“是”或“否”", "Write 是 (yes) or 否 (no)";
    ErrDocTypeUnknown => "证件类型应为：居民身份证、护照或其他", "The document type should be 居民身份证 (resident ID), 护照 (passport) or 其他 (other)";
    ErrCsvMobileTwice => "手机号在文件中重复出现", "This mobile appears twice in the file";
    ErrCsvDocumentTwice => "证件号码在文件中重复出现", "This document number appears twice in the file";
    ErrCsvTwoHouseholders => "同一住户在文件中有多位户主", "This household has more than one householder in the file";
    ErrCsvNoHouseholder => "该住户没有户主：请在其中一行的“户主”填写“是”", "This household has no householder: write 是 under householder in one of its rows";
    ErrCsvPaperPassDiffers => "同一住户各行的“纸质通行证”不一致", "The rows of one household disagree on the paper pass";
    ErrCsvPhoneElsewhere => "该手机号已登记在另一住户", "This mobile is registered in another household";
    ErrTempLeaveInPast => "离校日期已过", "The leave date has passed";
    ErrTempTooLong => "一次最多登记三年", "At most three years at a time";
    ErrTempSameDepartment => "此人已在该部门", "Already in that department";
    ErrTempNoNumber => "没有这个临时员工号", "No such temporary staff number";
    ErrTempCommitment => "请勾选承诺", "Tick the commitment";
    ErrTempCategory => "请选择身份类别", "Choose a category";
    ErrTempOpenRequest => "此人已有待审批的申请", "A request for this person awaits a decision";
    ErrTempAlreadyOnRecord => "已登记为临时人员（{arg}）", "Already on record ({arg})";
    ErrTempNotOnRecord => "该手机号未登记为临时人员，请联系所在部门", "This mobile is not on record; ask your department";
    ErrTempFaceFirst => "请先完成人脸采集", "Finish the face photo step first";
    ErrTempAfterLeave => "不能晚于离校日期（{arg}）", "Not past your leave date ({arg})";
    ErrTempNotValid => "临时员工号已过期或已删除", "The number has expired or was deleted";
}

// The office pages' own words (labels of the security office's and the
// resident office's pages on a PC): only the main bundle holds them, so
// the phone bundles (each at most 200 KB) do not carry the office's text.
// A message that an error, a notice or a phone page uses belongs in `Msg`.
messages! {
    OfficeMsg;
    AdminPages => "管理页面", "Office pages";
    ColumnActions => "操作", "Actions";
    PreviousPage => "上一页", "Previous page";
    NextPage => "下一页", "Next page";
    CsvFile => "CSV 文件", "CSV file";
    Saved => "已保存", "Saved";
    Add => "新增", "Add";
    Back => "返回", "Back";
    Name => "名称", "Name";
    NameEn => "英文名称", "English name";
    DepartmentCode => "部门代码", "Department code";
    ChannelSms => "短信", "SMS";
    ChannelWeCom => "企业微信", "WeCom";
    DirectorySync => "目录同步（LDAP）", "Directory sync (LDAP)";
    DirectorySyncHint => "教职工和部门按学校统一身份目录自动更新，每 {n} 分钟一次；离开目录的人员账号自动停用，其登录和授权随即失效。本系统自建的账号（如应急管理员）不受影响。", "Staff and departments follow the campus directory, every {n} minutes; accounts gone from the directory are deactivated, ending their sessions and grants. Accounts made here (such as a break-glass administrator) are left alone.";
    DirectorySyncManualOnly => "仅在点击“立即同步”时同步。", "Synced only when you press Sync now.";
    DirectorySyncOff => "未配置目录同步：教职工由本页添加或用 CSV 导入。", "No directory is configured: staff are added here or imported from CSV.";
    DirectorySyncPreview => "预览变更", "Preview changes";
    DirectorySyncNow => "立即同步", "Sync now";
    DirectorySyncLast => "上次同步", "Last sync";
    SyncNewDepartments => "新增部门", "New departments";
    SyncRenamedDepartments => "部门改名", "Renamed departments";
    SyncAdded => "新增人员", "Staff added";
    SyncChanged => "信息变更", "Staff changed";
    SyncDeactivated => "停用（已不在目录中或已离职）", "Deactivated (gone from the directory, or marked as left)";
    SyncKeptLocal => "本系统自建账号（目录中没有，保留）", "Accounts made here (not in the directory, kept)";
    SyncSkipped => "无法使用的目录条目", "Directory entries not used";
    SyncOutcomeDryRun => "预览：以下变更尚未执行", "Preview: these changes are not made yet";
    SyncOutcomeApplied => "已同步", "Synced";
    SyncOutcomeNoChanges => "目录与本系统一致，无需变更", "The directory and the staff list agree: nothing to change";
    SyncOutcomeFailed => "同步失败", "Sync failed";
    SyncRenamed => "改名", "renamed";
    SyncTransferred => "调动", "transferred";
    SyncMobile => "手机", "mobile";
    SyncReactivated => "重新启用", "reactivated";
    SyncNewlyManaged => "改由目录管理", "now managed by the directory";
    SkipNoStaffNumber => "缺少工号", "no staff number";
    SkipBadStaffNumber => "工号格式不对", "staff number not valid";
    SkipNoName => "缺少姓名", "no name";
    SkipNoDepartment => "缺少部门", "no department";
    SkipDuplicate => "工号重复", "staff number used twice";
    StaffImportHint => "列：工号, 姓名, 部门代码或名称, 手机（可选）。支持 UTF-8 和 GBK（Excel 另存为 CSV）。有任何一行出错则全部不导入。", "Columns: staff number, name, department code or name, mobile (optional). UTF-8 and GBK (Excel's CSV) both work. If any row is wrong, nothing is imported.";
    ChooseFile => "选择文件", "Choose file";
    Import => "导入", "Import";
    ImportReady => "检查通过，可以导入", "All rows are valid and ready to import";
    ImportDone => "导入完成", "Import finished";
    ImportCreated => "新增", "created";
    ImportUpdated => "更新", "updated";
    InitialPasswords => "初始密码（仅显示这一次，请分别告知本人，首次登录须修改）：", "Initial passwords (shown only once; hand each to its owner, who must change it at first sign-in):";
    Row => "行", "Row";
    ResetPassword => "重置密码", "Reset password";
    GrantRole => "授予角色", "Grant a role";
    Scope => "范围", "Scope";
    Grant => "授权", "Grant";
    Freeze => "冻结", "Freeze";
    Unfreeze => "解冻", "Unfreeze";
    Revoke => "撤销", "Revoke";
    StatusActive => "有效", "Active";
    StatusFrozen => "已冻结", "Frozen";
    Time => "时间", "Time";
    Record => "对象", "Record";
    Changes => "变更", "Changes";
    Recipient => "收件人", "Recipient";
    Message => "内容", "Message";
    ReasonCategoryLabel => "类别", "Category";
    StepHostDepartment => "被访人所在部门审批", "Host's department";
    WhoApplies => "申请人", "Who applies";
    ApplicantsAnyone => "本人手机号登录申请（填写接待人）", "The person, signed in by mobile (naming a host)";
    ApplicantsResidents => "登记住户的成员（手机号登录）", "Members of a registered household (sign in by mobile)";
    ApplicantsStaffThemselves => "教职工本人", "Staff, for themselves";
    ApplicantsStaffForOthers => "教职工代为办理（接待人或聘用部门；本人可经短信邀请补全）", "Staff file it (the host or employing department; the person may complete it from an SMS invitation)";
    SingleUsePolicy => "通行码仅限使用 1 次", "Each pass admits once";
    HouseholdEveryDays => "每户每几天可申请 1 个（0 为不限）", "One pass per household every N days (0: no limit)";
    GuardChecks => "门岗查验证件", "The guard checks";
    FieldOptional => "可选", "Optional";
    FieldRequired => "必填", "Required";
    FieldHidden => "不收集", "Not collected";
    SkippedFor => "以下部门跳过此步", "Left out for";
    ClearSkips => "清除", "Clear";
    SkipForDepartment => "对某部门跳过此步…", "Leave out for a department…";
    AddStep => "添加审批步骤…", "Add a step…";
    BlacklistHint => "列入黑名单的人员（证件号或手机号）和车辆不能申请也不能通行；申请人只会看到中性提示。", "Blacklisted people (document or mobile) and vehicles can neither apply nor pass; applicants see only a neutral message.";
    BlKind => "类别", "Kind";
    BlValue => "号码", "Number";
    BlReason => "原因", "Reason";
    BlLift => "解除", "Lift";
    BlLifted => "已解除", "Lifted";
    BlLiftReason => "解除原因（解除时必填）", "Reason for lifting (needed to lift)";
    BlShowLifted => "显示已解除的记录", "Show lifted entries";
    VisitReasons => "来访事由", "Visit reasons";
    Activate => "启用", "Activate";
    Deactivate => "停用", "Deactivate";
    PassPolicies => "通行证类型规则", "Pass-kind policies";
    PassPoliciesHint => "审批流程、最长期限、截止时间、提前预约天数和是否允许车辆；修改只影响之后提交的申请。", "Approval chain, longest stay, deadline, booking horizon and vehicles; changes apply to applications submitted afterwards.";
    MaxDays => "最长天数", "Longest stay (days)";
    MaxDaysAhead => "最多提前天数", "Book at most (days ahead)";
    NextDayDeadline => "次日预约截止时间", "Next-day deadline";
    SameDayAllowed => "允许预约当天", "Same-day visits allowed";
    VehiclesAllowed => "允许登记车辆", "Vehicles allowed";
    Verdict => "结果", "Verdict";
    Scanner => "核验人 / 设备", "Guard / device";
    AllowedOnly => "仅通过的", "Allowed only";
    RefusedOnly => "仅拒绝的", "Refused only";
    AllVerdicts => "全部结果", "All verdicts";
    AllGates => "全部校门", "All gates";
    AllCampuses => "全部校区", "All campuses";
    ManualAdmissions => "人工放行记录", "Manual admissions";
    ManualAdmissionsHint => "门岗在系统故障时按电话指示放行的记录（离线登记的在联网后出现）。逐条核查并填写备注。", "Admissions guards recorded on a telephoned instruction while the system was down (those recorded offline appear once synced). Review each, with a note.";
    ManualPending => "待核查", "To review";
    ManualReviewed => "已核查", "Reviewed";
    ManualReview => "核查", "Review";
    ReviewNote => "核查备注", "Review note";
    ManualWho => "来人", "Who";
    AuthorisedBy => "授权人", "Authorised by";
    Conflict => "冲突", "Conflict";
    ConflictHint => "冲突：一次性通行证在离线时被放行了两次", "Conflict: a single-use pass let in twice while offline";
    EnteredAt => "进入时间", "Entered";
    Holder => "持证人", "Holder";
    PassKindColumn => "类型", "Kind";
    Overdue => "已超期", "Overdue";
    Yes => "是", "Yes";
    ExportCsv => "导出 CSV", "Export CSV";
    ExportXlsx => "导出 Excel", "Export Excel";
    ExportUnmasked => "导出完整姓名（将记入审计日志）", "Export full names (written to the audit trail)";
    ExportUnmaskedBoth => "导出完整姓名和手机号（将记入审计日志）", "Export full names and mobile numbers (written to the audit trail)";
    ExportUnmaskedMobiles => "导出完整手机号（将记入审计日志）", "Export full mobile numbers (written to the audit trail)";
    AddedBy => "添加人", "Added by";
    AddedAt => "添加时间", "Added";
    People => "人员", "People";
    Vehicles => "车辆", "Vehicles";
    NobodyInside => "目前没有记录在校的人员或车辆", "Nobody is recorded inside now";
    ClearInside => "清除在校状态", "Clear the inside state";
    ClearInsideReason => "清除原因（如：摄像头漏拍出口）", "Reason (e.g. the exit camera missed it)";
    DevicesHint => "车牌识别摄像头、读卡器和闸机通过开放接口核验；每台设备绑定一个校门并有自己的密钥。接口说明：/api/openapi.json", "Plate cameras, card readers and turnstiles ask the open API; each device is bound to one gate with its own key. API description: /api/openapi.json";
    DeviceName => "设备名称", "Device name";
    RegisterDevice => "登记设备", "Register device";
    DeviceKeyOnce => "设备密钥（只显示这一次，请配置到设备中）：", "Device key (shown only this once; configure it on the device):";
    LastSeen => "最近联系", "Last seen";
    SigningKeys => "通行码签名密钥", "Pass-signing keys";
    StaffBlacklistHint => "人事处维护：列入名单的教职工不能申请、也不能使用教职工通行证（已有的通行证立即失效，离线核验在下次同步后失效）。", "Kept by HR: a listed staff member can neither apply for nor use a staff pass (passes stop at once online, offline after the next sync).";
    SubmittedAt => "提交时间", "Submitted";
    CurrentStep => "当前步骤", "Current step";
    ExportApplications => "导出申请明细（含当前步骤）", "Export the applications (with their current step)";
    RollCallHint => "疏散或演练时：此刻在校的人员和车辆及其联系方式（仅保卫处管理员可见，每次查看记入审计日志）。可打印、导出。", "For an evacuation or a drill: who is inside now and how to reach them (security admins only; each view is written to the audit trail). Printable and exportable.";
    PeopleAndVehiclesInside => "人（车）在校", "inside (people and vehicles)";
    HostAndDepartment => "接待人 · 部门", "Host · department";
    Drills => "演练", "Drills";
    DrillName => "演练名称", "Drill name";
    StartDrill => "开始演练（以此刻在校人员为准）", "Start a drill (everyone inside now)";
    AccountedFor => "已清点", "accounted for";
    MarkAccounted => "已到", "Here";
    Undo => "撤销", "Undo";
    EndDrill => "结束演练", "End the drill";
    Minutes => "分钟", "min";
    StepNumber => "第{n}步", "Step {n}";
    StatsByStatus => "申请：按状态", "Applications by status";
    StatsByStep => "审批中：按当前步骤", "In review, by current step";
    StatsTurnaround => "审批用时", "Time to decide";
    Decided => "已决定", "Decided";
    AverageHours => "平均小时", "Average hours";
    WithinAnHour => "1 小时内", "Within an hour";
    OneToFourHours => "1–4 小时", "1–4 hours";
    FourHoursToADay => "4–24 小时", "4–24 hours";
    OneToThreeDays => "1–3 天", "1–3 days";
    OverThreeDays => "3 天以上", "Over 3 days";
    StatsByGate => "核验：按校门", "Scans by gate";
    StatsByHour => "核验：按时段", "Scans by hour";
    StatsByVerdict => "核验：按结果", "Scans by verdict";
    StatsEntriesPerDay => "每日入校人次", "Entries per day";
    Total => "合计", "Total";
    RefusedCount => "其中拒绝", "refused";
    DeviceOrUnknownGate => "未知校门", "Unknown gate";
    AllDepartments => "全部部门", "All departments";
    AllKinds => "全部类型", "All kinds";
    FromDate => "开始日期", "From";
    ToDate => "结束日期", "To";
    VehicleRules => "车辆入校规则与收费", "Vehicle gates and parking fees";
    VehicleRulesHint => "公务事由的车辆可走所有车行门并免费停放；因私事由只能走所列的车行门，超过免费时长后按小时收费（不足一小时按一小时），每 24 小时不超过封顶金额。", "Cars on official business may use any vehicle gate and park free; private visits only the gates listed, charged by the started hour after the free minutes, at most the daily cap per 24 hours.";
    VehicleGatesColumn => "可用车行门", "Vehicle gates";
    AnyVehicleGateFree => "所有车行门，免费", "Any vehicle gate, free";
    NoVehicleGate => "未指定（车辆不能入校）", "None (cars are refused)";
    FreeMinutes => "免费分钟", "Free minutes";
    HourlyRate => "每小时（元）", "Per hour (¥)";
    DailyCap => "每日封顶（元）", "Daily cap (¥)";
    EditVehicleRules => "修改", "Edit";
    FeesHint => "车辆出校时按事由的规则计费；未缴清的车牌不能再次预约。收费后登记收据号，该车牌即可再次预约。", "Fees are charged as a car leaves, by its visit reason's rule; a plate with unpaid fees cannot be booked again. Record the receipt number once paid and the plate may book again.";
    FeesUnpaid => "未缴", "Unpaid";
    FeesSettled => "已缴", "Settled";
    FeesAll => "全部", "All";
    LeftAt => "离开时间", "Left";
    Amount => "金额（元）", "Amount (¥)";
    ReceiptNo => "收据号", "Receipt No.";
    SettledBy => "收费登记", "Settled";
    SettleFees => "登记收费", "Record payment";
    SettleFeesFor => "登记收费：车牌", "Record payment for plate";
    ConfirmSettled => "确认已收费", "Confirm paid";
    SettledNotice => "已登记收费，该车牌可再次预约。金额（元）：", "Payment recorded; the plate may book again. Amount (¥):";
    NoRecords => "没有记录", "No records";
    Numbers => "数字", "Numbers";
    SearchPlate => "按车牌查找", "Find a plate";
    SigningKeysHint => "更换后新通行码用新密钥签名；旧通行码在到期前仍然有效。", "After a rotation new passes are signed with the new key; older passes stay valid until they expire.";
    RotateKey => "更换签名密钥", "Rotate the signing key";
    KeyRotated => "已更换签名密钥", "The signing key was rotated";
    HouseholdsHint => "登记校区居民住户（小区、楼栋、门牌）、户主和成员。成员用登记的手机号登录申请居民通行证；已领纸质通行证的住户不能申请通行二维码。", "Register the campus's households (community, building, door), the householder and members. Members sign in with the mobile on record to apply for a resident day pass; a household holding a paper pass cannot apply for a QR pass.";
    HouseholdSearch => "门牌号、成员姓名或手机号", "Door, member's name or mobile";
    AllCommunities => "全部小区", "All communities";
    Householder => "户主", "Householder";
    HouseholderTick => "户主（每户一位）", "Householder (one per household)";
    PaperPass => "已领纸质通行证", "Holds a paper pass";
    AddHousehold => "新增住户", "Add a household";
    EditHousehold => "编辑住户", "Edit the household";
    AddMember => "添加成员", "Add a member";
    EditMember => "编辑成员", "Edit the member";
    MemberOf => "所属住户", "Household";
    NoMembers => "还没有登记成员", "No members yet";
    KeepOnRecord => "留空则保留已登记的", "Leave empty to keep the one on record:";
    ConfirmRemove => "确认删除", "Confirm removal";
    HouseholdImport => "从 CSV 导入住户和成员", "Import households and members from CSV";
    HouseholdImportHint => "每行一位成员，列：校区, 小区, 楼栋, 门牌, 姓名, 手机, 证件类型, 证件号码, 户主（是/否）, 纸质通行证（是/否）。同一校区、小区、楼栋、门牌的行属于同一住户；已登记的成员按手机号更新。支持 UTF-8 和 GBK（Excel 另存为 CSV）。有任何一行出错则全部不导入。", "One member per row, columns: campus, community, building, door, name, mobile, document type, document number, householder (是/否), paper pass (是/否). Rows with the same campus, community, building and door are one household; members on record are updated by mobile. UTF-8 and GBK (Excel's CSV) both work. If any row is wrong, nothing is imported.";
    ImportWouldChange => "将进行以下变更：", "This would change:";
    ImportChanged => "已进行以下变更：", "Changed:";
    ImportNothingChanges => "文件与已登记的内容相同，没有变更", "The file matches what is on record; nothing changes";
    ImportNewHousehold => "新增住户", "New household";
    ImportUpdatedHousehold => "修改住户", "Household changed";
    ImportNewMember => "新增成员", "New member";
    ImportUpdatedMember => "修改成员", "Member changed";
    ImportMore => "……另有 {arg} 项", "… and {arg} more";
    ImportUnchanged => "未变", "unchanged";
    PosterTitle => "校区居民通行证申请码", "Resident day pass: application code";
    PosterStep1 => "用微信扫描本页的二维码", "Scan the code on this page with WeChat";
    PosterStep2 => "用住户登记的手机号获取短信验证码登录", "Sign in with the mobile number registered for your household (SMS code)";
    PosterStep3 => "选择通行日期并提交，进校时出示通行码和身份证件", "Choose the date and submit; at the gate show the pass and your ID";
    PosterPaperPass => "已领取纸质通行证的住户请凭纸质通行证出入，无需申请。", "Households holding a paper pass use it and need not apply.";
    PosterOrOpen => "或在浏览器中打开：", "Or open in a browser:";
    Print => "打印", "Print";
    // The texts the server sends (SMS, WeCom): rendered on the server
    // only, so no page bundle carries them.
    SmsCodeText => "【校园通行】验证码 {code}，10 分钟内有效。如非本人操作请忽略。", "[Campus Pass] Your code is {code}, valid for 10 minutes. Ignore this if you did not ask for it.";
    SmsNewRequest => "【校园通行】{name} 等 {count} 人申请 {date} 入校，请审批：{link}", "[Campus Pass] {name} and {count} in all ask to enter on {date}; please decide: {link}";
    SmsDecision => "【校园通行】您的入校申请状态：{status}。详情：{link}", "[Campus Pass] Your application is now: {status}. Details: {link}";
    SmsApprovedEntrant => "【校园通行】{name}，您 {start} 至 {end} 进入{campus}的申请已通过。通行码：{link} 请携带有效证件。", "[Campus Pass] {name}, your visit to {campus} from {start} to {end} is approved. Your pass: {link} Bring your ID document.";
    SmsVisitorArrived => "【校园通行】您的访客{name}已于{time}从{gate}进入{campus}。", "[Campus Pass] Your visitor {name} entered {campus} through {gate} at {time}.";
    SmsContractorInvitation => "【校园通行】{name}，{host} 为您办理长期出入证（自 {date} 起），请点击链接填写证件信息并提交：{link}", "[Campus Pass] {name}, {host} is filing your long-term campus pass (from {date}); enter your ID details and submit: {link}";
    SmsInvitation => "【校园通行】{name}，{host} 邀请您 {date} 来访，请点击链接核对并补全信息：{link}", "[Campus Pass] {name}, {host} invites you on {date}; check and complete your details: {link}";
    SmsTempNumber => "【校园通行】{name}，您的临时员工号 {number} 已开通。请用本手机号登录 {link} 完成人脸采集并提交返校申请。", "[Campus Pass] {name}, your temporary staff number {number} is ready. Sign in with this mobile at {link} to add your face photo and apply to return to campus.";
    SmsTempRequest => "【校园通行】临时人员 {name} 的申请待您审批：{link}", "[Campus Pass] A request about temporary staff member {name} awaits your decision: {link}";
    TempPersonnel => "临时人员管理", "Temporary personnel";
    ApplicantsTempPersonnel => "临时人员本人（凭登记的手机号）", "Temporary personnel themselves (the mobile on record)";
    TempKindFirst => "初次申请工号", "First request for a number";
    TempKindRenewal => "续约（修改离校日期）", "Renewal (new leave date)";
    TempKindTransfer => "部门调整", "Transfer to another department";
    TempKindDelete => "删除人员信息", "Delete the person's record";
    TempStandingValid => "有效期内", "Valid";
    TempStandingExpired => "已过期", "Expired";
    TempStandingDeleted => "已删除", "Deleted";
    TempStandingRequested => "审批中", "Awaiting approval";
    TempFaceMissing => "未采集", "Not taken";
    TempFacePending => "待审核", "Awaiting review";
    TempFaceAccepted => "审核通过", "Accepted";
    TempFaceRefused => "已退回", "Refused";
    TempFaceDeclined => "凭证件入校", "Shows the document instead";
    TempStepToDo => "待办", "To do";
    TempStepInProgress => "进行中", "In progress";
    TempStepDone => "已完成", "Done";
    TempApplicationType => "请选择申请类型", "Application type";
    TempMaintenance => "个人信息维护", "Maintain a person's record";
    TempInfo => "临时人员信息", "Temporary personnel information";
    TempCategory => "临时人员身份类别", "Category";
    TempNo => "临时员工号", "Temporary staff number";
    TempName => "临时人员姓名", "Name";
    TempPhone => "手机号", "Mobile";
    TempDocNumber => "证件号码", "Document number";
    TempList => "临时人员信息查询", "Temporary personnel on record";
    TempStatus => "人员状态", "Status";
    TempDepartment => "校内所属部门", "Department on campus";
    TempStartDate => "入校日期", "Start date";
    TempLeaveDate => "离校日期", "Leave date";
    TempNewLeaveDate => "新的离校日期", "New leave date";
    TempNewDepartment => "调入部门", "Receiving department";
    TempCommitment => "经审核，此人符合入校条件。本人承诺以上信息属实。", "I have checked that this person meets the entry conditions. I promise the above is true.";
    TempSubmit => "提交申请", "Submit the request";
    TempSubmitted => "已提交，等待部门领导审核", "Submitted; awaiting the department leader's decision";
    TempRequests => "申请记录", "Requests";
    TempRequestsToDecide => "临时人员申请", "Temporary-personnel requests";
    TempFiledBy => "申请人", "Filed by";
    TempNeeds => "需审批部门", "Departments to approve";
    TempApprovedBy => "已审批", "Approved by";
    TempApprove => "同意", "Approve";
    TempReject => "退回", "Refuse";
    TempRejectReason => "退回原因", "Reason for refusing";
    TempRequestPending => "待审批", "Awaiting approval";
    TempRequestApproved => "已通过", "Approved";
    TempRequestRejected => "已退回", "Refused";
    TempSearch => "姓名或临时员工号", "Name or temporary staff number";
    TempAllCategories => "全部类别", "All categories";
    TempAllStatuses => "全部状态", "All statuses";
    TempAllDepartments => "全部部门", "All departments";
    TempFaces => "人脸照片审核", "Face photo review";
    TempNoFaces => "没有待审核的照片", "No photos awaiting review";
    TempAccept => "通过", "Accept";
    TempRefuse => "退回", "Refuse";
    TempCategories => "身份类别设置", "Categories";
    TempCategoryAdd => "新增类别", "Add a category";
    TempCategoryZh => "中文名称", "Chinese name";
    TempCategoryEn => "英文名称", "English name";
    TempCategoryOff => "停用", "Switch off";
    TempCategoryOn => "启用", "Switch on";
    TempMeTitle => "临时人员入校", "Temporary personnel: entering campus";
    TempMeSignIn => "请用部门登记的手机号获取验证码登录", "Sign in with the mobile your department registered (SMS code)";
    TempStepNumber => "临时员工号审批", "Temporary staff number";
    TempStepFace => "人脸采集", "Face photo";
    TempStepReturn => "返校申请", "Return-to-campus application";
    TempFaceHint => "照片由保卫处（或所在部门）审核，用于门岗核验身份。不上传也可以选择凭登记的证件入校。", "The security office (or your department) reviews the photo; guards use it to check who you are. You may instead choose to show your registered document at the gate.";
    TempFaceConsent => "我同意提供人脸照片用于入校核验（敏感个人信息，离校后按规定删除）", "I agree to provide a face photo for gate checks (sensitive personal information, deleted after I leave as the rules say)";
    TempFaceChoose => "选择或拍摄照片", "Choose or take a photo";
    TempFaceSend => "提交照片", "Submit the photo";
    TempFaceDecline => "不提供照片，凭证件入校", "No photo: I will show my document";
    TempFaceRefusedBecause => "照片被退回：", "Photo refused:";
    TempReturnHint => "返校申请由所在部门领导审批，通过后通行码有效至离校日期。", "Your department leader approves the application; the pass is then valid until your leave date.";
    TempReturnApply => "提交返校申请", "Apply to return to campus";
    TempReturnOpen => "查看申请和通行码", "See the application and the pass";
    TempReturnReason => "返校事由", "Reason";
    TempCampus => "校区", "Campus";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message of both tables, with its name.
    fn every_message() -> Vec<(String, &'static str, &'static str)> {
        let all = Msg::ALL.iter().map(|m| (format!("{m:?}"), m.text(Lang::Zh), m.text(Lang::En)));
        all.chain(OfficeMsg::ALL.iter().map(|m| (format!("{m:?}"), m.text(Lang::Zh), m.text(Lang::En))))
            .chain(PageMsg::ALL.iter().map(|m| (format!("{m:?}"), m.text(Lang::Zh), m.text(Lang::En))))
            .collect()
    }

    #[test]
    fn every_message_has_both_languages_and_the_same_placeholders() {
        for (m, zh, en) in every_message() {
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
    fn every_message_crosses_the_wire_as_its_name_and_back() {
        for m in Msg::ALL {
            let json = serde_json::to_string(m).unwrap();
            assert_eq!(json, format!("\"{m:?}\""));
            assert_eq!(serde_json::from_str::<Msg>(&json).unwrap(), *m);
        }
        assert!(serde_json::from_str::<Msg>("\"NoSuchMessage\"").is_err());
        assert!(serde_json::from_str::<Msg>("3").is_err());
    }

    #[test]
    fn chinese_text_is_really_chinese() {
        // A copy-pasted English string in the zh column is a missing translation.
        for (m, zh, _) in every_message() {
            if m == "LanguageSwitch" {
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

// The words of pages whose bundles have room and that are not the
// office's: the privacy notice, a person's own data (main bundle), the
// guard's manual admission form (people bundle). Apart from `Msg` so that
// the scanner's and the visitor's bundles, each at its 200 KB budget, do
// not carry them.
messages! {
    PageMsg;
    ManualAdmissionHint => "系统故障时按保卫处电话指示放行：登记来人、授权人和原因；离线也可登记，联网后自动同步，保卫处事后核查。", "When the system is down, admit on the security office's telephoned instruction: record who, who authorised it and why; works offline, syncs when back, reviewed by the office.";
    ManualName => "来人姓名", "Name";
    ManualDocument => "证件号码（查验后填写，可选）", "Document number (checked; optional)";
    ManualAuthorisedBy => "授权人（保卫处值班人员及电话）", "Authorised by (the office's duty officer, phone)";
    ManualReason => "原因", "Reason";
    ManualRecord => "登记放行", "Record admission";
    ManualSynced => "已登记并同步", "Recorded and synced";
    ManualQueued => "已登记，联网后自动同步", "Recorded; syncs when the network is back";
    OnBehalfHint => "为不会使用手机的来访人（如老人）代为填写：规则与本人申请相同，申请记录为由您代办；通行码以短信发到下面的手机，您也可在申请页打印。", "For a visitor who cannot use a phone (an elderly person, say): the same rules as their own application, recorded as filed by you; the pass is texted to the mobile below, and you can print it from the application's page.";
    OnBehalfLink => "代为登记（来访人不会用手机时）", "Register a visitor who cannot use a phone";
    PrivacyTitle => "个人信息保护说明", "Privacy notice";
    PrivacyWhat => "收集哪些信息：申请人手机号；每位来访人的姓名、手机号、证件类型和号码（单独同意）、人脸照片（可选，单独同意）；车牌；来访事由与日期；门岗通行记录。", "What we collect: the applicant's mobile; each visitor's name, mobile, document type and number (consented to separately), face photo (optional, consented to separately); the plate; the reason and dates of the visit; the gate's records of entries and exits.";
    PrivacyWhy => "用途：审批入校申请、签发通行码、门岗核验身份、校园安全（含紧急疏散点名）、统计。不用于其他目的，不向校外提供（法律另有规定的除外）。", "Why: to approve applications, issue passes, check identity at the gate, keep the campus safe (roll call in an evacuation included) and count visits. Not used for anything else, and not given outside the university unless the law requires it.";
    PrivacyKeep => "保存多久：来访结束 {days} 天后自动匿名化（姓名、手机号、证件、照片、车牌、短信内容删除，只保留不可识别的计数）；审计日志至少保存 6 个月。", "How long: anonymised automatically {days} days after the visit ended (names, mobiles, documents, photos, plates and texts deleted; only counts that identify no one stay); the audit trail is kept at least 6 months.";
    PrivacyWho => "谁能看到：您的接待人、审批人、保卫处；门岗只看到打码的姓名和证件号码。列表、日志和导出默认打码。", "Who sees it: your host, the approvers and the security office; guards see the name and document masked. Lists, logs and exports are masked by default.";
    PrivacyRights => "您的权利：用申请时的手机号登录后，在“我的个人信息”中查看学校保存的您的信息，删除已结束的申请；其他请求请联系保卫处。", "Your rights: sign in with the mobile you applied with, and under \"My personal data\" see what the university keeps about you and delete ended applications; for anything else, contact the security office.";
    MyDataIntro => "学校为入校申请保存的您的信息如下。已结束的申请可以删除：删除后姓名、证件、照片、车牌等立即匿名化，只保留不可识别的记录。", "What the university keeps about you for your applications. An ended application can be deleted: its names, documents, photos and plate are anonymised at once; only records that identify no one stay.";
    MyDataNone => "没有保存您的申请信息", "No application data is kept about you";
    MyDataScans => "门岗通行记录", "Gate records";
    MyDataTexts => "发给您的短信", "Texts sent to you";
    ConsentDocAt => "同意提供证件号码", "ID number consented";
    ConsentPhotoAt => "同意提供人脸照片", "Face photo consented";
    DeleteMyApplication => "删除此申请的个人信息", "Delete this application's personal data";
    DeleteMyApplicationConfirm => "确定删除？删除后无法恢复，也不能再用此申请入校。", "Delete it? This cannot be undone.";
    MyDataDeleted => "已删除", "Deleted";
}

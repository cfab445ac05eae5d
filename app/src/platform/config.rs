//! Layered configuration: defaults, then a TOML file, then `CAMPUS_PASS_*`
//! environment variables (`CAMPUS_PASS_DATABASE_URL`, `CAMPUS_PASS_LISTEN`, …).

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address the HTTP server binds to.
    pub listen: String,
    /// `sqlite://…` (embedded, the default) or `postgres://…`.
    pub database_url: String,
    /// Where the SQLite file and the generated master key live.
    pub data_dir: PathBuf,
    /// The address people reach the site at; used in SMS links and to check
    /// the `Origin` of state-changing requests.
    pub public_base_url: String,
    /// Campus time zone: every date and deadline is campus time.
    pub campus_time_zone: String,
    /// Base64 of 32 bytes. When absent, a key is generated into `data_dir`
    /// on first start. Several servers sharing one PostgreSQL must all be
    /// given the same key here.
    #[serde(skip_serializing)]
    pub master_key: Option<SecretString>,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// `outbox` records messages and prints them (demo and tests);
    /// `aliyun` or `tencent` deliver through those clouds (see `sms`).
    pub sms_provider: String,
    pub sms: SmsConfig,
    /// Take client addresses from `X-Forwarded-For` as set by a reverse
    /// proxy (see `client_address`).
    pub trust_proxy: bool,
    /// The reverse proxies' own addresses, when there are several hops (a
    /// load balancer in front of nginx): each is skipped from the right of
    /// `X-Forwarded-For`. Empty: the one proxy is whoever connects.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Seed the demo campus on an empty database.
    pub demo: bool,
    /// Run the upkeep jobs (SMS retries, expiry, purging). Tests turn them
    /// off and call the jobs themselves, at the moment they choose.
    pub background_jobs: bool,
    /// How often the minute's upkeep runs (SMS retries, expiry), in
    /// seconds. Every server runs it; each job's updates are conditional,
    /// so what one server did another skips.
    pub upkeep_seconds: u64,
    /// Sign-in codes one server sends per second at most (twice that in a
    /// burst): a brake, in memory, on floods from many claimed addresses
    /// and random numbers, which each address's and number's limits let
    /// through; past it a request is refused before the database.
    pub sms_codes_per_second: u32,
    /// Days a visit's personal data is kept after it ended; then the
    /// daily retention job anonymises it (`privacy::retention`). At least
    /// 30 (a shorter setting is read as 30).
    pub retention_days: i64,
    /// Where the built site (`pkg/`, icons, manifest) is served from.
    pub site_root: PathBuf,
    /// Staff sign-in through the campus CAS (`auth::cas`); off while
    /// `cas.server_url` is empty.
    pub cas: CasConfig,
    /// Staff and departments kept in step with the campus directory
    /// (`directory::ldap_sync`); off while `ldap.url` is empty.
    pub ldap: LdapConfig,
    /// Enterprise WeChat: staff sign-in inside it (and by its QR code on a
    /// PC), and notices to staff through it (`platform::wecom`); off while
    /// `wecom.corp_id` is empty.
    pub wecom: WeComConfig,
    /// Temporary personnel (seed 003): the number format and who reviews
    /// their face photos.
    pub temp_personnel: TempPersonnelConfig,
}

/// Settings of the temporary-personnel process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TempPersonnelConfig {
    /// Temporary staff numbers: a prefix, `{yyyy}` for the year of issue
    /// (optional) and `{seq:N}`, a counter of at least N digits that never
    /// goes back (`domain::temp_personnel::NumberFormat`).
    pub number_format: String,
    /// Who accepts or refuses a person's face photo: `security_office`
    /// (security admins) or `department` (the person's department
    /// leaders; security admins too).
    pub face_review: String,
}

impl Default for TempPersonnelConfig {
    fn default() -> Self {
        TempPersonnelConfig { number_format: crate::domain::temp_personnel::NumberFormat::DEFAULT.into(), face_review: "security_office".into() }
    }
}

impl TempPersonnelConfig {
    /// The department's leaders review photos (else the security office).
    pub fn department_reviews_faces(&self) -> bool {
        self.face_review.trim() == "department"
    }
}

/// The campus's enterprise WeChat corp and the Campus Pass application in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WeComConfig {
    /// The corp's id (企业ID, `ww…`).
    pub corp_id: String,
    /// The self-built application's AgentId.
    pub agent_id: i64,
    /// The application's Secret: never printed.
    #[serde(skip_serializing)]
    pub secret: Option<SecretString>,
    /// WeCom's API, its OAuth page and its QR sign-in page (tests and
    /// private deployments point them elsewhere).
    pub api_base: String,
    pub oauth_base: String,
    pub qr_base: String,
}

impl Default for WeComConfig {
    fn default() -> Self {
        WeComConfig {
            corp_id: String::new(),
            agent_id: 0,
            secret: None,
            api_base: "https://qyapi.weixin.qq.com".into(),
            oauth_base: "https://open.weixin.qq.com".into(),
            qr_base: "https://login.work.weixin.qq.com".into(),
        }
    }
}

impl WeComConfig {
    pub fn enabled(&self) -> bool {
        !self.corp_id.trim().is_empty() && self.secret.is_some()
    }
}

/// The campus directory (LDAP or Active Directory) the staff list follows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LdapConfig {
    /// `ldap://host:389` or `ldaps://host:636`.
    pub url: String,
    /// The read-only account the sync binds as; empty: an anonymous bind.
    pub bind_dn: String,
    #[serde(skip_serializing)]
    pub bind_password: Option<SecretString>,
    /// Where staff entries are, searched with its whole subtree.
    pub base_dn: String,
    pub filter: String,
    pub staff_number_attribute: String,
    pub name_attribute: String,
    pub department_code_attribute: String,
    pub department_name_attribute: String,
    pub mobile_attribute: String,
    /// An attribute saying whether the person is still here; empty: every
    /// entry found is.
    pub status_attribute: String,
    /// The status attribute's values that mean the person has left.
    pub inactive_values: Vec<String>,
    /// Minutes between scheduled syncs (one server runs each); 0: only
    /// the office's "sync now".
    pub sync_every_minutes: u64,
    /// Entries per page of the search; at most the server's own page
    /// limit (OpenLDAP's `size.pr` refuses larger pages; AD's MaxPageSize
    /// is 1,000).
    pub page_size: i32,
}

impl Default for LdapConfig {
    fn default() -> Self {
        LdapConfig {
            url: String::new(),
            bind_dn: String::new(),
            bind_password: None,
            base_dn: String::new(),
            filter: "(objectClass=inetOrgPerson)".into(),
            staff_number_attribute: "employeeNumber".into(),
            name_attribute: "cn".into(),
            department_code_attribute: "departmentNumber".into(),
            department_name_attribute: "ou".into(),
            mobile_attribute: "mobile".into(),
            status_attribute: String::new(),
            inactive_values: vec![],
            sync_every_minutes: 60,
            page_size: 500,
        }
    }
}

impl LdapConfig {
    pub fn enabled(&self) -> bool {
        !self.url.trim().is_empty()
    }
}

/// The campus's CAS server (统一身份认证).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CasConfig {
    /// The server's base URL, before `/login`: `https://cas.example.edu.cn/cas`.
    pub server_url: String,
    /// The released attribute that holds the staff number; empty: the CAS
    /// user name is the staff number.
    pub staff_number_attribute: String,
    /// Someone CAS signs in whom the staff list lacks is added from the
    /// directory (`ldap`), if it has them; otherwise refused.
    pub provision: bool,
}

impl CasConfig {
    pub fn enabled(&self) -> bool {
        !self.server_url.trim().is_empty()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:3000".into(),
            database_url: "sqlite://data/campus-pass.db".into(),
            data_dir: "data".into(),
            public_base_url: "http://127.0.0.1:3000".into(),
            campus_time_zone: "Asia/Shanghai".into(),
            master_key: None,
            session_idle_minutes: 240,
            session_absolute_hours: 14,
            sms_provider: "outbox".into(),
            sms: SmsConfig::default(),
            trust_proxy: false,
            trusted_proxies: vec![],
            demo: false,
            background_jobs: true,
            upkeep_seconds: 60,
            sms_codes_per_second: 20,
            retention_days: 180,
            site_root: "target/site".into(),
            cas: CasConfig::default(),
            ldap: LdapConfig::default(),
            wecom: WeComConfig::default(),
            temp_personnel: TempPersonnelConfig::default(),
        }
    }
}

/// Settings of a real SMS provider. Both clouds send only approved
/// templates: `templates` maps our message purposes (`sign_in_code`,
/// `new_request`, `decision`, `approved_entrant`, `invitation`) to the
/// template ids registered with the provider; the template's parameters are
/// filled in the order our message names them.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SmsConfig {
    pub access_key_id: String,
    #[serde(skip_serializing)]
    pub access_key_secret: Option<SecretString>,
    pub sign_name: String,
    /// Tencent's SmsSdkAppId.
    pub app_id: String,
    /// Tencent region (default `ap-guangzhou`).
    pub region: String,
    /// Overrides the provider's address (tests, private endpoints).
    pub endpoint: String,
    pub templates: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("unknown campus time zone {0:?}")]
    TimeZone(String),
}

impl Config {
    /// Defaults, then `file` (if it exists), then the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        let path = file
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("CAMPUS_PASS_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("campus-pass.toml"));
        fig = fig.merge(Toml::file(path));
        // `__` reaches into tables: CAMPUS_PASS_SMS__ACCESS_KEY_SECRET.
        fig = fig.merge(Env::prefixed("CAMPUS_PASS_").split("__").ignore(&["config"]));
        let cfg: Config = fig.extract().map_err(Box::new)?;
        cfg.time_zone()?;
        Ok(cfg)
    }

    pub fn time_zone(&self) -> Result<chrono_tz::Tz, ConfigError> {
        self.campus_time_zone.parse().map_err(|_| ConfigError::TimeZone(self.campus_time_zone.clone()))
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }
}

#[cfg(test)]
// figment::Jail's closures return figment's own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn debug_never_prints_the_master_key() {
        let cfg = Config { master_key: Some(SecretString::from("c2VjcmV0LXNlY3JldC1zZWNyZXQ=")), ..Config::default() };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert_eq!(cfg.master_key.unwrap().expose_secret(), "c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
    }

    #[test]
    fn file_then_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("cp.toml", "campus_time_zone = \"Asia/Urumqi\"\nlisten = \"0.0.0.0:8080\"")?;
            jail.set_env("CAMPUS_PASS_LISTEN", "127.0.0.1:9999");
            let cfg = Config::load(Some(std::path::Path::new("cp.toml"))).unwrap();
            assert_eq!(cfg.campus_time_zone, "Asia/Urumqi");
            assert_eq!(cfg.listen, "127.0.0.1:9999");
            assert_eq!(cfg.session_idle_minutes, 240);
            Ok(())
        });
    }

    #[test]
    fn nested_settings_come_from_the_environment_too() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CAMPUS_PASS_SMS__SIGN_NAME", "某某大学");
            jail.set_env("CAMPUS_PASS_SMS__ACCESS_KEY_SECRET", "s3cret");
            jail.set_env("CAMPUS_PASS_PUBLIC_BASE_URL", "https://pass.example.edu.cn");
            let cfg = Config::load(None).unwrap();
            assert_eq!(cfg.sms.sign_name, "某某大学");
            assert_eq!(cfg.sms.access_key_secret.unwrap().expose_secret(), "s3cret");
            assert_eq!(cfg.public_base_url, "https://pass.example.edu.cn");
            assert!(!format!("{:?}", Config::load(None).unwrap()).contains("s3cret"));
            Ok(())
        });
    }

    #[test]
    fn the_directory_and_wecom_secrets_are_never_printed() {
        let mut cfg = Config::default();
        cfg.ldap.bind_password = Some(SecretString::from("ldap-bind-s3cret"));
        cfg.wecom.secret = Some(SecretString::from("wecom-s3cret"));
        let shown = format!("{cfg:?} {}", serde_json::to_string(&cfg).unwrap());
        assert!(!shown.contains("ldap-bind-s3cret") && !shown.contains("wecom-s3cret"), "{shown}");
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CAMPUS_PASS_CAMPUS_TIME_ZONE", "Mars/Olympus");
            assert!(matches!(Config::load(None), Err(ConfigError::TimeZone(_))));
            Ok(())
        });
    }
}

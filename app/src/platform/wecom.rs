//! Enterprise WeChat (企业微信, WeCom): the corp's API as Campus Pass uses
//! it. The access token is fetched with the corp secret, cached until five
//! minutes before it expires, and fetched again at once when WeCom says it
//! is invalid or expired (errcodes 40001, 40014, 42001) — WeCom asks every
//! app to cache it (`gettoken` is rate-limited). WeCom returns the same
//! token to every server within its validity, so each keeps its own copy.
//!
//! Used for staff sign-in (`auth::wecom`: OAuth `snsapi_base` in the WeCom
//! app, QR sign-in on a PC; a code becomes a userid) and, through
//! [`Messenger`], for notices to staff: an outbox row with a WeCom userid
//! goes out as an application text message when WeCom is configured, as an
//! SMS otherwise; retries and the outbox page are the SMS ones.
//!
//! On a campus using WeCom the userid of a staff member is their staff
//! number (the usual setup; the directory keeps both).

use super::config::WeComConfig;
use super::sms::{Delivery, SendFuture, SmsProvider};
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum WeComError {
    #[error("WeCom unreachable: {0}")]
    Http(#[from] reqwest::Error),
    #[error("WeCom errcode {code}: {message}")]
    Api { code: i64, message: String },
}

impl WeComError {
    /// A sign-in code WeCom does not know (made up, or already used).
    pub fn is_bad_code(&self) -> bool {
        matches!(self, WeComError::Api { code: 40029 | 50001, .. })
    }
}

/// Errcodes that mean the token is no longer good: fetch another.
const TOKEN_GONE: [i64; 3] = [40001, 40014, 42001];

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    expires_in: u64,
    #[serde(default)]
    userid: String,
}

pub struct WeCom {
    cfg: WeComConfig,
    client: reqwest::Client,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl WeCom {
    pub fn new(cfg: WeComConfig) -> WeCom {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        WeCom { cfg, client, token: tokio::sync::Mutex::new(None) }
    }

    fn api(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.api_base.trim_end_matches('/'))
    }

    /// The cached token, or a new one.
    async fn token(&self, fresh: bool) -> Result<String, WeComError> {
        let mut cached = self.token.lock().await;
        if let (false, Some((t, until))) = (fresh, cached.as_ref())
            && Instant::now() < *until
        {
            return Ok(t.clone());
        }
        let secret = self.cfg.secret.as_ref().map(|s| s.expose_secret().to_owned()).unwrap_or_default();
        let url = format!("{}?corpid={}&corpsecret={}", self.api("/cgi-bin/gettoken"), enc(&self.cfg.corp_id), enc(&secret));
        let a: Answer = self.client.get(url).send().await?.error_for_status()?.json().await?;
        if a.errcode != 0 || a.access_token.is_empty() {
            return Err(WeComError::Api { code: a.errcode, message: a.errmsg });
        }
        // Five minutes early: a token about to expire is not handed out.
        let until = Instant::now() + Duration::from_secs(a.expires_in.saturating_sub(300).max(60));
        *cached = Some((a.access_token.clone(), until));
        Ok(a.access_token)
    }

    /// One API call with the token; once more with a new token if WeCom
    /// says the token went bad.
    async fn call(&self, request: impl Fn(&str) -> reqwest::RequestBuilder) -> Result<Answer, WeComError> {
        let mut fresh = false;
        loop {
            let token = self.token(fresh).await?;
            let a: Answer = request(&token).send().await?.error_for_status()?.json().await?;
            match a.errcode {
                0 => return Ok(a),
                code if TOKEN_GONE.contains(&code) && !fresh => fresh = true,
                code => return Err(WeComError::Api { code, message: a.errmsg }),
            }
        }
    }

    /// The userid a sign-in code stands for (`/cgi-bin/auth/getuserinfo`).
    /// A code is good once, for five minutes.
    pub async fn user_for_code(&self, code: &str) -> Result<String, WeComError> {
        let base = self.api("/cgi-bin/auth/getuserinfo");
        let a = self.call(|token| self.client.get(format!("{base}?access_token={}&code={}", enc(token), enc(code)))).await?;
        if a.userid.is_empty() {
            // Someone outside the corp (an `openid`): not staff.
            return Err(WeComError::Api { code: 0, message: "no userid: not a member of the corp".into() });
        }
        Ok(a.userid)
    }

    /// An application text message to one member (`/cgi-bin/message/send`).
    pub async fn send_text(&self, userid: &str, content: &str) -> Result<(), WeComError> {
        let base = self.api("/cgi-bin/message/send");
        let body = serde_json::json!({
            "touser": userid, "msgtype": "text", "agentid": self.cfg.agent_id,
            "text": {"content": content}, "safe": 0,
        });
        self.call(|token| self.client.post(format!("{base}?access_token={}", enc(token))).json(&body)).await.map(|_| ())
    }

    /// Silent sign-in inside the WeCom app (OAuth, `snsapi_base`).
    pub fn oauth_url(&self, redirect: &str, state: &str) -> String {
        format!(
            "{}/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope=snsapi_base&state={}&agentid={}#wechat_redirect",
            self.cfg.oauth_base.trim_end_matches('/'),
            enc(&self.cfg.corp_id),
            enc(redirect),
            enc(state),
            self.cfg.agent_id
        )
    }

    /// Sign-in by scanning a QR code with the WeCom app (a PC's browser).
    pub fn qr_login_url(&self, redirect: &str, state: &str) -> String {
        format!(
            "{}/wwlogin/sso/login?login_type=CorpApp&appid={}&agentid={}&redirect_uri={}&state={}",
            self.cfg.qr_base.trim_end_matches('/'),
            enc(&self.cfg.corp_id),
            self.cfg.agent_id,
            enc(redirect),
            enc(state)
        )
    }
}

/// The campus's messenger: texts to staff with a WeCom userid go through
/// WeCom when it is configured, everything else through the SMS provider.
pub struct Messenger {
    pub sms: Box<dyn SmsProvider>,
    pub wecom: Option<Arc<WeCom>>,
}

impl SmsProvider for Messenger {
    fn name(&self) -> &'static str {
        self.sms.name()
    }
    fn channel(&self, wecom_user: Option<&str>) -> &'static str {
        match (wecom_user, &self.wecom) {
            (Some(_), Some(_)) => "wecom",
            _ => self.sms.name(),
        }
    }
    fn send<'a>(&'a self, msg: Delivery<'a>) -> SendFuture<'a> {
        match (msg.wecom_user, &self.wecom) {
            (Some(user), Some(wecom)) => Box::pin(async move {
                wecom.send_text(user, msg.body).await.map_err(|e| e.to_string())?;
                tracing::info!(purpose = msg.purpose, "WeCom message delivered");
                Ok(())
            }),
            _ => self.sms.send(msg),
        }
    }
    fn outbox_keeps_codes(&self) -> bool {
        self.sms.outbox_keeps_codes()
    }
}

//! Staff sign-in through the campus CAS (统一身份认证), CAS protocol 3.0:
//! `/auth/cas` sends the browser to the CAS server's `/login`; CAS sends
//! it back to `/auth/cas/callback?ticket=ST-…`; the ticket is validated at
//! `/p3/serviceValidate` (server to server), the staff number read from the
//! configured attribute, and a session opened for that staff member if the
//! directory has them and they are active. CAS's single-logout request,
//! POSTed to the same callback, ends the session the ticket opened.
//!
//! The service URL is fixed (`<public_base_url>/auth/cas/callback`), so the
//! CAS server registers one service; where to go afterwards waits in a
//! short cookie.

use crate::error::AppError;
use crate::i18n::Msg;
use crate::platform::{context::AppState, session};
use std::collections::BTreeMap;

pub const CALLBACK_PATH: &str = "/auth/cas/callback";
/// Where to go after signing in, kept while the browser is at CAS.
pub const NEXT_COOKIE: &str = "cp_cas_next";
/// CAS service tickets are at most 256 characters (protocol §3.1.1).
const TICKET_MAX: usize = 256;

/// What the CAS server answered to a validation.
#[derive(Debug, PartialEq)]
pub enum Validation {
    Success {
        user: String,
        attributes: BTreeMap<String, Vec<String>>,
    },
    /// `INVALID_TICKET`, `INVALID_SERVICE`, …: the ticket is not good here.
    Failure {
        code: String,
        message: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CasError {
    #[error("CAS is not configured")]
    Off,
    #[error("CAS server unreachable: {0}")]
    Unreachable(#[from] reqwest::Error),
    #[error("CAS answered something that is not a CAS 3.0 service response: {0}")]
    Malformed(String),
}

/// The service URL CAS sends tickets to and validates them for.
pub fn service_url(st: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", st.config.public_base_url.trim_end_matches('/'))
}

fn server(st: &AppState) -> Result<&str, CasError> {
    let cfg = &st.config.cas;
    if cfg.enabled() { Ok(cfg.server_url.trim().trim_end_matches('/')) } else { Err(CasError::Off) }
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Where to send the browser to sign in.
pub fn login_url(st: &AppState) -> Result<String, CasError> {
    Ok(format!("{}/login?service={}", server(st)?, encode(&service_url(st))))
}

/// Asks the CAS server whether `ticket` was issued for our service.
pub async fn validate(st: &AppState, ticket: &str) -> Result<Validation, CasError> {
    let url = format!("{}/p3/serviceValidate?service={}&ticket={}", server(st)?, encode(&service_url(st)), encode(ticket));
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?;
    let body = client.get(url).send().await?.error_for_status()?.text().await?;
    parse_service_response(&body)
}

/// Reads a CAS 3.0 `serviceResponse` (namespaced `cas:` or not).
pub fn parse_service_response(xml: &str) -> Result<Validation, CasError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = vec![];
    let mut user = None;
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failure: Option<(String, String)> = None;
    let mut success = false;
    loop {
        match reader.read_event().map_err(|e| CasError::Malformed(e.to_string()))? {
            // An empty element (`<cas:authenticationFailure code="…"/>`) counts too.
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let (Event::Start(e) | Event::Empty(e)) = &ev else { continue };
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if name == "authenticationSuccess" {
                    success = true;
                }
                if name == "authenticationFailure" {
                    let code =
                        e.try_get_attribute("code").ok().flatten().and_then(|a| a.unescape_value().ok().map(|v| v.into_owned())).unwrap_or_default();
                    failure = Some((code, String::new()));
                }
                if matches!(ev, Event::Start(_)) {
                    path.push(name);
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| CasError::Malformed(e.to_string()))?.trim().to_owned();
                match path.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                    ["serviceResponse", "authenticationSuccess", "user"] => user = Some(text),
                    ["serviceResponse", "authenticationSuccess", "attributes", name] => {
                        attributes.entry((*name).to_owned()).or_default().push(text);
                    }
                    ["serviceResponse", "authenticationFailure"] => {
                        if let Some(f) = failure.as_mut() {
                            f.1 = text;
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match (success, user, failure) {
        (true, Some(user), None) if !user.is_empty() => Ok(Validation::Success { user, attributes }),
        (false, None, Some((code, message))) => Ok(Validation::Failure { code, message }),
        _ => Err(CasError::Malformed(xml.chars().take(200).collect())),
    }
}

/// The ticket a CAS single-logout request (SAML `LogoutRequest`) names.
pub fn logout_ticket(xml: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut in_index = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => in_index = e.local_name().as_ref() == b"SessionIndex",
            Event::Text(t) if in_index => {
                let ticket = t.unescape().ok()?.trim().to_owned();
                return (!ticket.is_empty() && ticket.len() <= TICKET_MAX).then_some(ticket);
            }
            Event::End(_) => in_index = false,
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The staff number a successful validation names: the configured
/// attribute's first value, or the CAS user name.
pub fn staff_number(st: &AppState, v: &Validation) -> Option<String> {
    let Validation::Success { user, attributes } = v else { return None };
    let attr = st.config.cas.staff_number_attribute.trim();
    if attr.is_empty() { Some(user.clone()) } else { attributes.get(attr).and_then(|vals| vals.first().cloned()) }
}

/// Validates the ticket CAS sent back and opens a session for the staff
/// member it names; the cookie value. Every refusal is a message for the
/// person and a log line for us; nothing is opened.
pub async fn sign_in(st: &AppState, ticket: &str, ip: &str) -> Result<String, AppError> {
    let failed = AppError::invalid("ticket", Msg::ErrCasFailed);
    let now = st.clock.now_ms();
    if st.limits.take(&format!("signin:ip:{ip}"), &super::ssr::SIGNIN_PER_IP, now).await?.is_err() {
        return Err(AppError::RateLimited { msg: Msg::ErrRateLimited, retry_after_secs: 900 });
    }
    if ticket.is_empty() || ticket.len() > TICKET_MAX || !ticket.starts_with("ST-") {
        return Err(failed);
    }
    let validation = match validate(st, ticket).await {
        Ok(v) => v,
        Err(CasError::Off) => return Err(AppError::NotFound),
        Err(e) => {
            tracing::warn!(error = %e, "CAS ticket validation did not complete");
            return Err(AppError::Conflict { msg: Msg::ErrCasUnavailable });
        }
    };
    if let Validation::Failure { code, message } = &validation {
        tracing::info!(code, message, "CAS refused a ticket");
        return Err(failed);
    }
    let Some(number) = staff_number(st, &validation) else {
        tracing::warn!(attribute = st.config.cas.staff_number_attribute, "CAS released no staff number attribute");
        return Err(failed);
    };
    let unknown = AppError::Rule { field: "staff_no".into(), msg: Msg::ErrCasUnknownStaff, arg: String::new() };
    let (id, staff_no) = match super::ssr::signed_on_staff(st, &number).await? {
        Some(found) => found,
        None if st.config.cas.provision && st.config.ldap.enabled() => {
            let Ok(staff_no) = crate::domain::StaffNo::parse(&number) else { return Err(unknown) };
            match crate::directory::ldap_sync::provision(st, &staff_no).await? {
                Some(id) => (id, staff_no),
                None => return Err(unknown),
            }
        }
        None => return Err(unknown),
    };
    let token = match super::ssr::signed_on_session(st, &id, &staff_no, "cas", Some(ticket), ip).await {
        Ok(t) => t,
        // The ticket already opened a session: a replay.
        Err(e) if crate::platform::db::is_unique_violation(&e) => return Err(failed),
        Err(e) => return Err(e.into()),
    };
    Ok(token)
}

/// CAS's single logout: ends the session the named ticket opened.
pub async fn single_logout(st: &AppState, logout_request: &str) -> Result<u64, AppError> {
    let Some(ticket) = logout_ticket(logout_request) else { return Err(AppError::invalid("logoutRequest", Msg::ErrCasFailed)) };
    let ended = session::end_for_ticket(&st.db, &ticket, st.clock.now_ms()).await?;
    tracing::info!(ended, "CAS single logout");
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_names_the_user_and_its_attributes() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>zhangsan</cas:user><cas:attributes><cas:employeeNumber>T1001</cas:employeeNumber><cas:displayName>张三 &amp; Co</cas:displayName><cas:memberOf>a</cas:memberOf><cas:memberOf>b</cas:memberOf></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>"#;
        let Validation::Success { user, attributes } = parse_service_response(xml).unwrap() else { panic!() };
        assert_eq!(user, "zhangsan");
        assert_eq!(attributes["employeeNumber"], vec!["T1001"]);
        assert_eq!(attributes["displayName"], vec!["张三 & Co"]);
        assert_eq!(attributes["memberOf"], vec!["a", "b"]);
    }

    #[test]
    fn a_failure_keeps_its_code() {
        let xml = "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\n <cas:authenticationFailure code=\"INVALID_TICKET\">\n  ticket ST-1 not recognized\n </cas:authenticationFailure>\n</cas:serviceResponse>";
        assert_eq!(
            parse_service_response(xml).unwrap(),
            Validation::Failure { code: "INVALID_TICKET".into(), message: "ticket ST-1 not recognized".into() }
        );
    }

    #[test]
    fn anything_else_is_malformed() {
        for xml in [
            "",
            "<html>login</html>",
            "<cas:serviceResponse xmlns:cas=\"x\"><cas:authenticationSuccess></cas:authenticationSuccess></cas:serviceResponse>",
            // A user outside the success element is not a success.
            "<serviceResponse><user>x</user></serviceResponse>",
            "<serviceResponse><authenticationSuccess><user>x</user></authenticationSuccess><authenticationFailure code=\"A\"/></serviceResponse>",
        ] {
            assert!(parse_service_response(xml).is_err(), "{xml}");
        }
    }

    #[test]
    fn a_logout_request_names_its_ticket() {
        let xml = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1" Version="2.0" IssueInstant="2026-12-07T10:00:00Z"><saml:NameID>@NOT_USED@</saml:NameID><samlp:SessionIndex>ST-1796650296-VHk6dg</samlp:SessionIndex></samlp:LogoutRequest>"#;
        assert_eq!(logout_ticket(xml).as_deref(), Some("ST-1796650296-VHk6dg"));
        assert_eq!(logout_ticket("<samlp:LogoutRequest/>"), None);
        assert_eq!(logout_ticket("not xml <"), None);
    }
}

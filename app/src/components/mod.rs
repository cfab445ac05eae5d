//! The pieces every area's pages use, so that no area imports another for
//! them: the resources' codec, error lines, the signed-in person
//! (`me.rs`), the top bar (`top_bar.rs`), the admin pages' frame
//! (`admin.rs`).

mod admin;
mod me;
mod top_bar;

pub use admin::{AdminNav, AdminOnly, ExportLinks, LIST_PAGE, Pager, query_value};
pub use me::*;
pub use top_bar::*;

use crate::error::AppError;
use crate::i18n::{Msg, t, use_i18n};
use leptos::prelude::*;

/// The JSON codec of the app's resources. It decodes from bytes, as the
/// server functions' client does: serde_json's `from_str` and `from_slice`
/// would each compile their own copy of every wire type's deserialiser
/// into the wasm.
pub struct WireJson;

impl<T: serde::Serialize> leptos::server::codee::Encoder<T> for WireJson {
    type Error = serde_json::Error;
    type Encoded = String;
    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: serde::de::DeserializeOwned> leptos::server::codee::Decoder<T> for WireJson {
    type Error = serde_json::Error;
    type Encoded = str;
    fn decode(val: &str) -> Result<T, serde_json::Error> {
        from_json(val)
    }
}

/// Every JSON text the browser reads (resources, the scanner's stored
/// roster and queue) is decoded from bytes, as the server functions'
/// client does: `from_str` would compile a second copy of each type's
/// deserialiser into the wasm.
pub fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, serde_json::Error> {
    serde_json::from_slice(json.as_bytes())
}

/// A resource loaded on the server, sent with the page and read back by
/// hydration ([`WireJson`]); in the browser, loaded by its server function.
#[track_caller]
pub fn resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, WireJson>
where
    S: Send + Sync + Clone + PartialEq + 'static,
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// Until the person picks one, the first of a loaded list (a campus, a
/// gate). Set by an effect, so in the browser only and never while a page
/// renders: a signal written inside a `Suspend` on the server can leave
/// another `<Suspense>` of the page unresolved and its response never
/// finished.
pub fn default_to_first<T, E>(chosen: RwSignal<String>, list: Resource<Result<T, E>, WireJson>, first: impl Fn(&T) -> Option<String> + 'static)
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    E: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    Effect::new(move |_| {
        let id = list.with(|l| l.as_ref().and_then(|l| l.as_ref().ok()).and_then(&first));
        if let Some(id) = id
            && chosen.get_untracked().is_empty()
        {
            chosen.set(id);
        }
    });
}

/// Shown in place of a page the person may not open.
#[component]
pub fn Refusal(msg: Msg) -> impl IntoView {
    let signed_out = msg == Msg::ErrUnauthenticated;
    view! {
        <section class="card narrow">
            <p class="error" role="alert">{t(msg)}</p>
            <Show when=move || signed_out>
                <p><a class="button primary" href="/sign-in/staff">{t(Msg::SignInStaff)}</a></p>
                <p><a class="button secondary" href="/sign-in">{t(Msg::SignInVisitor)}</a></p>
            </Show>
        </section>
    }
}

/// An error from the server, as a sentence.
#[component]
pub fn ErrorLine(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            let text = e.user_message(i18n.lang());
            view! { <p class="error" role="alert">{text}</p> }
        })
    }
}

/// The short privacy notice under every form that collects personal data,
/// linking to the whole notice and to the person's own data.
#[component]
pub fn PrivacyNotice() -> impl IntoView {
    view! { <p class="muted small privacy-notice">{t(Msg::PrivacyNoticeShort)} " " <a href="/privacy">{t(Msg::PrivacyLink)}</a></p> }
}

/// A problem with one field, found while typing.
#[component]
pub fn FieldHint(#[prop(into)] problem: Signal<Option<Msg>>) -> impl IntoView {
    let i18n = use_i18n();
    move || problem.get().map(|m| view! { <p class="field-error">{m.text(i18n.lang())}</p> })
}

/// Sends a file's bytes as they are (GBK included) to an import route
/// (`POST`, `text/csv`) and reads its JSON answer or `AppError`.
#[cfg(feature = "hydrate")]
pub async fn upload_csv<T: serde::de::DeserializeOwned>(url: &str, file: web_sys::File) -> Result<T, AppError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let net = |_| AppError::Request("network".into());
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&file);
    let headers = web_sys::Headers::new().map_err(net)?;
    headers.set("content-type", "text/csv").map_err(net)?;
    init.set_headers(&headers);
    let resp: web_sys::Response = JsFuture::from(window().fetch_with_str_and_init(url, &init)).await.map_err(net)?.dyn_into().map_err(net)?;
    let text = JsFuture::from(resp.text().map_err(net)?).await.map_err(net)?.as_string().unwrap_or_default();
    if resp.ok() {
        from_json(&text).map_err(|e| AppError::Request(e.to_string()))
    } else {
        Err(from_json::<AppError>(&text).unwrap_or(AppError::Request(format!("HTTP {}", resp.status()))))
    }
}

/// Full navigation: used after sign-in and sign-out so every part of the
/// page is rendered again for the new person.
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// One parameter of this page's address, percent-decoded: from the
/// request on the server, from the address bar in the browser (the same).
pub fn query_param(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    let search = use_context::<http::request::Parts>().and_then(|p| p.uri.query().map(str::to_owned)).unwrap_or_default();
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    let search = window().location().search().unwrap_or_default();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let search = String::new();
    let raw = search.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=').map(str::to_owned))?;
    percent_encoding::percent_decode_str(&raw.replace('+', " ")).decode_utf8().ok().map(|v| v.into_owned())
}

/// A value as one URL query component (`?next=<this>`).
pub fn encode_component(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Where to go after signing in: the page that sent the person here
/// (`?next=/apply`), only ever a path on this site.
pub fn next_path() -> String {
    #[cfg(feature = "hydrate")]
    {
        let search = window().location().search().unwrap_or_default();
        let next = search
            .trim_start_matches('?')
            .split('&')
            .find_map(|kv| kv.strip_prefix("next="))
            .and_then(|v| js_sys::decode_uri_component(v).ok())
            .and_then(|v| v.as_string());
        if let Some(n) = next.as_deref().and_then(crate::domain::site_path::safe_next) {
            return n.to_owned();
        }
    }
    "/".to_owned()
}

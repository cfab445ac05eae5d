//! Small pieces every page uses: error lines, the signed-in person, the top bar.

use crate::auth::{Me, SignOut};
use crate::error::AppError;
use crate::i18n::{I18n, Lang, Msg, t, use_i18n};
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

/// The signed-in person, loaded once per page view.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, AppError>, WireJson>);

pub fn provide_me() -> MeResource {
    let r = MeResource(resource(|| (), |_| crate::auth::current_user()));
    provide_context(r);
    r
}

/// Renders `render` once the signed-in person is known.
#[component]
pub fn WithMe<F, V>(render: F) -> impl IntoView
where
    F: Fn(Option<Me>) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move { render(me.await.ok().flatten()) })
            }}
        </Suspense>
    }
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

/// A problem with one field, found while typing.
#[component]
pub fn FieldHint(#[prop(into)] problem: Signal<Option<Msg>>) -> impl IntoView {
    let i18n = use_i18n();
    move || problem.get().map(|m| view! { <p class="field-error">{m.text(i18n.lang())}</p> })
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
        if let Some(n) = next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\')) {
            return n;
        }
    }
    "/".to_owned()
}

#[component]
pub fn TopBar() -> impl IntoView {
    let i18n = use_i18n();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            go_to("/");
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">{t(Msg::AppName)}</a>
            <nav>
                <button class="link" id="lang-switch" on:click=move |_| switch_language(i18n)>{t(Msg::LanguageSwitch)}</button>
                <WithMe render=move |me| me.map(|me| view! {
                    <span class="who">{me.display_name.clone()}</span>
                    <button class="link" id="sign-out" on:click=move |_| { sign_out.dispatch(SignOut {}); }>{t(Msg::SignOut)}</button>
                }) />
            </nav>
        </header>
    }
}

/// The top bar of a page bundle's page ([`crate::hydrate_page`]): the
/// server's HTML, not hydrated; its buttons do what [`TopBar`]'s do, and a
/// language switch sets its words by hand.
#[cfg(feature = "hydrate")]
pub fn wire_top_bar(i18n: I18n) {
    use wasm_bindgen::{JsCast, closure::Closure};
    let on_click = |id: &str, f: Box<dyn Fn()>| {
        if let Some(button) = document().get_element_by_id(id) {
            let f = Closure::<dyn Fn()>::wrap(f);
            let _ = button.add_event_listener_with_callback("click", f.as_ref().unchecked_ref());
            f.forget();
        }
    };
    on_click(
        "lang-switch",
        Box::new(move || {
            switch_language(i18n);
            let lang = i18n.lang();
            for (selector, msg) in [(".topbar .brand", Msg::AppName), ("#lang-switch", Msg::LanguageSwitch), ("#sign-out", Msg::SignOut)] {
                if let Some(el) = document().query_selector(selector).ok().flatten() {
                    el.set_text_content(Some(msg.text(lang)));
                }
            }
        }),
    );
    on_click(
        "sign-out",
        Box::new(|| {
            leptos::task::spawn_local(async {
                if crate::auth::sign_out().await.is_ok() {
                    go_to("/");
                }
            })
        }),
    );
}

fn switch_language(i18n: I18n) {
    let next = match i18n.lang() {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    i18n.0.set(next);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let doc = document();
        if let Ok(html) = doc.clone().dyn_into::<web_sys::HtmlDocument>() {
            let _ = html.set_cookie(&format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", next.code()));
        }
        if let Some(el) = doc.document_element() {
            let _ = el.set_attribute("lang", next.code());
        }
        // A page bundle does not hydrate `<title>` (see `hydrate_page`).
        doc.set_title(Msg::AppName.text(next));
    }
}

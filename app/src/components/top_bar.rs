//! The top bar: the product's name, the larger display and language
//! switches, who is signed in and sign-out.

use super::{SignOut, WithMe, go_to};
use crate::i18n::{I18n, Lang, Msg, t, use_i18n};
use leptos::prelude::*;

/// The larger display (长辈版: bigger text and touch targets, stronger
/// contrast, for older eyes and fingers): the class `large` on `<html>`,
/// which the stylesheet enlarges. Remembered in the `display` cookie,
/// which the server reads, so the first paint is already large.
#[derive(Clone, Copy)]
pub struct LargeDisplay(pub RwSignal<bool>);

impl LargeDisplay {
    /// As the page was rendered: from the request's cookie on the server,
    /// from `<html class>` in the browser, so hydration sees the same.
    pub fn initial() -> LargeDisplay {
        #[cfg(feature = "ssr")]
        let on = large_display_requested();
        #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
        let on = document().document_element().is_some_and(|e| e.class_name() == LARGE);
        #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
        let on = false;
        LargeDisplay(RwSignal::new(on))
    }
}

/// The class on `<html>` and the `display` cookie's value when it is on.
pub const LARGE: &str = "large";

/// Whether this request asked for the larger display (its `display` cookie).
#[cfg(feature = "ssr")]
pub fn large_display_requested() -> bool {
    use_context::<http::request::Parts>().is_some_and(|p| crate::platform::session::cookie_in(&p.headers, "display") == Some(LARGE))
}

#[component]
pub fn TopBar() -> impl IntoView {
    let i18n = use_i18n();
    let large = use_context::<LargeDisplay>().unwrap_or_else(LargeDisplay::initial);
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            go_to("/");
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">{t(Msg::AppName)}</a>
            <div class="tools">
                <button class="link" id="display-switch" aria-pressed=move || if large.0.get() { "true" } else { "false" } on:click=move |_| switch_display(large)>
                    {t(Msg::LargerDisplay)}
                </button>
                // Its text is the other language's name, in that language.
                <button class="link" id="lang-switch" lang=move || other(i18n.lang()).code() on:click=move |_| switch_language(i18n)>
                    {t(Msg::LanguageSwitch)}
                </button>
                <WithMe render=move |me| me.map(|me| view! {
                    <span class="who">{me.display_name.clone()}</span>
                    <button class="link" id="sign-out" on:click=move |_| { sign_out.dispatch(SignOut {}); }>{t(Msg::SignOut)}</button>
                }) />
            </div>
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
    let large = LargeDisplay::initial();
    on_click("display-switch", Box::new(move || switch_display(large)));
    on_click(
        "lang-switch",
        Box::new(move || {
            switch_language(i18n);
            let lang = i18n.lang();
            for (selector, msg) in [
                (".topbar .brand", Msg::AppName),
                ("#display-switch", Msg::LargerDisplay),
                ("#lang-switch", Msg::LanguageSwitch),
                ("#sign-out", Msg::SignOut),
                // The staff sign-in page's campus sign-on (`auth::SignOnChoices`).
                ("#sign-in-cas", Msg::SignInWithCas),
                ("#sign-in-cas-hint", Msg::SignInCasHint),
                ("#sign-in-wecom", Msg::SignInWithWeCom),
                ("#sign-in-password-instead", Msg::SignInPasswordInstead),
            ] {
                if let Some(el) = document().query_selector(selector).ok().flatten() {
                    el.set_text_content(Some(msg.text(lang)));
                }
            }
            if let Some(el) = document().get_element_by_id("lang-switch") {
                let _ = el.set_attribute("lang", other(lang).code());
            }
        }),
    );
    on_click(
        "sign-out",
        Box::new(|| {
            leptos::task::spawn_local(async {
                if super::sign_out().await.is_ok() {
                    go_to("/");
                }
            })
        }),
    );
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    }
}

fn switch_language(i18n: I18n) {
    let next = other(i18n.lang());
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

/// Turns the larger display on or off: the class on `<html>`, the cookie,
/// and the switch's pressed state (set by hand too: a page bundle's top
/// bar is not hydrated).
fn switch_display(large: LargeDisplay) {
    let on = !large.0.get_untracked();
    large.0.set(on);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let doc = document();
        if let Ok(html) = doc.clone().dyn_into::<web_sys::HtmlDocument>() {
            let value = if on { LARGE } else { "standard" };
            let _ = html.set_cookie(&format!("display={value}; Path=/; Max-Age=31536000; SameSite=Lax"));
        }
        if let Some(el) = doc.document_element() {
            el.set_class_name(if on { LARGE } else { "" });
        }
        if let Some(el) = doc.get_element_by_id("display-switch") {
            let _ = el.set_attribute("aria-pressed", if on { "true" } else { "false" });
        }
    }
}

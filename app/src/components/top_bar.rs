//! The top bar: the product's name, the language switch, who is signed in
//! and sign-out.

use super::{SignOut, WithMe, go_to};
use crate::i18n::{I18n, Lang, Msg, t, use_i18n};
use leptos::prelude::*;

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
                if super::sign_out().await.is_ok() {
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

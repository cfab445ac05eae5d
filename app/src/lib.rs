//! Campus Pass: the application shared by the server (SSR, server functions)
//! and the browser (hydration). Folders are areas of the product; `domain`
//! holds the pure rules; `platform` the server-only plumbing.

#![recursion_limit = "512"]

#[macro_use]
mod macros;

pub mod applications;
pub mod auth;
pub mod components;
pub mod directory;
pub mod domain;
pub mod error;
pub mod home;
pub mod i18n;
pub mod office;
pub mod passes;
#[cfg(feature = "ssr")]
pub mod platform;
pub mod rules;

use components::{TopBar, provide_me};
use i18n::{I18n, Lang, Msg, t};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{Route, Router, Routes},
    path,
};

/// The HTML document around the app (server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let lang = auth::ssr::request_lang();
    #[cfg(not(feature = "ssr"))]
    let lang = Lang::Zh;
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#0b5cab" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The language the page was rendered in: from the request on the server,
/// from `<html lang>` in the browser, so hydration sees the same text.
fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        auth::ssr::request_lang()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::from_code(&l))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::Zh
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = I18n(RwSignal::new(initial_lang()));
    provide_context(i18n);
    provide_me();
    // Marks the page interactive once hydrated: browser tests wait for it.
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "1");
        }
    });

    view! {
        <Title text=t(Msg::AppName) />
        <Meta name="description" content=t(Msg::Tagline) />
        <Router>
            <TopBar />
            <main>
                <Routes fallback=|| view! { <section class="card narrow"><p>{t(Msg::ErrNotFound)}</p><a href="/">{t(Msg::Home)}</a></section> }>
                    <Route path=StaticSegment("") view=home::HomePage />
                    <Route path=path!("/sign-in") view=auth::PhoneSignInPage />
                    <Route path=path!("/sign-in/staff") view=auth::StaffSignInPage />
                    <Route path=path!("/account/password") view=auth::ChangePasswordPage />
                    <Route path=path!("/admin/campuses") view=directory::CampusesPage />
                    <Route path=path!("/admin/departments") view=directory::DepartmentsPage />
                    <Route path=path!("/admin/staff") view=directory::StaffAdminPage />
                    <Route path=path!("/admin/grants") view=office::GrantsPage />
                    <Route path=path!("/admin/audit") view=office::AuditPage />
                    <Route path=path!("/admin/outbox") view=office::OutboxPage />
                    <Route path=path!("/admin/blacklist") view=rules::BlacklistPage />
                    <Route path=path!("/admin/rules") view=rules::RulesPage />
                    <Route path=path!("/admin/scans") view=passes::ScanLogPage />
                    <Route path=path!("/admin/on-campus") view=passes::OnCampusPage />
                    <Route path=path!("/admin/devices") view=passes::DevicesPage />
                    <Route path=path!("/apply") view=applications::ApplyPage />
                    <Route path=path!("/applications") view=applications::MyApplicationsPage />
                    <Route path=path!("/applications/:id") view=applications::ApplicationPage />
                    <Route path=path!("/approvals") view=applications::ApprovalsPage />
                    <Route path=path!("/approvals/:id") view=applications::ApplicationPage />
                    <Route path=path!("/invite") view=applications::InvitePage />
                    <Route path=path!("/p/:link") view=passes::PassPage />
                    <Route path=path!("/scan") view=passes::ScannerPage />
                    <Route path=path!("/s") view=passes::ScannerPage />
                </Routes>
            </main>
        </Router>
    }
}

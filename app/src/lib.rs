//! Campus Pass: the application shared by the server (SSR, server functions)
//! and the browser (hydration). Folders are areas of the product; `domain`
//! (a crate of its own, re-exported here) holds the pure rules and the
//! message table; `platform` the server-only plumbing; `components` the
//! view pieces every area shares.

#![recursion_limit = "512"]

#[macro_use]
mod macros;

pub mod applications;
pub mod auth;
pub mod components;
/// The pure rules and the message table, a crate of their own.
pub use ::domain;
pub mod directory;
pub mod error;
#[cfg(feature = "ssr")]
pub mod fields;
pub mod home;
pub mod i18n;
pub mod office;
pub mod passes;
#[cfg(feature = "ssr")]
pub mod platform;
pub mod privacy;
pub mod residents;
pub mod rules;
pub mod statistics;
pub mod temp_personnel;

use components::{LargeDisplay, TopBar, provide_me};
use i18n::{I18n, Lang, Msg, t};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    path,
};

/// The HTML document around the app (server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let lang = auth::ssr::request_lang();
    #[cfg(not(feature = "ssr"))]
    let lang = Lang::Zh;
    // The larger display is on from the first paint (no flash of small text).
    #[cfg(feature = "ssr")]
    let large = components::large_display_requested();
    #[cfg(not(feature = "ssr"))]
    let large = false;
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code() class=large.then_some(components::LARGE)>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#0b5cab" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <PageScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts only from this site or
/// inline with this response's nonce (the hydration script, the streamed
/// resources), wasm compiled from this site's bundles, no framing (a page
/// that approves or admits must not be clickjacked), no plugins, forms and
/// connections to this site only. Styles may be inline (the views set
/// some `style` attributes; scripts are what matters).
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else { return };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    );
    if let Ok(v) = http::HeaderValue::from_str(&policy) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

/// The hydration scripts of the bundle that serves this page: a page
/// bundle's own files when the build made them (`scripts/build-release.sh`
/// writes `bundles.txt` in the site root), otherwise the main bundle, which
/// holds every page.
#[component]
fn PageScripts(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let path = use_context::<http::request::Parts>().map(|p| p.uri.path().to_string()).unwrap_or_default();
        if let Some((js, wasm)) = page_bundle_files(&options, Bundle::for_path(&path)) {
            let pkg = options.site_pkg_dir.to_string();
            let (js, wasm) = (format!("/{pkg}/{js}"), format!("/{pkg}/{wasm}"));
            let script = format!("import init, {{ hydrate }} from {js:?}; init({{ module_or_path: {wasm:?} }}).then(() => hydrate());");
            return view! {
                <link rel="modulepreload" href=js />
                <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin="" />
                <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script>
            }
            .into_any();
        }
    }
    view! { <HydrationScripts options /> }.into_any()
}

/// The hashed JS and wasm file names of a page bundle, read once from the
/// site's `bundles.txt` (lines `scanner.js: <file>`); `None` for the main
/// bundle, when the build made no page bundles, or when they were built
/// beside another main bundle than this server's (its `hash.txt`), so a
/// page never hydrates with code from another build.
#[cfg(feature = "ssr")]
fn page_bundle_files(options: &LeptosOptions, bundle: Bundle) -> Option<(String, String)> {
    use std::{collections::HashMap, sync::OnceLock};
    fn entries(text: &str) -> HashMap<String, String> {
        text.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect()
    }
    static FILES: OnceLock<HashMap<String, String>> = OnceLock::new();
    let files = FILES.get_or_init(|| {
        if !options.hash_files {
            return HashMap::new();
        }
        let read = |path: std::path::PathBuf| std::fs::read_to_string(path).map(|t| entries(&t)).unwrap_or_default();
        let ours = std::env::current_exe().ok().and_then(|exe| Some(read(exe.parent()?.join(options.hash_file.as_ref()))));
        let files = read(std::path::Path::new(options.site_root.as_ref()).join("bundles.txt"));
        match (ours.as_ref().and_then(|h| h.get("wasm")), files.get("main.wasm")) {
            (Some(a), Some(b)) if a == b => files,
            _ => HashMap::new(),
        }
    });
    let key = bundle.page_bundle()?;
    Some((files.get(&format!("{key}.js"))?.clone(), files.get(&format!("{key}.wasm"))?.clone()))
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
        document().document_element().and_then(|e| e.get_attribute("lang")).and_then(|l| Lang::from_code(&l)).unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::Zh
    }
}

/// Every page: what the server renders, and what the main bundle hydrates.
/// A page bundle ([`Bundle`]) hydrates only the page's island in the same
/// HTML ([`hydrate_page`]).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = I18n(RwSignal::new(initial_lang()));
    provide_context(i18n);
    provide_context(LargeDisplay::initial());
    provide_me();
    // Marks the page interactive once hydrated: browser tests wait for it.
    Effect::new(|_| mark_hydrated());
    view! {
        <Title text=t(Msg::AppName) />
        <Meta name="description" content=t(Msg::Tagline) />
        <Router>
            <TopBar />
            <main>
                <Routes fallback=|| view! { <section class="card narrow"><h1>{t(Msg::PageNotFound)}</h1><a href="/">{t(Msg::Home)}</a></section> }>
                    <Route path=StaticSegment("") view=home::HomePage />
                    <Route path=path!("/sign-in") view=|| view! { <PageIsland><auth::PhoneSignInPage /></PageIsland> } />
                    <Route path=path!("/sign-in/staff") view=|| view! { <auth::SignOnChoices /><PageIsland><auth::StaffSignInPage /></PageIsland> } />
                    <Route path=path!("/account/password") view=auth::ChangePasswordPage />
                    <Route path=path!("/admin/campuses") view=directory::CampusesPage />
                    <Route path=path!("/admin/departments") view=directory::DepartmentsPage />
                    <Route path=path!("/admin/staff") view=directory::StaffAdminPage />
                    <Route path=path!("/admin/households") view=residents::HouseholdsPage />
                    <Route path=path!("/admin/households/poster") view=residents::HouseholdPosterPage />
                    <Route path=path!("/admin/grants") view=office::GrantsPage />
                    <Route path=path!("/admin/audit") view=office::AuditPage />
                    <Route path=path!("/admin/outbox") view=office::OutboxPage />
                    <Route path=path!("/admin/blacklist") view=rules::BlacklistPage />
                    <Route path=path!("/admin/rules") view=rules::RulesPage />
                    <Route path=path!("/admin/scans") view=passes::ScanLogPage />
                    <Route path=path!("/admin/on-campus") view=passes::OnCampusPage />
                    <Route path=path!("/admin/devices") view=passes::DevicesPage />
                    <Route path=path!("/admin/fees") view=passes::FeesPage />
                    <Route path=path!("/admin/statistics") view=statistics::StatisticsPage />
                    <Route path=path!("/admin/roll-call") view=passes::RollCallPage />
                    <Route path=path!("/hr/blacklist") view=rules::StaffBlacklistPage />
                    <Route path=path!("/temp-personnel") view=temp_personnel::TempPersonnelPage />
                    <Route path=path!("/temp-personnel/faces") view=temp_personnel::TempFacesPage />
                    <Route path=path!("/temp") view=temp_personnel::MyTempPage />
                    <Route path=path!("/apply") view=|| view! { <PageIsland><applications::ApplyPage /></PageIsland> } />
                    <Route path=path!("/resident") view=|| view! { <PageIsland><applications::ResidentApplyPage /></PageIsland> } />
                    <Route path=path!("/staff-pass") view=|| view! { <PageIsland><applications::StaffPassPage /></PageIsland> } />
                    <Route path=path!("/contractors/new") view=applications::ContractorApplyPage />
                    <Route path=path!("/apply/on-behalf") view=applications::ApplyOnBehalfPage />
                    <Route path=path!("/privacy") view=|| view! { <PageIsland><privacy::PrivacyPage /></PageIsland> } />
                    <Route path=path!("/my-data") view=|| view! { <PageIsland><privacy::MyDataPage /></PageIsland> } />
                    <Route path=path!("/applications") view=|| view! { <PageIsland><applications::MyApplicationsPage /></PageIsland> } />
                    <Route path=path!("/applications/:id") view=application_island />
                    <Route path=path!("/applications/:id/edit") view=applications::EditApplicationPage />
                    // In order: its lists are in the HTML where they stand
                    // (streamed in after the first paint, out of order, the
                    // inbox pushed the department's list down: CLS 0.34).
                    <Route path=path!("/approvals") ssr=SsrMode::InOrder view=|| view! { <PageIsland><applications::ApprovalsPage /></PageIsland> } />
                    <Route path=path!("/approvals/:id") view=application_island />
                    <Route path=path!("/invite") view=applications::InvitePage />
                    // The link is the fragment (`/p#<link>`); `/p/<link>`, as
                    // texts sent before said, is redirected by the server.
                    <Route path=path!("/p") view=|| view! { <PageIsland><passes::PassPage /></PageIsland> } />
                    <Route path=path!("/scan") view=scanner_island />
                    <Route path=path!("/scan/manual") view=|| view! { <PageIsland><passes::ManualAdmissionPage /></PageIsland> } />
                    <Route path=path!("/admin/manual-admissions") view=passes::ManualAdmissionsPage />
                    <Route path=path!("/s") view=scanner_island />
                </Routes>
            </main>
        </Router>
    }
}

/// An application's page: its id from the route, handed to the page so the
/// page bundle (which has no router) renders it the same.
fn application_island() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = Signal::derive(move || params.with(|p| p.get("id").unwrap_or_default()));
    view! { <PageIsland><applications::ApplicationPage id /></PageIsland> }
}

fn scanner_island() -> impl IntoView {
    view! { <PageIsland><passes::ScannerPage /></PageIsland> }
}

fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "1");
    }
}

/// The hydration id taken where an island starts, written into its
/// `data-island` attribute. The server and the main bundle both take it
/// (the same ids either way); a page bundle, hydrating only the island,
/// skips its own count to it, so every resource inside reads the data the
/// server sent under the same id.
fn island_mark() -> Option<String> {
    Owner::current_shared_context().map(|sc| sc.next_id().into_inner().to_string())
}

/// A page that a page bundle hydrates on its own (see [`hydrate_page`]).
#[component]
fn PageIsland(children: Children) -> impl IntoView {
    let mark = island_mark();
    view! { <div class="page" data-island=mark>{children()}</div> }
}

/// A page bundle's start: hydrates the page the server rendered with the
/// full [`App`] — only its island ([`PageIsland`]) — so the bundle holds
/// neither the router nor any other page. As `leptos::mount::hydrate_body`,
/// with one root owner and the language in context. The top bar stays the
/// server's HTML; its buttons are wired by hand
/// ([`components::wire_top_bar`]): hydrating it would add the signed-in
/// person's resource and its decoders, 11–15 KB of a phone's first load,
/// for a name that only changes on a page load (signing in or out).
#[cfg(feature = "hydrate")]
pub fn hydrate_page<V: IntoView + 'static>(page: impl FnOnce() -> V) {
    use hydration_context::{HydrateSharedContext, SharedContext};
    use leptos::tachys::view::{Position, RenderHtml};
    use std::sync::Arc;
    use wasm_bindgen::JsCast;

    _ = any_spawner::Executor::init_wasm_bindgen();
    let context = Arc::new(HydrateSharedContext::new());
    let owner = Owner::new_root(Some(context.clone()));
    owner.with(|| {
        let i18n = I18n(RwSignal::new(initial_lang()));
        provide_context(i18n);
        components::wire_top_bar(i18n);
        if let Some(el) = document().query_selector("main div.page[data-island]").ok().flatten() {
            // Takes ids up to and including the island's own mark.
            if let Some(mark) = el.get_attribute("data-island").and_then(|m| m.parse::<usize>().ok()) {
                let mut id = context.next_id().into_inner();
                while id < mark {
                    id = context.next_id().into_inner();
                }
                if id != mark {
                    leptos::logging::error!("island {mark}: this bundle had already taken hydration id {id}");
                }
            }
            std::mem::forget(page().into_view().hydrate_from_position::<true>(el.unchecked_ref(), Position::FirstChild));
        }
        context.hydration_complete();
        mark_hydrated();
    });
    std::mem::forget(owner);
}

/// The visitor's bundle: the application form (`/apply`) or a pass (`/p#<link>`).
#[cfg(feature = "hydrate")]
pub fn hydrate_visitor_page() {
    if window().location().pathname().unwrap_or_default() == "/p" {
        hydrate_page(|| view! { <passes::PassPage /> })
    } else {
        hydrate_page(|| view! { <applications::ApplyPage /> })
    }
}

/// The phone pages' bundle (see [`Bundle::People`]).
#[cfg(feature = "hydrate")]
pub fn hydrate_people_page() {
    let path = window().location().pathname().unwrap_or_default();
    match path.as_str() {
        "/sign-in" => hydrate_page(|| view! { <auth::PhoneSignInPage /> }),
        "/sign-in/staff" => hydrate_page(|| view! { <auth::StaffSignInPage /> }),
        "/resident" => hydrate_page(|| view! { <applications::ResidentApplyPage /> }),
        "/staff-pass" => hydrate_page(|| view! { <applications::StaffPassPage /> }),
        "/scan/manual" => hydrate_page(|| view! { <passes::ManualAdmissionPage /> }),
        _ => hydrate_page(|| view! { <applications::MyApplicationsPage /> }),
    }
}

/// The review bundle (see [`Bundle::Review`]).
#[cfg(feature = "hydrate")]
pub fn hydrate_review_page() {
    let path = window().location().pathname().unwrap_or_default();
    let id = |prefix: &str| path.strip_prefix(prefix).map(str::to_owned);
    match id("/applications/").or_else(|| id("/approvals/")) {
        Some(id) => {
            let id = Signal::stored(id);
            hydrate_page(move || view! { <applications::ApplicationPage id /> })
        }
        None => hydrate_page(|| view! { <applications::ApprovalsPage /> }),
    }
}

/// The privacy bundle (see [`Bundle::Privacy`]).
#[cfg(feature = "hydrate")]
pub fn hydrate_privacy_page() {
    if window().location().pathname().unwrap_or_default() == "/my-data" {
        hydrate_page(|| view! { <privacy::MyDataPage /> })
    } else {
        hydrate_page(|| view! { <privacy::PrivacyPage /> })
    }
}

/// The guard's bundle: the scanner (`/scan`, `/s`).
#[cfg(feature = "hydrate")]
pub fn hydrate_scanner_page() {
    hydrate_page(|| view! { <passes::ScannerPage /> })
}

/// The wasm bundles: the main one has every page; the guard's and the
/// visitor's hold only their pages, so a phone on 4G downloads a fraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    Main,
    Scanner,
    Visitor,
    /// The other pages people open first on a phone: sign-in, the
    /// resident and staff forms, their applications.
    People,
    /// An application's page and the approvers' inbox.
    Review,
    /// The privacy notice and a visitor's own data.
    Privacy,
}

impl Bundle {
    /// Which bundle hydrates the page at `path`; must agree with
    /// [`hydrate_scanner_page`], [`hydrate_visitor_page`] and the routes
    /// whose page is a [`PageIsland`].
    /// Exact paths only: anything else gets the main bundle, which can
    /// hydrate whatever the server rendered.
    pub fn for_path(path: &str) -> Bundle {
        match path {
            "/scan" | "/s" => Bundle::Scanner,
            "/apply" | "/p" => Bundle::Visitor,
            "/sign-in" | "/sign-in/staff" | "/resident" | "/staff-pass" | "/applications" | "/scan/manual" => Bundle::People,
            "/approvals" => Bundle::Review,
            "/privacy" | "/my-data" => Bundle::Privacy,
            _ => {
                let one_segment = |prefix: &str| path.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'));
                if one_segment("/applications/") || one_segment("/approvals/") { Bundle::Review } else { Bundle::Main }
            }
        }
    }

    /// A page bundle's name in the build (`scripts/build-release.sh`
    /// builds `frontend/<name>`); `None` for the main bundle.
    pub fn page_bundle(self) -> Option<&'static str> {
        match self {
            Bundle::Main => None,
            Bundle::Scanner => Some("scanner"),
            Bundle::Visitor => Some("visitor"),
            Bundle::People => Some("people"),
            Bundle::Review => Some("review"),
            Bundle::Privacy => Some("privacy"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Bundle;

    #[test]
    fn each_page_bundle_serves_its_own_paths_and_nothing_else() {
        for p in ["/scan", "/s"] {
            assert_eq!(Bundle::for_path(p), Bundle::Scanner, "{p}");
        }
        for p in ["/apply", "/p"] {
            assert_eq!(Bundle::for_path(p), Bundle::Visitor, "{p}");
        }
        for p in ["/sign-in", "/sign-in/staff", "/resident", "/staff-pass", "/applications", "/scan/manual"] {
            assert_eq!(Bundle::for_path(p), Bundle::People, "{p}");
        }
        for p in ["/approvals", "/applications/x1", "/approvals/x1"] {
            assert_eq!(Bundle::for_path(p), Bundle::Review, "{p}");
        }
        for p in ["/privacy", "/my-data"] {
            assert_eq!(Bundle::for_path(p), Bundle::Privacy, "{p}");
        }
        for p in [
            "/",
            "",
            "/p/",
            "/p/AbC123",
            "/p/a/b",
            "/admin/scans",
            "/scanner",
            "/scan/",
            "/p/AbC123/",
            "/applications/",
            "/applications/a/b",
            "/contractors/new",
        ] {
            assert_eq!(Bundle::for_path(p), Bundle::Main, "{p}");
        }
    }
}

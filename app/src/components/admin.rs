//! The frame of every office page: the refusal for anyone else and the
//! navigation between the office's pages.

use super::{MeResource, Refusal};
use crate::domain::Role;
use crate::i18n::OfficeMsg;
use crate::i18n::{Msg, t};
use leptos::prelude::*;

/// Wraps an office page: tells anyone who holds none of `roles` (a
/// security admin's pages unless told otherwise) why they cannot use it.
/// The server refuses their calls anyway; the page's own parts are built
/// at once (never inside an async block), so the browser hydrates exactly
/// what the server rendered.
#[component]
pub fn AdminOnly(#[prop(default = &[Role::SecurityAdmin])] roles: &'static [Role], children: Children) -> impl IntoView {
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await.ok().flatten() {
                    None => Some(view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any()),
                    Some(me) if !roles.iter().any(|r| me.has(*r)) => Some(view! { <Refusal msg=Msg::ErrForbidden /> }.into_any()),
                    Some(_) => None,
                }
            })}
        </Suspense>
        {children()}
    }
}

/// The office's pages, each shown to those who may use it: a security
/// admin sees them all, the resident office its households; the router
/// marks the one open (`aria-current`).
#[component]
pub fn AdminNav() -> impl IntoView {
    use leptos_router::components::A;
    let me = expect_context::<MeResource>().0;
    view! {
        <nav class="tabs" aria-label=t(OfficeMsg::AdminPages)>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let me = me.await.ok().flatten();
                    let admin = me.as_ref().is_some_and(|m| m.has(Role::SecurityAdmin));
                    let residents = admin || me.as_ref().is_some_and(|m| m.has(Role::ResidentOffice));
                    let hr = admin || me.as_ref().is_some_and(|m| m.has(Role::Hr));
                    let temp = admin || me.as_ref().is_some_and(|m| m.has(Role::TempPersonnelAdmin));
                    view! {
                        <Show when=move || admin>
                            <A href="/admin/statistics">{t(Msg::Statistics)}</A>
                            <A href="/admin/campuses">{t(Msg::Campuses)}</A>
                            <A href="/admin/departments">{t(Msg::Departments)}</A>
                            <A href="/admin/staff">{t(Msg::Staff)}</A>
                        </Show>
                        <Show when=move || residents>
                            <A href="/admin/households">{t(Msg::Households)}</A>
                        </Show>
                        <Show when=move || hr>
                            <A href="/hr/blacklist">{t(Msg::StaffBlacklist)}</A>
                        </Show>
                        <Show when=move || temp>
                            <A href="/temp-personnel">{t(OfficeMsg::TempPersonnel)}</A>
                        </Show>
                        <Show when=move || admin>
                            <A href="/temp-personnel/faces">{t(OfficeMsg::TempFaces)}</A>
                        </Show>
                        <Show when=move || admin>
                            <A href="/admin/grants">{t(Msg::Grants)}</A>
                            <A href="/admin/audit">{t(Msg::Audit)}</A>
                            <A href="/admin/outbox">{t(Msg::Outbox)}</A>
                            <A href="/admin/blacklist">{t(Msg::Blacklist)}</A>
                            <A href="/admin/rules">{t(Msg::Rules)}</A>
                            <A href="/admin/scans">{t(Msg::ScanLog)}</A>
                            <A href="/admin/on-campus">{t(Msg::OnCampus)}</A>
                            <A href="/admin/manual-admissions">{t(OfficeMsg::ManualAdmissions)}</A>
                            <A href="/admin/roll-call">{t(Msg::RollCall)}</A>
                            <A href="/admin/fees">{t(Msg::ParkingFees)}</A>
                            <A href="/admin/devices">{t(Msg::Devices)}</A>
                        </Show>
                    }
                })}
            </Suspense>
        </nav>
    }
}

/// Download links for an office list as it is filtered now (`query`, the
/// filter as `key=value&…`): CSV and Excel, in the page's language. With
/// `names`, the office may ask for what the list masks (full names, or
/// with `mobiles` full mobile numbers); the server writes every export to
/// the audit trail.
#[component]
pub fn ExportLinks(
    list: &'static str,
    #[prop(into)] query: Signal<String>,
    #[prop(optional)] names: bool,
    #[prop(optional)] mobiles: bool,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let unmasked = RwSignal::new(false);
    let href = move |format: &'static str| {
        move || {
            let lang = if i18n.lang() == crate::i18n::Lang::En { "en" } else { "zh" };
            format!("/api/export/{list}?format={format}&lang={lang}&unmasked={}&{}", unmasked.get(), query.get())
        }
    };
    view! {
        <div class="row export">
            <a class="button secondary" id=format!("export-{list}-csv") href=href("csv") download>{t(OfficeMsg::ExportCsv)}</a>
            <a class="button secondary" id=format!("export-{list}-xlsx") href=href("xlsx") download>{t(OfficeMsg::ExportXlsx)}</a>
            <Show when=move || names || mobiles>
                <label class="check"><input type="checkbox" prop:checked=unmasked on:change=move |ev| unmasked.set(event_target_checked(&ev)) />
                    {t(match (names, mobiles) {
                        (true, true) => OfficeMsg::ExportUnmaskedBoth,
                        (false, true) => OfficeMsg::ExportUnmaskedMobiles,
                        _ => OfficeMsg::ExportUnmasked,
                    })}</label>
            </Show>
        </div>
    }
}

/// A free-text filter as a value in an address's query.
pub fn query_value(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Rows an office list shows at a time.
pub const LIST_PAGE: i64 = 100;

/// The previous and next page of an office list, at `offset`.
#[component]
pub fn Pager(#[prop(into)] offset: Signal<i64>, on_page: Callback<i64>) -> impl IntoView {
    view! {
        <div class="row pager">
            <button class="secondary" aria-label=t(OfficeMsg::PreviousPage) disabled=move || offset.get() == 0
                on:click=move |_| on_page.run((offset.get_untracked() - LIST_PAGE).max(0))>"‹"</button>
            <button class="secondary" aria-label=t(OfficeMsg::NextPage) on:click=move |_| on_page.run(offset.get_untracked() + LIST_PAGE)>"›"</button>
        </div>
    }
}

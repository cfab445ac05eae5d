//! The frame of every security-office page: the refusal for anyone else
//! and the navigation between the office's pages.

use super::{MeResource, Refusal};
use crate::domain::Role;
use crate::i18n::{Msg, t};
use leptos::prelude::*;

/// Wraps an admin page: tells anyone but a signed-in security admin why
/// they cannot use it. The server refuses their calls anyway; the page's
/// own parts are built at once (never inside an async block), so the
/// browser hydrates exactly what the server rendered.
#[component]
pub fn AdminOnly(children: Children) -> impl IntoView {
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await.ok().flatten() {
                    None => Some(view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any()),
                    Some(me) if !me.has(Role::SecurityAdmin) => Some(view! { <Refusal msg=Msg::ErrForbidden /> }.into_any()),
                    Some(_) => None,
                }
            })}
        </Suspense>
        {children()}
    }
}

/// The office's pages; the router marks the one open (`aria-current`).
#[component]
pub fn AdminNav() -> impl IntoView {
    use leptos_router::components::A;
    view! {
        <nav class="tabs" aria-label=t(Msg::AdminPages)>
            <A href="/admin/campuses">{t(Msg::Campuses)}</A>
            <A href="/admin/departments">{t(Msg::Departments)}</A>
            <A href="/admin/staff">{t(Msg::Staff)}</A>
            <A href="/admin/grants">{t(Msg::Grants)}</A>
            <A href="/admin/audit">{t(Msg::Audit)}</A>
            <A href="/admin/outbox">{t(Msg::Outbox)}</A>
            <A href="/admin/blacklist">{t(Msg::Blacklist)}</A>
            <A href="/admin/rules">{t(Msg::Rules)}</A>
            <A href="/admin/scans">{t(Msg::ScanLog)}</A>
            <A href="/admin/on-campus">{t(Msg::OnCampus)}</A>
            <A href="/admin/devices">{t(Msg::Devices)}</A>
        </nav>
    }
}

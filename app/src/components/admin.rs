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

#[component]
pub fn AdminNav() -> impl IntoView {
    view! {
        <nav class="tabs">
            <a href="/admin/campuses">{t(Msg::Campuses)}</a>
            <a href="/admin/departments">{t(Msg::Departments)}</a>
            <a href="/admin/staff">{t(Msg::Staff)}</a>
            <a href="/admin/grants">{t(Msg::Grants)}</a>
            <a href="/admin/audit">{t(Msg::Audit)}</a>
            <a href="/admin/outbox">{t(Msg::Outbox)}</a>
            <a href="/admin/blacklist">{t(Msg::Blacklist)}</a>
            <a href="/admin/rules">{t(Msg::Rules)}</a>
            <a href="/admin/scans">{t(Msg::ScanLog)}</a>
            <a href="/admin/on-campus">{t(Msg::OnCampus)}</a>
            <a href="/admin/devices">{t(Msg::Devices)}</a>
        </nav>
    }
}

//! The frame of every office page: the refusal for anyone else and the
//! navigation between the office's pages.

use super::{MeResource, Refusal};
use crate::domain::Role;
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
/// admin sees them all, the resident office its households.
#[component]
pub fn AdminNav() -> impl IntoView {
    let me = expect_context::<MeResource>().0;
    view! {
        <nav class="tabs" aria-label=t(Msg::Admin)>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let me = me.await.ok().flatten();
                    let admin = me.as_ref().is_some_and(|m| m.has(Role::SecurityAdmin));
                    let residents = admin || me.as_ref().is_some_and(|m| m.has(Role::ResidentOffice));
                    view! {
                        <Show when=move || admin>
                            <a href="/admin/campuses">{t(Msg::Campuses)}</a>
                            <a href="/admin/departments">{t(Msg::Departments)}</a>
                            <a href="/admin/staff">{t(Msg::Staff)}</a>
                        </Show>
                        <Show when=move || residents>
                            <a href="/admin/households">{t(Msg::Households)}</a>
                        </Show>
                        <Show when=move || admin>
                            <a href="/admin/grants">{t(Msg::Grants)}</a>
                            <a href="/admin/audit">{t(Msg::Audit)}</a>
                            <a href="/admin/outbox">{t(Msg::Outbox)}</a>
                            <a href="/admin/blacklist">{t(Msg::Blacklist)}</a>
                            <a href="/admin/rules">{t(Msg::Rules)}</a>
                            <a href="/admin/scans">{t(Msg::ScanLog)}</a>
                            <a href="/admin/on-campus">{t(Msg::OnCampus)}</a>
                            <a href="/admin/devices">{t(Msg::Devices)}</a>
                        </Show>
                    }
                })}
            </Suspense>
        </nav>
    }
}

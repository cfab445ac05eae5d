//! The home page: what each kind of user can do from here.

use crate::components::{ErrorLine, WithMe, resource};
use crate::components::{Me, MeKind};
use crate::domain::Role;
use crate::i18n::{Msg, t};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    view! { <WithMe render=|me| match me {
        None => view! { <SignedOutHome /> }.into_any(),
        Some(me) => view! { <SignedInHome me /> }.into_any(),
    } /> }
}

#[component]
fn SignedOutHome() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>{t(Msg::AppName)}</h1>
            <p>{t(Msg::Tagline)}</p>
        </section>
        <a class="tile" href="/sign-in" id="tile-visitor">
            <strong>{t(Msg::SignInVisitor)}</strong>
            <span>{t(Msg::SignInVisitorHint)}</span>
        </a>
        <a class="tile" href="/sign-in/staff" id="tile-staff">
            <strong>{t(Msg::SignInStaff)}</strong>
            <span>{t(Msg::SignInStaffHint)}</span>
        </a>
    }
}

#[component]
fn SignedInHome(me: Me) -> impl IntoView {
    let mut roles: Vec<Msg> = match &me.kind {
        MeKind::Staff { .. } => vec![Msg::RoleStaff],
        MeKind::Phone { resident: true, .. } => vec![Msg::RoleVisitor, Msg::RoleResident],
        MeKind::Phone { .. } => vec![Msg::RoleVisitor],
    };
    roles.extend(me.grants.iter().map(|r| r.label()));
    let subtitle = match &me.kind {
        MeKind::Staff { staff_no, department } => format!("{staff_no} · {department}"),
        MeKind::Phone { masked, .. } => masked.clone(),
    };
    let admin = me.has(Role::SecurityAdmin);
    let resident_office = admin || me.has(Role::ResidentOffice);
    let hr = admin || me.has(Role::Hr);
    let temp = admin || me.has(Role::TempPersonnelAdmin) || me.has(Role::Approver);
    let approver = me.has(Role::Approver);
    let guard = me.has(Role::Guard);
    let visitor = !me.is_staff();
    let resident = matches!(me.kind, MeKind::Phone { resident: true, .. });
    let staff = me.is_staff();
    let must_change = me.must_change_password;
    view! {
        <section class="card">
            <p class="muted">{t(Msg::Welcome)}</p>
            <h1 id="who">{me.display_name.clone()}</h1>
            <p class="muted">{subtitle}</p>
            <p>{t(Msg::YourRoles)} ": "
                {roles.into_iter().map(|r| view! { <span class="badge">{t(r)}</span> }).collect_view()}
            </p>
            <Show when=move || must_change>
                <p class="notice">{t(Msg::MustChangePassword)}</p>
            </Show>
        </section>
        <Show when=move || guard>
            <a class="tile" href="/scan" id="tile-scan"><strong>{t(Msg::ScannerTile)}</strong></a>
        </Show>
        <Show when=move || resident>
            <a class="tile" href="/resident" id="tile-resident"><strong>{t(Msg::ApplyResidentPass)}</strong><span>{t(Msg::ResidentApplyHint)}</span></a>
        </Show>
        <Show when=move || visitor>
            <a class="tile" href="/apply" id="tile-apply"><strong>{t(Msg::ApplyTitle)}</strong></a>
        </Show>
        // One home for staff who are applicants, hosts and approvers at once.
        <Show when=move || staff>
            <a class="tile" href="/approvals" id="tile-approvals"><strong>{t(Msg::Inbox)}</strong>
                <span>{move || if approver { t(Msg::DepartmentApplications)() } else { t(Msg::HostInboxHint)() }}</span></a>
            <a class="tile" href="/staff-pass" id="tile-staff-pass"><strong>{t(Msg::ApplyStaffPass)}</strong><span>{t(Msg::StaffApplyHint)}</span></a>
            <a class="tile" href="/contractors/new" id="tile-contractor"><strong>{t(Msg::FileContractor)}</strong></a>
            <a class="tile" href="/invite" id="tile-invite"><strong>{t(Msg::InviteVisitor)}</strong></a>
            <a class="tile" href="/apply/on-behalf" id="tile-on-behalf"><strong>{t(crate::i18n::PageMsg::OnBehalfLink)}</strong></a>
        </Show>
        <a class="tile" href="/applications" id="tile-mine"><strong>{t(Msg::MyApplications)}</strong></a>
        <Show when=move || !staff>
            <a class="tile" href="/my-data" id="tile-my-data"><strong>{t(Msg::MyDataTitle)}</strong></a>
        </Show>
        <Show when=move || resident_office>
            <a class="tile" href="/admin/households" id="tile-households"><strong>{t(Msg::Households)}</strong><span>{t(Msg::PrintPoster)}</span></a>
        </Show>
        <Show when=move || temp>
            <a class="tile" href="/temp-personnel" id="tile-temp-personnel"><strong>{t(crate::i18n::OfficeMsg::TempPersonnel)}</strong></a>
        </Show>
        <Show when=move || hr>
            <a class="tile" href="/hr/blacklist" id="tile-staff-blacklist"><strong>{t(Msg::StaffBlacklist)}</strong></a>
        </Show>
        <Show when=move || admin>
            <a class="tile" href="/admin/statistics" id="tile-statistics"><strong>{t(Msg::Statistics)}</strong></a>
            <a class="tile" href="/admin/roll-call" id="tile-roll-call"><strong>{t(Msg::RollCall)}</strong></a>
            <a class="tile" href="/admin/fees" id="tile-fees"><strong>{t(Msg::ParkingFees)}</strong></a>
            <a class="tile" href="/admin/on-campus" id="tile-on-campus"><strong>{t(Msg::OnCampus)}</strong></a>
            <a class="tile" href="/admin/manual-admissions" id="tile-manual-admissions"><strong>{t(crate::i18n::OfficeMsg::ManualAdmissions)}</strong></a>
            <a class="tile" href="/admin/scans" id="tile-scans"><strong>{t(Msg::ScanLog)}</strong></a>
            <a class="tile" href="/admin/blacklist"><strong>{t(Msg::Blacklist)}</strong></a>
            <a class="tile" href="/admin/rules"><strong>{t(Msg::Rules)}</strong></a>
            <a class="tile" href="/admin/campuses"><strong>{t(Msg::Campuses)}</strong></a>
            <a class="tile" href="/admin/departments"><strong>{t(Msg::Departments)}</strong></a>
            <a class="tile" href="/admin/staff" id="tile-admin-staff"><strong>{t(Msg::Staff)}</strong><span>{t(Msg::StaffImport)}</span></a>
            <a class="tile" href="/admin/grants"><strong>{t(Msg::Grants)}</strong></a>
            <a class="tile" href="/admin/audit"><strong>{t(Msg::Audit)}</strong></a>
            <a class="tile" href="/admin/outbox"><strong>{t(Msg::Outbox)}</strong></a>
            <a class="tile" href="/admin/devices"><strong>{t(Msg::Devices)}</strong></a>
        </Show>
        <Show when=move || staff>
            <a class="tile" href="/account/password" id="tile-password"><strong>{t(Msg::ChangePassword)}</strong></a>
            <ArrivalTextsSetting />
        </Show>
    }
}

/// A host's choice to be texted when their visitor first enters.
#[component]
fn ArrivalTextsSetting() -> impl IntoView {
    let current = resource(|| (), |_| crate::passes::arrival_texts());
    let save = ServerAction::<crate::passes::SetArrivalTexts>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // Refused (a password still to change): nothing to set yet.
                current.await.ok().map(|on| view! {
                    <section class="card" id="arrival-texts-card">
                        <label class="check">
                            <input type="checkbox" id="arrival-texts" prop:checked=on
                                on:change=move |ev| { save.dispatch(crate::passes::SetArrivalTexts { on: event_target_checked(&ev) }); } />
                            {t(Msg::ArrivalTexts)}
                        </label>
                        <p class="muted small">{t(Msg::ArrivalTextsHint)}</p>
                        <Show when=saved><p class="muted small" role="status" id="arrival-texts-saved">{t(crate::i18n::OfficeMsg::Saved)}</p></Show>
                        <ErrorLine error />
                    </section>
                })
            })}
        </Suspense>
    }
}

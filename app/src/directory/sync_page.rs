//! The staff page's directory sync section: whether the campus directory
//! is configured, the latest run, a dry run and "sync now".

use super::*;
use crate::components::{ErrorLine, resource};
use crate::domain::directory_sync::{SkipReason, SyncPlan};
use crate::i18n::{Lang, OfficeMsg, t, use_i18n};

#[component]
pub fn DirectorySyncSection() -> impl IntoView {
    let status = resource(|| (), |_| directory_sync_status());
    let action = ServerAction::<SyncDirectory>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(s) = status.await else { return ().into_any() };
                let i18n = use_i18n();
                let hint = if s.every_minutes > 0 {
                    OfficeMsg::DirectorySyncHint.text(i18n.lang()).replace("{n}", &s.every_minutes.to_string())
                } else {
                    OfficeMsg::DirectorySyncManualOnly.text(i18n.lang()).to_owned()
                };
                let last = s.last.clone();
                view! {
                    <section class="card" id="directory-sync">
                        <h2>{t(OfficeMsg::DirectorySync)}</h2>
                        {if s.enabled {
                            view! {
                                <p class="muted small">{format!("{} · {}", s.server, s.base_dn)}</p>
                                <p class="muted small">{hint}</p>
                                <div class="actions">
                                    <button class="secondary" id="sync-preview" disabled=move || action.pending().get()
                                        on:click=move |_| { action.dispatch(SyncDirectory { dry_run: true }); }>{t(OfficeMsg::DirectorySyncPreview)}</button>
                                    <button class="primary" id="sync-now" disabled=move || action.pending().get()
                                        on:click=move |_| { action.dispatch(SyncDirectory { dry_run: false }); }>{t(OfficeMsg::DirectorySyncNow)}</button>
                                </div>
                                <ErrorLine error=error />
                                {move || match action.value().get() {
                                    Some(Ok(Some(run))) => view! { <SyncRunView run /> }.into_any(),
                                    _ => last.clone().map(|run| view! {
                                        <p class="muted small">{t(OfficeMsg::DirectorySyncLast)}</p>
                                        <SyncRunView run />
                                    }).into_any(),
                                }}
                            }.into_any()
                        } else {
                            view! { <p class="muted">{t(OfficeMsg::DirectorySyncOff)}</p> }.into_any()
                        }}
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn SyncRunView(run: DirectorySyncRun) -> impl IntoView {
    let lang = use_i18n().lang();
    let (class, outcome) = match (run.outcome.as_str(), run.error) {
        ("dry_run", _) => ("notice", OfficeMsg::SyncOutcomeDryRun.text(lang).to_owned()),
        ("applied", _) => ("ok", OfficeMsg::SyncOutcomeApplied.text(lang).to_owned()),
        ("no_changes", _) => ("ok", OfficeMsg::SyncOutcomeNoChanges.text(lang).to_owned()),
        (_, Some(msg)) => ("error", format!("{}: {}", OfficeMsg::SyncOutcomeFailed.text(lang), msg.text(lang))),
        _ => ("error", OfficeMsg::SyncOutcomeFailed.text(lang).to_owned()),
    };
    view! {
        <div id="sync-result">
            <p class=class>{format!("{} · {} · {}", run.started, run.actor, outcome)}</p>
            {run.plan.map(|p| plan_view(p, lang))}
        </div>
    }
}

fn plan_view(p: SyncPlan, lang: Lang) -> impl IntoView {
    let section = |title: OfficeMsg, lines: Vec<String>| {
        (!lines.is_empty()).then(|| {
            view! {
                <h3>{format!("{} ({})", title.text(lang), lines.len())}</h3>
                <ul class="sync-list">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            }
        })
    };
    let changed = p
        .changed
        .iter()
        .map(|c| {
            let mut parts = vec![c.staff_no.clone()];
            if let Some((a, b)) = &c.name {
                parts.push(format!("{} {a} → {b}", OfficeMsg::SyncRenamed.text(lang)));
            }
            if let Some((a, b)) = &c.department {
                parts.push(format!("{} {a} → {b}", OfficeMsg::SyncTransferred.text(lang)));
            }
            if let Some((a, b)) = &c.mobile {
                parts.push(format!("{} {a} → {b}", OfficeMsg::SyncMobile.text(lang)));
            }
            if c.reactivated {
                parts.push(OfficeMsg::SyncReactivated.text(lang).to_owned());
            }
            if c.newly_managed {
                parts.push(OfficeMsg::SyncNewlyManaged.text(lang).to_owned());
            }
            parts.join(" · ")
        })
        .collect();
    let skip = |r: SkipReason| match r {
        SkipReason::NoStaffNumber => OfficeMsg::SkipNoStaffNumber,
        SkipReason::BadStaffNumber => OfficeMsg::SkipBadStaffNumber,
        SkipReason::NoName => OfficeMsg::SkipNoName,
        SkipReason::NoDepartment => OfficeMsg::SkipNoDepartment,
        SkipReason::DuplicateStaffNumber => OfficeMsg::SkipDuplicate,
    };
    view! {
        {section(OfficeMsg::SyncNewDepartments, p.new_departments.iter().map(|(c, n)| format!("{c} {n}")).collect())}
        {section(OfficeMsg::SyncRenamedDepartments, p.renamed_departments.iter().map(|(c, a, b)| format!("{c} {a} → {b}")).collect())}
        {section(OfficeMsg::SyncAdded, p.added.iter().map(|a| format!("{} {} ({})", a.staff_no, a.name, a.department_code)).collect())}
        {section(OfficeMsg::SyncChanged, changed)}
        {section(OfficeMsg::SyncDeactivated, p.deactivated.clone())}
        {section(OfficeMsg::SyncKeptLocal, p.kept_local.clone())}
        {section(OfficeMsg::SyncSkipped, p.skipped.iter().map(|(dn, r)| format!("{dn}: {}", skip(*r).text(lang))).collect())}
    }
}

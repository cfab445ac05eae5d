//! The statistics page: the filter, then each view's sections, a chart
//! (SVG from the server) beside its numbers. Laid out for a PC, readable
//! on a phone (the charts scale to the width).

use super::*;
use crate::components::{AdminNav, AdminOnly, ExportLinks, query_value, resource};
use crate::domain::policy::PassKind;
use crate::i18n::{Msg, OfficeMsg, t, use_i18n};

#[component]
pub fn StatisticsPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><Statistics /></AdminOnly> }
}

#[component]
fn Statistics() -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(StatsFilter::default());
    let choices = resource(|| (), |_| statistics_choices());
    let view = move |kind: StatsKind| resource(move || (filter.get(), i18n.lang()), move |(f, l)| statistics(kind, f, l));
    let (applications, scans, inside) = (view(StatsKind::Applications), view(StatsKind::Scans), view(StatsKind::Inside));
    let set = move |f: fn(&mut StatsFilter, String)| move |ev: leptos::ev::Event| filter.update(|s| f(s, event_target_value(&ev)));
    view! {
        <section class="card">
            <h1>{t(Msg::Statistics)}</h1>
            <div class="filters stats-filters">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let c = choices.await.unwrap_or_default();
                        view! {
                            <label>{t(Msg::Campus)}<select id="stats-campus" on:change=set(|f, v| { f.campus_id = v; f.gate_id.clear(); })>
                                <option value="">{t(OfficeMsg::AllCampuses)}</option>
                                {c.campuses.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select></label>
                            <label>{t(Msg::Department)}<select id="stats-department" on:change=set(|f, v| f.department_id = v)>
                                <option value="">{t(OfficeMsg::AllDepartments)}</option>
                                {c.departments.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select></label>
                            <label>{t(Msg::Gate)}<select id="stats-gate" on:change=set(|f, v| f.gate_id = v)>
                                <option value="">{t(OfficeMsg::AllGates)}</option>
                                {c.gates.into_iter().map(|(campus, id, name)| view! {
                                    <option value=id hidden=move || filter.with(|f| !f.campus_id.is_empty() && f.campus_id != campus)>{name}</option>
                                }).collect_view()}
                            </select></label>
                        }
                    })}
                </Suspense>
                <label>{t(Msg::PassKindLabel)}<select id="stats-kind" on:change=set(|f, v| f.kind = v)>
                    <option value="">{t(OfficeMsg::AllKinds)}</option>
                    {PassKind::ALL.into_iter().map(|k| view! { <option value=k.code()>{t(k.label())}</option> }).collect_view()}
                </select></label>
                <label>{t(Msg::Status)}<select id="stats-status" on:change=set(|f, v| f.status = v)>
                    <option value="">{t(Msg::AllStatuses)}</option>
                    {STATUSES.iter().map(|(code, label)| view! { <option value=*code>{t(*label)}</option> }).collect_view()}
                </select></label>
                <label>{t(OfficeMsg::FromDate)}<input id="stats-from" type="date" on:change=set(|f, v| f.from = v) /></label>
                <label>{t(OfficeMsg::ToDate)}<input id="stats-to" type="date" on:change=set(|f, v| f.to = v) /></label>
            </div>
            <p class="small muted">{t(OfficeMsg::ExportApplications)}</p>
            <ExportLinks list="applications" mobiles=true query=Signal::derive(move || filter.with(|f| format!(
                "campus_id={}&department_id={}&kind={}&status={}&from={}&to={}",
                query_value(&f.campus_id), query_value(&f.department_id), query_value(&f.kind), query_value(&f.status), query_value(&f.from), query_value(&f.to)
            ))) />
        </section>
        <div class="stats-grid">
            <StatsSections view=applications />
            <StatsSections view=scans />
            <StatsSections view=inside />
        </div>
    }
}

/// The statuses the filter offers, by their stored code (a step's status
/// counts under `in_review`).
const STATUSES: [(&str, Msg); 7] = [
    ("in_review", Msg::StInReview),
    ("approved", Msg::StApproved),
    ("rejected", Msg::StRejectedUnacknowledged),
    ("withdrawn", Msg::StWithdrawn),
    ("cancelled", Msg::StCancelled),
    ("expired", Msg::StExpired),
    ("completed", Msg::StCompleted),
];

/// One view's sections, each a card: chart and numbers side by side.
#[component]
fn StatsSections(view: Resource<Result<StatsView, AppError>, crate::components::WireJson>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match view.await {
                    Err(e) => view! { <p class="error card" role="alert">{e.user_message(i18n.lang())}</p> }.into_any(),
                    Ok(v) => v.sections.into_iter().map(|s| {
                        let period = format!("{} – {}", v.from, v.to);
                        view! {
                            <section class="card stats" id=format!("stats-{}", s.id)>
                                <h2>{s.title.clone()}</h2>
                                <p class="muted small">{period} {(!s.note.is_empty()).then(|| format!(" · {}", s.note))}</p>
                                {if s.rows.is_empty() {
                                    view! { <p class="muted">{t(OfficeMsg::NoRecords)}</p> }.into_any()
                                } else {
                                    // Short lists open; hours and days folded (the chart shows them).
                                    let open = s.rows.len() <= 8;
                                    view! {
                                        <div class="chart-box" inner_html=s.svg></div>
                                        <details open=open>
                                            <summary>{t(OfficeMsg::Numbers)}</summary>
                                            <table class="list small">
                                                <tbody>{s.rows.into_iter().map(|(label, n)| view! { <tr><td>{label}</td><td class="num">{n}</td></tr> }).collect_view()}</tbody>
                                            </table>
                                        </details>
                                    }.into_any()
                                }}
                            </section>
                        }
                    }).collect_view().into_any(),
                }
            })}
        </Transition>
    }
}

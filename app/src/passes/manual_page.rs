//! Manual admissions' pages: the guard's form on the scanner
//! (`/scan/manual`, a phone page that works offline: each admission is
//! queued on the phone and synced by the scanner), and the office's list
//! to review them afterwards (`/admin/manual-admissions`).

use super::*;
use crate::components::{AdminNav, AdminOnly, ErrorLine, ExportLinks, Pager, Refusal, default_to_first, resource};
use crate::domain::manual_admission::{ManualAdmission, ManualProblem};
use crate::i18n::{Msg, OfficeMsg, PageMsg, t, use_i18n};

/// What the guard's form ended with.
#[derive(Clone, Copy, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Recorded {
    Synced,
    Queued,
}

#[component]
pub fn ManualAdmissionPage() -> impl IntoView {
    let i18n = use_i18n();
    let gates = resource(|| (), |_| guard_gates());
    let gate = RwSignal::new(String::new());
    default_to_first(gate, gates, |l| l.first().map(|g| g.id.clone()));
    // The scanner's gate, when it sent the guard here (`?gate=<id>`).
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(g) = window().location().search().ok().and_then(|s| s.strip_prefix("?gate=").map(str::to_owned)).filter(|g| !g.is_empty()) {
            gate.set(g);
        }
    });
    let guard = move || {
        gates.with_untracked(|g| g.as_ref().and_then(|r| r.as_ref().ok()).and_then(|l| l.first()).map(|g| g.guard.clone())).unwrap_or_default()
    };
    let direction = RwSignal::new(Direction::In);
    let (name, document, authorised_by, reason) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let problem = RwSignal::new(None::<ManualProblem>);
    let recorded = RwSignal::new(None::<Recorded>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        recorded.set(None);
        let checked = ManualAdmission::new(&name.get_untracked(), &document.get_untracked(), &authorised_by.get_untracked(), &reason.get_untracked());
        problem.set(checked.err());
        // Without its gate and guard (the page's gates not loaded) it could
        // never be synced: nothing is recorded.
        if problem.get_untracked().is_some() || gate.get_untracked().is_empty() || guard().is_empty() {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            use super::offline;
            let entry = ManualEntry {
                id: offline::random_id(),
                gate_id: gate.get_untracked(),
                guard: guard(),
                at: offline::now_ms(),
                direction: direction.get_untracked(),
                name: name.get_untracked(),
                document: document.get_untracked(),
                authorised_by: authorised_by.get_untracked(),
                reason: reason.get_untracked(),
            };
            pending.set(true);
            leptos::task::spawn_local(async move {
                let Ok(json) = serde_json::to_string(&entry) else { return };
                // Kept on the phone first: a network that fails now loses nothing.
                if super::idb::put(super::idb::MANUAL, &entry.id, &json).await.is_err() {
                    pending.set(false);
                    return;
                }
                let synced = match offline::within(5000, guard_manual_sync(vec![json])).await {
                    Some(Ok(done)) if done.contains(&entry.id) => super::idb::delete(super::idb::MANUAL, &done).await.is_ok(),
                    _ => false,
                };
                recorded.set(Some(if synced { Recorded::Synced } else { Recorded::Queued }));
                for s in [name, document, authorised_by, reason] {
                    s.set(String::new());
                }
                pending.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (guard, pending);
    };
    let hint =
        move |field: &'static str| move || problem.get().filter(|p| p.field() == field).map(|p| view! { <p class="field-error">{t(p.msg())}</p> });
    view! {
        <section class="card narrow manual-admission">
            <h1>{t(Msg::ManualAdmission)}</h1>
            <p class="notice small">{t(PageMsg::ManualAdmissionHint)}</p>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match gates.await {
                        Err(AppError::Unauthenticated) => view! { <Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(list) => view! {
                            <select id="manual-gate" aria-label=t(Msg::Gate) prop:value=gate on:change=move |ev| gate.set(event_target_value(&ev))>
                                {list.into_iter().map(|g| view! { <option value=g.id.clone()>{format!("{} {}", g.campus, g.name)}</option> }).collect_view()}
                            </select>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <form on:submit=on_submit novalidate>
                <div class="segmented" role="group" aria-label=t(Msg::Direction)>
                    <button type="button" id="manual-in" class:on=move || direction.get() == Direction::In on:click=move |_| direction.set(Direction::In)>{t(Msg::DirIn)}</button>
                    <button type="button" id="manual-out" class:on=move || direction.get() == Direction::Out on:click=move |_| direction.set(Direction::Out)>{t(Msg::DirOut)}</button>
                </div>
                <label for="manual-name">{t(PageMsg::ManualName)}</label>
                <input id="manual-name" autocomplete="off" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                {hint("name")}
                <label for="manual-document">{t(PageMsg::ManualDocument)}</label>
                <input id="manual-document" autocomplete="off" prop:value=document on:input=move |ev| document.set(event_target_value(&ev)) />
                {hint("document")}
                <label for="manual-authorised-by">{t(PageMsg::ManualAuthorisedBy)}</label>
                <input id="manual-authorised-by" autocomplete="off" prop:value=authorised_by on:input=move |ev| authorised_by.set(event_target_value(&ev)) />
                {hint("authorised_by")}
                <label for="manual-reason">{t(PageMsg::ManualReason)}</label>
                <textarea id="manual-reason" rows="2" maxlength="100" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                {hint("reason")}
                {move || recorded.get().map(|r| view! {
                    <p class="ok" role="status" id="manual-recorded" data-synced=(r == Recorded::Synced).to_string()>
                        {t(if r == Recorded::Synced { PageMsg::ManualSynced } else { PageMsg::ManualQueued })}</p>
                })}
                <div class="actions">
                    <a class="button secondary" href="/scan" id="back-to-scanner">{t(Msg::ScannerTile)}</a>
                    <button type="submit" class="primary" id="manual-record" disabled=move || pending.get()>{t(PageMsg::ManualRecord)}</button>
                </div>
            </form>
        </section>
    }
}

role_fn!(SecurityAdmin,
    /// Manual admissions, newest first: `pending`, `reviewed` or all.
    list_manual_admissions "list_manual_admissions"(status: String, offset: i64) -> Vec<ManualRow> => |st, me| ssr::list_manual(&st, &status, offset).await);
role_fn!(SecurityAdmin,
    /// Marks a manual admission reviewed by the office, with a note (once).
    review_manual_admission "review_manual_admission"(id: String, note: String) -> () => |st, me| ssr::review_manual(&st, &me, &id, &note).await);

#[component]
pub fn ManualAdmissionsPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><ManualAdmissions /></AdminOnly> }
}

#[component]
fn ManualAdmissions() -> impl IntoView {
    let i18n = use_i18n();
    let status = RwSignal::new("pending".to_owned());
    let offset = RwSignal::new(0i64);
    let review = ServerAction::<ReviewManualAdmission>::new();
    let rows = resource(move || (status.get(), offset.get(), review.version().get()), |(s, o, _)| list_manual_admissions(s, o));
    let notes = RwSignal::new(std::collections::HashMap::<String, String>::new());
    let err = Signal::derive(move || review.value().get().and_then(Result::err));
    view! {
        <section class="card">
            <h1>{t(OfficeMsg::ManualAdmissions)}</h1>
            <p class="muted small">{t(OfficeMsg::ManualAdmissionsHint)}</p>
            <select id="manual-status" aria-label=t(Msg::Status) on:change=move |ev| { status.set(event_target_value(&ev)); offset.set(0); }>
                <option value="pending">{t(OfficeMsg::ManualPending)}</option>
                <option value="reviewed">{t(OfficeMsg::ManualReviewed)}</option>
                <option value="all">{t(OfficeMsg::FeesAll)}</option>
            </select>
            <ExportLinks list="manual-admissions" query=Signal::derive(move || format!("status={}", status.get())) names=true />
            <ErrorLine error=err />
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted" id="manual-none">{t(Msg::Nothing)}</p> }.into_any(),
                        Ok(list) => {
                            view! {
                                <div class="table-wrap"><table class="list" id="manual-list">
                                    <thead><tr>
                                        <th>{t(OfficeMsg::Time)}</th><th>{t(Msg::Gate)}</th><th>{t(OfficeMsg::Scanner)}</th>
                                        <th>{t(OfficeMsg::ManualWho)}</th><th>{t(OfficeMsg::AuthorisedBy)}</th><th>{t(PageMsg::ManualReason)}</th><th>{t(OfficeMsg::ManualReviewed)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|r| {
                                            let id = r.id.clone();
                                            let (note_id, review_id) = (id.clone(), id.clone());
                                            view! {
                                                <tr class="manual-row" data-id=r.id.clone()>
                                                    <td>{r.at.clone()}</td>
                                                    <td>{format!("{} {}", r.campus, r.gate)}<br /><span class="muted small">{t(if r.direction == Direction::In { Msg::DirIn } else { Msg::DirOut })}</span></td>
                                                    <td>{r.guard.clone()}</td>
                                                    <td>{r.name.clone()}<br /><span class="muted small">{r.document.clone()}</span></td>
                                                    <td class="wrap narrow">{r.authorised_by.clone()}</td><td class="wrap narrow">{r.reason.clone()}</td>
                                                    <td class="wrap narrow">{match r.reviewed.clone() {
                                                        Some(done) => view! { <span class="small">{done}</span> }.into_any(),
                                                        None => view! {
                                                            <form class="review-form" on:submit=move |ev| {
                                                                ev.prevent_default();
                                                                let note = notes.with_untracked(|m| m.get(&review_id).cloned().unwrap_or_default());
                                                                review.dispatch(ReviewManualAdmission { id: review_id.clone(), note });
                                                            }>
                                                                <input class="review-note" aria-label=t(OfficeMsg::ReviewNote) placeholder=t(OfficeMsg::ReviewNote)
                                                                    on:input=move |ev| { let v = event_target_value(&ev); notes.update(|m| { m.insert(note_id.clone(), v); }); } />
                                                                <button type="submit" class="secondary review" disabled=move || review.pending().get()>{t(OfficeMsg::ManualReview)}</button>
                                                            </form>
                                                        }.into_any(),
                                                    }}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table></div>
                                <Pager offset on_page=Callback::new(move |o| offset.set(o)) />
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

//! One application: its facts, steps, history and the caller's actions.

use super::*;

#[component]
pub fn ApplicationPage(#[prop(into)] id: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let id = move || id.get();
    let action = ServerAction::<ActOnApplication>::new();
    let detail = resource(move || (id(), action.version().get()), |(id, _)| get_application(id));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(AppError::Unauthenticated) => view! { <h1 class="page-title">{t(Msg::ApplicationTitle)}</h1><Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
                    Err(e) => view! { <section class="card narrow"><h1>{t(Msg::ApplicationTitle)}</h1><p class="error" role="alert">{e.user_message(i18n.lang())}</p></section> }.into_any(),
                    Ok(d) => view! { <Detail d action /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(d: ApplicationDetail, action: ServerAction<ActOnApplication>) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let chosen = RwSignal::new(None::<Action>);
    let note = RwSignal::new(String::new());
    let e_start = RwSignal::new(d.row.start_date.clone());
    let e_end = RwSignal::new(d.row.end_date.clone());
    let e_plate = RwSignal::new(d.row.plate.clone().unwrap_or_default());
    let e_reason = RwSignal::new(d.reason_id.clone());
    let editing = RwSignal::new(false);
    let reasons = d.reasons.clone();
    let id = d.row.id.clone();
    let version = d.row.version;
    let form = d.form.clone();
    let id_for_form = id.clone();
    let setup_for_edit = d.setup.clone();
    let actions = d.actions.clone();
    // Approving may mean naming the next step's department and handler.
    let choose_next = d.choose_next.clone();
    let must_choose = !choose_next.is_empty();
    let next_dept = RwSignal::new(String::new());
    let next_staff = RwSignal::new(String::new());
    let handlers = ServerAction::<NextStepHandlers>::new();
    let run = {
        let id = id.clone();
        move |act: Action| {
            let next = (must_choose && matches!(act, Action::Approve | Action::ApproveWithEdits))
                .then(|| NextStep { department_id: next_dept.get_untracked(), staff_id: next_staff.get_untracked() });
            let edits = act.needs_edits().then(|| ApproverEdits {
                start_date: e_start.get_untracked(),
                end_date: e_end.get_untracked(),
                reason_id: e_reason.get_untracked(),
                plate: e_plate.get_untracked(),
            });
            action.dispatch(ActOnApplication { id: id.clone(), action: act, version, note: note.get_untracked(), edits, next });
            chosen.set(None);
        }
    };
    let status = d.row.status;
    // A staff work pass records the work card, numbered by the staff number.
    let work_card = d.row.kind == PassKind::StaffWork;
    view! {
        <section class="card narrow" id="application">
            <p><span class=format!("badge big {}", status_class(status)) id="status">{t(status_label(status))}</span></p>
            <h1>{d.row.first_entrant.clone()}{(d.row.entrants > 1).then(|| format!(" +{}", d.row.entrants - 1))}</h1>
            <dl class="facts">
                <dt>{t(Msg::PassKindLabel)}</dt><dd>{t(d.row.kind.label())}</dd>
                <dt>{t(host_label(d.row.kind))}</dt><dd>{if d.row.host.is_empty() { d.row.department.clone() } else { format!("{} — {}", d.row.host, d.row.department) }}</dd>
                <dt>{t(Msg::Campus)}</dt><dd>{d.campus.clone()}</dd>
                {(!d.reason.is_empty()).then(|| view! { <dt>{t(Msg::VisitReason)}</dt><dd>{d.reason.clone()}</dd> })}
                <dt>{t(Msg::Dates)}</dt><dd id="dates">{if d.periods.is_empty() {
                    format!("{} → {}", d.row.start_date, d.row.end_date)
                } else {
                    d.periods.iter().map(|(s, e)| format!("{s} → {e}")).collect::<Vec<_>>().join("；")
                }}</dd>
                <dt>{t(Msg::Plate)}</dt><dd id="plate-value">{d.row.plate.clone().unwrap_or_else(|| "—".into())}</dd>
                {(!d.applicant_phone.is_empty()).then(|| view! { <dt>{t(Msg::Applicant)}</dt><dd>{d.applicant_phone.clone()}</dd> })}
                {d.filed_by.clone().map(|f| view! { <dt>{t(Msg::OnBehalfFiler)}</dt><dd id="filed-by">{f}</dd> })}
                {(!d.note.is_empty()).then(|| view! { <dt>{t(Msg::Note)}</dt><dd>{d.note.clone()}</dd> })}
                {d.decision_note.clone().map(|n| view! { <dt>{t(Msg::DecisionNote)}</dt><dd id="decision-note">{n}</dd> })}
            </dl>
            <h2>{t(if d.row.kind == PassKind::Visitor { Msg::Entrants } else { Msg::PassHolders })}</h2>
            <ul class="entrants">
                {d.entrants.iter().map(|e| view! {
                    <li><strong>{e.name.clone()}</strong> " " <span class="muted small">{t(if work_card { Msg::WorkCard } else { doc_label(e.doc_type) })} " " {e.document.clone()}
                        {e.phone.clone().map(|p| format!(" · {p}"))}
                        {e.in_vehicle.then(|| view! { " · " {t(Msg::InTheCar)} })}
                        {e.has_photo.then(|| view! { " · " {t(Msg::HasPhoto)} })}</span></li>
                }).collect_view()}
            </ul>
            {(!d.passes.is_empty()).then(|| view! {
                <h2>{t(Msg::Passes)}</h2>
                <ul class="passes" id="passes">
                    {d.passes.iter().map(|(holder, link)| view! { <li><a href=link.clone()>{holder.clone()}</a></li> }).collect_view()}
                </ul>
            })}
            {d.renewable.then(|| view! { <p><a class="button secondary" id="renew" href=format!("/contractors/new?renew={}", d.row.id)>{t(Msg::Renew)}</a></p> })}
            <h2>{t(Msg::ApprovalSteps)}</h2>
            <ol class="steps">
                {d.steps.iter().map(|s| {
                    let class = match s.state { StepState::Done => "done", StepState::Current => "current", StepState::Waiting => "waiting" };
                    let label = if s.host { Msg::StepHost } else if s.chosen { Msg::StepChosen } else { Msg::StepDepartment };
                    view! { <li class=class>{t(label)} ": " {if s.who.is_empty() { "—".to_owned() } else { s.who.clone() }}</li> }
                }).collect_view()}
            </ol>
            <ErrorLine error />
            <div class="actions" id="actions">
                {actions.iter().copied().filter(|a| *a != Action::Resubmit).map(|a| {
                    let run = run.clone();
                    let class = match a { Action::Approve | Action::Confirm | Action::ApproveWithEdits => "primary", Action::Reject | Action::Cancel | Action::Withdraw => "danger", _ => "secondary" };
                    view! { <button class=class data-act=format!("{a:?}") disabled=move || action.pending().get() on:click=move |_| {
                        let names_next = must_choose && matches!(a, Action::Approve | Action::ApproveWithEdits);
                        if a.needs_note() || a.needs_edits() || names_next { editing.set(a.needs_edits()); chosen.set(Some(a)); } else { run(a); }
                    }>{t(a.label())}</button> }
                }).collect_view()}
            </div>
            {move || { let run = run.clone(); let reasons = reasons.clone(); let choose_next = choose_next.clone(); let id = id.clone(); chosen.get().map(move |a| {
                let names_next = must_choose && matches!(a, Action::Approve | Action::ApproveWithEdits);
                view! {
                    <div class="decision" id="decision">
                        {names_next.then(|| { let id = id.clone(); view! {
                            <label for="next-step">{t(Msg::NextStep)}</label>
                            <select id="next-step" on:change=move |ev| {
                                let d = event_target_value(&ev);
                                next_dept.set(d.clone());
                                next_staff.set(String::new());
                                if !d.is_empty() { handlers.dispatch(NextStepHandlers { id: id.clone(), department_id: d }); }
                            }>
                                <option value="">{t(Msg::PleaseChoose)}</option>
                                {choose_next.iter().map(|c| view! { <option value=c.id.clone()>{format!("{}{}", c.name, t(Msg::NextStepAgrees)())}</option> }).collect_view()}
                            </select>
                            <label for="next-handler">{t(Msg::NextHandler)}</label>
                            <select id="next-handler" on:change=move |ev| next_staff.set(event_target_value(&ev))>
                                <option value="">{t(Msg::PleaseChoose)}</option>
                                {move || handlers.value().get().and_then(Result::ok).unwrap_or_default().into_iter()
                                    .map(|h| view! { <option value=h.staff_id.clone()>{h.name.clone()}</option> }).collect_view()}
                            </select>
                        }})}
                        {a.needs_edits().then(|| view! {
                            <div class="row">
                                <div class="grow"><label for="edit-start">{t(Msg::StartDate)}</label><input id="edit-start" type="date" prop:value=e_start on:input=move |ev| e_start.set(event_target_value(&ev)) /></div>
                                <div class="grow"><label for="edit-end">{t(Msg::EndDate)}</label><input id="edit-end" type="date" prop:value=e_end on:input=move |ev| e_end.set(event_target_value(&ev)) /></div>
                            </div>
                            <label for="edit-plate">{t(Msg::Plate)}</label>
                            <input id="edit-plate" prop:value=e_plate on:input=move |ev| e_plate.set(event_target_value(&ev)) />
                            {
                                let list = reasons.clone();
                                (!list.is_empty()).then(|| view! {
                                    <label for="edit-reason">{t(Msg::VisitReason)}</label>
                                    <select id="edit-reason" prop:value=e_reason on:change=move |ev| e_reason.set(event_target_value(&ev))>
                                        {list.into_iter().map(|r| view! { <option value=r.id.clone() selected=r.id == e_reason.get_untracked()>{r.name.clone()}</option> }).collect_view()}
                                    </select>
                                })
                            }
                        })}
                        <label for="decision-note-input">{move || if a.needs_note() { t(Msg::ReasonRequired)() } else { t(Msg::NoteOptional)() }}</label>
                        <textarea id="decision-note-input" rows="2" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                        <div class="actions">
                            <button class="secondary" on:click=move |_| chosen.set(None)>{t(Msg::Cancel)}</button>
                            <button class="primary" id="confirm-decision" on:click=move |_| run(a)>{t(a.label())}</button>
                        </div>
                    </div>
                }
            })}}
            <h2>{t(Msg::History)}</h2>
            <ol class="timeline" id="timeline">
                {d.events.iter().map(|ev| view! {
                    <li>
                        <span class="muted small">{ev.at.clone()}</span> " "
                        <strong>{action_text(&ev.action, i18n)}</strong> " · " {ev.actor.clone()}
                        " → " {t(status_label(ev.to_status))}
                        {(!ev.note.is_empty()).then(|| view! { <p class="small">{ev.note.clone()}</p> })}
                        {(!ev.changes.is_empty()).then(|| view! { <p class="small muted">{ev.changes.join("; ")}</p> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
        // The form itself is the visitor's page (its bundle has it).
        {form.zip(setup_for_edit).map(|(f, s)| view! {
            <div id="resubmit-form">
                <p class="notice narrow-block">{t(Msg::EditAndResubmitHint)}</p>
                {let _ = (s, f); view! { <a class="button primary" id="edit-and-resubmit" href=format!("/applications/{id_for_form}/edit")>{t(Msg::ActResubmit)}</a> }}
            </div>
        })}
    }
}

/// Who answers for the application, as its kind names them.
fn host_label(kind: PassKind) -> Msg {
    match kind {
        PassKind::ResidentDay => Msg::Household,
        PassKind::StaffWork => Msg::Applicant,
        PassKind::Contractor => Msg::FiledBy,
        _ => Msg::Host,
    }
}

fn action_text(code: &str, i18n: crate::i18n::I18n) -> String {
    match Action::from_code(code) {
        Some(a) => a.event_label().text(i18n.lang()).to_owned(),
        None => code.to_owned(),
    }
}

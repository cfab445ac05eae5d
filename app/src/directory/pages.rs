//! The directory's pages: campuses and gates, departments, staff with its
//! import. (Just over 400 lines: three small pages, each with its editor.)

use super::*;
use crate::components::{AdminNav, AdminOnly, ErrorLine, ExportLinks, default_to_first, query_value, resource};
use crate::i18n::OfficeMsg;
use crate::i18n::{Msg, t, use_i18n};

#[component]
pub fn CampusesPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><CampusesEditor /></AdminOnly> }
}

#[component]
fn CampusesEditor() -> impl IntoView {
    let i18n = use_i18n();
    let save_campus = ServerAction::<SaveCampus>::new();
    let save_gate = ServerAction::<SaveGate>::new();
    let campuses = resource(move || (save_campus.version().get(), save_gate.version().get()), |_| list_campuses());
    let campus_name = RwSignal::new(String::new());
    let campus_name_en = RwSignal::new(String::new());
    // The gate form: `gate_id` is Some while editing an existing gate.
    let gate_id = RwSignal::new(None::<String>);
    let gate_campus = RwSignal::new(String::new());
    default_to_first(gate_campus, campuses, |l| l.first().map(|c| c.id.clone()));
    let gate_name = RwSignal::new(String::new());
    let gate_name_en = RwSignal::new(String::new());
    let gate_kind = RwSignal::new(GateKind::Pedestrian);
    let gate_dir = RwSignal::new(GateDirection::Both);
    let gate_active = RwSignal::new(true);
    let campus_err = Signal::derive(move || save_campus.value().get().and_then(Result::err));
    let gate_err = Signal::derive(move || save_gate.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_campus.value().get() {
            campus_name.set(String::new());
            campus_name_en.set(String::new());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_gate.value().get() {
            gate_id.set(None);
            gate_name.set(String::new());
            gate_name_en.set(String::new());
        }
    });
    view! {
        <section class="card">
            <h1>{t(Msg::Campuses)}</h1>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match campuses.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(list) => {
                            let options = list.clone();
                            view! {
                                {list.into_iter().map(|c| view! {
                                    <h2>{c.name.clone()} <small class="muted">{c.name_en.clone()}</small></h2>
                                    <table class="list">
                                        <thead><tr><th>{t(Msg::Gate)}</th><th>{t(Msg::GateKind)}</th><th>{t(Msg::GateDirection)}</th><th>{t(Msg::Status)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                        <tbody>
                                        {c.gates.into_iter().map(|g| {
                                            let edit = g.clone();
                                            view! {
                                                <tr class:inactive=!g.active>
                                                    <td>{g.name.clone()}</td>
                                                    <td>{t(g.kind.label())}</td>
                                                    <td>{t(g.direction.label())}</td>
                                                    <td>{if g.active { t(Msg::Active) } else { t(Msg::Inactive) }}</td>
                                                    <td><button class="link" on:click=move |_| {
                                                        gate_id.set(Some(edit.id.clone()));
                                                        gate_campus.set(edit.campus_id.clone());
                                                        gate_name.set(edit.name.clone());
                                                        gate_name_en.set(edit.name_en.clone());
                                                        gate_kind.set(edit.kind);
                                                        gate_dir.set(edit.direction);
                                                        gate_active.set(edit.active);
                                                    }>{t(Msg::Edit)}</button></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                        </tbody>
                                    </table>
                                }).collect_view()}
                                <h2>{move || if gate_id.get().is_some() { t(Msg::Edit)() } else { t(OfficeMsg::Add)() }} " " {t(Msg::Gate)}</h2>
                                <form class="grid" on:submit=move |ev| {
                                    ev.prevent_default();
                                    save_gate.dispatch(SaveGate {
                                        id: gate_id.get_untracked(),
                                        campus_id: gate_campus.get_untracked(),
                                        name: gate_name.get_untracked(),
                                        name_en: gate_name_en.get_untracked(),
                                        kind: gate_kind.get_untracked(),
                                        direction: gate_dir.get_untracked(),
                                        active: gate_active.get_untracked(),
                                    });
                                }>
                                    <label>{t(Msg::Campus)}
                                        <select prop:value=gate_campus on:change=move |ev| gate_campus.set(event_target_value(&ev))>
                                            {options.into_iter().map(|c| view! { <option value=c.id.clone()>{c.name.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t(OfficeMsg::Name)}<input id="gate-name" prop:value=gate_name on:input=move |ev| gate_name.set(event_target_value(&ev)) /></label>
                                    <label>{t(OfficeMsg::NameEn)}<input prop:value=gate_name_en on:input=move |ev| gate_name_en.set(event_target_value(&ev)) /></label>
                                    <label>{t(Msg::GateKind)}
                                        <select prop:value=move || gate_kind.get().code().to_owned() on:change=move |ev| {
                                            if let Some(k) = GateKind::from_code(&event_target_value(&ev)) { gate_kind.set(k) }
                                        }>
                                            {GateKind::ALL.into_iter().map(|k| view! { <option value=k.code()>{t(k.label())}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t(Msg::GateDirection)}
                                        <select prop:value=move || gate_dir.get().code().to_owned() on:change=move |ev| {
                                            if let Some(k) = GateDirection::from_code(&event_target_value(&ev)) { gate_dir.set(k) }
                                        }>
                                            {GateDirection::ALL.into_iter().map(|k| view! { <option value=k.code()>{t(k.label())}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label class="check"><input type="checkbox" prop:checked=gate_active on:change=move |ev| gate_active.set(event_target_checked(&ev)) />{t(Msg::Active)}</label>
                                    <ErrorLine error=gate_err />
                                    <div class="actions">
                                        <button type="submit" class="primary">{t(Msg::Save)}</button>
                                        <Show when=move || gate_id.get().is_some()>
                                            <button type="button" class="secondary" on:click=move |_| { gate_id.set(None); gate_name.set(String::new()); gate_name_en.set(String::new()); }>{t(Msg::Cancel)}</button>
                                        </Show>
                                    </div>
                                </form>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            <h2>{t(OfficeMsg::Add)} " " {t(Msg::Campus)}</h2>
            <form class="grid" on:submit=move |ev| {
                ev.prevent_default();
                save_campus.dispatch(SaveCampus { id: None, name: campus_name.get_untracked(), name_en: campus_name_en.get_untracked() });
            }>
                <label>{t(OfficeMsg::Name)}<input prop:value=campus_name on:input=move |ev| campus_name.set(event_target_value(&ev)) /></label>
                <label>{t(OfficeMsg::NameEn)}<input prop:value=campus_name_en on:input=move |ev| campus_name_en.set(event_target_value(&ev)) /></label>
                <ErrorLine error=campus_err />
                <div class="actions"><button type="submit" class="primary">{t(Msg::Save)}</button></div>
            </form>
        </section>
    }
}

#[component]
pub fn DepartmentsPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><DepartmentsEditor /></AdminOnly> }
}

#[component]
fn DepartmentsEditor() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveDepartment>::new();
    let list = resource(move || save.version().get(), |_| list_departments());
    let id = RwSignal::new(None::<String>);
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let err = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            id.set(None);
            code.set(String::new());
            name.set(String::new());
            name_en.set(String::new());
        }
    });
    view! {
        <section class="card">
            <h1>{t(Msg::Departments)}</h1>
            <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="list">
                                <thead><tr><th>{t(OfficeMsg::DepartmentCode)}</th><th>{t(OfficeMsg::Name)}</th><th>{t(Msg::Staff)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                <tbody>
                                {rows.into_iter().map(|d| {
                                    let e = d.clone();
                                    view! { <tr>
                                        <td>{d.code}</td><td>{d.name}<br/><small class="muted">{d.name_en}</small></td><td>{d.staff_count}</td>
                                        <td><button class="link" on:click=move |_| {
                                            id.set(Some(e.id.clone())); code.set(e.code.clone()); name.set(e.name.clone()); name_en.set(e.name_en.clone());
                                        }>{t(Msg::Edit)}</button></td>
                                    </tr> }
                                }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <h2>{move || if id.get().is_some() { t(Msg::Edit)() } else { t(OfficeMsg::Add)() }} " " {t(Msg::Department)}</h2>
            <form class="grid" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveDepartment { id: id.get_untracked(), code: code.get_untracked(), name: name.get_untracked(), name_en: name_en.get_untracked() });
            }>
                <label>{t(OfficeMsg::DepartmentCode)}<input prop:value=code on:input=move |ev| code.set(event_target_value(&ev)) /></label>
                <label>{t(OfficeMsg::Name)}<input prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>{t(OfficeMsg::NameEn)}<input prop:value=name_en on:input=move |ev| name_en.set(event_target_value(&ev)) /></label>
                <ErrorLine error=err />
                <div class="actions"><button type="submit" class="primary">{t(Msg::Save)}</button></div>
            </form>
        </section>
    }
}

#[component]
pub fn StaffAdminPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><StaffEditor /><StaffImport /><DirectorySyncSection /></AdminOnly> }
}

#[component]
fn StaffEditor() -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let dept_filter = RwSignal::new(String::new());
    let offset = RwSignal::new(0i64);
    let save = ServerAction::<SaveStaff>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let departments = resource(|| (), |_| list_departments());
    let page = resource(move || (query.get(), dept_filter.get(), offset.get(), save.version().get()), |(q, d, o, _)| list_staff(q, d, o));
    let id = RwSignal::new(None::<String>);
    let staff_no = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let dept = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let active = RwSignal::new(true);
    let err = Signal::derive(move || save.value().get().and_then(Result::err));
    let new_password = move || match save.value().get() {
        Some(Ok(Some(p))) => Some(p),
        _ => match reset.value().get() {
            Some(Ok(p)) => Some(p),
            _ => None,
        },
    };
    view! {
        <section class="card">
            <h1>{t(Msg::Staff)}</h1>
            <ExportLinks list="staff" mobiles=true query=Signal::derive(move || format!("query={}&department_id={}", query_value(&query.get()), query_value(&dept_filter.get()))) />
            <div class="row">
                <input type="search" placeholder=t(Msg::Search) aria-label=t(Msg::Search) prop:value=query on:input=move |ev| { offset.set(0); query.set(event_target_value(&ev)) } />
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let ds = departments.await.unwrap_or_default();
                        view! {
                            <select aria-label=t(Msg::Department) prop:value=dept_filter on:change=move |ev| { offset.set(0); dept_filter.set(event_target_value(&ev)) }>
                                <option value="">{t(Msg::Department)}</option>
                                {ds.into_iter().map(|d| view! { <option value=d.id.clone()>{d.name.clone()}</option> }).collect_view()}
                            </select>
                        }
                    })}
                </Suspense>
            </div>
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(p) => {
                            let total = p.total;
                            view! {
                                <table class="list" id="staff-list">
                                    <thead><tr><th>{t(Msg::StaffNo)}</th><th>{t(Msg::PersonName)}</th><th>{t(Msg::Department)}</th><th>{t(Msg::Phone)}</th><th><span class="sr-only">{t(OfficeMsg::ColumnActions)}</span></th></tr></thead>
                                    <tbody>
                                    {p.rows.into_iter().map(|s| {
                                        let e = s.clone();
                                        let rid = s.id.clone();
                                        view! { <tr class:inactive=!s.active>
                                            <td>{s.staff_no}</td><td>{s.name}</td><td>{s.department}</td><td>{s.phone.unwrap_or_default()}</td>
                                            <td>
                                                <button class="link" on:click=move |_| {
                                                    id.set(Some(e.id.clone())); staff_no.set(e.staff_no.clone()); name.set(e.name.clone());
                                                    dept.set(e.department_id.clone()); phone.set(String::new()); active.set(e.active);
                                                }>{t(Msg::Edit)}</button>
                                                <button class="link" on:click=move |_| { reset.dispatch(ResetStaffPassword { staff_id: rid.clone() }); }>{t(OfficeMsg::ResetPassword)}</button>
                                            </td>
                                        </tr> }
                                    }).collect_view()}
                                    </tbody>
                                </table>
                                <div class="row pager">
                                    <button class="secondary" aria-label=t(OfficeMsg::PreviousPage) disabled=move || offset.get() == 0 on:click=move |_| { offset.update(|o| *o = (*o - 50).max(0)) }>"‹"</button>
                                    <span class="muted">{move || format!("{}–{} / {}", (offset.get() + 1).min(total), (offset.get() + 50).min(total), total)}</span>
                                    <button class="secondary" aria-label=t(OfficeMsg::NextPage) disabled=move || { offset.get() + 50 >= total } on:click=move |_| offset.update(|o| *o += 50)>"›"</button>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            {move || new_password().map(|p| view! {
                <p class="notice" id="one-time-password">{t(OfficeMsg::InitialPasswords)} " " <code>{p}</code></p>
            })}
            <h2>{move || if id.get().is_some() { t(Msg::Edit)() } else { t(OfficeMsg::Add)() }}</h2>
            <form class="grid" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveStaff { id: id.get_untracked(), staff_no: staff_no.get_untracked(), name: name.get_untracked(),
                    department_id: dept.get_untracked(), phone: phone.get_untracked(), active: active.get_untracked() });
            }>
                <label>{t(Msg::StaffNo)}<input prop:value=staff_no on:input=move |ev| staff_no.set(event_target_value(&ev)) /></label>
                <label>{t(Msg::PersonName)}<input prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>{t(Msg::Department)}
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let ds = departments.await.unwrap_or_default();
                            view! {
                                <select prop:value=dept on:change=move |ev| dept.set(event_target_value(&ev))>
                                    <option value="">"—"</option>
                                    {ds.into_iter().map(|d| view! { <option value=d.id.clone()>{d.name.clone()}</option> }).collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                </label>
                <label>{t(Msg::Phone)}<input type="tel" prop:value=phone on:input=move |ev| phone.set(event_target_value(&ev)) /></label>
                <label class="check"><input type="checkbox" prop:checked=active on:change=move |ev| active.set(event_target_checked(&ev)) />{t(Msg::Active)}</label>
                <ErrorLine error=err />
                <div class="actions"><button type="submit" class="primary">{t(Msg::Save)}</button></div>
            </form>
        </section>
    }
}

/// CSV import: check first (a dry run on the server), then import.
#[component]
fn StaffImport() -> impl IntoView {
    let i18n = use_i18n();
    let outcome = RwSignal::new(None::<Result<ImportOutcome, AppError>>);
    let busy = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let run = move |dry_run: bool| {
        #[cfg(feature = "hydrate")]
        {
            let Some(input) = file_input.get() else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            busy.set(true);
            leptos::task::spawn_local(async move {
                let r = crate::components::upload_csv(&format!("/api/admin/staff-import?dry_run={dry_run}"), file).await;
                outcome.set(Some(r));
                busy.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (dry_run, file_input, busy, outcome);
    };
    view! {
        <section class="card">
            <h2>{t(Msg::StaffImport)}</h2>
            <p class="muted small">{t(OfficeMsg::StaffImportHint)}</p>
            <label for="staff-csv">{t(OfficeMsg::CsvFile)}</label>
            <input type="file" id="staff-csv" accept=".csv,text/csv" node_ref=file_input on:change=move |_| outcome.set(None) />
            <div class="actions">
                <button class="secondary" id="import-check" disabled=busy on:click=move |_| run(true)>{t(Msg::Check)}</button>
                <button class="primary" id="import-run" disabled=busy on:click=move |_| run(false)>{t(OfficeMsg::Import)}</button>
            </div>
            {move || outcome.get().map(|r| match r {
                Ok(o) if o.dry_run => view! { <p class="ok" id="import-result">{t(OfficeMsg::ImportReady)} {format!(" ({} {}, {} {})", OfficeMsg::ImportCreated.text(i18n.lang()), o.created, OfficeMsg::ImportUpdated.text(i18n.lang()), o.updated)}</p> }.into_any(),
                Ok(o) => view! {
                    <div id="import-result">
                        <p class="ok">{t(OfficeMsg::ImportDone)} {format!(" ({} {}, {} {})", OfficeMsg::ImportCreated.text(i18n.lang()), o.created, OfficeMsg::ImportUpdated.text(i18n.lang()), o.updated)}</p>
                        <Show when={let n = o.initial_passwords.len(); move || n > 0}>
                            <p class="notice">{t(OfficeMsg::InitialPasswords)}</p>
                        </Show>
                        <table class="list"><tbody>
                            {o.initial_passwords.iter().map(|(no, name, pw)| view! { <tr><td>{no.clone()}</td><td>{name.clone()}</td><td><code>{pw.clone()}</code></td></tr> }).collect_view()}
                        </tbody></table>
                    </div>
                }.into_any(),
                Err(AppError::InvalidRows { rows }) => view! {
                    <div id="import-result" class="error-block">
                        <p class="error">{t(Msg::ImportErrors)}</p>
                        <ul>{rows.into_iter().map(|r| view! {
                            <li>{format!("{} {}", OfficeMsg::Row.text(i18n.lang()), r.row)} {(!r.field.is_empty()).then(|| format!(" [{}]", r.field))} ": " {r.msg.text(i18n.lang())}</li>
                        }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="error" id="import-result">{e.user_message(i18n.lang())}</p> }.into_any(),
            })}
        </section>
    }
}

//! The office's parking-fee page (`/admin/fees`): fees charged as cars
//! left, unpaid first; the office records a payment with its receipt
//! number, after which the plate may be booked again.

use super::*;
use crate::components::{AdminNav, AdminOnly, ErrorLine, ExportLinks, Pager, query_value, resource};
use crate::domain::parking::yuan;
use crate::i18n::{Msg, OfficeMsg, t, use_i18n};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeeFilter {
    /// `unpaid`, `settled`, or anything else for all.
    #[serde(default)]
    pub status: String,
    /// A plate, or empty for every plate.
    #[serde(default)]
    pub plate: String,
    #[serde(default)]
    pub offset: i64,
}

impl Default for FeeFilter {
    fn default() -> Self {
        FeeFilter { status: "unpaid".into(), plate: String::new(), offset: 0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeeRow {
    pub id: String,
    pub plate: String,
    pub campus: String,
    pub entered_at: String,
    pub left_at: String,
    pub cents: i64,
    pub settled_at: Option<String>,
    pub settled_by: String,
    pub receipt_no: String,
}

role_fn!(SecurityAdmin, list_parking_fees "list_parking_fees"(status: String, plate: String, offset: i64) -> Vec<FeeRow> =>
    |st, me| ssr::list_fees(&st, &FeeFilter { status, plate, offset }).await);
role_fn!(SecurityAdmin,
    /// Records that a plate's unpaid fees were paid, with the receipt's
    /// number; the amount settled, in cents.
    settle_fees "settle_fees"(plate: String, receipt_no: String) -> i64 => |st, me| ssr::settle_fees(&st, &me, &plate, &receipt_no).await);

#[component]
pub fn FeesPage() -> impl IntoView {
    view! { <AdminOnly><AdminNav /><Fees /></AdminOnly> }
}

#[component]
fn Fees() -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(FeeFilter::default());
    let settle = ServerAction::<SettleFees>::new();
    let rows = resource(move || (filter.get(), settle.version().get()), |(f, _)| list_parking_fees(f.status, f.plate, f.offset));
    let plate_text = RwSignal::new(String::new());
    // The plate whose payment is being recorded, and the receipt typed.
    let paying = RwSignal::new(None::<String>);
    let receipt = RwSignal::new(String::new());
    let err = Signal::derive(move || settle.value().get().and_then(Result::err));
    let settled = Signal::derive(move || settle.value().get().and_then(Result::ok));
    Effect::new(move |_| {
        if settled.get().is_some() {
            paying.set(None);
            receipt.set(String::new());
        }
    });
    let query = Signal::derive(move || filter.with(|f| format!("status={}&plate={}", f.status, query_value(&f.plate))));
    view! {
        <section class="card">
            <h1>{t(Msg::ParkingFees)}</h1>
            <p class="muted small">{t(OfficeMsg::FeesHint)}</p>
            <div class="row">
                <select id="fees-status" class="grow" aria-label=t(Msg::Status) on:change=move |ev| filter.update(|f| { f.status = event_target_value(&ev); f.offset = 0; })>
                    <option value="unpaid">{t(OfficeMsg::FeesUnpaid)}</option>
                    <option value="settled">{t(OfficeMsg::FeesSettled)}</option>
                    <option value="all">{t(OfficeMsg::FeesAll)}</option>
                </select>
            </div>
            <div class="row">
                <form class="row grow" on:submit=move |ev| { ev.prevent_default(); filter.update(|f| { f.plate = plate_text.get_untracked(); f.offset = 0; }); }>
                    <input id="fees-plate" aria-label=t(OfficeMsg::SearchPlate) placeholder=t(OfficeMsg::SearchPlate) prop:value=plate_text on:input=move |ev| plate_text.set(event_target_value(&ev)) />
                    <button type="submit" class="secondary">{t(Msg::Search)}</button>
                </form>
            </div>
            <ExportLinks list="fees" query=query />
            {move || settled.get().map(|c| view! { <p class="notice" role="status" id="fees-settled">{t(OfficeMsg::SettledNotice)} " " {yuan(c)}</p> })}
            <ErrorLine error=err />
            {move || paying.get().map(|plate| {
                let p = plate.clone();
                view! {
                    <form class="card inset" id="settle-form" on:submit=move |ev| {
                        ev.prevent_default();
                        settle.dispatch(SettleFees { plate: p.clone(), receipt_no: receipt.get_untracked() });
                    }>
                        <h2>{t(OfficeMsg::SettleFeesFor)} " " {plate.clone()}</h2>
                        <label for="receipt-no">{t(OfficeMsg::ReceiptNo)}</label>
                        <input id="receipt-no" required maxlength="40" autocomplete="off" prop:value=receipt on:input=move |ev| receipt.set(event_target_value(&ev)) />
                        <div class="row">
                            <button type="submit" disabled=move || settle.pending().get()>{t(OfficeMsg::ConfirmSettled)}</button>
                            <button type="button" class="secondary" on:click=move |_| paying.set(None)>{t(Msg::Cancel)}</button>
                        </div>
                    </form>
                }
            })}
            <Transition fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Err(e) => view! { <p class="error">{e.user_message(i18n.lang())}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted" id="fees-empty">{t(OfficeMsg::NoRecords)}</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="scroll" tabindex="0" role="region" aria-label=t(Msg::ParkingFees)>
                            <table class="list small" id="fee-list">
                                <thead><tr><th>{t(Msg::Plate)}</th><th>{t(OfficeMsg::EnteredAt)} " / " {t(OfficeMsg::LeftAt)}</th>
                                    <th class="num">{t(OfficeMsg::Amount)}</th><th>{t(OfficeMsg::SettledBy)}</th></tr></thead>
                                <tbody>
                                {list.into_iter().map(|r| {
                                    let plate = r.plate.clone();
                                    view! { <tr>
                                        <td class="nowrap">{r.plate} <br /> <span class="muted">{r.campus}</span></td>
                                        <td class="nowrap">{r.entered_at} <br /> {r.left_at}</td>
                                        <td class="num">{yuan(r.cents)}</td>
                                        <td>{match r.settled_at {
                                            Some(at) => view! { <span class="small">{at} " " {r.settled_by} <br /> {t(OfficeMsg::ReceiptNo)} " " {r.receipt_no}</span> }.into_any(),
                                            None => view! { <button class="link" on:click=move |_| { receipt.set(String::new()); paying.set(Some(plate.clone())); }>{t(OfficeMsg::SettleFees)}</button> }.into_any(),
                                        }}</td>
                                    </tr> }
                                }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
            <Pager offset=Signal::derive(move || filter.with(|f| f.offset)) on_page=Callback::new(move |o| filter.update(|f| f.offset = o)) />
        </section>
    }
}

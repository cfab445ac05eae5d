//! A small string store in IndexedDB for the scanner's offline data: the
//! roster (one record) and the queued events (one record each, so a sync
//! deletes exactly what the server took). Writes resolve when their
//! transaction has committed: an event a guard saw as queued survives a
//! crash or a restart of the phone.

use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "campus-pass";
pub const KV: &str = "kv";
pub const EVENTS: &str = "events";
/// Manual admissions, each the JSON text of a `ManualEntry` under its id.
pub const MANUAL: &str = "manual";

thread_local! {
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

fn done(req: &IdbRequest) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let err = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(err.unchecked_ref()));
    })
}

fn committed(tx: &IdbTransaction) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let abort = reject.clone();
        let err = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        let aborted = Closure::once_into_js(move || {
            let _ = abort.call0(&JsValue::NULL);
        });
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onerror(Some(err.unchecked_ref()));
        tx.set_onabort(Some(aborted.unchecked_ref()));
    })
}

async fn db() -> Result<IdbDatabase, JsValue> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let factory = web_sys::window().ok_or(JsValue::NULL)?.indexed_db()?.ok_or(JsValue::NULL)?;
    // Version 2 added the manual admissions' store.
    let open = factory.open_with_u32(DB_NAME, 2)?;
    let req = open.clone();
    let upgrade = Closure::once_into_js(move || {
        if let Ok(db) = req.result() {
            let db: IdbDatabase = db.unchecked_into();
            for store in [KV, EVENTS, MANUAL] {
                if !db.object_store_names().contains(store) {
                    let _ = db.create_object_store(store);
                }
            }
        }
    });
    open.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db: IdbDatabase = JsFuture::from(done(&open)).await?.unchecked_into();
    // A later version opened in another tab: close this connection so its
    // upgrade is not blocked; the next use opens the new version.
    let closing = db.clone();
    let on_change = Closure::<dyn FnMut()>::new(move || {
        closing.close();
        DB.with(|d| *d.borrow_mut() = None);
    });
    db.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

pub async fn get(store: &str, key: &str) -> Result<Option<String>, JsValue> {
    let tx = db().await?.transaction_with_str(store)?;
    let req = tx.object_store(store)?.get(&JsValue::from_str(key))?;
    Ok(JsFuture::from(done(&req)).await?.as_string())
}

pub async fn put(store: &str, key: &str, value: &str) -> Result<(), JsValue> {
    let tx = db().await?.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)?;
    tx.object_store(store)?.put_with_key(&JsValue::from_str(value), &JsValue::from_str(key))?;
    JsFuture::from(committed(&tx)).await?;
    Ok(())
}

pub async fn delete(store: &str, keys: &[String]) -> Result<(), JsValue> {
    let tx = db().await?.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)?;
    let s = tx.object_store(store)?;
    for k in keys {
        s.delete(&JsValue::from_str(k))?;
    }
    JsFuture::from(committed(&tx)).await?;
    Ok(())
}

/// Every value in a store.
pub async fn all(store: &str) -> Result<Vec<String>, JsValue> {
    let tx = db().await?.transaction_with_str(store)?;
    let req = tx.object_store(store)?.get_all()?;
    let values: js_sys::Array = JsFuture::from(done(&req)).await?.unchecked_into();
    Ok(values.iter().filter_map(|v| v.as_string()).collect())
}

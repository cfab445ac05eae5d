//! The visitor's page bundle: hydrates only the islands of its pages (see
//! `app::Bundle` and `app::hydrate_page`).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate_visitor_page();
}

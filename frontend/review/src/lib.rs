//! The review bundle: an application's page and the approvers' inbox, on
//! a phone; hydrates only the page's island (see `app::Bundle` and
//! `app::hydrate_page`).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate_review_page();
}

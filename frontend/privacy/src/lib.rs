//! The privacy bundle: the privacy notice and a visitor's own data
//! (`/privacy`, `/my-data`), on a phone; hydrates only the page's island
//! (see `app::Bundle` and `app::hydrate_page`).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate_privacy_page();
}

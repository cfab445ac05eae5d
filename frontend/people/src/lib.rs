//! The phone pages' bundle: sign-in, residents' and staff members' forms
//! and "my applications"; hydrates only the page's island (see
//! `app::Bundle` and `app::hydrate_page`).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate_people_page();
}

//! The scanner's page bundle: hydrates only its pages (see `app::Bundle`).

#![recursion_limit = "512"]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::ScannerApp);
}

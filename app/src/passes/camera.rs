//! Reading a pass QR in the guard's browser: the rear camera in the page
//! (`getUserMedia`), decoded with the browser's `BarcodeDetector` where it
//! exists and with `quircs` (WASM, a port of quirc) otherwise; and a photo
//! taken with the phone's camera app for webviews that refuse the camera.
//!
//! Why quircs and not rqrr: rqrr's Reed-Solomon arithmetic is a generated
//! 256×256 GF(256) multiplication table, 64 KB of incompressible data that
//! every page's wasm carried (data segments load with the bundle); quirc's
//! log/exp tables are 512 bytes.

use leptos::prelude::*;

/// Decodes the first QR code in an RGBA picture.
#[cfg(any(feature = "hydrate", test))]
pub fn decode_rgba(width: usize, height: usize, rgba: &[u8]) -> Option<String> {
    // Integer luma (BT.601): fast and good enough for black on white.
    let grey: Vec<u8> = rgba.chunks_exact(4).map(|p| ((p[0] as u32 * 77 + p[1] as u32 * 150 + p[2] as u32 * 29) >> 8) as u8).collect();
    if grey.len() != width * height {
        return None;
    }
    let mut decoder = quircs::Quirc::default();
    decoder
        .identify(width, height, &grey)
        .filter_map(Result::ok)
        .find_map(|code| code.decode().ok())
        .and_then(|data| String::from_utf8(data.payload).ok())
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::JsFuture;

    /// Draws a video frame or image onto a canvas at most `max` pixels wide
    /// and returns its pixels.
    pub fn pixels(source: &web_sys::HtmlElement, sw: u32, sh: u32, max: u32) -> Option<(usize, usize, Vec<u8>)> {
        if sw == 0 || sh == 0 {
            return None;
        }
        let scale = (max as f64 / sw.max(sh) as f64).min(1.0);
        let (w, h) = (((sw as f64) * scale) as u32, ((sh as f64) * scale) as u32);
        let canvas: web_sys::HtmlCanvasElement = document().create_element("canvas").ok()?.dyn_into().ok()?;
        canvas.set_width(w);
        canvas.set_height(h);
        let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        if let Some(v) = source.dyn_ref::<web_sys::HtmlVideoElement>() {
            ctx.draw_image_with_html_video_element_and_dw_and_dh(v, 0.0, 0.0, w as f64, h as f64).ok()?;
        } else if let Some(i) = source.dyn_ref::<web_sys::HtmlImageElement>() {
            ctx.draw_image_with_html_image_element_and_dw_and_dh(i, 0.0, 0.0, w as f64, h as f64).ok()?;
        }
        let data = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).ok()?;
        Some((w as usize, h as usize, data.data().0))
    }

    /// `BarcodeDetector` when the browser has it (Chrome on Android, Safari 17+).
    pub fn barcode_detector() -> Option<JsValue> {
        let ctor = js_sys::Reflect::get(&window(), &JsValue::from_str("BarcodeDetector")).ok()?;
        let ctor: js_sys::Function = ctor.dyn_into().ok()?;
        let opts = js_sys::Object::new();
        let formats = js_sys::Array::of1(&JsValue::from_str("qr_code"));
        js_sys::Reflect::set(&opts, &JsValue::from_str("formats"), &formats).ok()?;
        js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&opts)).ok()
    }

    pub async fn detect_with(detector: &JsValue, source: &JsValue) -> Option<String> {
        let detect: js_sys::Function = js_sys::Reflect::get(detector, &JsValue::from_str("detect")).ok()?.dyn_into().ok()?;
        let promise: js_sys::Promise = detect.call1(detector, source).ok()?.dyn_into().ok()?;
        let found: js_sys::Array = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
        let first = found.get(0);
        js_sys::Reflect::get(&first, &JsValue::from_str("rawValue")).ok()?.as_string()
    }

    /// Opens the rear camera into `video`.
    pub async fn open_camera(video: &web_sys::HtmlVideoElement) -> Result<web_sys::MediaStream, JsValue> {
        let devices = window().navigator().media_devices()?;
        let constraints = web_sys::MediaStreamConstraints::new();
        let video_opts = js_sys::Object::new();
        js_sys::Reflect::set(&video_opts, &JsValue::from_str("facingMode"), &JsValue::from_str("environment"))?;
        constraints.set_video(&video_opts);
        constraints.set_audio(&JsValue::FALSE);
        let stream: web_sys::MediaStream = JsFuture::from(devices.get_user_media_with_constraints(&constraints)?).await?.dyn_into()?;
        video.set_src_object(Some(&stream));
        video.set_muted(true);
        let _ = video.set_attribute("playsinline", "");
        let _ = JsFuture::from(video.play()?).await;
        Ok(stream)
    }

    pub fn stop(stream: &web_sys::MediaStream) {
        for t in stream.get_tracks().iter() {
            if let Ok(t) = t.dyn_into::<web_sys::MediaStreamTrack>() {
                t.stop();
            }
        }
    }

    pub async fn sleep(ms: i32) {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        });
        let _ = JsFuture::from(p).await;
    }

    /// Decodes a photo the guard took (the fallback for webviews without camera access).
    pub async fn decode_file(file: web_sys::File) -> Option<String> {
        let url = web_sys::Url::create_object_url_with_blob(&file).ok()?;
        let img = web_sys::HtmlImageElement::new().ok()?;
        let loaded = js_sys::Promise::new(&mut |resolve, reject| {
            img.set_onload(Some(&resolve));
            img.set_onerror(Some(&reject));
        });
        img.set_src(&url);
        JsFuture::from(loaded).await.ok()?;
        let _ = web_sys::Url::revoke_object_url(&url);
        if let Some(d) = barcode_detector()
            && let Some(t) = detect_with(&d, &img).await
        {
            return Some(t);
        }
        // Large photos: try a moderate size first, then full detail.
        for max in [1024, 2048] {
            let (w, h, px) = pixels(img.unchecked_ref(), img.natural_width(), img.natural_height(), max)?;
            if let Some(t) = decode_rgba(w, h, &px) {
                return Some(t);
            }
        }
        None
    }

    /// Not before the guard has touched the page (a WeChat scan landing on
    /// `/s` is checked at once): the browser refuses it then, with an error.
    pub fn vibrate(ms: u32) {
        let nav = window().navigator();
        let touched = js_sys::Reflect::get(&nav, &JsValue::from_str("userActivation"))
            .and_then(|u| js_sys::Reflect::get(&u, &JsValue::from_str("hasBeenActive")))
            .map(|v| v.as_bool() != Some(false))
            .unwrap_or(true);
        if touched {
            let _ = nav.vibrate_with_duration(ms);
        }
    }

    pub fn _keep(_c: Closure<dyn FnMut()>) {}
}

#[cfg(feature = "hydrate")]
pub use browser::vibrate;

/// The camera view: hands every decoded text to `on_code`, with the
/// `performance.now()` of the frame it was read from (NaN for a photo; the same code is not
/// repeated within three seconds).
#[component]
pub fn CameraScanner(on_code: Callback<(String, f64)>) -> impl IntoView {
    #[cfg(not(feature = "hydrate"))]
    let _ = on_code;
    let video = NodeRef::<leptos::html::Video>::new();
    let running = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let photo_failed = RwSignal::new(false);
    let start = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(v) = video.get() else { return };
            let v: web_sys::HtmlVideoElement = v.unchecked_into();
            running.set(true);
            leptos::task::spawn_local(async move {
                let stream = match browser::open_camera(&v).await {
                    Ok(s) => s,
                    Err(_) => {
                        failed.set(true);
                        running.set(false);
                        return;
                    }
                };
                let detector = browser::barcode_detector();
                let mut last: Option<(String, f64)> = None;
                while running.get_untracked() {
                    let frame_at = super::offline::perf_now();
                    let text = match &detector {
                        Some(d) => browser::detect_with(d, &v).await,
                        None => {
                            browser::pixels(v.unchecked_ref(), v.video_width(), v.video_height(), 640).and_then(|(w, h, px)| decode_rgba(w, h, &px))
                        }
                    };
                    if let Some(t) = text {
                        let now = js_sys::Date::now();
                        let repeat = last.as_ref().is_some_and(|(l, at)| *l == t && now - at < 3000.0);
                        if !repeat {
                            last = Some((t.clone(), now));
                            on_code.run((t, frame_at));
                        }
                    }
                    browser::sleep(120).await;
                }
                browser::stop(&stream);
            });
        }
    };
    let on_photo = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            leptos::task::spawn_local(async move {
                match browser::decode_file(file).await {
                    Some(t) => {
                        photo_failed.set(false);
                        on_code.run((t, f64::NAN));
                    }
                    None => photo_failed.set(true),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    on_cleanup(move || running.set(false));
    view! {
        <div class="camera">
            <video node_ref=video id="camera-video" playsinline="" muted="" class:on=move || running.get()></video>
            <Show when=move || !running.get()>
                <button class="primary" id="camera-start" on:click=start>{crate::i18n::t(crate::i18n::Msg::OpenCamera)}</button>
            </Show>
            <Show when=move || running.get()>
                <button class="secondary wide" id="camera-stop" on:click=move |_| running.set(false)>{crate::i18n::t(crate::i18n::Msg::CloseCamera)}</button>
            </Show>
            <Show when=move || failed.get()>
                <p class="notice" id="camera-failed">{crate::i18n::t(crate::i18n::Msg::CameraRefused)}</p>
            </Show>
            <label class="button secondary wide photo-button">
                {crate::i18n::t(crate::i18n::Msg::TakePhoto)}
                <input type="file" accept="image/*" capture="environment" id="photo-input" on:change=on_photo />
            </label>
            <Show when=move || photo_failed.get()>
                <p class="field-error" id="photo-failed">{crate::i18n::t(crate::i18n::Msg::NoCodeInPhoto)}</p>
            </Show>
        </div>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::decode_rgba;

    /// A pass URL drawn the way the pass page draws it (error correction M),
    /// four pixels a module with a quiet zone, as a camera frame's RGBA.
    fn rgba_of(text: &str, scale: usize) -> (usize, Vec<u8>) {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).unwrap();
        let modules = code.width();
        let side = (modules + 8) * scale;
        let mut px = vec![255u8; side * side * 4];
        for y in 0..modules {
            for x in 0..modules {
                if code[(x, y)] == qrcode::Color::Dark {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let i = (((y + 4) * scale + dy) * side + (x + 4) * scale + dx) * 4;
                            px[i..i + 3].fill(0);
                        }
                    }
                }
            }
        }
        (side, px)
    }

    #[test]
    fn the_browser_decoder_reads_a_pass_qr() {
        let url = "https://pass.example.edu.cn/s#t=eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJwIjoiQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoiLCJrIjoiViIsImMiOiJjMSIsIm5iZiI6MSwiZXhwIjoyfQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2lnbmF0dXJlLXNpZ25hdHVyZS1zaWc";
        let (side, px) = rgba_of(url, 4);
        assert_eq!(decode_rgba(side, side, &px).as_deref(), Some(url));
    }

    #[test]
    fn a_picture_without_a_code_reads_nothing() {
        assert_eq!(decode_rgba(64, 64, &vec![255u8; 64 * 64 * 4]), None);
        assert_eq!(decode_rgba(64, 64, &[0u8; 12]), None, "a frame of the wrong size is refused, not a panic");
    }
}

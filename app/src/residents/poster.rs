//! The application QR code (申请码, seed 004 附件1): a campus's printable
//! poster whose code opens the resident form, so residents reach it from
//! WeChat's scanner.

use super::*;
use crate::i18n::Msg;
use crate::platform::context::AppState;

/// The resident form's address on this site.
pub fn resident_form_url(st: &AppState) -> String {
    format!("{}/resident", st.config.public_base_url.trim_end_matches('/'))
}

pub async fn poster(st: &AppState, campus_id: &str) -> Result<PosterView, AppError> {
    let campus: Option<(String, String)> =
        sqlx::query_as("SELECT name, name_en FROM campuses WHERE id = $1").bind(campus_id).fetch_optional(&st.db.read).await?;
    let (campus, campus_en) = campus.ok_or_else(|| AppError::invalid("campus", Msg::ErrUnknownCampus))?;
    let url = resident_form_url(st);
    Ok(PosterView { campus, campus_en, qr_svg: qr_svg(&url)?, url })
}

/// A printed code gets error correction H: it still reads when part of
/// the paper is creased, stained or torn.
fn qr_svg(text: &str) -> Result<String, AppError> {
    use qrcode::{EcLevel, QrCode, render::svg};
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::H).map_err(|e| {
        tracing::error!(error = %e, "the form's address does not fit a QR code");
        AppError::Internal
    })?;
    Ok(code.render::<svg::Color>().min_dimensions(480, 480).quiet_zone(true).build())
}

//! Charts drawn on the server as SVG text: the page shows them as they
//! come, so no charting code reaches the browser's bundles. A `viewBox`
//! scales each to the width it is given, a phone's or a PC's; colours are
//! the stylesheet's (`currentColor` and the classes in `main.css`).

use crate::domain::statistics::axis_max;
use std::fmt::Write;

/// Text as SVG content or an attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of a label, with an ellipsis when cut.
fn clip(label: &str, max: usize) -> String {
    if label.chars().count() <= max { label.to_owned() } else { label.chars().take(max - 1).chain(['…']).collect() }
}

const WIDTH: i64 = 640;

/// One horizontal bar per row, its value at its end: for lists of names
/// (statuses, steps, gates, reasons).
pub fn bars(title: &str, rows: &[(String, i64)]) -> String {
    let row_h = 44;
    let (label_w, value_w) = (230, 100);
    let bar_w = WIDTH - label_w - value_w;
    let height = (rows.len() as i64).max(1) * row_h + 8;
    let scale = axis_max(rows.iter().map(|(_, v)| *v).max().unwrap_or(0));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = i as i64 * row_h + 4;
        let w = if *value > 0 { (value * bar_w / scale).max(2) } else { 0 };
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text><rect x="{label_w}" y="{}" width="{w}" height="{}" rx="3" class="chart-bar"><title>{}: {value}</title></rect><text x="{}" y="{}" class="chart-value">{value}</text>"#,
            label_w - 8,
            y + 28,
            escape(&clip(label, 8)),
            y + 6,
            row_h - 14,
            escape(label),
            label_w + w + 6,
            y + 28,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One column per entry, left to right, with every `label_every`th label
/// under it: for hours of the day and days of a period.
pub fn columns(title: &str, cols: &[(String, i64)], label_every: usize) -> String {
    let (top, plot_h, axis_h, left) = (28, 220, 40, 64);
    let height = top + plot_h + axis_h;
    let n = cols.len().max(1) as i64;
    let col_w = (WIDTH - left - 8) as f64 / n as f64;
    let scale = axis_max(cols.iter().map(|(_, v)| *v).max().unwrap_or(0));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    );
    // The scale's top and its baseline, as round numbers.
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{top}" x2="{WIDTH}" y2="{top}" class="chart-grid"/><text x="{}" y="{}" text-anchor="end" class="chart-value">{scale}</text><line x1="{left}" y1="{}" x2="{WIDTH}" y2="{}" class="chart-axis"/><text x="{}" y="{}" text-anchor="end" class="chart-value">0</text>"#,
        left - 6,
        top + 6,
        top + plot_h,
        top + plot_h,
        left - 6,
        top + plot_h,
    );
    for (i, (label, value)) in cols.iter().enumerate() {
        let x = left as f64 + i as f64 * col_w;
        let h = if *value > 0 { ((value * plot_h) / scale).max(2) } else { 0 };
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{}" width="{:.1}" height="{h}" class="chart-bar"><title>{}: {value}</title></rect>"#,
            x + col_w * 0.15,
            top + plot_h - h,
            col_w * 0.7,
            escape(label),
        );
        if label_every > 0 && i % label_every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" class="chart-label">{}</text>"#,
                x + col_w / 2.0,
                height - 6,
                escape(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_scale_to_the_largest() {
        let svg = bars("校门 <gates>", &[("南门 <script>".into(), 50), ("北门\"".into(), 100), ("西门".into(), 0)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("&quot;"));
        assert!(svg.contains(r#"aria-label="校门 &lt;gates&gt;""#));
        // 100 is the scale: its bar is the full width, 50 half of it, 0 none.
        assert!(svg.contains(r#"width="310""#) && svg.contains(r#"width="155""#) && svg.contains(r#"width="0""#));
    }

    #[test]
    fn columns_label_every_nth() {
        let cols: Vec<(String, i64)> = (0..24).map(|h| (format!("{h}"), h)).collect();
        let svg = columns("按小时", &cols, 6);
        assert_eq!(svg.matches("<rect").count(), 24);
        assert_eq!(svg.matches(r#"class="chart-label""#).count(), 4);
    }
}

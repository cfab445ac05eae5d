//! The built site's hashed assets (`/pkg/*`), served precompressed: brotli
//! (quality 11) and gzip siblings are written once per build, so a phone on
//! 4G gets the smallest encoding without the server compressing a 3 MB wasm
//! file on every first visit. Until they exist the compression layer
//! compresses on the fly.

use std::path::{Path, PathBuf};

/// Files worth compressing.
fn compressible(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("js" | "wasm" | "css" | "svg" | "json"))
}

fn stale(source: &Path, target: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(source), modified(target)) {
        (Some(s), Some(t)) => t < s,
        _ => true,
    }
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Writes `.br` and `.gz` beside every asset under `dir` that lacks a fresh
/// one. Written to a temporary name first: a reader never sees half a file.
pub fn precompress(dir: &Path) -> std::io::Result<usize> {
    use std::io::Write;
    let mut written = 0;
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(0) };
    for entry in entries {
        let path = entry?.path();
        if !path.is_file() || !compressible(&path) {
            continue;
        }
        let data = std::fs::read(&path)?;
        let br = with_suffix(&path, ".br");
        if stale(&path, &br) {
            let tmp = with_suffix(&path, ".br.tmp");
            {
                let mut w = brotli::CompressorWriter::new(std::fs::File::create(&tmp)?, 64 * 1024, 11, 22);
                w.write_all(&data)?;
            }
            std::fs::rename(&tmp, &br)?;
            written += 1;
        }
        let gz = with_suffix(&path, ".gz");
        if stale(&path, &gz) {
            let tmp = with_suffix(&path, ".gz.tmp");
            let mut w = flate2::write::GzEncoder::new(std::fs::File::create(&tmp)?, flate2::Compression::best());
            w.write_all(&data)?;
            w.finish()?;
            std::fs::rename(&tmp, &gz)?;
            written += 1;
        }
    }
    Ok(written)
}

/// `/pkg/*` from the site root, picking `.br` / `.gz` by `Accept-Encoding`.
pub fn service(site_root: &Path) -> tower_http::services::ServeDir {
    tower_http::services::ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip()
}

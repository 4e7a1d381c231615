//! Content types for served files, chosen by file extension.
//!
//! Only the types a static site plausibly holds are listed; anything else
//! is served as `application/octet-stream`, which browsers download rather
//! than guess at. Text types carry `charset=utf-8` because every text file
//! gradbook generates is UTF-8.

/// The `Content-Type` for a file named `path` (a `/`-separated site path).
pub fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((_, ext)) = name.rsplit_once('.') else {
        return "application/octet-stream";
    };
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "txt" | "text" => "text/plain; charset=utf-8",
        "md" | "markdown" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "toml" => "application/toml",
        "yaml" | "yml" => "application/yaml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "bmp" => "image/bmp",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "zip" => "application/zip",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// Whether a file of this content type is an HTML page (and so gets the
/// live-reload script).
pub fn is_html(content_type: &str) -> bool {
    content_type.starts_with("text/html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_extension() {
        for (path, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("a/b/INDEX.HTM", "text/html; charset=utf-8"),
            ("assets/gradbook.css", "text/css; charset=utf-8"),
            ("assets/gradbook.js", "text/javascript; charset=utf-8"),
            ("img/logo.svg", "image/svg+xml"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("sitemap.xml", "application/xml"),
            ("photo.JPG", "image/jpeg"),
            ("fonts/a.woff2", "font/woff2"),
            ("Makefile", "application/octet-stream"),
            ("archive.tar.unknown", "application/octet-stream"),
            ("dir.d/noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), expected, "{path}");
        }
        assert!(is_html(content_type("x.html")));
        assert!(!is_html(content_type("x.css")));
    }
}

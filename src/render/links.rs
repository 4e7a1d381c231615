//! Links that work on a web server and from disk alike.
//!
//! Pages live at folder URLs (`calculus/intro/` is
//! `calculus/intro/index.html`). A web server answers a folder with its
//! `index.html`; a browser opening the files from disk (`file://`) does
//! not, it shows a folder listing. So every page is written with its
//! relative links to folders naming `index.html`
//! (`../calculus/intro/index.html#slopes`), which works in both places,
//! with JavaScript or without, and `assets/pretty-urls.js` takes
//! `index.html` off again when a page is served over http(s), so readers
//! there see and share the short form.
//!
//! This runs on each finished page, so the rule holds for every link
//! whatever wrote it: the built-in templates, a site's own templates, links
//! rewritten from `.md` files, and raw HTML in a lesson. Links with a
//! scheme (`https:`, `mailto:`), absolute paths (`/x/`, used by the 404
//! page, which only a server shows), fragments (`#x`) and links to files
//! are left as they are.

/// Elements whose content is not markup, so an `<a` inside is not a link.
const RAW_TEXT_ELEMENTS: &[&str] = &["script", "style", "textarea", "title", "xmp"];

/// `html` with every relative link to a folder pointing at its
/// `index.html`.
pub fn name_index_files(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + html.len() / 64);
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let lt = at + offset;
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            at = rest.find("-->").map_or(html.len(), |e| lt + e + 3);
            continue;
        }
        let name_len = rest[1..]
            .bytes()
            .take_while(u8::is_ascii_alphanumeric)
            .count();
        let name = &rest[1..1 + name_len];
        let after_name = lt + 1 + name_len;
        if name_len == 0 {
            at = lt + 1;
            continue;
        }
        if RAW_TEXT_ELEMENTS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
        {
            at = skip_raw_text(html, after_name, name);
            continue;
        }
        if !name.eq_ignore_ascii_case("a") && !name.eq_ignore_ascii_case("area") {
            // Other tags hold no link, and the escaped attribute values
            // of gradbook's markup hold no `<`: the next `<` is markup.
            at = after_name;
            continue;
        }
        let mut i = after_name;
        // Attributes, up to the end of the tag.
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            let name_start = i;
            while i < bytes.len()
                && !matches!(bytes[i], b'=' | b'>' | b'/')
                && !bytes[i].is_ascii_whitespace()
            {
                i += 1;
            }
            let attribute = &html[name_start..i];
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] != b'=' {
                continue;
            }
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let (value, next) = attribute_value(html, j);
            if attribute.eq_ignore_ascii_case("href")
                && let Some(href) = with_index(&html[value.clone()])
            {
                out.push_str(&html[copied..value.start]);
                out.push_str(&href);
                copied = value.end;
            }
            i = next;
        }
        at = (i + 1).min(html.len());
    }
    out.push_str(&html[copied..]);
    out
}

/// `href` pointing at `index.html`, if it is a relative link to a folder.
fn with_index(href: &str) -> Option<String> {
    let end = href.find(['?', '#']).unwrap_or(href.len());
    let path = &href[..end];
    if path.is_empty() || path.starts_with('/') || path.starts_with('\\') || has_scheme(path) {
        return None;
    }
    let last = path.rsplit('/').next().unwrap_or(path);
    if !matches!(last, "" | "." | "..") {
        return None;
    }
    let mut out = String::with_capacity(href.len() + 11);
    out.push_str(path);
    if !path.ends_with('/') {
        out.push('/');
    }
    out.push_str("index.html");
    out.push_str(&href[end..]);
    Some(out)
}

/// Whether a link starts with a URL scheme (`https:`, `mailto:`).
fn has_scheme(path: &str) -> bool {
    match path.find(':') {
        Some(colon) => {
            let scheme = &path[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// The byte range of the attribute value starting at `at` (without its
/// quotes) and the position after it.
fn attribute_value(html: &str, at: usize) -> (std::ops::Range<usize>, usize) {
    let bytes = html.as_bytes();
    match bytes.get(at) {
        Some(&quote @ (b'"' | b'\'')) => {
            let start = at + 1;
            match bytes[start..].iter().position(|&b| b == quote) {
                Some(len) => (start..start + len, start + len + 1),
                None => (start..html.len(), html.len()),
            }
        }
        _ => {
            let len = bytes[at..]
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>')
                .unwrap_or(bytes.len() - at);
            (at..at + len, at + len)
        }
    }
}

/// The position after the end tag of the raw-text element `name` whose
/// start tag's name ends at `from`.
fn skip_raw_text(html: &str, from: usize, name: &str) -> usize {
    let mut at = from;
    while let Some(offset) = html[at..].find("</") {
        let start = at + offset + 2;
        if html
            .get(start..start + name.len())
            .is_some_and(|c| c.eq_ignore_ascii_case(name))
        {
            return html[start..]
                .find('>')
                .map_or(html.len(), |e| start + e + 1);
        }
        at = start;
    }
    html.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_links_name_their_index_file() {
        for (href, expected) in [
            ("./", "./index.html"),
            ("../../", "../../index.html"),
            ("../../calculus/intro/", "../../calculus/intro/index.html"),
            ("../a/#slopes", "../a/index.html#slopes"),
            ("a/?x=1#y", "a/index.html?x=1#y"),
            ("..", "../index.html"),
            (".", "./index.html"),
            ("a/..", "a/../index.html"),
        ] {
            assert_eq!(with_index(href).as_deref(), Some(expected), "{href}");
        }
    }

    #[test]
    fn other_links_are_left_alone() {
        for href in [
            "",
            "#top",
            "?q=1",
            "/calculus/intro/",
            "//cdn.example/x/",
            "https://example.org/a/",
            "mailto:a@b.c",
            "../assets/gradbook.css",
            "a/index.html",
            "notes.pdf#page=2",
        ] {
            assert_eq!(with_index(href), None, "{href}");
        }
    }

    #[test]
    fn only_link_elements_are_rewritten() {
        let html = concat!(
            "<link rel=\"stylesheet\" href=\"../\">",
            "<a class=\"x\" href=\"../a/\" title=\"a > b\">A</a>",
            "<A HREF='./'>home</A><area href=b/><a href=c/>c</a>",
            "<p data-href=\"d/\">d/</p><a name=\"n\">n</a>",
            "<!-- <a href=\"e/\"> --><script>var s = '<a href=\"f/\">';</script>",
            "<a href=\"g/\"",
        );
        assert_eq!(
            name_index_files(html),
            concat!(
                "<link rel=\"stylesheet\" href=\"../\">",
                "<a class=\"x\" href=\"../a/index.html\" title=\"a > b\">A</a>",
                "<A HREF='./index.html'>home</A><area href=b/index.html><a href=c/index.html>c</a>",
                "<p data-href=\"d/\">d/</p><a name=\"n\">n</a>",
                "<!-- <a href=\"e/\"> --><script>var s = '<a href=\"f/\">';</script>",
                "<a href=\"g/index.html\"",
            )
        );
    }

    #[test]
    fn any_prefix_of_a_page_is_handled_without_panicking() {
        let html = "<a href=\"x/\" title='<'>é</a><!-- c --><script>x</script><a href=y/";
        for cut in 0..=html.len() {
            if html.is_char_boundary(cut) {
                let _ = name_index_files(&html[..cut]);
            }
        }
    }
}

//! Server-side syntax highlighting with syntect.
//!
//! Syntaxes and themes are loaded once per process and shared by every
//! rendering thread. Code becomes spans with CSS classes (prefixed `hl-`),
//! so the colours live in two generated stylesheets, one for the light and
//! one for the dark scheme, each scoped to when that scheme is active.
//!
//! Highlighting is the costliest step of rendering ordinary lessons, and
//! the same blocks come back: in every rebuild under `serve`, and across
//! the lessons of a course that repeat a snippet. Highlighted blocks are
//! kept in a process-wide cache keyed by language and code, bounded in
//! size.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The class prefix of every highlighting span.
const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// syntect's default syntaxes plus bat's extra ones (TOML, TypeScript,
/// Julia, Dockerfile and many more), packaged by two-face.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// Names lessons use for a language that the syntaxes know by another.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("console", "bash"),
    ("shell-session", "bash"),
    ("python3", "python"),
    ("py3", "python"),
    ("ipython", "python"),
    ("ipython3", "python"),
    ("pycon", "python"),
    ("jl", "julia"),
    // CUDA is C++ with a few keywords more, as bat also reads it.
    ("cuda", "cpp"),
    ("cu", "cpp"),
    ("docker", "dockerfile"),
];

/// The syntax for the language name `lang` (any case, or an alias).
fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lower = lang.to_ascii_lowercase();
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower.as_str(), |&(_, name)| name);
    SYNTAXES
        .find_syntax_by_token(lang)
        .or_else(|| SYNTAXES.find_syntax_by_token(name))
}

/// Whether a code block's language is one gradbook highlights (an empty
/// language is plain on purpose, and so is `text`).
pub fn is_known_language(lang: &str) -> bool {
    lang.is_empty()
        || ["text", "plain", "plaintext", "txt", "calc", "math"]
            .contains(&lang.to_ascii_lowercase().as_str())
        || find_syntax(lang).is_some()
}
static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

/// Names of the themes `[theme] highlight-light` / `highlight-dark` accept,
/// sorted.
pub fn theme_names() -> Vec<&'static str> {
    THEMES.themes.keys().map(String::as_str).collect()
}

/// The language of a code block: the first word of its info string,
/// which ends at white space, `,` or `{` (```` ```python,ignore ````,
/// ```` ```rust {.numbered} ````), or, for a Pandoc attribute block, its
/// first class (```` ```{.python .input} ````).
pub fn language(info: &str) -> &str {
    let info = info.trim();
    if let Some(block) = info.strip_prefix('{') {
        let block = block.split('}').next().unwrap_or("");
        return block
            .split_whitespace()
            .find_map(|word| word.strip_prefix('.'))
            .unwrap_or("");
    }
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
}

/// Renders a code block whose info string is `info` (empty for none): its
/// [`language`] picks the highlighter, and an info string that says more
/// than the language is kept whole in a `data-info` attribute. An unknown
/// language gives plain escaped code.
pub fn code_block(code: &str, info: &str) -> String {
    let info = info.trim();
    let lang = language(info);
    let mut attributes = String::new();
    if !lang.is_empty() {
        attributes = format!(" class=\"language-{}\"", crate::html::escape(lang));
    }
    if info != lang {
        attributes.push_str(&format!(" data-info=\"{}\"", crate::html::escape(info)));
    }
    let syntax = if lang.is_empty() {
        None
    } else {
        find_syntax(lang)
    };
    let body = syntax.and_then(|syntax| {
        let key = (syntax.name.clone(), code.to_string());
        if let Some(hit) = CACHE.get(&key) {
            return Some(hit);
        }
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, STYLE);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        let body: Arc<str> = generator.finalize().into();
        CACHE.put(key, Arc::clone(&body));
        Some(body)
    });
    match body {
        Some(body) => format!("<pre class=\"hl-code\"><code{attributes}>{body}</code></pre>\n"),
        None => format!(
            "<pre class=\"hl-code plain\"><code{attributes}>{}</code></pre>\n",
            crate::html::escape(code)
        ),
    }
}

/// Highlighted blocks by (syntax name, code).
static CACHE: LazyLock<Cache> = LazyLock::new(Cache::default);

/// The cache holds at most this many bytes of code and HTML; when full it
/// starts again empty (simple, and a build's working set fits easily).
const CACHE_BYTES: usize = 32 << 20;

#[derive(Default)]
struct Cache {
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    blocks: HashMap<(String, String), Arc<str>>,
    bytes: usize,
}

impl Cache {
    fn get(&self, key: &(String, String)) -> Option<Arc<str>> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.blocks.get(key).cloned()
    }

    fn put(&self, key: (String, String), body: Arc<str>) {
        let size = key.0.len() + key.1.len() + body.len();
        if size > CACHE_BYTES / 8 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.bytes + size > CACHE_BYTES {
            inner.blocks.clear();
            inner.bytes = 0;
        }
        inner.bytes += size;
        inner.blocks.insert(key, body);
    }
}

/// Which colour scheme a stylesheet is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Active when `data-theme="light"`, or in auto mode on a light OS.
    Light,
    /// Active when `data-theme="dark"`, or in auto mode on a dark OS.
    Dark,
}

/// The stylesheet for `theme` (a name from [`theme_names`]), scoped so that
/// it only applies while `scheme` is active. `None` for an unknown theme.
pub fn stylesheet(theme: &str, scheme: Scheme) -> Option<String> {
    let theme = &readable(THEMES.themes.get(theme)?);
    let css = css_for_theme_with_class_style(theme, STYLE).ok()?;
    let (attr, media) = match scheme {
        Scheme::Light => ("light", "light"),
        Scheme::Dark => ("dark", "dark"),
    };
    let explicit = scope_css(&css, &format!("html[data-theme=\"{attr}\"]"));
    let auto = scope_css(&css, "html:not([data-theme])");
    Some(format!(
        "/* Code colours for the {attr} scheme, generated from the \"{}\" theme. */\n{explicit}\n@media (prefers-color-scheme: {media}) {{\n{auto}}}\n",
        theme.name.as_deref().unwrap_or("unnamed")
    ))
}

/// The code colours of `theme` with every rule under the CSS selector
/// `scope`, for pages that are not the site's (a deck export's card
/// styling). `None` for an unknown theme.
pub fn scoped_stylesheet(theme: &str, scope: &str) -> Option<String> {
    let theme = &readable(THEMES.themes.get(theme)?);
    let css = css_for_theme_with_class_style(theme, STYLE).ok()?;
    Some(scope_css(&css, scope))
}

/// The contrast every code colour keeps against the theme's background
/// (WCAG AA for normal text is 4.5:1; a little more absorbs rounding).
const MIN_CONTRAST: f64 = 4.6;

/// `theme` with every text colour darkened (on a light background) or
/// lightened (on a dark one) just enough to read: several built-in themes
/// colour comments and some tokens below 4.5:1 (InspiredGitHub's comments
/// are 2.9:1 on white).
fn readable(theme: &Theme) -> Theme {
    let mut theme = theme.clone();
    let background = theme.settings.background.unwrap_or(Color::WHITE);
    let fix = |color: &mut Option<Color>| {
        if let Some(c) = color.as_mut() {
            *c = with_contrast(*c, background);
        }
    };
    fix(&mut theme.settings.foreground);
    for item in &mut theme.scopes {
        fix(&mut item.style.foreground);
    }
    theme
}

/// WCAG relative luminance of an sRGB colour.
fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `color`, mixed towards black or white (whichever the background is
/// further from) until it reaches [`MIN_CONTRAST`] against `background`;
/// unchanged when it already does.
fn with_contrast(color: Color, background: Color) -> Color {
    let target = if luminance(background) > 0.18 {
        0.0
    } else {
        255.0
    };
    let mut mixed = color;
    for step in 0..=20 {
        let t = f64::from(step) / 20.0;
        let mix = |v: u8| (f64::from(v) + (target - f64::from(v)) * t).round() as u8;
        mixed = Color {
            r: mix(color.r),
            g: mix(color.g),
            b: mix(color.b),
            a: color.a,
        };
        if contrast(mixed, background) >= MIN_CONTRAST {
            break;
        }
    }
    mixed
}

/// Prefixes every selector of a simple stylesheet (rules only, no at-rules)
/// with `scope`. Comments are dropped.
fn scope_css(css: &str, scope: &str) -> String {
    let mut out = String::new();
    let stripped = strip_comments(css);
    let mut remaining = stripped.as_str();
    while let Some(open) = remaining.find('{') {
        let Some(close) = remaining[open..].find('}') else {
            break;
        };
        let selectors = remaining[..open].trim();
        let body = remaining[open + 1..open + close].trim();
        if !selectors.is_empty() && !body.is_empty() {
            let scoped: Vec<String> = selectors
                .split(',')
                .map(|s| format!("{scope} {}", s.trim()))
                .collect();
            out.push_str(&scoped.join(", "));
            out.push_str(" { ");
            out.push_str(&body.split_whitespace().collect::<Vec<_>>().join(" "));
            out.push_str(" }\n");
        }
        remaining = &remaining[open + close + 1..];
    }
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_theme_colour_reads_against_its_background() {
        for name in theme_names() {
            let theme = readable(&THEMES.themes[name]);
            let background = theme.settings.background.unwrap_or(Color::WHITE);
            for item in &theme.scopes {
                if let Some(fg) = item.style.foreground {
                    assert!(
                        contrast(fg, background) >= 4.5,
                        "{name}: {fg:?} on {background:?}"
                    );
                }
            }
        }
        // Colours that already read are kept as they are.
        let black = Color::BLACK;
        assert_eq!(with_contrast(black, Color::WHITE), black);
        let grey = Color {
            r: 0x96,
            g: 0x98,
            b: 0x96,
            a: 0xff,
        };
        let fixed = with_contrast(grey, Color::WHITE);
        assert!(contrast(fixed, Color::WHITE) >= MIN_CONTRAST);
        assert!(contrast(fixed, Color::WHITE) < 6.0, "no darker than needed");
    }

    use super::*;

    #[test]
    fn known_language_gets_classed_spans() {
        let html = code_block("fn main() { let x = 1; }\n", "rust");
        assert!(html.starts_with("<pre class=\"hl-code\"><code class=\"language-rust\">"));
        assert!(html.contains("<span class=\"hl-"), "{html}");
    }

    #[test]
    fn unknown_language_is_plain_escaped_code() {
        let html = code_block("a < b && c\n", "no-such-lang");
        assert!(html.contains("plain"));
        assert!(html.contains("a &lt; b &amp;&amp; c"));
        assert!(!html.contains("<span"));
    }

    #[test]
    fn the_first_word_picks_the_language_and_the_rest_is_kept() {
        assert_eq!(language("python,ignore"), "python");
        assert_eq!(language(" rust {.numbered}"), "rust");
        assert_eq!(language("py{x}"), "py");
        assert_eq!(language(""), "");
        assert_eq!(language("{.python .input}"), "python");
        assert_eq!(language("{#setup .julia}"), "julia");
        assert_eq!(language("{#setup}"), "");
    }

    #[test]
    fn the_languages_of_ml_lessons_are_highlighted() {
        for lang in [
            "julia",
            "toml",
            "typescript",
            "ts",
            "cuda",
            "dockerfile",
            "shell",
            "console",
            "python3",
            "ipython",
            "pycon",
            "Python",
            "rust",
            "yaml",
            "bash",
        ] {
            assert!(is_known_language(lang), "{lang}");
            let html = code_block("x = 1\n", lang);
            assert!(!html.contains("hl-code plain"), "{lang}: {html}");
        }
        assert!(!is_known_language("klingon"));
        assert!(is_known_language("text"));
        assert!(code_block("x\n", "klingon").contains("hl-code plain"));
        let html = code_block("x = 1\n", "python,ignore");
        assert!(
            html.starts_with(
                "<pre class=\"hl-code\"><code class=\"language-python\" data-info=\"python,ignore\">"
            ),
            "{html}"
        );
        let html = code_block("x\n", "python");
        assert!(!html.contains("data-info"), "{html}");
        let html = code_block("x\n", "{\"a\"}");
        assert!(html.contains(" data-info=\"{&quot;a&quot;}\""), "{html}");
        assert!(!html.contains("language-"), "{html}");
    }

    #[test]
    fn dark_stylesheet_is_scoped() {
        let css = stylesheet("base16-ocean.dark", Scheme::Dark).unwrap();
        assert!(css.contains("html[data-theme=\"dark\"] .hl-code"), "{css}");
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        for line in css
            .lines()
            .filter(|l| l.contains('{') && !l.starts_with('@'))
        {
            assert!(line.starts_with("html"), "unscoped rule: {line}");
        }
    }

    #[test]
    fn default_themes_exist() {
        let names = theme_names();
        assert!(names.contains(&"InspiredGitHub"));
        assert!(names.contains(&"base16-ocean.dark"));
        assert!(stylesheet("nope", Scheme::Light).is_none());
    }
}

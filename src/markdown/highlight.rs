//! Server-side syntax highlighting with syntect.
//!
//! Syntaxes and themes are loaded once per process and shared by every
//! rendering thread. Code becomes spans with CSS classes (prefixed `hl-`),
//! so the colours live in two generated stylesheets, one for the light and
//! one for the dark scheme, each scoped to when that scheme is active.
//!
//! Highlighting is the costliest step of rendering ordinary lessons, and
//! the same code comes back: in every rebuild under `serve` (where an edit
//! changes one line of one block), and across the lessons of a course,
//! whose blocks often open alike (the same imports, the same set-up). So
//! highlighting is incremental, as in an editor: each highlighted line is
//! kept in a cache of its thread, bounded in size, with the parser's state
//! after it, keyed by the language and every line of the block up to it. A
//! block resumes from the last line it shares with one seen before and
//! parses only what follows.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::LazyLock;

use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
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

/// The longest line highlighted, in bytes: the highlighter's patterns can
/// take time that grows much faster than the line on long lines of
/// nested brackets.
pub const MAX_HIGHLIGHT_LINE: usize = 5_000;
/// The largest code block highlighted, in bytes.
pub const MAX_HIGHLIGHT_BLOCK: usize = 256 * 1024;

/// Why `code` is shown plain rather than highlighted: a line or the block
/// is over its limit. `None` when it is highlighted.
pub fn too_big(code: &str) -> Option<String> {
    if code.len() > MAX_HIGHLIGHT_BLOCK {
        return Some(format!(
            "the block is over {} KiB",
            MAX_HIGHLIGHT_BLOCK / 1024
        ));
    }
    code.lines()
        .position(|line| line.len() > MAX_HIGHLIGHT_LINE)
        .map(|n| format!("its line {} is over {MAX_HIGHLIGHT_LINE} bytes", n + 1))
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
    let body = syntax
        .filter(|_| too_big(code).is_none())
        .and_then(|syntax| highlight(syntax, code));
    match body {
        Some(body) => format!("<pre class=\"hl-code\"><code{attributes}>{body}</code></pre>\n"),
        None => format!(
            "<pre class=\"hl-code plain\"><code{attributes}>{}</code></pre>\n",
            crate::html::escape(code)
        ),
    }
}

/// The classed HTML of `code` in `syntax`, taking every line it can from
/// [`LINES`]. `None` when syntect fails on the code.
fn highlight(syntax: &'static SyntaxReference, code: &str) -> Option<String> {
    let mut html = String::with_capacity(code.len() * 4);
    let mut key = LineKey::start(syntax);
    // The line the parser state is after: a cached one (not yet copied
    // out, since the next line may be cached too) or a parsed one.
    let mut cached: Option<Rc<Line>> = None;
    let mut state: Option<(ParseState, ScopeStack, isize)> = None;
    for line in LinesWithEndings::from(code) {
        key = key.next(line);
        if state.is_none()
            && let Some(hit) = LineCache::get(key, line)
        {
            html.push_str(&hit.html);
            cached = Some(hit);
            continue;
        }
        let (parser, scopes, open) = state.get_or_insert_with(|| match cached.take() {
            Some(after) => (after.parser.clone(), after.scopes.clone(), after.open),
            None => (ParseState::new(syntax), ScopeStack::new(), 0),
        });
        let ops = parser.parse_line(line, &SYNTAXES).ok()?;
        let (line_html, delta) = line_tokens_to_classed_spans(line, &ops, STYLE, scopes).ok()?;
        *open += delta;
        html.push_str(&line_html);
        LineCache::put(
            key,
            Line {
                text: line.into(),
                html: line_html.into(),
                parser: parser.clone(),
                scopes: scopes.clone(),
                open: *open,
            },
        );
    }
    let open = match (&state, &cached) {
        (Some((_, _, open)), _) => *open,
        (None, Some(line)) => line.open,
        (None, None) => 0,
    };
    for _ in 0..open.max(0) {
        html.push_str("</span>");
    }
    Some(html)
}

/// Identifies a line by its language and every line of its block up to
/// and including it: a 128-bit hash, so that two blocks share an entry
/// only where they start alike. The entry keeps the line's text as well,
/// and a lookup checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct LineKey(u64, u64);

impl LineKey {
    fn start(syntax: &SyntaxReference) -> Self {
        Self(0, 1).next(&syntax.name)
    }

    fn next(self, line: &str) -> Self {
        let half = |seed: u64| {
            let mut h = std::hash::DefaultHasher::new();
            (seed, self.0, self.1, line).hash(&mut h);
            h.finish()
        };
        Self(half(0x9e37_79b9_7f4a_7c15), half(0xc2b2_ae3d_27d4_eb4f))
    }
}

/// A highlighted line and the parser's state after it.
struct Line {
    text: Box<str>,
    html: Box<str>,
    parser: ParseState,
    scopes: ScopeStack,
    /// Spans left open after the line.
    open: isize,
}

thread_local! {
    /// Highlighted lines, see the module's documentation. One cache per
    /// thread: the parser's state holds the regex engine's match data,
    /// which may not cross threads. Rendering threads live as long as the
    /// process, so each keeps its cache from build to build under `serve`.
    static LINES: LineCache = LineCache::default();
}

/// Each thread's cache holds about this many bytes; when full it starts
/// again empty (simple, and a build's working set fits easily).
const CACHE_BYTES: usize = 16 << 20;

#[derive(Default)]
struct LineCache {
    inner: RefCell<LineCacheInner>,
}

#[derive(Default)]
struct LineCacheInner {
    lines: HashMap<LineKey, Rc<Line>>,
    bytes: usize,
}

impl LineCache {
    fn get(key: LineKey, text: &str) -> Option<Rc<Line>> {
        LINES.with(|cache| {
            let inner = cache.inner.borrow();
            inner
                .lines
                .get(&key)
                .filter(|line| &*line.text == text)
                .cloned()
        })
    }

    fn put(key: LineKey, line: Line) {
        // The parser's and the scopes' stacks, roughly.
        let size = line.text.len() + line.html.len() + 64 * (line.scopes.len() + 4);
        LINES.with(|cache| {
            let mut inner = cache.inner.borrow_mut();
            if inner.bytes + size > CACHE_BYTES {
                inner.lines.clear();
                inner.bytes = 0;
            }
            inner.bytes += size;
            inner.lines.insert(key, Rc::new(line));
        });
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

    /// What syntect's own generator makes of `code`, from scratch.
    fn reference(lang: &str, code: &str) -> String {
        let syntax = find_syntax(lang).unwrap();
        let mut generator =
            syntect::html::ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, STYLE);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        generator.finalize()
    }

    #[test]
    fn incremental_highlighting_is_the_same_as_from_scratch() {
        let base = "import numpy as np\n\ndef f(w):\n    \"\"\"The loss.\n    return w ** 2\n";
        let blocks = [
            base.to_string(),
            // The same start, then a different end: resumes mid-docstring.
            format!("{base}    \"\"\"\nprint(f(3))\n"),
            format!("{base}x = 1\n"),
            // A different first line: nothing shared.
            format!("# header\n{base}"),
            // A block that is a prefix of another, and the other again.
            "import numpy as np\n".to_string(),
            base.to_string(),
            // An unterminated string leaves spans open at the end.
            "s = '''open\nstill open\n".to_string(),
            "s = '''open\nstill open\n'''\n".to_string(),
        ];
        for code in &blocks {
            assert_eq!(
                highlight(find_syntax("python").unwrap(), code).unwrap(),
                reference("python", code),
                "{code}"
            );
        }
        // Twice, now that every line is cached.
        for code in &blocks {
            assert_eq!(
                highlight(find_syntax("python").unwrap(), code).unwrap(),
                reference("python", code),
                "{code}"
            );
        }
        // The same lines in another language are not shared.
        let rust = "import numpy as np\n";
        assert_eq!(
            highlight(find_syntax("rust").unwrap(), rust).unwrap(),
            reference("rust", rust)
        );
    }

    #[test]
    fn long_lines_and_big_blocks_are_plain() {
        let line = "a(".repeat(MAX_HIGHLIGHT_LINE);
        assert!(too_big(&line).is_some_and(|why| why.contains("line 1")));
        let html = code_block(&format!("int x;\n{line}\n"), "c");
        assert!(
            html.starts_with("<pre class=\"hl-code plain\">"),
            "{}",
            &html[..80]
        );
        assert!(too_big(&"x;\n".repeat(MAX_HIGHLIGHT_BLOCK)).is_some());
        assert_eq!(too_big("int x;\n"), None);
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

//! `book.toml`: the site configuration.
//!
//! [`Config::load`] reads and validates the file. Keys are kebab-case,
//! every key except `book.title` has a default, and an unknown key is an
//! error that points at the key and names the closest known one. The
//! known keys are [`Config`]'s fields (see [`schema`]) and every location
//! comes from the spans of the toml parser. Problems
//! are reported as [`Diagnostic`]s so they print like content errors; the
//! command line turns them into exit code 2.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, SourceText, did_you_mean};

/// The name of the configuration file at the root of a site.
pub const CONFIG_FILE: &str = "book.toml";

/// The whole of `book.toml`.
///
/// The known keys of the file are this struct's fields: [`schema`] reads
/// them from a serialized default, so adding a field is all it takes to
/// add a key (a field must therefore always serialize, never be skipped).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// `[book]`: what the site is.
    pub book: BookConfig,
    /// `[build]`: where things are read from and written to.
    #[serde(default)]
    pub build: BuildConfig,
    /// `[theme]`: colours and code highlighting.
    #[serde(default)]
    pub theme: ThemeConfig,
    /// `[calc]`: executable examples.
    #[serde(default)]
    pub calc: CalcConfig,
    /// `[check]`: what `gradbook check` demands.
    #[serde(default)]
    pub check: CheckConfig,
    /// `[math]`: LaTeX formulas.
    #[serde(default)]
    pub math: MathConfig,
}

/// `[book]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookConfig {
    /// The site's title (required).
    pub title: String,
    /// One sentence about the site.
    #[serde(default)]
    pub description: String,
    /// Prefix for absolute links and the sitemap; always ends with `/`.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// The `lang` of every page.
    #[serde(default = "default_language")]
    pub language: String,
}

/// `[build]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct BuildConfig {
    /// Folder holding the lessons, relative to the site root.
    pub content_dir: PathBuf,
    /// Folder the site is written to, relative to the site root.
    pub output_dir: PathBuf,
    /// Whether lessons marked `draft = true` are built.
    pub drafts: bool,
}

impl Default for BuildConfig {
    fn default() -> Self {
        Self {
            content_dir: PathBuf::from("content"),
            output_dir: PathBuf::from("site"),
            drafts: false,
        }
    }
}

/// Which colour scheme a page starts with.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ThemeMode {
    /// Always light until the reader toggles.
    Light,
    /// Always dark until the reader toggles.
    Dark,
    /// Follow the operating system's preference.
    #[default]
    Auto,
}

impl ThemeMode {
    /// The name used in `book.toml` and in templates.
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeMode::Light => "light",
            ThemeMode::Dark => "dark",
            ThemeMode::Auto => "auto",
        }
    }
}

/// `[theme]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ThemeConfig {
    /// The colour scheme a reader sees first.
    pub default: ThemeMode,
    /// syntect theme for code in the light scheme.
    pub highlight_light: String,
    /// syntect theme for code in the dark scheme.
    pub highlight_dark: String,
}

impl Default for ThemeConfig {
    fn default() -> Self {
        Self {
            default: ThemeMode::Auto,
            highlight_light: "InspiredGitHub".to_string(),
            highlight_dark: "base16-ocean.dark".to_string(),
        }
    }
}

/// `[calc]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CalcConfig {
    /// Significant digits for printed numbers (1 to 17).
    pub precision: usize,
}

/// `[check]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CheckConfig {
    /// Whether every calc input that prints output must have an expected
    /// output (as `check --strict`).
    pub strict: bool,
    /// Whether warnings fail `check`, as `--deny-warnings` does.
    pub deny_warnings: bool,
}

/// `[math]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct MathConfig {
    /// Whether `\(…\)` and `\[…\]` (and `\\(…\\)`, `\\[…\\]`) are
    /// formulas, as MathJax reads them; off for a site whose prose escapes
    /// brackets with a backslash.
    pub backslash_delimiters: bool,
    /// LaTeX macros (`"\\R" = "\\mathbb{R}"`), expanded in every formula
    /// before it is converted; `#1` to `#9` stand for arguments.
    pub macros: std::collections::BTreeMap<String, String>,
}

impl Default for MathConfig {
    fn default() -> Self {
        Self {
            backslash_delimiters: true,
            macros: std::collections::BTreeMap::new(),
        }
    }
}

impl Default for CalcConfig {
    fn default() -> Self {
        Self { precision: 12 }
    }
}

impl Default for BookConfig {
    /// Every default, and an empty title (which [`Config::parse`] refuses).
    fn default() -> Self {
        Self {
            title: String::new(),
            description: String::new(),
            base_url: default_base_url(),
            language: default_language(),
        }
    }
}

impl BookConfig {
    /// `base-url` when it is an absolute `http://` or `https://` URL (the
    /// sitemap, `robots.txt`'s pointer to it, canonical links and shared
    /// link previews need one), else `None`.
    pub fn absolute_base_url(&self) -> Option<&str> {
        let url = self.base_url.as_str();
        (url.starts_with("https://") || url.starts_with("http://")).then_some(url)
    }

    /// Sets `base-url` as `book.toml` would (with a trailing `/`).
    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = url.to_string();
        if !self.base_url.ends_with('/') {
            self.base_url.push('/');
        }
    }
}

fn default_base_url() -> String {
    "/".to_string()
}

/// Why `url` cannot be a `base-url`, if it cannot: every page's address
/// is appended to it, so a query (`?…`) or a fragment (`#…`) would land
/// in the middle of each one (`…?q=1/a/`).
pub fn base_url_problem(url: &str) -> Option<String> {
    let part = |at: usize| crate::diagnostics::printable(&url[at..]).into_owned();
    if let Some(at) = url.find('?') {
        Some(format!(
            "base-url may not hold a query (`{}`): page addresses are added at its end",
            part(at)
        ))
    } else {
        url.find('#').map(|at| {
            format!(
                "base-url may not hold a fragment (`{}`): page addresses are added at its end",
                part(at)
            )
        })
    }
}

/// The help for a [`base_url_problem`].
pub const BASE_URL_HELP: &str =
    "give only the address of the site's folder, e.g. https://example.org/course/";

/// `--base-url`'s check, for the command line: the URL, or why it is
/// refused (a usage error).
pub fn parse_base_url(url: &str) -> Result<String, String> {
    match base_url_problem(url) {
        Some(problem) => Err(format!("{problem}; {BASE_URL_HELP}")),
        None => Ok(url.to_string()),
    }
}

fn default_language() -> String {
    "en".to_string()
}

impl Config {
    /// Reads `book.toml` in `root`. Every problem found is returned, each
    /// pointing into the file.
    /// Highlight theme names are not checked (see
    /// [`Config::load_with_source`]).
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        Self::load_with_source(root, None).map(|(config, _)| config)
    }

    /// [`Config::load`], also returning the text it was read from (for
    /// pointing at a setting later), and checking the highlight themes
    /// against `themes`, the highlighter's names, when given (the caller
    /// passes them, so that the configuration does not depend on the
    /// highlighter).
    pub fn load_with_source(
        root: &Path,
        themes: Option<&[&str]>,
    ) -> Result<(Config, SourceText), Vec<Diagnostic>> {
        let source = Self::read(root)?;
        let config = Self::parse(&source, themes)?;
        Ok((config, source))
    }

    /// Reads `book.toml` in `root` as text.
    fn read(root: &Path) -> Result<SourceText, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let shown = PathBuf::from(CONFIG_FILE);
        let bytes = match crate::files::read_regular(&path, crate::files::CONFIG_LIMIT) {
            Ok(bytes) => bytes,
            Err(crate::files::ReadError::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![
                    Diagnostic::whole_file(&shown, format!("no {CONFIG_FILE} in {}", root.display()))
                        .with_help("run `gradbook init` to create a site, or pass the folder that holds book.toml"),
                ]);
            }
            Err(err) => return Err(vec![err.diagnostic(&shown)]),
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let source = SourceText::new(&shown, String::from_utf8_lossy(err.as_bytes()));
                let at = err.utf8_error().valid_up_to();
                return Err(vec![Diagnostic::at(
                    &source,
                    at..at + 1,
                    "book.toml is not valid UTF-8",
                )]);
            }
        };
        Ok(SourceText::new(&shown, text))
    }

    /// The highlight themes `book.toml` names that are not among `known`,
    /// each at its value in `source`.
    fn unknown_themes(&self, source: &SourceText, known: &[&str]) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for (key, name) in [
            ("highlight-light", &self.theme.highlight_light),
            ("highlight-dark", &self.theme.highlight_dark),
        ] {
            if known.contains(&name.as_str()) {
                continue;
            }
            let message = format!("unknown highlight theme '{name}'");
            let mut d = match setting_span(source, "theme", key) {
                Some(span) => Diagnostic::at(source, span, message),
                None => Diagnostic::whole_file(&source.path, message),
            }
            .with_note(format!("known themes: {}", known.join(", ")));
            if let Some(best) = did_you_mean(name, known.iter().copied()) {
                d = d.with_help(format!("did you mean '{best}'?"));
            }
            problems.push(d);
        }
        problems
    }

    /// Parses and validates the text of a `book.toml`.
    pub fn parse(source: &SourceText, themes: Option<&[&str]>) -> Result<Config, Vec<Diagnostic>> {
        let document = match DeTable::parse(&source.text) {
            Ok(document) => document,
            Err(err) => return Err(vec![toml_diagnostic(source, &err, 0)]),
        };
        let document = document.get_ref();
        let unknown = unknown_keys(source, document);
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let mut config: Config = match toml::from_str(&source.text) {
            Ok(config) => config,
            Err(err) => return Err(vec![toml_diagnostic(source, &err, 0)]),
        };
        // Values that parsed but are out of range point at themselves.
        let at = |table: &str, key: &str| value_span(document, &[table, key]).unwrap_or(0..0);
        let mut problems = Vec::new();
        if config.book.title.trim().is_empty() {
            problems.push(
                Diagnostic::at(source, at("book", "title"), "book.title is empty")
                    .with_help("give the site a title, e.g. title = \"Gradients from Scratch\""),
            );
        }
        if !(1..=17).contains(&config.calc.precision) {
            problems.push(
                Diagnostic::at(
                    source,
                    at("calc", "precision"),
                    format!(
                        "calc.precision must be between 1 and 17, not {}",
                        config.calc.precision
                    ),
                )
                .with_help("12 is the default"),
            );
        }
        for (name, message) in crate::latex::check_macros(&config.math.macros) {
            let span = value_span(document, &["math", "macros", &name])
                .or_else(|| value_span(document, &["math", "macros"]))
                .unwrap_or(0..0);
            problems.push(Diagnostic::at(source, span, message));
        }
        if let Some(known) = themes {
            problems.extend(config.unknown_themes(source, known));
        }
        if let Some(problem) = base_url_problem(&config.book.base_url) {
            problems.push(
                Diagnostic::at(source, at("book", "base-url"), problem).with_help(BASE_URL_HELP),
            );
        }
        if !config.book.base_url.ends_with('/') {
            config.book.base_url.push('/');
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }
}

/// The tables of `book.toml` and the keys of each, in name order: read
/// from a serialized default, so the struct is the one list of what the
/// file may hold.
pub fn schema() -> Vec<(String, Vec<String>)> {
    let table = toml::Table::try_from(Config::default()).unwrap_or_default();
    table
        .into_iter()
        .map(|(name, value)| {
            let keys = value
                .as_table()
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default();
            (name, keys)
        })
        .collect()
}

/// The span of the value at `path` (table names, then the key) in a
/// parsed `book.toml`.
fn value_span(document: &DeTable<'_>, path: &[&str]) -> Option<Range<usize>> {
    let (last, tables) = path.split_last()?;
    let mut table = document;
    for name in tables {
        match document_get(table, name)?.get_ref() {
            DeValue::Table(inner) => table = inner,
            _ => return None,
        }
    }
    document_get(table, last).map(toml::Spanned::span)
}

fn document_get<'a, 'i>(
    table: &'a DeTable<'i>,
    key: &str,
) -> Option<&'a toml::Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

/// Where the value of `table.key` is written in `source` (a `book.toml`),
/// for pointing at a setting that is valid on its own but refused later
/// (an output folder that would replace the site).
pub fn setting_span(source: &SourceText, table: &str, key: &str) -> Option<Range<usize>> {
    let document = DeTable::parse(&source.text).ok()?;
    value_span(document.get_ref(), &[table, key])
}

/// Every key `book.toml` does not know, each with the closest known key,
/// so that one run reports all of them (serde stops at the first).
fn unknown_keys(source: &SourceText, document: &DeTable<'_>) -> Vec<Diagnostic> {
    let schema = schema();
    let tables: Vec<&str> = schema.iter().map(|(name, _)| name.as_str()).collect();
    let mut problems = Vec::new();
    let mut unknown =
        |key: &toml::Spanned<std::borrow::Cow<'_, str>>, known: &[&str], table: Option<&str>| {
            let message = match table {
                Some(table) => format!("unknown key '{}' in [{table}]", key.get_ref()),
                None => format!("unknown table '{}'", key.get_ref()),
            };
            let d = Diagnostic::at(source, key.span(), message);
            problems.push(match closest(key.get_ref(), known) {
                Some(best) => d.with_help(format!("did you mean '{best}'?")),
                None => d.with_help(format!("known: {}", known.join(", "))),
            });
        };
    for (key, value) in document.iter() {
        match schema
            .iter()
            .find(|(name, _)| name == key.get_ref().as_ref())
        {
            Some((table, keys)) => {
                if let DeValue::Table(inner) = value.get_ref() {
                    let known: Vec<&str> = keys.iter().map(String::as_str).collect();
                    for (inner_key, _) in inner.iter() {
                        if !known.contains(&inner_key.get_ref().as_ref()) {
                            unknown(inner_key, &known, Some(table));
                        }
                    }
                }
            }
            None => unknown(key, &tables, None),
        }
    }
    crate::diagnostics::sort(&mut problems);
    problems
}

/// Turns a toml error into a diagnostic; `offset` is where the parsed text
/// starts within `source` (front matter is parsed from the middle of a file).
pub fn toml_diagnostic(source: &SourceText, err: &toml::de::Error, offset: usize) -> Diagnostic {
    let span = err
        .span()
        .map_or(offset..offset, |s| s.start + offset..s.end + offset);
    serde_diagnostic(source, span, err.message())
}

/// A diagnostic for a serde error message at `span`, with a "did you mean"
/// hint when the message is about an unknown field or variant.
pub fn serde_diagnostic(source: &SourceText, span: Range<usize>, message: &str) -> Diagnostic {
    let message = message.trim().trim_end_matches('.');
    let first_line = message.lines().next().unwrap_or("invalid value");
    let first_line = strip_position_prefix(first_line);
    let mut d = Diagnostic::at(source, span, plain_types(first_line));
    if let Some((word, expected)) = unknown_and_expected(first_line) {
        let candidates: Vec<&str> = expected.iter().map(String::as_str).collect();
        if let Some(best) = closest(&word, &candidates) {
            d = d.with_help(format!("did you mean '{best}'?"));
        } else if !candidates.is_empty() {
            d = d.with_help(format!("known keys: {}", candidates.join(", ")));
        }
    }
    d
}

/// Drops the `error:` and `line L column C:` prefixes some deserializers
/// put on their messages; the diagnostic shows the place itself.
fn strip_position_prefix(message: &str) -> &str {
    let mut rest = message.trim();
    if let Some(r) = rest.strip_prefix("error:") {
        rest = r.trim_start();
    }
    if rest.starts_with("line ")
        && let Some((head, tail)) = rest.split_once(": ")
        && head
            .split_whitespace()
            .all(|w| w == "line" || w == "column" || w.trim_end_matches(',').parse::<u64>().is_ok())
    {
        rest = tail;
    }
    rest
}

/// Rewrites Rust type names in serde messages into words an author knows.
fn plain_types(message: &str) -> String {
    let mut out = message.to_string();
    for (rust, plain) in [
        ("expected i64", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected a sequence", "expected a list"),
        ("expected a borrowed string", "expected a string"),
    ] {
        out = out.replace(rust, plain);
    }
    out
}

/// The closest candidate: a plausible typo of `word`.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    did_you_mean(word, candidates.iter().copied())
}

/// Picks apart serde's "unknown field `x`, expected one of `a`, `b`"
/// (and the `variant` form) into the unknown word and the candidates.
fn unknown_and_expected(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message
        .strip_prefix("unknown field ")
        .or_else(|| message.strip_prefix("unknown variant "))?;
    let mut quoted = rest.split('`').skip(1).step_by(2).map(str::to_string);
    let word = quoted.next()?;
    let mut candidates: Vec<String> = quoted.collect();
    if candidates.is_empty() {
        // Some deserializers list the candidates without backticks.
        if let Some((_, list)) = rest.split_once("expected one of ") {
            candidates = list.split(',').map(|c| c.trim().to_string()).collect();
        } else if let Some((_, one)) = rest.split_once("expected ") {
            candidates = vec![one.trim().to_string()];
        }
    }
    Some((word, candidates))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let themes = crate::markdown::highlight::theme_names();
        Config::parse(&SourceText::new("book.toml", text), Some(&themes))
    }

    #[test]
    fn defaults_fill_everything_but_the_title() {
        let config = parse("[book]\ntitle = \"T\"\n").unwrap();
        assert_eq!(config.book.base_url, "/");
        assert_eq!(config.book.language, "en");
        assert_eq!(config.build.output_dir, PathBuf::from("site"));
        assert_eq!(config.theme.default, ThemeMode::Auto);
        assert_eq!(config.calc.precision, 12);
        assert!(!config.check.strict);
    }

    #[test]
    fn check_strict_is_read_and_its_keys_are_known() {
        let config = parse("[book]\ntitle = \"T\"\n[check]\nstrict = true\n").unwrap();
        assert!(config.check.strict);
        let errs = parse("[book]\ntitle = \"T\"\n[check]\nstrit = true\n").unwrap_err();
        assert_eq!((errs[0].line, errs[0].column), (4, 1));
        assert_eq!(errs[0].help.as_deref(), Some("did you mean 'strict'?"));
        let errs = parse("[book]\ntitle = \"T\"\n[check]\nstrict = \"yes\"\n").unwrap_err();
        assert_eq!(errs[0].line, 4);
    }

    #[test]
    fn the_known_keys_are_the_struct_fields() {
        let schema = schema();
        let names: Vec<&str> = schema.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["book", "build", "calc", "check", "math", "theme"]);
        assert_eq!(
            schema[0].1,
            ["base-url", "description", "language", "title"]
        );
        assert_eq!(schema[1].1, ["content-dir", "drafts", "output-dir"]);
        assert_eq!(schema[2].1, ["precision"]);
        assert_eq!(schema[3].1, ["deny-warnings", "strict"]);
        assert_eq!(schema[4].1, ["backslash-delimiters", "macros"]);
        assert_eq!(
            schema[5].1,
            ["default", "highlight-dark", "highlight-light"]
        );
    }

    #[test]
    fn the_spec_example_is_valid() {
        let spec = include_str!("../docs/SPEC.md");
        let start = spec
            .find("```toml book\n[book]")
            .expect("SPEC has a book.toml example")
            + "```toml book\n".len();
        let end = start + spec[start..].find("```").unwrap();
        let config = parse(&spec[start..end]).unwrap();
        assert_eq!(config.book.title, "Gradients from Scratch");
        assert_eq!(config.calc.precision, 12);
    }

    #[test]
    fn out_of_range_values_are_pointed_at() {
        let errs = parse("[book]\ntitle = \"  \"\n[calc]\n  precision = 0\n").unwrap_err();
        assert_eq!((errs[0].line, errs[0].column, errs[0].width), (2, 9, 4));
        assert_eq!((errs[1].line, errs[1].column, errs[1].width), (4, 15, 1));
        let source = SourceText::new(
            "book.toml",
            "[book]\ntitle = \"T\"\n[build]\noutput-dir = \"x\"\n",
        );
        let span = setting_span(&source, "build", "output-dir").unwrap();
        assert_eq!(&source.text[span], "\"x\"");
    }

    #[test]
    fn only_http_base_urls_are_absolute() {
        for (url, absolute) in [
            ("/", false),
            ("/docs/", false),
            ("https://example.org/course/", true),
            ("http://localhost:3000/", true),
            ("ftp://example.org/", false),
            ("example.org/", false),
        ] {
            let mut config = parse("[book]\ntitle = \"T\"\n").unwrap();
            config.book.set_base_url(url);
            assert_eq!(config.book.absolute_base_url().is_some(), absolute, "{url}");
        }
        let mut config = parse("[book]\ntitle = \"T\"\n").unwrap();
        config.book.set_base_url("https://example.org/course");
        assert_eq!(config.book.base_url, "https://example.org/course/");
    }

    #[test]
    fn a_base_url_with_a_query_or_fragment_is_refused() {
        for (url, what) in [
            ("https://example.org/docs?q=1#x", "query (`?q=1#x`)"),
            ("https://example.org/docs#x", "fragment (`#x`)"),
            ("/docs?", "query (`?`)"),
        ] {
            let text = format!("[book]\ntitle = \"T\"\nbase-url = \"{url}\"\n");
            let problems = parse(&text).unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].message.contains(what), "{problems:?}");
            assert!(parse_base_url(url).unwrap_err().contains(what));
        }
        assert_eq!(
            parse_base_url("https://example.org/docs").unwrap(),
            "https://example.org/docs"
        );
    }

    #[test]
    fn base_url_gets_a_trailing_slash() {
        let config = parse("[book]\ntitle = \"T\"\nbase-url = \"/docs\"\n").unwrap();
        assert_eq!(config.book.base_url, "/docs/");
    }

    #[test]
    fn unknown_key_names_the_closest_one_and_its_line() {
        let errs = parse("[book]\ntitle = \"T\"\n\n[build]\nouput-dir = \"x\"\n").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 5);
        assert_eq!(errs[0].help.as_deref(), Some("did you mean 'output-dir'?"));
    }

    #[test]
    fn a_misspelt_choice_gets_a_hint_from_the_choices() {
        // The hint reads the choices from the deserializer's message; this
        // pins its wording, so an upgrade that changes it fails here
        // instead of silently dropping the hint.
        let errors = parse("[book]\ntitle = \"T\"\n[theme]\ndefault = \"drak\"\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].help.as_deref(), Some("did you mean 'dark'?"));
        assert_eq!((errors[0].line, errors[0].column), (4, 11));
    }

    #[test]
    fn every_unknown_key_is_reported_at_once() {
        let errs =
            parse("[book]\ntitel = \"T\"\n[thme]\nx = 1\n[calc]\nprecison = 3\n").unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 3, 6], "{errs:?}");
        assert_eq!(errs[0].help.as_deref(), Some("did you mean 'title'?"));
        assert_eq!(errs[1].help.as_deref(), Some("did you mean 'theme'?"));
        assert_eq!(errs[2].help.as_deref(), Some("did you mean 'precision'?"));
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let errs = parse("[book]\ntitle = \"T\"\n[calc]\nprecision = \"high\"\n").unwrap_err();
        assert_eq!(errs[0].line, 4);
        assert!(
            errs[0].message.contains("expected a whole number"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn missing_title_is_reported() {
        let errs = parse("[book]\ndescription = \"d\"\n").unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!((errs[0].line, errs[0].column), (1, 1));
        assert!(errs[0].message.contains("title"), "{:?}", errs[0]);
    }

    #[test]
    fn syntax_errors_point_at_the_place() {
        let errs = parse("[book\ntitle = \"T\"\n").unwrap_err();
        assert_eq!((errs[0].line, errs[0].column), (1, 6), "{errs:?}");
        let errs = parse("[book]\ntitle = \"T\"\ntitle = \"U\"\n").unwrap_err();
        assert_eq!((errs[0].line, errs[0].column), (3, 1), "{errs:?}");
        assert!(errs[0].message.contains("duplicate key"), "{errs:?}");
    }

    #[test]
    fn bad_theme_and_precision_are_both_reported() {
        let errs = parse(
            "[book]\ntitle = \"T\"\n[theme]\nhighlight-dark = \"base16-ocean.drak\"\n[calc]\nprecision = 40\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(
            errs.iter().any(|d| d.line == 4
                && d.help
                    .as_deref()
                    .is_some_and(|h| h.contains("base16-ocean.dark"))),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|d| d.line == 6 && d.message.contains("between 1 and 17")),
            "{errs:?}"
        );
    }
}

//! Front matter: the `+++` TOML or `---` YAML header of a Markdown file.
//!
//! [`split`] finds the header and the body without parsing anything;
//! [`parse`] turns the header into [`FrontMatter`]. Every problem (an empty
//! file, no header, an unclosed header, a TOML or YAML error, each unknown
//! key and each wrong value) becomes a [`Diagnostic`] pointing into the
//! file. Only a file whose parts cannot be told apart is an error of
//! [`read`]; a header's problems come beside the body and the keys that
//! could be read, so the body is checked in the same run.

// A `Diagnostic` is the error of a content problem; it is large, but it is
// built only on the error path, so it is not worth boxing.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::ops::Range;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::{serde_diagnostic, toml_diagnostic};
use crate::diagnostics::{Diagnostic, SourceText};

/// The metadata of a lesson or of a section's `_index.md`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FrontMatter {
    /// The page title; required for lessons, optional in `_index.md`.
    #[serde(default)]
    pub title: Option<String>,
    /// One sentence shown in listings.
    #[serde(default)]
    pub summary: String,
    /// Position within the section; unordered pages come last.
    #[serde(default)]
    pub order: Option<i64>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Drafts are built only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// A picture for link previews (OpenGraph and Twitter cards): a file
    /// under `static/` or an absolute `http(s)://` URL.
    #[serde(default)]
    pub image: String,
    /// Anything else a custom template wants, under `[extra]`.
    #[serde(default)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The format of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `+++` lines.
    Toml,
    /// Between `---` lines.
    Yaml,
    /// No front matter: the file starts with a `# Title` heading, which
    /// gives the title and is not part of the body.
    Heading,
}

/// Where the parts of a file are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The header's format.
    pub format: Format,
    /// The opening fence line (for pointing at the header as a whole).
    pub opening: Range<usize>,
    /// The text between the fences.
    pub header: Range<usize>,
    /// Everything after the closing fence line.
    pub body: Range<usize>,
}

/// Finds the front matter of `source`.
pub fn split(source: &SourceText) -> Result<Split, Diagnostic> {
    let text = source.text.as_str();
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if text[start..].trim().is_empty() {
        return Err(Diagnostic::at(source, 0..0, "the file is empty").with_help(
            "a lesson starts with front matter, e.g.\n+++\ntitle = \"My lesson\"\n+++",
        ));
    }
    let first_end = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    let first = text[start..first_end].trim_end();
    let (fence, format) = match first {
        "+++" => ("+++", Format::Toml),
        "---" => ("---", Format::Yaml),
        _ => {
            return heading_split(text, start).ok_or_else(|| {
                Diagnostic::at(
                    source,
                    start..first_end,
                    "the file does not start with front matter",
                )
                .with_label("expected `+++` or a `# Title` heading here")
                .with_help("start the file with\n+++\ntitle = \"My lesson\"\n+++\nor with a heading: # My lesson")
            });
        }
    };
    let opening = start..start + 3;
    let mut offset = first_end;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == fence {
            return Ok(Split {
                format,
                opening,
                header: first_end..offset,
                body: end..text.len(),
            });
        }
        offset = end;
    }
    Err(
        Diagnostic::at(source, opening, "front matter is never closed")
            .with_label("opened here")
            .with_help(format!(
                "add a line `{fence}` after the last front matter line"
            )),
    )
}

/// A file without front matter whose first line that is not blank is a
/// `# Title` heading: the title is the heading's text (closing `#`s
/// dropped), and the body starts on the next line.
fn heading_split(text: &str, start: usize) -> Option<Split> {
    let mut offset = start;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        let line = text[offset..end].trim_end();
        if line.trim().is_empty() {
            offset = end;
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = line[indent..].strip_prefix("# ")?;
        if indent > 3 {
            return None;
        }
        let title = rest.trim().trim_end_matches('#');
        // `# Title #` closes with `#`s after a space; `# C#` keeps its own.
        let title = if title.len() < rest.trim().len() && !title.ends_with(' ') && !title.is_empty()
        {
            rest.trim()
        } else {
            title.trim()
        };
        if title.is_empty() {
            return None;
        }
        let title_start = offset + indent + 2 + (rest.len() - rest.trim_start().len());
        return Some(Split {
            format: Format::Heading,
            opening: offset + indent..offset + indent + 1,
            header: title_start..title_start + title.len(),
            body: end..text.len(),
        });
    }
    None
}

/// Parses the header found by [`split`]: the front matter, with every key
/// that could be read, and every problem of the header (a syntax error,
/// or each unknown key and each value of the wrong kind, all at once).
/// A key whose value is wrong keeps its default.
pub fn parse(source: &SourceText, split: &Split) -> Parsed {
    let header = &source.text[split.header.clone()];
    match split.format {
        Format::Heading => {
            let front = FrontMatter {
                title: Some(header.to_string()),
                ..FrontMatter::default()
            };
            Parsed {
                front,
                ..Parsed::default()
            }
        }
        Format::Yaml if header.trim().is_empty() => Parsed::default(),
        Format::Toml | Format::Yaml => {
            let mut reader = Reader {
                source,
                split,
                problems: Vec::new(),
                wrong_keys: Vec::new(),
            };
            // Most headers are right: one parse says so.
            let whole = match reader.parse::<FrontMatter>() {
                Ok(front) => {
                    return Parsed {
                        front,
                        ..Parsed::default()
                    };
                }
                Err(d) => d,
            };
            // A syntax error (or a header that is no table of keys) stops
            // here: no key can be trusted past it.
            if let Err(d) = reader.parse::<BTreeMap<String, serde::de::IgnoredAny>>() {
                return Parsed {
                    problems: vec![d],
                    wrong_keys: KNOWN_KEYS.to_vec(),
                    ..Parsed::default()
                };
            }
            let mut problems = unknown_keys(source, split);
            let front = FrontMatter {
                title: reader.key::<TitleKey>(),
                summary: reader.key::<SummaryKey>().unwrap_or_default(),
                order: reader.key::<OrderKey>(),
                tags: reader.key::<TagsKey>().unwrap_or_default(),
                draft: reader.key::<DraftKey>().unwrap_or_default(),
                image: reader.key::<ImageKey>().unwrap_or_default(),
                extra: reader.key::<ExtraKey>().unwrap_or_default(),
            };
            problems.append(&mut reader.problems);
            if problems.is_empty() {
                // What only the whole header shows (no key alone has it).
                problems.push(whole);
            }
            problems.sort_by_key(|d| (d.line, d.column));
            Parsed {
                front,
                problems,
                wrong_keys: reader.wrong_keys,
            }
        }
    }
}

/// What [`parse`] makes of a header.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The front matter; a key whose value is wrong has its default.
    pub front: FrontMatter,
    /// Every problem, in the order of the file.
    pub problems: Vec<Diagnostic>,
    /// The keys whose values could not be read: each is wrong, or a
    /// syntax error hides them all.
    pub wrong_keys: Vec<&'static str>,
}

/// One key of the front matter, read on its own from the whole header by
/// the header's own parser (TOML or YAML), so that its error has that
/// parser's place and no other key's problem hides it.
trait OneKey: DeserializeOwned {
    type Value;
    const KEY: &'static str;
    fn value(self) -> Option<Self::Value>;
}

macro_rules! one_key {
    ($name:ident, $key:literal, $ty:ty) => {
        #[derive(Deserialize)]
        struct $name {
            #[serde(rename = $key, default)]
            value: Option<$ty>,
        }
        impl OneKey for $name {
            type Value = $ty;
            const KEY: &'static str = $key;
            fn value(self) -> Option<$ty> {
                self.value
            }
        }
    };
}

one_key!(TitleKey, "title", String);
one_key!(SummaryKey, "summary", String);
one_key!(OrderKey, "order", i64);
one_key!(TagsKey, "tags", Vec<String>);
one_key!(DraftKey, "draft", bool);
one_key!(ImageKey, "image", String);
one_key!(ExtraKey, "extra", BTreeMap<String, serde_json::Value>);
// The same keys read as text, to say how to write a value that is text
// where a list, a number or true/false belongs.
one_key!(TagsText, "tags", String);
one_key!(OrderText, "order", String);
one_key!(DraftText, "draft", String);

/// Reads the keys of one TOML or YAML header, collecting the problems.
struct Reader<'a> {
    source: &'a SourceText,
    split: &'a Split,
    problems: Vec<Diagnostic>,
    wrong_keys: Vec<&'static str>,
}

impl Reader<'_> {
    fn toml(&self) -> bool {
        self.split.format == Format::Toml
    }

    /// The whole header as a `T`, or its first problem.
    fn parse<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        let header = &self.source.text[self.split.header.clone()];
        if self.toml() {
            toml::from_str(header)
                .map_err(|err| toml_diagnostic(self.source, &err, self.split.header.start))
        } else {
            serde_saphyr::from_str(header)
                .map_err(|err| yaml_diagnostic(self.source, self.split, &err))
        }
    }

    /// The value of key `K`, or `None` when it is not there or is wrong
    /// (then its problem is kept, with the way to write it).
    fn key<K: OneKey>(&mut self) -> Option<K::Value> {
        match self.parse::<K>() {
            Ok(found) => found.value(),
            Err(d) => {
                let d = self.explain(K::KEY, d);
                self.problems.push(d);
                self.wrong_keys.push(K::KEY);
                None
            }
        }
    }

    /// Says what kind of value `key` takes and how to write it, from what
    /// the file has there.
    fn explain(&self, key: &str, d: Diagnostic) -> Diagnostic {
        let toml = self.toml();
        let assign = |value: &str| {
            if toml {
                format!("{key} = {value}")
            } else {
                format!("{key}: {value}")
            }
        };
        let text = |found: Result<Option<String>, Diagnostic>| found.ok().flatten();
        match key {
            "tags" => match text(self.parse::<TagsText>().map(OneKey::value)) {
                Some(words) => {
                    let words: Vec<&str> = words
                        .split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|w| !w.is_empty())
                        .collect();
                    let words = if words.is_empty() { vec!["calculus"] } else { words };
                    let list = if toml {
                        words.iter().map(|w| format!("{w:?}")).collect::<Vec<_>>()
                    } else {
                        words.iter().map(ToString::to_string).collect()
                    };
                    reword(d, "tags is a list, not one text")
                        .with_help(format!("write a list: {}", assign(&format!("[{}]", list.join(", ")))))
                }
                None => d.with_help(format!(
                    "tags is a list of words: {}",
                    assign(if toml { "[\"calculus\", \"optimization\"]" } else { "[calculus, optimization]" })
                )),
            },
            "order" => match text(self.parse::<OrderText>().map(OneKey::value)) {
                Some(number) if number.trim().parse::<i64>().is_ok() => reword(d, "order is a number, not text")
                    .with_help(format!("write it without quotes: {}", assign(number.trim()))),
                Some(_) => reword(d, "order is a whole number, not text")
                    .with_help(format!("write a whole number (lower comes first): {}", assign("1"))),
                None => d.with_help(format!(
                    "order is a whole number (lower comes first): {}",
                    assign("1")
                )),
            },
            "draft" => {
                let word = text(self.parse::<DraftText>().map(OneKey::value));
                let meant = word.as_deref().map(|w| w.trim().to_ascii_lowercase());
                let d = if word.is_some() {
                    reword(d, "draft is true or false, not text")
                } else {
                    d
                };
                match meant.as_deref() {
                    Some("yes" | "y" | "on" | "true" | "1") => {
                        d.with_help(format!("write {}", assign("true")))
                    }
                    Some("no" | "n" | "off" | "false" | "0") => {
                        d.with_help(format!("write {}", assign("false")))
                    }
                    _ => d.with_help(format!("draft is true or false: {}", assign("true"))),
                }
            }
            "extra" if toml => d.with_help(
                "extra is a table: a line [extra] after gradbook's own keys, then one key = value a line",
            ),
            "extra" => d.with_help("extra is a mapping: a line extra: then one indented key: value a line"),
            _ => d.with_help(format!("{key} is text: {}", assign("\"…\""))),
        }
    }
}

/// `d` with the message `message`: the place stays, the wording says
/// what the key takes.
fn reword(mut d: Diagnostic, message: &str) -> Diagnostic {
    d.message = message.to_string();
    d
}

/// A YAML error as a diagnostic at its place in the file.
fn yaml_diagnostic(source: &SourceText, split: &Split, err: &serde_saphyr::Error) -> Diagnostic {
    let span = err.location().map_or(split.opening.clone(), |loc| {
        let line = source.locate(split.header.start).0 + loc.line() as usize - 1;
        let start = source.line_start(line);
        let line_text = source.line_text(line);
        let col = line_text
            .char_indices()
            .nth((loc.column() as usize).saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        start + col..start + line_text.len().max(col + 1)
    });
    let message = err.to_string();
    let message = message.lines().next().unwrap_or("invalid YAML").to_string();
    let message = strip_location_suffix(&message);
    serde_diagnostic(source, span, message)
}

/// serde-saphyr appends " at line L column C" to messages; the diagnostic
/// shows the place itself.
fn strip_location_suffix(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// A file's front matter as read: what it says, where its parts are, and
/// every problem of it.
#[derive(Debug, Clone)]
pub struct Read {
    /// The front matter; a key whose value is wrong has its default.
    pub front: FrontMatter,
    /// Where the header and the body are.
    pub split: Split,
    /// The attribute block (`{#id .class}`) of the title heading, when the
    /// title comes from a `# Title` heading that has one.
    pub title_attributes: TitleAttributes,
    /// Every problem of the front matter (the body is still worth reading).
    pub problems: Vec<Diagnostic>,
    /// The keys whose values could not be read (see [`Parsed`]): `front`
    /// has their defaults.
    pub wrong_keys: Vec<&'static str>,
}

/// The id and classes the title heading's attribute block gives the
/// page's title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TitleAttributes {
    /// `{#id}`.
    pub id: Option<String>,
    /// `{.class}`, in order.
    pub classes: Vec<String>,
}

/// Splits and parses in one go. The error is a file whose parts cannot be
/// told apart (empty, no header, a header never closed); a header with
/// problems still gives the body, with the problems beside it.
pub fn read(source: &SourceText) -> Result<Read, Vec<Diagnostic>> {
    let mut split = split(source).map_err(|d| vec![d])?;
    let mut title_attributes = TitleAttributes::default();
    if split.format == Format::Heading {
        let (text, attributes) = title_and_attributes(&source.text[split.header.clone()]);
        split.header = split.header.start..split.header.start + text.len();
        title_attributes = attributes;
    }
    let Parsed {
        front,
        problems,
        wrong_keys,
    } = parse(source, &split);
    let mut read = Read {
        front,
        split,
        title_attributes,
        problems,
        wrong_keys,
    };
    without_repeated_title(source, &mut read);
    Ok(read)
}

/// A heading's text without its attribute block, and what the block says.
fn title_and_attributes(heading: &str) -> (&str, TitleAttributes) {
    match crate::markdown::trailing_attributes(heading) {
        Some(block) => (
            &heading[..block.text_len],
            TitleAttributes {
                id: block.id,
                classes: block.classes,
            },
        ),
        None => (heading, TitleAttributes::default()),
    }
}

/// A body that opens with a `# Title` heading repeating the front matter's
/// title starts after it: the page shows its title once, as its one `<h1>`,
/// which takes the heading's attribute block.
fn without_repeated_title(source: &SourceText, read: &mut Read) {
    let (Format::Toml | Format::Yaml, Some(title)) = (read.split.format, &read.front.title) else {
        return;
    };
    if let Some(heading) = heading_split(&source.text, read.split.body.start) {
        let (text, attributes) = title_and_attributes(&source.text[heading.header.clone()]);
        if text.trim() == title.trim() {
            read.split.body = heading.body;
            read.title_attributes = attributes;
        }
    }
}

/// The keys front matter knows.
const KNOWN_KEYS: &[&str] = &[
    "title", "summary", "order", "tags", "draft", "image", "extra",
];

/// Every top-level key of the header that gradbook does not know, each an
/// error at the key with what to do instead: for keys other tools use, the
/// gradbook way; else the closest known key or the hint to move it under
/// `extra`.
fn unknown_keys(source: &SourceText, split: &Split) -> Vec<Diagnostic> {
    let base = split.header.start;
    let header = &source.text[split.header.clone()];
    let keys: Vec<(String, Range<usize>)> = match split.format {
        Format::Heading => Vec::new(),
        Format::Toml => match toml::de::DeTable::parse(header) {
            Ok(table) => table
                .get_ref()
                .iter()
                .map(|(key, _)| (key.get_ref().to_string(), key.span()))
                .collect(),
            Err(_) => Vec::new(),
        },
        Format::Yaml => yaml_top_keys(header),
    };
    let toml = split.format == Format::Toml;
    let extra = if toml { "[extra]" } else { "extra:" };
    keys.into_iter()
        .filter(|(key, _)| !KNOWN_KEYS.contains(&key.as_str()))
        .map(|(key, span)| {
            let d = Diagnostic::at(
                source,
                base + span.start..base + span.end,
                format!("unknown front matter key '{key}'"),
            );
            if let Some(help) = foreign_key_help(&key, toml) {
                return d.with_help(help);
            }
            match crate::diagnostics::did_you_mean(&key, KNOWN_KEYS.iter().copied()) {
                Some(best) => d.with_help(format!(
                    "did you mean '{best}'? (a key of your own goes under {extra}, where templates see it)"
                )),
                None => d.with_help(format!(
                    "move it under {extra}, where templates see it; gradbook's own keys are {}",
                    KNOWN_KEYS.join(", ")
                )),
            }
        })
        .collect()
}

/// What to write in gradbook for a key that Jekyll, Hugo, Zola, mdBook,
/// MyST or Docusaurus front matter has: the gradbook key that means the
/// same, or why it is not needed.
fn foreign_key_help(key: &str, toml: bool) -> Option<String> {
    let extra = if toml { "[extra]" } else { "extra:" };
    let assign = |k: &str, v: &str| {
        if toml {
            format!("{k} = {v}")
        } else {
            format!("{k}: {v}")
        }
    };
    let tags = if toml { "[\"a\", \"b\"]" } else { "[a, b]" };
    Some(match key.to_ascii_lowercase().as_str() {
        "description" | "excerpt" | "abstract" | "subtitle" => {
            "gradbook calls this summary: rename it to summary".to_string()
        }
        "weight" | "nav_order" | "sidebar_position" | "position" => {
            "gradbook calls this order: rename it to order (a whole number; lower comes first)"
                .to_string()
        }
        "published" => format!(
            "gradbook has draft, its opposite: write {} for {}, and drop {}",
            assign("draft", "true"),
            assign("published", "false"),
            assign("published", "true")
        ),
        "categories" | "category" | "keywords" | "tag" => {
            format!("gradbook has tags: {}", assign("tags", tags))
        }
        "cover" | "thumbnail" | "featured_image" | "og_image" | "banner" | "images" => {
            "gradbook calls this image (one picture for shared links): rename it to image"
                .to_string()
        }
        "permalink" | "slug" | "url" => "a page's URL comes from its file name \
             (what-is-a-derivative.md becomes what-is-a-derivative/): rename the file and drop this key"
            .to_string(),
        "aliases" | "redirect_from" => {
            "gradbook writes no redirect pages: drop it".to_string()
        }
        "layout" | "template" => format!(
            "every lesson uses the lesson template (templates/lesson.html replaces it for all): drop it, or move it under {extra} for a template of your own to read"
        ),
        "toc" => "every lesson lists its headings under \"On this page\" by itself: drop it".to_string(),
        "math" | "mathjax" | "katex" => {
            "formulas between $ signs are rendered on every page: drop it".to_string()
        }
        "sidebar" | "sidebar_label" | "nav_exclude" => {
            "every page has the sidebar, which lists the lessons by their titles: drop it".to_string()
        }
        "comments" => format!(
            "gradbook has no comments: drop it, or move it under {extra} for a template of your own"
        ),
        "date" | "lastmod" | "updated" | "author" | "authors" => format!(
            "gradbook does not use it: move it under {extra}, where templates see it as page.extra.{key}, or drop it"
        ),
        _ => return None,
    })
}

/// The top-level keys of a YAML header (lines that start with a plain key
/// and a colon), with their ranges in the header.
fn yaml_top_keys(header: &str) -> Vec<(String, Range<usize>)> {
    let mut keys = Vec::new();
    let mut at = 0;
    for line in header.split_inclusive('\n') {
        let start = at;
        at += line.len();
        if line.starts_with([' ', '\t', '#', '-', '\r', '\n', '"', '\'', '?', '[', '{']) {
            continue;
        }
        if let Some(colon) = line.find(':')
            && line[colon + 1..].starts_with([' ', '\t', '\r', '\n']) | line[colon + 1..].is_empty()
        {
            let key = line[..colon].trim_end();
            keys.push((key.to_string(), start..start + key.len()));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> SourceText {
        SourceText::new("content/a.md", text)
    }

    /// The front matter and split of a file that has no problem.
    fn ok(source: &SourceText) -> (FrontMatter, Split) {
        let read = read(source).unwrap();
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        (read.front, read.split)
    }

    /// The problems of a file whose front matter is there but wrong.
    fn problems(source: &SourceText) -> Vec<Diagnostic> {
        let read = read(source).unwrap();
        assert!(!read.problems.is_empty(), "no problem in {:?}", source.text);
        read.problems
    }

    #[test]
    fn toml_front_matter_and_body() {
        let s = src("+++\ntitle = \"A\"\norder = 2\ntags = [\"x\"]\n+++\n# Body\n");
        let (fm, split) = ok(&s);
        assert_eq!(fm.title.as_deref(), Some("A"));
        assert_eq!(fm.order, Some(2));
        assert_eq!(fm.tags, ["x"]);
        assert_eq!(&s.text[split.body], "# Body\n");
    }

    #[test]
    fn yaml_front_matter() {
        let s = src("---\ntitle: B\ndraft: true\n---\nbody");
        let (fm, split) = ok(&s);
        assert_eq!(fm.title.as_deref(), Some("B"));
        assert!(fm.draft);
        assert_eq!(&s.text[split.body], "body");
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let s = src("\u{feff}+++\r\ntitle = \"C\"\r\n+++\r\nbody\r\n");
        let (fm, _) = ok(&s);
        assert_eq!(fm.title.as_deref(), Some("C"));
    }

    #[test]
    fn a_heading_that_repeats_the_title_is_not_part_of_the_body() {
        let text = "+++\ntitle = \"Alpha\"\n+++\n\n# Alpha\n\nText.\n";
        let source = SourceText::new("a.md", text);
        let (_, split) = ok(&source);
        assert_eq!(&text[split.body.clone()], "\nText.\n");
        let other = "+++\ntitle = \"Alpha\"\n+++\n# Beta\nText.\n";
        let source = SourceText::new("b.md", other);
        let (_, split) = ok(&source);
        assert_eq!(
            &other[split.body.clone()],
            "# Beta\nText.\n",
            "a different heading stays"
        );
    }

    #[test]
    fn a_title_heading_stands_for_front_matter() {
        for (text, title, body) in [
            ("# Gradient descent\nText.\n", "Gradient descent", "Text.\n"),
            (
                "\n  # Closing hashes ##\n\nText",
                "Closing hashes",
                "\nText",
            ),
            ("# Notes on C#\n", "Notes on C#", ""),
        ] {
            let s = src(text);
            let (fm, split) = ok(&s);
            assert_eq!(fm.title.as_deref(), Some(title), "{text:?}");
            assert_eq!(&s.text[split.header.clone()], title);
            assert_eq!(&s.text[split.body], body);
        }
        for text in [
            "## Second level\n",
            "#\n",
            "Text first\n# Title\n",
            "    # code\n",
        ] {
            let d = read(&src(text)).unwrap_err().remove(0);
            assert!(
                d.message.contains("does not start with front matter"),
                "{text:?}: {d}"
            );
        }
    }

    #[test]
    fn empty_file_is_an_error_at_line_one() {
        let d = read(&src("  \n")).unwrap_err().remove(0);
        assert_eq!(d.line, 1);
        assert!(d.message.contains("empty"));
    }

    #[test]
    fn unclosed_front_matter_points_at_the_opening_fence() {
        let d = read(&src("\n+++\ntitle = \"x\"\nbody\n"))
            .unwrap_err()
            .remove(0);
        assert!(d.message.contains("front matter"), "{d}");
        let d = read(&src("+++\ntitle = \"x\"\nbody\n"))
            .unwrap_err()
            .remove(0);
        assert_eq!((d.line, d.column), (1, 1));
        assert!(d.message.contains("never closed"));
    }

    #[test]
    fn toml_type_error_points_into_the_header() {
        let d = problems(&src("+++\ntitle = \"x\"\norder = \"first\"\n+++\n")).remove(0);
        assert_eq!((d.line, d.column), (3, 9), "{d}");
        assert_eq!(d.message, "order is a whole number, not text");
        let d = problems(&src("+++\ntitle = \"x\"\norder = 1.5\n+++\n")).remove(0);
        assert!(d.message.contains("expected a whole number"), "{d}");
    }

    /// The problems as (line, column, message, help).
    fn listed(ds: &[Diagnostic]) -> Vec<(usize, usize, &str, &str)> {
        ds.iter()
            .map(|d| {
                (
                    d.line,
                    d.column,
                    d.message.as_str(),
                    d.help.as_deref().unwrap_or(""),
                )
            })
            .collect()
    }

    #[test]
    fn every_bad_key_and_value_of_toml_is_reported_at_once() {
        let s = src(concat!(
            "+++\n",
            "title = \"Descent\"\n",
            "order = \"3\"\n",
            "draft = \"yes\"\n",
            "tags = \"a b, c\"\n",
            "layout = \"post\"\n",
            "summary = \"fine\"\n",
            "weight = 2\n",
            "+++\n",
            "Body\n",
        ));
        let read = read(&s).unwrap();
        assert_eq!(
            listed(&read.problems),
            [
                (
                    3,
                    9,
                    "order is a number, not text",
                    "write it without quotes: order = 3"
                ),
                (
                    4,
                    9,
                    "draft is true or false, not text",
                    "write draft = true"
                ),
                (
                    5,
                    8,
                    "tags is a list, not one text",
                    "write a list: tags = [\"a\", \"b\", \"c\"]"
                ),
                (
                    6,
                    1,
                    "unknown front matter key 'layout'",
                    "every lesson uses the lesson template (templates/lesson.html replaces it for all): \
                     drop it, or move it under [extra] for a template of your own to read"
                ),
                (
                    8,
                    1,
                    "unknown front matter key 'weight'",
                    "gradbook calls this order: rename it to order (a whole number; lower comes first)"
                ),
            ]
        );
        // What could be read is kept; the rest has its default.
        assert_eq!(read.front.title.as_deref(), Some("Descent"));
        assert_eq!(read.front.summary, "fine");
        assert_eq!((read.front.order, read.front.draft), (None, false));
        assert!(read.front.tags.is_empty());
        assert_eq!(read.wrong_keys, ["order", "tags", "draft"]);
        assert_eq!(&s.text[read.split.body], "Body\n");
    }

    #[test]
    fn every_bad_key_and_value_of_yaml_is_reported_at_once() {
        let s = src(concat!(
            "---\n",
            "title: Descent\n",
            "tags: a b c\n",
            "order: one\n",
            "draft: maybe\n",
            "published: false\n",
            "description: Steps downhill.\n",
            "image: [a.png]\n",
            "---\n",
            "Body\n",
        ));
        let read = read(&s).unwrap();
        let found = listed(&read.problems);
        assert_eq!(
            found[..5],
            [
                (
                    3,
                    7,
                    "tags is a list, not one text",
                    "write a list: tags: [a, b, c]"
                ),
                (
                    4,
                    8,
                    "order is a whole number, not text",
                    "write a whole number (lower comes first): order: 1"
                ),
                (
                    5,
                    8,
                    "draft is true or false, not text",
                    "draft is true or false: draft: true"
                ),
                (
                    6,
                    1,
                    "unknown front matter key 'published'",
                    "gradbook has draft, its opposite: write draft: true for published: false, \
                     and drop published: true"
                ),
                (
                    7,
                    1,
                    "unknown front matter key 'description'",
                    "gradbook calls this summary: rename it to summary"
                ),
            ],
            "{found:#?}"
        );
        assert_eq!(found.len(), 6, "{found:#?}");
        assert_eq!((found[5].0, found[5].3), (8, "image is text: image: \"…\""));
        assert_eq!(read.front.title.as_deref(), Some("Descent"));
    }

    #[test]
    fn a_syntax_error_is_one_problem_and_the_body_is_still_found() {
        let s = src("+++\ntitle = \"x\nauthor = 1\n+++\nBody\n");
        let read = read(&s).unwrap();
        assert_eq!(read.problems.len(), 1, "{:?}", read.problems);
        assert_eq!(read.problems[0].line, 2);
        assert!(
            read.wrong_keys.contains(&"title"),
            "so no missing title too"
        );
        assert_eq!(&s.text[read.split.body], "Body\n");
        let s = src("---\n- a\n- b\n---\nBody\n");
        assert_eq!(problems(&s).len(), 1);
    }

    #[test]
    fn keys_of_other_tools_say_what_gradbook_does_instead() {
        for (key, toml_help, yaml_help) in [
            ("slug", "rename the file", "rename the file"),
            ("categories", "tags = [\"a\", \"b\"]", "tags: [a, b]"),
            ("date", "under [extra]", "under extra:"),
            ("math", "drop it", "drop it"),
            ("toc", "On this page", "On this page"),
            ("thumbnail", "rename it to image", "rename it to image"),
        ] {
            let d = problems(&src(&format!("+++\ntitle = \"x\"\n{key} = 1\n+++\n"))).remove(0);
            assert!(
                d.help.as_deref().unwrap().contains(toml_help),
                "{key}: {d:?}"
            );
            let d = problems(&src(&format!("---\ntitle: x\n{key}: 1\n---\n"))).remove(0);
            assert!(
                d.help.as_deref().unwrap().contains(yaml_help),
                "{key}: {d:?}"
            );
        }
    }

    #[test]
    fn a_title_heading_gives_its_attribute_block_to_the_title() {
        let s = src("# Gradient descent {#descent .wide}\nText.\n");
        let read = super::read(&s).unwrap();
        assert_eq!(read.front.title.as_deref(), Some("Gradient descent"));
        assert_eq!(&s.text[read.split.header.clone()], "Gradient descent");
        assert_eq!(
            read.title_attributes,
            TitleAttributes {
                id: Some("descent".into()),
                classes: vec!["wide".into()]
            }
        );
        // Braces that are no attribute block are text.
        let s = src("# The set {1, 2}\n");
        let read = super::read(&s).unwrap();
        assert_eq!(read.front.title.as_deref(), Some("The set {1, 2}"));
        assert_eq!(read.title_attributes, TitleAttributes::default());
        // A body's heading that repeats the title gives its block too.
        let s = src("+++\ntitle = \"Alpha\"\n+++\n# Alpha {#top}\nText.\n");
        let read = super::read(&s).unwrap();
        assert_eq!(&s.text[read.split.body], "Text.\n");
        assert_eq!(read.title_attributes.id.as_deref(), Some("top"));
    }

    #[test]
    fn a_wrong_title_is_one_problem_of_the_title() {
        let read = read(&src("+++\ntitle = 3\n+++\n")).unwrap();
        assert_eq!(read.wrong_keys, ["title"]);
        assert_eq!(
            read.problems[0].help.as_deref(),
            Some("title is text: title = \"…\"")
        );
    }

    #[test]
    fn numbers_too_large_are_errors_at_the_value() {
        let d = problems(&src(
            "+++\ntitle = \"x\"\norder = 99999999999999999999\n+++\n",
        ))
        .remove(0);
        assert_eq!((d.line, d.column), (3, 9), "{d}");
        let d = problems(&src("---\ntitle: x\norder: 99999999999999999999\n---\n")).remove(0);
        assert_eq!((d.line, d.column), (3, 8), "{d}");
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let ds = problems(&src("+++\ntitel = \"x\"\n+++\n"));
        assert_eq!(ds.len(), 1);
        assert_eq!((ds[0].line, ds[0].column), (2, 1));
        assert!(
            ds[0]
                .help
                .as_deref()
                .unwrap()
                .starts_with("did you mean 'title'?")
        );
    }

    #[test]
    fn every_unknown_key_is_reported_with_the_way_to_extra() {
        let ds = problems(&src(
            "+++\ntitle = \"x\"\nauthor = \"A\"\nweight = 3\n[extra]\nok = 1\n+++\n",
        ));
        let found: Vec<(usize, &str)> = ds.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(
            found,
            [
                (3, "unknown front matter key 'author'"),
                (4, "unknown front matter key 'weight'")
            ]
        );
        assert!(
            ds[0].help.as_deref().unwrap().contains("under [extra]"),
            "{:?}",
            ds[0].help
        );
        let ds = problems(&src(
            "---\ntitle: x\nauthor: A\nlayout: post\nextra:\n  ok: 1\n---\n",
        ));
        assert_eq!(ds.len(), 2, "{ds:?}");
        assert_eq!((ds[1].line, ds[1].column), (4, 1));
        assert!(
            ds[1].help.as_deref().unwrap().contains("under extra:"),
            "{:?}",
            ds[1].help
        );
    }

    #[test]
    fn yaml_unknown_key_suggests_the_closest() {
        let ds = problems(&src("---\ntitle: x\nsumary: y\n---\n"));
        assert_eq!(ds[0].line, 3, "{:?}", ds[0]);
        assert!(
            ds[0]
                .help
                .as_deref()
                .unwrap()
                .starts_with("did you mean 'summary'?")
        );
    }

    #[test]
    fn yaml_errors_have_a_line() {
        let d = problems(&src("---\ntitle: x\norder: [1\n---\n")).remove(0);
        assert_eq!((d.line, d.column), (3, 8), "{d}");
        let d = problems(&src("---\ntitle: x\ntags: 3\n---\n")).remove(0);
        assert_eq!((d.line, d.column), (3, 7), "{d}");
    }
}

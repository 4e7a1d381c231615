//! Front matter: the `+++` TOML or `---` YAML header of a Markdown file.
//!
//! [`split`] finds the header and the body without parsing anything;
//! [`parse`] turns the header into [`FrontMatter`]. Every problem (an empty
//! file, no header, an unclosed header, a TOML or YAML error, an unknown
//! key) becomes a [`Diagnostic`] pointing into the file.

// A `Diagnostic` is the error of a content problem; it is large, but it is
// built only on the error path, so it is not worth boxing.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::ops::Range;

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

/// Parses the header found by [`split`].
pub fn parse(source: &SourceText, split: &Split) -> Result<FrontMatter, Diagnostic> {
    let header = &source.text[split.header.clone()];
    match split.format {
        Format::Heading => Ok(FrontMatter {
            title: Some(header.to_string()),
            ..FrontMatter::default()
        }),
        Format::Toml => {
            toml::from_str(header).map_err(|err| toml_diagnostic(source, &err, split.header.start))
        }
        Format::Yaml => {
            if header.trim().is_empty() {
                return Ok(FrontMatter::default());
            }
            serde_saphyr::from_str(header).map_err(|err| {
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
            })
        }
    }
}

/// serde-saphyr appends " at line L column C" to messages; the diagnostic
/// shows the place itself.
fn strip_location_suffix(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// Splits and parses in one go, returning the front matter and the body,
/// or every problem: all unknown keys at once, else the first other one.
pub fn read(source: &SourceText) -> Result<(FrontMatter, Split), Vec<Diagnostic>> {
    let split = split(source).map_err(|d| vec![d])?;
    let unknown = unknown_keys(source, &split);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let front = parse(source, &split).map_err(|d| vec![d])?;
    let split = without_repeated_title(source, split, &front);
    Ok((front, split))
}

/// A body that opens with a `# Title` heading repeating the front matter's
/// title starts after it: the page shows its title once, as its one `<h1>`.
fn without_repeated_title(source: &SourceText, mut split: Split, front: &FrontMatter) -> Split {
    let (Format::Toml | Format::Yaml, Some(title)) = (split.format, &front.title) else {
        return split;
    };
    if let Some(heading) = heading_split(&source.text, split.body.start)
        && source.text[heading.header.clone()].trim() == title.trim()
    {
        split.body = heading.body;
    }
    split
}

/// The keys front matter knows.
const KNOWN_KEYS: &[&str] = &[
    "title", "summary", "order", "tags", "draft", "image", "extra",
];

/// Every top-level key of the header that gradbook does not know, each an
/// error at the key with the closest known key or the hint to move it
/// under `extra` (serde alone stops at the first). A header that does not
/// parse has none here; its error comes from [`parse`].
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
    let extra = match split.format {
        Format::Yaml => "extra:",
        _ => "[extra]",
    };
    keys.into_iter()
        .filter(|(key, _)| !KNOWN_KEYS.contains(&key.as_str()))
        .map(|(key, span)| {
            let d = Diagnostic::at(
                source,
                base + span.start..base + span.end,
                format!("unknown front matter key '{key}'"),
            );
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

    #[test]
    fn toml_front_matter_and_body() {
        let s = src("+++\ntitle = \"A\"\norder = 2\ntags = [\"x\"]\n+++\n# Body\n");
        let (fm, split) = read(&s).unwrap();
        assert_eq!(fm.title.as_deref(), Some("A"));
        assert_eq!(fm.order, Some(2));
        assert_eq!(fm.tags, ["x"]);
        assert_eq!(&s.text[split.body], "# Body\n");
    }

    #[test]
    fn yaml_front_matter() {
        let s = src("---\ntitle: B\ndraft: true\n---\nbody");
        let (fm, split) = read(&s).unwrap();
        assert_eq!(fm.title.as_deref(), Some("B"));
        assert!(fm.draft);
        assert_eq!(&s.text[split.body], "body");
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let s = src("\u{feff}+++\r\ntitle = \"C\"\r\n+++\r\nbody\r\n");
        let (fm, _) = read(&s).unwrap();
        assert_eq!(fm.title.as_deref(), Some("C"));
    }

    #[test]
    fn a_heading_that_repeats_the_title_is_not_part_of_the_body() {
        let text = "+++\ntitle = \"Alpha\"\n+++\n\n# Alpha\n\nText.\n";
        let source = SourceText::new("a.md", text);
        let (_, split) = read(&source).unwrap();
        assert_eq!(&text[split.body.clone()], "\nText.\n");
        let other = "+++\ntitle = \"Alpha\"\n+++\n# Beta\nText.\n";
        let source = SourceText::new("b.md", other);
        let (_, split) = read(&source).unwrap();
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
            let (fm, split) = read(&s).unwrap();
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
        let d = read(&src("+++\ntitle = \"x\"\norder = \"first\"\n+++\n"))
            .unwrap_err()
            .remove(0);
        assert_eq!((d.line, d.column), (3, 9), "{d}");
        assert!(d.message.contains("expected a whole number"), "{d}");
    }

    #[test]
    fn numbers_too_large_are_errors_at_the_value() {
        let d = read(&src(
            "+++\ntitle = \"x\"\norder = 99999999999999999999\n+++\n",
        ))
        .unwrap_err()
        .remove(0);
        assert_eq!((d.line, d.column), (3, 9), "{d}");
        let d = read(&src("---\ntitle: x\norder: 99999999999999999999\n---\n"))
            .unwrap_err()
            .remove(0);
        assert_eq!((d.line, d.column), (3, 8), "{d}");
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let ds = read(&src("+++\ntitel = \"x\"\n+++\n")).unwrap_err();
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
        let ds = read(&src(
            "+++\ntitle = \"x\"\nauthor = \"A\"\nweight = 3\n[extra]\nok = 1\n+++\n",
        ))
        .unwrap_err();
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
        let ds = read(&src(
            "---\ntitle: x\nauthor: A\nlayout: post\nextra:\n  ok: 1\n---\n",
        ))
        .unwrap_err();
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
        let ds = read(&src("---\ntitle: x\nsumary: y\n---\n")).unwrap_err();
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
        let d = read(&src("---\ntitle: x\norder: [1\n---\n"))
            .unwrap_err()
            .remove(0);
        assert_eq!((d.line, d.column), (3, 8), "{d}");
        let d = read(&src("---\ntitle: x\ntags: 3\n---\n"))
            .unwrap_err()
            .remove(0);
        assert_eq!((d.line, d.column), (3, 7), "{d}");
    }
}

//! The search index, built from the rendered pages at build time.
//!
//! [`build`] takes every searchable page (lessons and section pages) with
//! its rendered body and writes the files of `search/` in the output:
//!
//! - `search/index.js`, the manifest: the index's version, the stemming
//!   rule, and the first term of every term shard;
//! - `search/t/N.js`, the term shards: terms in sorted order (UTF-16 code
//!   unit order, which is how the script compares strings), each with its
//!   postings;
//! - `search/p/N.js`, one per page: its URL, title, and the text of each of
//!   its sections, from which the script picks the section to link to and
//!   cuts the snippet.
//!
//! Every file is a script that hands its data to
//! `gradbookSearch.load(name, data)` (defined by `assets/search.js`), so
//! the index loads with `<script>` elements, which browsers allow on
//! `file://` where `fetch` is blocked. The script loads the manifest on the
//! first keystroke, then only the shards its query's terms fall in, then
//! the page files of the results it shows, so what a query costs depends
//! on the query and not on the size of the site. Why this design rather
//! than an existing engine is in ARCHITECTURE.md.
//!
//! A posting is one number per page a term occurs on:
//! `(page - previous page) * 32 + weight`, where the weight's bits say
//! whether the term is in the page's title ([`TITLE`]), a heading or tag
//! ([`HEADING`]), a question or prompt ([`QUESTION`]), and how often it
//! occurs in the text (0 to 3, [`COUNT`]). Output is deterministic: pages
//! keep their reading order, terms are sorted, nothing depends on hashing.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use bytes::Bytes;
use rayon::prelude::*;
use serde::Serialize;

pub mod text;
pub mod words;

pub use words::Stemming;

/// The folder of the index in the output.
pub const DIR: &str = "search/";

/// A term shard is cut before it grows past this many bytes (a single
/// term's postings can make a larger one: one number per page, at most
/// about 3 bytes each for a term on every page).
pub const SHARD_BYTES: usize = 32 * 1024;

/// Weight bit: the term is in the page's title.
pub const TITLE: u8 = 16;
/// Weight bit: the term is in one of the page's headings or tags.
pub const HEADING: u8 = 8;
/// Weight bit: the term is in a question or prompt (flashcard front,
/// interview question, component title).
pub const QUESTION: u8 = 4;
/// Weight bits: how often the term occurs in the text, capped at 3.
pub const COUNT: u8 = 3;

/// A page's terms and their weights, compactly (a build keeps one per
/// page until the index is assembled): the terms one after another, each
/// ended by a newline (a term holds no white space), and their weights in
/// the same order.
#[derive(Debug, Clone, Default)]
struct PageTerms {
    terms: String,
    weights: Vec<u8>,
}

impl PageTerms {
    fn iter(&self) -> impl Iterator<Item = (&str, u8)> {
        self.terms
            .split_terminator('\n')
            .zip(self.weights.iter().copied())
    }
}

/// A file of the index: its path and its bytes (shared, so that a page's
/// own file is not copied when the index is assembled again).
type File = (String, Bytes);

/// One page to index.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// URL relative to the site root (`calculus/intro/`).
    pub url: &'a str,
    /// The page's title.
    pub title: &'a str,
    /// The title of the section it is in (empty at the top level), shown
    /// with results.
    pub section: &'a str,
    /// The summary from the front matter (may be empty).
    pub summary: &'a str,
    /// Tags from the front matter.
    pub tags: &'a [String],
    /// The rendered body.
    pub html: &'a str,
    /// The page's own headings (id, plain text), as in its table of
    /// contents.
    pub headings: Vec<(&'a str, &'a str)>,
}

/// The index's files.
#[derive(Debug, Default)]
pub struct Index {
    /// Output paths (under [`DIR`]) and contents.
    pub files: Vec<File>,
    /// A hash of the index, which pages pass to the script so that a
    /// browser never mixes files of two builds.
    pub version: String,
}

/// A page's data as the script reads it (`search/p/N.js`).
#[derive(Serialize)]
struct PageRecord<'a> {
    url: &'a str,
    title: &'a str,
    #[serde(rename = "in")]
    section: &'a str,
    /// `[id, heading, text]` per section.
    sections: Vec<[&'a str; 3]>,
}

/// The manifest (`search/index.js`).
#[derive(Serialize)]
struct Manifest<'a> {
    version: &'a str,
    stem: &'static str,
    pages: usize,
    /// The first term of each shard, in order.
    shards: Vec<&'a str>,
}

/// Builds the index of `pages` (their order is the order of ties in
/// ranking: reading order); its version is `version`.
pub fn build(pages: &[Page<'_>], stemming: Stemming, version: &str) -> Index {
    let analysed: Vec<Analysed> = pages
        .par_iter()
        .enumerate()
        .map(|(id, page)| analyse(id, page, stemming))
        .collect();
    assemble(&analysed.iter().collect::<Vec<_>>(), stemming, version)
}

/// One page, analysed: its terms with their weights and its own file. The
/// build analyses each page as soon as it is rendered (and `serve` keeps
/// the analysis with the page), then [`assemble`]s the index once.
#[derive(Debug, Clone)]
pub struct Analysed {
    terms: PageTerms,
    file: File,
}

/// The index of pages already [`analyse`]d, numbered in the order given
/// (which must be the order their ids were given in).
pub fn assemble(analysed: &[&Analysed], stemming: Stemming, version: &str) -> Index {
    let pages = analysed.len();
    let term_lists: Vec<&PageTerms> = analysed.iter().map(|a| &a.terms).collect();
    let distinct = term_lists
        .iter()
        .map(|t| t.weights.len())
        .max()
        .unwrap_or(0);
    let mut postings: FastMap<&str, Vec<(u32, u8)>> =
        FastMap::with_capacity_and_hasher(distinct * 4, Default::default());
    for (id, terms) in term_lists.iter().enumerate() {
        let id = u32::try_from(id).expect("fewer than 4 billion pages");
        for (term, weight) in terms.iter() {
            postings.entry(term).or_default().push((id, weight));
        }
    }
    let mut terms: Vec<(&str, Vec<(u32, u8)>)> = postings.into_iter().collect();
    sort_terms(&mut terms);
    // Each term as it is written in its shard: `"term"` and `[postings]`.
    let entries: Vec<(String, String)> = terms
        .par_iter()
        .map(|(term, list)| (json(term), encode_postings(list)))
        .collect();

    let mut files = Vec::new();
    let mut firsts = Vec::new();
    for (n, shard) in shards(&entries).into_iter().enumerate() {
        firsts.push(terms.get(shard.start).map_or("", |t| t.0));
        let entries = &entries[shard];
        let mut body = String::from("{\"terms\":[");
        body.push_str(
            &entries
                .iter()
                .map(|e| e.0.as_str())
                .collect::<Vec<_>>()
                .join(","),
        );
        body.push_str("],\"postings\":[");
        body.push_str(
            &entries
                .iter()
                .map(|e| e.1.as_str())
                .collect::<Vec<_>>()
                .join(","),
        );
        body.push_str("]}");
        files.push(script(&format!("t/{n}"), &body));
    }
    files.extend(analysed.iter().map(|a| a.file.clone()));
    let manifest = Manifest {
        version,
        stem: stemming.name(),
        pages,
        shards: firsts,
    };
    files.push(script("index", &json(&manifest)));
    Index {
        files,
        version: version.to_string(),
    }
}

/// The page numbered `id`: its terms with their weights and its file,
/// `search/p/N.js`.
pub fn analyse(id: usize, page: &Page<'_>, stemming: Stemming) -> Analysed {
    let sections = text::sections(page.html, &page.headings);
    let indexed: Vec<_> = sections.iter().map(text::Passage::indexed_text).collect();
    let mut weights: FastMap<String, u8> = FastMap::default();
    let mut mark = |text: &str, bit: u8| {
        words::each_word(text, stemming, |term, _| match weights.get_mut(term) {
            Some(weight) => *weight |= bit,
            None => {
                weights.insert(term.to_string(), bit);
            }
        });
    };
    mark(page.title, TITLE);
    for tag in page.tags {
        mark(tag, HEADING);
    }
    for (section, text) in sections.iter().zip(&indexed) {
        mark(&section.heading, HEADING);
        for range in &section.questions {
            mark(&text[range.clone()], QUESTION);
        }
    }
    let mut count = |text: &str| {
        words::each_word(text, stemming, |term, _| match weights.get_mut(term) {
            Some(weight) if *weight & COUNT < COUNT => *weight += 1,
            Some(_) => {}
            None => {
                weights.insert(term.to_string(), 1);
            }
        });
    };
    count(page.summary);
    for text in &indexed {
        count(text);
    }
    // In no particular order: postings follow page order whatever the
    // order of a page's terms.
    let mut terms = PageTerms::default();
    for (term, weight) in weights {
        terms.terms.push_str(&term);
        terms.terms.push('\n');
        terms.weights.push(weight);
    }
    terms.terms.shrink_to_fit();

    // The summary reads as the start of the first section.
    let first = match (page.summary.is_empty(), sections[0].text.is_empty()) {
        (true, _) => sections[0].text.clone(),
        (false, true) => page.summary.to_string(),
        (false, false) => format!("{} {}", page.summary, sections[0].text),
    };
    let record = PageRecord {
        url: page.url,
        title: page.title,
        section: page.section,
        sections: sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let text = if i == 0 {
                    first.as_str()
                } else {
                    s.text.as_str()
                };
                [s.id.as_str(), s.heading.as_str(), text]
            })
            .collect(),
    };
    Analysed {
        terms,
        file: script(&format!("p/{id}"), &json(&record)),
    }
}

/// Sorts terms in UTF-16 code unit order, the order of the script's string
/// comparisons. That is byte order unless a term holds a character from
/// U+E000 up (the two orders differ only between those and the ones beyond
/// U+FFFF), so the slower comparison is needed only then.
fn sort_terms<T: Send>(terms: &mut [(&str, T)]) {
    if terms.iter().all(|(t, _)| t.chars().all(|c| c < '\u{e000}')) {
        terms.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    } else {
        terms.par_sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    }
}

/// Cuts the sorted `entries` (term and postings as written) into shards
/// of at most [`SHARD_BYTES`] each, unless one term alone is larger, as
/// ranges of indices. There is always at least one shard.
fn shards(entries: &[(String, String)]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, (term, postings)) in entries.iter().enumerate() {
        let cost = term.len() + postings.len() + 2;
        if size + cost > SHARD_BYTES && i > start {
            out.push(start..i);
            start = i;
            size = 0;
        }
        size += cost;
    }
    if start < entries.len() || out.is_empty() {
        out.push(start..entries.len());
    }
    out
}

/// `[v1,v2,…]` for the postings `list` (pages in increasing order).
fn encode_postings(list: &[(u32, u8)]) -> String {
    let mut out = String::with_capacity(list.len() * 3 + 2);
    out.push('[');
    let mut previous = 0;
    for (i, &(page, weight)) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let value = u64::from(page - previous) * 32 + u64::from(weight);
        let _ = write!(out, "{value}");
        previous = page;
    }
    out.push(']');
    out
}

/// A script file that hands `data` (JSON) to the search script.
fn script(name: &str, data: &str) -> File {
    let text = format!("gradbookSearch.load({},{data});\n", json(&name));
    (format!("{DIR}{name}.js"), Bytes::from(text))
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

/// A hash map keyed by short strings with the FNV-1a hash, which is much
/// faster than the default (DoS-resistant) hash for them; its keys come
/// from the site's own text, and its order is never looked at.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// FNV-1a as a [`Hasher`].
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv1a(self.0, bytes);
    }
}

/// Continues a 64-bit FNV-1a hash over `bytes`.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page<'a>(url: &'a str, title: &'a str, html: &'a str) -> Page<'a> {
        Page {
            url,
            title,
            section: "",
            summary: "",
            tags: &[],
            html,
            headings: Vec::new(),
        }
    }

    #[test]
    fn terms_sort_in_utf16_order() {
        let mut terms = vec![("b", ()), ("\u{ffa1}x", ()), ("\u{10000}", ()), ("a", ())];
        sort_terms(&mut terms);
        let order: Vec<&str> = terms.iter().map(|t| t.0).collect();
        // U+10000 is the surrogate pair D800 DC00, below FFA1.
        assert_eq!(order, ["a", "b", "\u{10000}", "\u{ffa1}x"]);
        let mut plain = vec![("gradient", ()), ("grad", ()), ("descent", ())];
        sort_terms(&mut plain);
        assert_eq!(
            plain.iter().map(|t| t.0).collect::<Vec<_>>(),
            ["descent", "grad", "gradient"]
        );
    }

    #[test]
    fn postings_are_page_deltas_times_32_plus_weights() {
        assert_eq!(encode_postings(&[(0, 17), (3, 1), (4, 8)]), "[17,97,40]");
        assert_eq!(encode_postings(&[]), "[]");
    }

    #[test]
    fn shards_are_cut_at_the_size_bound_but_never_split_a_term() {
        let entry = |len: usize| (String::from("\"t\""), "1".repeat(len));
        let entries = vec![
            entry(SHARD_BYTES / 2),
            entry(SHARD_BYTES / 2),
            entry(SHARD_BYTES * 2),
            entry(1),
        ];
        assert_eq!(shards(&entries), [0..1, 1..2, 2..3, 3..4]);
        let small: Vec<_> = (0..10).map(|_| entry(10)).collect();
        assert_eq!(shards(&small), std::iter::once(0..10).collect::<Vec<_>>());
        assert_eq!(shards(&[]), std::iter::once(0..0).collect::<Vec<_>>());
    }

    #[test]
    fn the_same_pages_give_the_same_bytes_and_the_version_given() {
        let pages = [
            page("a/", "Gradient descent", "<p>Steps downhill.</p>"),
            page("b/", "Momentum", "<p>Gradient with memory.</p>"),
        ];
        let one = build(&pages, Stemming::English, "v1");
        let two = build(&pages, Stemming::English, "v1");
        assert_eq!(one.files, two.files);
        assert_eq!(one.version, "v1");
        let manifest = String::from_utf8(one.files.last().unwrap().1.to_vec()).unwrap();
        assert!(manifest.contains("\"version\":\"v1\""), "{manifest}");
        let other = build(&pages[..1], Stemming::English, "v1");
        assert_ne!(one.files, other.files);
        let names: Vec<&str> = one.files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "search/t/0.js",
                "search/p/0.js",
                "search/p/1.js",
                "search/index.js"
            ]
        );
        let shard = String::from_utf8(one.files[0].1.to_vec()).unwrap();
        let data = shard
            .strip_prefix("gradbookSearch.load(\"t/0\",")
            .and_then(|s| s.strip_suffix(");\n"))
            .expect("a load() call");
        let data: serde_json::Value = serde_json::from_str(data).unwrap();
        let terms = data["terms"].as_array().unwrap();
        let at = terms.iter().position(|t| t == "gradient").unwrap();
        // Page 0 has it in its title (16), page 1 once in its text (1):
        // 0 * 32 + 16, then (1 - 0) * 32 + 1.
        assert_eq!(data["postings"][at], serde_json::json!([16, 33]));
    }
}

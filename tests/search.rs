//! The search index written by `gradbook build`: what text it holds and
//! with which weight, which it leaves out, the anchors of its sections,
//! the search box on every page, and the size of its shards on a large
//! generated site. (Searching in a browser is `tests/search_browser.rs`.)

use std::collections::BTreeMap;
use std::path::Path;

use gradbook::search::{COUNT, HEADING, QUESTION, SHARD_BYTES, TITLE};
use serde_json::Value;

use crate::support::SiteTest;

#[path = "../benches/corpus.rs"]
#[allow(dead_code)]
mod corpus;

/// The index of a built site, read back from its script files.
struct Index {
    manifest: Value,
    /// Term → (page, weight) for every page it occurs on.
    terms: BTreeMap<String, Vec<(usize, u8)>>,
    /// `search/p/N.js` in order.
    pages: Vec<Value>,
    /// Size in bytes and number of terms of each shard file.
    shards: Vec<(usize, usize)>,
}

impl Index {
    fn read(site: &Path) -> Index {
        let dir = site.join("search");
        let manifest = payload(&dir.join("index.js"), "index");
        let mut terms = BTreeMap::new();
        let mut shards = Vec::new();
        let count = manifest["shards"].as_array().expect("shards").len();
        for n in 0..count {
            let path = dir.join(format!("t/{n}.js"));
            let shard = payload(&path, &format!("t/{n}"));
            let names = shard["terms"].as_array().expect("terms");
            let postings = shard["postings"].as_array().expect("postings");
            assert_eq!(names.len(), postings.len());
            assert_eq!(
                manifest["shards"][n],
                names.first().cloned().unwrap_or_else(|| "".into()),
                "the manifest names each shard's first term"
            );
            shards.push((
                std::fs::metadata(&path).unwrap().len() as usize,
                names.len(),
            ));
            for (name, list) in names.iter().zip(postings) {
                let mut page = 0;
                let decoded = list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| {
                        let v = v.as_u64().unwrap();
                        page += (v / 32) as usize;
                        (page, (v % 32) as u8)
                    })
                    .collect();
                let name = name.as_str().unwrap().to_string();
                assert!(
                    terms.insert(name, decoded).is_none(),
                    "a term in two shards"
                );
            }
        }
        let pages = (0..manifest["pages"].as_u64().unwrap())
            .map(|n| payload(&dir.join(format!("p/{n}.js")), &format!("p/{n}")))
            .collect();
        Index {
            manifest,
            terms,
            pages,
            shards,
        }
    }

    /// The page number of the page at `url`.
    fn page(&self, url: &str) -> usize {
        self.pages
            .iter()
            .position(|p| p["url"] == url)
            .unwrap_or_else(|| panic!("{url} is not indexed"))
    }

    /// The weight of `term` on the page at `url`, if it is indexed there.
    fn weight(&self, term: &str, url: &str) -> Option<u8> {
        let page = self.page(url);
        self.terms
            .get(term)?
            .iter()
            .find(|(p, _)| *p == page)
            .map(|(_, w)| *w)
    }
}

/// The data a `gradbookSearch.load("name", data);` script hands over.
fn payload(path: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let prefix = format!(
        "gradbookSearch.load({},",
        serde_json::to_string(name).unwrap()
    );
    let json = text
        .strip_prefix(&prefix)
        .and_then(|t| t.strip_suffix(");\n"))
        .unwrap_or_else(|| panic!("{} is not a load() call: {text:.80}", path.display()));
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const LESSON: &str = r#"+++
title = "Understanding Backpropagation"
summary = "How errors flow backwards through a network."
tags = ["autodiff"]
+++

Chains of functions compose, and their derivatives multiply.

## Local gradients

Every node computes a jacobian of its outputs.

```calc
>>> zorblax(w) = 7*w**2
>>> zorblax'(3)
42
```

The slope is `= zorblax'(3)` at $w = 3$, and $$\mathrm{quintessence}(w)$$ stays a formula.

::: flashcards Recall the rules
### What does the sigmoidal squashing do?
It maps reals into the unit interval, like a thermostat.
:::

## Interviews

::: interview Questions for the whiteboard
### Why would gradients vanish in deep networks?
Repeated multiplication by small factors shrinks them.

#### Senior angle
Residual connections give the gradient a highway.
:::

::: checklist Practice
- [ ] Derive the update for a perceptron
:::

::: reorder Order the pass
1. Forward activations
2. Backward deltas
:::

::: note Aside
Momentum remembers the previous direction.
:::
"#;

fn built_lesson() -> (SiteTest, Index) {
    let site = SiteTest::new()
        .file("content/networks/_index.md", "+++\ntitle = \"Neural networks\"\nsummary = \"Layers of differentiable functions.\"\n+++\nThe section introduction mentions cybernetics.\n")
        .file("content/networks/backprop.md", LESSON)
        .lesson("other.md", "Other lesson", "Nothing about it.\n")
        .lesson("networks/draft.md", "Draft", "")
        .file(
            "content/networks/draft.md",
            "+++\ntitle = \"Unfinished\"\ndraft = true\n+++\nSecret xylophone.\n",
        );
    site.build().success();
    let index = Index::read(&site.root().join("site"));
    (site, index)
}

#[test]
fn every_kind_of_text_is_indexed_with_its_weight() {
    let (_site, index) = built_lesson();
    let url = "networks/backprop/";
    let weight = |term: &str| {
        index
            .weight(term, url)
            .unwrap_or_else(|| panic!("'{term}' is not indexed"))
    };
    // Title words (plurals stemmed), headings and tags.
    assert_ne!(weight("backpropagation") & TITLE, 0);
    assert_ne!(weight("understanding") & TITLE, 0);
    assert_ne!(weight("gradient") & HEADING, 0, "from 'Local gradients'");
    assert_ne!(weight("interview") & HEADING, 0);
    assert_ne!(weight("autodiff") & HEADING, 0, "a tag");
    // Questions and prompts: card fronts, interview questions, titles.
    for term in ["sigmoidal", "vanish", "whiteboard", "recall"] {
        assert_ne!(weight(term) & QUESTION, 0, "{term}");
    }
    // Prose, card backs, answers, senior angles, checklists, reorder
    // items, callouts, the summary.
    for term in [
        "chain",
        "jacobian",
        "thermostat",
        "multiplication",
        "highway",
        "perceptron",
        "delta",
        "momentum",
        "error",
    ] {
        let w = weight(term);
        assert_ne!(w & COUNT, 0, "{term}: {w}");
        assert_eq!(w & (TITLE | QUESTION), 0, "{term}: {w}");
    }
    // Counted up to three.
    assert_eq!(weight("the") & COUNT, 3);
}

#[test]
fn calc_output_formulas_numbers_and_component_chrome_are_not_indexed() {
    let (_site, index) = built_lesson();
    for term in [
        "zorblax",      // a calc definition
        "transcript",   // the calc block's toggle
        "quintessence", // a display formula
        "flip",         // flashcards' instructions
        "tap",
        "shuffle",   // reorder buttons
        "correct",   // "The correct order" (the repeated solution)
        "xylophone", // a draft
    ] {
        assert!(!index.terms.contains_key(term), "'{term}' is indexed");
    }
    assert!(
        index
            .terms
            .keys()
            .all(|t| !t.chars().all(|c| c.is_ascii_digit())),
        "numbers are indexed"
    );
    // Inline values and formulas still read in the text shown with results.
    let page = &index.pages[index.page("networks/backprop/")];
    let local = page["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[0] == "local-gradients")
        .expect("a section for 'Local gradients'");
    let text = local[2].as_str().unwrap();
    assert!(text.contains("The slope is 42 at w=3"), "{text}");
    assert!(!text.contains("zorblax"), "{text}");
}

#[test]
fn sections_follow_the_page_headings_and_their_anchors() {
    let (site, index) = built_lesson();
    let html = site.page("networks/backprop/");
    let record = &index.pages[index.page("networks/backprop/")];
    assert_eq!(record["title"], "Understanding Backpropagation");
    assert_eq!(record["in"], "Neural networks");
    let sections = record["sections"].as_array().unwrap();
    let ids: Vec<&str> = sections.iter().map(|s| s[0].as_str().unwrap()).collect();
    assert_eq!(ids, ["", "local-gradients", "interviews"]);
    for section in &sections[1..] {
        let id = section[0].as_str().unwrap();
        assert_eq!(
            html.text(&format!(".prose h2[id='{id}']")),
            [section[1].as_str().unwrap()],
            "the anchor #{id} is the heading's"
        );
    }
    let text = |i: usize| sections[i][2].as_str().unwrap();
    assert!(
        text(0).starts_with("How errors flow backwards through a network. Chains of functions")
    );
    assert!(text(1).contains("What does the sigmoidal squashing do?"));
    assert!(text(2).contains("Residual connections give the gradient a highway."));
    assert!(text(2).contains("Momentum remembers"));
}

#[test]
fn section_pages_are_indexed_but_not_the_home_page() {
    let (site, index) = built_lesson();
    let urls: Vec<&str> = index
        .pages
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    // Lessons in reading order, then sections.
    assert_eq!(urls, ["other/", "networks/backprop/", "networks/"]);
    assert_ne!(index.weight("cybernetic", "networks/").unwrap() & COUNT, 0);
    assert_ne!(index.weight("neural", "networks/").unwrap() & TITLE, 0);
    assert_eq!(index.manifest["stem"], "s");
    assert_eq!(index.manifest["pages"], 3);
    let version = index.manifest["version"].as_str().unwrap();
    for (url, root) in [
        ("", "./"),
        ("networks/", "../"),
        ("networks/backprop/", "../../"),
    ] {
        let page = site.page(url);
        assert_eq!(
            page.attr("[data-search]", "data-search-root"),
            [root],
            "{url}"
        );
        assert_eq!(page.attr("[data-search]", "data-search-version"), [version]);
    }
}

#[test]
fn the_search_box_is_a_combobox_hidden_without_javascript() {
    let site = SiteTest::new().lesson("a.md", "A", "Text.\n");
    site.build().success();
    let page = site.page("a/");
    assert!(
        page.has(".topbar [data-search][hidden]"),
        "shown before the script runs"
    );
    let input = "[data-search] input[role=combobox]";
    assert_eq!(page.attr(input, "aria-expanded"), ["false"]);
    assert_eq!(page.attr(input, "aria-autocomplete"), ["list"]);
    let list = page.attr(input, "aria-controls");
    assert!(page.has(&format!("#{}[role=listbox]", list[0])));
    assert!(page.has("[data-search] [role=status]"));
    assert!(!page.attr(input, "aria-label")[0].is_empty());
    assert!(
        page.attr("script[src]", "src")
            .contains(&"../assets/search.js".to_string())
    );
    assert!(site.has_output("assets/search.js"));
    assert!(
        site.output("assets/gradbook.css").contains(".search"),
        "the search box styles travel with the theme"
    );
}

#[test]
fn other_languages_are_not_stemmed_and_any_script_is_searchable() {
    let site = SiteTest::new()
        .file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"fr\"\n")
        .lesson(
            "a.md",
            "Dérivées partielles",
            "Les gradients du réseau. 梯度下降.\n",
        );
    site.build().success();
    let index = Index::read(&site.root().join("site"));
    assert_eq!(index.manifest["stem"], "");
    for term in ["derivees", "partielles", "gradients", "reseau", "梯", "降"] {
        assert!(
            index.terms.contains_key(term),
            "'{term}' missing: {:?}",
            index.terms.keys()
        );
    }
}

#[test]
fn a_site_without_lessons_has_an_empty_index() {
    let site = SiteTest::new().file("content/_index.md", "+++\ntitle = \"Home\"\n+++\nSoon.\n");
    site.build().success();
    let index = Index::read(&site.root().join("site"));
    assert_eq!(index.manifest["pages"], 0);
    assert!(index.terms.is_empty());
}

/// At 2,000 generated pages (a debug build of 10,000 takes minutes; the
/// measurement at 10,000 is in ARCHITECTURE.md), every shard keeps to its
/// bound, the shards are in order, and a query for the commonest word
/// loads far less than 300 KB.
#[test]
fn shards_stay_within_their_bound_on_a_large_site() {
    let site = SiteTest::new();
    corpus::write_site(site.root(), 40, 50).unwrap();
    site.run(&["build", "--quiet"]).success();
    let out = site.root().join("site");
    let index = Index::read(&out);
    assert_eq!(index.pages.len(), 2040, "2,000 lessons and 40 sections");
    let wrapper = "gradbookSearch.load(\"t/999\",{\"terms\":[],\"postings\":[]});\n".len();
    for (n, &(bytes, terms)) in index.shards.iter().enumerate() {
        assert!(
            bytes <= SHARD_BYTES + wrapper || terms == 1,
            "shard {n} has {terms} terms in {bytes} bytes"
        );
    }
    let firsts: Vec<Vec<u16>> = index.manifest["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().encode_utf16().collect())
        .collect();
    assert!(
        firsts.windows(2).all(|w| w[0] < w[1]),
        "shards out of order"
    );
    assert!(
        index.terms.len() > 10_000,
        "only {} terms",
        index.terms.len()
    );

    // The commonest word: the manifest, its shard and the ten biggest page
    // files (what a first query can load at most).
    let size = |rel: &str| {
        std::fs::metadata(out.join("search").join(rel))
            .unwrap()
            .len()
    };
    let (common, _) = index.terms.iter().max_by_key(|(_, p)| p.len()).unwrap();
    let shard = firsts
        .iter()
        .rposition(|f| *f <= common.encode_utf16().collect::<Vec<_>>())
        .unwrap();
    let mut page_sizes: Vec<u64> = (0..index.pages.len())
        .map(|n| size(&format!("p/{n}.js")))
        .collect();
    page_sizes.sort_unstable();
    let first_query = size("index.js")
        + size(&format!("t/{shard}.js"))
        + page_sizes.iter().rev().take(10).sum::<u64>();
    assert!(
        first_query < 150_000,
        "a first query loads {first_query} bytes"
    );
}

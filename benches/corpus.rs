//! A generator of realistic synthetic sites, for benchmarks and for trying
//! gradbook on thousands of pages.
//!
//! Every lesson has front matter, prose, headings, display and inline math,
//! a highlighted Rust block, a calc block (definition, derivative, nudge and
//! a short descent, all with expected outputs left open so they are filled
//! in), inline values, a flashcard deck, a checklist and a link to the next
//! lesson, so a build exercises every stage. A paragraph of made-up words
//! drawn from a large vocabulary ([`vocabulary_paragraph`]) gives the site
//! a realistic spread of words for the search index.
//!
//! [`Style::Long`] lessons are about 950 words of prose with two code
//! blocks and more math, like a real course page; [`Style::Compact`] ones
//! are a fraction of that, so small benchmarks stay quick. One section of
//! many lessons is the "flat" layout; many sections the "sectioned" one.
//!
//! Used as a module by `benches/build.rs` and `examples/corpus.rs`.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// How much each lesson holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // each user of this module uses one style
pub(crate) enum Style {
    /// A short lesson that still exercises every stage.
    Compact,
    /// About 950 words, two code blocks, more math: a real course page.
    Long,
}

/// Writes a site with `sections` sections of `per_section` compact
/// lessons into `root` (which must exist and be empty).
#[allow(dead_code)] // used by the benchmarks, not by the example
pub(crate) fn write_site(root: &Path, sections: usize, per_section: usize) -> io::Result<()> {
    write_site_with(root, sections, per_section, Style::Compact)
}

/// Writes a site with `sections` sections of `per_section` lessons of the
/// given style into `root` (which must exist and be empty).
pub(crate) fn write_site_with(
    root: &Path,
    sections: usize,
    per_section: usize,
    style: Style,
) -> io::Result<()> {
    fs::write(
        root.join("book.toml"),
        "[book]\ntitle = \"Synthetic corpus\"\ndescription = \"Generated for benchmarks.\"\n",
    )?;
    let content = root.join("content");
    fs::create_dir_all(&content)?;
    for s in 0..sections {
        let dir = content.join(format!("section-{s:03}"));
        fs::create_dir_all(&dir)?;
        fs::write(
            dir.join("_index.md"),
            format!("+++\ntitle = \"Section {s}\"\norder = {s}\n+++\n\nLessons of section {s}.\n"),
        )?;
        for l in 0..per_section {
            let next = (l + 1 < per_section).then(|| format!("lesson-{:03}.md", l + 1));
            let mut text = lesson(s, l, next.as_deref());
            if style == Style::Long {
                text.push_str(&long_part(s, l));
            }
            fs::write(dir.join(format!("lesson-{l:03}.md")), text)?;
        }
    }
    Ok(())
}

/// The Markdown of one lesson. Coefficients vary with the indices so no two
/// lessons compute the same thing.
pub(crate) fn lesson(section: usize, index: usize, next: Option<&str>) -> String {
    let a = section % 7 + 1;
    let b = index % 5 + 1;
    let mut md = String::new();
    let _ = write!(
        md,
        "+++\ntitle = \"Lesson {section}.{index}\"\nsummary = \"Quadratic number {b} of section {section}.\"\norder = {index}\ntags = [\"calculus\"]\n+++\n\n"
    );
    let _ = write!(
        md,
        "## The loss\n\nWe study $J(w) = {a} w^2 + {b} w$ and step downhill with\n\n\
         $$w \\leftarrow w - \\alpha \\frac{{dJ}}{{dw}}$$\n\n\
         ```calc\n>>> J(w) = {a}*w**2 + {b}*w\n>>> diff(J(w), w)\n>>> J'(2)\n\
         >>> nudge(J, w=2, eps=0.001)\n>>> descent(J, w=3, alpha=0.05, steps=10)\n```\n\n\
         So the slope at $w = 1$ is `= J'(1)`.\n\n"
    );
    md.push_str(
        "## In code\n\n```rust\nfn grad(w: f64, a: f64, b: f64) -> f64 {\n    2.0 * a * w + b\n}\n```\n\n",
    );
    let _ = write!(
        md,
        "::: flashcards Check yourself\n### What is J'(2)?\n`= J'(2)`\n\n### What is J(0)?\n`= J(0)`\n:::\n\n\
         ::: checklist Steps\n- [ ] Differentiate\n- [ ] Evaluate\n- [ ] Step downhill\n:::\n\n"
    );
    md.push_str("## Notes\n\n");
    md.push_str(&vocabulary_paragraph(section, index));
    md.push_str("\n\n");
    if let Some(next) = next {
        let _ = writeln!(md, "Continue with [the next lesson]({next}#the-loss).");
    }
    md
}

/// Words for the generated prose.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "the", "slope", "of", "a", "curve", "tells", "us", "how", "fast", "loss", "changes", "when",
    "we", "nudge", "weight", "gradient", "points", "uphill", "so", "descent", "steps", "against", "it", "learning",
    "rate", "controls", "size", "each", "step", "too", "large", "overshoots", "small", "crawls", "towards", "minimum",
    "derivative", "is", "limit", "ratio", "change", "function", "value", "model", "training", "data", "error", "squared",
    "mean", "bowl", "shaped", "surface", "partial", "variable", "chain", "rule", "multiplies", "local", "slopes",
];

/// About 800 more words: prose sections, a Python block and more math.
fn long_part(section: usize, index: usize) -> String {
    let mut md = String::new();
    let mut seed = (section * 7919 + index * 104_729 + 1) as u64;
    let mut word = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        WORDS[(seed >> 33) as usize % WORDS.len()]
    };
    for part in 0..4 {
        let _ = writeln!(md, "\n## Part {part} of the story\n");
        for _ in 0..3 {
            let sentence: Vec<&str> = (0..66).map(|_| word()).collect();
            let _ = writeln!(
                md,
                "{}, with $w_{part}$ and $\\alpha = 0.{part}$ in mind.\n",
                sentence.join(" ")
            );
        }
    }
    let _ = write!(
        md,
        "\n```python\nimport numpy as np\n\ndef descend(w, alpha=0.1, steps=10):\n    \
         for _ in range(steps):\n        w = w - alpha * 2 * w  # the slope of w**2\n    \
         return w\n\nprint(descend(np.float64({index}.0)))\n```\n\n\
         $$\\nabla J(w_1, w_2) = \\begin{{pmatrix}} 2 w_1 \\\\ 4 w_2 \\end{{pmatrix}}$$\n"
    );
    md
}

/// How many different made-up words the corpus draws from.
pub(crate) const VOCABULARY: u64 = 50_000;

/// A paragraph of 120 made-up words for one lesson. Word ranks are drawn
/// log-uniformly from [`VOCABULARY`] (a few words are very common, most
/// are rare, as in real text), with a generator seeded by the lesson's
/// position, so the corpus is the same on every run.
pub(crate) fn vocabulary_paragraph(section: usize, index: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "ta", "so", "vi", "de", "pa", "gu", "fe", "zo", "bi", "ha",
        "ly",
    ];
    let mut state = (section as u64) << 32 | index as u64;
    let mut next = || {
        // SplitMix64.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut words = Vec::with_capacity(120);
    for _ in 0..120 {
        let unit = (next() >> 11) as f64 / (1u64 << 53) as f64;
        let mut rank = (VOCABULARY as f64).powf(unit) as u64;
        let mut word = String::new();
        loop {
            word.push_str(SYLLABLES[(rank % 16) as usize]);
            rank /= 16;
            if rank == 0 {
                break;
            }
        }
        words.push(word);
    }
    let mut text = words.join(" ");
    text.push('.');
    text
}

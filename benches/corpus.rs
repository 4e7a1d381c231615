//! A generator of realistic synthetic sites, for benchmarks and for trying
//! gradbook on thousands of pages.
//!
//! Every lesson has front matter, prose, headings, display and inline math,
//! a highlighted Rust block, a calc block (definition, derivative, nudge and
//! a short descent, all with expected outputs left open so they are filled
//! in), inline values, a flashcard deck, a checklist and a link to the next
//! lesson, so a build exercises every stage.
//!
//! Used as a module by `benches/build.rs`.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// Writes a site with `sections` sections of `per_section` lessons into
/// `root` (which must exist and be empty).
pub fn write_site(root: &Path, sections: usize, per_section: usize) -> io::Result<()> {
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
            fs::write(
                dir.join(format!("lesson-{l:03}.md")),
                lesson(s, l, next.as_deref()),
            )?;
        }
    }
    Ok(())
}

/// The Markdown of one lesson. Coefficients vary with the indices so no two
/// lessons compute the same thing.
pub fn lesson(section: usize, index: usize, next: Option<&str>) -> String {
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
    if let Some(next) = next {
        let _ = writeln!(md, "Continue with [the next lesson]({next}#the-loss).");
    }
    md
}

//! Writes a synthetic site for trying gradbook at scale:
//! `cargo run --release --example corpus -- OUT SECTIONS LESSONS_PER_SECTION [--long]`.
//!
//! The flat layout is one section (`OUT 1 10000`), the sectioned one many
//! (`OUT 100 100`); `--long` writes lessons of about 950 words with code
//! and math, like a real course page.

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../benches/corpus.rs"]
mod corpus;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let style = if args.last().is_some_and(|a| a == "--long") {
        args.pop();
        corpus::Style::Long
    } else {
        corpus::Style::Compact
    };
    let [out, sections, per_section] = args.as_slice() else {
        eprintln!("usage: corpus OUT SECTIONS LESSONS_PER_SECTION [--long]");
        return ExitCode::from(2);
    };
    let (Ok(sections), Ok(per_section)) = (sections.parse(), per_section.parse()) else {
        eprintln!("error: SECTIONS and LESSONS_PER_SECTION must be whole numbers");
        return ExitCode::from(2);
    };
    let out = PathBuf::from(out);
    if let Err(err) = std::fs::create_dir_all(&out)
        .and_then(|()| corpus::write_site_with(&out, sections, per_section, style))
    {
        eprintln!("error: cannot write {}: {err}", out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {} lessons in {sections} sections to {}",
        sections * per_section,
        out.display()
    );
    ExitCode::SUCCESS
}

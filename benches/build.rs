//! End-to-end benchmarks: `gradbook build` and `gradbook check` on generated
//! sites of growing size (see `corpus.rs`). They run the real binary, so
//! they include process start-up, exactly what a user waits for.
//!
//! Run with `cargo bench --bench build`. For a one-off measurement of a
//! 10,000-page site, generate it with
//! `cargo run --release --example corpus -- /tmp/corpus 100 100` and time
//! `gradbook build /tmp/corpus`.

use std::path::Path;
use std::process::{Command, Stdio};

mod corpus;

fn main() {
    divan::main();
}

fn gradbook(args: &[&str], dir: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .args(args)
        .arg(dir)
        .arg("--quiet")
        .stdout(Stdio::null())
        .status()
        .expect("gradbook runs");
    assert!(status.success(), "gradbook {args:?} failed on the corpus");
}

fn corpus(pages: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let per_section = pages.min(50);
    corpus::write_site(dir.path(), pages.div_ceil(per_section), per_section)
        .expect("corpus written");
    dir
}

#[divan::bench(args = [10, 100, 1000], sample_count = 5, sample_size = 1)]
fn build(bencher: divan::Bencher, pages: usize) {
    let dir = corpus(pages);
    bencher.bench(|| gradbook(&["build"], dir.path()));
}

#[divan::bench(args = [10, 100, 1000], sample_count = 5, sample_size = 1)]
fn check(bencher: divan::Bencher, pages: usize) {
    let dir = corpus(pages);
    bencher.bench(|| gradbook(&["check"], dir.path()));
}

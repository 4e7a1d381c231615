//! The review page in a real headless Chromium.
//!
//! Builds `tests/fixtures/review` with the real binary, serves it with the
//! browser test's static server and also opens it from disk, and runs
//! `tests/browser/review.mjs`: the queue driven by Space and 1-4, the
//! header's due count, a reload, export and import into a fresh browser,
//! corrupted stored state, the lesson page's "Know it" and "Again" marks,
//! the filters, the page without JavaScript, and axe-core audits of the
//! page in both themes on a desktop and a phone. Screenshots land in
//! `tests/output/browser/review-*.png`.
//!
//! A trial of the browser test binary (`tests/browser.rs`): it needs what
//! that needs, and is reported as ignored, never as passed, without it.

use std::process::Command;
use std::time::Duration;

use libtest_mimic::{Completion, Failed};

use crate::{Server, assert_checks_passed, build_site, missing_tools, run_with_limit};

/// The whole run takes some seconds; this is a hang guard.
const TIME_LIMIT: Duration = Duration::from_secs(180);

pub(crate) fn the_review_page_works_in_chromium() -> Result<Completion, Failed> {
    if let Some(reason) = missing_tools() {
        if std::env::var("CI").as_deref() == Ok("true") {
            return Err(format!("the review browser test cannot run in CI: {reason}").into());
        }
        return Ok(Completion::ignored_with(reason));
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temporary folder");
    let site = dir.path().join("site");
    build_site(&manifest.join("tests/fixtures/review"), &site);

    let server = Server::start(site.clone());
    let origin = format!("http://{}/", server.addr);
    let file_review = format!("file://{}/review/index.html", site.display());
    let shots = manifest.join("tests/output/browser");
    let started = std::time::Instant::now();
    let (status, stdout, stderr) = run_with_limit(
        Command::new("node")
            .arg(manifest.join("tests/browser/review.mjs"))
            .arg(&origin)
            .arg(&file_review)
            .arg(&shots)
            .current_dir(manifest.join("tests/browser")),
        TIME_LIMIT,
    );
    let elapsed = started.elapsed();
    server.stop();

    let checks = assert_checks_passed("review", status, &stdout, &stderr, elapsed);
    assert!(checks >= 20, "only {checks} checks ran:\n{stdout}");
    for theme in ["light", "dark", "light, phone", "dark, phone"] {
        let audit =
            format!("\"check\":\"review: axe finds no violations on the review page ({theme})\"");
        assert!(stdout.contains(&audit), "no audit in {theme}:\n{stdout}");
    }
    eprintln!("review: {checks} checks passed in {elapsed:.1?}");
    Ok(Completion::Completed)
}

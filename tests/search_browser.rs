//! Search and navigation in a real headless Chromium, over http and from
//! disk.
//!
//! Builds `tests/fixtures/search` with the real binary, serves it with the
//! browser test's static server (which, like any web server, answers a
//! folder with its `index.html`) and also opens it as `file://` pages, and
//! runs `tests/browser/search.mjs` on both: typing, ranking, highlighting,
//! the arrow keys, Enter, Escape, "/" and Ctrl-K, clicking from the index
//! to a lesson and on to the next one from disk with progress kept, short
//! URLs on the server, the phone layout and the page without JavaScript.
//! Screenshots land in `tests/output/browser/search-*.png`.
//!
//! Needs what `tests/browser.rs` needs, and is skipped the same way.

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use crate::browser::{Server, build_site, missing_tools, run_with_limit};

/// The whole run takes a few seconds; this is a hang guard.
const TIME_LIMIT: Duration = Duration::from_secs(120);

#[test]
fn search_and_navigation_work_over_http_and_from_disk() {
    if let Some(reason) = missing_tools() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("the search browser test cannot run in CI: {reason}");
        }
        let _ = writeln!(std::io::stderr(), "skipped: search browser test: {reason}");
        return;
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temporary folder");
    let site = dir.path().join("site");
    build_site(&manifest.join("tests/fixtures/search"), &site);

    let server = Server::start(site.clone());
    let http_index = format!("http://{}/", server.addr);
    let file_index = format!("file://{}/index.html", site.display());
    let shots = manifest.join("tests/output/browser");
    let (status, stdout, stderr) = run_with_limit(
        Command::new("node")
            .arg(manifest.join("tests/browser/search.mjs"))
            .arg(&http_index)
            .arg(&file_index)
            .arg(&shots)
            .current_dir(manifest.join("tests/browser")),
        TIME_LIMIT,
    );
    server.stop();

    let mut failures = Vec::new();
    let mut checks = 0;
    let mut finished = false;
    for line in stdout.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if value.get("done").is_some() {
            finished = true;
            continue;
        }
        checks += 1;
        if value["ok"] != serde_json::Value::Bool(true) {
            failures.push(format!("{}: {}", value["check"], value["detail"]));
        }
    }
    assert!(
        finished && failures.is_empty() && status == Some(0),
        "search browser checks failed (exit {status:?}, {checks} checks):\n{}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        failures.join("\n")
    );
    assert!(checks >= 20, "only {checks} checks ran:\n{stdout}");
    for shot in ["search-http.png", "search-disk.png", "search-phone.png"] {
        let meta = std::fs::metadata(shots.join(shot)).unwrap_or_else(|e| panic!("{shot}: {e}"));
        assert!(meta.len() > 10_000, "{shot} looks empty");
    }
}

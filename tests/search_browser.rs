//! Search and navigation in a real headless Chromium, over http and from
//! disk.
//!
//! Builds `tests/fixtures/search` with the real binary, serves it with the
//! browser test's static server (which, like any web server, answers a
//! folder with its `index.html`) and also opens it as `file://` pages, and
//! runs `tests/browser/search.mjs` on both: typing, ranking, highlighting,
//! the arrow keys, Enter, Escape, "/" and Ctrl-K, clicking from the index
//! to a lesson and on to the next one from disk with progress kept, short
//! URLs on the server, the phone layout and the page without JavaScript;
//! and that the script splits text into words exactly as the index does.
//! Screenshots land in `tests/output/browser/search-*.png`.
//!
//! A trial of the browser test binary (`tests/browser.rs`): it needs what
//! that needs, and is reported as ignored, never as passed, without it.

use std::process::Command;
use std::time::Duration;

use gradbook::search::Stemming;
use gradbook::search::words;

use libtest_mimic::{Completion, Failed};

use crate::{Server, build_site, missing_tools, run_with_limit};

/// The whole run takes a few seconds; this is a hang guard.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Texts that exercise every part of the word rule, with the terms
/// gradbook's index takes from them: the script must find the same.
fn word_cases() -> serde_json::Value {
    let texts = [
        "Gradients, derivatives & the chain-rule's proofs.",
        "Naïve Schrödinger ﬁnds ÉCOLES; cafe\u{301} vs café",
        "w² and x₁, J(w) = 3, 1e-3, ½ and 0.25",
        "梯度下降とは何か。ML梯度",
        "한국어 단어",
        "queries series cases shoes goes loss calculus gas",
        "İstanbul ΣΊΣΥΦΟΣ ǅemal straße ΑΒΓ",
        "Ｆｕｌｌ－ｗｉｄｔｈ and 𝐛𝐨𝐥𝐝 and 𠀀𠀁",
        "a-b_c d.e f'g h\u{2019}i",
        // 40 letters is a word, 41 is not.
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmn abcdefghijklmnopqrstuvwxyzabcdefghijklmno x",
    ];
    let mut cases = Vec::new();
    for text in texts {
        for (stemming, stem) in [(Stemming::English, true), (Stemming::None, false)] {
            cases.push(serde_json::json!({
                "text": text,
                "stem": stem,
                "terms": words::terms(text, stemming),
            }));
        }
    }
    serde_json::Value::Array(cases)
}

pub(crate) fn search_and_navigation_work_over_http_and_from_disk() -> Result<Completion, Failed> {
    if let Some(reason) = missing_tools() {
        if std::env::var("CI").as_deref() == Ok("true") {
            return Err(format!("the search browser test cannot run in CI: {reason}").into());
        }
        return Ok(Completion::ignored_with(reason));
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temporary folder");
    let site = dir.path().join("site");
    build_site(&manifest.join("tests/fixtures/search"), &site);

    let server = Server::start(site.clone());
    let http_index = format!("http://{}/", server.addr);
    let file_index = format!("file://{}/index.html", site.display());
    let shots = manifest.join("tests/output/browser");
    let words = dir.path().join("words.json");
    std::fs::write(&words, word_cases().to_string()).expect("words.json written");
    let started = std::time::Instant::now();
    let (status, stdout, stderr) = run_with_limit(
        Command::new("node")
            .arg(manifest.join("tests/browser/search.mjs"))
            .arg(&http_index)
            .arg(&file_index)
            .arg(&shots)
            .arg(&words)
            .current_dir(manifest.join("tests/browser")),
        TIME_LIMIT,
    );
    server.stop();

    let checks = crate::assert_checks_passed(
        "search browser",
        status,
        &stdout,
        &stderr,
        started.elapsed(),
    );
    assert!(checks >= 20, "only {checks} checks ran:\n{stdout}");
    assert!(
        stdout.contains("\"check\":\"words: "),
        "the word rule was not compared:\n{stdout}"
    );
    for shot in ["search-http.png", "search-disk.png", "search-phone.png"] {
        let meta = std::fs::metadata(shots.join(shot)).unwrap_or_else(|e| panic!("{shot}: {e}"));
        assert!(meta.len() > 10_000, "{shot} looks empty");
    }
    eprintln!("search browser: {checks} checks passed");
    Ok(Completion::Completed)
}

//! The review page's scheduler (`templates/assets/review-fsrs.js`) under
//! Node.js: `tests/review/fsrs.mjs` checks it against values worked out by
//! hand from the published FSRS-5 formulas (initial stabilities and
//! difficulties, the intervals of a new card, a sequence of reviews with a
//! lapse and a same-day review) and checks how stored state is read and
//! merged.
//!
//! A test binary with its own harness (libtest-mimic), so that without
//! Node.js the test is reported as ignored, with the reason, never as
//! passed; under `CI=true` a missing Node.js is a failure.

use std::path::Path;
use std::process::Command;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let trials = vec![Trial::ignorable_test(
        "the_fsrs_scheduler_matches_hand_computed_values",
        the_fsrs_scheduler_matches_hand_computed_values,
    )];
    libtest_mimic::run(&args, trials).exit();
}

fn the_fsrs_scheduler_matches_hand_computed_values() -> Result<Completion, Failed> {
    let node_runs = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !node_runs {
        if std::env::var("CI").as_deref() == Ok("true") {
            return Err("Node.js is not installed, and CI needs this test to run".into());
        }
        return Ok(Completion::ignored_with(
            "Node.js is not installed (`node` did not run)",
        ));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/review/fsrs.mjs");
    let out = Command::new("node")
        .arg(&script)
        .output()
        .map_err(|e| format!("running node: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let passed = stdout
        .lines()
        .find_map(|l| l.strip_suffix(" checks passed"))
        .and_then(|n| n.parse::<usize>().ok());
    match passed {
        Some(n) if out.status.success() && n >= 10 => Ok(Completion::Completed),
        _ => Err(format!(
            "the scheduler's checks failed (exit {:?}):\n{stdout}\n{stderr}",
            out.status.code()
        )
        .into()),
    }
}

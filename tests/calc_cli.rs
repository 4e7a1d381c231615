//! Golden transcripts for `gradbook calc`: each file under
//! `tests/fixtures/calc/` is a transcript (`>>> input` lines, each followed
//! by its expected output). The inputs are fed to the real binary on
//! standard input and its output must equal the file byte for byte.
//! Set `GRADBOOK_BLESS=1` to rewrite the files from the binary's output.

use std::path::Path;

use assert_cmd::Command;

fn inputs(transcript: &str) -> String {
    transcript
        .lines()
        .filter_map(|l| l.strip_prefix(">>> "))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn golden(name: &str, expect_success: bool) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calc")
        .join(name);
    let expected = std::fs::read_to_string(&path).expect("fixture exists");
    let output = Command::cargo_bin("gradbook")
        .expect("binary builds")
        .args(["calc", "-"])
        .write_stdin(inputs(&expected))
        .output()
        .expect("binary runs");
    let got = String::from_utf8(output.stdout).expect("utf-8 output");
    if std::env::var_os("GRADBOOK_BLESS").is_some() {
        std::fs::write(&path, &got).expect("fixture writable");
        return;
    }
    assert_eq!(got, expected, "transcript {name} differs");
    assert_eq!(
        output.status.success(),
        expect_success,
        "exit status of {name}: {:?}",
        output.status
    );
}

#[test]
fn spec_w_squared() {
    golden("spec_w_squared.txt", true);
}

#[test]
fn nudge() {
    golden("nudge.txt", true);
}

#[test]
fn descent() {
    golden("descent.txt", true);
}

#[test]
fn grad_two_variables() {
    golden("grad.txt", true);
}

#[test]
fn activations() {
    golden("activations.txt", true);
}

#[test]
fn exact_numbers() {
    golden("exact.txt", true);
}

#[test]
fn constants_names_and_suggestions() {
    golden("constants.txt", false);
}

#[test]
fn errors_fail_the_run() {
    golden("errors.txt", false);
}

#[test]
fn eval_flags_and_precision() {
    let output = Command::cargo_bin("gradbook")
        .expect("binary builds")
        .args([
            "calc",
            "-e",
            "J(w) = w**2",
            "-e",
            "J(1/3)",
            "--precision",
            "4",
        ])
        .output()
        .expect("binary runs");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        ">>> J(w) = w**2\n>>> J(1/3)\n0.1111\n"
    );
}

#[test]
fn unreadable_files_are_usage_errors() {
    let output = Command::cargo_bin("gradbook")
        .expect("binary builds")
        .args(["calc", "no/such/file.txt"])
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot read no/such/file.txt"), "{stderr}");
    assert!(output.stdout.is_empty());

    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("latin1.txt");
    std::fs::write(&path, b"1 + 1\nna\xefve\n").expect("written");
    let output = Command::cargo_bin("gradbook")
        .expect("binary builds")
        .arg("calc")
        .arg(&path)
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("valid UTF-8"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "no input runs from a file that cannot be read"
    );
}

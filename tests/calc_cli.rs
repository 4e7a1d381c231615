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

/// Runs `gradbook calc ARGS` with `stdin` fed from a thread, reading only
/// the first line of its output and then closing the pipe, as `| head -1`
/// does; returns that line and the exit code.
fn first_line_only(args: &[&str], stdin: String) -> (String, Option<i32>) {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command as Process, Stdio};
    let mut child = Process::new(env!("CARGO_BIN_EXE_gradbook"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut input = child.stdin.take().expect("piped stdin");
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
    let mut first = String::new();
    {
        let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
        out.read_line(&mut first).expect("one line");
        // `out` is dropped here: the pipe is closed with output unread.
    }
    let status = child.wait().expect("calc ends");
    feeder.join().expect("stdin written");
    (first, status.code())
}

#[test]
fn output_to_a_closed_pipe_is_dropped_and_the_exit_code_still_tells() {
    let many: String = (0..5000).map(|i| format!("{i} + 1\n")).collect();
    let (first, code) = first_line_only(&["calc", "-"], many.clone());
    assert_eq!(first, ">>> 0 + 1\n");
    assert_eq!(code, Some(0), "every input succeeded");

    // A failure after the reader went away still fails the run.
    let (first, code) = first_line_only(&["calc", "-"], format!("{many}sigmod(1)\n"));
    assert_eq!(first, ">>> 0 + 1\n");
    assert_eq!(code, Some(1), "the failed input still counts");
}

/// `gradbook calc ARGS`, killed if it runs longer than a generous
/// deadline (a run that waits on a device or pipe forever fails the test
/// instead of hanging it).
fn calc_with_deadline(
    args: &[&std::ffi::OsStr],
    stdin: std::process::Stdio,
) -> (Option<i32>, String) {
    use std::io::Read;
    use std::process::{Command as Process, Stdio};
    use std::time::{Duration, Instant};
    let mut child = Process::new(env!("CARGO_BIN_EXE_gradbook"))
        .arg("calc")
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("gradbook calc {args:?} did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut stderr)
        .expect("stderr read");
    (status.code(), stderr)
}

#[cfg(unix)]
#[test]
fn endless_input_stops_at_the_limit_and_devices_and_pipes_are_refused() {
    use std::ffi::OsStr;
    use std::process::Stdio;

    // A device as the file: refused without reading it.
    let (code, stderr) = calc_with_deadline(&[OsStr::new("/dev/zero")], Stdio::null());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot read /dev/zero"), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert!(
        stderr.contains("give `-` to read standard input"),
        "{stderr}"
    );

    // A named pipe nobody writes to: refused, never waited on.
    let dir = tempfile::tempdir().expect("temporary folder");
    let fifo = dir.path().join("inputs");
    crate::source_files::mkfifo(&fifo);
    let (code, stderr) = calc_with_deadline(&[fifo.as_os_str()], Stdio::null());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("a named pipe"), "{stderr}");

    // Endless standard input: read up to the limit, then refused.
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero opens");
    let (code, stderr) = calc_with_deadline(&[OsStr::new("-")], Stdio::from(zero));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read standard input: the input is over the limit of 16 MiB"),
        "{stderr}"
    );

    // A file over the limit, too.
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "1 + 1\n".repeat(3 * 1024 * 1024)).expect("written");
    let (code, stderr) = calc_with_deadline(&[big.as_os_str()], Stdio::null());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("over the limit of 16 MiB"), "{stderr}");
    assert!(
        stderr.contains("calc reads at most 16 MiB of input"),
        "{stderr}"
    );
}

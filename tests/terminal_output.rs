//! What reaches the terminal: text from lessons and file names is shown,
//! never obeyed. An escape sequence in a lesson (or in its name) appears
//! as `␛[31m`, whatever part of a message it lands in.

use crate::support::SiteTest;

const ESC: char = '\u{1b}';

#[test]
fn control_characters_from_content_are_escaped_everywhere() {
    let site = SiteTest::new()
        .lesson(
            "colours.md",
            "Colours",
            "Red: `= red\u{1b}[31m(1)` and a bell\u{7}.\n\n```calc\n>>> f(x) = x\n>>> f(2)\n3\u{1b}[2J\n```\n",
        )
        .file("content/bad\u{1b}]0;title\u{7}.md", "no front matter");
    for run in [site.build(), site.check()] {
        run.code(1);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !all.contains(ESC),
            "a raw ESC reached the terminal:\n{all:?}"
        );
        assert!(
            !all.contains('\u{7}'),
            "a raw BEL reached the terminal:\n{all:?}"
        );
        assert!(all.contains("bad\u{241b}]0;title\u{2407}.md"), "{all}");
    }
    let run = site.build();
    run.stderr_has("note: in the inline value `= red\u{241b}[31m(1)`")
        .stderr_has("expected: 3\u{241b}[2J");
}

#[test]
fn calc_echoes_inputs_safely() {
    let site = SiteTest::new().file("inputs.txt", "1 + 1\n\u{1b}[2J\n");
    let run = site.run(&["calc", "inputs.txt"]);
    run.code(1)
        .stdout_has(">>> 1 + 1\n2\n>>> \u{241b}[2J\nerror: unexpected character '\u{241b}'");
    assert!(!run.stdout.contains(ESC), "{:?}", run.stdout);
}

#[test]
fn a_reader_that_goes_away_early_does_not_crash_the_run() {
    // `gradbook check | head -1` closes the pipe after one line; the run
    // goes on without printing and still exits with what it found.
    let site = SiteTest::new().lesson(
        "bad.md",
        "Bad",
        "`= nope(1)` `= nope(2)` `= nope(3)` `= nope(4)`\n",
    );
    for command in ["check", "build"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gradbook"))
            .arg(command)
            .arg(site.root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary starts");
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().expect("the run ends");
        assert_eq!(status.code(), Some(1), "{command}: {status}");
    }
}

#[test]
fn a_terminal_shows_each_problem_once() {
    let site = SiteTest::new().lesson("bad.md", "Bad", "A value: `= nope(1)`.\n");
    let message = "unknown function 'nope'";
    // Piped, as CI and editors read it: one line each on stdout, the full
    // form on stderr.
    let piped = site.check();
    piped
        .code(1)
        .stdout_has("content/bad.md:4:13: error: unknown function 'nope'")
        .stderr_has(" --> content/bad.md:4:13");
    assert_eq!(piped.stdout.matches(message).count(), 1, "{}", piped.stdout);
    assert_eq!(piped.stderr.matches(message).count(), 1, "{}", piped.stderr);
    // On a terminal (a pseudo-terminal from `script`, where there is
    // one): the full form only, once.
    let Some(shown) = on_a_terminal(&site, "check") else {
        // As the browser tests do: a missing tool fails under CI rather
        // than passing a case it never ran.
        assert!(
            std::env::var_os("CI").is_none(),
            "no `script` command (util-linux): the terminal case cannot run"
        );
        eprintln!("no `script` command: the terminal case is not run");
        return;
    };
    assert_eq!(shown.matches(message).count(), 1, "{shown}");
    assert!(shown.contains(" --> content/bad.md:4:13"), "{shown}");
    assert!(
        shown.contains("check: 0 verified, 0 computed without an expected output, 1 failed"),
        "{shown}"
    );
    // With --quiet, the one-line form only.
    let quiet = on_a_terminal(&site, "check --quiet").expect("script ran before");
    assert_eq!(quiet.matches(message).count(), 1, "{quiet}");
    assert!(
        quiet.contains("content/bad.md:4:13: error: unknown function 'nope'"),
        "{quiet}"
    );
}

/// What `gradbook ARGS` in the site's folder prints on a pseudo-terminal
/// (stdout and stderr both), through util-linux's `script`; `None` when
/// there is no `script` to run.
fn on_a_terminal(site: &SiteTest, args: &str) -> Option<String> {
    let command = format!("'{}' {args}", env!("CARGO_BIN_EXE_gradbook"));
    let output = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
    // Not a `script` that runs commands (another program of that name).
    text.contains("check:").then_some(text)
}

#[test]
fn help_lines_keep_their_line_breaks() {
    let site = SiteTest::new().file("content/a.md", "hello\n");
    site.check().code(1).stderr_has(
        "  = help: start the file with\n          +++\n          title = \"My lesson\"\n          +++\n          or with a heading: # My lesson\n",
    );
}

#[test]
fn every_help_text_reads_as_plain_text() {
    // Help is clap's own text: never passed through the escaper that
    // shows control characters as symbols (`␊` for a line break).
    let site = SiteTest::empty();
    for command in [
        &[][..],
        &["build"],
        &["check"],
        &["serve"],
        &["init"],
        &["calc"],
        &["export"],
        &["export", "anki"],
    ] {
        for flag in ["--help", "-h"] {
            let mut args = command.to_vec();
            args.push(flag);
            let run = site.run(&args);
            run.success();
            assert!(
                !run.stdout
                    .chars()
                    .any(|c| ('\u{2400}'..='\u{2421}').contains(&c)),
                "{args:?}:\n{}",
                run.stdout
            );
            assert!(run.stdout.contains("Usage: gradbook"), "{args:?}");
        }
    }
    site.run(&["build", "--help"])
        .stdout_has("--base-url <URL>")
        .stdout_has("no query or fragment");
}

//! Small input cannot make unbounded work: macros that double, long runs
//! of dollars and many misses with "did you mean" hints all finish
//! quickly, with the limit's error where there is one. Each test runs the
//! real binary under a generous deadline that the old quadratic or
//! exponential behaviour would blow through many times over.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::SiteTest;

/// Runs `gradbook check` on `site`, killing it and failing the test if it
/// takes longer than a minute; its exit code and its output.
fn check_within_deadline(site: &SiteTest) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out_path = dir.path().join("out");
    let out = std::fs::File::create(&out_path).expect("output file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .arg("check")
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("output file"))
        .stderr(out)
        .spawn()
        .expect("gradbook runs");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("gradbook waits") {
            let text = std::fs::read_to_string(&out_path).expect("output read");
            return (status.code(), text);
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().expect("gradbook stops");
            child.wait().expect("gradbook stops");
            panic!("gradbook check took over a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_doubling_macro_stops_at_the_expansion_limit() {
    let nested = format!("{}x{}", "\\a{".repeat(30), "}".repeat(30));
    let site = SiteTest::new().lesson(
        "m.md",
        "M",
        &format!("Intro.\n\n$\\newcommand{{\\a}}[1]{{#1#1}}$ and ${nested}$\n"),
    );
    let (code, out) = check_within_deadline(&site);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("content/m.md:6:33"), "{out}");
    assert!(out.contains("expand more than 4096 times"), "{out}");
}

#[test]
fn a_doubling_book_macro_stops_at_the_size_limit() {
    let nested = format!("{}{}{}", "\\a{".repeat(30), "y".repeat(900), "}".repeat(30));
    let site = SiteTest::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\n\n[math.macros]\n\"\\\\a\" = \"#1#1\"\n",
        )
        .lesson("m.md", "M", &format!("Intro.\n\n${nested}$\n"));
    let (code, out) = check_within_deadline(&site);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("content/m.md:6:2"), "{out}");
    assert!(out.contains("more than 16384 bytes"), "{out}");
}

#[test]
fn long_runs_of_dollars_are_text() {
    let body = format!(
        "{}\n\nA price: $$$$ and $x$.\n\n{}\n",
        "$".repeat(100_000),
        "$$".repeat(50_001)
    );
    let site = SiteTest::new().lesson("d.md", "D", &body);
    let (code, out) = check_within_deadline(&site);
    assert_eq!(code, Some(0), "{out}");
    site.build().success();
    let page = site.page("d/");
    let text = page.text("p").join("\n");
    assert!(text.contains("A price: $$$$ and"), "{}", &text[..200]);
}

#[test]
fn thousands_of_misses_among_thousands_of_files_cost_little() {
    let mut site = SiteTest::new();
    for i in 0..2500 {
        site = site.file(&format!("content/img/photo{i:05}.png"), "");
    }
    let mut body = String::from("# Head\n\n![typo](img/photo0001.png)\n\n[typo](#haed)\n\n");
    for i in 0..2500 {
        body.push_str(&format!(
            "![x](img/pict{i:05}.png) [a](#miss-{i}) [p](missing{i}.md)\n\n"
        ));
    }
    for i in 0..1000 {
        body.push_str(&format!("## Heading {i}\n\n"));
    }
    let site = site.lesson("a.md", "A", &body);
    let (code, out) = check_within_deadline(&site);
    assert_eq!(code, Some(1), "{}", &out[..out.len().min(2000)]);
    assert!(
        out.contains("did you mean 'img/photo00001.png'?"),
        "the ordinary hint stays"
    );
    assert!(
        out.contains("did you mean '#head'?"),
        "the ordinary hint stays"
    );
    assert!(out.contains("link to a missing page 'missing2499.md'"));
}

#[test]
fn a_code_block_with_a_very_long_line_is_shown_plain_with_a_warning() {
    let line = "a(".repeat(80_000);
    let site = SiteTest::new().lesson(
        "c.md",
        "C",
        &format!("Intro.\n\n```c\nint x;\n{line}\n```\n\n```c\nint y;\n```\n"),
    );
    let (code, out) = check_within_deadline(&site);
    assert_eq!(code, Some(0), "{}", &out[..out.len().min(2000)]);
    assert!(
        out.contains(
            "warning: this `c` block is shown without highlighting: its line 2 is over 5000 bytes"
        ),
        "{}",
        &out[..out.len().min(2000)]
    );
    assert!(
        out.contains("content/c.md:6:4"),
        "{}",
        &out[..out.len().min(2000)]
    );
    site.build().success();
    let page = site.output("c/index.html");
    assert!(page.contains("<pre class=\"hl-code plain\"><code class=\"language-c\">int x;"));
    assert!(page.contains("<pre class=\"hl-code\"><code class=\"language-c\">"));
}

#[test]
fn folders_nested_too_deep_are_an_error_naming_the_folder() {
    let deep = "d/".repeat(200);
    let site = SiteTest::new()
        .lesson(&format!("{deep}a.md"), "A", "Deep.\n")
        .lesson("b.md", "B", "Shallow.\n");
    let (code, out) = check_within_deadline(&site);
    assert_eq!(code, Some(1), "{}", &out[..out.len().min(2000)]);
    let too_deep = format!("content/{}", "d/".repeat(33));
    assert!(out.contains(too_deep.trim_end_matches('/')), "{out}");
    assert!(out.contains("folders nest more than 32 deep here"), "{out}");
    assert_eq!(out.matches("--> content/d").count(), 1, "{out}");
}

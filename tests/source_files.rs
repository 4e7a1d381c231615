//! What gradbook reads: only regular files, never through a link that
//! leaves the site, never more than a size limit, with the same ignore
//! rules in `content/`, `templates/` and `static/`. Named pipes and
//! devices end a run in seconds with an error naming them (every run here
//! is killed after `RUN_LIMIT`, so a hang fails the test instead of
//! stalling it).

use std::path::Path;

use crate::support::SiteTest;

/// Makes a named pipe at `path` with the system's `mkfifo`.
#[cfg(unix)]
pub(crate) fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A built fixture site, whose `site/` later runs must leave alone.
fn built() -> (
    SiteTest,
    std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
) {
    let site = SiteTest::fixture("basic");
    site.build().success();
    let before = site.tree("site");
    (site, before)
}

#[cfg(unix)]
#[test]
fn a_named_pipe_lesson_is_an_error_naming_it_and_is_never_opened() {
    let (site, before) = built();
    mkfifo(&site.root().join("content/calculus/x.md"));
    let run = site.build();
    run.code(1)
        .stderr_has("content/calculus/x.md")
        .stderr_has("this is a named pipe (FIFO), not a regular file");
    assert_eq!(site.tree("site"), before, "the previous site changed");
    site.check()
        .code(1)
        .stdout_has("content/calculus/x.md: error: this is a named pipe (FIFO)");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_book_toml_or_section_page_is_an_error() {
    let (site, before) = built();
    site.remove("content/calculus/_index.md");
    mkfifo(&site.root().join("content/calculus/_index.md"));
    site.build()
        .code(1)
        .stderr_has("content/calculus/_index.md")
        .stderr_has("named pipe");
    assert_eq!(site.tree("site"), before);

    std::fs::remove_file(site.root().join("book.toml")).unwrap();
    mkfifo(&site.root().join("book.toml"));
    site.build()
        .code(2)
        .stderr_has("--> book.toml")
        .stderr_has("this is a named pipe (FIFO), not a regular file");
    site.check()
        .code(2)
        .stdout_has("book.toml: error: this is a named pipe");
    assert_eq!(site.tree("site"), before);
}

#[cfg(unix)]
#[test]
fn a_link_to_a_device_is_refused_without_reading_it() {
    let (site, before) = built();
    std::os::unix::fs::symlink("/dev/zero", site.root().join("content/zero.md")).unwrap();
    std::os::unix::fs::symlink("/dev/urandom", site.root().join("content/calculus/rand.md"))
        .unwrap();
    site.build()
        .code(1)
        .stderr_has("--> content/zero.md")
        .stderr_has("symbolic link to /dev/zero, outside the site folder")
        .stderr_has("--> content/calculus/rand.md");
    assert_eq!(site.tree("site"), before);
}

#[cfg(unix)]
#[test]
fn links_out_of_the_site_are_refused_and_links_inside_work() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd.txt"), "root:x:0:0\n").unwrap();
    std::fs::write(
        outside.path().join("lesson.md"),
        "+++\ntitle = \"Elsewhere\"\n+++\nsecret\n",
    )
    .unwrap();
    let site = SiteTest::fixture("basic")
        .file("static/logo.txt", "logo")
        .file(
            "shared/notes.md",
            "+++\ntitle = \"Shared\"\n+++\nShared notes.\n",
        );
    let link = |from: &Path, to: &str| std::os::unix::fs::symlink(from, site.root().join(to));
    link(&outside.path().join("passwd.txt"), "static/passwd.txt").unwrap();
    link(&outside.path().join("lesson.md"), "content/elsewhere.md").unwrap();
    link(outside.path(), "static/everything").unwrap();
    site.build()
        .code(1)
        .stderr_has("--> static/passwd.txt")
        .stderr_has("--> content/elsewhere.md")
        .stderr_has("--> static/everything")
        .stderr_has("outside the site folder");
    assert!(!site.root().join("site").exists());

    for link in [
        "static/passwd.txt",
        "content/elsewhere.md",
        "static/everything",
    ] {
        std::fs::remove_file(site.root().join(link)).unwrap();
    }
    link(&site.root().join("shared/notes.md"), "content/notes.md").unwrap();
    link(&site.root().join("static/logo.txt"), "static/alias.txt").unwrap();
    site.build().success();
    assert_eq!(site.page("notes/").text("h1"), ["Shared"]);
    assert_eq!(site.output("alias.txt"), "logo");
}

#[test]
fn oversized_lessons_and_book_toml_are_refused() {
    let (site, before) = built();
    let body = "word ".repeat(2 * 1024 * 1024);
    site.write(
        "content/huge.md",
        format!("+++\ntitle = \"Huge\"\n+++\n{body}"),
    );
    site.build()
        .code(1)
        .stderr_has("--> content/huge.md")
        .stderr_has("the file is 10 MiB, over the limit of 8 MiB");
    site.remove("content/huge.md");
    let config = std::fs::read_to_string(site.root().join("book.toml")).unwrap();
    site.write(
        "book.toml",
        format!("{config}\n{}", "# padding\n".repeat(120_000)),
    );
    site.build()
        .code(2)
        .stderr_has("--> book.toml")
        .stderr_has("over the limit of 1 MiB");
    assert_eq!(site.tree("site"), before);
}

#[test]
fn static_and_content_share_the_ignore_rules() {
    let site = SiteTest::fixture("basic")
        .file("static/.DS_Store", "junk")
        .file("static/style.css.swp", "junk")
        .file("static/notes.txt~", "junk")
        .file("static/.git/config", "junk")
        .file("static/.well-known/security.txt", "Contact: x")
        .file("static/img/logo.svg", "<svg/>")
        .file("content/.DS_Store", "junk");
    site.build().success();
    assert!(site.has_output("img/logo.svg"));
    assert!(site.has_output(".well-known/security.txt"));
    for junk in [".DS_Store", "style.css.swp", "notes.txt~", ".git/config"] {
        assert!(!site.has_output(junk), "{junk} was copied");
    }
}

#[test]
fn a_content_folder_that_is_a_file_says_so() {
    let site = SiteTest::new().file("content", "not a folder");
    site.build()
        .code(1)
        .stderr_has("--> content")
        .stderr_has("the content folder is a file, not a folder");
}

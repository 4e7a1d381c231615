//! The output folder: a build replaces only a folder gradbook owns (empty,
//! missing, or marked by an earlier build), and never, whatever the flags
//! or the config, the site, its sources, the current or home folder, a
//! filesystem root or a git repository. Every refusal exits 2, names the
//! folder, says how to proceed, and leaves every file where it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{SiteTest, read_tree, run_in};

/// A fake home folder with things worth keeping.
fn decoy_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = home.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(".ssh/id_ed25519", "PRIVATE KEY");
    write(".ssh/known_hosts", "host key");
    write("notes/todo.txt", "buy milk");
    write("notes/ideas/one.md", "an idea");
    write("project/.git/HEAD", "ref: refs/heads/main");
    write("project/src/main.rs", "fn main() {}");
    home
}

fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    read_tree(dir)
}

#[test]
fn decoy_folders_survive_every_flag() {
    let site = SiteTest::fixture("basic");
    let home = decoy_home();
    let before = tree(home.path());
    let env = [("HOME", home.path())];
    let dest = |rel: &str| home.path().join(rel).display().to_string();
    let cases: &[(Vec<String>, &str)] = &[
        (vec![dest("")], "would replace your home folder"),
        (
            vec![dest(""), "--force".into()],
            "would replace your home folder",
        ),
        (
            vec![dest("notes")],
            "is not empty and was not written by gradbook",
        ),
        (
            vec![dest(".ssh")],
            "is not empty and was not written by gradbook",
        ),
        (
            vec![dest("project")],
            "is not empty and was not written by gradbook",
        ),
        (
            vec![dest("project"), "--force".into()],
            "would replace the git repository",
        ),
        (
            vec![dest("project/.git"), "--force".into()],
            "is a git folder (.git) or inside one",
        ),
        (
            vec![dest("project/.git/new"), "--force".into()],
            "is a git folder (.git) or inside one",
        ),
        (
            vec!["/".into(), "--force".into()],
            "would replace a filesystem root",
        ),
        (vec![dest("notes/todo.txt")], "is a file, or inside one"),
        (
            vec![dest("notes/todo.txt/site")],
            "is a file, or inside one",
        ),
    ];
    for (dest_args, message) in cases {
        let mut args = vec!["build", "--dest"];
        args.extend(dest_args.iter().map(String::as_str));
        let run = site.run_with_env(&args, &env);
        run.code(2)
            .stderr_has(message)
            .stderr_has("nothing was built");
        assert_eq!(
            tree(home.path()),
            before,
            "{args:?} changed the home folder"
        );
    }
    let run = site.run_with_env(&["build", "--dest", &dest("notes")], &env);
    run.stderr_has(&format!("--> {}", dest("notes")))
        .stderr_has("pass --force to delete everything in");
    assert!(!site.root().join("site").exists());
}

#[test]
fn force_replaces_a_folder_gradbook_did_not_write() {
    let site = SiteTest::fixture("basic");
    let out = tempfile::tempdir().unwrap();
    let scratch = out.path().join("scratch");
    fs::create_dir(&scratch).unwrap();
    fs::write(scratch.join("old.txt"), "old").unwrap();
    let dest = scratch.display().to_string();
    site.run(&["build", "--dest", &dest]).code(2);
    assert!(scratch.join("old.txt").exists());
    site.run(&["build", "--dest", &dest, "--force"]).success();
    assert!(!scratch.join("old.txt").exists());
    assert!(scratch.join("index.html").exists());
    assert!(
        fs::read_to_string(scratch.join(".gradbook"))
            .unwrap()
            .starts_with("gradbook "),
        "the site carries the marker"
    );
    // Now gradbook owns it: no --force needed.
    site.run(&["build", "--dest", &dest]).success();
}

#[test]
fn an_empty_or_missing_folder_needs_no_force() {
    let site = SiteTest::fixture("basic");
    let out = tempfile::tempdir().unwrap();
    fs::create_dir(out.path().join("empty")).unwrap();
    for dest in ["empty", "new/deeper/site"] {
        let dest = out.path().join(dest).display().to_string();
        site.run(&["build", "--dest", &dest]).success();
    }
}

#[test]
fn the_site_its_sources_and_the_current_folder_are_refused() {
    let site = SiteTest::fixture("basic").file("templates/page.html", "x");
    let before = site.tree("");
    for (dest, message) in [
        (".", "would replace the site folder"),
        ("..", "would replace the site folder"),
        ("content", "would replace the content folder content"),
        ("content/out", "is inside the content folder content"),
        ("static", "would replace the static folder"),
        ("static/img/site", "is inside the static folder"),
        ("templates", "would replace the templates folder"),
        ("book.toml", "would replace book.toml"),
    ] {
        site.run(&["build", "--dest", dest, "--force"])
            .code(2)
            .stderr_has(message);
    }
    assert_eq!(site.tree(""), before);

    let elsewhere = tempfile::tempdir().unwrap();
    let root = site.root().display().to_string();
    run_in(
        elsewhere.path(),
        &["build", &root, "--dest", ".", "--force"],
        &[],
    )
    .code(2)
    .stderr_has("would replace the current folder");
    let parent = elsewhere.path().join("inner");
    fs::create_dir(&parent).unwrap();
    run_in(&parent, &["build", &root, "--dest", "..", "--force"], &[])
        .code(2)
        .stderr_has("would replace the current folder");
    assert_eq!(site.tree(""), before);
}

/// A site whose lessons live in `src/content`.
fn nested_site(output_dir: &str) -> SiteTest {
    SiteTest::empty()
        .file(
            "book.toml",
            format!(
                "[book]\ntitle = \"T\"\n\n[build]\ncontent-dir = \"src/content\"\noutput-dir = \"{output_dir}\"\n"
            ),
        )
        .file("src/content/a.md", "+++\ntitle = \"A\"\n+++\nLesson A.\n")
        .file("src/notes.txt", "keep")
}

#[test]
fn lessons_survive_an_output_dir_that_holds_them() {
    for output_dir in ["src", "src/content", ".", "src/content/out"] {
        let site = nested_site(output_dir);
        let before = site.tree("");
        let run = site.run(&["build", "--force"]);
        run.code(2)
            .stderr_has("--> book.toml:6:14")
            .stderr_has("output-dir is set here")
            .stderr_has("set output-dir to another folder");
        assert_eq!(site.tree(""), before, "output-dir = {output_dir}");
    }
    let site = nested_site("public");
    site.run(&["build"]).success();
    assert!(site.root().join("public/a/index.html").exists());
}

#[test]
fn lessons_outside_the_site_survive_an_output_dir_that_holds_them() {
    let shared = tempfile::tempdir().unwrap();
    fs::create_dir_all(shared.path().join("lessons")).unwrap();
    fs::write(
        shared.path().join("lessons/a.md"),
        "+++\ntitle = \"A\"\n+++\nShared lesson.\n",
    )
    .unwrap();
    let lessons = shared.path().join("lessons").display().to_string();
    let shared_dir = shared.path().display().to_string();
    let site = SiteTest::empty().file(
        "book.toml",
        format!(
            "[book]\ntitle = \"T\"\n[build]\ncontent-dir = \"{lessons}\"\noutput-dir = \"{shared_dir}\"\n"
        ),
    );
    let before = tree(shared.path());
    site.run(&["build", "--force"])
        .code(2)
        .stderr_has("would replace the content folder");
    assert_eq!(tree(shared.path()), before);
}

#[test]
fn exit_codes_tell_usage_content_and_machine_failures_apart() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--dest", "book.toml"]).code(2);
    site.run(&["build", "--no-such-flag"]).code(2);
    site.build().success();
    site.write("content/broken.md", "no front matter");
    site.build().code(1);
    site.remove("content/broken.md");
    // The lock file beside the output folder cannot be created: the
    // machine failed, not the user or the content.
    fs::create_dir(site.root().join(".site.gradbook-lock")).unwrap();
    site.build()
        .code(3)
        .stderr_has("cannot lock")
        .stderr_has("the previous site, if any, was left as it was");
    assert!(site.has_output("index.html"));
}

#[test]
fn a_copied_marker_does_not_make_a_folder_gradbooks() {
    let site = SiteTest::fixture("basic");
    let home = decoy_home();
    let env = [("HOME", home.path())];
    let ssh = home.path().join(".ssh");
    // The first line of a real marker, or a whole real marker copied from
    // a built site: neither lists the keys.
    site.build().success();
    let real = fs::read_to_string(site.root().join("site/.gradbook")).unwrap();
    for marker in ["gradbook 0.1.0\n", real.as_str()] {
        fs::write(ssh.join(".gradbook"), marker).unwrap();
        let before = tree(home.path());
        site.run_with_env(&["build", "--dest", &ssh.display().to_string()], &env)
            .code(2)
            .stderr_has("is not empty and was not written by gradbook");
        assert_eq!(tree(home.path()), before);
    }
    site.run_with_env(&["build", "--dest", &ssh.display().to_string()], &env)
        .stderr_has("the last build did not write id_ed25519, known_hosts");
    fs::write(ssh.join(".gradbook"), "gradbook 0.1.0\n").unwrap();
    site.run_with_env(&["build", "--dest", &ssh.display().to_string()], &env)
        .stderr_has("its .gradbook file lists no files");
}

#[test]
fn a_file_added_to_a_built_site_stops_the_next_build() {
    let site = SiteTest::fixture("basic");
    site.build().success();
    site.write("site/CNAME", "example.org");
    site.write("site/drafts/mine.md", "mine");
    site.build()
        .code(2)
        .stderr_has("the last build did not write CNAME, drafts/")
        .stderr_has("belongs in static/")
        .stderr_has("nothing was built");
    assert!(site.has_output("CNAME"));
    // A file the build wrote, changed since, is not what it wrote either.
    site.remove("site/CNAME");
    fs::remove_dir_all(site.root().join("site/drafts")).unwrap();
    site.write("site/index.html", "edited by hand");
    site.build()
        .code(2)
        .stderr_has("the last build did not write index.html");
    // A file the build wrote and someone removed is no reason to refuse.
    site.build_forced();
    site.remove("site/index.html");
    site.build().success();
    assert!(site.has_output("index.html"));
}

trait Forced {
    fn build_forced(&self);
}

impl Forced for SiteTest {
    fn build_forced(&self) {
        self.run(&["build", "--force"]).success();
    }
}

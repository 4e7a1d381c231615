//! Interrupted and concurrent builds: a build killed at any moment leaves
//! the previous site in place, and the next build removes whatever it
//! left beside the output folder; builds into one folder take turns, so
//! the site is never half swapped.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{RUN_LIMIT, Run, SiteTest};

/// Names beside the site that are not the site itself or its sources.
fn clutter(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !["site", "content", "static", "book.toml", "templates"].contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

#[test]
fn leftovers_of_killed_builds_are_removed_by_the_next_build() {
    let site = SiteTest::fixture("basic");
    site.build().success();
    // As a killed build leaves them: a process id that is not running, and
    // gradbook's marker (a staging folder's names the folder itself; an
    // old site's lists its files).
    for leftover in [
        ".site.gradbook-staging-4194303-1a2b",
        ".site.gradbook-old-4194303-3c4d",
    ] {
        site.write(&format!("{leftover}/index.html"), "stale");
        site.write(&format!("{leftover}/deep/er/page.html"), "stale");
    }
    site.write(
        ".site.gradbook-staging-4194303-1a2b/.gradbook",
        "gradbook 0.1.0\nstaging .site.gradbook-staging-4194303-1a2b\n",
    );
    site.write(
        ".site.gradbook-old-4194303-3c4d/.gradbook",
        "gradbook 0.1.0\nfiles 2\n5 deep/er/page.html\n5 index.html\n",
    );
    site.write(".site.gradbook-lock", "4194303\n");
    // Earlier versions named them after the process id alone, and wrote
    // a marker without a list.
    site.write(".site.staging-4194303/index.html", "stale");
    site.write(".site.staging-4194303/.gradbook", "gradbook 0.1.0\n");
    site.write(".notes.gradbook-staging-1-1/keep.txt", "another folder's");
    // gradbook's names without its marker, or with a marker copied from
    // another folder: somebody's own folders.
    site.write(".site.gradbook-old-4194303-5e6f/notes.txt", "mine");
    site.write(".site.gradbook-staging-4194303-7a8b/notes.txt", "mine");
    site.write(
        ".site.gradbook-staging-4194303-7a8b/.gradbook",
        "gradbook 0.1.0\nstaging .site.gradbook-staging-4194303-1a2b\n",
    );
    let run = site.build();
    run.success()
        .stderr_has("note: removed")
        .stderr_has(".site.gradbook-staging-4194303-1a2b, left by an interrupted build");
    let mut expected = vec![
        ".notes.gradbook-staging-1-1".to_string(),
        ".site.gradbook-old-4194303-5e6f".to_string(),
        ".site.gradbook-staging-4194303-7a8b".to_string(),
    ];
    if Path::new("/proc/self").exists() {
        assert!(!site.root().join(".site.staging-4194303").exists());
    } else {
        expected.push(".site.staging-4194303".to_string());
    }
    expected.sort();
    assert_eq!(clutter(site.root()), expected);
    assert!(site.has_output("index.html"));
}

/// A site with enough static bytes that writing it takes a moment.
fn heavy_site() -> SiteTest {
    let site = SiteTest::fixture("basic");
    let block = vec![b'x'; 256 * 1024];
    for i in 0..160 {
        site.write(&format!("static/blob/{i:03}.bin"), &block);
    }
    site
}

#[cfg(unix)]
#[test]
fn a_build_killed_while_writing_leaves_the_old_site_and_the_next_build_cleans_up() {
    let site = heavy_site();
    site.build().success();
    let before = site.tree("site");
    let mut caught_staging = false;
    for _attempt in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gradbook"))
            .arg("build")
            .current_dir(site.root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + RUN_LIMIT;
        loop {
            let staging = clutter(site.root())
                .iter()
                .any(|n| n.starts_with(".site.gradbook-staging-"));
            if staging {
                caught_staging = true;
                break;
            }
            if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // SIGKILL: nothing runs after it, as with a power cut.
        let _ = child.kill();
        let _ = child.wait();
        // Whatever moment it died at, the site is whole.
        let now = site.tree("site");
        assert_eq!(now.len(), before.len(), "the site lost files");
        if caught_staging {
            break;
        }
    }
    if caught_staging {
        assert!(
            clutter(site.root())
                .iter()
                .any(|n| n.starts_with(".site.gradbook-")),
            "a killed build leaves its staging folder"
        );
    }
    site.build().success();
    assert_eq!(clutter(site.root()), Vec::<String>::new());
    assert_eq!(site.tree("site"), before);
}

#[test]
fn concurrent_builds_into_one_folder_take_turns() {
    let site = heavy_site();
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_gradbook"))
                .arg("build")
                .current_dir(site.root())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + RUN_LIMIT;
    for mut child in children {
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("a concurrent build never finished");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(clutter(site.root()), Vec::<String>::new());
    assert!(site.has_output("index.html"));
    assert!(site.has_output("blob/159.bin"));
}

#[test]
fn a_build_waits_for_the_build_holding_the_lock() {
    let site = SiteTest::fixture("basic");
    let lock_path = site.root().join(".site.gradbook-lock");
    let held = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .unwrap();
    held.lock().unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        drop(held);
    });
    let run = site.build();
    releaser.join().unwrap();
    run.success()
        .stderr_has("Waiting for another gradbook build to finish writing");
    assert!(site.has_output("index.html"));
    assert!(!lock_path.exists());
}

/// The site's lesson, in two versions: the old site and the new one.
const OLD: &str = "+++\ntitle = \"Old\"\n+++\nThe old lesson.\n";
const NEW: &str = "+++\ntitle = \"New\"\n+++\nThe new lesson, longer than the old one.\n";

/// `gradbook build` with the fault hook of debug builds: killed (no
/// cleanup at all, as with `kill -9`) at step `at` of the swap.
fn build_killed_at(site: &SiteTest, at: usize, renames: bool) -> Run {
    let at = at.to_string();
    let mut env = vec![("GRADBOOK_FAULT_KILL_AT", Path::new(&at))];
    if renames {
        env.push(("GRADBOOK_FAULT_NO_EXCHANGE", Path::new("1")));
    }
    site.run_with_env(&["build"], &env)
}

#[cfg(debug_assertions)]
#[test]
fn a_build_killed_at_any_step_of_the_swap_leaves_a_whole_site() {
    let site = SiteTest::new()
        .lesson("a.md", "A", OLD)
        .lesson("b/c.md", "C", "A second lesson.\n")
        .file("static/img/x.txt", "static");
    let whole = |lesson: &str| {
        site.write("content/a.md", lesson);
        site.run(&["build", "--dest", "expected"]).success();
        let tree = site.tree("expected");
        fs::remove_dir_all(site.root().join("expected")).unwrap();
        tree
    };
    let (old, new) = (whole(OLD), whole(NEW));
    assert_ne!(old, new);
    for renames in [false, true] {
        let mut steps = 0;
        for at in 1..40 {
            site.write("content/a.md", OLD);
            site.build().success();
            assert_eq!(site.tree("site"), old);
            assert_eq!(clutter(site.root()), Vec::<String>::new());
            site.write("content/a.md", NEW);
            let run = build_killed_at(&site, at, renames);
            if run.code == 0 {
                steps = at - 1;
                assert_eq!(site.tree("site"), new);
                break;
            }
            assert_ne!(run.code, 1, "{}", run.stderr);
            let now = site.tree("site");
            let missing = !site.root().join("site").exists();
            assert!(
                now == old || now == new || missing,
                "killed at step {at} (two renames: {renames}): a half site"
            );
            // The next build fails on its content, so it writes nothing:
            // what it leaves is what recovery made of the killed one.
            site.write("content/broken.md", "no front matter");
            let next = site.build();
            next.code(1).stderr_has("was left as it was");
            let after = site.tree("site");
            assert!(
                after == old || after == new,
                "killed at step {at} (two renames: {renames}): no whole site after recovery"
            );
            if missing {
                assert!(renames, "an exchange never leaves the folder missing");
                assert_eq!(after, old);
                next.stderr_has("put back the previous site from");
            }
            site.remove("content/broken.md");
        }
        assert!(steps >= 3, "the swap has {steps} steps");
    }
}

#[cfg(unix)]
#[test]
fn a_link_at_the_lock_name_is_never_followed() {
    let site = SiteTest::fixture("basic");
    let elsewhere = tempfile::tempdir().unwrap();
    let precious = elsewhere.path().join("precious.txt");
    fs::write(&precious, "keep").unwrap();
    let lock = site.root().join(".site.gradbook-lock");
    std::os::unix::fs::symlink(&precious, &lock).unwrap();
    site.build()
        .code(3)
        .stderr_has("it is a symbolic link, not a lock file gradbook made")
        .stderr_has("the previous site, if any, was left as it was");
    assert_eq!(fs::read_to_string(&precious).unwrap(), "keep");
    assert!(!site.has_output("index.html"));
    // A dangling link creates nothing where it points.
    fs::remove_file(&lock).unwrap();
    let target = elsewhere.path().join("created.txt");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    site.build().code(3);
    assert!(!target.exists());
    // Nor does a second name of a file.
    fs::remove_file(&lock).unwrap();
    fs::hard_link(&precious, &lock).unwrap();
    site.build().code(3).stderr_has("hard link");
    assert_eq!(fs::read_to_string(&precious).unwrap(), "keep");
    fs::remove_file(&lock).unwrap();
    site.build().success();
}

/// A site with a calc block whose expected output is wrong, to bless.
fn blessable() -> SiteTest {
    SiteTest::new().file(
        "lessons/real.md",
        "+++\ntitle = \"A\"\n+++\n```calc\n>>> 1 + 1\n3\n```\n",
    )
}

#[cfg(unix)]
#[test]
fn bless_writes_through_a_link_inside_the_site_and_keeps_hard_links() {
    let site = blessable();
    fs::create_dir_all(site.root().join("content")).unwrap();
    std::os::unix::fs::symlink(
        site.root().join("lessons/real.md"),
        site.root().join("content/a.md"),
    )
    .unwrap();
    fs::hard_link(
        site.root().join("lessons/real.md"),
        site.root().join("lessons/second-name.md"),
    )
    .unwrap();
    site.run(&["check", "--bless"]).success();
    let link = site.root().join("content/a.md");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    for name in ["lessons/real.md", "lessons/second-name.md"] {
        let text = fs::read_to_string(site.root().join(name)).unwrap();
        assert!(text.contains(">>> 1 + 1\n2\n"), "{name}: {text}");
    }
    let mut names: Vec<String> = fs::read_dir(site.root().join("lessons"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["real.md", "second-name.md"], "no temporary left");
}

#[test]
fn bless_removes_temporaries_of_killed_runs_and_nothing_else() {
    let site = blessable();
    fs::create_dir_all(site.root().join("content")).unwrap();
    fs::rename(
        site.root().join("lessons/real.md"),
        site.root().join("content/a.md"),
    )
    .unwrap();
    // A killed run's temporary (its process is gone), and files that
    // only look like one.
    let stale = "content/.a.md.gradbook-tmp-4194303-00112233aabbccdd";
    site.write(stale, "half");
    site.write("content/.a.md.gradbook-tmp-mine", "keep");
    site.write("content/.a.md.gradbook-4194303", "keep");
    site.run(&["check", "--bless"]).success();
    assert_eq!(
        Path::new("/proc/self").exists(),
        !site.root().join(stale).exists()
    );
    assert!(site.root().join("content/.a.md.gradbook-tmp-mine").exists());
    assert!(site.root().join("content/.a.md.gradbook-4194303").exists());
}

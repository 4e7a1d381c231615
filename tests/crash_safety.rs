//! Interrupted and concurrent builds: a build killed at any moment leaves
//! the previous site in place, and the next build removes whatever it
//! left beside the output folder; builds into one folder take turns, so
//! the site is never half swapped.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{RUN_LIMIT, SiteTest};

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
    // As a killed build leaves them: a process id that is not running.
    for leftover in [
        ".site.gradbook-staging-4194303-1a2b",
        ".site.gradbook-old-4194303-3c4d",
    ] {
        site.write(&format!("{leftover}/index.html"), "stale");
        site.write(&format!("{leftover}/deep/er/page.html"), "stale");
    }
    site.write(".site.gradbook-lock", "4194303\n");
    // Earlier versions named them after the process id alone.
    site.write(".site.staging-4194303/index.html", "stale");
    site.write(".notes.gradbook-staging-1-1/keep.txt", "another folder's");
    let run = site.build();
    run.success()
        .stderr_has("note: removed")
        .stderr_has(".site.gradbook-staging-4194303-1a2b, left by an interrupted build");
    let mut expected = vec![".notes.gradbook-staging-1-1".to_string()];
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

//! `gradbook init`: a course skeleton that passes `check` and `build`, with
//! CI workflows, and never overwrites an existing site.

use crate::support::SiteTest;

#[test]
fn init_writes_a_course_skeleton_that_checks_and_builds() {
    let site = SiteTest::empty();
    site.run(&["init", "course"]).success();
    for file in [
        "book.toml",
        ".gitignore",
        "content/basics/_index.md",
        "content/basics/derivatives.md",
        "content/basics/gradient-descent.md",
        ".github/workflows/check.yml",
    ] {
        assert!(site.root().join("course").join(file).exists(), "{file}");
    }
    assert!(
        !site
            .root()
            .join("course/.github/workflows/pages.yml")
            .exists(),
        "the Pages workflow is opt-in"
    );
    // Real, verified examples: calc outputs and inline values, none failing.
    let run = site.run(&["check", "course"]);
    run.success();
    // "check: N verified, N computed without an expected output, 0 failed"
    let counts: Vec<usize> = run
        .stdout
        .trim()
        .strip_prefix("check: ")
        .unwrap_or_else(|| panic!("{}", run.stdout))
        .split(", ")
        .filter_map(|part| part.split(' ').next()?.parse().ok())
        .collect();
    let [verified, computed, failed] = counts[..] else {
        panic!("{}", run.stdout)
    };
    assert!(
        verified >= 10 && verified + computed >= 20,
        "{}",
        run.stdout
    );
    assert_eq!(failed, 0, "{}", run.stdout);
    // Every input that prints output has its expected output under it.
    site.run(&["check", "course", "--strict"]).success();

    site.run(&["build", "course"]).success();
    let read = |url: &str| {
        crate::support::Page::parse(
            &std::fs::read_to_string(site.root().join("course/site").join(url).join("index.html"))
                .unwrap(),
        )
    };
    let first = read("basics/derivatives");
    assert_eq!(first.text("h1"), ["What a derivative measures"]);
    assert!(first.has("pre.hl-code code.language-python span"));
    // Inline values are computed, with a true minus for negatives.
    assert!(
        first.text(".calc-inline").iter().any(|v| v == "\u{2212}4"),
        "{:?}",
        first.text(".calc-inline")
    );
    let second = read("basics/gradient-descent");
    // One component of each kind between the two lessons.
    let mut kinds: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|page| page.attr("main .gb", "class"))
        .filter_map(|class| {
            class
                .split(' ')
                .find(|c| c.starts_with("gb-") && *c != "gb-callout")
                .map(|c| c.trim_start_matches("gb-").to_string())
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "checklist",
            "example",
            "explore",
            "flashcards",
            "interview",
            "note",
            "quiz",
            "reorder",
            "tip",
            "warning"
        ]
    );
    let home = read("");
    assert_eq!(home.text("h1"), ["Course"]);
    assert_eq!(home.select(".lesson-card").len(), 2);
}

/// The workflow file `name` of the site in `dir`, parsed.
fn workflow(dir: &std::path::Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(".github/workflows").join(name)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}\n{text}"))
}

/// Every `run` line of every step of every job.
fn run_lines(workflow: &serde_json::Value) -> Vec<String> {
    let mut lines = Vec::new();
    for job in workflow["jobs"].as_object().expect("jobs").values() {
        for step in job["steps"].as_array().expect("steps") {
            if let Some(run) = step["run"].as_str() {
                lines.extend(run.lines().map(|l| l.trim().to_string()));
            }
        }
    }
    lines
}

#[test]
fn the_ci_workflow_installs_gradbook_and_runs_check() {
    let site = SiteTest::empty();
    site.run(&["init", "course"]).success();
    let check = workflow(&site.root().join("course"), "check.yml");
    assert!(check["on"]["push"].is_null() || check["on"]["push"].is_object());
    assert!(check["on"].get("pull_request").is_some(), "{check}");
    let lines = run_lines(&check);
    let install = lines
        .iter()
        .position(|l| l.starts_with("cargo install --locked --git \"$GRADBOOK_GIT\""))
        .unwrap_or_else(|| panic!("no install step: {lines:?}"));
    let run = lines
        .iter()
        .position(|l| l == "gradbook check")
        .unwrap_or_else(|| panic!("no check step: {lines:?}"));
    assert!(install < run, "{lines:?}");
    // Without the repository variable the job says what to set, instead of
    // failing somewhere inside cargo.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("::error::Set the repository variable GRADBOOK_GIT")),
        "{lines:?}"
    );
    let env = &check["jobs"]["check"]["steps"][1]["env"];
    assert!(
        env["GRADBOOK_GIT"]
            .as_str()
            .is_some_and(|v| v.contains("vars.GRADBOOK_GIT")),
        "{env}"
    );
}

#[test]
fn init_can_write_a_github_pages_workflow() {
    let site = SiteTest::empty();
    site.run(&["init", "course", "--github-pages"]).success();
    let pages = workflow(&site.root().join("course"), "pages.yml");
    let lines = run_lines(&pages);
    let build = lines
        .iter()
        .find(|l| l.starts_with("gradbook build"))
        .unwrap_or_else(|| panic!("no build step: {lines:?}"));
    assert!(build.contains("--dest _site"), "{build}");
    assert!(
        build.contains("--base-url \"${{ steps.pages.outputs.base_url }}/\""),
        "{build}"
    );
    let uses: Vec<&str> = pages["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|job| job["steps"].as_array().unwrap())
        .filter_map(|step| step["uses"].as_str())
        .collect();
    for action in [
        "actions/configure-pages@",
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
    ] {
        assert!(uses.iter().any(|u| u.starts_with(action)), "{uses:?}");
    }
    assert_eq!(pages["permissions"]["pages"], "write");
    // The same site, built the way the workflow does, has a sitemap.
    site.run(&[
        "build",
        "course",
        "--dest",
        "out",
        "--base-url",
        "https://someone.github.io/course/",
    ])
    .success();
    let sitemap = std::fs::read_to_string(site.root().join("out/sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://someone.github.io/course/basics/derivatives/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn init_in_the_current_folder() {
    let site = SiteTest::empty();
    site.run(&["init"]).success();
    site.check().success();
    site.build().success();
}

#[test]
fn init_refuses_an_existing_site() {
    let site = SiteTest::fixture("basic");
    let before = site.tree(".");
    let run = site.run(&["init", "."]);
    run.code(1).stderr_has("already holds a site");
    assert_eq!(site.tree("."), before, "nothing was written");

    let content_only = SiteTest::empty().file("content/x.md", "x");
    content_only.run(&["init"]).code(1);
    assert!(!content_only.root().join("book.toml").exists());
}

#[test]
fn init_onto_a_file_is_a_usage_error() {
    let site = SiteTest::empty().file("notes.txt", "mine");
    site.run(&["init", "notes.txt"])
        .code(2)
        .stderr_has("notes.txt exists and is not a folder; nothing was written");
    site.run(&["init", "notes.txt/course"])
        .code(2)
        .stderr_has("goes through a file");
    assert_eq!(
        std::fs::read_to_string(site.root().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[cfg(unix)]
#[test]
fn init_names_everything_in_the_way_and_writes_nothing() {
    use std::os::unix::fs::symlink;
    // A `.github` file where init needs a folder, a link to nothing where
    // it would write `.gitignore`, and a link to a real folder as
    // `content`'s section: each is named, and nothing is written.
    let site = SiteTest::empty()
        .file(".github", "not a folder")
        .file("elsewhere/keep.txt", "x");
    symlink("missing-target", site.root().join(".gitignore")).unwrap();
    std::fs::create_dir(site.root().join("course")).unwrap();
    let before = site.tree(".");
    let run = site.run(&["init", "--github-pages"]);
    run.code(1)
        .stderr_has("error: ./.github is a file where init needs a folder")
        .stderr_has("error: ./.gitignore is a symbolic link to nothing, where init would write")
        .stderr_has("init: nothing was written: move them out of the way");
    assert_eq!(
        run.stderr.matches(".github is").count(),
        1,
        "named once though two workflows go there\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("os error"), "{}", run.stderr);
    assert_eq!(site.tree("."), before, "nothing was written");
    assert!(!site.root().join("book.toml").exists());
    assert!(!site.root().join("content").exists());

    // A link to a real folder is refused too: init writes only into
    // folders it can see are its own to fill.
    let linked = SiteTest::empty().file("real/readme.txt", "x");
    symlink(linked.root().join("real"), linked.root().join(".github")).unwrap();
    linked
        .run(&["init"])
        .code(1)
        .stderr_has(".github is a symbolic link;")
        .stderr_has("move it out of the way");
    assert!(!linked.root().join("book.toml").exists());
    assert!(!linked.root().join("real/workflows").exists());

    // A DIR that is a link to nothing is not a folder.
    let dangling = SiteTest::empty();
    symlink("nowhere", dangling.root().join("course")).unwrap();
    dangling
        .run(&["init", "course"])
        .code(2)
        .stderr_has("course is a symbolic link to nothing, not a folder");
}

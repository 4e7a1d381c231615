//! The learning components and the bundled site in a real headless
//! Chromium, with an accessibility audit (axe-core) of every page kind.
//!
//! The bundled site is audited page by page: every lesson, the review
//! page and every other page kind.
//!
//! Builds three sites with the real binary: the fixture in
//! `tests/fixtures/components/site`, the repository's own site
//! (`book.toml` + `content/`) and the course skeleton `gradbook init`
//! writes. Serves each from a small HTTP server on 127.0.0.1 (threads of
//! this test; one server per site, so the sites do not share storage),
//! and runs `tests/browser/run.mjs` (which runs `book.mjs` for the other
//! two sites in the same browser), driving Chromium through
//! playwright-core and printing one JSON line per check. Screenshots
//! (light, dark, phone, no script; `book-*` for the bundled site) land in
//! `tests/output/browser/`.
//!
//! Needs `/usr/bin/chromium` (Debian's `chromium`), Node.js, and `npm ci`
//! run in `tests/browser`. This file is a test binary with its own harness
//! (libtest-mimic) so that it can decide at run time: without the browser
//! stack the test is reported as ignored, with the reason, and never as
//! passed; under `CI=true` a missing browser stack is a failure.

use std::io::{BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

const CHROMIUM: &str = "/usr/bin/chromium";
const LESSON: &str = "/practice/derivatives/";
/// The bundled site's lesson.
const BOOK_LESSON: &str = "/calculus/what-is-a-derivative/";
/// The first lesson of the site `gradbook init` writes.
const COURSE_LESSON: &str = "/basics/derivatives/";
/// A hang guard. The run audits every page of the bundled book in four
/// views; it took 232 s on two cores shared with other builds (load
/// average near 20), so the guard leaves room for a loaded machine.
const TIME_LIMIT: Duration = Duration::from_secs(600);

#[path = "review_browser.rs"]
mod review_browser;
#[path = "search_browser.rs"]
mod search_browser;

fn main() {
    let args = Arguments::from_args();
    let trials = vec![
        Trial::ignorable_test(
            "components_and_the_bundled_site_work_in_chromium",
            components_and_the_bundled_site_work_in_chromium,
        ),
        Trial::ignorable_test(
            "a_quiz_can_be_taken_in_chromium",
            a_quiz_can_be_taken_in_chromium,
        ),
        Trial::ignorable_test(
            "search_and_navigation_work_over_http_and_from_disk",
            search_browser::search_and_navigation_work_over_http_and_from_disk,
        ),
        Trial::ignorable_test(
            "the_review_page_works_in_chromium",
            review_browser::the_review_page_works_in_chromium,
        ),
        Trial::test("the_test_server_stays_inside_its_folder", || {
            the_test_server_stays_inside_its_folder();
            Ok(())
        }),
        Trial::test("missing_tools_are_named", || {
            missing_tools_are_named();
            Ok(())
        }),
    ];
    libtest_mimic::run(&args, trials).exit();
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What is missing for the browser test, if anything: Chromium at
/// `chromium`, playwright-core and axe-core under `node_modules`, Node.js
/// as `node`.
fn missing_tools_in(chromium: &Path, node_modules: &Path, node: &str) -> Option<String> {
    if !chromium.exists() {
        return Some(format!(
            "{} not found (apt-get install chromium)",
            chromium.display()
        ));
    }
    for package in ["playwright-core", "axe-core"] {
        if !node_modules.join(package).join("package.json").is_file() {
            return Some(format!(
                "{package} is not installed in tests/browser (run `npm ci` there)"
            ));
        }
    }
    match Command::new(node).arg("--version").output() {
        Ok(out) if out.status.success() => None,
        _ => Some(format!("Node.js is not installed (`{node}` did not run)")),
    }
}

fn missing_tools() -> Option<String> {
    missing_tools_in(
        Path::new(CHROMIUM),
        &manifest_dir().join("tests/browser/node_modules"),
        "node",
    )
}

fn missing_tools_are_named() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let nowhere = dir.path().join("no-chromium");
    let reason = missing_tools_in(&nowhere, dir.path(), "node").expect("a reason");
    assert!(reason.contains("no-chromium not found"), "{reason}");
    // A stand-in browser, but no packages.
    let reason = missing_tools_in(dir.path(), dir.path(), "node").expect("a reason");
    assert!(reason.contains("playwright-core"), "{reason}");
    std::fs::create_dir_all(dir.path().join("playwright-core")).expect("mkdir");
    std::fs::write(dir.path().join("playwright-core/package.json"), "{}").expect("write");
    let reason = missing_tools_in(dir.path(), dir.path(), "node").expect("a reason");
    assert!(reason.contains("axe-core"), "{reason}");
    std::fs::create_dir_all(dir.path().join("axe-core")).expect("mkdir");
    std::fs::write(dir.path().join("axe-core/package.json"), "{}").expect("write");
    let reason =
        missing_tools_in(dir.path(), dir.path(), "no-such-node-program").expect("a reason");
    assert!(reason.contains("Node.js"), "{reason}");
}

/// Runs the real binary with `args`, panicking with its output on failure.
fn gradbook(args: &[&std::ffi::OsStr]) {
    let run = Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .args(args)
        .arg("--quiet")
        .output()
        .expect("run gradbook");
    assert!(
        run.status.success(),
        "gradbook {:?} failed:\n{}",
        args,
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Builds the site in `root` into `dest` with the real binary.
fn build_site(root: &Path, dest: &Path) {
    gradbook(&[
        "build".as_ref(),
        root.as_os_str(),
        "--dest".as_ref(),
        dest.as_os_str(),
    ]);
}

/// Builds the three sites the browser checks (the components fixture, the
/// bundled course and the site `init` writes) into `dir`.
fn build_sites(dir: &Path) -> [PathBuf; 3] {
    let site = dir.join("site");
    build_site(
        &manifest_dir().join("tests/fixtures/components/site"),
        &site,
    );
    let book = dir.join("book");
    build_site(manifest_dir(), &book);
    assert!(
        book.join(BOOK_LESSON.trim_matches('/'))
            .join("index.html")
            .is_file(),
        "the bundled site has no {BOOK_LESSON}"
    );
    let course_src = dir.join("course-src");
    gradbook(&["init".as_ref(), course_src.as_os_str()]);
    let course = dir.join("course");
    build_site(&course_src, &course);
    assert!(
        course
            .join(COURSE_LESSON.trim_matches('/'))
            .join("index.html")
            .is_file(),
        "the init site has no {COURSE_LESSON}"
    );

    [site, book, course]
}

/// Reads the JSON lines a browser script printed (one per check, then
/// `{"done":…}`) and fails, with the whole output, unless the script ran to
/// its end and every check passed; returns how many checks ran.
fn assert_checks_passed(
    what: &str,
    status: Option<i32>,
    stdout: &str,
    stderr: &str,
    elapsed: Duration,
) -> usize {
    let mut failures = Vec::new();
    let mut checks = 0;
    let mut finished = false;
    for line in stdout.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if value.get("done").is_some() {
            finished = true;
            continue;
        }
        checks += 1;
        if value["ok"] != serde_json::Value::Bool(true) {
            failures.push(format!("{}: {}", value["check"], value["detail"]));
        }
    }
    assert!(
        finished && failures.is_empty() && status == Some(0),
        "{what} checks failed (exit {status:?}, {checks} checks, {elapsed:?}):\n{}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        failures.join("\n")
    );
    checks
}

/// Reads the JSON lines `run.mjs` printed and fails on any failed check, a
/// missing audit or screenshot; returns how many checks ran.
fn assert_all_passed(
    status: Option<i32>,
    stdout: &str,
    stderr: &str,
    elapsed: Duration,
    shots: &Path,
) -> usize {
    let checks = assert_checks_passed("browser", status, stdout, stderr, elapsed);
    assert!(checks >= 40, "only {checks} checks ran:\n{stdout}");
    for site in ["book: ", "course: "] {
        assert!(
            stdout.contains(&format!("\"check\":\"{site}")),
            "the {site}site was not checked:\n{stdout}"
        );
    }
    // Every page kind of the bundled site, in both themes, was audited.
    for kind in ["index", "section", "lesson", "404"] {
        for theme in ["light", "dark"] {
            let check =
                format!("\"check\":\"book: axe finds no violations on the {kind} page ({theme}");
            assert!(
                stdout.contains(&check),
                "no audit of the {kind} page in {theme}:\n{stdout}"
            );
        }
    }
    for shot in [
        "lesson-light.png",
        "lesson-dark.png",
        "lesson-phone.png",
        "lesson-no-js.png",
        "book-lesson-light.png",
        "book-lesson-dark.png",
        "book-lesson-phone.png",
        "book-index-light.png",
        "book-index-phone.png",
    ] {
        let meta = std::fs::metadata(shots.join(shot)).unwrap_or_else(|e| panic!("{shot}: {e}"));
        assert!(meta.len() > 10_000, "{shot} looks empty");
    }
    // One formula, set in the shipped math font: small, but not blank.
    let font = std::fs::metadata(shots.join("book-math-font.png")).expect("book-math-font.png");
    assert!(font.len() > 500, "book-math-font.png looks empty");
    checks
}

fn components_and_the_bundled_site_work_in_chromium() -> Result<Completion, Failed> {
    if let Some(reason) = missing_tools() {
        if std::env::var("CI").as_deref() == Ok("true") {
            return Err(format!("the browser test cannot run in CI: {reason}").into());
        }
        return Ok(Completion::ignored_with(reason));
    }

    let dir = tempfile::tempdir().expect("temporary folder");
    let [site, book, course] = build_sites(dir.path());
    let server = Server::start(site);
    let book_server = Server::start(book);
    let course_server = Server::start(course);
    let url = format!("http://{}{LESSON}", server.addr);
    let book_url = format!("http://{}{BOOK_LESSON}", book_server.addr);
    let course_url = format!("http://{}{COURSE_LESSON}", course_server.addr);
    let shots = manifest_dir().join("tests/output/browser");
    let started = Instant::now();
    let (status, stdout, stderr) = run_with_limit(
        Command::new("node")
            .arg(manifest_dir().join("tests/browser/run.mjs"))
            .arg(&url)
            .arg(&shots)
            .arg(&book_url)
            .arg(&course_url)
            .current_dir(manifest_dir().join("tests/browser")),
        TIME_LIMIT,
    );
    let elapsed = started.elapsed();
    server.stop();
    book_server.stop();
    course_server.stop();

    let checks = assert_all_passed(status, &stdout, &stderr, elapsed, &shots);
    // libtest-mimic does not capture output: say what ran.
    eprintln!("browser: {checks} checks passed in {elapsed:.1?}");
    Ok(Completion::Completed)
}

/// The quiz fixture's lesson, taken in Chromium by `tests/browser/quiz.mjs`:
/// grading of every question type, feedback, retry, saved results, the
/// sidebar's progress, the page without JavaScript and an axe-core audit.
fn a_quiz_can_be_taken_in_chromium() -> Result<Completion, Failed> {
    if let Some(reason) = missing_tools() {
        if std::env::var("CI").as_deref() == Ok("true") {
            return Err(format!("the browser test cannot run in CI: {reason}").into());
        }
        return Ok(Completion::ignored_with(reason));
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let site = dir.path().join("quiz");
    build_site(&manifest_dir().join("tests/fixtures/quiz/site"), &site);
    let server = Server::start(site);
    let url = format!("http://{}/practice/quiz/", server.addr);
    let started = Instant::now();
    let (status, stdout, stderr) = run_with_limit(
        Command::new("node")
            .arg(manifest_dir().join("tests/browser/quiz.mjs"))
            .arg(&url)
            .current_dir(manifest_dir().join("tests/browser")),
        TIME_LIMIT,
    );
    let elapsed = started.elapsed();
    server.stop();
    let checks = assert_checks_passed("quiz", status, &stdout, &stderr, elapsed);
    assert!(checks >= 15, "only {checks} quiz checks ran:\n{stdout}");
    eprintln!("quiz: {checks} checks passed in {elapsed:.1?}");
    Ok(Completion::Completed)
}

/// Runs `command`, killing it after `limit`; returns its exit code, stdout
/// and stderr.
pub(crate) fn run_with_limit(
    command: &mut Command,
    limit: Duration,
) -> (Option<i32>, String, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    (status, stdout, stderr)
}

/// A static file server on 127.0.0.1 for one folder, one thread per
/// connection, closing each connection after one response.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let stopping = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stopping);
        let thread = thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let root = root.clone();
                    thread::spawn(move || {
                        let _ = respond(stream, &root);
                    });
                }
            }
        });
        Server {
            addr,
            stopping,
            thread: Some(thread),
        }
    }

    pub(crate) fn stop(mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one request with serve's own HTTP layer (request reading,
/// response writing, content types); only the routing is a static host's:
/// a file of the built folder, or 404.
fn respond(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    use gradbook::serve::http::{Response, ResponseBody, read_request};
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let Ok(request) = read_request(&mut reader) else {
        return Ok(());
    };
    let path = request.target.split(['?', '#']).next().unwrap_or("/");
    let is_read = matches!(request.method.as_str(), "GET" | "HEAD");
    let response = match resolve(root, path) {
        Some(file) if is_read => {
            let length = file.metadata()?.len();
            Response::new(
                200,
                content_type(&file),
                ResponseBody::File(std::fs::File::open(&file)?, length),
            )
        }
        None if is_read => Response::text(404, "not found"),
        _ => Response::text(405, ""),
    };
    let mut stream = stream;
    response.write_to(&mut stream, request.is_head())
}

/// The file for a URL path, never outside `root`.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = gradbook::url::percent_decode(url_path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
}

/// The server's content type for `file`, as `gradbook serve` sends it.
fn content_type(file: &Path) -> &'static str {
    gradbook::serve::mime::content_type(&file.to_string_lossy())
}

fn the_test_server_stays_inside_its_folder() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir_all(dir.path().join("a")).expect("mkdir");
    std::fs::write(dir.path().join("a/index.html"), "x").expect("write");
    assert_eq!(
        resolve(dir.path(), "/a/"),
        Some(dir.path().join("a/index.html"))
    );
    assert_eq!(
        resolve(dir.path(), "/%61/index.html"),
        Some(dir.path().join("a/index.html"))
    );
    assert_eq!(resolve(dir.path(), "/../etc/passwd"), None);
    assert_eq!(resolve(dir.path(), "/a/%2e%2e/%2e%2e/x"), None);
    assert_eq!(resolve(dir.path(), "/missing"), None);
    assert_eq!(resolve(dir.path(), "/%zz"), None);
}

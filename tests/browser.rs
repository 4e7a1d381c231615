//! The learning components and the bundled site in a real headless
//! Chromium.
//!
//! Builds the fixture site in `tests/fixtures/components/site` and the
//! repository's own site (`book.toml` + `content/`) with the real binary,
//! serves each from a small HTTP server on 127.0.0.1 (threads of this
//! test; two servers, so the sites do not share storage), and runs
//! `tests/browser/run.mjs` (which also runs `book.mjs` for the bundled
//! site in the same browser), driving Chromium through playwright-core and
//! printing one JSON line per check. Screenshots (light, dark, phone, no
//! script; `book-*` for the bundled site) land in `tests/output/browser/`.
//!
//! Needs `/usr/bin/chromium` (Debian's `chromium`), Node.js, and
//! `npm ci` run in `tests/browser`. Without them the test prints
//! "skipped: …" and passes, except under `CI=true`, where it fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const LESSON: &str = "/practice/derivatives/";
/// The bundled site's lesson.
const BOOK_LESSON: &str = "/calculus/what-is-a-derivative/";
/// The whole browser run takes about ten seconds; this is a hang guard.
const TIME_LIMIT: Duration = Duration::from_secs(180);

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What is missing for the browser test, if anything.
pub(crate) fn missing_tools() -> Option<String> {
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMIUM} not found (apt-get install chromium)"));
    }
    let driver = manifest_dir().join("tests/browser/node_modules/playwright-core");
    if !driver.exists() {
        return Some(
            "tests/browser/node_modules is missing (run `npm ci` in tests/browser)".into(),
        );
    }
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => None,
        _ => Some("node is not installed".into()),
    }
}

/// Builds the site in `root` into `dest` with the real binary.
pub(crate) fn build_site(root: &Path, dest: &Path) {
    let build = Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .arg("build")
        .arg(root)
        .arg("--dest")
        .arg(dest)
        .arg("--quiet")
        .output()
        .expect("run gradbook build");
    assert!(
        build.status.success(),
        "build of {} failed:\n{}",
        root.display(),
        String::from_utf8_lossy(&build.stderr)
    );
}

#[test]
fn components_and_the_bundled_site_work_in_chromium() {
    if let Some(reason) = missing_tools() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("the browser test cannot run in CI: {reason}");
        }
        // Written straight to the terminal so `cargo test` shows it even
        // when it captures test output.
        let _ = writeln!(std::io::stderr(), "skipped: browser test: {reason}");
        return;
    }

    let dir = tempfile::tempdir().expect("temporary folder");
    let site = dir.path().join("site");
    build_site(
        &manifest_dir().join("tests/fixtures/components/site"),
        &site,
    );
    let book = dir.path().join("book");
    build_site(manifest_dir(), &book);
    assert!(
        book.join(BOOK_LESSON.trim_matches('/'))
            .join("index.html")
            .is_file(),
        "the bundled site has no {BOOK_LESSON}"
    );

    let server = Server::start(site);
    let book_server = Server::start(book);
    let url = format!("http://{}{LESSON}", server.addr);
    let book_url = format!("http://{}{BOOK_LESSON}", book_server.addr);
    let shots = manifest_dir().join("tests/output/browser");
    let started = Instant::now();
    let (status, stdout, stderr) = run_with_limit(
        Command::new("node")
            .arg(manifest_dir().join("tests/browser/run.mjs"))
            .arg(&url)
            .arg(&shots)
            .arg(&book_url)
            .current_dir(manifest_dir().join("tests/browser")),
        TIME_LIMIT,
    );
    let elapsed = started.elapsed();
    server.stop();
    book_server.stop();

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
        "browser checks failed (exit {status:?}, {checks} checks, {elapsed:?}):\n{}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        failures.join("\n")
    );
    assert!(checks >= 30, "only {checks} checks ran:\n{stdout}");
    assert!(
        stdout.contains("\"check\":\"book: "),
        "the bundled site was not checked:\n{stdout}"
    );
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

fn respond(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Skip the headers.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = resolve(root, path);
    let (status, content_type, body) = match (method, file) {
        ("GET" | "HEAD", Some(file)) => ("200 OK", content_type(&file), std::fs::read(&file)?),
        ("GET" | "HEAD", None) => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"not found".to_vec(),
        ),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            Vec::new(),
        ),
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// The file for a URL path, never outside `root`.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
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

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[test]
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

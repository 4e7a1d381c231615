//! `gradbook serve`: the real binary on a free port against a temporary
//! site, spoken to over plain HTTP with `std::net`. Every wait is a poll
//! with a deadline, and the server is killed when a test ends, passes or
//! not, so nothing here can hang.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::support::SiteTest;

/// How long the server may take to build and listen (a debug binary on a
/// busy machine).
const STARTUP: Duration = Duration::from_secs(60);
/// How long a change may take to be served.
const CHANGE: Duration = Duration::from_secs(30);
/// How long one HTTP exchange may take.
const EXCHANGE: Duration = Duration::from_secs(10);

const LIVE_RELOAD: &str = "data-gradbook-live-reload";
const OVERLAY: &str = "<div id=\"gradbook-errors\"";

/// A running `gradbook serve`, killed on drop.
struct Served {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Served {
    /// `gradbook serve --port 0 ARGS` in the site folder.
    fn start(site: &SiteTest, args: &[&str]) -> Served {
        Served::start_with(site, args, &[])
    }

    fn start_with(site: &SiteTest, args: &[&str], env: &[(&str, &Path)]) -> Served {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gradbook"));
        command
            .args(["serve", "--port", "0"])
            .args(args)
            .current_dir(site.root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("gradbook serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (url_tx, url_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = url_tx.send(port.parse::<u16>().ok());
                }
            }
        });
        let text = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&text);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let mut served = Served {
            child,
            port: 0,
            stderr: text,
        };
        match url_rx.recv_timeout(STARTUP) {
            Ok(Some(port)) => served.port = port,
            _ => panic!(
                "gradbook serve printed no address\n--- stderr\n{}",
                served.stderr()
            ),
        }
        served
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[])
    }

    /// A GET as a browser navigating to a page sends it.
    fn navigate(&self, path: &str) -> Reply {
        self.request("GET", path, &[("Accept", "text/html,*/*;q=0.8")])
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        http(self.port, method, path, headers)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n--- stderr\n{}", self.stderr()))
    }

    /// Navigates to `path` until `ok` holds for the reply, for at most
    /// [`CHANGE`].
    fn wait_for(&self, path: &str, what: &str, ok: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + CHANGE;
        loop {
            let reply = self.navigate(path);
            if ok(&reply) {
                return reply;
            }
            assert!(
                Instant::now() < deadline,
                "{path} never showed {what}; last reply: {} {}\n--- stderr\n{}",
                reply.status,
                reply.body,
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 exchange over a fresh connection.
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(EXCHANGE))?;
    stream.set_write_timeout(Some(EXCHANGE))?;
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {status_line:?}")))?;
    let mut reply_headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            reply_headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length = reply_headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; if method == "HEAD" { 0 } else { length }];
    reader.read_exact(&mut body)?;
    Ok(Reply {
        status,
        headers: reply_headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// An open live-reload stream.
struct EventStream {
    stream: TcpStream,
    received: String,
}

impl EventStream {
    fn open(port: u16) -> EventStream {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        write!(
            stream,
            "GET /__gradbook/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        EventStream {
            stream,
            received: String::new(),
        }
    }

    /// The tokens of every `build` event received so far.
    fn tokens(&self) -> Vec<String> {
        let mut tokens = Vec::new();
        let mut lines = self.received.lines();
        while let Some(line) = lines.next() {
            if line == "event: build"
                && let Some(data) = lines.next().and_then(|l| l.strip_prefix("data: "))
            {
                tokens.push(data.to_string());
            }
        }
        tokens
    }

    /// Reads until `ok(tokens)` holds, for at most [`CHANGE`].
    fn wait_for(&mut self, what: &str, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + CHANGE;
        let mut buf = [0; 4096];
        loop {
            let tokens = self.tokens();
            if ok(&tokens) {
                return tokens;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} on the event stream; received:\n{}",
                self.received
            );
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("the event stream closed; received:\n{}", self.received),
                Ok(n) => self.received.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
    }
}

#[test]
fn serves_the_site_from_memory() {
    let site = SiteTest::fixture("basic");
    let server = Served::start(&site, &[]);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.body.contains("Fixture Book"), "{}", home.body);
    assert!(home.body.contains(LIVE_RELOAD), "served pages reload");
    let lesson = server.get("/calculus/limits/");
    assert_eq!(lesson.status, 200);
    assert!(lesson.body.contains("Limits come last"), "{}", lesson.body);
    assert_eq!(server.get("/calculus/limits/index.html").status, 200);

    let redirect = server.get("/calculus/limits?x=1");
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("Location"), Some("/calculus/limits/?x=1"));

    let css = server.get("/assets/gradbook.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    assert!(!css.body.contains(LIVE_RELOAD));
    // The search index, as the search box asks for it.
    let index = server.get("/search/index.js?v=1");
    assert_eq!(index.status, 200);
    assert!(index.body.starts_with("gradbookSearch.load(\"index\","));
    let robots = server.get("/robots.txt");
    assert_eq!(
        robots.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(robots.body, "User-agent: *\nAllow: /\n");
    let logo = server.get("/img/logo.svg");
    assert_eq!(logo.status, 200);
    assert_eq!(logo.header("Content-Type"), Some("image/svg+xml"));

    let head = server.request("HEAD", "/", &[]);
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("Content-Length"),
        Some(home.body.len().to_string().as_str())
    );
    let post = server.request("POST", "/", &[]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("Allow"), Some("GET, HEAD"));

    let missing = server.navigate("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("This page does not exist"),
        "the site's 404 page"
    );
    assert!(missing.body.contains(LIVE_RELOAD));
    assert!(
        missing.body.contains("href=\"/assets/gradbook.css\""),
        "served links point at the server, not base-url: {}",
        missing.body
    );
    assert!(!missing.body.contains("example.org"));
    assert_eq!(
        server.get("/calculus/future/").status,
        404,
        "drafts are out"
    );

    for target in [
        "/../book.toml",
        "/%2e%2e/book.toml",
        "/calculus/%2E%2E/%2e%2e/book.toml",
        "/..%2fbook.toml",
        "/static/..%5c..%5cbook.toml",
    ] {
        let reply = server.get(target);
        assert_eq!(reply.status, 400, "{target}");
        assert!(!reply.body.contains("[book]"), "{target}");
    }
    assert_eq!(server.get("/book.toml").status, 404);
    assert_eq!(server.get("/content/welcome.md").status, 404);

    // Not HTTP at all.
    let mut raw = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    raw.set_read_timeout(Some(EXCHANGE)).unwrap();
    raw.write_all(b"HELLO THERE\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = raw.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );

    assert!(!site.root().join("site").exists(), "serve writes no site");
    drop(server);
    site.build().success();
    assert!(
        !site.output("index.html").contains(LIVE_RELOAD),
        "build output has no live-reload script"
    );
}

#[test]
fn drafts_flag_serves_drafts() {
    let site = SiteTest::fixture("basic");
    let server = Served::start(&site, &["--drafts"]);
    let draft = server.get("/calculus/future/");
    assert_eq!(draft.status, 200);
    assert!(draft.body.contains("Draft text."));
}

#[test]
fn streams_and_idle_clients_do_not_hold_up_pages() {
    let site = SiteTest::fixture("basic");
    let server = Served::start(&site, &[]);
    // A dozen open live-reload streams, and a few clients that connect and
    // say nothing: none of them may hold up a page.
    let mut streams: Vec<EventStream> = (0..12).map(|_| EventStream::open(server.port)).collect();
    for stream in &mut streams {
        stream.wait_for("first build event", |t| !t.is_empty());
    }
    let _idle: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(("127.0.0.1", server.port)).unwrap())
        .collect();
    let started = Instant::now();
    for path in ["/", "/calculus/", "/assets/gradbook.css", "/robots.txt"] {
        assert_eq!(server.get(path).status, 200, "{path}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "pages waited for streams or idle clients: {:?}",
        started.elapsed()
    );
    site.write(
        "content/calculus/limits.md",
        "+++\ntitle = \"Limits\"\n+++\nEdited.\n",
    );
    for stream in &mut streams {
        stream.wait_for("reload event", |t| t.len() >= 2);
    }
}

#[test]
fn rebuilds_reloads_and_shows_errors() {
    let site = SiteTest::fixture("basic");
    let server = Served::start(&site, &[]);
    let mut events = EventStream::open(server.port);
    let first = events.wait_for("first build event", |t| !t.is_empty())[0].clone();
    let page = server.get("/calculus/limits/");
    assert!(
        page.body.contains(&format!("var served = \"{first}\"")),
        "the page knows its build"
    );

    site.write(
        "content/calculus/limits.md",
        "+++\ntitle = \"Limits\"\n+++\nA freshly edited paragraph.\n",
    );
    let edited = server.wait_for("/calculus/limits/", "the edit", |r| {
        r.status == 200 && r.body.contains("A freshly edited paragraph.")
    });
    let tokens = events.wait_for("reload event", |t| t.len() >= 2);
    assert_ne!(tokens.last(), Some(&first), "a new build, a new token");
    let second = tokens.last().unwrap().clone();
    // The page may have been served by an even newer build already.
    assert!(edited.body.contains(LIVE_RELOAD));
    // The search index follows the pages (it is put in place just after
    // them): the edited words are in the lesson's search file.
    let deadline = Instant::now() + CHANGE;
    while !(0..12).any(|id| {
        server
            .get(&format!("/search/p/{id}.js"))
            .body
            .contains("A freshly edited paragraph.")
    }) {
        assert!(
            Instant::now() < deadline,
            "the search index never followed the edit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let index = server.get("/search/index.js");
    assert_eq!(index.status, 200, "the index is there all along");

    site.write(
        "content/calculus/limits.md",
        "+++\ntitle = \n+++\nBroken front matter.\n",
    );
    // The lesson with a broken front matter is still shown (under the
    // name of its file, so that its body is checked too), with the
    // problem on top.
    let error = server.wait_for("/calculus/limits/", "the page and its problem", |r| {
        r.status == 200 && r.body.contains("Broken front matter.")
    });
    assert!(error.body.contains(OVERLAY), "{}", error.body);
    assert!(
        error.body.contains("content/calculus/limits.md:2:9"),
        "{}",
        error.body
    );
    assert!(
        error.body.contains("string values must be quoted"),
        "{}",
        error.body
    );
    assert!(
        error.body.contains(LIVE_RELOAD),
        "the error page reloads itself"
    );
    // Other pages are still there, with the problems on top.
    let other = server.navigate("/calculus/chain-rule/");
    assert_eq!(other.status, 200);
    assert!(other.body.contains("Back to"), "{}", other.body);
    assert!(other.body.contains(OVERLAY), "{}", other.body);
    assert!(
        other
            .body
            .contains("<code>content/calculus/limits.md:2:9</code>")
    );
    assert!(other.body.contains(LIVE_RELOAD));
    let css = server.get("/assets/gradbook.css");
    assert_eq!(css.status, 200);
    assert!(!css.body.contains(OVERLAY));
    events.wait_for("reload to the error page", |t| {
        t.iter().skip_while(|x| **x != second).count() >= 2
    });
    assert!(
        server.stderr().contains("content/calculus/limits.md:2:9"),
        "{}",
        server.stderr()
    );

    site.write(
        "content/calculus/limits.md",
        "+++\ntitle = \"Limits\"\n+++\nFixed again.\n",
    );
    let fixed = server.wait_for("/calculus/limits/", "the fixed page", |r| {
        r.status == 200 && r.body.contains("Fixed again.")
    });
    assert!(!fixed.body.contains(OVERLAY));
    assert!(
        !server
            .navigate("/calculus/chain-rule/")
            .body
            .contains(OVERLAY)
    );
}

#[test]
fn survives_bad_config_deleted_files_and_editor_saves() {
    let site = SiteTest::fixture("basic");
    let server = Served::start(&site, &[]);
    let book = std::fs::read_to_string(site.root().join("book.toml")).unwrap();

    site.write("book.toml", "[book\ntitle = \"x\"\n");
    // The last good build stays, with the problems on top.
    let error = server.wait_for("/", "the book.toml error", |r| r.body.contains(OVERLAY));
    assert_eq!(error.status, 200);
    assert!(error.body.contains("book.toml:1:6"), "{}", error.body);
    assert!(
        error.body.contains("book.toml has 1 problem"),
        "{}",
        error.body
    );
    assert!(error.body.contains("Fixture Book"), "{}", error.body);
    assert_eq!(server.get("/assets/gradbook.css").status, 200);
    let missing = server.navigate("/nowhere/");
    assert_eq!(missing.status, 500, "a missing page shows the full list");
    assert!(missing.body.contains("book.toml:1:6"), "{}", missing.body);
    // Saved the way many editors do: a temporary file renamed over.
    site.write(".book.toml.tmp", &book);
    std::fs::rename(
        site.root().join(".book.toml.tmp"),
        site.root().join("book.toml"),
    )
    .unwrap();
    server.wait_for("/", "the site again", |r| {
        r.status == 200 && !r.body.contains(OVERLAY)
    });

    site.write(
        "content/calculus/.limits.md.swp",
        "+++\nbroken swap file, ignored\n",
    );
    site.write(
        "content/calculus/limits.md.new",
        "+++\ntitle = \"Limits\"\n+++\nRenamed over the old file.\n",
    );
    std::fs::rename(
        site.root().join("content/calculus/limits.md.new"),
        site.root().join("content/calculus/limits.md"),
    )
    .unwrap();
    server.wait_for("/calculus/limits/", "the renamed-over lesson", |r| {
        r.status == 200 && r.body.contains("Renamed over the old file.")
    });

    // A lesson that another links to: its removal is a broken link.
    let vectors = std::fs::read(site.root().join("content/linear-algebra/vectors.md")).unwrap();
    site.remove("content/linear-algebra/vectors.md");
    let broken = server.wait_for("/calculus/derivatives/", "the broken link", |r| {
        r.body.contains(OVERLAY)
    });
    assert!(
        broken
            .body
            .contains("<code>content/calculus/derivatives.md:"),
        "{}",
        broken.body
    );
    assert_eq!(server.get("/linear-algebra/vectors/").status, 404);
    site.write("content/linear-algebra/vectors.md", &vectors);
    server.wait_for("/linear-algebra/vectors/", "the restored lesson", |r| {
        r.status == 200 && !r.body.contains(OVERLAY)
    });

    // The whole static folder removed and made again.
    std::fs::remove_dir_all(site.root().join("static")).unwrap();
    server.wait_for("/robots.txt", "the removed file gone", |r| r.status == 404);
    site.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    let robots = server.wait_for("/robots.txt", "the new file", |r| r.status == 200);
    assert_eq!(robots.body, "User-agent: *\nDisallow: /\n");
    site.write("static/extra.txt", "watched again\n");
    server.wait_for("/extra.txt", "a file in the recreated folder", |r| {
        r.status == 200
    });
}

/// Runs `gradbook serve ARGS` in `site`, which must exit by itself within
/// [`STARTUP`]; returns the exit code and stderr.
fn run_to_exit(site: &SiteTest, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .arg("serve")
        .args(args)
        .current_dir(site.root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + STARTUP;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gradbook serve {args:?} kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code(), stderr)
}

#[test]
fn a_port_in_use_is_a_usage_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = SiteTest::fixture("basic");
    let (code, stderr) = run_to_exit(&site, &["--port", &port]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("port {port} on 127.0.0.1 is already in use")),
        "{stderr}"
    );
    assert!(stderr.contains("--port"), "{stderr}");
    drop(taken);
}

#[test]
fn a_folder_without_a_site_is_a_usage_error() {
    let site = SiteTest::empty();
    let (code, stderr) = run_to_exit(&site, &["--port", "0"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no book.toml in ."), "{stderr}");
    let (code, stderr) = run_to_exit(&site, &["--port", "0", "missing"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("missing is not a folder"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn open_uses_the_platform_opener_and_never_fails() {
    use std::os::unix::fs::PermissionsExt;

    let site = SiteTest::fixture("basic");
    let bin = tempfile::tempdir().unwrap();
    let opened = bin.path().join("opened.txt");
    for name in ["xdg-open", "open"] {
        let path = bin.path().join(name);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho \"$@\" > '{}'\n", opened.display()),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let server = Served::start_with(&site, &["--open"], &[("PATH", bin.path())]);
    let deadline = Instant::now() + CHANGE;
    let expected = format!("http://127.0.0.1:{}/", server.port);
    while std::fs::read_to_string(&opened).map_or(true, |s| s.trim() != expected) {
        assert!(Instant::now() < deadline, "the opener was not run");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(server);

    let nothing = tempfile::tempdir().unwrap();
    let server = Served::start_with(&site, &["--open"], &[("PATH", nothing.path())]);
    assert_eq!(server.get("/").status, 200, "no opener, still serving");
    let deadline = Instant::now() + CHANGE;
    while !server.stderr().contains("cannot open a browser") {
        assert!(Instant::now() < deadline, "{}", server.stderr());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let site = SiteTest::fixture("basic");
    let mut server = Served::start(&site, &[]);
    let mut events = EventStream::open(server.port);
    events.wait_for("first build event", |t| !t.is_empty());
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + CHANGE;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{}", server.stderr());
    assert!(!site.root().join("site").exists());
}

/// The status of a raw request `head` (sent as it is), or `None` when the
/// server closed the connection without answering.
fn raw_status(port: u16, head: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(EXCHANGE)).ok()?;
    stream.write_all(head.as_bytes()).ok()?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).ok()?;
    status_line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn requests_for_other_hosts_are_refused() {
    let site = SiteTest::fixture("basic");
    let server = Served::start(&site, &[]);
    let port = server.port;
    let with_host = |host: &str| {
        raw_status(
            port,
            &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
    };
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(with_host(&host), Some(200), "{host}");
    }
    for host in [
        format!("attacker.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        "localhost".to_string(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        assert_eq!(with_host(&host), Some(403), "{host}");
    }
    assert_eq!(
        raw_status(port, "GET / HTTP/1.0\r\n\r\n"),
        Some(403),
        "no Host at all"
    );
    assert_eq!(
        raw_status(
            port,
            &format!("GET /__gradbook/events HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n")
        ),
        Some(403),
        "the live-reload stream too"
    );
}

#[test]
fn slow_clients_cannot_starve_the_server() {
    let site = SiteTest::fixture("basic");
    let server = Served::start(&site, &[]);
    let port = server.port;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // 150 connections, each trickling a request line one byte a second and
    // reconnecting whenever the server closes it.
    let attacker = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let line = b"GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
            let mut conns: Vec<Option<(TcpStream, usize)>> = (0..150).map(|_| None).collect();
            let mut reconnects = 0usize;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                for slot in &mut conns {
                    if slot.is_none() {
                        reconnects += 1;
                        *slot = TcpStream::connect(("127.0.0.1", port)).ok().map(|c| {
                            let _ = c.set_write_timeout(Some(Duration::from_millis(200)));
                            (c, 0)
                        });
                    }
                    if let Some((conn, sent)) = slot {
                        let byte = line[*sent % line.len()];
                        *sent += 1;
                        if conn.write_all(&[byte]).is_err() {
                            *slot = None;
                        }
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            reconnects
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    let attack = Instant::now();
    let mut answered = 0;
    let mut streams = 0;
    while attack.elapsed() < Duration::from_secs(13) {
        let reply = server.get("/");
        assert_eq!(reply.status, 200, "a page during the attack");
        answered += 1;
        if streams < 3 {
            let mut events = EventStream::open(port);
            events.wait_for("live reload during the attack", |t| !t.is_empty());
            streams += 1;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let reconnects = attacker.join().unwrap();
    assert!(answered >= 5, "only {answered} pages in the attack");
    assert!(
        reconnects > 150,
        "the server never closed a trickling connection ({reconnects} connections made)"
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_content_is_reported_and_the_next_edit_rebuilds() {
    let site = SiteTest::fixture("basic");
    let server = Served::start(&site, &[]);
    crate::source_files::mkfifo(&site.root().join("content/calculus/pipe.md"));
    let reply = server.wait_for("/calculus/limits/", "the pipe reported", |r| {
        r.body.contains(OVERLAY) && r.body.contains("pipe.md")
    });
    assert!(reply.body.contains("named pipe"), "{}", reply.body);
    site.remove("content/calculus/pipe.md");
    site.write(
        "content/calculus/limits.md",
        "+++\ntitle = \"Limits\"\n+++\nRebuilt after the pipe.\n",
    );
    server.wait_for("/calculus/limits/", "the next edit rebuilt", |r| {
        r.body.contains("Rebuilt after the pipe.") && !r.body.contains(OVERLAY)
    });
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_even_during_a_long_rebuild() {
    let site = SiteTest::fixture("basic");
    let mut server = Served::start(&site, &[]);
    // A rebuild that takes far longer than the test waits.
    let mut block = String::from("```calc\n>>> J(w) = w**2\n");
    for _ in 0..400 {
        block.push_str(">>> descent(J, w=3, alpha=0.00001, steps=100000)\n");
    }
    block.push_str("```\n");
    site.write(
        "content/slow.md",
        format!("+++\ntitle = \"Slow\"\n+++\n{block}"),
    );
    std::thread::sleep(Duration::from_millis(1500));
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let signalled = Instant::now();
    let deadline = Instant::now() + CHANGE;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop on the first Ctrl-C\n--- stderr\n{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // "At once": well under a second here; generous for a loaded machine.
    let took = signalled.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "serve took {took:?} to stop mid-rebuild\n--- stderr\n{}",
        server.stderr()
    );
    assert_eq!(status.code(), Some(0), "{}", server.stderr());
}

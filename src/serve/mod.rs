//! `gradbook serve`: build the site into memory, serve it on 127.0.0.1,
//! rebuild when its sources change and reload the open pages.
//!
//! Threads, and what each owns:
//!
//! - One thread accepts connections and gives each its own short-lived
//!   thread (at most `MAX_CONNECTIONS` at once), which reads one request
//!   ([`http`]) and answers it from the current [`Snapshot`]; it only ever
//!   clones an `Arc` of it, so a request never waits for a build, and the
//!   page bytes are shared with the snapshot, never copied. A live-reload
//!   stream is handed to the [`live::Hub`] and its thread ends at once.
//! - The whole request head must arrive within `HEAD_DEADLINE`. When every
//!   slot is taken, a new connection closes the one that has waited
//!   longest for its request head instead of being turned away, so clients
//!   that trickle bytes (or open connections and say nothing) cannot
//!   starve the others; only when every slot is busy answering is the new
//!   one told 503.
//! - Only requests for this server by name are answered: the `Host`
//!   header must be `127.0.0.1`, `localhost` or `[::1]` with the port, so
//!   a page elsewhere cannot read the site through a rebound DNS name.
//! - The rebuild thread owns the [`watch::Watch`]: it waits for debounced
//!   changes, rebuilds with [`Site::load`] and [`Site::render_cached`]
//!   (only the pages the change touched are rendered again; the others
//!   keep their bytes, shared with the previous snapshot; nothing is
//!   written to disk, least of all the output folder), swaps the new
//!   snapshot in and announces it on the live-reload streams.
//! - A keep-alive thread pings the streams so that closed ones are
//!   dropped.
//!
//! A build with problems still becomes the current snapshot: every HTML
//! page it has is served with its diagnostics in an overlay, and a page it
//! lacks is answered with the full [`error_page`], until a build without
//! problems replaces it. A broken `book.toml` keeps the previous files
//! with its own diagnostics. Nothing here prints: what happens is reported
//! as [`Event`]s to the caller, which owns the terminal.
//!
//! Invariant: serving writes nothing to disk. Generated files live in the
//! snapshot; files copied from `static/` are read from their source when
//! asked for; the live-reload script exists only in responses.

use std::io::{self, BufReader, BufWriter, Read as _};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::content::ReadCache;
use crate::diagnostics::Diagnostic;
use crate::output::InMemory;
use crate::output::SiteFiles;
use crate::search;
use crate::site::{PendingSearch, RenderCache, Site};

pub mod error_page;
pub mod http;
pub mod live;
pub mod mime;
pub mod routes;
pub mod watch;

use http::{Request, RequestError, Response, ResponseBody};
use routes::Route;
use watch::{Change, Watch};

/// Connections answered at once, at most.
const MAX_CONNECTIONS: usize = 128;

/// How long a client may take to send its whole request head.
const HEAD_DEADLINE: Duration = Duration::from_secs(10);

/// How long a client may take to receive a whole response.
const RESPONSE_DEADLINE: Duration = Duration::from_secs(60);

/// How long a live-reload stream may block one event.
const STREAM_WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// HTML files from `static/` up to this size get the live-reload script;
/// larger ones are streamed from disk untouched.
const MAX_SPLICED_STATIC: u64 = 4 * 1024 * 1024;

/// How long stopping waits for a rebuild in progress before leaving it:
/// a rebuild writes only into memory, so leaving it loses nothing, and
/// Ctrl-C stops the server at once even mid-rebuild.
const STOP_WAIT: Duration = Duration::from_millis(200);

/// How often idle live-reload streams are pinged.
const KEEP_ALIVE_EVERY: Duration = Duration::from_secs(15);

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site folder (holding `book.toml`).
    pub root: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Include lessons marked `draft = true`.
    pub drafts: bool,
}

/// Something the caller may want to tell the user.
#[derive(Debug)]
pub enum Event<'a> {
    /// A build without problems. `changed` lists the changed paths
    /// (relative to the site folder) that caused it; empty for the first.
    Built {
        /// HTML pages built.
        pages: usize,
        /// How many of them were rendered (the others were unchanged).
        rendered: usize,
        /// How long the build took.
        elapsed: Duration,
        /// What changed.
        changed: &'a [PathBuf],
        /// The content's warnings (shown; they fail nothing).
        warnings: &'a [Diagnostic],
    },
    /// A build with problems; the pages show them until they are fixed.
    Failed {
        /// Every problem.
        diagnostics: &'a [Diagnostic],
        /// Whether they are `book.toml` problems (nothing was built).
        config: bool,
        /// What changed.
        changed: &'a [PathBuf],
        /// The content's warnings, besides the problems.
        warnings: &'a [Diagnostic],
    },
    /// The watcher failed: changes may go unnoticed.
    WatchProblem(&'a str),
}

/// Receives [`Event`]s, from any thread.
pub type Reporter = Arc<dyn Fn(Event<'_>) + Send + Sync>;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Another program listens on the port.
    #[error("port {port} on 127.0.0.1 is already in use")]
    PortInUse {
        /// The port asked for.
        port: u16,
    },
    /// Any other failure to listen.
    #[error("cannot listen on 127.0.0.1:{port}: {message}")]
    Listen {
        /// The port asked for.
        port: u16,
        /// What went wrong.
        message: String,
    },
}

/// One build, as served.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Identifies this build to the live-reload script.
    pub token: String,
    /// The site's files (shared with the next snapshot when `book.toml`
    /// breaks).
    pub files: Arc<SiteFiles>,
    /// The build's problems; when there are any, HTML pages show them.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether `diagnostics` are `book.toml` problems.
    pub config_failed: bool,
    /// What every served HTML page gets before `</body>`: the error
    /// overlay (when there are diagnostics) and the live-reload script.
    pub decoration: Bytes,
}

impl Snapshot {
    /// A snapshot, with its decoration made once for every response.
    fn new(
        token: String,
        files: Arc<SiteFiles>,
        diagnostics: Vec<Diagnostic>,
        config_failed: bool,
    ) -> Snapshot {
        let mut snippet = String::new();
        if !diagnostics.is_empty() {
            snippet.push_str(&error_page::overlay(&diagnostics, config_failed));
        }
        snippet.push_str(&live::script(&token));
        Snapshot {
            token,
            files,
            diagnostics,
            config_failed,
            decoration: Bytes::from(snippet),
        }
    }
}

/// State shared by every thread.
struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    hub: live::Hub,
    /// The port listened on, for checking `Host`.
    port: u16,
    /// The connections being answered.
    slots: Slots,
}

impl Shared {
    fn current(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Replaces the current snapshot's search index with `files`, without
    /// telling pages to reload (their content did not change).
    /// Only the rebuild thread changes the snapshot, so the one read here
    /// is still current when the new one takes its place.
    fn put_search(&self, files: Vec<(String, Bytes)>) {
        let current = self.current();
        let mut site = (*current.files).clone();
        site.generated
            .retain(|path, _| !path.starts_with(search::DIR));
        site.generated.extend(files);
        let next = Arc::new(Snapshot {
            token: current.token.clone(),
            files: Arc::new(site),
            diagnostics: current.diagnostics.clone(),
            config_failed: current.config_failed,
            decoration: current.decoration.clone(),
        });
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = next;
    }

    fn publish(&self, snapshot: Snapshot) {
        let token = snapshot.token.clone();
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snapshot);
        self.hub.announce(&token);
    }
}

/// A running server; [`Server::stop`] (or dropping it) shuts it down.
pub struct Server {
    address: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
    changes: Sender<Change>,
    stop_keep_alive: Option<Sender<()>>,
    stopping: Arc<AtomicBool>,
}

impl Server {
    /// Listens on 127.0.0.1, builds the site once, starts watching it and
    /// starts answering requests. Content problems do not stop it; only a
    /// port that cannot be listened on does.
    pub fn start(options: &Options, report: Reporter) -> Result<Server, StartError> {
        let port = options.port;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
            if e.kind() == io::ErrorKind::AddrInUse {
                StartError::PortInUse { port }
            } else {
                StartError::Listen {
                    port,
                    message: e.to_string(),
                }
            }
        })?;
        let address = listener.local_addr().map_err(|e| StartError::Listen {
            port,
            message: e.to_string(),
        })?;
        // Connections made during the first build wait in the listen queue
        // until the acceptor starts. Watch events carry the paths the watcher was given; a canonical
        // root makes them comparable.
        let root = options
            .root
            .canonicalize()
            .unwrap_or_else(|_| options.root.clone());
        // Watch before the first build, so that a change made while it
        // runs is not missed (it only causes a second build).
        let (changes, changes_rx) = mpsc::channel();
        let guess = crate::config::Config::load(&root)
            .map_or_else(|_| PathBuf::from("content"), |c| c.build.content_dir);
        let mut watch = match Watch::start(&root, &guess, changes.clone()) {
            Ok(watch) => Some(watch),
            Err(problem) => {
                report(Event::WatchProblem(&problem));
                None
            }
        };
        let mut builder = Builder::new(root, options.drafts);
        let mut first = builder.build(None, &[], &report);
        if let Some(files) = builder.search_files() {
            let mut site = (*first.files).clone();
            site.generated.extend(files);
            first.files = Arc::new(site);
        }
        if let Some(watch) = watch.as_mut() {
            for problem in watch.set_content_dir(&builder.content_dir) {
                report(Event::WatchProblem(&problem));
            }
        }
        let shared = Arc::new(Shared {
            hub: live::Hub::new(&first.token),
            snapshot: RwLock::new(Arc::new(first)),
            port: address.port(),
            slots: Slots::default(),
        });

        let mut background = Vec::new();
        {
            let shared = Arc::clone(&shared);
            background.push(thread::spawn(move || {
                rebuild_loop(&shared, builder, watch, &changes_rx, &report);
            }));
        }
        let (stop_keep_alive, keep_alive_rx) = mpsc::channel::<()>();
        {
            let shared = Arc::clone(&shared);
            background.push(thread::spawn(move || {
                while let Err(RecvTimeoutError::Timeout) =
                    keep_alive_rx.recv_timeout(KEEP_ALIVE_EVERY)
                {
                    shared.hub.keep_alive();
                }
            }));
        }

        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let stopping = Arc::clone(&stopping);
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                for connection in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    match connection {
                        Ok(stream) => accept(&shared, stream),
                        // A client that gave up before it was accepted, or
                        // too many open files: keep accepting.
                        Err(_) => thread::sleep(Duration::from_millis(20)),
                    }
                }
            })
        };
        Ok(Server {
            address,
            acceptor: Some(acceptor),
            background,
            changes,
            stop_keep_alive: Some(stop_keep_alive),
            stopping,
        })
    }

    /// The address listened on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The site's URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Stops answering, watching and rebuilding. A rebuild in progress
    /// gets [`STOP_WAIT`] to finish; after that it is left to end with the
    /// process, so stopping never waits on a long build.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            // Wake the acceptor from `accept` so it sees the flag.
            let _ = TcpStream::connect(self.address);
            let _ = acceptor.join();
        }
        // Connections being answered finish by themselves, within their
        // deadlines.
        let _ = self.changes.send(Change::Stop);
        self.stop_keep_alive.take();
        let deadline = Instant::now() + STOP_WAIT;
        for thread in self.background.drain(..) {
            while !thread.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Builds snapshots, numbering them.
struct Builder {
    root: PathBuf,
    drafts: bool,
    /// Distinguishes this server's tokens from an earlier run's, so that
    /// pages left open across a restart reload.
    instance: String,
    generation: u64,
    /// The content folder of the last good `book.toml`.
    content_dir: PathBuf,
    /// Pages of earlier builds, so an edit re-renders only what it changed.
    cache: RenderCache,
    /// Sources of earlier builds, so an edit reads only what it changed.
    sources: ReadCache,
    /// The last build's search index, still to be assembled.
    search: Option<PendingSearch>,
}

impl Builder {
    fn new(root: PathBuf, drafts: bool) -> Builder {
        let instance = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Builder {
            root,
            drafts,
            instance: format!("{instance:x}"),
            generation: 0,
            content_dir: PathBuf::from("content"),
            cache: RenderCache::new(),
            sources: ReadCache::default(),
            search: None,
        }
    }

    /// Builds the site into a new snapshot; `previous` supplies the files
    /// to keep serving when `book.toml` is broken.
    fn build(
        &mut self,
        previous: Option<&Snapshot>,
        changed: &[PathBuf],
        report: &Reporter,
    ) -> Snapshot {
        self.generation += 1;
        let token = format!("{}-{}", self.instance, self.generation);
        let started = Instant::now();
        let built = catch_unwind(AssertUnwindSafe(|| {
            self.sources.forget(changed);
            let mut site = Site::load_cached(&self.root, self.drafts, &mut self.sources)?;
            // Pages link to each other relatively; the few absolute links
            // (the 404 page's) must point at this server, not the real
            // site.
            site.config.book.base_url = "/".to_string();
            let sink = InMemory::default();
            let outcome = site.render_cached(&sink, &mut self.cache);
            Ok((
                site.config.build.content_dir.clone(),
                (outcome, sink.into_files()),
            ))
        }));
        let mut warnings = Vec::new();
        let (files, diagnostics, config_failed) = match built {
            Ok(Ok((content_dir, (mut outcome, mut files)))) => {
                self.content_dir = content_dir;
                // Until the new index is assembled, the last one serves.
                self.search = outcome.search.take();
                if let Some(previous) = previous {
                    files.generated.extend(
                        previous
                            .files
                            .generated
                            .range(search::DIR.to_string()..)
                            .take_while(|(path, _)| path.starts_with(search::DIR))
                            .map(|(path, bytes)| (path.clone(), bytes.clone())),
                    );
                }
                warnings = std::mem::take(&mut outcome.warnings);
                if outcome.diagnostics.is_empty() {
                    report(Event::Built {
                        pages: outcome.pages,
                        rendered: outcome.pages - outcome.reused,
                        elapsed: started.elapsed(),
                        changed,
                        warnings: &warnings,
                    });
                }
                (Arc::new(files), outcome.diagnostics, false)
            }
            Ok(Err(diagnostics)) => {
                let files = previous.map(|p| Arc::clone(&p.files)).unwrap_or_default();
                (files, diagnostics, true)
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(ToString::to_string)
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let diagnostic = Diagnostic::whole_file(
                    &self.root,
                    format!("internal error while building: {what}"),
                )
                .with_help(
                    "this is a bug in gradbook; please report it with the file that caused it",
                );
                let files = previous.map(|p| Arc::clone(&p.files)).unwrap_or_default();
                (files, vec![diagnostic], false)
            }
        };
        if !diagnostics.is_empty() {
            report(Event::Failed {
                diagnostics: &diagnostics,
                config: config_failed,
                changed,
                warnings: &warnings,
            });
        }
        Snapshot::new(token, files, diagnostics, config_failed)
    }
}

impl Builder {
    /// The last build's search index, assembled (`None` when it is done
    /// already, or the build failed).
    fn search_files(&mut self) -> Option<Vec<(String, Bytes)>> {
        self.search.take().map(|search| search.files())
    }
}

/// Waits for changes and rebuilds, until told to stop.
fn rebuild_loop(
    shared: &Shared,
    mut builder: Builder,
    mut watch: Option<Watch>,
    changes: &Receiver<Change>,
    report: &Reporter,
) {
    while let Ok(first) = changes.recv() {
        // Take every change that is already waiting: one build covers them.
        let mut paths = Vec::new();
        for change in std::iter::once(first).chain(changes.try_iter()) {
            match change {
                Change::Paths(p) => paths.extend(p),
                Change::Problem(problem) => report(Event::WatchProblem(&problem)),
                Change::Stop => return,
            }
        }
        let mut relevant: Vec<PathBuf> = paths
            .iter()
            .filter(|p| watch::relevant(&builder.root, &builder.content_dir, p))
            .cloned()
            .collect();
        if relevant.is_empty() {
            continue;
        }
        if let Some(watch) = watch.as_mut() {
            // Watch recreated folders before building, so that a change
            // made during the build is not missed.
            for problem in watch.refresh(&relevant) {
                report(Event::WatchProblem(&problem));
            }
        }
        relevant.sort();
        relevant.dedup();
        let shown: Vec<PathBuf> = relevant
            .iter()
            .map(|p| p.strip_prefix(&builder.root).unwrap_or(p).to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        let previous = shared.current();
        let snapshot = builder.build(Some(&previous), &shown, report);
        drop(previous);
        if let Some(watch) = watch.as_mut() {
            for problem in watch.set_content_dir(&builder.content_dir) {
                report(Event::WatchProblem(&problem));
            }
        }
        shared.publish(snapshot);
        // The new pages are up; now their index.
        if let Some(files) = builder.search_files() {
            shared.put_search(files);
        }
    }
}

/// The connections being answered, each in one of two phases.
#[derive(Default)]
struct Slots {
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    next_id: u64,
    /// Id, a handle to close the connection, whether its request head is
    /// still awaited, and since when.
    open: Vec<(u64, TcpStream, bool, Instant)>,
}

impl Slots {
    /// Takes a slot for `stream`, closing the connection that has waited
    /// longest for its request head if all are taken; `None` when every
    /// connection is being answered.
    fn take(&self, stream: &TcpStream) -> Option<u64> {
        let handle = stream.try_clone().ok()?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.open.len() >= MAX_CONNECTIONS {
            let oldest = state
                .open
                .iter()
                .enumerate()
                .filter(|(_, (_, _, waiting, _))| *waiting)
                .min_by_key(|(_, (_, _, _, since))| *since)
                .map(|(i, _)| i)?;
            let (_, evicted, _, _) = state.open.swap_remove(oldest);
            // Its thread sees the connection end and leaves.
            let _ = evicted.shutdown(Shutdown::Both);
        }
        state.next_id += 1;
        let id = state.next_id;
        state.open.push((id, handle, true, Instant::now()));
        Some(id)
    }

    /// Marks slot `id` as answering: its request head has arrived.
    fn answering(&self, id: u64) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = state.open.iter_mut().find(|s| s.0 == id) {
            slot.2 = false;
        }
    }

    /// Frees slot `id`.
    fn free(&self, id: u64) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.open.retain(|s| s.0 != id);
    }
}

/// Gives `stream` a thread of its own. A thread per connection means a
/// client that connects and says nothing (browsers open such connections
/// ahead of need) holds up no one else; [`Slots`] bounds how many.
fn accept(shared: &Arc<Shared>, stream: TcpStream) {
    let Some(id) = shared.slots.take(&stream) else {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let busy = Response::text(503, "503 Service Unavailable: too many connections\n")
            .with_header("Retry-After", "1");
        let _ = busy.write_to(&mut BufWriter::new(&stream), false);
        return;
    };
    let shared_for_thread = Arc::clone(shared);
    let spawned = thread::Builder::new().spawn(move || {
        let shared = shared_for_thread;
        // One bad request must not take the server down.
        let _ = catch_unwind(AssertUnwindSafe(|| serve_connection(&shared, id, stream)));
        shared.slots.free(id);
    });
    if spawned.is_err() {
        shared.slots.free(id);
    }
}

/// Reads one request from `stream` and answers it from the current
/// snapshot; the connection is closed afterwards, unless it becomes a
/// live-reload stream.
fn serve_connection(shared: &Shared, id: u64, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let read = http::read_request(&mut BufReader::new(http::Deadline::new(
        &stream,
        HEAD_DEADLINE,
    )));
    shared.slots.answering(id);
    let (response, head_only) = match read {
        Ok(request) => {
            if !host_allowed(request.header("Host"), shared.port) {
                (forbidden_host(shared.port), request.is_head())
            } else if let Some(response) = answer(shared, &request) {
                (response, request.is_head())
            } else {
                let _ = stream.set_read_timeout(None);
                let _ = stream.set_write_timeout(Some(STREAM_WRITE_TIMEOUT));
                shared.hub.open(Box::new(stream));
                return;
            }
        }
        Err(RequestError::Malformed) => (Response::text(400, "400 Bad Request\n"), false),
        Err(RequestError::Closed) => return,
    };
    // The client may have gone; there is no one to tell.
    let mut out = http::Deadline::new(&stream, RESPONSE_DEADLINE);
    let _ = response.write_to(&mut BufWriter::new(&mut out), head_only);
    let _ = stream.shutdown(Shutdown::Write);
}

/// Whether a request with this `Host` header is for this server: its
/// loopback address or `localhost`, with its port (which a browser leaves
/// out only for port 80). Anything else may be a page on another site
/// reaching this one through a DNS name rebound to 127.0.0.1.
fn host_allowed(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host == format!("{name}:{port}") || (port == 80 && host == *name))
}

fn forbidden_host(port: u16) -> Response {
    Response::text(
        403,
        &format!(
            "403 Forbidden: this preview server answers only requests for \
             http://127.0.0.1:{port}/ or http://localhost:{port}/\n"
        ),
    )
}

/// The response to `request`; `None` for the live-reload stream.
fn answer(shared: &Shared, request: &Request) -> Option<Response> {
    let snapshot = shared.current();
    let wants_html = request
        .header("Accept")
        .is_some_and(|accept| accept.contains("text/html"));
    Some(
        match routes::route(&request.method, &request.target, &snapshot.files) {
            Route::Events => return None,
            Route::File(key) => {
                file(&snapshot, &key).unwrap_or_else(|| not_found(&snapshot, wants_html))
            }
            Route::Redirect(location) => {
                Response::text(302, "302 Found\n").with_header("Location", location)
            }
            Route::NotFound => not_found(&snapshot, wants_html),
            Route::BadRequest => Response::text(400, "400 Bad Request\n"),
            Route::MethodNotAllowed => {
                Response::text(405, "405 Method Not Allowed\n").with_header("Allow", "GET, HEAD")
            }
        },
    )
}

/// The site file `key`: generated (shared with the snapshot), or read from
/// its source (a file removed or no longer a regular file since the build
/// is missing, `None`). HTML pages get the live-reload script, and the
/// problems of the build on top.
fn file(snapshot: &Snapshot, key: &str) -> Option<Response> {
    let content_type = mime::content_type(key);
    let body = match snapshot.files.generated.get(key) {
        Some(bytes) => bytes.clone(),
        None => {
            let path = snapshot.files.copied.get(key)?;
            let (mut file, length) = crate::files::open_regular(path).ok()?;
            // A page from `static/` is read to add the live-reload script;
            // a huge one is streamed as it is, so slow readers of it cost
            // no memory.
            if !mime::is_html(content_type) || length > MAX_SPLICED_STATIC {
                return Some(Response::new(
                    200,
                    content_type,
                    ResponseBody::File(file, length),
                ));
            }
            let mut bytes = Vec::new();
            (&mut file)
                .take(MAX_SPLICED_STATIC)
                .read_to_end(&mut bytes)
                .ok()?;
            Bytes::from(bytes)
        }
    };
    if !mime::is_html(content_type) {
        return Some(Response::new(200, content_type, ResponseBody::Bytes(body)));
    }
    Some(Response::new(200, content_type, decorate(snapshot, body)))
}

/// A served page: with the live-reload script, and with the overlay while
/// the build has problems; the page's bytes are shared, not copied.
fn decorate(snapshot: &Snapshot, html: Bytes) -> ResponseBody {
    ResponseBody::Spliced {
        at: live::body_end(&html),
        page: html,
        insert: snapshot.decoration.clone(),
    }
}

/// A missing page: the full error page when the build has problems (they
/// may be why it is missing) and a browser asks, else the site's 404 page.
fn not_found(snapshot: &Snapshot, wants_html: bool) -> Response {
    let html = mime::content_type("404.html");
    if !snapshot.diagnostics.is_empty() && wants_html {
        let page = error_page::render(
            &snapshot.diagnostics,
            snapshot.config_failed,
            &snapshot.token,
        );
        return Response::new(500, html, ResponseBody::Bytes(Bytes::from(page)));
    }
    match snapshot.files.generated.get("404.html") {
        Some(page) => Response::new(404, html, decorate(snapshot, page.clone())),
        None => Response::text(404, "404 Not Found\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;
    use std::net::TcpStream;
    use std::sync::Mutex;

    fn get(address: SocketAddr, path: &str) -> String {
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            address.port()
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    }

    #[test]
    fn only_requests_for_this_server_by_name_are_answered() {
        for host in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LocalHost:3000",
            "[::1]:3000",
        ] {
            assert!(host_allowed(Some(host), 3000), "{host}");
        }
        for host in [
            "evil.example:3000",
            "127.0.0.1:3001",
            "localhost",
            "127.0.0.1",
            "localhost.evil.example:3000",
            "",
        ] {
            assert!(!host_allowed(Some(host), 3000), "{host}");
        }
        assert!(!host_allowed(None, 3000));
        assert!(host_allowed(Some("localhost"), 80));
    }

    #[test]
    fn pages_are_served_from_the_snapshots_bytes() {
        let mut files = SiteFiles::default();
        let page = Bytes::from_static(b"<html><body><p>x</p></body></html>");
        files.generated.insert("index.html".into(), page.clone());
        files
            .generated
            .insert("a.css".into(), Bytes::from_static(b"p {}"));
        let snapshot = Snapshot::new("t".into(), Arc::new(files), Vec::new(), false);
        let Some(Response {
            body:
                ResponseBody::Spliced {
                    page: sent,
                    at,
                    insert,
                },
            ..
        }) = file(&snapshot, "index.html")
        else {
            panic!("a page is spliced");
        };
        assert_eq!(sent.as_ptr(), page.as_ptr(), "the page bytes are shared");
        assert_eq!(at, 20);
        assert_eq!(insert.as_ptr(), snapshot.decoration.as_ptr());
        let Some(Response {
            body: ResponseBody::Bytes(css),
            ..
        }) = file(&snapshot, "a.css")
        else {
            panic!("a stylesheet is sent as it is");
        };
        assert_eq!(css.as_ptr(), snapshot.files.generated["a.css"].as_ptr());
    }

    #[test]
    fn a_full_house_closes_the_longest_wait_for_a_head() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let slots = Slots::default();
        let mut clients = Vec::new();
        let mut servers = Vec::new();
        for _ in 0..MAX_CONNECTIONS {
            clients.push(TcpStream::connect(address).unwrap());
            let (server, _) = listener.accept().unwrap();
            let id = slots.take(&server).unwrap();
            servers.push((id, server));
        }
        // The first is being answered; the second waits longest for a head.
        slots.answering(servers[0].0);
        clients.push(TcpStream::connect(address).unwrap());
        let (newcomer, _) = listener.accept().unwrap();
        assert!(slots.take(&newcomer).is_some());
        let mut buf = [0; 1];
        clients[1]
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        assert_eq!(clients[1].read(&mut buf).unwrap_or(0), 0, "evicted");
        // With every slot answering, a newcomer is turned away.
        let ids: Vec<u64> = {
            let state = slots.state.lock().unwrap();
            state.open.iter().map(|s| s.0).collect()
        };
        for id in ids {
            slots.answering(id);
        }
        assert!(slots.take(&newcomer).is_none());
    }

    #[test]
    fn serves_reports_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(
            dir.path().join("content/a.md"),
            "+++\ntitle = \"A\"\n+++\nHello from a.\n",
        )
        .unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&events);
        let report: Reporter = Arc::new(move |event| {
            let line = match event {
                Event::Built { pages, .. } => format!("built {pages}"),
                Event::Failed { diagnostics, .. } => format!("failed {}", diagnostics.len()),
                Event::WatchProblem(p) => format!("watch {p}"),
            };
            seen.lock().unwrap().push(line);
        });
        let options = Options {
            root: dir.path().to_path_buf(),
            port: 0,
            drafts: false,
        };
        let server = Server::start(&options, report).unwrap();
        assert!(server.address().ip().is_loopback());
        assert!(server.url().starts_with("http://127.0.0.1:"));
        let reply = get(server.address(), "/a/");
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(reply.contains("Hello from a."), "{reply}");
        assert_eq!(
            events.lock().unwrap().as_slice(),
            ["built 3"],
            "home, lesson and 404 pages"
        );

        let second = Server::start(
            &Options {
                port: server.address().port(),
                ..options.clone()
            },
            Arc::new(|_| {}),
        );
        assert!(matches!(second, Err(StartError::PortInUse { .. })));

        let started = Instant::now();
        server.stop();
        assert!(started.elapsed() < Duration::from_secs(5), "stops promptly");
        assert!(
            !dir.path().join("site").exists(),
            "serving writes no output folder"
        );
    }
}

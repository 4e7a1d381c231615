//! Live reload over server-sent events.
//!
//! Every served HTML page carries a small script that knows the token of
//! the build it came from and listens on [`EVENTS_PATH`]. The server sends
//! the current token when the stream opens and again after every rebuild;
//! the page reloads itself when the token differs from its own. Sending
//! the token on connect (rather than a bare "reload" later) means a page
//! that missed a rebuild while its stream was reconnecting, or a page left
//! open across a server restart, still catches up.
//!
//! The script is added here, to served responses only; `build` output
//! never contains it.

use std::io::Write;
use std::sync::Mutex;

pub use super::routes::EVENTS_PATH;

/// The live-reload script; `__TOKEN__` and `__EVENTS__` are filled in.
///
/// Only visible tabs keep a stream open: browsers allow about six
/// connections per host, and a stream per background tab would soon use
/// them all up. A tab that becomes visible again reconnects, is told the
/// current token, and reloads if it missed a build.
const SCRIPT: &str = r#"<script data-gradbook-live-reload>
(function () {
  var served = __TOKEN__, events = null;
  if (!window.EventSource) return;
  function connect() {
    if (events) return;
    events = new EventSource("__EVENTS__");
    events.addEventListener("build", function (e) {
      if (e.data !== served) { disconnect(); location.reload(); }
    });
  }
  function disconnect() {
    if (events) { events.close(); events = null; }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) disconnect(); else connect();
  });
  if (!document.hidden) connect();
})();
</script>
"#;

/// The `<script>` element added to served pages built as `token`.
pub fn script(token: &str) -> String {
    // A JSON string literal is a valid JavaScript string literal; `<` is
    // escaped so the token can never close the script element.
    let token = serde_json::to_string(token)
        .unwrap_or_else(|_| "\"\"".to_string())
        .replace('<', "\\u003c");
    SCRIPT
        .replace("__EVENTS__", EVENTS_PATH)
        .replace("__TOKEN__", &token)
}

/// `html` with the live-reload script inserted before its last `</body>`
/// (or appended when there is none).
pub fn inject(html: &[u8], token: &str) -> Vec<u8> {
    insert_before_body_end(html, &script(token))
}

/// `html` with `snippet` inserted before its last `</body>` (or appended
/// when there is none).
pub fn insert_before_body_end(html: &[u8], snippet: &str) -> Vec<u8> {
    let at = body_end(html);
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Where a snippet goes in `html`: before its last `</body>`, or at the
/// end when there is none.
pub fn body_end(html: &[u8]) -> usize {
    rfind_ascii_case_insensitive(html, b"</body").unwrap_or(html.len())
}

fn rfind_ascii_case_insensitive(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The first bytes of an event-stream response: status line, headers and
/// the reconnection delay. The body is delimited by closing the
/// connection, which every `EventSource` understands.
const STREAM_HEAD: &str = "HTTP/1.1 200 OK\r\n\
    Content-Type: text/event-stream\r\n\
    Cache-Control: no-store\r\n\
    Connection: close\r\n\
    \r\n\
    retry: 1000\n\n";

/// The event announcing that `token` is the current build.
fn build_event(token: &str) -> String {
    // Tokens are single-line; guard anyway, as a newline would end the
    // `data:` field early.
    let token = token.replace(['\r', '\n'], " ");
    format!("event: build\ndata: {token}\n\n")
}

/// A comment line that keeps idle streams open and finds closed ones.
const KEEP_ALIVE: &str = ": keep-alive\n\n";

/// The most live-reload streams kept open; opening one more closes the
/// oldest (whose page, if it is still open, reconnects after a second).
/// Browsers keep at most six connections per host, so a person with a few
/// tabs never comes near it.
pub const MAX_STREAMS: usize = 64;

/// The open event streams and the token they were last told.
pub struct Hub {
    state: Mutex<HubState>,
}

struct HubState {
    token: String,
    clients: Vec<Box<dyn Write + Send>>,
}

impl Hub {
    /// A hub with no streams, whose current build is `token`.
    pub fn new(token: &str) -> Hub {
        Hub {
            state: Mutex::new(HubState {
                token: token.to_string(),
                clients: Vec::new(),
            }),
        }
    }

    /// Starts a stream on `writer` (the raw connection of a request to
    /// [`EVENTS_PATH`]) and tells it the current token. The token is read
    /// under the same lock [`Hub::announce`] takes, so a stream never
    /// misses a build. A writer that fails at once is dropped, which
    /// closes its connection; with [`MAX_STREAMS`] open, the oldest is
    /// dropped to make room.
    pub fn open(&self, mut writer: Box<dyn Write + Send>) {
        let mut state = self.lock();
        let started = writer
            .write_all(STREAM_HEAD.as_bytes())
            .and_then(|()| writer.write_all(build_event(&state.token).as_bytes()))
            .and_then(|()| writer.flush());
        if started.is_ok() {
            if state.clients.len() >= MAX_STREAMS {
                let excess = state.clients.len() + 1 - MAX_STREAMS;
                state.clients.drain(..excess);
            }
            state.clients.push(writer);
        }
    }

    /// Makes `token` the current build and tells every stream.
    pub fn announce(&self, token: &str) {
        let mut state = self.lock();
        state.token = token.to_string();
        send(&mut state.clients, &build_event(token));
    }

    /// Sends a keep-alive comment, dropping streams whose client left.
    pub fn keep_alive(&self) {
        send(&mut self.lock().clients, KEEP_ALIVE);
    }

    /// Number of open streams.
    pub fn len(&self) -> usize {
        self.lock().clients.len()
    }

    /// Whether no stream is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        // A panic while holding the lock leaves a usable state behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Writes `text` to every stream, keeping those that took it.
fn send(clients: &mut Vec<Box<dyn Write + Send>>, text: &str) {
    clients.retain_mut(|writer| {
        writer
            .write_all(text.as_bytes())
            .and_then(|()| writer.flush())
            .is_ok()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::Arc;

    #[test]
    fn injects_before_the_last_body_end() {
        let page = b"<html><body><p>&lt;/body&gt;</p></BODY>\n</html>";
        let out = String::from_utf8(inject(page, "t1")).unwrap();
        let at = out.find("<script data-gradbook-live-reload>").unwrap();
        assert!(out[at..].contains("</script>\n</BODY>"), "{out}");
        assert!(out.starts_with("<html><body><p>&lt;/body&gt;</p>"), "{out}");
        assert!(out.contains("var served = \"t1\","), "{out}");
    }

    #[test]
    fn injects_at_the_end_without_a_body() {
        let out = String::from_utf8(inject(b"<p>fragment</p>", "t")).unwrap();
        assert!(out.starts_with("<p>fragment</p><script"), "{out}");
    }

    #[test]
    fn token_cannot_escape_the_script() {
        let s = script("</script><b>\"x");
        assert!(!s.contains("</script><b>"), "{s}");
        assert!(s.contains("\\u003c/script>\\u003cb>\\\"x"), "{s}");
    }

    /// A writer that records what it got and can be made to fail.
    #[derive(Clone, Default)]
    struct Sink {
        data: Arc<Mutex<Vec<u8>>>,
        broken: Arc<Mutex<bool>>,
    }

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if *self.broken.lock().unwrap() {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            self.data.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_oldest_streams_make_room_for_new_ones() {
        let hub = Hub::new("one");
        let sinks: Vec<Sink> = (0..MAX_STREAMS + 3).map(|_| Sink::default()).collect();
        for sink in &sinks {
            hub.open(Box::new(sink.clone()));
        }
        assert_eq!(hub.len(), MAX_STREAMS);
        hub.announce("two");
        let told = |sink: &Sink| {
            String::from_utf8(sink.data.lock().unwrap().clone())
                .unwrap()
                .contains("data: two")
        };
        assert!(
            sinks[..3].iter().all(|s| !told(s)),
            "the oldest were dropped"
        );
        assert!(sinks[3..].iter().all(told), "the newest are told");
    }

    #[test]
    fn hub_announces_and_drops_closed_streams() {
        let hub = Hub::new("one");
        let (a, b) = (Sink::default(), Sink::default());
        hub.open(Box::new(a.clone()));
        hub.open(Box::new(b.clone()));
        assert_eq!(hub.len(), 2);
        *b.broken.lock().unwrap() = true;
        hub.announce("two");
        assert_eq!(hub.len(), 1, "the broken stream is dropped");
        let got = String::from_utf8(a.data.lock().unwrap().clone()).unwrap();
        assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
        assert!(got.contains("Content-Type: text/event-stream\r\n"), "{got}");
        assert!(
            got.ends_with("event: build\ndata: one\n\nevent: build\ndata: two\n\n"),
            "{got}"
        );
        hub.keep_alive();
        assert!(
            String::from_utf8(a.data.lock().unwrap().clone())
                .unwrap()
                .ends_with(KEEP_ALIVE)
        );
        let c = Sink::default();
        hub.open(Box::new(c.clone()));
        let got = String::from_utf8(c.data.lock().unwrap().clone()).unwrap();
        assert!(
            got.ends_with("data: two\n\n"),
            "a new stream gets the current token: {got}"
        );
    }
}

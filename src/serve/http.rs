//! Just enough HTTP/1.1 for a local preview server, on `std::net`.
//!
//! One request per connection: every response says `Connection: close`
//! and carries a `Content-Length`, so there is no keep-alive, pipelining
//! or chunked encoding to get wrong, and a connection never holds a thread
//! longer than one exchange (the live-reload streams leave the worker
//! threads at once). Request heads are bounded in size and in time: the
//! whole head must arrive before a deadline ([`Deadline`]), not merely
//! each byte, so a client trickling one byte a second is cut off. Request
//! bodies are never needed (only GET and HEAD succeed) and are skipped.
//! Responses are written from shared bytes ([`ResponseBody`]): an HTML page and
//! the live-reload script are sent as two slices, never copied into one.
//!
//! This replaces tiny_http 0.12, whose thread pool can leave a new
//! connection queued behind long-lived keep-alive connections (a browser
//! then waits forever for one stylesheet) and whose accept loop stops for
//! good after one failed `accept`.

use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// The longest request line or header line accepted.
const MAX_LINE: usize = 8 * 1024;
/// The most header lines accepted.
const MAX_HEADERS: usize = 100;
/// Request bodies up to this size are read and dropped before answering,
/// so that closing the connection does not reset it under the response.
const MAX_SKIPPED_BODY: u64 = 1024 * 1024;

/// A request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The request target as sent (`/path?query`).
    pub target: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether this is a HEAD request (answered without a body).
    pub fn is_head(&self) -> bool {
        self.method.eq_ignore_ascii_case("HEAD")
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub enum RequestError {
    /// The client closed the connection (or sent nothing in time).
    Closed,
    /// Not an HTTP/1.x request, or a line or header count over the limits.
    Malformed,
}

/// Reads a request head from `reader`, and drops a small body if the
/// request announces one.
pub fn read_request(reader: &mut impl BufRead) -> Result<Request, RequestError> {
    let line = match read_line(reader)? {
        Some(line) => line,
        None => return Err(RequestError::Closed),
    };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(RequestError::Malformed);
    };
    if method.is_empty() || target.is_empty() || !version.starts_with("HTTP/1.") {
        return Err(RequestError::Malformed);
    }
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or(RequestError::Malformed)?;
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(RequestError::Malformed);
        }
        let (name, value) = line.split_once(':').ok_or(RequestError::Malformed)?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    // RFC 9112 §3.2: two `Host` lines are a bad request, never a choice
    // of one of them.
    if headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Host"))
        .count()
        > 1
    {
        return Err(RequestError::Malformed);
    }
    let request = Request {
        method: method.to_string(),
        target: target.to_string(),
        headers,
    };
    let body = request
        .header("Content-Length")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if body > 0 && body <= MAX_SKIPPED_BODY {
        let _ = io::copy(&mut reader.take(body), &mut io::sink());
    }
    Ok(request)
}

/// One line without its `\r\n`; `None` at the end of the stream before
/// any byte.
fn read_line(reader: &mut impl BufRead) -> Result<Option<String>, RequestError> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 1;
    match reader.take(limit).read_until(b'\n', &mut bytes) {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        Err(_) => return Err(RequestError::Closed),
    }
    if !bytes.ends_with(b"\n") {
        // Over the limit, or cut off by the end of the stream.
        return Err(RequestError::Malformed);
    }
    bytes.pop();
    if bytes.ends_with(b"\r") {
        bytes.pop();
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| RequestError::Malformed)
}

/// Reads from and writes to a connection with one deadline for the whole
/// exchange: each call may wait only for the time left, so no trickle of
/// bytes can stretch it.
pub struct Deadline<'a> {
    stream: &'a TcpStream,
    deadline: Instant,
}

impl<'a> Deadline<'a> {
    /// `stream`, to be done with within `limit` from now.
    pub fn new(stream: &'a TcpStream, limit: Duration) -> Deadline<'a> {
        Deadline {
            stream,
            deadline: Instant::now() + limit,
        }
    }

    fn time_left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client took too long",
            ))
        } else {
            Ok(left)
        }
    }
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.time_left()?))?;
        (&mut &*self.stream).read(buf)
    }
}

impl Write for Deadline<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(self.time_left()?))?;
        (&mut &*self.stream).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&mut &*self.stream).flush()
    }
}

/// A response body.
pub enum ResponseBody {
    /// Bytes in memory, shared (cloning them copies nothing).
    Bytes(Bytes),
    /// A page with `insert` put in at byte `at`: the live-reload script
    /// and the error overlay, sent between two slices of the shared page.
    Spliced {
        /// The page.
        page: Bytes,
        /// Where `insert` goes.
        at: usize,
        /// What is inserted.
        insert: Bytes,
    },
    /// An open file of this length, copied as it is sent.
    File(File, u64),
}

impl ResponseBody {
    /// The number of bytes sent.
    pub fn len(&self) -> u64 {
        match self {
            ResponseBody::Bytes(bytes) => bytes.len() as u64,
            ResponseBody::Spliced { page, insert, .. } => (page.len() + insert.len()) as u64,
            ResponseBody::File(_, length) => *length,
        }
    }

    /// Whether nothing is sent.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A response.
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers other than `Content-Length` and `Connection`.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: ResponseBody,
}

impl Response {
    /// A response with a body of `content_type`, never cached (the next
    /// build may change it).
    pub fn new(status: u16, content_type: &str, body: ResponseBody) -> Response {
        Response {
            status,
            headers: vec![
                ("Content-Type", content_type.to_string()),
                ("Cache-Control", "no-store".to_string()),
            ],
            body,
        }
    }

    /// A plain-text response.
    pub fn text(status: u16, text: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            ResponseBody::Bytes(Bytes::copy_from_slice(text.as_bytes())),
        )
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the response; the body is left out for `head_only`
    /// (`Content-Length` still tells its size).
    pub fn write_to(self, out: &mut impl Write, head_only: bool) -> io::Result<()> {
        let length = self.body.len();
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            // Values come from this module's callers; a line break would
            // split the head, so it is replaced.
            let value = value.replace(['\r', '\n'], " ");
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {length}\r\nConnection: close\r\n\r\n"
        ));
        out.write_all(head.as_bytes())?;
        if !head_only {
            match self.body {
                ResponseBody::Bytes(bytes) => out.write_all(&bytes)?,
                ResponseBody::Spliced { page, at, insert } => {
                    let at = at.min(page.len());
                    out.write_all(&page[..at])?;
                    out.write_all(&insert)?;
                    out.write_all(&page[at..])?;
                }
                ResponseBody::File(file, length) => {
                    io::copy(&mut file.take(length), out)?;
                }
            }
        }
        out.flush()
    }
}

/// The reason phrase of the status codes this server sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Request, RequestError> {
        read_request(&mut io::BufReader::new(text.as_bytes()))
    }

    #[test]
    fn reads_a_request_head() {
        let request = read(
            "GET /a/b?c=d HTTP/1.1\r\nHost: x\r\nAccept:  text/html \r\naccept: second\r\n\r\n",
        )
        .unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.target, "/a/b?c=d");
        assert_eq!(request.header("ACCEPT"), Some("text/html"));
        assert_eq!(request.header("missing"), None);
        assert!(!request.is_head());
        let bare = read("HEAD / HTTP/1.0\n\n").unwrap();
        assert!(bare.is_head());
    }

    #[test]
    fn skips_a_small_body() {
        let text = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloNEXT";
        let mut reader = io::BufReader::new(text.as_bytes());
        let request = read_request(&mut reader).unwrap();
        assert_eq!(request.method, "POST");
        let mut rest = String::new();
        reader.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "NEXT");
    }

    #[test]
    fn refuses_what_is_not_http() {
        assert!(matches!(read(""), Err(RequestError::Closed)));
        for bad in [
            "GET /\r\n\r\n",
            "GET / HTTP/2\r\n\r\n",
            "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 extra\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\n",
            "GET / HTTP/1.1",
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nhost: evil.example\r\n\r\n",
        ] {
            assert!(matches!(read(bad), Err(RequestError::Malformed)), "{bad:?}");
        }
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_LINE));
        assert!(matches!(read(&long), Err(RequestError::Malformed)));
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "A: b\r\n".repeat(MAX_HEADERS + 1)
        );
        assert!(matches!(read(&many), Err(RequestError::Malformed)));
        let invalid = b"GET /\xff HTTP/1.1\r\n\r\n";
        assert!(matches!(
            read_request(&mut io::BufReader::new(&invalid[..])),
            Err(RequestError::Malformed)
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = read_request(&mut io::BufReader::new(&bytes[..]));
        }

        #[test]
        fn request_like_text_is_read_without_panic(text in "(GET|HEAD|X)? ?(/[a-z%]*)? ?(HTTP/1\\.[01])?(\r?\n)?([A-Za-z-]*: ?[a-z0-9]*\r?\n){0,3}(\r?\n)?") {
            if let Ok(request) = read(&text) {
                proptest::prop_assert!(text.starts_with(&request.method));
            }
        }
    }

    #[test]
    fn splices_without_copying_the_page() {
        let page = Bytes::from_static(b"<p>page</p></body>");
        let body = ResponseBody::Spliced {
            page: page.clone(),
            at: 11,
            insert: Bytes::from_static(b"<script></script>"),
        };
        assert_eq!(body.len(), 35);
        let mut out = Vec::new();
        Response::new(200, "text/html", body)
            .write_to(&mut out, false)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Content-Length: 35\r\n"), "{text}");
        assert!(
            text.ends_with("\r\n\r\n<p>page</p><script></script></body>"),
            "{text}"
        );
    }

    #[test]
    fn the_deadline_covers_the_whole_head() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let trickler = std::thread::spawn(move || {
            let mut client = TcpStream::connect(address).unwrap();
            // One byte every 50 ms: each read is quick, the whole is not.
            for byte in b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" {
                if client.write_all(&[*byte]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let (server, _) = listener.accept().unwrap();
        let started = Instant::now();
        let mut reader = io::BufReader::new(Deadline::new(&server, Duration::from_millis(300)));
        assert!(matches!(
            read_request(&mut reader),
            Err(RequestError::Closed)
        ));
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(server);
        trickler.join().unwrap();
    }

    #[test]
    fn writes_responses() {
        let mut out = Vec::new();
        Response::text(404, "gone\n")
            .with_header("Location", "/x\r\nInjected: yes")
            .write_to(&mut out, false)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Cache-Control: no-store\r\nLocation: /x  Injected: yes\r\n\
             Content-Length: 5\r\nConnection: close\r\n\r\ngone\n"
        );
        let mut out = Vec::new();
        Response::text(200, "body")
            .write_to(&mut out, true)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with("Content-Length: 4\r\nConnection: close\r\n\r\n"),
            "{text}"
        );
    }
}

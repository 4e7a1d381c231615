//! `gradbook calc`: run inputs outside a page and print the transcript.
//!
//! Inputs come from a file (or `-` for standard input; standard input too
//! when neither a file nor `-e` is given), one per line, then from each
//! `-e LINE` in order. Every input is echoed as `>>> input` and followed by
//! its output; an error prints as `error: message — help`. Blank lines are
//! skipped and a leading `>>> ` is accepted, so a transcript can be fed
//! back in. Exit status: 0 when every input succeeded, 1 when any failed,
//! 2 when the input could not be read (not a regular file, or over
//! [`MAX_INPUT_BYTES`]), 3 when the transcript could not be written.
//! Output to a closed pipe (`gradbook calc | head -1`) is dropped, and
//! the exit status still tells whether every input succeeded.

use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use super::CalcArgs;
use crate::files::{self, ReadError};
use gradbook_math::{MathError, Scope};

/// The most input `calc` reads, from a file or standard input: 16 MiB.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Runs `gradbook calc`.
pub fn run(args: &CalcArgs) -> ExitCode {
    let mut inputs: Vec<String> = Vec::new();
    let read_stdin = match &args.file {
        Some(path) if path.as_os_str() == "-" => true,
        Some(path) => {
            match read_file(path) {
                Ok(text) => inputs.extend(lines(&text)),
                Err(message) => {
                    errln!("error: {message}");
                    return ExitCode::from(2);
                }
            }
            false
        }
        None => args.eval.is_empty(),
    };
    if read_stdin {
        match read_limited(io::stdin().lock(), MAX_INPUT_BYTES) {
            Ok(text) => inputs.extend(lines(&text)),
            Err(e) => {
                errln!("error: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
        }
    }
    inputs.extend(args.eval.iter().cloned());

    let stdout = io::stdout();
    let mut out = Output::new(BufWriter::new(stdout.lock()));
    let failed = transcript(&inputs, args.precision as usize, &mut out);
    if let Err(e) = out.finish() {
        errln!("error: cannot write the transcript: {e}");
        return ExitCode::from(3);
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The text of the file at `path`: only a regular file (a named pipe or
/// a device such as `/dev/zero` is refused without waiting on it), at
/// most [`MAX_INPUT_BYTES`], in UTF-8.
fn read_file(path: &Path) -> Result<String, String> {
    let shown = super::printable(&path.display().to_string());
    let bytes = files::read_regular(path, MAX_INPUT_BYTES).map_err(|e| match e {
        ReadError::Io(err) => format!("cannot read {shown}: {err}"),
        ReadError::NotRegular(_) => {
            format!("cannot read {shown}: {e} (give `-` to read standard input)")
        }
        ReadError::TooLarge { .. } => format!(
            "cannot read {shown}: {e}; calc reads at most {} of input",
            files::human_size(MAX_INPUT_BYTES)
        ),
    })?;
    String::from_utf8(bytes).map_err(|_| format!("cannot read {shown}: it is not valid UTF-8 text"))
}

/// Reads `reader` to its end as UTF-8, a piece at a time, refusing more
/// than `limit` bytes (so an endless stream stops at the limit).
fn read_limited(reader: impl Read, limit: u64) -> io::Result<String> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "the input is over the limit of {}",
            files::human_size(limit)
        )));
    }
    String::from_utf8(bytes).map_err(|_| io::Error::other("the input is not valid UTF-8 text"))
}

/// Where the transcript goes: writes after the reader went away (a
/// closed pipe) are dropped, so every input still runs and the exit code
/// still tells whether one failed; any other write error is kept for
/// [`Output::finish`].
struct Output<W: Write> {
    inner: W,
    closed: bool,
    error: Option<io::Error>,
}

impl<W: Write> Output<W> {
    fn new(inner: W) -> Self {
        Output {
            inner,
            closed: false,
            error: None,
        }
    }

    fn keep(&mut self, result: io::Result<()>) {
        if let Err(e) = result {
            if e.kind() == io::ErrorKind::BrokenPipe {
                self.closed = true;
            } else if self.error.is_none() {
                self.error = Some(e);
            }
        }
    }

    /// Flushes what is left; the first write error other than a closed
    /// pipe.
    fn finish(mut self) -> io::Result<()> {
        if !self.closed && self.error.is_none() {
            let flushed = self.inner.flush();
            self.keep(flushed);
        }
        self.error.map_or(Ok(()), Err)
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed || self.error.is_some() {
            return Ok(buf.len());
        }
        let written = self.inner.write_all(buf);
        self.keep(written);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The inputs of a text: non-blank lines, without a leading `>>> `.
fn lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .map(|l| l.strip_prefix(">>>").map_or(l, str::trim_start))
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim_end().to_string())
}

/// How an error prints in a transcript.
fn error_line(e: &MathError) -> String {
    match &e.help {
        Some(help) => format!("error: {} — {help}", e.message),
        None => format!("error: {}", e.message),
    }
}

/// Runs `inputs` in one scope, writing the transcript; true if any failed.
fn transcript(inputs: &[String], precision: usize, out: &mut impl Write) -> bool {
    let mut scope = Scope::new();
    let mut failed = false;
    for input in inputs {
        // A control character in a file is shown, never sent to the
        // terminal as it is.
        let _ = writeln!(out, ">>> {}", super::printable(input));
        match scope.run(input) {
            Ok(value) => {
                let text = value.to_text(precision);
                if !text.is_empty() {
                    let _ = writeln!(out, "{text}");
                }
            }
            Err(e) => {
                failed = true;
                let _ = writeln!(out, "{}", super::printable(&error_line(&e)));
            }
        }
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_over_the_limit_is_refused() {
        let text = read_limited(&b"1+1\n2+2\n"[..], 7).unwrap_err();
        assert!(
            text.to_string().contains("over the limit of 7 bytes"),
            "{text}"
        );
        assert_eq!(read_limited(&b"1+1\n2+2\n"[..], 8).unwrap(), "1+1\n2+2\n");
        let endless = io::repeat(b'1');
        assert!(read_limited(endless, 1024).is_err());
    }

    #[test]
    fn a_closed_pipe_is_not_an_error_and_other_write_errors_are() {
        struct Failing(io::ErrorKind);
        impl Write for Failing {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(self.0))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut out = Output::new(Failing(io::ErrorKind::BrokenPipe));
        let inputs = vec!["sigmod(1)".to_string()];
        assert!(
            transcript(&inputs, 12, &mut out),
            "the failure still counts"
        );
        assert!(out.finish().is_ok());
        let mut out = Output::new(Failing(io::ErrorKind::StorageFull));
        transcript(&inputs, 12, &mut out);
        assert!(out.finish().is_err());
    }

    #[test]
    fn transcript_format() {
        let inputs: Vec<String> =
            lines("\u{feff}>>> J(w) = w**2\r\n\nJ'(3)\nsigmod(1)\n").collect();
        let mut out = Vec::new();
        let failed = transcript(&inputs, 12, &mut out);
        assert!(failed);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ">>> J(w) = w**2\n>>> J'(3)\n6\n>>> sigmod(1)\nerror: unknown function 'sigmod' — did you mean 'sigmoid'?\n"
        );
    }
}

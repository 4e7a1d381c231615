//! `gradbook calc`: run inputs outside a page and print the transcript.
//!
//! Inputs come from a file (or `-` for standard input; standard input too
//! when neither a file nor `-e` is given), one per line, then from each
//! `-e LINE` in order. Every input is echoed as `>>> input` and followed by
//! its output; an error prints as `error: message — help`. Blank lines are
//! skipped and a leading `>>> ` is accepted, so a transcript can be fed
//! back in. Exit status: 0 when every input succeeded, 1 when any failed,
//! 2 when the file could not be read.

use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use anyhow::Context;

use super::CalcArgs;
use gradbook_math::{MathError, Scope};

/// Runs `gradbook calc`.
pub fn run(args: &CalcArgs) -> ExitCode {
    let mut inputs: Vec<String> = Vec::new();
    let read_stdin = match &args.file {
        Some(path) if path.as_os_str() == "-" => true,
        Some(path) => {
            match std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))
            {
                Ok(text) => inputs.extend(lines(&text)),
                Err(e) => {
                    errln!("error: {e:#}");
                    return ExitCode::from(2);
                }
            }
            false
        }
        None => args.eval.is_empty(),
    };
    if read_stdin {
        let mut text = String::new();
        if let Err(e) = io::stdin().read_to_string(&mut text) {
            errln!("error: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        inputs.extend(lines(&text));
    }
    inputs.extend(args.eval.iter().cloned());

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let failed = transcript(&inputs, args.precision as usize, &mut out);
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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

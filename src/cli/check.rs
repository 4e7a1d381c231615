//! `gradbook check`: render everything in memory, write no site, report
//! every failure, and optionally bless calc outputs.

use std::process::ExitCode;

use super::{
    CheckArgs, EXIT_CONTENT, EXIT_IO, EXIT_OK, EXIT_USAGE, print_diagnostics, printable,
    require_dir,
};
use crate::site::{Outcome, Site};

/// Runs `gradbook check`.
pub fn run(args: &CheckArgs, quiet: bool) -> ExitCode {
    if let Err(code) = require_dir(&args.dir) {
        return code;
    }
    let mut outcome = match check_once(args) {
        Ok(outcome) => outcome,
        Err(code) => return code,
    };
    if args.bless && !outcome.blessed.is_empty() {
        for (path, text) in &outcome.blessed {
            if let Err(err) = crate::output::replace_file(path, text) {
                errln!(
                    "error: cannot write {}: {err}",
                    printable(&path.display().to_string())
                );
                return ExitCode::from(EXIT_IO);
            }
            if !quiet {
                errln!("blessed {}", printable(&path.display().to_string()));
            }
        }
        // Report on the files as they are now.
        outcome = match check_once(args) {
            Ok(outcome) => outcome,
            Err(code) => return code,
        };
    }
    for d in &outcome.diagnostics {
        outln!("{}", d.for_terminal().one_line());
    }
    if !quiet {
        print_diagnostics(&outcome.diagnostics);
        if !outcome.unknown_languages.is_empty() {
            let names: Vec<String> = outcome
                .unknown_languages
                .iter()
                .map(|name| format!("`{}`", printable(name)))
                .collect();
            errln!(
                "warning: no highlighting for {}: those code blocks are shown as plain text",
                names.join(", ")
            );
        }
    }
    outln!("check: {}", outcome.summary());
    if outcome.failed() == 0 && outcome.diagnostics.is_empty() {
        ExitCode::from(EXIT_OK)
    } else {
        ExitCode::from(EXIT_CONTENT)
    }
}

fn check_once(args: &CheckArgs) -> Result<Outcome, ExitCode> {
    match Site::load(&args.dir, false) {
        Ok(mut site) => {
            site.keep_blessed = args.bless;
            site.strict = args.strict || site.config.check.strict;
            Ok(site.render_into(&crate::output::Discard, &|_, _| {}))
        }
        Err(diagnostics) => {
            for d in &diagnostics {
                outln!("{}", d.for_terminal().one_line());
            }
            print_diagnostics(&diagnostics);
            let outcome = Outcome {
                other_failures: diagnostics.len(),
                ..Outcome::default()
            };
            outln!("check: {}", outcome.summary());
            Err(ExitCode::from(EXIT_USAGE))
        }
    }
}

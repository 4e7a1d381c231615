//! `gradbook check`: render everything in memory, write no site, report
//! every failure, and optionally bless calc outputs.

use std::process::ExitCode;

use super::{
    CheckArgs, EXIT_CONTENT, EXIT_IO, EXIT_OK, EXIT_USAGE, Report, printable, require_dir,
};
use crate::site::{Outcome, Site};

/// Runs `gradbook check`.
pub fn run(args: &CheckArgs, quiet: bool) -> ExitCode {
    if let Err(code) = require_dir(&args.dir) {
        return code;
    }
    let (mut outcome, mut denied, inside) = match check_once(args, quiet) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    if args.bless && !outcome.blessed.is_empty() {
        for (path, text) in &outcome.blessed {
            if let Err(err) = crate::output::replace_file(path, text, &inside) {
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
        (outcome, denied, _) = match check_once(args, quiet) {
            Ok(checked) => checked,
            Err(code) => return code,
        };
    }
    // Warnings fail the check only when denied.
    denied = denied && !outcome.warnings.is_empty();
    Report::for_terminal(quiet, denied).print(&outcome.diagnostics, &outcome.warnings);
    let failed = outcome.failed();
    outln!("check: {}", outcome.summary());
    if denied {
        errln!(
            "error: warnings fail this check ({})",
            if args.deny_warnings {
                "--deny-warnings"
            } else {
                "deny-warnings in book.toml"
            }
        );
    }
    if failed == 0 && outcome.diagnostics.is_empty() && !denied {
        ExitCode::from(EXIT_OK)
    } else {
        ExitCode::from(EXIT_CONTENT)
    }
}

/// Renders the site without writing it. Returns what it found and whether
/// warnings are to fail the check (the flag, or `book.toml`), and the
/// folders a blessed lesson may be written in through a link (the site and
/// content folders).
fn check_once(
    args: &CheckArgs,
    quiet: bool,
) -> Result<(Outcome, bool, Vec<std::path::PathBuf>), ExitCode> {
    match Site::load(&args.dir, false) {
        Ok(mut site) => {
            site.keep_blessed = args.bless;
            site.strict = args.strict || site.config.check.strict;
            let deny = args.deny_warnings || site.config.check.deny_warnings;
            let inside = vec![
                site.root.clone(),
                site.root.join(&site.config.build.content_dir),
            ];
            Ok((
                site.render_into(&crate::output::Discard, &|_, _| {}),
                deny,
                inside,
            ))
        }
        Err(diagnostics) => {
            Report::for_terminal(quiet, false).print(&diagnostics, &[]);
            let outcome = Outcome {
                other_failures: diagnostics.len(),
                ..Outcome::default()
            };
            outln!("check: {}", outcome.summary());
            Err(ExitCode::from(EXIT_USAGE))
        }
    }
}

//! `gradbook build`: parse the arguments, call [`Site::build`], print what
//! happened and choose the exit code. The destination rules, the rendering
//! and the atomic swap all live in the library.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{
    BuildArgs, EXIT_CONTENT, EXIT_IO, EXIT_OK, EXIT_USAGE, plural, print_diagnostics,
    print_problems, printable, require_dir,
};
use crate::site::{BuildError, BuildOptions, Progress, Site};

/// Builds with at least this many pages show a progress line on a terminal.
const PROGRESS_FROM: usize = 200;

/// How long a build waits for another one writing the same output folder.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Runs `gradbook build`.
pub fn run(args: &BuildArgs, quiet: bool) -> ExitCode {
    let started = Instant::now();
    if let Err(code) = require_dir(&args.dir) {
        return code;
    }
    let mut site = match Site::load(&args.dir, args.drafts) {
        Ok(site) => site,
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            errln!(
                "error: {} in book.toml",
                plural(diagnostics.len(), "problem")
            );
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if let Some(url) = &args.base_url {
        site.config.book.set_base_url(url);
    }
    let show_progress = !quiet && std::io::stderr().is_terminal();
    let printed = AtomicBool::new(false);
    let progress = |event: Progress<'_>| show(event, quiet, show_progress, &printed);
    let options = BuildOptions {
        dest: args.dest.as_deref(),
        force: args.force,
        lock_wait: LOCK_WAIT,
        progress: &progress,
    };
    let result = site.build(&options);
    clear_progress(&printed);
    match result {
        Ok(built) => {
            if !quiet {
                print_diagnostics(&built.warnings);
                for leftover in &built.removed_leftovers {
                    errln!(
                        "note: removed {}, left by an interrupted build",
                        printable(&leftover.display().to_string())
                    );
                }
                errln!(
                    "Built {} into {} in {:.2}s ({} verified, {} computed without an expected output)",
                    plural(built.pages, "page"),
                    printable(&built.dest.display().to_string()),
                    started.elapsed().as_secs_f64(),
                    built.calc_verified,
                    built.calc_computed
                );
                for note in site.notes() {
                    errln!("note: {}", printable(&note));
                }
            }
            ExitCode::from(EXIT_OK)
        }
        Err(BuildError::Refused(diagnostic)) => {
            print_diagnostics(std::slice::from_ref(&diagnostic));
            errln!("error: nothing was built");
            ExitCode::from(EXIT_USAGE)
        }
        Err(BuildError::Content(outcome)) => {
            print_problems(&outcome.diagnostics, &outcome.warnings, quiet);
            errln!(
                "error: the build failed with {}; {} was left as it was",
                plural(outcome.diagnostics.len(), "problem"),
                printable(&site.destination(args.dest.as_deref()).display().to_string())
            );
            ExitCode::from(EXIT_CONTENT)
        }
        Err(BuildError::Busy(message)) => {
            errln!("error: {}", printable(&message));
            errln!("help: wait for it to finish and build again, or choose another output folder");
            ExitCode::from(EXIT_USAGE)
        }
        Err(BuildError::Io(err)) => {
            errln!("error: {}", printable(&format!("{err:#}")));
            errln!("note: the previous site, if any, was left as it was");
            ExitCode::from(EXIT_IO)
        }
    }
}

/// Prints what a build is doing: a progress line on a terminal for long
/// builds, a note when it waits for another build or puts back a site.
fn show(event: Progress<'_>, quiet: bool, show_progress: bool, printed: &AtomicBool) {
    match event {
        Progress::Rendered { done, total } => {
            // Only long builds are worth a progress line.
            if show_progress && total >= PROGRESS_FROM && (done.is_multiple_of(50) || done == total)
            {
                printed.store(true, Ordering::Relaxed);
                err!("\r\x1b[2KRendering {done}/{total} pages");
            }
        }
        Progress::Restored { from, to } => {
            if !quiet {
                clear_progress(printed);
                errln!(
                    "note: {} was missing (a build was interrupted while swapping it in): put back the previous site from {}",
                    printable(&to.display().to_string()),
                    printable(&from.display().to_string())
                );
            }
        }
        Progress::Waiting(lock) => {
            if !quiet {
                clear_progress(printed);
                errln!(
                    "Waiting for another gradbook build to finish writing (it holds {})",
                    printable(&lock.display().to_string())
                );
            }
        }
    }
}

/// Clears the progress line, if one was printed.
fn clear_progress(printed: &AtomicBool) {
    if printed.swap(false, Ordering::Relaxed) {
        err!("\r\x1b[2K");
    }
}

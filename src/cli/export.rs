//! `gradbook export anki`: render the site in memory, as `check` does,
//! and write its flashcards as an Anki package.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{
    AnkiArgs, EXIT_CONTENT, EXIT_IO, EXIT_OK, EXIT_USAGE, ExportArgs, ExportFormat, Report, plural,
    printable, require_dir,
};
use crate::export::anki;
use crate::output::destination::resolve;
use crate::output::{self, PackageError};
use crate::site::{STATIC_DIR, Site};

/// Runs `gradbook export`.
pub fn run(args: &ExportArgs, quiet: bool) -> ExitCode {
    match &args.format {
        ExportFormat::Anki(anki_args) => run_anki(anki_args, quiet),
    }
}

fn run_anki(args: &AnkiArgs, quiet: bool) -> ExitCode {
    if let Err(code) = require_dir(&args.dir) {
        return code;
    }
    let mut site = match Site::load(&args.dir, false) {
        Ok(site) => site,
        Err(diagnostics) => {
            Report::for_terminal(quiet, false).print(&diagnostics, &[]);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let out: PathBuf = args.out.clone().unwrap_or_else(|| {
        site.root
            .join(anki::default_file_name(&site.config.book.title))
    });
    // Refuse a wrong destination before the work, not after.
    if let Err(err) = output::check_package_path(&out, "apkg") {
        return package_error(&err, &out);
    }
    if let Some(folder) = inside_sources(&site, &out) {
        errln!(
            "error: --out {} is inside the {folder} folder: the next build would publish the deck",
            printable(&out.display().to_string())
        );
        errln!("help: write the deck outside the content and static folders");
        return ExitCode::from(EXIT_USAGE);
    }
    site.without_review_page = true;
    let outcome = site.render_into(&output::Discard, &|_, _| {});
    let failed = outcome.failed();
    if failed > 0 || !outcome.diagnostics.is_empty() {
        Report::for_terminal(quiet, false).print(&outcome.diagnostics, &outcome.warnings);
        errln!(
            "export: nothing written: {} to fix first",
            plural(failed.max(outcome.diagnostics.len()), "problem")
        );
        return ExitCode::from(EXIT_CONTENT);
    }
    Report::for_terminal(quiet, false).print(&[], &outcome.warnings);
    if outcome.cards.is_empty() {
        errln!(
            "export: {} has no flashcards, so there is no deck to write (cards are the `###` headings of a `::: flashcards` component)",
            printable(&site.root.display().to_string())
        );
        return ExitCode::from(EXIT_CONTENT);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let package = match anki::package(&site, &outcome.cards, now) {
        Ok(package) => package,
        Err(err) => {
            errln!("error: the deck could not be made: {err:#}");
            return ExitCode::from(EXIT_IO);
        }
    };
    if let Err(err) = output::write_package(&out, "apkg", &package.bytes) {
        return package_error(&err, &out);
    }
    if !quiet {
        outln!(
            "exported {} in {} to {}",
            plural(package.notes, "card"),
            plural(package.decks.len(), "deck"),
            printable(&out.display().to_string())
        );
    }
    ExitCode::from(EXIT_OK)
}

/// The source folder (`content`, `static`) a deck at `out` would be
/// inside, links followed: a build would copy the deck into the site.
fn inside_sources(site: &Site, out: &std::path::Path) -> Option<String> {
    let out = resolve(out);
    [
        (
            site.root.join(&site.config.build.content_dir),
            site.config.build.content_dir.display().to_string(),
        ),
        (site.root.join(STATIC_DIR), STATIC_DIR.to_string()),
    ]
    .into_iter()
    .find(|(folder, _)| out.starts_with(resolve(folder)))
    .map(|(_, name)| name)
}

fn package_error(err: &PackageError, out: &std::path::Path) -> ExitCode {
    match err {
        PackageError::Refused(message) => {
            errln!("error: {}", printable(message));
            ExitCode::from(EXIT_USAGE)
        }
        PackageError::Io(io) => {
            errln!(
                "error: cannot write {}: {io}",
                printable(&out.display().to_string())
            );
            ExitCode::from(EXIT_IO)
        }
    }
}

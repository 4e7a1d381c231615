//! The command line: the only module that knows about clap, the terminal
//! and exit codes. Each subcommand lives in its own file and turns parsed
//! arguments into a call into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

// The printing macros of the command line. Unlike `println!`, they never
// panic when nobody reads any more (`gradbook check | head -1` closes the
// pipe): the rest of the output is dropped and the exit code still tells
// how the run went.

/// A line on stdout.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// A line on stderr.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// Text on stderr, without a line end (progress that rewrites itself).
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, $($arg)*);
        let _ = stderr.flush();
    }};
}

pub mod build;
pub mod calc;
pub mod check;
pub mod export;
pub mod init;
pub mod serve;

/// Build verified calculus and machine-learning lessons into a static site.
#[derive(Debug, Parser)]
#[command(name = "gradbook", version, about, propagate_version = true)]
pub struct Cli {
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site in DIR into its output folder.
    Build(BuildArgs),
    /// Run every calc block and validate every page without writing a site.
    Check(CheckArgs),
    /// Serve the site on 127.0.0.1, rebuilding and reloading on every change.
    Serve(ServeArgs),
    /// Write a new site with a sample lesson.
    Init(InitArgs),
    /// Run calc inputs outside a page and print the transcript.
    Calc(CalcArgs),
    /// Export the site's content for another tool.
    Export(ExportArgs),
}

/// Arguments of `gradbook build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder (holding book.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Where to write the site (default: build.output-dir). It must be
    /// missing, empty, or a site gradbook wrote.
    #[arg(long)]
    pub dest: Option<PathBuf>,
    /// Replace the output folder even if gradbook did not write it
    /// (everything in it is deleted). Never allowed for the site itself,
    /// its sources, the current or home folder, or a git repository.
    #[arg(long)]
    pub force: bool,
    /// Include lessons marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// The address the site is published at, instead of book.base-url
    /// (an absolute URL gives a sitemap; no query or fragment).
    #[arg(long, value_name = "URL", value_parser = crate::config::parse_base_url)]
    pub base_url: Option<String>,
}

/// Arguments of `gradbook check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site folder (holding book.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Rewrite expected outputs in calc blocks to the computed ones.
    #[arg(long)]
    pub bless: bool,
    /// Fail on every calc input that prints output without an expected
    /// output under it (as `[check] strict = true` in book.toml).
    #[arg(long)]
    pub strict: bool,
    /// Fail on warnings too (as `[check] deny-warnings = true` in
    /// book.toml does).
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Arguments of `gradbook serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site folder (holding book.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The port to listen on (127.0.0.1 only); 0 picks a free one.
    #[arg(long, short, default_value_t = 3000)]
    pub port: u16,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Include lessons marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
}

/// Arguments of `gradbook init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the site.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Also write .github/workflows/pages.yml, which publishes the site
    /// with GitHub Pages.
    #[arg(long)]
    pub github_pages: bool,
}

/// Arguments of `gradbook calc`.
#[derive(Debug, Args)]
pub struct CalcArgs {
    /// A file of inputs, one per line, or `-` for standard input.
    pub file: Option<PathBuf>,
    /// An input to run (repeatable); runs after the file's inputs.
    #[arg(
        short = 'e',
        long = "eval",
        value_name = "LINE",
        allow_hyphen_values = true
    )]
    pub eval: Vec<String>,
    /// Significant digits for printed numbers.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=17))]
    pub precision: u32,
}

/// Arguments of `gradbook export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub format: ExportFormat,
}

/// What `gradbook export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// Write every flashcard of the site as an Anki deck (.apkg), one
    /// sub-deck per section.
    Anki(AnkiArgs),
}

/// Arguments of `gradbook export anki`.
#[derive(Debug, Args)]
pub struct AnkiArgs {
    /// The site folder (holding book.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The package to write (default: the book title's slug with .apkg,
    /// in DIR). It must end in .apkg; an existing file there is replaced
    /// only if it is a package.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Parses the command line, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build::run(&args, cli.quiet),
        Command::Check(args) => check::run(&args, cli.quiet),
        Command::Serve(args) => serve::run(&args, cli.quiet),
        Command::Init(args) => init::run(&args, cli.quiet),
        Command::Calc(args) => calc::run(&args),
        Command::Export(args) => export::run(&args, cli.quiet),
    }
}

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: problems in the content (or a failed check).
pub const EXIT_CONTENT: u8 = 1;
/// Exit code: bad usage, a bad `book.toml`, or an output folder that may
/// not be replaced.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the machine failed (a disk full, a permission denied while
/// writing).
pub const EXIT_IO: u8 = 3;

/// Prints diagnostics in full, each followed by a blank line, to stderr.
pub fn print_diagnostics(diagnostics: &[crate::diagnostics::Diagnostic]) {
    use std::io::{IsTerminal, Write};
    let stderr = std::io::stderr();
    // Colours only for a person at a terminal who has not opted out.
    let styled = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut out = stderr.lock();
    for d in diagnostics {
        let _ = writeln!(out, "{}\n", d.for_terminal().render(styled));
    }
}

/// Prints `errors` in full to stderr, with `warnings` among them (in
/// order of file and position) unless `quiet`.
pub fn print_problems(
    errors: &[crate::diagnostics::Diagnostic],
    warnings: &[crate::diagnostics::Diagnostic],
    quiet: bool,
) {
    let mut shown = errors.to_vec();
    if !quiet {
        shown.extend_from_slice(warnings);
        crate::diagnostics::sort(&mut shown);
    }
    print_diagnostics(&shown);
}

/// Where `check` and `export` print a run's problems: each in full on
/// stderr, and as one line (`file:line:col: error: …`) on stdout, but
/// never both on one terminal. A pipe or a file on stdout (a CI log, an
/// editor's problem matcher) always gets the one-line forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// The one-line forms, on stdout.
    pub one_lines: bool,
    /// The full forms, on stderr.
    pub full: bool,
    /// Whether warnings are shown (not with `--quiet`, unless they fail
    /// the run).
    pub warnings: bool,
}

impl Report {
    /// The plan for a run whose stdout and stderr are (or are not)
    /// terminals: on one terminal a problem is shown once, in full (or in
    /// one line with `--quiet`, which drops the full forms); `--quiet`
    /// also drops warnings unless they are `denied`.
    pub fn plan(stdout_terminal: bool, stderr_terminal: bool, quiet: bool, denied: bool) -> Self {
        let full = !quiet;
        Self {
            // The full form already shows on the terminal stdout is on.
            one_lines: !(stdout_terminal && stderr_terminal && full),
            full,
            warnings: !quiet || denied,
        }
    }

    /// The plan for this process's own stdout and stderr.
    pub fn for_terminal(quiet: bool, denied: bool) -> Self {
        use std::io::IsTerminal;
        Self::plan(
            std::io::stdout().is_terminal(),
            std::io::stderr().is_terminal(),
            quiet,
            denied,
        )
    }

    /// Prints `errors` and, when the plan says so, `warnings`, together in
    /// order of file and position.
    pub fn print(
        self,
        errors: &[crate::diagnostics::Diagnostic],
        warnings: &[crate::diagnostics::Diagnostic],
    ) {
        let mut all = errors.to_vec();
        if self.warnings {
            all.extend_from_slice(warnings);
        }
        crate::diagnostics::sort(&mut all);
        if self.one_lines {
            for d in &all {
                outln!("{}", d.for_terminal().one_line());
            }
        }
        if self.full {
            print_diagnostics(&all);
        }
    }
}

/// `text` safe to print on a terminal: control characters (an escape
/// sequence in a file name, say) are shown as symbols, not obeyed.
pub fn printable(text: &str) -> String {
    crate::diagnostics::printable(text).into_owned()
}

/// "1 problem", "3 problems".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Checks that `dir` is an existing folder, for DIR arguments.
pub fn require_dir(dir: &std::path::Path) -> Result<(), ExitCode> {
    if dir.is_dir() {
        Ok(())
    } else {
        errln!("error: {} is not a folder", dir.display());
        Err(ExitCode::from(EXIT_USAGE))
    }
}

#[cfg(test)]
mod tests {
    use super::Report;

    #[test]
    fn a_terminal_shows_each_problem_once() {
        let plan = |out, err, quiet| {
            let r = Report::plan(out, err, quiet, false);
            (r.one_lines, r.full, r.warnings)
        };
        // stdout and stderr on one terminal: the full form only.
        assert_eq!(plan(true, true, false), (false, true, true));
        // --quiet: one line each, and no warnings.
        assert_eq!(plan(true, true, true), (true, false, false));
        // stdout piped (CI, an editor): one-line forms there as well.
        assert_eq!(plan(false, true, false), (true, true, true));
        assert_eq!(plan(false, false, false), (true, true, true));
        assert_eq!(plan(false, false, true), (true, false, false));
        // stderr sent elsewhere: the terminal still gets one line each.
        assert_eq!(plan(true, false, false), (true, true, true));
        // Denied warnings are failures, shown even with --quiet.
        assert!(Report::plan(true, true, true, true).warnings);
    }
}

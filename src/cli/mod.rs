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
    /// (an absolute URL gives a sitemap).
    #[arg(long, value_name = "URL")]
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

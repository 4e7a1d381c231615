//! `gradbook calc`: run inputs outside a page and print the transcript.

use std::process::ExitCode;

use super::CalcArgs;

/// Runs `gradbook calc`.
pub fn run(args: &CalcArgs) -> ExitCode {
    let _ = args;
    eprintln!("error: not implemented yet");
    ExitCode::from(2)
}

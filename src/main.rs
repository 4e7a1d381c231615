//! The `gradbook` binary: everything lives in the library; this only turns
//! the outcome into a process exit code.

fn main() -> std::process::ExitCode {
    gradbook::cli::main()
}

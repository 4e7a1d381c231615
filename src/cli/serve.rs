//! `gradbook serve`: start the server, print what it does, open a browser
//! if asked, and stop cleanly on Ctrl-C.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use super::{
    EXIT_OK, EXIT_USAGE, ServeArgs, plural, print_diagnostics, print_problems, printable,
    require_dir,
};
use crate::serve::watch::CONFIG_FILE;
use crate::serve::{Event, Options, Reporter, Server, StartError};

/// Runs `gradbook serve` until Ctrl-C.
pub fn run(args: &ServeArgs, quiet: bool) -> ExitCode {
    if let Err(code) = require_dir(&args.dir) {
        return code;
    }
    // A missing book.toml is most likely the wrong folder; a broken one is
    // being edited, and the server shows its problems until it is fixed.
    if !args.dir.join(CONFIG_FILE).exists() {
        errln!("error: no {CONFIG_FILE} in {}", args.dir.display());
        errln!(
            "help: run `gradbook init` to create a site, or pass the folder that holds {CONFIG_FILE}"
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let options = Options {
        root: args.dir.clone(),
        port: args.port,
        drafts: args.drafts,
    };
    let report: Reporter = Arc::new(move |event| tell(&event, quiet));
    let server = match Server::start(&options, report) {
        Ok(server) => server,
        Err(err @ StartError::PortInUse { .. }) => {
            errln!("error: {err}");
            errln!("help: stop the program using it, or choose another port with --port");
            return ExitCode::from(EXIT_USAGE);
        }
        Err(err) => {
            errln!("error: {err}");
            errln!("help: choose another port with --port");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let url = server.url();
    // The address is the command's result, printed even with --quiet.
    outln!("Serving {url} (Ctrl-C to stop)");
    let _ = std::io::stdout().flush();

    let (stop, stopped) = mpsc::channel();
    let pressed = AtomicBool::new(false);
    if let Err(err) = ctrlc::set_handler(move || {
        // A second Ctrl-C does not wait for a clean stop.
        if pressed.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        let _ = stop.send(());
    }) {
        // The default handling of Ctrl-C still ends the process; there is
        // nothing on disk to clean up.
        errln!("warning: cannot handle Ctrl-C: {err}");
    }
    if args.open {
        open_browser(&url);
    }
    // Either Ctrl-C, or the handler could not be set and the sender is
    // gone: in both cases wait no longer than the process lives.
    if stopped.recv().is_err() {
        loop {
            std::thread::park();
        }
    }
    if !quiet {
        errln!("\nStopping.");
    }
    server.stop();
    ExitCode::from(EXIT_OK)
}

/// Prints one server event.
fn tell(event: &Event<'_>, quiet: bool) {
    match event {
        Event::Built {
            pages,
            rendered,
            elapsed,
            changed,
            warnings,
        } => {
            if quiet {
                return;
            }
            print_diagnostics(warnings);
            let secs = elapsed.as_secs_f64();
            if changed.is_empty() {
                errln!("Built {} in {secs:.2}s", plural(*pages, "page"));
            } else {
                errln!(
                    "Rebuilt {rendered} of {} in {:.0} ms after changes to {}",
                    plural(*pages, "page"),
                    secs * 1000.0,
                    describe(changed)
                );
            }
        }
        Event::Failed {
            diagnostics,
            config,
            changed,
            warnings,
        } => {
            if !changed.is_empty() && !quiet {
                errln!("Changes to {}:", describe(changed));
            }
            print_problems(diagnostics, warnings, quiet);
            let problems = plural(diagnostics.len(), "problem");
            if *config {
                errln!(
                    "error: {problems} in book.toml; the pages show them, and the server keeps running"
                );
            } else {
                errln!("error: the build has {problems}; the pages show them until they are fixed");
            }
        }
        Event::WatchProblem(problem) => {
            errln!(
                "warning: {}; changes may need a restart of gradbook serve",
                printable(problem)
            );
        }
    }
}

/// `content/a.md`, `content/a.md and 2 more` (safe for a terminal).
fn describe(changed: &[PathBuf]) -> String {
    let text = match changed {
        [] => String::new(),
        [one] => one.display().to_string(),
        [first, rest @ ..] => format!("{} and {} more", first.display(), rest.len()),
    };
    printable(&text)
}

/// Opens `url` with the platform's opener, if there is one; never fails
/// the command.
fn open_browser(url: &str) {
    let (program, before): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    let spawned = Command::new(program)
        .args(before)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reap it when it ends, so it does not linger as a zombie.
            std::thread::spawn(move || {
                let _ = child.wait();
            });
        }
        Err(err) => {
            errln!("note: cannot open a browser with {program} ({err}); open {url} yourself");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_changes() {
        assert_eq!(describe(&[PathBuf::from("content/a.md")]), "content/a.md");
        assert_eq!(
            describe(&[
                PathBuf::from("book.toml"),
                PathBuf::from("content/a.md"),
                PathBuf::from("content/b.md")
            ]),
            "book.toml and 2 more"
        );
    }
}

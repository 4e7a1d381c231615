//! Architecture tests: the rules of `ARCHITECTURE.md`, checked on the source.
//!
//! The map says which module may do what ("only `cli` prints", "only
//! `output` writes", "the engine is pure"). Careful people kept those rules
//! true until now; these tests keep them true from here on. Each rule reads
//! the source as text, with comments, strings and `#[cfg(test)]` items
//! blanked out, so a test that writes a temporary file or an error message
//! that mentions `println!` is not a breach.
//!
//! When a rule fails, the message names the file and line and says where
//! the code belongs instead. Change a rule only together with the map.

use std::fs;
use std::path::{Path, PathBuf};

/// A non-test function longer than this is a sign that it does several
/// jobs; split it where the jobs meet.
const MAX_FUNCTION_LINES: usize = 100;

#[test]
fn only_cli_prints_or_chooses_exit_codes() {
    let forbidden = [
        "println!",
        "eprintln!",
        "print!",
        "eprint!",
        "dbg!",
        "process::exit",
        "io::stdout",
        "io::stderr",
        "ExitCode",
    ];
    let breaches = breaches(
        |file| !file.starts_with("src/cli/") && file != "src/main.rs",
        &forbidden,
    );
    assert_clean(
        &breaches,
        "only `cli` (and `main.rs`) may print or choose exit codes: return a value \
         (a Diagnostic, an Outcome, an error) and let `cli` report it",
    );
}

#[test]
fn only_output_writes_files() {
    let forbidden = [
        "fs::write",
        "File::create",
        "create_dir",
        "fs::rename",
        "remove_dir",
        "remove_file",
        // `OpenOptions` also opens files for reading; these are the ways
        // it writes.
        ".write(true)",
        ".append(true)",
        ".create(true)",
        ".create_new(true)",
        ".truncate(true)",
        "fs::copy",
        "set_permissions",
        "hard_link",
        "os::unix::fs::symlink",
    ];
    let breaches = breaches(
        |file| !(file == "src/output.rs" || file.starts_with("src/output/")),
        &forbidden,
    );
    assert_clean(
        &breaches,
        "only `output` writes to disk: hand it the bytes and let it write them",
    );
}

#[test]
fn markdown_does_not_reach_into_calc() {
    let breaches = breaches(|file| file.starts_with("src/markdown/"), &["calc::"]);
    assert_clean(
        &breaches,
        "`markdown` knows nothing of `calc`: calc blocks and inline values reach it \
         through the `Hooks` trait",
    );
}

#[test]
fn the_engine_does_no_io() {
    let forbidden = [
        "std::fs",
        "std::net",
        "std::io",
        "std::env",
        "std::process",
        "std::thread",
        "println!",
        "eprintln!",
        "print!",
        "eprint!",
    ];
    let breaches = breaches(|file| file.starts_with("crates/gradbook-math/"), &forbidden);
    assert_clean(
        &breaches,
        "the engine is pure: no files, network, environment, threads or terminal",
    );
    let manifest = read(&root().join("crates/gradbook-math/Cargo.toml"));
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or("");
    assert!(
        !dependencies.contains("gradbook ") && !dependencies.contains("gradbook="),
        "the engine crate must not depend on the site crate"
    );
}

#[test]
fn every_source_folder_and_module_is_on_the_map() {
    let map = read(&root().join("ARCHITECTURE.md"));
    let mut missing = Vec::new();
    // Every folder at any depth, and the site crate's top-level files.
    let mut dirs = source_dirs();
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(root().join(&dir)).expect("source folder is readable") {
            let path = entry.expect("folder entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let named = if path.is_dir() {
                dirs.push(format!("{dir}/{name}"));
                format!("{dir}/{name}/")
            } else if dir == "src"
                && path.extension().is_some_and(|e| e == "rs")
                && name != "lib.rs"
            {
                format!("{dir}/{name}")
            } else {
                continue;
            };
            if !map.contains(&format!("`{named}`")) {
                missing.push(named);
            }
        }
    }
    for krate in crate_dirs() {
        if !map.contains(&format!("`{krate}/`")) {
            missing.push(format!("{krate}/"));
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name these (as `path` in backticks): {missing:?}; \
         add a line for each to the code map"
    );
}

#[test]
fn no_function_is_longer_than_a_screen() {
    let mut long = Vec::new();
    for file in source_files() {
        let code = Code::read(&file);
        for f in code.functions() {
            if f.lines > MAX_FUNCTION_LINES {
                long.push(format!(
                    "{}:{}: fn {} is {} lines",
                    file.display(),
                    f.line,
                    f.name,
                    f.lines
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (split them where their jobs meet):\n{}",
        long.join("\n")
    );
}

/// The tidy checks themselves, on small inputs, so a rule that silently
/// stopped matching anything would be noticed.
#[test]
fn the_checks_see_what_they_should() {
    let code = Code::parse(
        "fn a() {\n    let s = \"println!\"; // println!\n    println!(\"{}\", '{');\n}\n\
         #[cfg(test)]\nmod tests {\n    fn b() { println!(); }\n}\n\
         fn c<'a>(x: &'a str) -> &'a str {\n    x\n}\n",
    );
    let hits: Vec<usize> = code.find("println!").collect();
    assert_eq!(
        hits,
        vec![3],
        "one real println!, the others are a string, a comment, a test"
    );
    let functions: Vec<(String, usize, usize)> = code
        .functions()
        .into_iter()
        .map(|f| (f.name, f.line, f.lines))
        .collect();
    assert_eq!(
        functions,
        vec![("a".to_string(), 1, 4), ("c".to_string(), 9, 3)]
    );
    let raw = Code::parse("fn r() {\n    let s = r#\"}\"#;\n}\n");
    assert_eq!(
        raw.functions()[0].lines,
        3,
        "a brace in a raw string is not code"
    );
}

// ---------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `src` and the `src` of every crate under `crates/`, relative to the root.
fn source_dirs() -> Vec<String> {
    let mut dirs = vec!["src".to_string()];
    dirs.extend(crate_dirs().into_iter().map(|c| format!("{c}/src")));
    dirs
}

fn crate_dirs() -> Vec<String> {
    let Ok(entries) = fs::read_dir(root().join("crates")) else {
        return Vec::new();
    };
    let mut dirs: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| format!("crates/{}", e.file_name().to_string_lossy()))
        .collect();
    dirs.sort();
    dirs
}

/// Every `.rs` file of every source folder, relative to the root, except
/// the files of modules declared `#[cfg(test)] mod name;` (they are tests).
fn source_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in source_dirs() {
        collect_rs(&root(), Path::new(&dir), &mut files);
    }
    let test_only: Vec<PathBuf> = files.iter().flat_map(|f| test_modules(f)).collect();
    files.retain(|f| !test_only.contains(f));
    files.sort();
    files
}

/// The files of the modules that `file` declares under `#[cfg(test)]`.
fn test_modules(file: &Path) -> Vec<PathBuf> {
    let text = blank_literals(&read(&root().join(file)));
    let dir = match file.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs" | "main.rs" | "mod.rs") => file.parent().unwrap().to_path_buf(),
        _ => file.with_extension(""),
    };
    text.match_indices("#[cfg(test)]")
        .filter_map(|(at, _)| {
            let rest = text[at + "#[cfg(test)]".len()..].trim_start();
            let name = rest.strip_prefix("mod ")?.split(';').next()?.trim();
            let valid = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
            valid.then(|| {
                [
                    dir.join(format!("{name}.rs")),
                    dir.join(name).join("mod.rs"),
                ]
            })
        })
        .flatten()
        .collect()
}

fn collect_rs(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(root.join(dir)).expect("readable folder") {
        let entry = entry.expect("folder entry");
        let relative = dir.join(entry.file_name());
        if entry.path().is_dir() {
            collect_rs(root, &relative, out);
        } else if relative.extension().is_some_and(|e| e == "rs") {
            out.push(relative);
        }
    }
}

/// `file:line: text` for every forbidden pattern in the files `applies` to.
fn breaches(applies: impl Fn(&str) -> bool, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in source_files() {
        let name = file.to_string_lossy().replace('\\', "/");
        if !applies(&name) {
            continue;
        }
        let code = Code::read(&file);
        for pattern in forbidden {
            for line in code.find(pattern) {
                found.push(format!("{name}:{line}: `{pattern}`"));
            }
        }
    }
    found
}

fn assert_clean(breaches: &[String], rule: &str) {
    assert!(breaches.is_empty(), "{rule}:\n{}", breaches.join("\n"));
}

/// One source file with comments, string and char literals and
/// `#[cfg(test)]` items replaced by spaces (newlines kept, so line numbers
/// stay true).
struct Code {
    text: String,
}

struct Function {
    name: String,
    line: usize,
    lines: usize,
}

impl Code {
    fn read(relative: &Path) -> Code {
        Code::parse(&read(&root().join(relative)))
    }

    fn parse(source: &str) -> Code {
        let blank = blank_literals(source);
        Code {
            text: blank_test_items(&blank),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
    }

    fn find<'a>(&'a self, pattern: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.text.match_indices(pattern).filter_map(move |(at, _)| {
            // `print!` must not match inside `eprint!` or `println!`'s own
            // name twice; a pattern that starts with an identifier
            // character must start an identifier.
            let before = self.text[..at].chars().next_back();
            let starts_ident = pattern.starts_with(|c: char| c.is_alphanumeric() || c == '_');
            let glued = before.is_some_and(|c| c.is_alphanumeric() || c == '_');
            (!(starts_ident && glued)).then(|| self.line_of(at))
        })
    }

    /// Every `fn` with a body, with its first line and its length in lines.
    fn functions(&self) -> Vec<Function> {
        let bytes = self.text.as_bytes();
        let mut out = Vec::new();
        for (at, _) in self.text.match_indices("fn ") {
            let before = self.text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = self.text[at + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                continue;
            }
            // The body starts at the first `{` before any `;` (a `;` first
            // means a declaration without a body, as in a trait).
            let Some(open) = self.text[at..]
                .find(['{', ';'])
                .map(|i| at + i)
                .filter(|&i| bytes[i] == b'{')
            else {
                continue;
            };
            let Some(close) = matching_brace(bytes, open) else {
                continue;
            };
            let line = self.line_of(at);
            out.push(Function {
                name,
                line,
                lines: self.line_of(close) - line + 1,
            });
        }
        out
    }
}

fn matching_brace(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Replaces comments and string/char literals by spaces, keeping newlines.
fn blank_literals(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let closing: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            let rest: String = chars[j + 1..].iter().collect();
            let len = rest.find(&closing).map_or(rest.chars().count(), |at| {
                rest[..at].chars().count() + closing.chars().count()
            });
            for &k in &chars[i..(j + 1 + len).min(chars.len())] {
                blank(&mut out, k);
            }
            i = j + 1 + len;
        } else if c == '"' {
            blank(&mut out, c);
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            if i < chars.len() {
                out.push(' ');
                i += 1;
            }
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let len = if next == Some('\\') {
                chars[i + 2..]
                    .iter()
                    .position(|&k| k == '\'')
                    .map(|p| p + 3)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(3)
            } else {
                None
            };
            match len {
                Some(len) => {
                    for &k in &chars[i..i + len] {
                        blank(&mut out, k);
                    }
                    i += len;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Replaces every item marked `#[cfg(test)]` (a test module, a test-only
/// helper) by spaces, keeping newlines.
fn blank_test_items(code: &str) -> String {
    let mut out = code.to_string();
    let mut from = 0;
    while let Some(at) = out[from..].find("#[cfg(test)]").map(|i| from + i) {
        let bytes = out.as_bytes();
        let item_end = out[at..]
            .find(['{', ';'])
            .map(|i| at + i)
            .and_then(|i| {
                if bytes[i] == b'{' {
                    matching_brace(bytes, i)
                } else {
                    Some(i)
                }
            })
            .unwrap_or(out.len() - 1);
        let blanked: String = out[at..=item_end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(at..=item_end, &blanked);
        from = item_end + 1;
    }
    out
}

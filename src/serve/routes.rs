//! From a request line to what to answer, with no I/O.
//!
//! [`route`] decides, from the method, the raw request target and the set
//! of files in the current build, which file to serve, where to redirect,
//! or which error to give. Keys of [`SiteFiles`] are the only things that
//! can be served, so a path can never reach outside the site; on top of
//! that, any `..` segment (also percent-encoded), backslash or NUL byte is
//! refused outright as a bad request.

use crate::output::SiteFiles;
use crate::url::percent_decode;

/// The path of the live-reload event stream. No site file can live under
/// `/__gradbook/`: it is answered before the site is looked at.
pub const EVENTS_PATH: &str = "/__gradbook/events";

/// What to answer a request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The site file with this key (in `generated` or `copied`).
    File(String),
    /// A folder URL without its trailing slash: redirect to `location`.
    Redirect(String),
    /// No such file.
    NotFound,
    /// A target that is malformed or tries to leave the site.
    BadRequest,
    /// A method other than GET and HEAD.
    MethodNotAllowed,
    /// The live-reload event stream.
    Events,
}

/// Decides how to answer `method target` against `files`.
pub fn route(method: &str, target: &str, files: &SiteFiles) -> Route {
    let is_get = method.eq_ignore_ascii_case("GET");
    if !is_get && !method.eq_ignore_ascii_case("HEAD") {
        return Route::MethodNotAllowed;
    }
    let without_fragment = target.split('#').next().unwrap_or_default();
    let (raw_path, query) = match without_fragment.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (without_fragment, None),
    };
    if !raw_path.starts_with('/') {
        return Route::BadRequest;
    }
    if raw_path == EVENTS_PATH {
        return if is_get {
            Route::Events
        } else {
            Route::MethodNotAllowed
        };
    }
    let Some(decoded) = percent_decode(raw_path) else {
        return Route::BadRequest;
    };
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Route::BadRequest,
            s if s.contains(['\\', '\0']) => return Route::BadRequest,
            s => segments.push(s),
        }
    }
    let key = segments.join("/");
    let has = |k: &str| files.generated.contains_key(k) || files.copied.contains_key(k);
    let folder_index = if key.is_empty() {
        "index.html".to_string()
    } else {
        format!("{key}/index.html")
    };
    if key.is_empty() || decoded.ends_with('/') {
        return if has(&folder_index) {
            Route::File(folder_index)
        } else {
            Route::NotFound
        };
    }
    if has(&key) {
        return Route::File(key);
    }
    if has(&folder_index) {
        // One leading slash only: `//name/` would send the browser to the
        // host `name`.
        let mut location = format!("/{}/", raw_path.trim_start_matches('/'));
        if let Some(query) = query {
            location.push('?');
            location.push_str(query);
        }
        return Route::Redirect(location);
    }
    Route::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteFiles {
        let mut files = SiteFiles::default();
        for key in [
            "index.html",
            "404.html",
            "calculus/index.html",
            "calculus/limits/index.html",
            "assets/gradbook.css",
            "caf\u{e9}/index.html",
        ] {
            files.generated.insert(key.to_string(), bytes::Bytes::new());
        }
        files
            .copied
            .insert("img/logo.svg".to_string(), "static/img/logo.svg".into());
        files
    }

    fn check(method: &str, target: &str, expected: &Route) {
        assert_eq!(
            &route(method, target, &site()),
            expected,
            "{method} {target}"
        );
    }

    fn file(key: &str) -> Route {
        Route::File(key.to_string())
    }

    #[test]
    fn folders_files_and_redirects() {
        check("GET", "/", &file("index.html"));
        check("GET", "/?x=1", &file("index.html"));
        check("HEAD", "/calculus/", &file("calculus/index.html"));
        check(
            "GET",
            "/calculus/limits/#top",
            &file("calculus/limits/index.html"),
        );
        check(
            "GET",
            "/calculus//limits/",
            &file("calculus/limits/index.html"),
        );
        check("GET", "/calculus/index.html", &file("calculus/index.html"));
        check("GET", "/assets/gradbook.css", &file("assets/gradbook.css"));
        check("GET", "/img/logo.svg", &file("img/logo.svg"));
        check("GET", "/caf%C3%A9/", &file("caf\u{e9}/index.html"));
        check(
            "GET",
            "/calculus/limits",
            &Route::Redirect("/calculus/limits/".into()),
        );
        check(
            "GET",
            "/calculus?a=b",
            &Route::Redirect("/calculus/?a=b".into()),
        );
        check("GET", "//calculus", &Route::Redirect("/calculus/".into()));
        check(
            "GET",
            "/calculus?/..",
            &Route::Redirect("/calculus/?/..".into()),
        );
        check(
            "GET",
            "///calculus//limits",
            &Route::Redirect("/calculus//limits/".into()),
        );
    }

    proptest::proptest! {
        #[test]
        fn any_target_stays_in_the_site(
            method in "(GET|HEAD|POST|get)",
            target in "(/|//|/calculus|/%2e%2e|/\\.\\.|\\?|#|%|[a-z./\\\\%?#]){0,12}",
        ) {
            let files = site();
            match route(&method, &target, &files) {
                Route::File(key) => {
                    proptest::prop_assert!(
                        files.generated.contains_key(&key) || files.copied.contains_key(&key)
                    );
                }
                Route::Redirect(location) => {
                    // The query is passed on as it came; only the path must
                    // stay on this host and inside the site.
                    let path = location.split('?').next().unwrap_or_default();
                    proptest::prop_assert!(path.starts_with('/'));
                    proptest::prop_assert!(!path.starts_with("//"), "{}", location);
                    proptest::prop_assert!(!path.contains(".."), "{}", location);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn missing_files() {
        check("GET", "/nope", &Route::NotFound);
        check("GET", "/nope/", &Route::NotFound);
        check("GET", "/assets/gradbook.css/", &Route::NotFound);
        check("GET", "/img/", &Route::NotFound);
    }

    #[test]
    fn nothing_outside_the_site() {
        for target in [
            "/../book.toml",
            "/calculus/../../etc/passwd",
            "/%2e%2e/book.toml",
            "/%2E%2E%2fbook.toml",
            "/a%5c..%5cbook.toml",
            "/a%00b",
            "/%zz",
            "/%c3",
            "relative/path",
            "http://example.org/",
        ] {
            check("GET", target, &Route::BadRequest);
        }
    }

    #[test]
    fn methods_and_events() {
        check("POST", "/", &Route::MethodNotAllowed);
        check("DELETE", "/index.html", &Route::MethodNotAllowed);
        check("GET", EVENTS_PATH, &Route::Events);
        check("GET", "/__gradbook/events?x", &Route::Events);
        check("HEAD", EVENTS_PATH, &Route::MethodNotAllowed);
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("100%").as_deref(), None);
        assert_eq!(percent_decode("%4").as_deref(), None);
        assert_eq!(percent_decode("%+f").as_deref(), None);
        assert_eq!(percent_decode("%-1").as_deref(), None);
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("\u{e9}"));
        assert_eq!(percent_decode("plain").as_deref(), Some("plain"));
    }
}

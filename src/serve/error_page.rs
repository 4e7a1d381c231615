//! How a build's problems are shown in the browser.
//!
//! Pages that exist get an [`overlay`] on top of them; a page that the
//! problems kept from being built (a lesson whose front matter is broken)
//! is answered with the full error [`render`] page instead. Both list every
//! diagnostic, each with its `file:line:col`, the message and the full
//! rustc-style rendering with the quoted source line, exactly as the
//! terminal shows it. Both are self-contained (inline styles, no site
//! assets, which may be what is broken), and the pages they sit in carry
//! the live-reload script, so they go away as soon as the problem is fixed.

use crate::diagnostics::Diagnostic;
use crate::html::escape;

/// The error page for `diagnostics` (of the build `token`). `config` says
/// whether they come from `book.toml`, which stops the whole build.
pub fn render(diagnostics: &[Diagnostic], config: bool, token: &str) -> String {
    let headline = headline(diagnostics, config);
    let items = items(diagnostics);
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{headline} · gradbook serve</title>
<style>
:root {{ color-scheme: light dark; --bg: #fff; --fg: #1d2030; --muted: #5b6072; --accent: #c62f3a; --panel: #f5f6fa; }}
@media (prefers-color-scheme: dark) {{ :root {{ --bg: #15171e; --fg: #e6e8ef; --muted: #a0a5b5; --accent: #ff6b74; --panel: #1f222c; }} }}
body {{ margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, sans-serif; }}
main {{ max-width: 60rem; margin: 0 auto; padding: 2rem 1.25rem; }}
h1 {{ color: var(--accent); font-size: 1.5rem; margin: 0 0 .25rem; }}
.lead {{ color: var(--muted); margin: 0 0 1.5rem; }}
ol {{ list-style: none; padding: 0; margin: 0; }}
li {{ border-left: 4px solid var(--accent); background: var(--panel); border-radius: 6px; padding: .75rem 1rem; margin: 0 0 1rem; }}
.where {{ margin: 0; font-weight: 600; }}
.what {{ margin: .25rem 0 .5rem; }}
pre {{ margin: 0; overflow-x: auto; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }}
</style>
</head>
<body>
<main class="gradbook-errors">
<h1>{headline}</h1>
<p class="lead">Fix the files below and save: this page reloads by itself. The terminal shows the same list.</p>
<ol>
{items}</ol>
</main>
</body>
</html>
"#
    );
    String::from_utf8(super::live::inject(html.as_bytes(), token)).unwrap_or(html)
}

/// The panel added to a served page while the build has problems: fixed
/// over the page, scrollable, and closable (it comes back on the next
/// reload while the problems remain).
pub fn overlay(diagnostics: &[Diagnostic], config: bool) -> String {
    let headline = headline(diagnostics, config);
    let items = items(diagnostics);
    // `all: initial` keeps the site's stylesheet out of the panel; every
    // rule is scoped under the panel's id.
    format!(
        r#"<div id="gradbook-errors" role="alert">
<style>
#gradbook-errors {{ all: initial; position: fixed; inset: auto 0 0 0; z-index: 2147483647; max-height: 60vh; overflow: auto; box-sizing: border-box; padding: 1rem 1.25rem; background: #fff; color: #1d2030; border-top: 4px solid #c62f3a; box-shadow: 0 -8px 24px rgba(0,0,0,.25); font: 15px/1.5 system-ui, sans-serif; }}
@media (prefers-color-scheme: dark) {{ #gradbook-errors {{ background: #1f222c; color: #e6e8ef; }} }}
#gradbook-errors * {{ box-sizing: border-box; font: inherit; color: inherit; }}
#gradbook-errors h2 {{ display: block; margin: 0 2.5rem .5rem 0; color: #c62f3a; font-weight: 700; font-size: 1.1rem; }}
#gradbook-errors ol {{ display: block; list-style: none; margin: 0; padding: 0; }}
#gradbook-errors li {{ display: block; margin: 0 0 .75rem; }}
#gradbook-errors p {{ display: block; margin: 0; }}
#gradbook-errors .where {{ font-weight: 600; }}
#gradbook-errors code, #gradbook-errors pre {{ font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }}
#gradbook-errors pre {{ display: block; margin: .25rem 0 0; overflow-x: auto; white-space: pre; font-size: 13px; line-height: 1.45; }}
#gradbook-errors button {{ position: absolute; top: .5rem; right: .75rem; cursor: pointer; background: none; border: 0; font-size: 1.5rem; line-height: 1; }}
</style>
<button type="button" aria-label="Hide these problems" onclick="this.parentNode.remove()">×</button>
<h2>{headline}</h2>
<ol>
{items}</ol>
</div>
"#
    )
}

/// "The site has 2 problems", "book.toml has 1 problem".
fn headline(diagnostics: &[Diagnostic], config: bool) -> String {
    let count = diagnostics.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    if config {
        format!("book.toml has {count} {noun}")
    } else {
        format!("The site has {count} {noun}")
    }
}

/// One `<li>` per diagnostic.
fn items(diagnostics: &[Diagnostic]) -> String {
    let mut items = String::new();
    for d in diagnostics {
        items.push_str("<li>\n<p class=\"where\"><code>");
        items.push_str(&escape(&d.location()));
        items.push_str("</code></p>\n<p class=\"what\">");
        items.push_str(&escape(&d.message));
        items.push_str("</p>\n<pre>");
        items.push_str(&escape(d.to_string().trim_end()));
        items.push_str("</pre>\n</li>\n");
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceText;

    #[test]
    fn lists_every_problem_with_its_place() {
        let src = SourceText::new("content/a.md", "+++\ntitle = <b>\n+++\n");
        let diagnostics = vec![
            Diagnostic::at(&src, 12..15, "expected a value, found '<b>'").with_help("quote it"),
            Diagnostic::whole_file("static/x.css", "would replace the generated file x.css"),
        ];
        let page = render(&diagnostics, false, "tok");
        assert!(page.contains("The site has 2 problems"), "{page}");
        assert!(page.contains("<code>content/a.md:2:9</code>"), "{page}");
        assert!(
            page.contains("expected a value, found &#39;&lt;b&gt;&#39;"),
            "{page}"
        );
        assert!(page.contains("2 | title = &lt;b&gt;"), "{page}");
        assert!(page.contains("<code>static/x.css</code>"), "{page}");
        assert!(!page.contains("<b>"), "diagnostic text is escaped");
        assert!(page.contains("var served = \"tok\""), "{page}");
        let config = render(&diagnostics[..1], true, "tok");
        assert!(config.contains("book.toml has 1 problem<"), "{config}");
        let panel = overlay(&diagnostics, false);
        assert!(panel.starts_with("<div id=\"gradbook-errors\""), "{panel}");
        assert!(panel.contains("<code>content/a.md:2:9</code>"), "{panel}");
        assert!(panel.contains("The site has 2 problems"), "{panel}");
        assert!(!panel.contains("<b>"), "diagnostic text is escaped");
    }
}

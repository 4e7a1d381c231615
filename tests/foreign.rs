//! Markup of other tools (d2l and Sphinx roles, MyST, Liquid, kramdown,
//! Hugo) is named with a warning where it is, and says how to write it in
//! gradbook; warnings fail a check only when denied.

use crate::support::SiteTest;

/// A lesson with one of each foreign form, on the lines the tests name.
const FOREIGN: &str = "## Contents
{:.no_toc}

As in :eqref:`eq_loss` and :numref:`fig_plot`, see :cite:`Smith.2020`.

$$J(w) = w^2$$
:eqlabel:`eq_loss`

![plot]({{ \"/img/plot.png\" | relative_url }})

Go [on]({% post_url 2020-01-01-next %}) or [home]({{site.baseurl}}/).

A lead paragraph.
{: .lead}

{% highlight python %}
x = 1
{% endhighlight %}

{eq}`my-eq` and {numref}`fig-x`.

{{< figure src=\"a.png\" >}}

```{note}
A MyST note.
```

{% raw %}
* TOC
{:toc}
";

/// The warnings `FOREIGN` gives, as `line:column: start of the message`
/// (the lesson's body starts on line 4, after its front matter).
const EXPECTED: &[&str] = &[
    "5:1: warning: `{:.no_toc}` is a kramdown attribute list",
    "7:7: warning: `:eqref:` is a Sphinx or d2l role",
    "7:28: warning: `:numref:` is a Sphinx or d2l role",
    "7:52: warning: `:cite:` is a Sphinx or d2l role",
    "10:1: warning: `:eqlabel:` is a Sphinx or d2l role",
    "12:9: warning: `{{ \"/img/plot.png\" | relative_url }}` is Liquid (Jekyll) output",
    "14:9: warning: `{% post_url 2020-01-01-next %}` is a Liquid (Jekyll) tag",
    "14:51: warning: `{{site.baseurl}}` is Liquid (Jekyll) output",
    "17:1: warning: `{: .lead}` is a kramdown attribute list",
    "19:1: warning: `{% highlight python %}` is a Liquid (Jekyll) tag",
    "21:1: warning: `{% endhighlight %}` is a Liquid (Jekyll) tag",
    "23:1: warning: `{eq}` is a MyST role",
    "23:17: warning: `{numref}` is a MyST role",
    "25:1: warning: `{{< figure src=\"a.png\" >}}` is a Hugo shortcode",
    "27:4: warning: `{note}` after a code fence is a MyST directive",
    "31:1: warning: `{% raw %}` is a Liquid (Jekyll) tag",
    "33:1: warning: `{:toc}` is a kramdown attribute list",
];

#[test]
fn other_tools_markup_is_named_where_it_is() {
    let site = SiteTest::new().lesson("moved.md", "Moved", FOREIGN);
    let run = site.check();
    run.success().stdout_has(&format!(
        "check: 0 verified, 0 computed without an expected output, 0 failed, {} warnings",
        EXPECTED.len()
    ));
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    assert_eq!(lines.len(), EXPECTED.len(), "{}", run.stdout);
    for (line, expected) in lines.iter().zip(EXPECTED) {
        assert!(
            line.starts_with(&format!("content/moved.md:{expected}")),
            "{line}\nexpected content/moved.md:{expected}"
        );
    }
    // In full, each says how to write it in gradbook.
    run.stderr_has("warning: `:eqref:` is a Sphinx or d2l role, which gradbook shows as written")
        .stderr_has(" --> content/moved.md:7:7")
        .stderr_has("help: refer to the equation inside math, `$\\eqref{eq_loss}$`")
        .stderr_has("help: put `\\label{eq_loss}` inside the equation's `$$…$$`")
        .stderr_has("help: link to it: `[the figure](#fig-plot)`")
        .stderr_has("help: cite in a footnote")
        .stderr_has("write the path relative to this lesson's file (`img/plot.png`")
        .stderr_has("`[its title](2020-01-01-next.md)`")
        .stderr_has("help: on a heading, end the heading's line with `{.lead}`")
        .stderr_has("help: write a fenced code block: a line ```python")
        .stderr_has("help: write a component instead: a line `::: note`")
        .stderr_has("gradbook makes each page's table of contents itself");
    assert!(!run.stderr.contains("error"), "{}", run.stderr);

    // The markup is published as it was written: that is the point.
    site.build()
        .success()
        .stderr_has("warning: `{:.no_toc}` is a kramdown attribute list");
    let page = site.page("moved/");
    assert!(
        page.text(".prose p")
            .iter()
            .any(|p| p.contains(":eqref:eq_loss")),
        "{:?}",
        page.text(".prose p")
    );
}

#[test]
fn denied_warnings_fail_the_check() {
    let site = SiteTest::new().lesson("moved.md", "Moved", "See :numref:`fig_x`.\n");
    let run = site.run(&["check", "--deny-warnings"]);
    run.code(1)
        .stdout_has("content/moved.md:4:5: warning: `:numref:` is a Sphinx or d2l role")
        .stdout_has("check: 0 verified, 0 computed without an expected output, 0 failed, 1 warning")
        .stderr_has("error: warnings fail this check (--deny-warnings)");
    // --quiet drops warnings, unless they fail the run.
    let quiet = site.run(&["check", "--quiet"]);
    quiet.success().stdout_has(
        "check: 0 verified, 0 computed without an expected output, 0 failed, 1 warning",
    );
    assert!(!quiet.stdout.contains(": warning:"), "{}", quiet.stdout);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
    site.run(&["check", "--quiet", "--deny-warnings"])
        .code(1)
        .stdout_has("content/moved.md:4:5: warning:");

    // The same from book.toml.
    site.write(
        "book.toml",
        "[book]\ntitle = \"Test Book\"\n\n[check]\ndeny-warnings = true\n",
    );
    site.check()
        .code(1)
        .stdout_has("check: 0 verified, 0 computed without an expected output, 0 failed, 1 warning")
        .stderr_has("error: warnings fail this check (deny-warnings in book.toml)");
    // A build still writes the site, showing the warning.
    site.build()
        .success()
        .stderr_has("warning: `:numref:` is a Sphinx or d2l role");

    // Without warnings, denying them changes nothing.
    site.write(
        "content/moved.md",
        "+++\ntitle = \"Moved\"\n+++\nSee [the figure](#top).\n\n## Top\n",
    );
    site.check().success();
}

#[test]
fn a_misspelt_check_setting_is_reported() {
    let site = SiteTest::new().file(
        "book.toml",
        "[book]\ntitle = \"T\"\n\n[check]\ndeny-warning = true\n",
    );
    site.check()
        .code(2)
        .stdout_has("book.toml:5:1: error:")
        .stderr_has("deny-warnings");
}

#[test]
fn ordinary_text_is_not_foreign() {
    let body = "Meet at time:12:30: sharp; a ratio 3:4:5; note: `x` here.

The set {1, 2, 3} and {{1}, {2}} and {x}, a format {:.2f} and {:d}.

Code keeps its braces: `{{ site.baseurl }}`, `:eqref:` `x`, `{: .class}`.

```js
const t = `${a}`; const o = {{ a: 1 }}; // {% not liquid %}
```

    {:toc} in indented code

Math: $\\{\\{x\\}\\}$ and $$\\{a : a > 0\\}$$

<a href=\"{{ site.baseurl }}/a\" title=\"{% raw %}\">raw HTML</a>

<div class=\"{: .x}\">
{{ site.title }} inside an HTML block
</div>

Escaped: \\{{ site.baseurl }} and \\{: .lead} and \\:eqref:`x`.

An emoticon :-) and {{ 1 + 2 }}.

## A heading {#kept .wide}

```python
print({'a': 1})
```
";
    let site = SiteTest::new().lesson("plain.md", "Plain", body);
    let run = site.run(&["check", "--deny-warnings"]);
    run.success();
    assert!(!run.stdout.contains("warning"), "{}", run.stdout);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn markup_inside_components_and_lists_is_named_too() {
    let site = SiteTest::new().lesson(
        "parts.md",
        "Parts",
        "::: note Careful\nAs :eqref:`eq_1` shows.\n:::\n\n- an item with {{ page.title }}\n\n> quoted {% include x.html %}\n",
    );
    let run = site.check();
    run.success()
        .stdout_has("content/parts.md:5:4: warning: `:eqref:`")
        .stdout_has("content/parts.md:8:16: warning: `{{ page.title }}` is Liquid")
        .stdout_has("content/parts.md:10:10: warning: `{% include x.html %}`")
        .stderr_has("help: gradbook fills in no variables in lessons");
}

#[test]
fn the_bundled_course_and_the_starter_course_have_no_warnings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if root.join("book.toml").exists() {
        let run = crate::support::run_in(root, &["check", "--deny-warnings"], &[]);
        run.success();
        assert!(!run.stdout.contains("warning"), "{}", run.stdout);
    }
    let site = SiteTest::empty();
    site.run(&["init", "course"]).success();
    let course = site.root().join("course");
    let run = crate::support::run_in(&course, &["check", "--deny-warnings"], &[]);
    run.success();
    assert!(!run.stdout.contains("warning"), "{}", run.stdout);
}

#[test]
fn serve_shows_warnings_and_serves_the_pages() {
    use std::io::BufRead;
    let site = SiteTest::new().lesson("moved.md", "Moved", "See :numref:`fig_x`.\n");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gradbook"))
        .args(["serve", "--port", "0"])
        .current_dir(site.root())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gradbook serve starts");
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            seen.push_str(&line);
            seen.push('\n');
            if line.starts_with("Built ") || line.starts_with("error:") {
                break;
            }
        }
        let _ = tx.send(seen);
    });
    let seen = rx.recv_timeout(std::time::Duration::from_secs(60));
    let _ = child.kill();
    let _ = child.wait();
    let seen = seen.expect("serve reported its first build");
    assert!(
        seen.contains("warning: `:numref:` is a Sphinx or d2l role")
            && seen.contains(" --> content/moved.md:4:5"),
        "{seen}"
    );
    assert!(seen.contains("Built 3 pages"), "{seen}");
}

#[test]
fn export_shows_warnings_and_still_writes_the_deck() {
    let site = SiteTest::new().lesson(
        "cards.md",
        "Cards",
        "See {numref}`fig-a`.\n\n::: flashcards\n### Front\nBack.\n:::\n",
    );
    site.run(&["export", "anki"])
        .success()
        .stdout_has("content/cards.md:4:5: warning: `{numref}` is a MyST role")
        .stderr_has("help: link to it: `[the figure](#fig-a)`")
        .stdout_has("exported 1 card in 1 deck");
}

#[test]
fn a_formula_left_inside_raw_html_is_named() {
    let body = "<div class=\"box\">The slope \\(2w\\) here.</div>

<div>

Here \\(2w\\) is Markdown, so it is math.

</div>

<script>var re = /\\(x\\)/;</script>
";
    let site = SiteTest::new().lesson("html.md", "Html", body);
    let run = site.check();
    run.success()
        .stdout_has(
            "content/html.md:4:28: warning: a formula inside a raw HTML block is shown as written",
        )
        .stderr_has("help: leave a blank line after the opening tag");
    assert_eq!(run.stdout.matches("warning:").count(), 1, "{}", run.stdout);
    site.run(&["check", "--deny-warnings"]).code(1);
}

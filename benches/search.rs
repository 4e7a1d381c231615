//! The search index: `search::build` on the rendered bodies of generated
//! sites of 1,000 and 10,000 pages (see `corpus.rs`), beside the whole
//! in-memory build of the same sites (`Site::render`, which includes the
//! index), so the index's share of the build time reads off directly.
//!
//! Run with `cargo bench --bench search`. Setting up the 10,000-page site
//! (writing and rendering it once) takes a while before measuring starts.

use std::path::{Path, PathBuf};

use gradbook::calc::PageCalc;
use gradbook::markdown::{self, BodyContext};
use gradbook::search::{self, Stemming};
use gradbook::site::{Site, root_prefix};

mod corpus;

fn main() {
    divan::main();
}

/// A generated site of `pages` lessons in a temporary folder, loaded.
fn corpus(pages: usize) -> (tempfile::TempDir, Site) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let per_section = pages.min(100);
    corpus::write_site(dir.path(), pages.div_ceil(per_section), per_section)
        .expect("corpus written");
    let site = Site::load(dir.path(), false).unwrap_or_else(|_| panic!("the corpus loads"));
    (dir, site)
}

/// A lesson rendered as the build renders it: URL, title, section title,
/// summary, tags, body HTML and headings.
struct Rendered {
    url: String,
    title: String,
    section: String,
    summary: String,
    tags: Vec<String>,
    html: String,
    headings: Vec<(String, String)>,
}

/// Every lesson's body rendered (with its calc blocks run), as the index
/// receives them.
fn render_lessons(site: &Site) -> Vec<Rendered> {
    let content = &site.content;
    content
        .reading_order
        .iter()
        .map(|&i| {
            let lesson = &content.lessons[i];
            let page_key = format!("/{}", lesson.url);
            let root = root_prefix(&lesson.url);
            let rel: PathBuf = lesson.rel_path.clone();
            let resolve = |link: &str| content.resolve_link(Path::new(&rel), link);
            let ctx = BodyContext {
                source: &lesson.source,
                page_key: &page_key,
                page_url: &lesson.url,
                root: &root,
                resolve: &resolve,
                asset: &|_: &str, _: bool| Err(None),
                macros: &site.config.math.macros,
                title_id: lesson.title_attributes.id.as_deref(),
                backslash_delimiters: site.config.math.backslash_delimiters,
            };
            let mut calc = PageCalc::new(&lesson.source, site.config.calc.precision);
            let rendered = markdown::render_body(&ctx, lesson.body.clone(), &mut calc);
            Rendered {
                url: lesson.url.clone(),
                title: lesson.title.clone(),
                section: content.sections[lesson.section].title.clone(),
                summary: lesson.front.summary.clone(),
                tags: lesson.front.tags.clone(),
                html: rendered.html,
                headings: rendered.toc.into_iter().map(|h| (h.id, h.title)).collect(),
            }
        })
        .collect()
}

#[divan::bench(args = [1000, 10000], sample_count = 5, sample_size = 1)]
fn index(bencher: divan::Bencher, pages: usize) {
    let (_dir, site) = corpus(pages);
    let rendered = render_lessons(&site);
    let pages: Vec<search::Page<'_>> = rendered
        .iter()
        .map(|r| search::Page {
            url: &r.url,
            title: &r.title,
            section: &r.section,
            summary: &r.summary,
            tags: &r.tags,
            html: &r.html,
            headings: r
                .headings
                .iter()
                .map(|(id, title)| (id.as_str(), title.as_str()))
                .collect(),
        })
        .collect();
    bencher.bench(|| search::build(&pages, Stemming::English, "bench"));
}

#[divan::bench(args = [1000, 10000], sample_count = 3, sample_size = 1)]
fn whole_render(bencher: divan::Bencher, pages: usize) {
    let (_dir, site) = corpus(pages);
    bencher.bench(|| site.render());
}

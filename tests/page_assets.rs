//! Page assets: the files of `content/` that are not Markdown are copied to
//! the same place in the output, and relative links and image sources that
//! name them are rewritten to reach them from the page; a missing image is
//! an error at its line.

use crate::support::SiteTest;

/// The first bytes of a PNG of `width` × `height` pixels: enough for its
/// size to be read.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

#[test]
fn assets_are_copied_and_links_to_them_rewritten() {
    let plot = png(3, 2);
    let site = SiteTest::new()
        .lesson(
            "basics/intro.md",
            "Intro",
            "<a name=\"top\"></a>\n\n![A plot](img/plot.png \"The plot\")\n\n\
             <img src=\"img/plot.png\" alt=\"raw\">\n\n\
             [the data](data/points%20v1.csv), [back up](#top), [away](https://example.org/x.png)\n\n\
             ![remote](https://example.org/y.png)\n",
        )
        .file("content/basics/img/plot.png", &plot)
        .file("content/basics/data/points v1.csv", "x,y\n1,2\n")
        .file("content/notes.txt", "top-level file\n");
    site.build().success();
    assert_eq!(
        std::fs::read(site.root().join("site/basics/img/plot.png")).unwrap(),
        plot
    );
    assert_eq!(site.output("basics/data/points v1.csv"), "x,y\n1,2\n");
    assert_eq!(site.output("notes.txt"), "top-level file\n");
    let page = site.page("basics/intro/");
    assert_eq!(
        page.attr(".prose img", "src"),
        [
            "../../basics/img/plot.png",
            "../../basics/img/plot.png",
            "https://example.org/y.png"
        ]
    );
    assert_eq!(page.attr(".prose img", "loading"), ["lazy", "lazy", "lazy"]);
    assert_eq!(page.attr(".prose img", "width"), ["3", "3"]);
    assert_eq!(page.attr(".prose img", "height"), ["2", "2"]);
    assert_eq!(page.attr(".prose img[title]", "title"), ["The plot"]);
    assert_eq!(page.attr(".prose img[title]", "alt"), ["A plot"]);
    assert_eq!(
        page.attr(".prose p a", "href"),
        [
            "../../basics/data/points%20v1.csv",
            "#top",
            "https://example.org/x.png"
        ]
    );
}

#[test]
fn missing_images_are_errors_at_their_line() {
    let site = SiteTest::new().lesson(
        "basics/intro.md",
        "Intro",
        "Text.\n\n![A plot](img/plot.png)\n\n<p>\n<img src=\"gone.png\">\n</p>\n",
    );
    let run = site.check();
    run.code(1)
        .stderr_has("content/basics/intro.md:6:1")
        .stderr_has("image 'img/plot.png' not found")
        .stderr_has("content/basics/intro.md:9:11")
        .stderr_has("image 'gone.png' not found");
}

#[test]
fn a_folder_of_assets_beside_its_lesson_is_no_section() {
    let site = SiteTest::new()
        .lesson("a/b.md", "B", "![fig](b/fig.png)\n")
        .file("content/a/b/fig.png", png(1, 1));
    site.build().success();
    assert!(site.has_output("a/b/fig.png"));
    assert_eq!(
        site.page("a/b/").attr(".prose img", "src"),
        ["../../a/b/fig.png"]
    );
}

#[test]
fn an_asset_may_not_replace_a_page() {
    let site = SiteTest::new()
        .lesson("a/b.md", "B", "Text.\n")
        .file("content/a/b/index.html", "<p>mine</p>\n");
    site.build()
        .code(1)
        .stderr_has("content/a/b/index.html")
        .stderr_has("would replace the generated file a/b/index.html");
}

#[test]
fn a_misspelt_image_gets_the_closest_file() {
    let site = SiteTest::new()
        .lesson("basics/intro.md", "Intro", "![A plot](img/plott.png)\n")
        .file("content/basics/img/plot.png", png(2, 2));
    site.check()
        .code(1)
        .stderr_has("content/basics/intro.md:4:1")
        .stderr_has("did you mean 'img/plot.png'?");
}

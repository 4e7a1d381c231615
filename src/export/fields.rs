//! A card's HTML as an Anki field.
//!
//! Pages show formulas as MathML; Anki typesets `\(…\)` and `\[…\]` with
//! MathJax, which also lets a learner edit them in Anki. Every `<math>`
//! element that `latex` wrote keeps its TeX in `alttext`, and becomes that
//! TeX between MathJax's delimiters. Math without TeX (the MathML of calc
//! results and inline values) stays MathML, which Anki's web view lays out
//! as a browser does.

/// `html` with every formula that carries its TeX turned back into it.
pub fn mathml_to_tex(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = find_math(rest) {
        out.push_str(&rest[..at]);
        let element = &rest[at..];
        let (Some(tag_end), Some(close)) = (element.find('>'), element.find("</math>")) else {
            // Not a whole element: leave the rest as it is.
            rest = element;
            break;
        };
        let start_tag = &element[..=tag_end];
        let whole = close + "</math>".len();
        match attribute(start_tag, "alttext") {
            Some(tex) if !tex.trim().is_empty() => {
                let block = attribute(start_tag, "display").as_deref() == Some("block");
                let (open, shut) = if block {
                    ("\\[", "\\]")
                } else {
                    ("\\(", "\\)")
                };
                out.push_str(open);
                out.push_str(&crate::html::escape(&tex));
                out.push_str(shut);
            }
            _ => out.push_str(&element[..whole]),
        }
        rest = &element[whole..];
    }
    // `rest` starts at an unfinished element, or is the text after the
    // last one.
    out.push_str(rest);
    out
}

/// Where the next `<math` start tag begins (not `<mathx`).
fn find_math(html: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = html[from..].find("<math") {
        let at = from + i;
        match html.as_bytes().get(at + 5) {
            Some(b' ' | b'>' | b'\t' | b'\n' | b'/') => return Some(at),
            _ => from = at + 5,
        }
    }
    None
}

/// The decoded value of the double-quoted attribute `name` of `start_tag`.
fn attribute(start_tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let from = start_tag.find(&needle)? + needle.len();
    let len = start_tag[from..].find('"')?;
    Some(decode(&start_tag[from..from + len]))
}

/// Decodes the entities [`crate::html::escape`] writes.
fn decode(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Text without its markup, for Anki's sort field and duplicate check:
/// tags dropped, the common entities decoded, white space collapsed.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        match rest[lt..].find('>') {
            Some(gt) => {
                out.push(' ');
                rest = &rest[lt + gt + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    decode(&out.replace("&nbsp;", " "))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_with_tex_become_mathjax_and_others_stay() {
        let inline = crate::latex::to_mathml("x^2 < \\frac{a}{b}", false).unwrap();
        let block = crate::latex::to_mathml("\\sum_i w_i", true).unwrap();
        let html = format!(
            "<p>Here {inline} and</p>{block}<p><span class=\"calc-inline\"><math><mn>6</mn></math></span></p>"
        );
        assert_eq!(
            mathml_to_tex(&html),
            "<p>Here \\(x^2 &lt; \\frac{a}{b}\\) and</p>\\[\\sum_i w_i\\]\
             <p><span class=\"calc-inline\"><math><mn>6</mn></math></span></p>"
        );
    }

    #[test]
    fn quotes_and_ampersands_survive_the_round_trip() {
        let tex = "\\text{\"a\"} < b";
        let html = crate::latex::to_mathml(tex, false).unwrap();
        assert!(html.starts_with("<math alttext=\""), "{html}");
        assert_eq!(mathml_to_tex(&html), "\\(\\text{&quot;a&quot;} &lt; b\\)");
    }

    #[test]
    fn text_that_is_not_math_is_untouched() {
        for html in [
            "<p>no math</p>",
            "<mathematics>x</mathematics>",
            "<math alttext=\"x\">unclosed",
            "a < b <math",
        ] {
            assert_eq!(mathml_to_tex(html), html);
        }
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("<p>What is <em>the</em>\n slope &amp; its&nbsp;sign?</p>"),
            "What is the slope & its sign?"
        );
    }
}

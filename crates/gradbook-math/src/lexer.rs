//! The lexer: turns one input line into tokens with byte spans. Comments
//! (`# ...`) end the input; an unknown character is an error.

use std::ops::Range;

use super::MathError;
use super::error::{MODULES, foreign};
use super::lower::is_reserved;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A number literal (the text is in the source at the span).
    Num,
    /// A name: letters (Greek too), digits and `_`, not starting with a digit.
    Ident,
    Plus,
    Minus,
    Star,
    Slash,
    /// `**` or `^`.
    Pow,
    LParen,
    RParen,
    Comma,
    /// `=`.
    Assign,
    /// `'` (a derivative prime).
    Prime,
    /// `..` (a plot range).
    DotDot,
}

/// A token and the bytes it covers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits `src` into tokens. Stops at a `#` comment.
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, MathError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let c = src[i..].chars().next().unwrap_or(' ');
        let start = i;
        let single = |tok| Token {
            tok,
            span: start..start + 1,
        };
        dotted_name(src, out.last(), i).map_or(Ok(()), Err)?;
        match c {
            c if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            '#' => break,
            '0'..='9' | '.' if c != '.' || bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = lex_number(src, i)?;
                out.push(Token {
                    tok: Tok::Num,
                    span: start..i,
                });
                continue;
            }
            '.' if bytes.get(i + 1) == Some(&b'.') => {
                out.push(Token {
                    tok: Tok::DotDot,
                    span: start..start + 2,
                });
                i += 2;
                continue;
            }
            c if is_ident_start(c) => {
                let mut j = i + c.len_utf8();
                while let Some(d) = src[j..].chars().next() {
                    if !is_ident_continue(d) {
                        break;
                    }
                    j += d.len_utf8();
                }
                out.push(Token {
                    tok: Tok::Ident,
                    span: start..j,
                });
                i = j;
                continue;
            }
            '*' if bytes.get(i + 1) == Some(&b'*') => {
                out.push(Token {
                    tok: Tok::Pow,
                    span: start..start + 2,
                });
                i += 2;
                continue;
            }
            '+' => out.push(single(Tok::Plus)),
            '-' => out.push(single(Tok::Minus)),
            '*' => out.push(single(Tok::Star)),
            '/' => out.push(single(Tok::Slash)),
            '^' => out.push(single(Tok::Pow)),
            '(' => out.push(single(Tok::LParen)),
            ')' => out.push(single(Tok::RParen)),
            ',' => out.push(single(Tok::Comma)),
            '\'' => out.push(single(Tok::Prime)),
            '=' if bytes.get(i + 1) == Some(&b'=') => {
                return Err(MathError::new(
                    "comparisons (==) are not part of the calc language",
                    start..start + 2,
                )
                .with_help("use = to define a name, or compare by printing both values"));
            }
            '=' => out.push(single(Tok::Assign)),
            '−' => {
                return Err(MathError::new(
                    "unexpected character '−' (a typographic minus)",
                    start..start + c.len_utf8(),
                )
                .with_help("write the ASCII minus sign -"));
            }
            '×' | '·' => {
                return Err(MathError::new(
                    format!("unexpected character '{c}'"),
                    start..start + c.len_utf8(),
                )
                .with_help("write * for multiplication"));
            }
            _ => {
                return Err(MathError::new(
                    format!("unexpected character '{c}'"),
                    start..start + c.len_utf8(),
                ));
            }
        }
        i += c.len_utf8();
    }
    Ok(out)
}

/// The error for `module.name` when a `.` is at `i`, after the token
/// `before` (`np.exp`, `math.log10`, `x.T`): calc has
/// no modules or attributes; another tool's module prefix is answered with
/// what to write in calc.
fn dotted_name(src: &str, before: Option<&Token>, i: usize) -> Option<MathError> {
    if src.as_bytes()[i] != b'.' {
        return None;
    }
    let prefix = before
        .filter(|t| t.tok == Tok::Ident && t.span.end == i)?
        .span
        .clone();
    src[i + 1..].chars().next().filter(|&c| is_ident_start(c))?;
    let end = src[i + 1..]
        .find(|d: char| !is_ident_continue(d))
        .map_or(src.len(), |k| i + 1 + k);
    let (module, name) = (&src[prefix.clone()], &src[i + 1..end]);
    Some(help_for_dotted(module, name, prefix.start..end))
}

/// The help for `module.name`.
fn help_for_dotted(module: &str, name: &str, span: Range<usize>) -> MathError {
    let err = MathError::new(format!("'{module}.{name}' is not a name in calc"), span);
    if !MODULES.contains(&module) {
        return err.with_help("names cannot contain '.'; calc has no modules or attributes");
    }
    if let Some(help) = foreign(name) {
        return err.with_help(help);
    }
    if is_reserved(name) || name == "ln" {
        return err.with_help(format!("write {name}(...) without '{module}.'"));
    }
    err.with_help(format!(
        "calc has no modules; write the name without '{module}.', or define it first: {name}(x) = ..."
    ))
}

/// Reads a number literal starting at `i`: digits, an optional fraction and
/// an optional exponent (`1e-3`, `1E-3`). Returns the end offset.
fn lex_number(src: &str, mut i: usize) -> Result<usize, MathError> {
    let b = src.as_bytes();
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    // A fraction, but not the `..` of a range.
    if i < b.len() && b[i] == b'.' && b.get(i + 1) != Some(&b'.') {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    if i < b.len() && b[i] == b'.' && b.get(i + 1) != Some(&b'.') {
        return Err(MathError::new(
            format!("malformed number '{}.'", &src[start..i]),
            start..i + 1,
        ));
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, expected: &str) {
        let got = match lex(src) {
            Ok(tokens) => tokens
                .iter()
                .map(|t| format!("{:?}:{}", t.tok, &src[t.span.clone()]))
                .collect::<Vec<_>>()
                .join(" "),
            Err(e) => format!("error: {} @{:?}", e.message, e.span),
        };
        assert_eq!(got, expected, "lexing {src:?}");
    }

    #[test]
    fn tokens() {
        check("w**2", "Ident:w Pow:** Num:2");
        check("w^2", "Ident:w Pow:^ Num:2");
        check("1e-3 + 1E-3", "Num:1e-3 Plus:+ Num:1E-3");
        check("J'(3)", "Ident:J Prime:' LParen:( Num:3 RParen:)");
        check("w=-4..4", "Ident:w Assign:= Minus:- Num:4 DotDot:.. Num:4");
        check("0.5..1.5", "Num:0.5 DotDot:.. Num:1.5");
        check(".5", "Num:.5");
        check("θ_1 + α", "Ident:θ_1 Plus:+ Ident:α");
        check("x # a comment", "Ident:x");
        check("2e", "Num:2 Ident:e");
    }

    #[test]
    fn errors() {
        check("2 & 3", "error: unexpected character '&' @2..3");
        check(
            "a == b",
            "error: comparisons (==) are not part of the calc language @2..4",
        );
        check("1.2.3", "error: malformed number '1.2.' @0..4");
        check("2*np.exp(w)", "error: 'np.exp' is not a name in calc @2..8");
        check("x.T", "error: 'x.T' is not a name in calc @0..3");
        check("x. y", "error: unexpected character '.' @1..2");
    }
}

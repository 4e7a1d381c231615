//! Lines compared cell by cell: numbers by the number rule, everything
//! else as text, white space free; vectors and tables the same way.

use gradbook_math::format_number;

use super::numbers::{
    WrittenNumber, decimals_written, is_ident_char, number_len, parse_number_literal, rounded_text,
};
use super::*;

/// A piece of a line: a number, or text between numbers (white space
/// removed, so that it is free).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Number { value: f64, approx: Option<i32> },
    Text(String),
}

/// Splits a line into numbers and the text between them. A digit, or a
/// sign before one, starts a number only when it does not continue a name
/// (`w1`, `dL/dw2`); a sign is part of a number only at the start, after
/// white space or after one of `( [ , = :`.
pub(super) fn tokenize(line: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut prev: Option<char> = None;
    let mut i = 0;
    let flush = |text: &mut String, tokens: &mut Vec<Token>| {
        if !text.is_empty() {
            tokens.push(Token::Text(std::mem::take(text)));
        }
    };
    while i < line.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            // White space separates numbers but is otherwise ignored.
            flush(&mut text, &mut tokens);
            prev = Some(' ');
            i += c.len_utf8();
            continue;
        }
        let after_separator =
            prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '[' | ',' | '=' | ':'));
        let continues_name = prev.is_some_and(|p| is_ident_char(p) || p == '.');
        let (approx, body_offset) = if c == '~' || c == '≈' {
            let skip = c.len_utf8();
            let ws = rest[skip..].len() - rest[skip..].trim_start().len();
            (true, skip + ws)
        } else {
            (false, 0)
        };
        let body = &rest[body_offset..];
        let signed = body.starts_with(['-', '+']);
        let starts_number = !continues_name && (!signed || after_separator || approx);
        if starts_number && let Some(len) = number_len(body) {
            let literal = &body[..len];
            let follows_name = body[len..].chars().next().is_some_and(is_ident_char);
            let is_word = literal
                .trim_start_matches(['-', '+'])
                .starts_with(['i', 'n']);
            if (!follows_name || is_word)
                && let Some(value) = parse_number_literal(literal)
            {
                flush(&mut text, &mut tokens);
                let approx = if approx {
                    decimals_written(literal)
                } else {
                    None
                };
                tokens.push(Token::Number { value, approx });
                i += body_offset + len;
                prev = literal.chars().last();
                continue;
            }
        }
        text.push(c);
        prev = Some(c);
        i += c.len_utf8();
    }
    flush(&mut text, &mut tokens);
    // Adjacent text pieces (split by white space) compare as one.
    let mut merged: Vec<Token> = Vec::new();
    for token in tokens {
        match (merged.last_mut(), token) {
            (Some(Token::Text(a)), Token::Text(b)) => a.push_str(&b),
            (_, token) => merged.push(token),
        }
    }
    merged
}

/// A line of a nudge, a descent table or a plot, compared token by token:
/// the text must agree (white space aside) and the numbers by the number
/// rule at `precision`. `exact` gives the same line printed at full
/// precision, when its layout is known to agree; it is asked for only when
/// a written number is not the printed one, and without it the numbers
/// are compared with their printed values.
pub(super) fn tokens_match<'e>(
    expected: &str,
    printed: &str,
    exact: impl FnOnce() -> Option<&'e str>,
    precision: usize,
) -> Result<(), String> {
    let want = tokenize(expected);
    let got = tokenize(printed);
    if want.len() != got.len() {
        let count = |t: &[Token]| {
            t.iter()
                .filter(|t| matches!(t, Token::Number { .. }))
                .count()
        };
        return Err(format!(
            "{} numbers written, {} computed",
            count(&want),
            count(&got)
        ));
    }
    let mut exact = Some(exact);
    let mut got_exact: Option<Option<Vec<Token>>> = None;
    let mut numbers = 0;
    for (k, (w, g)) in want.iter().zip(&got).enumerate() {
        match (w, g) {
            (Token::Text(a), Token::Text(b)) if a == b => {}
            (Token::Number { value, approx }, Token::Number { value: p, .. }) => {
                numbers += 1;
                if approx.is_none() && value.to_bits() == p.to_bits() {
                    // The printed number itself.
                    continue;
                }
                let exact_line = got_exact.get_or_insert_with(|| {
                    exact
                        .take()
                        .and_then(|f| f())
                        .map(tokenize)
                        .filter(|e| same_shape(e, &got))
                });
                let computed = match exact_line.as_ref().map(|e| &e[k]) {
                    Some(Token::Number { value, .. }) => *value,
                    _ => *p,
                };
                let written = WrittenNumber {
                    value: *value,
                    approx: *approx,
                };
                if !written.matches(computed, precision) {
                    let (shown, rounded) = match approx {
                        Some(d) => (
                            format!("~{}", format_number(*value, 15)),
                            if *d >= 0 {
                                format!(", which rounds to {}", rounded_text(computed, *d))
                            } else {
                                String::new()
                            },
                        ),
                        None => (format_number(*value, 15), String::new()),
                    };
                    return Err(format!(
                        "number {numbers} differs: written {shown}, computed {}{rounded}",
                        format_number(*p, 15)
                    ));
                }
            }
            (Token::Text(a), Token::Text(b)) => {
                return Err(format!("the text differs: '{a}' written, '{b}' computed"));
            }
            _ => return Err("a number and a word are swapped".to_string()),
        }
    }
    Ok(())
}

pub(super) fn same_shape(a: &[Token], b: &[Token]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            matches!(
                (x, y),
                (Token::Number { .. }, Token::Number { .. }) | (Token::Text(_), Token::Text(_))
            )
        })
}

// ---------------------------------------------------------------- vectors

/// Splits `[a, b, c]` into its cells at top-level commas.
pub(super) fn split_vector(text: &str) -> Option<Vec<&str>> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?;
    if inner.trim().is_empty() {
        return Some(Vec::new());
    }
    let mut cells = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                cells.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    cells.push(inner[start..].trim());
    Some(cells)
}

pub(super) fn vector_matches(
    expected: &str,
    items: &[Value],
    precision: usize,
    scope: &Scope,
) -> Result<(), String> {
    let Some(cells) = split_vector(expected) else {
        return Err("expected a vector like [2, 12]".to_string());
    };
    if cells.len() != items.len() {
        return Err(format!(
            "{} components expected, {} computed",
            cells.len(),
            items.len()
        ));
    }
    for (k, (cell, item)) in cells.iter().zip(items).enumerate() {
        let outcome = match item {
            Value::Number(x) => number_line_matches(cell, *x, precision, scope),
            Value::Expr(e) => expression_text_matches(cell, e, scope),
            other => {
                let a: String = cell.split_whitespace().collect();
                let b: String = other.to_text(precision).split_whitespace().collect();
                if a == b { Ok(()) } else { Err(String::new()) }
            }
        };
        if let Err(reason) = outcome {
            let reason = if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            };
            return Err(format!("component {} differs{reason}", k + 1));
        }
    }
    Ok(())
}

//! The parser: a Pratt parser from tokens to a syntax tree with spans, and
//! the statement forms of one calc input (definition, constant, expression).
//!
//! Precedence is Python's: `+ -` < `* /` < unary minus < `**` (right
//! associative, and its right side may start with a unary minus). Sums and
//! products are kept as flat lists, so a long chain like `1 + 1 + … + 1`
//! never makes a deep tree; nesting (parentheses, unary minus, powers,
//! calls) is bounded by [`MAX_NESTING`].

use std::ops::Range;

use super::MathError;
use super::error::MAX_NESTING;
use super::lexer::{Tok, Token, lex};

/// A node of the syntax tree and the bytes it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Syntax {
    pub kind: SyntaxKind,
    pub span: Range<usize>,
}

/// The shapes of syntax.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SyntaxKind {
    /// A number literal, as written.
    Num(String),
    /// A name.
    Name(String),
    /// Unary minus.
    Neg(Box<Syntax>),
    /// `a + b - c`: each term with `true` when subtracted.
    Sum(Vec<(bool, Syntax)>),
    /// `a * b / c`: each factor with `true` when divided by.
    Product(Vec<(bool, Syntax)>),
    /// `a ** b`.
    Pow(Box<Syntax>, Box<Syntax>),
    /// `name(args)`, `name'(args)` with `primes` derivative marks.
    Call {
        name: String,
        name_span: Range<usize>,
        primes: usize,
        args: Vec<Arg>,
    },
}

/// One argument of a call: positional or `name=value`, and optionally a
/// range `lo..hi`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arg {
    pub keyword: Option<(String, Range<usize>)>,
    pub value: Syntax,
    pub upper: Option<Syntax>,
    pub span: Range<usize>,
}

/// One calc input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stmt {
    /// Nothing but white space or a comment.
    Empty,
    /// `J(w) = body`.
    Function {
        name: String,
        name_span: Range<usize>,
        params: Vec<(String, Range<usize>)>,
        body: Syntax,
    },
    /// `alpha = value`.
    Constant {
        name: String,
        name_span: Range<usize>,
        value: Syntax,
    },
    /// Anything else.
    Expr(Syntax),
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

/// Parses one calc input.
pub(crate) fn parse_stmt(src: &str) -> Result<Stmt, MathError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Ok(Stmt::Empty);
    }
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
    };
    // `name = value`
    if p.peek_is(0, Tok::Ident) && p.peek_is(1, Tok::Assign) {
        let name_span = p.toks[0].span.clone();
        p.pos = 2;
        let value = p.expr_to_end("the value")?;
        return Ok(Stmt::Constant {
            name: src[name_span.clone()].to_string(),
            name_span,
            value,
        });
    }
    // `name(params) = body`
    if p.peek_is(0, Tok::Ident)
        && p.peek_is(1, Tok::LParen)
        && let Some(close) = p.matching_paren(1)
        && p.peek_is(close + 1, Tok::Assign)
    {
        let name_span = p.toks[0].span.clone();
        let name = src[name_span.clone()].to_string();
        let params = p.params(2, close, &name)?;
        p.pos = close + 2;
        let body = p.expr_to_end("the function body")?;
        return Ok(Stmt::Function {
            name,
            name_span,
            params,
            body,
        });
    }
    let mut depth = 0i32;
    let top_level_assign = (0..p.toks.len()).find(|&i| {
        match p.toks[i].tok {
            Tok::LParen => depth += 1,
            Tok::RParen => depth -= 1,
            _ => {}
        }
        depth == 0 && p.toks[i].tok == Tok::Assign
    });
    if let Some(i) = top_level_assign {
        let span = p.toks[i].span.clone();
        return Err(MathError::new(
            format!(
                "cannot assign to '{}'",
                &src[p.toks[0].span.start..span.start].trim()
            ),
            span,
        )
        .with_help("define a constant as alpha = 0.1 or a function as J(w) = w**2"));
    }
    let e = p.expr_to_end("an expression")?;
    Ok(Stmt::Expr(e))
}

/// Parses a bare expression (no statements).
pub(crate) fn parse_expr(src: &str) -> Result<Syntax, MathError> {
    let toks = lex(src)?;
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
    };
    if p.toks.is_empty() {
        return Err(MathError::new("expected an expression", 0..src.len()));
    }
    p.expr_to_end("an expression")
}

fn prefix_bp(tok: Tok) -> Option<u8> {
    match tok {
        Tok::Minus | Tok::Plus => Some(30),
        _ => None,
    }
}

/// Left and right binding power of an infix operator.
fn infix_bp(tok: Tok) -> Option<(u8, u8)> {
    match tok {
        Tok::Plus | Tok::Minus => Some((10, 11)),
        Tok::Star | Tok::Slash => Some((20, 21)),
        Tok::Pow => Some((40, 39)),
        _ => None,
    }
}

fn describe(tok: Tok) -> &'static str {
    match tok {
        Tok::Num => "a number",
        Tok::Ident => "a name",
        Tok::Plus => "'+'",
        Tok::Minus => "'-'",
        Tok::Star => "'*'",
        Tok::Slash => "'/'",
        Tok::Pow => "'**'",
        Tok::LParen => "'('",
        Tok::RParen => "')'",
        Tok::Comma => "','",
        Tok::Assign => "'='",
        Tok::Prime => "'''",
        Tok::DotDot => "'..'",
    }
}

impl Parser<'_> {
    fn peek_is(&self, at: usize, tok: Tok) -> bool {
        self.toks.get(at).is_some_and(|t| t.tok == tok)
    }

    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn end_span(&self) -> Range<usize> {
        self.src.len()..self.src.len()
    }

    fn text(&self, span: &Range<usize>) -> &str {
        &self.src[span.clone()]
    }

    /// The index of the `)` matching the `(` at `open`.
    fn matching_paren(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (i, t) in self.toks.iter().enumerate().skip(open) {
            match t.tok {
                Tok::LParen => depth += 1,
                Tok::RParen => {
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

    fn params(
        &self,
        from: usize,
        close: usize,
        name: &str,
    ) -> Result<Vec<(String, Range<usize>)>, MathError> {
        let mut params = Vec::new();
        let mut i = from;
        if from == close {
            return Err(MathError::new(
                format!("function '{name}' needs at least one parameter"),
                self.toks[from - 1].span.start..self.toks[close].span.end,
            )
            .with_help(format!(
                "write {name}(w) = ..., or define a constant: {name} = ..."
            )));
        }
        while i < close {
            let t = &self.toks[i];
            let next = self.toks[i + 1].tok;
            if t.tok != Tok::Ident || !(next == Tok::Comma || i + 1 == close) {
                let span = self.toks[from].span.start..self.toks[close - 1].span.end;
                return Err(MathError::new(
                    format!(
                        "cannot define '{name}({})': parameters must be plain names",
                        self.text(&span)
                    ),
                    span,
                )
                .with_help(format!(
                    "define the function with names, e.g. {name}(w) = w**2, then evaluate {name}({}) on its own line",
                    self.text(&(self.toks[from].span.start..self.toks[close - 1].span.end))
                )));
            }
            let pname = self.text(&t.span).to_string();
            if params.iter().any(|(p, _)| *p == pname) {
                return Err(MathError::new(
                    format!("parameter '{pname}' appears twice"),
                    t.span.clone(),
                ));
            }
            params.push((pname, t.span.clone()));
            i += 2;
        }
        Ok(params)
    }

    fn expr_to_end(&mut self, what: &str) -> Result<Syntax, MathError> {
        if self.peek().is_none() {
            let span = self.end_span();
            return Err(MathError::new(format!("expected {what}"), span));
        }
        let e = self.expr_bp(0)?;
        if let Some(t) = self.peek() {
            return Err(self.unexpected(t.clone(), &e));
        }
        Ok(e)
    }

    /// The error for a token that cannot follow the expression `left`.
    fn unexpected(&self, t: Token, left: &Syntax) -> MathError {
        match t.tok {
            Tok::Num | Tok::Ident | Tok::LParen => {
                let right_end = if t.tok == Tok::LParen {
                    self.toks
                        .iter()
                        .position(|x| x.span == t.span)
                        .and_then(|i| self.matching_paren(i))
                        .map_or(t.span.end, |i| self.toks[i].span.end)
                } else {
                    t.span.end
                };
                let l = self.text(&left.span);
                let l = if l.chars().count() > 24 {
                    "…".to_string()
                } else {
                    l.to_string()
                };
                let r = self.text(&(t.span.start..right_end));
                let r = if r.chars().count() > 24 { "…" } else { r };
                MathError::new(
                    "implicit multiplication is not supported",
                    left.span.start..right_end,
                )
                .with_help(format!("write {l}*{r}"))
            }
            Tok::RParen => MathError::new("unmatched ')'", t.span),
            Tok::Prime => MathError::new(
                "a prime (') can only follow a function name, as in J'(3)",
                t.span,
            ),
            Tok::DotDot => MathError::new(
                "a range (a..b) can only be a plot argument, as in plot(J, w=-4..4)",
                t.span,
            ),
            Tok::Assign => MathError::new("unexpected '='", t.span)
                .with_help("keyword arguments (w=3) go inside grad, nudge, descent or plot calls"),
            other => MathError::new(
                format!("unexpected {} after the expression", describe(other)),
                t.span,
            ),
        }
    }

    fn expr_bp(&mut self, min_bp: u8) -> Result<Syntax, MathError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            let span = self.peek().map_or(self.end_span(), |t| t.span.clone());
            return Err(MathError::new(
                format!("expression nested too deeply (more than {MAX_NESTING} levels)"),
                span,
            ));
        }
        let r = self.expr_bp_inner(min_bp);
        self.depth -= 1;
        r
    }

    fn expr_bp_inner(&mut self, min_bp: u8) -> Result<Syntax, MathError> {
        let mut lhs = self.prefix()?;
        while let Some(t) = self.peek().cloned() {
            let Some((lbp, rbp)) = infix_bp(t.tok) else {
                match t.tok {
                    Tok::RParen | Tok::Comma | Tok::DotDot => break,
                    _ => return Err(self.unexpected(t, &lhs)),
                }
            };
            if lbp < min_bp {
                break;
            }
            let rhs = self.operand_after(&t, rbp)?;
            let span = lhs.span.start..rhs.span.end;
            let kind = match t.tok {
                Tok::Plus | Tok::Minus => chain(lhs, t.tok == Tok::Minus, rhs, false),
                Tok::Star | Tok::Slash => chain(lhs, t.tok == Tok::Slash, rhs, true),
                _ => SyntaxKind::Pow(Box::new(lhs), Box::new(rhs)),
            };
            lhs = Syntax { kind, span };
        }
        Ok(lhs)
    }

    /// Steps over the operator `op` (the next token) and parses what it
    /// applies to, binding at `bp`; an operator at the end is an error.
    fn operand_after(&mut self, op: &Token, bp: u8) -> Result<Syntax, MathError> {
        self.pos += 1;
        if self.peek().is_none() {
            return Err(MathError::new(
                format!("expected an expression after {}", describe(op.tok)),
                op.span.clone(),
            ));
        }
        self.expr_bp(bp)
    }

    fn prefix(&mut self) -> Result<Syntax, MathError> {
        let Some(t) = self.peek().cloned() else {
            return Err(MathError::new("expected an expression", self.end_span()));
        };
        if let Some(bp) = prefix_bp(t.tok) {
            let operand = self.operand_after(&t, bp)?;
            let span = t.span.start..operand.span.end;
            if t.tok == Tok::Plus {
                return Ok(Syntax {
                    kind: operand.kind,
                    span,
                });
            }
            return Ok(Syntax {
                kind: SyntaxKind::Neg(Box::new(operand)),
                span,
            });
        }
        self.pos += 1;
        match t.tok {
            Tok::Num => Ok(Syntax {
                kind: SyntaxKind::Num(self.text(&t.span).to_string()),
                span: t.span,
            }),
            Tok::Ident => self.name_or_call(t),
            Tok::LParen => {
                if self.peek_is(self.pos, Tok::RParen) {
                    return Err(MathError::new(
                        "empty parentheses",
                        t.span.start..self.toks[self.pos].span.end,
                    ));
                }
                let inner = self.expr_bp(0)?;
                match self.peek() {
                    Some(c) if c.tok == Tok::RParen => {
                        let end = c.span.end;
                        self.pos += 1;
                        // Keep the parenthesised span so `(a+b)+c` is not
                        // mistaken for an open sum (see `lhs_is_open`).
                        Ok(Syntax {
                            kind: inner.kind,
                            span: t.span.start..end,
                        })
                    }
                    Some(c) if c.tok == Tok::DotDot => Err(self.unexpected(c.clone(), &inner)),
                    Some(_) => Err(MathError::new(
                        "expected ')'",
                        self.toks[self.pos].span.clone(),
                    )),
                    None => {
                        Err(MathError::new("unclosed '('", t.span).with_help("add the missing ')'"))
                    }
                }
            }
            other => Err(MathError::new(
                format!("expected an expression, found {}", describe(other)),
                t.span,
            )),
        }
    }

    fn name_or_call(&mut self, t: Token) -> Result<Syntax, MathError> {
        let name = self.text(&t.span).to_string();
        let mut primes = 0;
        let mut end = t.span.end;
        while let Some(p) = self.peek().filter(|p| p.tok == Tok::Prime) {
            primes += 1;
            end = p.span.end;
            self.pos += 1;
        }
        if !self.peek_is(self.pos, Tok::LParen) {
            if primes > 0 {
                return Err(MathError::new(
                    format!("{} needs an argument", self.text(&(t.span.start..end))),
                    t.span.start..end,
                )
                .with_help(format!("write {}(3)", self.text(&(t.span.start..end)))));
            }
            return Ok(Syntax {
                kind: SyntaxKind::Name(name),
                span: t.span,
            });
        }
        let open = self.toks[self.pos].span.clone();
        self.pos += 1;
        let mut args = Vec::new();
        // An empty argument list closes at once; otherwise arguments are
        // separated by commas up to the closing parenthesis.
        let close = loop {
            if args.is_empty() && self.peek_is(self.pos, Tok::RParen) {
                break self.toks[self.pos].span.end;
            }
            args.push(self.arg()?);
            match self.peek().cloned() {
                Some(c) if c.tok == Tok::Comma => {
                    self.pos += 1;
                    if self.peek().is_none() {
                        return Err(
                            MathError::new("unclosed '('", open).with_help("add the missing ')'")
                        );
                    }
                }
                Some(c) if c.tok == Tok::RParen => break c.span.end,
                Some(c) => {
                    return Err(MathError::new(
                        format!("expected ',' or ')', found {}", describe(c.tok)),
                        c.span,
                    ));
                }
                None => {
                    return Err(
                        MathError::new("unclosed '('", open).with_help("add the missing ')'")
                    );
                }
            }
        };
        self.pos += 1;
        Ok(Syntax {
            kind: SyntaxKind::Call {
                name,
                name_span: t.span.clone(),
                primes,
                args,
            },
            span: t.span.start..close,
        })
    }

    fn arg(&mut self) -> Result<Arg, MathError> {
        let start = self.peek().map_or(self.src.len(), |t| t.span.start);
        let keyword =
            if self.peek_is(self.pos, Tok::Ident) && self.peek_is(self.pos + 1, Tok::Assign) {
                let span = self.toks[self.pos].span.clone();
                self.pos += 2;
                Some((self.text(&span).to_string(), span))
            } else {
                None
            };
        if matches!(
            self.peek().map(|t| t.tok),
            None | Some(Tok::Comma | Tok::RParen)
        ) {
            let span = self.peek().map_or(self.end_span(), |t| t.span.clone());
            return Err(MathError::new("expected an argument", span));
        }
        let value = self.expr_bp(0)?;
        let mut end = value.span.end;
        let upper = if self.peek_is(self.pos, Tok::DotDot) {
            let dd = self.toks[self.pos].span.clone();
            self.pos += 1;
            if matches!(
                self.peek().map(|t| t.tok),
                None | Some(Tok::Comma | Tok::RParen)
            ) {
                return Err(MathError::new(
                    "expected the end of the range after '..'",
                    dd,
                ));
            }
            let u = self.expr_bp(0)?;
            end = u.span.end;
            Some(u)
        } else {
            None
        };
        Ok(Arg {
            keyword,
            value,
            upper,
            span: start..end,
        })
    }
}

/// `lhs + rhs` (or `-`, `*`, `/` as `inverse` and `product` say): `rhs`
/// joins an open chain of the same operator on the left, or starts a new
/// chain of two, so `a - b + c` is one sum of three terms.
fn chain(lhs: Syntax, inverse: bool, rhs: Syntax, product: bool) -> SyntaxKind {
    let mut items = match lhs.kind {
        SyntaxKind::Sum(items) if !product && lhs_is_open(&lhs.span, &items) => items,
        SyntaxKind::Product(items) if product && lhs_is_open(&lhs.span, &items) => items,
        kind => vec![(
            false,
            Syntax {
                kind,
                span: lhs.span,
            },
        )],
    };
    items.push((inverse, rhs));
    if product {
        SyntaxKind::Product(items)
    } else {
        SyntaxKind::Sum(items)
    }
}

/// True when a sum or product on the left was not parenthesised (so more
/// terms may join it). A parenthesised group's span starts before its first
/// element's.
fn lhs_is_open(span: &Range<usize>, items: &[(bool, Syntax)]) -> bool {
    items
        .first()
        .is_some_and(|(_, first)| first.span.start == span.start)
        && items
            .last()
            .is_some_and(|(_, last)| last.span.end == span.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prints syntax as an S-expression.
    fn sexp(s: &Syntax) -> String {
        match &s.kind {
            SyntaxKind::Num(t) => t.clone(),
            SyntaxKind::Name(n) => n.clone(),
            SyntaxKind::Neg(a) => format!("(neg {})", sexp(a)),
            SyntaxKind::Sum(ts) => {
                let parts: Vec<String> = ts
                    .iter()
                    .map(|(neg, t)| format!("{}{}", if *neg { "-" } else { "+" }, sexp(t)))
                    .collect();
                format!("(sum {})", parts.join(" "))
            }
            SyntaxKind::Product(fs) => {
                let parts: Vec<String> = fs
                    .iter()
                    .map(|(div, t)| format!("{}{}", if *div { "/" } else { "*" }, sexp(t)))
                    .collect();
                format!("(prod {})", parts.join(" "))
            }
            SyntaxKind::Pow(a, b) => format!("(pow {} {})", sexp(a), sexp(b)),
            SyntaxKind::Call {
                name, primes, args, ..
            } => {
                let parts: Vec<String> = args
                    .iter()
                    .map(|a| {
                        let mut s = String::new();
                        if let Some((k, _)) = &a.keyword {
                            s.push_str(k);
                            s.push('=');
                        }
                        s.push_str(&sexp(&a.value));
                        if let Some(u) = &a.upper {
                            s.push_str("..");
                            s.push_str(&sexp(u));
                        }
                        s
                    })
                    .collect();
                format!("({name}{} {})", "'".repeat(*primes), parts.join(" "))
            }
        }
    }

    fn check(src: &str, expected: &str) {
        let got = match parse_stmt(src) {
            Ok(Stmt::Empty) => "empty".to_string(),
            Ok(Stmt::Expr(e)) => sexp(&e),
            Ok(Stmt::Constant { name, value, .. }) => format!("(let {name} {})", sexp(&value)),
            Ok(Stmt::Function {
                name, params, body, ..
            }) => {
                let ps: Vec<&str> = params.iter().map(|(p, _)| p.as_str()).collect();
                format!("(def {name}({}) {})", ps.join(","), sexp(&body))
            }
            Err(e) => match e.help {
                Some(h) => format!("error: {} @{:?} help: {h}", e.message, e.span),
                None => format!("error: {} @{:?}", e.message, e.span),
            },
        };
        assert_eq!(got, expected, "parsing {src:?}");
    }

    #[test]
    fn precedence() {
        check("-w**2", "(neg (pow w 2))");
        check("2**3**2", "(pow 2 (pow 3 2))");
        check("2*-3", "(prod *2 *(neg 3))");
        check("w**-1", "(pow w (neg 1))");
        check("2**-3**2", "(pow 2 (neg (pow 3 2)))");
        check("-2*3", "(prod *(neg 2) *3)");
        check("a - -b", "(sum +a -(neg b))");
        check("1 + 2*3 - 4/5", "(sum +1 +(prod *2 *3) -(prod *4 /5))");
        check("a/b/c", "(prod *a /b /c)");
        check("(a+b)+c", "(sum +(sum +a +b) +c)");
        check("w^2", "(pow w 2)");
        check("+w", "w");
    }

    #[test]
    fn statements() {
        check("J(w) = w**2", "(def J(w) (pow w 2))");
        check(
            "L(w1, w2) = w1**2 + 3*w2**2",
            "(def L(w1,w2) (sum +(pow w1 2) +(prod *3 *(pow w2 2))))",
        );
        check("alpha = 0.1", "(let alpha 0.1)");
        check("# just a comment", "empty");
        check("   ", "empty");
        check("J'(3)", "(J' 3)");
        check("J''(3)", "(J'' 3)");
        check("plot(J, w=-4..4, at=3)", "(plot J w=(neg 4)..4 at=3)");
        check("grad(L, w1=1, w2=2)", "(grad L w1=1 w2=2)");
    }

    #[test]
    fn errors() {
        check(
            "2w",
            "error: implicit multiplication is not supported @0..2 help: write 2*w",
        );
        check(
            "3 + 2(w+1)",
            "error: implicit multiplication is not supported @4..10 help: write 2*(w+1)",
        );
        check(
            "(1 + 2",
            "error: unclosed '(' @0..1 help: add the missing ')'",
        );
        check("1 + 2)", "error: unmatched ')' @5..6");
        check("1 +", "error: expected an expression after '+' @2..3");
        check(
            "J(3) = 9",
            "error: cannot define 'J(3)': parameters must be plain names @2..3 help: define the function with names, e.g. J(w) = w**2, then evaluate J(3) on its own line",
        );
        check(
            "f() = 1",
            "error: function 'f' needs at least one parameter @1..3 help: write f(w) = ..., or define a constant: f = ...",
        );
        check("J(w, w) = w", "error: parameter 'w' appears twice @5..6");
        check("x = ", "error: expected the value @4..4");
        check(
            "J' + 1",
            "error: J' needs an argument @0..2 help: write J'(3)",
        );
        check("f(x,)", "error: expected an argument @4..5");
        check("sin()", "(sin )");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(
            parse_stmt(&deep)
                .unwrap_err()
                .message
                .contains("nested too deeply")
        );
        let minus = "-".repeat(100_000) + "1";
        assert!(parse_stmt(&minus).is_err());
        let pow = "2**".repeat(10_000) + "2";
        assert!(parse_stmt(&pow).is_err());
        let long = "1+".repeat(100_000) + "1";
        assert!(parse_stmt(&long).is_ok());
    }
}

//! Readable plain text for a TeX formula, for places that cannot hold
//! MathML: a heading's title in the table of contents data, tooltips,
//! anything a template prints as text.
//!
//! This is not a TeX renderer. It turns the notation lessons actually put
//! in headings into what a reader would type by hand: Greek letters and
//! common operators become their Unicode characters, `w^2` becomes `w²`,
//! `w_1` becomes `w₁`, `\frac{a}{b}` becomes `a/b`, and font and spacing
//! commands disappear. Anything it does not know is kept as written
//! (without the backslash), so nothing silently vanishes. It never fails
//! and never recurses deeper than [`MAX_DEPTH`] groups.

/// Groups nested deeper than this are flattened instead of parsed, so a
/// hostile formula cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

/// The plain-text reading of `tex` (a formula without its `$` delimiters).
pub fn tex_to_text(tex: &str) -> String {
    let chars: Vec<char> = tex.chars().collect();
    let mut reader = Reader { chars, at: 0 };
    let text = reader.sequence(0, false);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Reader {
    chars: Vec<char>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// Reads atoms until the end, or until the `}` that closes the current
    /// group when `in_group` (the `}` is consumed).
    fn sequence(&mut self, depth: usize, in_group: bool) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '}' {
                self.at += 1;
                if in_group {
                    return out;
                }
                continue;
            }
            match c {
                '^' | '_' => {
                    self.at += 1;
                    let arg = self.argument(depth);
                    out.push_str(&script(&arg, c == '^'));
                }
                _ => {
                    let atom = self.atom(depth);
                    out.push_str(&atom);
                }
            }
        }
        out
    }

    /// One argument of a command or script: a `{group}`, a command, or a
    /// single character.
    fn argument(&mut self, depth: usize) -> String {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
        match self.peek() {
            None => String::new(),
            Some('^' | '_' | '}') => String::new(),
            Some(_) => self.atom(depth),
        }
    }

    /// A group, a command with its arguments, or one character.
    fn atom(&mut self, depth: usize) -> String {
        let Some(c) = self.peek() else {
            return String::new();
        };
        self.at += 1;
        match c {
            '{' if depth >= MAX_DEPTH => String::new(),
            '{' => self.sequence(depth + 1, true),
            '\\' => self.command(depth + 1),
            '~' => " ".to_string(),
            '&' => " ".to_string(),
            // Math inside text (`\text{for any $C$}`): the dollars only
            // switch back to math.
            '$' => String::new(),
            c => c.to_string(),
        }
    }

    fn command(&mut self, depth: usize) -> String {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.at += 1;
        }
        if self.at == start {
            // A one-character command: `\,` `\{` `\\` …
            let Some(c) = self.peek() else {
                return String::new();
            };
            self.at += 1;
            return match c {
                ',' | ':' | ';' | ' ' => " ".to_string(),
                '!' => String::new(),
                '\\' => " ".to_string(),
                c => c.to_string(),
            };
        }
        let name: String = self.chars[start..self.at].iter().collect();
        if depth >= MAX_DEPTH {
            return symbol(&name).map_or(name.clone(), str::to_string);
        }
        match name.as_str() {
            "frac" | "dfrac" | "tfrac" => {
                let top = self.argument(depth);
                let bottom = self.argument(depth);
                format!("{}/{}", wrap(&top), wrap(&bottom))
            }
            "sqrt" => {
                let arg = self.argument(depth);
                format!("√{}", wrap(&arg))
            }
            "text" | "textrm" | "textit" | "textbf" | "mathrm" | "mathit" | "mathbf" | "mathsf"
            | "mathtt" | "mathcal" | "mathbb" | "boldsymbol" | "bm" | "operatorname" | "hat"
            | "bar" | "vec" | "tilde" | "overline" | "underline" | "mbox" => self.argument(depth),
            "left" | "right" | "big" | "Big" | "bigg" | "Bigg" | "displaystyle" | "textstyle"
            | "limits" | "nolimits" => String::new(),
            "quad" | "qquad" => " ".to_string(),
            "partial" | "nabla" => {
                // They attach to the variable that follows: `∂w`, not `∂ w`.
                while self.peek().is_some_and(char::is_whitespace) {
                    self.at += 1;
                }
                symbol(&name).unwrap_or_default().to_string()
            }
            other => symbol(other).map_or_else(|| other.to_string(), str::to_string),
        }
    }
}

/// Wraps a fraction's part in parentheses when it is more than one term.
fn wrap(part: &str) -> String {
    let part = part.trim();
    if part.chars().count() <= 1 || part.chars().all(|c| c.is_alphanumeric() || c == '.') {
        part.to_string()
    } else {
        format!("({part})")
    }
}

/// `base^arg` or `base_arg`: Unicode super- or subscripts when every
/// character has one, else `^(…)` / `_…` as typed.
fn script(arg: &str, sup: bool) -> String {
    let arg = arg.trim();
    if arg.is_empty() {
        return String::new();
    }
    let mapped: Option<String> = arg
        .chars()
        .map(|c| if sup { superscript(c) } else { subscript(c) })
        .collect();
    match mapped {
        Some(s) if !s.is_empty() => s,
        _ => {
            let mark = if sup { '^' } else { '_' };
            if arg.chars().count() <= 1 {
                format!("{mark}{arg}")
            } else {
                format!("{mark}({arg})")
            }
        }
    }
}

/// `c` raised, when Unicode has a superscript form of it.
pub(crate) fn superscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        '+' => '⁺',
        '-' | '−' => '⁻',
        '=' => '⁼',
        '(' => '⁽',
        ')' => '⁾',
        'n' => 'ⁿ',
        'i' => 'ⁱ',
        'T' => 'ᵀ',
        '′' => '′',
        _ => return None,
    })
}

/// `c` lowered, when Unicode has a subscript form of it.
pub(crate) fn subscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '₀',
        '1' => '₁',
        '2' => '₂',
        '3' => '₃',
        '4' => '₄',
        '5' => '₅',
        '6' => '₆',
        '7' => '₇',
        '8' => '₈',
        '9' => '₉',
        '+' => '₊',
        '-' | '−' => '₋',
        '=' => '₌',
        '(' => '₍',
        ')' => '₎',
        'a' => 'ₐ',
        'e' => 'ₑ',
        'h' => 'ₕ',
        'i' => 'ᵢ',
        'j' => 'ⱼ',
        'k' => 'ₖ',
        'l' => 'ₗ',
        'm' => 'ₘ',
        'n' => 'ₙ',
        'o' => 'ₒ',
        'p' => 'ₚ',
        'r' => 'ᵣ',
        's' => 'ₛ',
        't' => 'ₜ',
        'u' => 'ᵤ',
        'v' => 'ᵥ',
        'x' => 'ₓ',
        _ => return None,
    })
}

/// The character (or word) for a command without arguments.
fn symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "epsilon" => "ϵ",
        "varepsilon" => "ε",
        "zeta" => "ζ",
        "eta" => "η",
        "theta" => "θ",
        "vartheta" => "ϑ",
        "iota" => "ι",
        "kappa" => "κ",
        "lambda" => "λ",
        "mu" => "μ",
        "nu" => "ν",
        "xi" => "ξ",
        "pi" => "π",
        "rho" => "ρ",
        "sigma" => "σ",
        "tau" => "τ",
        "upsilon" => "υ",
        "phi" => "ϕ",
        "varphi" => "φ",
        "chi" => "χ",
        "psi" => "ψ",
        "omega" => "ω",
        "Gamma" => "Γ",
        "Delta" => "Δ",
        "Theta" => "Θ",
        "Lambda" => "Λ",
        "Xi" => "Ξ",
        "Pi" => "Π",
        "Sigma" => "Σ",
        "Phi" => "Φ",
        "Psi" => "Ψ",
        "Omega" => "Ω",
        "cdot" => "·",
        "times" => "×",
        "div" => "÷",
        "pm" => "±",
        "mp" => "∓",
        "leftarrow" | "gets" => "←",
        "rightarrow" | "to" => "→",
        "Leftarrow" => "⇐",
        "Rightarrow" | "implies" => "⇒",
        "leftrightarrow" => "↔",
        "mapsto" => "↦",
        "le" | "leq" => "≤",
        "ge" | "geq" => "≥",
        "ne" | "neq" => "≠",
        "approx" => "≈",
        "sim" => "∼",
        "equiv" => "≡",
        "propto" => "∝",
        "infty" => "∞",
        "partial" => "∂",
        "nabla" => "∇",
        "sum" => "Σ",
        "prod" => "∏",
        "int" => "∫",
        "in" => "∈",
        "notin" => "∉",
        "subset" => "⊂",
        "cup" => "∪",
        "cap" => "∩",
        "forall" => "∀",
        "exists" => "∃",
        "ldots" | "dots" | "cdots" => "…",
        "prime" => "′",
        "circ" => "∘",
        "lvert" | "rvert" | "vert" | "mid" => "|",
        "lVert" | "rVert" | "Vert" => "‖",
        "langle" => "⟨",
        "rangle" => "⟩",
        "log" => "log",
        "ln" => "ln",
        "exp" => "exp",
        "sin" => "sin",
        "cos" => "cos",
        "tan" => "tan",
        "tanh" => "tanh",
        "max" => "max",
        "min" => "min",
        "arg" => "arg",
        "lim" => "lim",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_notation_reads_as_text() {
        assert_eq!(tex_to_text("J(w) = w^2"), "J(w) = w²");
        assert_eq!(tex_to_text("x^{10} + x_1"), "x¹⁰ + x₁");
        assert_eq!(tex_to_text(r"k \cdot \varepsilon"), "k · ε");
        assert_eq!(
            tex_to_text(r"w \leftarrow w - \alpha \cdot \frac{dJ}{dw}"),
            "w ← w - α · dJ/dw"
        );
        assert_eq!(tex_to_text(r"\frac{\partial}{\partial w_j}"), "∂/(∂wⱼ)");
        assert_eq!(tex_to_text(r"\frac{a+b}{2}"), "(a+b)/2");
        assert_eq!(tex_to_text(r"\sqrt{x} \le \mathrm{max}\,y"), "√x ≤ max y");
        assert_eq!(tex_to_text(r"e^{-x}"), "e^(-x)");
        assert_eq!(tex_to_text(r"A^T"), "Aᵀ");
        assert_eq!(tex_to_text(r"\left( x \right)"), "( x )");
        assert_eq!(tex_to_text(r"\text{loss} \approx 0"), "loss ≈ 0");
    }

    #[test]
    fn unknown_commands_and_broken_input_survive() {
        assert_eq!(tex_to_text(r"\foo{x}"), "foox");
        assert_eq!(tex_to_text("x^"), "x");
        assert_eq!(tex_to_text("{{x}"), "x");
        assert_eq!(tex_to_text("x}}"), "x");
        assert_eq!(tex_to_text("\\"), "");
        assert_eq!(tex_to_text(r"\frac{1}"), "1/");
        assert_eq!(tex_to_text(""), "");
    }

    #[test]
    fn deep_nesting_does_not_recurse_without_bound() {
        let deep = format!("{}x{}", "{".repeat(100_000), "}".repeat(100_000));
        let _ = tex_to_text(&deep);
        let scripts = "x^".repeat(50_000);
        let _ = tex_to_text(&scripts);
        let commands = r"\frac".repeat(50_000);
        let _ = tex_to_text(&commands);
        let mixed = r"\sqrt{\frac{x^{".repeat(20_000);
        let _ = tex_to_text(&mixed);
    }
}

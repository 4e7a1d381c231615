//! The expression tree the engine computes with.
//!
//! Subtraction is addition of `-1*b`, division is multiplication by
//! `b**-1`, `sqrt(x)` is `x**(1/2)` and `e**x` is `exp(x)`, so the
//! simplifier and differentiator see few shapes. Sums and products are flat
//! lists. A total order on nodes ([`cmp`]) gives canonical forms a stable
//! order.

use std::cmp::Ordering;
use std::sync::Arc;

use super::MathError;
use super::error::{MAX_DEPTH, MAX_NODES};
use super::number::Num;

/// A built-in function of one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Func {
    Sin,
    Cos,
    Tan,
    Exp,
    Log,
    Abs,
    Sign,
    Step,
    Sigmoid,
    Tanh,
    Relu,
    Softplus,
}

impl Func {
    /// Every function, for look-ups and suggestions.
    pub(crate) const ALL: [Func; 12] = [
        Func::Sin,
        Func::Cos,
        Func::Tan,
        Func::Exp,
        Func::Log,
        Func::Abs,
        Func::Sign,
        Func::Step,
        Func::Sigmoid,
        Func::Tanh,
        Func::Relu,
        Func::Softplus,
    ];

    /// The printed name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tan => "tan",
            Func::Exp => "exp",
            Func::Log => "log",
            Func::Abs => "abs",
            Func::Sign => "sign",
            Func::Step => "step",
            Func::Sigmoid => "sigmoid",
            Func::Tanh => "tanh",
            Func::Relu => "relu",
            Func::Softplus => "softplus",
        }
    }

    /// Looks a function up by name (`ln` is `log`).
    pub(crate) fn from_name(name: &str) -> Option<Func> {
        if name == "ln" {
            return Some(Func::Log);
        }
        Func::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The constants π and e.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Constant {
    Pi,
    E,
}

impl Constant {
    /// The value.
    pub(crate) fn value(self) -> f64 {
        match self {
            Constant::Pi => std::f64::consts::PI,
            Constant::E => std::f64::consts::E,
        }
    }
}

/// A node of an expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Num(Num),
    Const(Constant),
    Var(Arc<str>),
    /// A sum of two or more terms.
    Add(Vec<Node>),
    /// A product of two or more factors (a number, if any, first).
    Mul(Vec<Node>),
    Pow(Box<Node>, Box<Node>),
    Call(Func, Box<Node>),
}

impl Node {
    /// An integer node.
    pub(crate) fn int(n: i64) -> Node {
        Node::Num(Num::int(n))
    }

    /// A variable node.
    pub(crate) fn var(name: &str) -> Node {
        Node::Var(Arc::from(name))
    }

    /// The number, if this is one.
    pub(crate) fn as_num(&self) -> Option<&Num> {
        match self {
            Node::Num(n) => Some(n),
            _ => None,
        }
    }

    /// True for the number zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.as_num().is_some_and(Num::is_zero)
    }

    /// True for the number one.
    pub(crate) fn is_one(&self) -> bool {
        self.as_num().is_some_and(Num::is_one)
    }

    /// True when `var` occurs in the expression.
    pub(crate) fn contains_var(&self, var: &str) -> bool {
        match self {
            Node::Num(_) | Node::Const(_) => false,
            Node::Var(v) => &**v == var,
            Node::Add(xs) | Node::Mul(xs) => xs.iter().any(|x| x.contains_var(var)),
            Node::Pow(a, b) => a.contains_var(var) || b.contains_var(var),
            Node::Call(_, a) => a.contains_var(var),
        }
    }

    /// Adds the variables of the expression to `out` (unsorted, may repeat).
    pub(crate) fn collect_vars(&self, out: &mut Vec<Arc<str>>) {
        match self {
            Node::Num(_) | Node::Const(_) => {}
            Node::Var(v) => {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            Node::Add(xs) | Node::Mul(xs) => xs.iter().for_each(|x| x.collect_vars(out)),
            Node::Pow(a, b) => {
                a.collect_vars(out);
                b.collect_vars(out);
            }
            Node::Call(_, a) => a.collect_vars(out),
        }
    }

    /// The variables, sorted and deduplicated.
    pub(crate) fn free_vars(&self) -> Vec<String> {
        let mut v = Vec::new();
        self.collect_vars(&mut v);
        let mut names: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// The number of nodes.
    pub(crate) fn size(&self) -> usize {
        match self {
            Node::Num(_) | Node::Const(_) | Node::Var(_) => 1,
            Node::Add(xs) | Node::Mul(xs) => 1 + xs.iter().map(Node::size).sum::<usize>(),
            Node::Pow(a, b) => 1 + a.size() + b.size(),
            Node::Call(_, a) => 1 + a.size(),
        }
    }

    /// True when a float in the tree is infinite or NaN.
    pub(crate) fn has_non_finite(&self) -> bool {
        match self {
            Node::Num(Num::Float(x)) => !x.is_finite(),
            Node::Num(_) | Node::Const(_) | Node::Var(_) => false,
            Node::Add(xs) | Node::Mul(xs) => xs.iter().any(Node::has_non_finite),
            Node::Pow(a, b) => a.has_non_finite() || b.has_non_finite(),
            Node::Call(_, a) => a.has_non_finite(),
        }
    }

    /// An upper estimate of the length of the printed form, in bytes.
    pub(crate) fn text_size(&self) -> usize {
        let mut stack = vec![self];
        let mut size = 0usize;
        while let Some(n) = stack.pop() {
            size += match n {
                Node::Num(x) => x.text_len(),
                Node::Var(v) => v.len() + 4,
                _ => 12,
            };
            match n {
                Node::Num(_) | Node::Const(_) | Node::Var(_) => {}
                Node::Add(xs) | Node::Mul(xs) => stack.extend(xs),
                Node::Pow(a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                Node::Call(_, a) => stack.push(a),
            }
        }
        size
    }

    /// Checks the tree against the depth and size limits, without recursion
    /// (so even a tree that is too deep is measured safely), and for exact
    /// numbers that could not be computed.
    pub(crate) fn check_limits(&self) -> Result<(), MathError> {
        let mut stack: Vec<(&Node, usize)> = vec![(self, 1)];
        let mut count = 0usize;
        while let Some((n, d)) = stack.pop() {
            count += 1;
            if d > MAX_DEPTH {
                return Err(MathError::new(
                    format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
                    0..0,
                ));
            }
            if count > MAX_NODES {
                return Err(too_large());
            }
            match n {
                Node::Num(Num::Overflow(o)) => {
                    return Err(super::eval::Domain::Overflow(*o).to_error());
                }
                Node::Num(_) | Node::Const(_) | Node::Var(_) => {}
                Node::Add(xs) | Node::Mul(xs) => stack.extend(xs.iter().map(|x| (x, d + 1))),
                Node::Pow(a, b) => {
                    stack.push((a, d + 1));
                    stack.push((b, d + 1));
                }
                Node::Call(_, a) => stack.push((a, d + 1)),
            }
        }
        Ok(())
    }

    /// Replaces variables by expressions, all at once. `budget` counts the
    /// nodes made so the result cannot grow without bound.
    pub(crate) fn substitute(
        &self,
        map: &[(&str, &Node)],
        budget: &mut Budget,
    ) -> Result<Node, MathError> {
        budget.take(1)?;
        Ok(match self {
            Node::Var(v) => match map.iter().find(|(name, _)| *name == &**v) {
                Some((_, to)) => {
                    budget.take(to.size())?;
                    (*to).clone()
                }
                None => self.clone(),
            },
            Node::Num(_) | Node::Const(_) => self.clone(),
            Node::Add(xs) => Node::Add(
                xs.iter()
                    .map(|x| x.substitute(map, budget))
                    .collect::<Result<_, _>>()?,
            ),
            Node::Mul(xs) => Node::Mul(
                xs.iter()
                    .map(|x| x.substitute(map, budget))
                    .collect::<Result<_, _>>()?,
            ),
            Node::Pow(a, b) => Node::Pow(
                Box::new(a.substitute(map, budget)?),
                Box::new(b.substitute(map, budget)?),
            ),
            Node::Call(f, a) => Node::Call(*f, Box::new(a.substitute(map, budget)?)),
        })
    }
}

/// The error for an expression that grew past [`MAX_NODES`].
pub(crate) fn too_large() -> MathError {
    MathError::new(
        format!("expression too large (more than {MAX_NODES} nodes)"),
        0..0,
    )
}

/// A count of nodes an operation may still create.
#[derive(Debug)]
pub(crate) struct Budget {
    left: usize,
}

impl Budget {
    /// The standard budget of [`MAX_NODES`].
    pub(crate) fn new() -> Self {
        Budget { left: MAX_NODES }
    }

    /// Spends `n` nodes, or fails when the budget is exhausted.
    pub(crate) fn take(&mut self, n: usize) -> Result<(), MathError> {
        match self.left.checked_sub(n) {
            Some(l) => {
                self.left = l;
                Ok(())
            }
            None => Err(too_large()),
        }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self::new()
    }
}

/// The kind of a node, for ordering terms and factors: numbers first,
/// then constants, variables, powers, calls, products, sums.
pub(super) fn rank(n: &Node) -> u8 {
    match n {
        Node::Num(_) => 0,
        Node::Const(_) => 1,
        Node::Var(_) => 2,
        Node::Pow(..) => 3,
        Node::Call(..) => 4,
        Node::Mul(_) => 5,
        Node::Add(_) => 6,
    }
}

/// A total order on nodes, consistent with structural equality.
pub(crate) fn cmp(a: &Node, b: &Node) -> Ordering {
    match (a, b) {
        (Node::Num(x), Node::Num(y)) => x.total_cmp(y),
        (Node::Const(x), Node::Const(y)) => x.cmp(y),
        (Node::Var(x), Node::Var(y)) => x.cmp(y),
        (Node::Pow(a1, b1), Node::Pow(a2, b2)) => cmp(a1, a2).then_with(|| cmp(b1, b2)),
        (Node::Call(f, x), Node::Call(g, y)) => f.cmp(g).then_with(|| cmp(x, y)),
        (Node::Add(xs), Node::Add(ys)) | (Node::Mul(xs), Node::Mul(ys)) => {
            for (x, y) in xs.iter().zip(ys) {
                let o = cmp(x, y);
                if o != Ordering::Equal {
                    return o;
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Splits a factor into base and exponent (`x` is `x**1`).
pub(crate) fn base_exp(n: &Node) -> (&Node, Option<&Node>) {
    match n {
        Node::Pow(b, e) => (b, Some(e)),
        _ => (n, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_total_and_consistent() {
        let nodes = [
            Node::int(2),
            Node::Num(Num::Float(2.0)),
            Node::var("w"),
            Node::var("x"),
            Node::Const(Constant::Pi),
            Node::Call(Func::Sin, Box::new(Node::var("w"))),
            Node::Pow(Box::new(Node::var("w")), Box::new(Node::int(2))),
            Node::Add(vec![Node::int(1), Node::var("w")]),
        ];
        for a in &nodes {
            for b in &nodes {
                assert_eq!(cmp(a, b) == Ordering::Equal, a == b, "{a:?} vs {b:?}");
                assert_eq!(cmp(a, b), cmp(b, a).reverse());
            }
        }
    }

    #[test]
    fn limits_are_checked_without_recursion() {
        let mut n = Node::var("x");
        for _ in 0..(MAX_DEPTH + 5) {
            n = Node::Call(Func::Sin, Box::new(n));
        }
        assert!(n.check_limits().unwrap_err().message.contains("too deeply"));
        // Drop iteratively-safe depth.
    }

    #[test]
    fn substitution_is_simultaneous() {
        let body = Node::Add(vec![Node::var("a"), Node::var("b")]);
        let out = body
            .substitute(
                &[("a", &Node::var("b")), ("b", &Node::var("a"))],
                &mut Budget::new(),
            )
            .unwrap();
        assert_eq!(out, Node::Add(vec![Node::var("b"), Node::var("a")]));
    }
}

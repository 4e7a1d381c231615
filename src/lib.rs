//! gradbook turns a folder of Markdown lessons into a static website whose
//! numbers are computed, not typed.
//!
//! The modules are declared in the order data flows through them; see
//! `ARCHITECTURE.md` for the map. In short:
//!
//! `files` is the one folder walk and file reader every source folder goes
//! through; `config` reads `book.toml`; `content` walks `content/` into lessons and
//! sections; `markdown` renders each lesson body, handing fenced divs to
//! `components`, `calc` blocks and inline values to `calc` (which runs them
//! through the pure `gradbook_math` engine, a crate of its own) and `$…$` to `latex`; `render` puts the
//! results into tera templates; `search` indexes the rendered pages; `output` writes the site atomically; `site`
//! chains the stages; `export` turns the site's flashcards into an Anki deck; `serve` keeps a built site in memory and serves it
//! while watching its sources; `cli` is the only place that knows about
//! the command line. `diagnostics` is the one error type every stage
//! reports content problems with; `html` is the one markup escaper.

pub mod diagnostics;
pub mod html;
pub mod url;

pub mod config;
pub mod content;
pub mod files;

pub mod calc;
pub mod components;
pub mod latex;
pub mod markdown;

pub mod output;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;

pub mod export;

pub mod cli;

//! Integration tests: run the real binary on fixture sites.

mod browser;
mod components;

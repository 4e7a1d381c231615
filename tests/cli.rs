//! Integration tests: run the real binary on fixture sites.
mod calc_cli;

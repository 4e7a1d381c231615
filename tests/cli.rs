//! Integration tests: run the real binary on fixture sites and inspect what
//! it writes and prints. This is the one integration test binary; each
//! feature has its own module.

mod support;

mod browser;
mod build;
mod calc_cli;
mod calc_pages;
mod components;
mod errors;
mod from_disk;
mod init;
mod search;
mod search_browser;
mod serve;
mod shapes;

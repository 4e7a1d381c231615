//! Integration tests: run the real binary on fixture sites and inspect what
//! it writes and prints. This is the one integration test binary; each
//! feature has its own module.

mod support;

mod accessibility;
mod bounds;
mod build;
mod calc_cli;
mod calc_pages;
mod check_honesty;
mod components;
mod conformance;
mod crash_safety;
mod destination;
mod dialects;
mod doc_examples;
mod equations;
mod errors;
mod escaping;
mod explore;
mod export_anki;
mod foreign;
mod from_disk;
mod front_matter;
mod init;
mod leaks;
mod markdown;
mod math_macros;
mod page_assets;
mod page_limits;
mod quiz;
mod review;
mod search;
mod serve;
mod shapes;
mod source_files;
mod template_errors;
mod terminal_output;

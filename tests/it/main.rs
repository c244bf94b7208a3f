//! accord's integration tests: one binary, one module per area.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failing test shows the value it did not get"
)]
#![allow(
    clippy::too_many_lines,
    reason = "a table of cases reads best as one list, however long"
)]

mod agreement;
mod align;
mod align_scale;
mod audit;
mod bad_inputs;
mod cli;
mod coinr;
mod common;
mod compare;
mod delimiters;
mod evidence;
mod fuzz_regressions;
mod hangs;
mod hostile_inputs;
mod hostile_text;
mod hostile_workbooks;
mod layers;
mod output_safety;
mod parquet;
mod properties;
mod public_data;
mod random_rubrics;
mod report;
mod rubric;
mod scale;
mod scenario;
mod schema;
mod scoring;
mod sensitivity;
mod streaming;
mod time;

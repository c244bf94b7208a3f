//! accord's integration tests: one binary, one module per area.

mod cli;
mod coinr;
mod common;
mod evidence;
mod properties;
mod rubric;
mod scoring;

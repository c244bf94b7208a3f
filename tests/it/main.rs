//! accord's integration tests: one binary, one module per area.

mod agreement;
mod align;
mod audit;
mod cli;
mod coinr;
mod common;
mod compare;
mod evidence;
mod properties;
mod rubric;
mod scoring;
mod sensitivity;

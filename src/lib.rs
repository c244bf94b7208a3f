//! accord: scores jurisdictions against a policy rubric (the Paris Call for Trust and Security in
//! Cyberspace by default) from coded evidence, and writes comparable matrices.
//!
//! Data flows one way, through layers that import only the layers below them: base (`base`,
//! `error`, `files`, `limits`, `builtin`) -> `rubric` -> `evidence` -> `rules` -> `pipeline` (with
//! its `results`) -> `output` (results folders) and `request` (what a command reads) -> analyses (`align`, `sensitivity`, `compare`,
//! `analysis`, `agreement`, `explain`, `coinr`, `template`) -> `report`. The README's Development
//! section holds the table a test checks the imports against.

pub mod agreement;
pub mod align;
pub mod analysis;
pub mod base;
pub mod builtin;
pub mod coinr;
pub mod compare;
pub mod error;
pub mod evidence;
pub mod explain;
pub mod files;
pub mod limits;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod request;
pub mod rubric;
pub mod rules;
pub mod sensitivity;
pub mod template;

pub use pipeline::{Scored, score};

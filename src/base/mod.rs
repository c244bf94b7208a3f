//! The base layer: what every other layer builds on and that knows nothing of rubrics, evidence
//! or results: the frame, ranks, number formatting, descriptive statistics, the principal
//! component analysis and the progress callback of long work.

pub mod format;
pub mod frame;
pub mod pca;
pub mod progress;
pub mod rank;
pub mod stats;

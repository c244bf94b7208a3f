//! The base layer: what every other layer builds on and that knows nothing of rubrics, evidence
//! or results: the frame, ranks, number formatting, descriptive statistics and the principal
//! component analysis.

pub mod format;
pub mod frame;
pub mod pca;
pub mod rank;
pub mod stats;

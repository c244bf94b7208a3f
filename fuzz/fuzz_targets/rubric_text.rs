//! Rubric parsing and validation on arbitrary text: `load_str` gives a rubric or a clean error that
//! renders; a rubric it gives is usable (weights, cells, tiers, pipeline settings).
#![no_main]

use accord::rubric::{LoadOptions, load_str};
use accord_fuzz::check_error;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match load_str("fuzz.toml", &text, &LoadOptions::default()) {
        Ok(r) => {
            assert!(!r.criteria.is_empty() && !r.nodes.is_empty());
            let w = r.effective_criterion_weights();
            assert!(w.iter().all(|x| x.is_finite() && *x >= 0.0), "{w:?}");
            let _ = r.effective_node_weights();
            let _ = r.cells();
            let _ = accord::pipeline::Params::from_rubric(&r);
            let _ = r.tier_of(r.meta.scale[0]);
        }
        Err(e) => check_error(&e),
    }
});

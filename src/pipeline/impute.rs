//! Impute: what unknown criterion values become (COINr's `i_*` functions, plus `zero`).

use super::spec::ImputeMethod;
use super::stats;

/// Fills the unknown values of one column. `groups` gives each row's group (for the `_grp`
/// methods); rows whose group is unknown are left as they are, as in COINr. `zero` is the value
/// that "count as zero" fills in. Returns how many values were filled.
pub fn impute(
    x: &mut [Option<f64>],
    method: ImputeMethod,
    groups: Option<&[Option<&str>]>,
    zero: f64,
) -> usize {
    let missing: Vec<usize> = (0..x.len()).filter(|&i| x[i].is_none()).collect();
    if missing.is_empty() {
        return 0;
    }
    let whole = |f: fn(&[f64]) -> Option<f64>, x: &[Option<f64>]| f(&stats::known(x));
    let mut filled = 0;
    match method {
        ImputeMethod::None => {}
        ImputeMethod::Zero => {
            for &i in &missing {
                x[i] = Some(zero);
                filled += 1;
            }
        }
        ImputeMethod::Mean | ImputeMethod::Median => {
            let f = if method == ImputeMethod::Mean {
                stats::mean
            } else {
                stats::median
            };
            if let Some(v) = whole(f, x) {
                for &i in &missing {
                    x[i] = Some(v);
                    filled += 1;
                }
            }
        }
        ImputeMethod::MeanGroup | ImputeMethod::MedianGroup => {
            let f = if method == ImputeMethod::MeanGroup {
                stats::mean
            } else {
                stats::median
            };
            let Some(groups) = groups else { return 0 };
            let original: Vec<Option<f64>> = x.to_vec();
            for &i in &missing {
                let Some(g) = groups[i] else { continue };
                let peers: Vec<f64> = original
                    .iter()
                    .zip(groups)
                    .filter_map(|(v, h)| if *h == Some(g) { *v } else { None })
                    .collect();
                if let Some(v) = f(&peers) {
                    x[i] = Some(v);
                    filled += 1;
                }
            }
        }
    }
    filled
}

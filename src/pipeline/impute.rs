//! Impute: what unknown criterion values become (COINr's `i_*` functions, plus `zero`).

use crate::base::stats;
use crate::rubric::settings::ImputeMethod;

/// Fills the unknown values of one column. `groups` gives each row's group (for the `_grp`
/// methods; any key that compares, such as a group name or a group number); rows whose group is
/// unknown are left as they are, as in COINr. `zero` is the value that "count as zero" fills in.
/// Returns how many values were filled.
pub fn impute<G: PartialEq + Copy>(
    x: &mut [Option<f64>],
    method: ImputeMethod,
    groups: Option<&[Option<G>]>,
    zero: f64,
) -> usize {
    if x.iter().all(Option::is_some) {
        return 0;
    }
    let missing: Vec<usize> = (0..x.len()).filter(|&i| x[i].is_none()).collect();
    let fill = |x: &mut [Option<f64>], v: Option<f64>| {
        let Some(v) = v else { return 0 };
        for &i in &missing {
            x[i] = Some(v);
        }
        missing.len()
    };
    match method {
        ImputeMethod::None => 0,
        ImputeMethod::Zero => fill(x, Some(zero)),
        ImputeMethod::Mean => fill(x, stats::mean(&stats::known(x))),
        ImputeMethod::Median => fill(x, stats::median(&stats::known(x))),
        ImputeMethod::MeanGroup | ImputeMethod::MedianGroup => {
            let f = if method == ImputeMethod::MeanGroup {
                stats::mean
            } else {
                stats::median
            };
            let Some(groups) = groups else { return 0 };
            // Each group's value, from the known values before any is filled, computed once.
            let mut done: Vec<(G, Option<f64>)> = Vec::new();
            let mut peers: Vec<f64> = Vec::new();
            let mut filled = 0;
            for &i in &missing {
                let Some(g) = groups[i] else { continue };
                let v = match done.iter().find(|(h, _)| *h == g) {
                    Some(&(_, v)) => v,
                    None => {
                        peers.clear();
                        peers.extend(
                            x.iter()
                                .zip(groups)
                                .filter_map(|(v, h)| if *h == Some(g) { *v } else { None }),
                        );
                        let v = f(&peers);
                        done.push((g, v));
                        v
                    }
                };
                if let Some(v) = v {
                    x[i] = Some(v);
                    filled += 1;
                }
            }
            filled
        }
    }
}

//! Average-linkage (UPGMA) hierarchical clustering, its leaf order and cuts into clusters, and
//! the rule that decides whether a similarity matrix holds enough to be clustered at all.
//!
//! The distance between two clusters is the mean distance between their members. At each step the
//! two closest clusters merge; ties go to the pair whose smallest members come first, so the tree
//! depends only on the distances and the order of the items. The leaf order lists each merge's
//! two sides one after the other (the side holding the earlier item first), so that members of a
//! cluster sit together: the order a heatmap needs to show blocs.
//!
//! Clusters are claimed only where similarities were found (`cluster`): a jurisdiction with no
//! known similarity to any other is not clustered, and when fewer than `MIN_KNOWN_PAIR_SHARE` of
//! the pairs among the others have a known similarity, or there are no more of them than clusters
//! asked for, nothing is. Otherwise the unknown pairs would decide the tree: they all sit at the
//! largest distance, and the cut would split off whichever items come last.

use super::similarity::SimilarityMatrix;

/// The least share of pairs, among the jurisdictions with a known similarity to another, that
/// must have a known similarity for any clusters to be claimed.
pub const MIN_KNOWN_PAIR_SHARE: f64 = 0.5;

/// One merge of two clusters. Clusters are numbered as in SciPy and R's `hclust`: items are
/// `0..n`, the cluster made by merge `k` is `n + k`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Merge {
    /// The side holding the earlier item.
    pub left: usize,
    /// The other side.
    pub right: usize,
    /// Mean distance between the two sides' members.
    pub height: f64,
    /// Items in the merged cluster.
    pub size: usize,
}

/// A dendrogram: the `n - 1` merges, in the order they happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Dendrogram {
    /// Items clustered.
    pub n: usize,
    /// The merges.
    pub merges: Vec<Merge>,
}

/// Clusters `n` items by average linkage on a full distance matrix (`dist[i * n + j]`, symmetric;
/// non-finite distances are read as `fallback`).
pub fn upgma(n: usize, dist: &[f64], fallback: f64) -> Dendrogram {
    upgma_owned(n, dist.iter().take(n * n).copied().collect(), fallback)
}

/// [`upgma`] on a distance matrix it may overwrite (no second copy is made).
///
/// The merges are those of the plain algorithm (scan every pair of active clusters for the
/// smallest distance, the first pair in order of their earliest items on ties, merge into the
/// earlier slot, Lance-Williams update), found in O(n^2) instead of O(n^3): every active slot keeps
/// its nearest later slot (the first on ties) and that distance, and after a merge only the rows
/// whose nearest slot was one of the two merged, or that now find the merged cluster nearer, are
/// updated. The distances are updated with the same arithmetic in the same order, so the heights
/// are the same to the bit.
pub(crate) fn upgma_owned(n: usize, mut d: Vec<f64>, fallback: f64) -> Dendrogram {
    for x in d.iter_mut() {
        if !x.is_finite() {
            *x = fallback;
        }
    }
    d.resize(n * n, fallback);
    // Slot `s` holds the cluster whose earliest item is `s`.
    let mut active: Vec<usize> = (0..n).collect();
    let mut alive = vec![true; n];
    let mut id: Vec<usize> = (0..n).collect();
    let mut size = vec![1usize; n];
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    // Nearest later active slot of every slot, and its distance (`NONE`, infinity when none).
    const NONE: usize = usize::MAX;
    let mut nn = vec![NONE; n];
    let mut nd = vec![f64::INFINITY; n];
    let nearest = |d: &[f64], alive: &[bool], a: usize| {
        let mut best = (f64::INFINITY, NONE);
        for b in a + 1..n {
            if alive[b] && d[a * n + b] < best.0 {
                best = (d[a * n + b], b);
            }
        }
        best
    };
    for a in 0..n {
        (nd[a], nn[a]) = nearest(&d, &alive, a);
    }
    while active.len() > 1 {
        let mut best = (f64::INFINITY, 0, 0);
        for &a in &active {
            if nd[a] < best.0 {
                best = (nd[a], a, nn[a]);
            }
        }
        let (height, a, b) = best;
        let (a, b) = if best.0.is_finite() {
            (a, b)
        } else {
            (active[0], active[1])
        };
        let (sa, sb) = (size[a] as f64, size[b] as f64);
        for &k in &active {
            if k != a && k != b {
                let v = (sa * d[a * n + k] + sb * d[b * n + k]) / (sa + sb);
                d[a * n + k] = v;
                d[k * n + a] = v;
            }
        }
        merges.push(Merge {
            left: id[a],
            right: id[b],
            height: if height.is_finite() { height } else { fallback },
            size: size[a] + size[b],
        });
        size[a] += size[b];
        id[a] = n + merges.len() - 1;
        active.retain(|&k| k != b);
        alive[b] = false;
        for &k in &active {
            if k >= b {
                break;
            }
            if k < a && nn[k] != a && nn[k] != b {
                let v = d[k * n + a];
                if v < nd[k] || (v == nd[k] && a < nn[k]) {
                    (nd[k], nn[k]) = (v, a);
                }
            } else if k == a || nn[k] == a || nn[k] == b {
                (nd[k], nn[k]) = nearest(&d, &alive, k);
            }
        }
    }
    Dendrogram { n, merges }
}

impl Dendrogram {
    /// The items in dendrogram order (each merge's left side, then its right side).
    pub fn order(&self) -> Vec<usize> {
        if self.n == 0 {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(self.n);
        let mut stack = vec![self.n + self.merges.len().saturating_sub(1)];
        if self.merges.is_empty() {
            stack = vec![0];
        }
        while let Some(c) = stack.pop() {
            if c < self.n {
                out.push(c);
            } else if let Some(m) = self.merges.get(c - self.n) {
                stack.push(m.right);
                stack.push(m.left);
            }
        }
        out
    }

    /// Cluster labels `1..=k` of every item after undoing the last `k - 1` merges, numbered in
    /// the order clusters first appear in `order()`. `k` is kept within `1..=n`.
    pub fn cut(&self, k: usize) -> Vec<usize> {
        let n = self.n;
        let k = k.clamp(1, n.max(1));
        let mut parent: Vec<usize> = (0..n + self.merges.len()).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for (i, m) in self.merges.iter().enumerate().take(n.saturating_sub(k)) {
            let c = n + i;
            let (l, r) = (find(&mut parent, m.left), find(&mut parent, m.right));
            parent[l] = c;
            parent[r] = c;
        }
        let mut label = vec![0usize; n];
        let mut seen: Vec<(usize, usize)> = Vec::new();
        for item in self.order() {
            let root = find(&mut parent, item);
            let l = match seen.iter().find(|(r, _)| *r == root) {
                Some((_, l)) => *l,
                None => {
                    seen.push((root, seen.len() + 1));
                    seen.len()
                }
            };
            label[item] = l;
        }
        label
    }
}

/// Why no clusters are claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoClusters {
    /// No jurisdiction has a known similarity with any other.
    NothingComparable,
    /// No more jurisdictions with a known similarity than clusters asked for: every cluster
    /// would be a single jurisdiction.
    TooFewJurisdictions {
        /// Jurisdictions with a known similarity to another.
        comparable: usize,
        /// Clusters asked for.
        clusters: usize,
    },
    /// `--top K`: only each jurisdiction's nearest neighbours were computed, and average linkage
    /// needs every pair.
    NearestOnly {
        /// K.
        top: usize,
    },
    /// Fewer than `MIN_KNOWN_PAIR_SHARE` of the pairs among the comparable jurisdictions have a
    /// known similarity.
    TooFewKnownPairs {
        /// Jurisdictions with a known similarity to another.
        comparable: usize,
        /// Pairs among them with a known similarity.
        known: usize,
        /// All pairs among them.
        pairs: usize,
    },
}

impl NoClusters {
    /// The reason, as a sentence fragment for the summary and the manifest.
    pub fn reason(&self) -> String {
        match *self {
            NoClusters::NothingComparable => {
                "no jurisdiction has a known similarity with any other".to_string()
            }
            NoClusters::TooFewJurisdictions {
                comparable,
                clusters,
            } => format!(
                "{comparable} jurisdiction{} a known similarity with another, not more than the {clusters} cluster{} asked for",
                if comparable == 1 { " has" } else { "s have" },
                if clusters == 1 { "" } else { "s" }
            ),
            NoClusters::NearestOnly { top } => format!(
                "`--top {top}` computes each jurisdiction's {top} nearest neighbours only, and average linkage needs the similarity of every pair; run without --top (up to {} jurisdictions) for clusters",
                super::FULL_LIMIT
            ),
            NoClusters::TooFewKnownPairs {
                comparable,
                known,
                pairs,
            } => format!(
                "only {known} of the {pairs} pairs among the {comparable} jurisdictions with a known similarity to another have one, fewer than the {}% clustering needs",
                MIN_KNOWN_PAIR_SHARE * 100.0
            ),
        }
    }
}

/// The clusters of a similarity matrix, or why there are none.
#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    /// Rows with a known similarity to at least one other row, in row order.
    pub comparable: Vec<usize>,
    /// Pairs among `comparable` with a known similarity.
    pub known_pairs: usize,
    /// All pairs among `comparable`.
    pub pairs: usize,
    /// The tree over `comparable` (item `i` is row `comparable[i]`), when clustered.
    pub dendrogram: Option<Dendrogram>,
    /// Cluster (1..=K) of every row, `None` for a row not clustered.
    pub labels: Vec<Option<usize>>,
    /// Every row once: the clustered ones in dendrogram order, then the others in row order.
    pub order: Vec<usize>,
    /// Why nothing is clustered, when nothing is.
    pub none: Option<NoClusters>,
}

impl Clusters {
    /// Clusters claimed (0 when none).
    pub fn count(&self) -> usize {
        self.labels.iter().flatten().copied().max().unwrap_or(0)
    }

    /// Rows with a cluster.
    pub fn clustered(&self) -> usize {
        self.labels.iter().flatten().count()
    }
}

/// No clusters for `n` rows, for `why`: every label NA, rows in their order.
pub(crate) fn none_with(n: usize, why: NoClusters) -> Clusters {
    Clusters {
        comparable: Vec::new(),
        known_pairs: 0,
        pairs: 0,
        dendrogram: None,
        labels: vec![None; n],
        order: (0..n).collect(),
        none: Some(why),
    }
}

/// Clusters the rows of a similarity matrix into `k` by average linkage on 1 - similarity, an
/// unknown similarity counting as `unknown_distance`, where the matrix holds enough to do so.
pub fn cluster(matrix: &SimilarityMatrix, k: usize, unknown_distance: f64) -> Clusters {
    let n = matrix.n;
    let known = |i: usize, j: usize| i != j && matrix.get(i, j).is_some();
    let comparable: Vec<usize> = (0..n).filter(|&i| (0..n).any(|j| known(i, j))).collect();
    let c = comparable.len();
    let pairs = c * c.saturating_sub(1) / 2;
    let mut known_pairs = 0;
    for (x, &i) in comparable.iter().enumerate() {
        known_pairs += comparable[x + 1..].iter().filter(|&&j| known(i, j)).count();
    }
    let none = if c == 0 {
        Some(NoClusters::NothingComparable)
    } else if (known_pairs as f64) < MIN_KNOWN_PAIR_SHARE * pairs as f64 {
        Some(NoClusters::TooFewKnownPairs {
            comparable: c,
            known: known_pairs,
            pairs,
        })
    } else if c <= k {
        Some(NoClusters::TooFewJurisdictions {
            comparable: c,
            clusters: k,
        })
    } else {
        None
    };
    let mut labels = vec![None; n];
    let (dendrogram, order) = if none.is_some() {
        (None, (0..n).collect())
    } else {
        let mut dist = vec![0.0; c * c];
        for (x, &i) in comparable.iter().enumerate() {
            for (y, &j) in comparable.iter().enumerate() {
                if x != y {
                    dist[x * c + y] = matrix
                        .get(i, j)
                        .map_or(unknown_distance, |v| (1.0 - v).clamp(0.0, unknown_distance));
                }
            }
        }
        let tree = upgma_owned(c, dist, unknown_distance);
        for (x, l) in tree.cut(k).into_iter().enumerate() {
            labels[comparable[x]] = Some(l);
        }
        let mut order: Vec<usize> = tree.order().into_iter().map(|x| comparable[x]).collect();
        order.extend((0..n).filter(|&i| labels[i].is_none()));
        (Some(tree), order)
    };
    Clusters {
        comparable,
        known_pairs,
        pairs,
        dendrogram,
        labels,
        order,
        none,
    }
}

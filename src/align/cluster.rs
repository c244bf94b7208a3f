//! Average-linkage (UPGMA) hierarchical clustering, its leaf order and cuts into clusters.
//!
//! The distance between two clusters is the mean distance between their members. At each step the
//! two closest clusters merge; ties go to the pair whose smallest members come first, so the tree
//! depends only on the distances and the order of the items. The leaf order lists each merge's
//! two sides one after the other (the side holding the earlier item first), so that members of a
//! cluster sit together: the order a heatmap needs to show blocs.

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
    let mut d: Vec<f64> = dist
        .iter()
        .take(n * n)
        .map(|&x| if x.is_finite() { x } else { fallback })
        .collect();
    d.resize(n * n, fallback);
    // Slot `s` holds the cluster whose earliest item is `s`.
    let mut active: Vec<usize> = (0..n).collect();
    let mut id: Vec<usize> = (0..n).collect();
    let mut size = vec![1usize; n];
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    while active.len() > 1 {
        let mut best = (f64::INFINITY, 0, 0);
        for (x, &a) in active.iter().enumerate() {
            for &b in &active[x + 1..] {
                if d[a * n + b] < best.0 {
                    best = (d[a * n + b], a, b);
                }
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

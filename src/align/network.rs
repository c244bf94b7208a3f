//! Cooperation networks from dyadic evidence: who can act together with whom, through which
//! instruments, and how much of the world cannot obtain extradition from a jurisdiction.
//!
//! Everything is oriented: cell (`from`, `to`) says what `from` will do for `to` (for extradition:
//! `from` is the requested state, which surrenders, `to` the requesting state). Undirected
//! instruments link both ways; a directed row `a,b` links `a` towards `b` only.
//!
//! Unknown is not "none". For one instrument and one ordered pair the status is:
//! - linked: a dyad row for the pair binds on the evaluation date (multilateral: both are parties);
//! - absent: no row for the pair binds or might bind, and the list that would show it is complete:
//!   `from` or `to` is marked complete for the instrument (its partner list names every row it
//!   appears in, either side); multilateral: either is known not to be a party;
//! - unknown: otherwise (no row and neither list complete, a row whose binding the dates leave
//!   open, no dyads file, or party status unknown).
//!
//! A matrix cell over several instruments lists the linked ones; with none linked it is `none`
//! only when every instrument of the kind is absent for the pair, and unknown otherwise.

use crate::evidence::Binding;

/// The status of one instrument between an ordered pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The instrument links them.
    Linked,
    /// Known not to link them.
    Absent,
    /// Not known.
    Unknown,
}

/// One instrument's statuses for every ordered pair (`status[from * n + to]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Identifier shown in cells (an instrument or multilateral id).
    pub id: String,
    /// What it provides (`extradition`, `legal_assistance`, `cooperation`).
    pub provides: Vec<String>,
    /// Statuses, row = from, column = to.
    pub status: Vec<Status>,
}

/// One bilateral dyad row reduced to what the network needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DyadLink {
    /// First party (for directed instruments: the one that acts towards `b`).
    pub a: usize,
    /// Second party.
    pub b: usize,
    /// Whether it binds on the evaluation date.
    pub binding: Binding,
}

/// Statuses of a bilateral instrument from its dyad rows. `complete[j]`: jurisdiction `j`'s list
/// of this instrument is complete; `listed`: a dyads file was read at all.
pub fn bilateral(
    n: usize,
    directed: bool,
    rows: &[DyadLink],
    complete: &[bool],
    listed: bool,
) -> Vec<Status> {
    let mut yes = vec![false; n * n];
    let mut open = vec![false; n * n];
    for r in rows {
        if r.a >= n || r.b >= n || r.a == r.b {
            continue;
        }
        let mut cells = vec![r.a * n + r.b];
        if !directed {
            cells.push(r.b * n + r.a);
        }
        for c in cells {
            match r.binding {
                Binding::Yes => yes[c] = true,
                Binding::Unknown => open[c] = true,
                Binding::No => {}
            }
        }
    }
    let done = |j: usize| complete.get(j).copied().unwrap_or(false);
    let mut status = vec![Status::Unknown; n * n];
    for from in 0..n {
        for to in 0..n {
            let c = from * n + to;
            status[c] = if from == to {
                Status::Unknown
            } else if yes[c] {
                Status::Linked
            } else if !open[c] && listed && (done(from) || done(to)) {
                Status::Absent
            } else {
                Status::Unknown
            };
        }
    }
    status
}

/// Statuses of a multilateral instrument from each jurisdiction's party status on the date
/// (`Some(true)`: a party in force).
pub(crate) fn multilateral(parties: &[Option<bool>]) -> Vec<Status> {
    let n = parties.len();
    let mut status = vec![Status::Unknown; n * n];
    for from in 0..n {
        for to in 0..n {
            if from == to {
                continue;
            }
            status[from * n + to] = match (parties[from], parties[to]) {
                (Some(true), Some(true)) => Status::Linked,
                (Some(false), _) | (_, Some(false)) => Status::Absent,
                _ => Status::Unknown,
            };
        }
    }
    status
}

/// A cell of a cooperation matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// The pair itself (the diagonal).
    Own,
    /// Indices (into the channels) of the instruments linking the pair.
    Links(Vec<usize>),
    /// Known to have no instrument of the kind.
    None,
    /// Not known.
    Unknown,
}

/// An oriented J x J matrix of cells (`cells[from * n + to]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Jurisdictions.
    pub n: usize,
    /// Cells, row = from (who acts), column = to.
    pub cells: Vec<Cell>,
}

impl Matrix {
    /// The cell for `from` acting towards `to`.
    pub fn get(&self, from: usize, to: usize) -> &Cell {
        &self.cells[from * self.n + to]
    }

    /// True when `from` is linked towards `to`.
    pub fn linked(&self, from: usize, to: usize) -> bool {
        matches!(self.get(from, to), Cell::Links(_))
    }
}

/// The matrix of one kind of cooperation (`Some("extradition")`), or of any kind (`None`).
pub(crate) fn matrix(n: usize, channels: &[Channel], kind: Option<&str>) -> Matrix {
    let chosen: Vec<usize> = (0..channels.len())
        .filter(|&c| kind.is_none_or(|k| channels[c].provides.iter().any(|p| p == k)))
        .collect();
    let mut cells = Vec::with_capacity(n * n);
    for from in 0..n {
        for to in 0..n {
            if from == to {
                cells.push(Cell::Own);
                continue;
            }
            let at = from * n + to;
            let links: Vec<usize> = chosen
                .iter()
                .copied()
                .filter(|&c| channels[c].status.get(at) == Some(&Status::Linked))
                .collect();
            cells.push(if !links.is_empty() {
                Cell::Links(links)
            } else if !chosen.is_empty()
                && chosen
                    .iter()
                    .all(|&c| channels[c].status.get(at) == Some(&Status::Absent))
            {
                Cell::None
            } else {
                Cell::Unknown
            });
        }
    }
    Matrix { n, cells }
}

/// Network measures of one jurisdiction.
#[derive(Debug, Clone, PartialEq)]
pub struct Measures {
    /// Jurisdictions it is linked with for extradition, either way.
    pub extradition_partners: usize,
    /// Jurisdictions it would extradite to.
    pub extradites_to: usize,
    /// Jurisdictions it can obtain extradition from.
    pub obtains_extradition_from: usize,
    /// Jurisdictions it is linked with for legal assistance, either way.
    pub legal_assistance_partners: usize,
    /// Sum over the others of the number of distinct instruments linking the pair, either way.
    pub weighted_degree: usize,
    /// Weighted share of the others with a known status that cannot obtain extradition from it;
    /// `None` when no status is known, or when none of the known ones is an absence while some
    /// are unknown (the score would rest on the unknown statuses alone).
    pub safe_haven: Option<f64>,
    /// The same over all weighted others, counting unknown as no route (an upper bound).
    pub safe_haven_upper: Option<f64>,
    /// Weighted share of the others whose status is known.
    pub known_share: Option<f64>,
}

/// Network measures of every jurisdiction from the extradition, legal assistance and combined
/// matrices, with each jurisdiction's weight (`None`: left out of the safe-haven shares).
pub(crate) fn measures(
    extradition: &Matrix,
    legal: &Matrix,
    any: &Matrix,
    weights: &[Option<f64>],
) -> Vec<Measures> {
    let n = extradition.n;
    (0..n)
        .map(|j| {
            let others = (0..n).filter(move |&o| o != j);
            let count = |f: &dyn Fn(usize) -> bool| others.clone().filter(|&o| f(o)).count();
            let weighted_degree = others
                .clone()
                .map(|o| {
                    let mut ids: Vec<usize> = Vec::new();
                    for cell in [any.get(j, o), any.get(o, j)] {
                        if let Cell::Links(l) = cell {
                            ids.extend(l);
                        }
                    }
                    ids.sort_unstable();
                    ids.dedup();
                    ids.len()
                })
                .sum();
            let (mut none, mut known, mut total) = (0.0, 0.0, 0.0);
            for o in others.clone() {
                let Some(w) = weights.get(o).copied().flatten() else {
                    continue;
                };
                total += w;
                match extradition.get(j, o) {
                    Cell::Links(_) => known += w,
                    Cell::None => {
                        known += w;
                        none += w;
                    }
                    Cell::Unknown | Cell::Own => {}
                }
            }
            let share = |a: f64, b: f64| (b > 0.0).then(|| a / b);
            // Known only as links, the others' statuses would give a zero that counts the links
            // alone: the unknown statuses are the only ones that could be absences.
            let only_links = none == 0.0 && known < total;
            Measures {
                extradition_partners: count(&|o| {
                    extradition.linked(j, o) || extradition.linked(o, j)
                }),
                extradites_to: count(&|o| extradition.linked(j, o)),
                obtains_extradition_from: count(&|o| extradition.linked(o, j)),
                legal_assistance_partners: count(&|o| legal.linked(j, o) || legal.linked(o, j)),
                weighted_degree,
                safe_haven: if only_links { None } else { share(none, known) },
                safe_haven_upper: share(none + (total - known), total),
                known_share: share(known, total),
            }
        })
        .collect()
}

/// What one channel's statuses follow from, without its J x J statuses: the long form used above
/// [`super::COOPERATION_LIMIT`] jurisdictions.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A bilateral instrument.
    Bilateral {
        /// Ordered pairs `(from, to)` a dyad row binds on the date, sorted.
        linked: Vec<(usize, usize)>,
        /// Ordered pairs a dyad row might bind (dates leave it open), sorted.
        open: Vec<(usize, usize)>,
        /// Whether each jurisdiction's list of this instrument is complete.
        complete: Vec<bool>,
        /// Whether a dyads file was read at all.
        listed: bool,
    },
    /// A multilateral instrument: each jurisdiction's party status on the date.
    Multilateral {
        /// `Some(true)`: a party in force.
        parties: Vec<Option<bool>>,
    },
}

impl Source {
    /// A bilateral instrument from its dyad rows, as [`bilateral`] reads them.
    pub(crate) fn bilateral(
        n: usize,
        directed: bool,
        rows: &[DyadLink],
        complete: &[bool],
        listed: bool,
    ) -> Source {
        let (mut linked, mut open) = (Vec::new(), Vec::new());
        for r in rows {
            if r.a >= n || r.b >= n || r.a == r.b {
                continue;
            }
            let mut cells = vec![(r.a, r.b)];
            if !directed {
                cells.push((r.b, r.a));
            }
            match r.binding {
                Binding::Yes => linked.extend(cells),
                Binding::Unknown => open.extend(cells),
                Binding::No => {}
            }
        }
        for v in [&mut linked, &mut open] {
            v.sort_unstable();
            v.dedup();
        }
        Source::Bilateral {
            linked,
            open,
            complete: (0..n)
                .map(|j| complete.get(j).copied().unwrap_or(false))
                .collect(),
            listed,
        }
    }

    /// The status between `from` and `to`, as the J x J statuses give it.
    pub(crate) fn status(&self, from: usize, to: usize) -> Status {
        if from == to {
            return Status::Unknown;
        }
        match self {
            Source::Bilateral { linked, open, .. } => {
                if linked.binary_search(&(from, to)).is_ok() {
                    Status::Linked
                } else if open.binary_search(&(from, to)).is_ok() {
                    Status::Unknown
                } else {
                    self.unnamed(from, to)
                }
            }
            Source::Multilateral { .. } => self.unnamed(from, to),
        }
    }

    /// The status of a pair no dyad row names (it depends on each side's own record only).
    fn unnamed(&self, from: usize, to: usize) -> Status {
        match self {
            Source::Bilateral {
                complete, listed, ..
            } => {
                if *listed && (complete[from] || complete[to]) {
                    Status::Absent
                } else {
                    Status::Unknown
                }
            }
            Source::Multilateral { parties } => match (parties[from], parties[to]) {
                (Some(true), Some(true)) => Status::Linked,
                (Some(false), _) | (_, Some(false)) => Status::Absent,
                _ => Status::Unknown,
            },
        }
    }

    /// The jurisdiction's own record: `complete` or `incomplete` list (bilateral), `party`,
    /// `not party` or unknown (multilateral).
    pub(crate) fn record(&self, j: usize) -> Option<&'static str> {
        match self {
            Source::Bilateral { complete, .. } => Some(if complete[j] {
                "complete"
            } else {
                "incomplete"
            }),
            Source::Multilateral { parties } => {
                parties[j].map(|p| if p { "party" } else { "not party" })
            }
        }
    }
}

/// One channel in the long form.
#[derive(Debug, Clone, PartialEq)]
pub struct LongChannel {
    /// Identifier shown in cells.
    pub id: String,
    /// What it provides.
    pub provides: Vec<String>,
    /// What its statuses follow from.
    pub source: Source,
}

/// The channels of one kind of cooperation (`Some("extradition")`), or all (`None`).
pub fn chosen(channels: &[LongChannel], kind: Option<&str>) -> Vec<usize> {
    (0..channels.len())
        .filter(|&c| kind.is_none_or(|k| channels[c].provides.iter().any(|p| p == k)))
        .collect()
}

/// A matrix cell from the long form, as [`matrix`] gives it.
pub fn long_cell(channels: &[LongChannel], chosen: &[usize], from: usize, to: usize) -> Cell {
    if from == to {
        return Cell::Own;
    }
    let status = |c: usize| channels[c].source.status(from, to);
    cell_from(chosen, status)
}

fn cell_from(chosen: &[usize], status: impl Fn(usize) -> Status) -> Cell {
    let links: Vec<usize> = chosen
        .iter()
        .copied()
        .filter(|&c| status(c) == Status::Linked)
        .collect();
    if !links.is_empty() {
        Cell::Links(links)
    } else if !chosen.is_empty() && chosen.iter().all(|&c| status(c) == Status::Absent) {
        Cell::None
    } else {
        Cell::Unknown
    }
}

/// Per jurisdiction, the others a dyad row names with it (either way, any instrument), sorted.
pub(crate) fn named_partners(n: usize, channels: &[LongChannel]) -> Vec<Vec<usize>> {
    let mut named: Vec<Vec<usize>> = vec![Vec::new(); n];
    for ch in channels {
        if let Source::Bilateral { linked, open, .. } = &ch.source {
            for &(a, b) in linked.iter().chain(open) {
                named[a].push(b);
                named[b].push(a);
            }
        }
    }
    for v in &mut named {
        v.sort_unstable();
        v.dedup();
    }
    named
}

/// [`measures`] from the long form, without J x J matrices. A pair no dyad row names has
/// statuses that depend only on the two sides' own records (list complete, party status), the
/// same both ways; the others are grouped by their record, each group counted once per
/// jurisdiction, and the pairs a dyad row names are counted one by one. Weights are 0 or 1 (or
/// all 1), so the grouped sums are exact and the shares equal the matrices' to the bit.
pub(crate) fn long_measures(channels: &[LongChannel], weights: &[Option<f64>]) -> Vec<Measures> {
    let n = weights.len();
    let ext = chosen(channels, Some("extradition"));
    let legal = chosen(channels, Some("legal_assistance"));
    let all = chosen(channels, None);
    let named = named_partners(n, channels);
    let Groups {
        group_of,
        members,
        weight_sum,
        first,
    } = groups(channels, weights);
    (0..n)
        .map(|j| {
            let mut m = Measures {
                extradition_partners: 0,
                extradites_to: 0,
                obtains_extradition_from: 0,
                legal_assistance_partners: 0,
                weighted_degree: 0,
                safe_haven: None,
                safe_haven_upper: None,
                known_share: None,
            };
            let (mut none, mut known, mut total) = (0.0, 0.0, 0.0);
            // Everyone not named with j, by group: the group less j and the named.
            let mut count = members.clone();
            let mut wsum = weight_sum.clone();
            for o in std::iter::once(j).chain(named[j].iter().copied()) {
                count[group_of[o]] -= 1;
                if let Some(w) = weights[o] {
                    wsum[group_of[o]] -= w;
                }
            }
            for g in 0..members.len() {
                let c = count[g];
                if c == 0 {
                    continue;
                }
                let o = first[g];
                let status = |k: usize| channels[k].source.unnamed(j, o);
                let e = cell_from(&ext, status);
                let linked = matches!(e, Cell::Links(_));
                if linked {
                    m.extradition_partners += c;
                    m.extradites_to += c;
                    m.obtains_extradition_from += c;
                }
                if matches!(cell_from(&legal, status), Cell::Links(_)) {
                    m.legal_assistance_partners += c;
                }
                m.weighted_degree +=
                    c * all.iter().filter(|&&k| status(k) == Status::Linked).count();
                total += wsum[g];
                match e {
                    Cell::Links(_) => known += wsum[g],
                    Cell::None => {
                        known += wsum[g];
                        none += wsum[g];
                    }
                    _ => {}
                }
            }
            for &o in &named[j] {
                let cell = |kind: &[usize], a, b| long_cell(channels, kind, a, b);
                let (out, back) = (cell(&ext, j, o), cell(&ext, o, j));
                let (to, from) = (
                    matches!(out, Cell::Links(_)),
                    matches!(back, Cell::Links(_)),
                );
                m.extradition_partners += usize::from(to || from);
                m.extradites_to += usize::from(to);
                m.obtains_extradition_from += usize::from(from);
                let legal_linked = matches!(cell(&legal, j, o), Cell::Links(_))
                    || matches!(cell(&legal, o, j), Cell::Links(_));
                m.legal_assistance_partners += usize::from(legal_linked);
                let mut ids: Vec<usize> = Vec::new();
                for c in [cell(&all, j, o), cell(&all, o, j)] {
                    if let Cell::Links(l) = c {
                        ids.extend(l);
                    }
                }
                ids.sort_unstable();
                ids.dedup();
                m.weighted_degree += ids.len();
                if let Some(w) = weights[o] {
                    total += w;
                    match out {
                        Cell::Links(_) => known += w,
                        Cell::None => {
                            known += w;
                            none += w;
                        }
                        _ => {}
                    }
                }
            }
            let share = |a: f64, b: f64| (b > 0.0).then(|| a / b);
            let only_links = none == 0.0 && known < total;
            m.safe_haven = if only_links { None } else { share(none, known) };
            m.safe_haven_upper = share(none + (total - known), total);
            m.known_share = share(known, total);
            m
        })
        .collect()
}

/// Jurisdictions grouped by their own records of every channel.
struct Groups {
    /// Group of every jurisdiction.
    group_of: Vec<usize>,
    /// Members of every group.
    members: Vec<usize>,
    /// Sum of the members' weights (the weighted ones).
    weight_sum: Vec<f64>,
    /// A member of every group.
    first: Vec<usize>,
}

fn groups(channels: &[LongChannel], weights: &[Option<f64>]) -> Groups {
    let mut groups: std::collections::BTreeMap<Vec<u8>, usize> = Default::default();
    let mut group_of = Vec::with_capacity(weights.len());
    let mut members: Vec<usize> = Vec::new();
    let mut weight_sum: Vec<f64> = Vec::new();
    let mut first: Vec<usize> = Vec::new();
    for (j, w) in weights.iter().enumerate() {
        let key: Vec<u8> = channels
            .iter()
            .map(|c| match c.source.record(j) {
                Some("complete" | "party") => 2,
                Some(_) => 1,
                None => 0,
            })
            .collect();
        let next = groups.len();
        let g = *groups.entry(key).or_insert(next);
        if g == members.len() {
            members.push(0);
            weight_sum.push(0.0);
            first.push(j);
        }
        members[g] += 1;
        if let Some(w) = w {
            weight_sum[g] += w;
        }
        group_of.push(g);
    }
    Groups {
        group_of,
        members,
        weight_sum,
        first,
    }
}

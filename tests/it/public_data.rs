//! The shipped real data (`data/`) and the public-instruments rubric that scores it by default:
//! every row sourced and dated, every `no` from a complete list on its date, the figures the
//! default must reach, and the time rules on real facts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::common::*;

fn data() -> PathBuf {
    root().join("data")
}

fn public_rubric() -> PathBuf {
    root().join("rubrics/paris-call-public.toml")
}

/// Rows of a CSV file as header -> value maps.
fn rows(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// `group:entity` of every jurisdiction of data/jurisdictions.csv.
fn entities() -> BTreeMap<String, String> {
    rows(&data().join("jurisdictions.csv"))
        .into_iter()
        .map(|r| (r["code"].clone(), r["group:entity"].clone()))
        .collect()
}

fn has_year(s: &str) -> bool {
    s.as_bytes()
        .windows(4)
        .any(|w| (w.starts_with(b"19") || w.starts_with(b"20")) && w.iter().all(u8::is_ascii_digit))
}

#[test]
fn every_evidence_row_names_its_source_and_the_source_its_date() {
    let ev = rows(&data().join("evidence.csv"));
    assert!(ev.len() > 1000, "{} rows", ev.len());
    for (i, r) in ev.iter().enumerate() {
        let s = &r["source"];
        assert!(!s.trim().is_empty(), "row {} has no source", i + 2);
        assert!(
            has_year(s) || s.contains("undated"),
            "row {}: the source names no date (or says it is undated): {s}",
            i + 2
        );
    }
}

#[test]
fn every_no_carries_the_status_date_of_the_complete_list_it_comes_from() {
    let ev = rows(&data().join("evidence.csv"));
    let mut lists = BTreeSet::new();
    for (i, r) in ev.iter().enumerate() {
        if r["value"] != "no" {
            continue;
        }
        let as_of = &r["as_of"];
        assert_eq!(as_of.len(), 10, "row {}: a `no` without its date", i + 2);
        // The source names the complete list with that very date.
        assert!(
            r["source"].contains(as_of.as_str()),
            "row {}: `no` as of {as_of}, but the source does not name a list of that date: {}",
            i + 2,
            r["source"]
        );
        lists.insert((r["criterion"].clone(), as_of.clone()));
    }
    // A `no` is written for the fields with complete lists only; the partial lists give none.
    let fields: BTreeSet<&str> = lists.iter().map(|(f, _)| f.as_str()).collect();
    for partial in [
        "contact_point_24_7",
        "international_law_position",
        "capacity_building",
        "pall_mall_code",
        "un_cybercrime_signature",
        "ip_theft_commitment",
    ] {
        assert!(!fields.contains(partial), "{partial} has a `no`");
    }
}

#[test]
fn jurisdictions_are_the_un_members_the_observer_states_the_eu_and_the_dyads_codes() {
    let e = entities();
    let count = |kind: &str| e.values().filter(|v| *v == kind).count();
    assert_eq!(count("un_member"), 193);
    let observers: Vec<&String> = e
        .iter()
        .filter(|(_, v)| *v == "un_observer_state")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(observers, ["PSE", "VAT"]);
    assert_eq!(e["EUU"], "regional_organisation");
    for d in rows(&data().join("dyads.csv")) {
        assert!(e.contains_key(&d["a"]) && e.contains_key(&d["b"]), "{d:?}");
    }
    // The groups a researcher filters by, with the EU's 27 and the G20's 19 states.
    let j = rows(&data().join("jurisdictions.csv"));
    let yes = |col: &str| j.iter().filter(|r| r[col] == "yes").count();
    assert_eq!(yes("group:eu_member"), 27);
    assert_eq!(yes("group:g7_member"), 7);
    assert_eq!(yes("group:g20_member"), 20, "19 states and the EU");
    assert!(j.iter().all(|r| !r["source"].is_empty()));
}

#[test]
fn the_default_gives_150_un_members_an_index_and_every_principle_100_scores() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("results");
    let o = accord(&root(), &["score", "--out", dir.to_str().unwrap()]);
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("rubric paris-call-public 1.0.0 (33 criteria)"),
        "{stdout}"
    );
    assert!(stdout.contains("scored on 2025-12-25 (the date `data/accord.toml` declares)"));
    let e = entities();
    let un = |code: &str| e.get(code).is_some_and(|k| k == "un_member");
    let mut indexed = 0;
    for r in rows(&dir.join("ranking.csv")) {
        if !un(&r["jurisdiction"]) || r["score"] == "NA" {
            continue;
        }
        let coverage: f64 = r["coverage"].parse().unwrap();
        assert!(coverage >= 0.5, "{r:?}");
        indexed += 1;
    }
    assert!(indexed >= 150, "{indexed} UN members have an index");
    let mut by_principle: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows(&dir.join("scores.csv")) {
        if r["kind"] == "principle" && r["score"] != "NA" && un(&r["jurisdiction"]) {
            *by_principle.entry(r["node"].clone()).or_default() += 1;
        }
    }
    assert_eq!(by_principle.len(), 9, "{by_principle:?}");
    for (p, n) in &by_principle {
        assert!(*n >= 100, "{p}: {n} states");
    }
}

#[test]
fn germany_has_every_principle_in_full_but_lifecycle_security() {
    // On 2025-12-25 Germany has joined every instrument of the rubric, but the Cyber Resilience
    // Act's obligations apply only from 2026-09-11: P6 is (Paris Call 100 + CRA 0 + Budapest 100) / 3
    // with equal weights, and the index (8 x 100 + 200/3) / 9.
    let s = score_dir(&public_rubric(), &data(), None, &[]);
    let p6 = score_of(&s, "DEU", "P6").unwrap();
    assert!((p6 - 200.0 / 3.0).abs() < 1e-9, "{p6}");
    let index = score_of(&s, "DEU", "PARIS").unwrap();
    assert!(
        (index - (800.0 + 200.0 / 3.0) / 9.0).abs() < 1e-9,
        "{index}"
    );
    assert_eq!(coverage_of(&s, "DEU", "PARIS"), Some(1.0));
    let later = score_dir(&public_rubric(), &data(), Some("2026-09-11"), &[]);
    assert_eq!(score_of(&later, "DEU", "P6"), Some(100.0));
}

#[test]
fn budapest_party_is_the_date_of_entry_into_force() {
    // Sweden deposited its ratification on 2021-04-28: by articles 36(4) of the Convention, in force
    // on the first day of the month after three months, 2021-08-01.
    for (date, expected) in [("2021-07-31", 0.0), ("2021-08-01", 100.0)] {
        let s = score_dir(&public_rubric(), &data(), Some(date), &[]);
        assert_eq!(
            score_of(&s, "SWE", "budapest_party"),
            Some(expected),
            "{date}"
        );
    }
    // Nigeria: two accession dates in the sources (2022-07-06, 2022-08-28), one entry into force.
    for (date, expected) in [("2022-10-31", 0.0), ("2022-11-01", 100.0)] {
        let s = score_dir(&public_rubric(), &data(), Some(date), &[]);
        assert_eq!(
            score_of(&s, "NGA", "budapest_party"),
            Some(expected),
            "{date}"
        );
    }
}

#[test]
fn a_no_from_2011_stops_counting_and_a_no_from_2024_holds() {
    // Russia is on neither list of the 2011 notification, and its name sorts after the cut of both
    // 2024 lists: a "no" in 2011, unknown once the five-year horizon has passed.
    let early = score_dir(&public_rubric(), &data(), Some("2011-06-01"), &[]);
    assert_eq!(score_of(&early, "RUS", "budapest_party"), Some(0.0));
    let now = score_dir(&public_rubric(), &data(), None, &[]);
    assert_eq!(score_of(&now, "RUS", "budapest_party"), None);
    // Algeria sorts before 'Kiribati', where the Council of Europe's list of Parties (on or after
    // 2024-07-29) is read to: still a "no" in 2025.
    assert_eq!(score_of(&now, "DZA", "budapest_party"), Some(0.0));
}

#[test]
fn eu_facts_end_with_the_united_kingdoms_membership() {
    // The UK was an EU Member State until 2020-01-31: its CSIRTs were in the EU CSIRTs Network and
    // its electoral authorities in the European Cooperation Network on Elections until then.
    let before = score_dir(&public_rubric(), &data(), Some("2020-01-31"), &[]);
    let after = score_dir(&public_rubric(), &data(), Some("2020-02-01"), &[]);
    for criterion in ["P1_eu_csirts_network", "P3_ecne"] {
        assert_eq!(
            score_of(&before, "GBR", criterion),
            Some(100.0),
            "{criterion}"
        );
        assert_eq!(score_of(&after, "GBR", criterion), Some(0.0), "{criterion}");
        assert_eq!(
            score_of(&after, "FRA", criterion),
            Some(100.0),
            "{criterion}"
        );
    }
}

#[test]
fn the_deep_rubric_reads_the_real_data_and_shows_what_is_unknown() {
    let s = score_dir(&root().join("rubrics/paris-call.toml"), &data(), None, &[]);
    // Nothing in data/ answers the national-law questions: unknown for every state, never 0.
    for code in ["DEU", "USA", "BRA"] {
        assert_eq!(score_of(&s, code, "offences_illegal_access"), None);
        assert_eq!(score_of(&s, code, "PARIS"), None, "{code}");
    }
    // What the lists do answer, it reads with the same fields.
    assert_eq!(score_of(&s, "USA", "paris_call_supporter"), Some(100.0));
    assert_eq!(score_of(&s, "USA", "budapest_party"), Some(100.0));
    assert_eq!(score_of(&s, "FRA", "election_cooperation"), Some(100.0));
}

#[test]
fn sensitivity_runs_on_the_default() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("sa");
    let o = accord(
        &root(),
        &[
            "sensitivity",
            "--runs",
            "20",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("rubrics/paris-call-public.sensitivity.toml"),
        "{stdout}"
    );
    assert!(dir.join("sensitivity_indices.csv").exists());
}

/// `sources/country_codes.csv` (datasets/country-codes) keyed by ISO 3166 alpha-3.
fn country_codes() -> BTreeMap<String, BTreeMap<String, String>> {
    rows(&data().join("sources/country_codes.csv"))
        .into_iter()
        .map(|r| (r["ISO3166-1-Alpha-3"].clone(), r))
        .collect()
}

#[test]
fn jurisdictions_come_from_the_country_codes_table_and_the_internacia_lists() {
    // Codes, names and UN M49 regions from datasets/country-codes (Public Domain Dedication and
    // License), memberships from datenoio/internacia-db (MIT), each row naming both.
    let table = country_codes();
    let alpha3: BTreeMap<String, String> = table
        .iter()
        .map(|(code, r)| (r["ISO3166-1-Alpha-2"].clone(), code.clone()))
        .collect();
    let mut blocks: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in rows(&data().join("sources/internacia_db_memberships.csv")) {
        assert_eq!(r["status"], "member", "{r:?}");
        let code = if r["type"] == "organization" {
            "EUU".to_string()
        } else {
            alpha3[&r["iso2"]].clone()
        };
        blocks.entry(r["block"].clone()).or_default().insert(code);
    }
    let ceased: BTreeSet<String> = rows(&data().join("sources/coe_membership_changes.csv"))
        .into_iter()
        .map(|r| r["iso3"].clone())
        .collect();
    assert_eq!(blocks["COE"].len(), 47);
    let coe: BTreeSet<&String> = blocks["COE"].difference(&ceased).collect();
    assert_eq!(coe.len(), 46, "47 listed, Russia no longer a member");
    let j = rows(&data().join("jurisdictions.csv"));
    let yes = |b: bool| if b { "yes" } else { "no" };
    for r in j.iter().filter(|r| r["code"] != "EUU") {
        let code = &r["code"];
        let c = &table[code];
        assert!(
            r["source"].contains("datasets/country-codes commit caa72d1")
                && r["source"].contains("datenoio/internacia-db commit 6f69d84"),
            "{code}: {}",
            r["source"]
        );
        // The most detailed M49 region: the intermediate region where there is one.
        let region = if c["Intermediate Region Name"].is_empty() {
            &c["Sub-region Name"]
        } else {
            &c["Intermediate Region Name"]
        };
        assert_eq!(&r["group:un_region"], region, "{code}");
        assert_eq!(
            r["group:entity"] == "un_member",
            blocks["UN"].contains(code),
            "{code}"
        );
        if r["group:entity"] == "un_member" {
            assert_eq!(r["name"], c["official_name_en"], "{code}");
        }
        for (col, block) in [
            ("group:eu_member", "EU"),
            ("group:oecd_member", "OECD"),
            ("group:g7_member", "G7"),
            ("group:g20_member", "G-20"),
        ] {
            assert_eq!(r[col], yes(blocks[block].contains(code)), "{code} {col}");
        }
        assert_eq!(r["group:coe_member"], yes(coe.contains(code)), "{code}");
    }
    // M49 puts Nauru in Micronesia, and Russia ceased to be a Council of Europe member on
    // 2022-03-16 (sources/coe_membership_changes.csv).
    let row = |code: &str| j.iter().find(|r| r["code"] == code).unwrap();
    assert_eq!(row("NRU")["group:un_region"], "Micronesia");
    assert_eq!(row("RUS")["group:coe_member"], "no");
    assert!(row("RUS")["note"].contains("2022-03-16"));
    // Nothing generated, nor the script, rests on the GPL-licensed package the table replaced.
    for f in ["build.py", "jurisdictions.csv", "evidence.csv"] {
        let text = std::fs::read_to_string(data().join(f)).unwrap();
        assert!(!text.contains("country_converter"), "{f}");
    }
    for entry in std::fs::read_dir(data().join("sources")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("country_converter"), "{}", path.display());
    }
}

#[test]
fn the_earliest_in_force_observation_counts() {
    // No date of entry into force was found for Norway, Serbia and Slovenia. Norway ratified in
    // 2006 (a release of 2025-07-09), so the Convention was in force for it by 2007-04-01 (art.
    // 36(4)): a Party on 2011-06-01. Serbia was a Contracting State on 2011-06-01, so in force by
    // 2011-10-01 (the notification of that date does not list it as a non-party either): unknown
    // the day before, a Party from that date.
    let on = |date: &str, code: &str| {
        let s = score_dir(&public_rubric(), &data(), Some(date), &[]);
        score_of(&s, code, "budapest_party")
    };
    assert_eq!(on("2011-06-01", "NOR"), Some(100.0));
    assert_eq!(on("2011-09-30", "SRB"), None);
    assert_eq!(on("2011-10-01", "SRB"), Some(100.0));
    assert_eq!(on("2011-10-01", "SVN"), Some(100.0));
}

#[test]
fn every_paris_call_supporter_is_a_yes_of_the_complete_list() {
    // The list of 2025-12-25 is one observation for every state on it (and the first listing in
    // the site's history another), as it is a `no` for every state not on it.
    let listed: BTreeSet<String> = rows(&data().join("sources/paris_call_state_supporters.csv"))
        .into_iter()
        .map(|r| {
            if r["iso3"].is_empty() {
                "EUU".to_string()
            } else {
                r["iso3"].clone()
            }
        })
        .collect();
    assert_eq!(listed.len(), 82, "81 states and the EU");
    let of_2025: BTreeMap<String, String> = rows(&data().join("evidence.csv"))
        .into_iter()
        .filter(|r| r["criterion"] == "paris_call_supporter" && r["as_of"] == "2025-12-25")
        .map(|r| (r["jurisdiction"].clone(), r["value"].clone()))
        .collect();
    for (code, value) in &of_2025 {
        assert_eq!(value == "yes", listed.contains(code), "{code}: {value}");
    }
    assert_eq!(
        of_2025.len(),
        82 + 114,
        "every UN member and observer, and the EU"
    );
}

#[test]
fn a_no_holds_as_long_as_its_horizon_and_a_yes_for_good() {
    // China is on none of the complete lists of the Paris Call (2025-12-25), Wassenaar
    // (2025-12-20) and the European Cooperation Network on Elections (2023-03-29). Each `no`
    // holds five years, the rubric's horizon, to the day.
    let on = |date: &str| score_dir(&public_rubric(), &data(), Some(date), &[]);
    for (criterion, last, next) in [
        ("paris_call_supporter", "2030-12-25", "2030-12-26"),
        ("P5_wassenaar", "2030-12-20", "2030-12-21"),
        ("P3_ecne", "2028-03-29", "2028-03-30"),
    ] {
        assert_eq!(
            score_of(&on(last), "CHN", criterion),
            Some(0.0),
            "{criterion} {last}"
        );
        assert_eq!(
            score_of(&on(next), "CHN", criterion),
            None,
            "{criterion} {next}"
        );
    }
    let later = on("2040-01-01");
    // One act of one day: the G7's commitment at Charlevoix, the G20's at Antalya, never stale.
    assert_eq!(score_of(&later, "CHN", "P3_g7_rrm"), Some(0.0));
    assert_eq!(score_of(&later, "BRA", "P4_g20_antalya"), Some(100.0));
    // A participant of 2004 is one for good (a `yes` never grows stale).
    assert_eq!(score_of(&later, "DEU", "P5_wassenaar"), Some(100.0));
    // The EU CSIRTs Network is a boolean field, whose observations all grow stale: its ten years
    // carry the start of August 2016 over the 2021 evaluations to the list of 2025-09-30.
    let y2021 = on("2021-11-11");
    assert_eq!(score_of(&y2021, "FRA", "P1_eu_csirts_network"), Some(100.0));
    assert_eq!(score_of(&y2021, "CHN", "P1_eu_csirts_network"), Some(0.0));
}

/// The adjusted Rand index of two labellings of the same items (Hubert and Arabie, 1985):
/// (index - expected) / (max - expected), with index = the sum over the contingency table's cells
/// of C(n_ij, 2), expected = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2) and max = (sum_i C(a_i, 2)
/// + sum_j C(b_j, 2)) / 2.
fn adjusted_rand(a: &[&str], b: &[&str]) -> f64 {
    let pairs = |k: usize| (k * k.saturating_sub(1) / 2) as f64;
    let mut cells: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cols: BTreeMap<&str, usize> = BTreeMap::new();
    for (x, y) in a.iter().zip(b) {
        *cells.entry((x, y)).or_default() += 1;
        *rows.entry(x).or_default() += 1;
        *cols.entry(y).or_default() += 1;
    }
    let index: f64 = cells.values().map(|&v| pairs(v)).sum();
    let sa: f64 = rows.values().map(|&v| pairs(v)).sum();
    let sb: f64 = cols.values().map(|&v| pairs(v)).sum();
    let expected = sa * sb / pairs(a.len());
    (index - expected) / ((sa + sb) / 2.0 - expected)
}

#[test]
fn adjusted_rand_by_hand() {
    // (1, 1, 2, 2, 2) against (x, x, x, y, y): cells (1,x) = 2, (2,x) = 1, (2,y) = 2: index 2;
    // row totals 2, 3 give 1 + 3 = 4 pairs, column totals 3, 2 give 4; expected 4 * 4 / 10 = 1.6;
    // max 4: ARI = (2 - 1.6) / (4 - 1.6) = 1/6.
    let ari = adjusted_rand(&["1", "1", "2", "2", "2"], &["x", "x", "x", "y", "y"]);
    assert!((ari - 1.0 / 6.0).abs() < 1e-12, "{ari}");
    assert_eq!(adjusted_rand(&["a", "a", "b"], &["y", "y", "x"]), 1.0);
}

#[test]
fn align_on_the_default_clusters_the_eu_as_measured() {
    // `accord align` on the default compares the nine principle scores (`[align] level`). The
    // README's figure: the adjusted Rand index between its 4 clusters and EU membership (the 27
    // Member States against the rest), over the jurisdictions clustered, is 0.264.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a");
    let o = accord(&root(), &["align", "--out", out.to_str().unwrap()]);
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("gower similarity of 9 principle scores"),
        "{stdout}"
    );
    let eu: BTreeMap<String, bool> = rows(&data().join("jurisdictions.csv"))
        .into_iter()
        .map(|r| (r["code"].clone(), r["group:eu_member"] == "yes"))
        .collect();
    let clustered: Vec<(String, String)> = rows(&out.join("clusters.csv"))
        .into_iter()
        .filter(|r| r["cluster"] != "NA")
        .map(|r| (r["jurisdiction"].clone(), r["cluster"].clone()))
        .collect();
    assert_eq!(
        clustered.len(),
        196,
        "all but the three codes only the dyads name"
    );
    let clusters: Vec<&str> = clustered.iter().map(|(_, k)| k.as_str()).collect();
    let groups: Vec<&str> = clustered
        .iter()
        .map(|(j, _)| if eu[j] { "EU" } else { "rest" })
        .collect();
    assert_eq!(groups.iter().filter(|g| **g == "EU").count(), 27);
    let ari = adjusted_rand(&clusters, &groups);
    assert!((ari - 0.264).abs() < 0.0005, "{ari}");
}

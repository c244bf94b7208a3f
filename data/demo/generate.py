#!/usr/bin/env python3
"""Generate the FICTIONAL demonstration data set for accord.

Everything written here is invented: the jurisdictions, their names, their laws, their treaties.
Codes are taken from the ISO 3166-1 user-assigned range XAA-XZZ, so they can never be mistaken
for real countries.

The script uses only the Python standard library and a single seeded random generator, and it
never reads the clock: running it again rewrites byte-identical files.

    python3 data/demo/generate.py

It writes jurisdictions.csv, evidence.csv and dyads.csv next to itself.
"""

import csv
import datetime
import os
import random

SEED = 20181112  # the day the Paris Call was launched
SOURCE = "fictional demonstration data"
OBSERVED = "2025-12-31"  # date the (fictional) lists of parties and supporters were read

HERE = os.path.dirname(os.path.abspath(__file__))

rng = random.Random(SEED)

# ---------------------------------------------------------------------------------------------
# Jurisdictions: code, name, bloc, region.

STRONG, MIDDLE, WEAK, INDEP = "northern_compact", "coastal_league", "highland_union", "independent"

JURISDICTIONS = [
    # northern_compact: a close-knit group with aligned cybercrime law and dense treaty ties.
    ("XAL", "Republic of Aldora", STRONG, "boreal_reach"),
    ("XBO", "Borelia", STRONG, "boreal_reach"),
    ("XCA", "Caskar Federation", STRONG, "boreal_reach"),
    ("XDU", "Dunmere", STRONG, "boreal_reach"),
    ("XES", "Eskarth", STRONG, "boreal_reach"),
    ("XFE", "Fenwyck Commonwealth", STRONG, "western_shore"),
    ("XGA", "Gallowmark", STRONG, "boreal_reach"),
    ("XHA", "Halvoria", STRONG, "boreal_reach"),
    ("XIS", "Isvaldt", STRONG, "boreal_reach"),
    ("XJO", "Jorunmark", STRONG, "western_shore"),
    ("XKE", "Kestrelle", STRONG, "western_shore"),
    ("XLO", "Lorvanne", STRONG, "boreal_reach"),
    ("XMY", "Myrrhavel", STRONG, "western_shore"),
    ("XNE", "Nethervale", STRONG, "boreal_reach"),
    # coastal_league: trading states, partly aligned.
    ("XOS", "Ostrevane", MIDDLE, "western_shore"),
    ("XQL", "Principality of Quillon", MIDDLE, "western_shore"),
    ("XRA", "Ravenmoor", MIDDLE, "western_shore"),
    ("XSE", "Selvanto", MIDDLE, "southern_archipelago"),
    ("XTH", "Thornwald", MIDDLE, "western_shore"),
    ("XUL", "Ulmaria", MIDDLE, "southern_archipelago"),
    ("XVE", "Velstrand", MIDDLE, "western_shore"),
    ("XWE", "Wexhold", MIDDLE, "western_shore"),
    ("XYA", "Yarrowick", MIDDLE, "southern_archipelago"),
    ("XZE", "Zephyra Islands", MIDDLE, "southern_archipelago"),
    ("XAM", "Ambrel", MIDDLE, "southern_archipelago"),
    ("XBR", "Brackwater Union", MIDDLE, "western_shore"),
    # highland_union: inward-looking states with little cybercrime law and few treaties.
    ("XCO", "Corvanne", WEAK, "central_massif"),
    ("XDR", "Drelmoor", WEAK, "central_massif"),
    ("XEM", "Emberlain", WEAK, "central_massif"),
    ("XFY", "Fyrnholt", WEAK, "central_massif"),
    ("XHO", "Hollowspire", WEAK, "central_massif"),
    ("XIK", "Iskarren", WEAK, "central_massif"),
    ("XKO", "Korrivan", WEAK, "central_massif"),
    ("XQR", "Quorvath", WEAK, "central_massif"),
    ("XVA", "Vandrosi", WEAK, "central_massif"),
    ("XRH", "Rhunmark", WEAK, "boreal_reach"),
    # independent: no bloc; anything from a major power to a secretive island.
    ("XJE", "Kingdom of Jessarin", INDEP, "western_shore"),
    ("XGL", "Glimmerdeep", INDEP, "southern_archipelago"),
    ("XLA", "Lanthorne", INDEP, "boreal_reach"),
    ("XMI", "Mistholm", INDEP, "boreal_reach"),
    ("XNO", "Novaren", INDEP, "southern_archipelago"),
    ("XOR", "Orlemont", INDEP, "western_shore"),
    ("XPE", "Pellucia", INDEP, "southern_archipelago"),
    ("XSA", "Sablecrest", INDEP, "southern_archipelago"),
    ("XTA", "Tarvessa", INDEP, "central_massif"),
    ("XUM", "Umberlee", INDEP, "southern_archipelago"),
    ("XWY", "Wyrmhaven", INDEP, "central_massif"),
    ("XXA", "Xandrel", INDEP, "central_massif"),
]
JURISDICTIONS.sort(key=lambda j: j[0])
CODES = [j[0] for j in JURISDICTIONS]
BLOC = {j[0]: j[2] for j in JURISDICTIONS}

HUBS = ["XCA", "XJE"]            # extradition partners with (nearly) everyone
SAFE_HAVENS = ["XSA", "XVA"]     # no extradition relationship at all
POORLY_DOCUMENTED = {            # jurisdiction -> number of fields left unknown (NA)
    "XQR": 21,
    "XUM": 20,
    "XGL": 9,
    "XPE": 7,
}
LATE_PARIS_JOINER = "XJE"        # joins the Paris Call on 2021-11-11

# Latent strength by bloc (independents are drawn from a wide range) and fixed overrides.
BLOC_MEAN = {STRONG: 0.6, MIDDLE: -0.25, WEAK: -0.85}
BASE_OVERRIDE = {"XJE": 0.85, "XSA": -1.3, "XVA": -1.2, "XCA": 1.2}

# ---------------------------------------------------------------------------------------------
# Evidence fields, in the rubric's order: (field, kind, dimension, offset). A positive offset
# makes the good answer more common.

FIELDS = [
    ("offences_illegal_access", ["none", "partial", "full"], "legal", 0.9),
    ("critical_infrastructure_law", ["none", "sectoral", "comprehensive"], "legal", 0.0),
    ("national_csirt", ["none", "established", "international"], "coop", 0.5),
    ("offence_system_interference", "boolean", "legal", 0.8),
    ("system_interference_penalty", "penalty", "extra", 0.3),
    ("contact_point_24_7", "boolean", "coop", 0.3),
    ("election_infrastructure", ["none", "guidance", "binding"], "legal", -0.3),
    ("nationals_extraditable", ["no", "conditional", "yes"], "extra", -0.3),
    ("election_cooperation", "boolean", "coop", -0.3),
    ("trade_secret_protection", ["none", "civil", "civil_and_criminal"], "legal", 0.6),
    ("trade_secret_theft_penalty", "penalty", "extra", 0.2),
    ("ip_theft_commitment", "boolean", "coop", 0.1),
    ("offence_misuse_of_devices", "boolean", "legal", 0.3),
    ("intrusion_export_controls", ["none", "partial", "implemented"], "legal", -0.3),
    ("misuse_of_devices_penalty", "penalty", "extra", 0.0),
    ("wassenaar_participant", "boolean", "coop", 0.0),
    ("pall_mall_code", "boolean", "coop", -0.9),
    ("product_security_law", ["none", "voluntary", "mandatory"], "legal", -0.6),
    ("extraterritorial_jurisdiction", ["none", "nationals", "nationals_and_effects"], "extra", 0.1),
    ("vulnerability_disclosure", ["none", "policy", "protected"], "coop", -0.3),
    ("incident_reporting_duty", "boolean", "legal", 0.2),
    ("computer_fraud_penalty", "penalty", "extra", 0.8),
    ("capacity_building", "boolean", "coop", 0.3),
    ("hack_back_prohibited", ["permitted", "unclear", "prohibited"], "legal", 1.4),
    ("aut_dedere_aut_judicare", "boolean", "extra", 0.0),
    ("paris_call_supporter", "date", "coop", 0.0),
    ("budapest_party", "date", "legal", 0.0),
    ("budapest_protocol2", "date", "coop", 0.0),
    ("international_law_position", "boolean", "legal", -0.1),
]
FIELD_NAMES = [f[0] for f in FIELDS]
DATE_FIELDS = {"paris_call_supporter", "budapest_party", "budapest_protocol2"}

# The offence each penalty belongs to: with no offence there is no penalty (0 years).
PENALTY_OF = {
    "system_interference_penalty": ("offence_system_interference", "yes"),
    "trade_secret_theft_penalty": ("trade_secret_protection", "civil_and_criminal"),
    "misuse_of_devices_penalty": ("offence_misuse_of_devices", "yes"),
}

# Dated changes: jurisdiction -> [(field, [(as_of, value), ...]), ...], oldest first. An empty
# as_of means "held from the start". These are applied over the generated values.
CHANGES = {
    "XBO": [("offences_illegal_access", [("2015-01-01", "partial"), ("2021-06-01", "full")])],
    "XDU": [("critical_infrastructure_law", [("", "sectoral"), ("2024-10-18", "comprehensive")]),
            ("product_security_law", [("2016-01-01", "none"), ("2020-03-01", "voluntary"), ("2024-12-10", "mandatory")])],
    "XKE": [("hack_back_prohibited", [("", "prohibited"), ("2022-03-15", "unclear")])],
    "XTH": [("incident_reporting_duty", [("", "no"), ("2019-05-09", "yes")]),
            ("international_law_position", [("", "no"), ("2021-07-14", "yes")])],
    "XVE": [("nationals_extraditable", [("", "no"), ("2020-01-01", "conditional")])],
    "XSE": [("national_csirt", [("2012-01-01", "established"), ("2019-09-30", "international")]),
            ("system_interference_penalty", [("", "0.5"), ("2020-04-01", "3")])],
    "XEM": [("offences_illegal_access", [("", "none"), ("2019-03-01", "partial")])],
    "XOR": [("hack_back_prohibited", [("", "unclear"), ("2023-06-30", "permitted")])],
    "XLA": [("election_cooperation", [("", "yes"), ("2023-02-01", "no")]),
            ("computer_fraud_penalty", [("", "2"), ("2022-09-01", "5")])],
    "XJE": [("pall_mall_code", [("", "no"), ("2025-04-04", "yes")])],
    "XZE": [("critical_infrastructure_law", [("", "none"), ("2023-01-16", "sectoral")])],
}
CHANGE_NOTES = {
    ("XBO", "offences_illegal_access"): "criminal code amendment added illegal interception and data interference",
    ("XDU", "critical_infrastructure_law"): "cross-sector network security act in force",
    ("XDU", "product_security_law"): "voluntary label replaced by binding product security act",
    ("XKE", "hack_back_prohibited"): "bill proposing an active defence exception under debate",
    ("XTH", "incident_reporting_duty"): "incident notification duty introduced",
    ("XTH", "international_law_position"): "position paper published",
    ("XVE", "nationals_extraditable"): "constitutional amendment allows surrender of nationals to treaty partners",
    ("XSE", "national_csirt"): "national CSIRT admitted to an international network",
    ("XSE", "system_interference_penalty"): "maximum term raised",
    ("XEM", "offences_illegal_access"): "illegal access offence enacted",
    ("XOR", "hack_back_prohibited"): "active defence exception enacted",
    ("XLA", "election_cooperation"): "withdrew from the election security network",
    ("XLA", "computer_fraud_penalty"): "maximum term raised",
    ("XJE", "pall_mall_code"): "endorsed the code of practice",
    ("XZE", "critical_infrastructure_law"): "security duties introduced for energy and telecoms",
}

# Values that override the generated ones (before the changes), to keep patterns readable.
FORCED = {
    # Safe havens: nationals shielded and no duty to prosecute instead.
    ("XSA", "nationals_extraditable"): "no",
    ("XSA", "aut_dedere_aut_judicare"): "no",
    ("XVA", "nationals_extraditable"): "no",
    ("XVA", "aut_dedere_aut_judicare"): "no",
    ("XSA", "budapest_party"): "no",
    ("XVA", "budapest_party"): "no",
    # Selvanto's penalty change needs the offence.
    ("XSE", "offence_system_interference"): "yes",
    # The hub of the northern compact launched the Call.
    ("XCA", "paris_call_supporter"): "2018-11-12",
}


def gauss(sd):
    return rng.gauss(0.0, sd)


def day(lo, hi):
    """A random date between lo and hi (inclusive), as YYYY-MM-DD."""
    a = datetime.date.fromisoformat(lo).toordinal()
    b = datetime.date.fromisoformat(hi).toordinal()
    return datetime.date.fromordinal(rng.randint(a, b)).isoformat()


def later(d, days):
    return (datetime.date.fromisoformat(d) + datetime.timedelta(days=days)).isoformat()


def level(z, levels):
    if z < -0.45:
        return levels[0]
    if z < 0.5:
        return levels[1]
    return levels[2]


def penalty(z):
    if z > 0.9:
        return rng.choice(["3", "5", "5", "10"])
    if z > 0.0:
        return rng.choice(["1", "2", "3", "3"])
    if z > -0.8:
        return rng.choice(["0.5", "1", "1", "2"])
    return rng.choice(["0.5", "0.5", "1"])


# ---------------------------------------------------------------------------------------------
# Evidence.

def latent_strengths():
    out = {}
    for code, _, bloc, _ in JURISDICTIONS:
        if bloc == INDEP:
            base = rng.uniform(-1.1, 1.0)
        else:
            base = BLOC_MEAN[bloc] + gauss(0.35)
        base = BASE_OVERRIDE.get(code, base)
        out[code] = {
            "legal": base + gauss(0.25),
            "extra": base + gauss(0.25),
            "coop": base + gauss(0.25),
        }
    return out


def jurisdiction_values(code, lat):
    """The current value of every field for one jurisdiction, as text."""
    values = {}
    for name, kind, dim, offset in FIELDS:
        z = lat[dim] + offset + gauss(0.6)
        if kind == "boolean":
            values[name] = "yes" if z > 0.0 else "no"
        elif kind == "penalty":
            values[name] = penalty(z)
        elif kind == "date":
            values[name] = ("date", z)  # resolved below, once the others are known
        else:
            values[name] = level(z, kind)
    # Penalties follow their offences.
    for pen, (offence, needed) in PENALTY_OF.items():
        if values[offence] != needed:
            values[pen] = "0"
    # Intrusion-software export controls mostly come with Wassenaar participation.
    if values["wassenaar_participant"] == "no" and values["intrusion_export_controls"] == "implemented":
        values["intrusion_export_controls"] = "partial"
    # Budapest Convention: ratification date (parties ratified after it opened for signature).
    zb = values["budapest_party"][1]
    if zb > 1.0:
        party = day("2004-03-01", "2009-12-31")
    elif zb > 0.35:
        party = day("2008-01-01", "2016-12-31")
    elif zb > -0.25:
        party = day("2014-01-01", "2023-12-31")
    else:
        party = "no"
    if (code, "budapest_party") in FORCED:
        party = FORCED[(code, "budapest_party")]
    values["budapest_party"] = party
    # Parties tend to accept article 24(6) and to have the offences.
    if party != "no" and values["aut_dedere_aut_judicare"] == "no" and rng.random() < 0.6:
        values["aut_dedere_aut_judicare"] = "yes"
    # Second Additional Protocol: opened for signature on 2022-05-12, to parties only.
    zp = values["budapest_protocol2"][1]
    if party == "no" or zp <= 0.2:
        proto = "no"
    else:
        proto = "2022-05-12" if zp > 0.9 else day("2022-06-01", "2025-10-31")
        if proto <= party:
            proto = later(party, rng.randint(60, 400))
            if proto > "2025-12-31":
                proto = "no"
    values["budapest_protocol2"] = proto
    # Paris Call: launch day, a later join date, or not a supporter.
    zc = values["paris_call_supporter"][1]
    if zc > 0.55:
        paris = "2018-11-12"
    elif zc > -0.1:
        paris = day("2019-01-15", "2021-09-30")
    else:
        paris = "no"
    if code == LATE_PARIS_JOINER:
        paris = "2021-11-11"
    values["paris_call_supporter"] = paris
    for (c, field), v in FORCED.items():
        if c == code:
            values[field] = v
    return values


def evidence_rows():
    lat = latent_strengths()
    values = {code: jurisdiction_values(code, lat[code]) for code in CODES}
    changed = {(c, f) for c, lst in CHANGES.items() for f, _ in lst}
    # Unknown cells: many in the poorly documented jurisdictions, a few scattered elsewhere.
    unknown = set()
    for code, k in sorted(POORLY_DOCUMENTED.items()):
        eligible = [f for f in FIELD_NAMES if (code, f) not in changed]
        unknown.update((code, f) for f in rng.sample(eligible, k))
    for code in CODES:
        if code in POORLY_DOCUMENTED:
            continue
        for f in FIELD_NAMES:
            if (code, f) not in changed and rng.random() < 0.025:
                unknown.add((code, f))
    rows = []
    for code in CODES:
        for field in FIELD_NAMES:
            if (code, field) in unknown:
                rows.append([code, field, "NA", SOURCE, "", "not documented in the demonstration sources"])
                continue
            history = dict(CHANGES.get(code, [])).get(field)
            if history:
                note = CHANGE_NOTES[(code, field)]
                for i, (as_of, v) in enumerate(history):
                    src = SOURCE if i == 0 else SOURCE + " (amendment)"
                    rows.append([code, field, v, src, as_of, note if i > 0 else ""])
                continue
            v = values[code][field]
            if field in DATE_FIELDS and v == "no":
                rows.append([code, field, "no", SOURCE, OBSERVED, ""])
            else:
                rows.append([code, field, v, SOURCE, "", ""])
    return rows


# ---------------------------------------------------------------------------------------------
# Dyads.

EXT_P = {
    (STRONG, STRONG): 0.88, (MIDDLE, MIDDLE): 0.5, (WEAK, WEAK): 0.25, (INDEP, INDEP): 0.1,
    (STRONG, MIDDLE): 0.14, (STRONG, WEAK): 0.03, (STRONG, INDEP): 0.12,
    (MIDDLE, WEAK): 0.08, (MIDDLE, INDEP): 0.1, (WEAK, INDEP): 0.07,
}
MLA_P = {
    (STRONG, STRONG): 0.82, (MIDDLE, MIDDLE): 0.42, (WEAK, WEAK): 0.2, (INDEP, INDEP): 0.08,
    (STRONG, MIDDLE): 0.16, (STRONG, WEAK): 0.04, (STRONG, INDEP): 0.1,
    (MIDDLE, WEAK): 0.06, (MIDDLE, INDEP): 0.08, (WEAK, INDEP): 0.06,
}


def pair_p(table, a, b):
    ba, bb = BLOC[a], BLOC[b]
    return table.get((ba, bb), table.get((bb, ba)))


def treaty_dates(strong_pair):
    """(signed, in_force) of a treaty in force."""
    r = rng.random()
    if r < 0.04:
        in_force = day("2022-01-01", "2025-06-30")   # recent: changes counts across dates
    elif strong_pair:
        in_force = day("1995-01-01", "2017-12-31")
    else:
        in_force = day("1995-01-01", "2021-12-31")
    signed = "" if rng.random() < 0.1 else later(in_force, -rng.randint(120, 1500))
    return signed, in_force


def dyad_rows():
    rows = []
    pairs = [(a, b) for i, a in enumerate(CODES) for b in CODES[i + 1:]]
    taken = {"extradition_treaty": set(), "mla_treaty": set()}
    # Special treaties first, so the random network does not repeat their pairs.
    specials = [
        ("XHA", "XWY", "extradition_treaty", "terminated", "1997-04-02", "1998-09-01", "2020-03-15",
         "denounced after a dispute over a surrender request"),
        ("XGA", "XTA", "extradition_treaty", "suspended", "2003-06-10", "2005-01-01", "2022-08-01",
         "application suspended"),
        ("XFE", "XOR", "extradition_treaty", "signed", "2024-05-20", "", "", "awaiting ratification"),
        ("XMY", "XSE", "extradition_treaty", "signed", "2023-11-02", "", "", "awaiting ratification"),
        ("XJE", "XDR", "mla_treaty", "signed", "2025-02-17", "", "", "awaiting ratification"),
        ("XAL", "XNO", "mla_treaty", "signed", "2024-09-09", "", "", "awaiting ratification"),
        ("XRA", "XKO", "extradition_treaty", "signed", "2025-07-01", "", "", ""),
    ]
    for a, b, inst, status, signed, in_force, ended, note in specials:
        taken[inst].add(tuple(sorted((a, b))))
        rows.append([a, b, inst, status, signed, in_force, ended, "", SOURCE, note])
    for inst, table, hub_p in (("extradition_treaty", EXT_P, 0.8), ("mla_treaty", MLA_P, 0.68)):
        for a, b in pairs:
            if (a, b) in taken[inst]:
                continue
            if inst == "extradition_treaty" and (a in SAFE_HAVENS or b in SAFE_HAVENS):
                continue
            if "XSA" in (a, b):
                continue  # Sablecrest keeps to itself entirely
            p = pair_p(table, a, b)
            if a in HUBS or b in HUBS:
                p = max(p, hub_p)
            if rng.random() < p:
                signed, in_force = treaty_dates(BLOC[a] == BLOC[b] == STRONG)
                rows.append([a, b, inst, "in_force", signed, in_force, "", "", SOURCE, ""])
                taken[inst].add((a, b))
    # Directed designations: Caskar's extradition act designates territories it will extradite
    # to; Jorunmark has a smaller list.
    for designator, k, since in (("XCA", 18, "2004-01-01"), ("XJO", 6, "2010-01-01")):
        candidates = [c for c in CODES if c != designator and c not in SAFE_HAVENS]
        for b in sorted(rng.sample(candidates, k)):
            rows.append([designator, b, "extradition_designation", "in_force", "",
                         day(since, "2021-12-31"), "", "", SOURCE, "designated territory"])
    return rows


def check_dyads(rows):
    """Assert the patterns the demonstration relies on."""
    ext = {c: set() for c in CODES}
    mla = {c: set() for c in CODES}
    seen = set()
    for a, b, inst, status, signed, in_force, ended, *_ in rows:
        assert a != b and a in ext and b in ext
        key = (inst, a, b) if inst == "extradition_designation" else (inst,) + tuple(sorted((a, b)))
        assert key not in seen, key
        seen.add(key)
        if status in ("terminated", "suspended"):
            assert ended
        if status != "in_force":
            continue
        if inst == "mla_treaty":
            mla[a].add(b)
            mla[b].add(a)
        else:
            ext[a].add(b)
            ext[b].add(a)
    for h in HUBS:
        assert len(ext[h]) >= 30, (h, len(ext[h]))
    for s in SAFE_HAVENS:
        assert not ext[s], s
    assert 300 <= len(rows) <= 600, len(rows)


# ---------------------------------------------------------------------------------------------

def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    write(
        "jurisdictions.csv",
        ["code", "name", "group:bloc", "group:region", "complete:extradition_treaty",
         "complete:extradition_designation", "complete:mla_treaty", "source"],
        [[c, n, b, r, "yes", "yes", "yes", SOURCE] for c, n, b, r in JURISDICTIONS],
    )
    ev = evidence_rows()
    write("evidence.csv", ["jurisdiction", "criterion", "value", "source", "as_of", "note"], ev)
    dy = dyad_rows()
    check_dyads(dy)
    write("dyads.csv", ["a", "b", "instrument", "status", "signed", "in_force", "ended", "as_of", "source", "note"], dy)
    na = sum(1 for r in ev if r[2] == "NA")
    print(f"{len(JURISDICTIONS)} jurisdictions, {len(ev)} evidence rows ({na} NA), {len(dy)} dyads")


if __name__ == "__main__":
    main()

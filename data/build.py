#!/usr/bin/env python3
"""Builds the real data set: data/evidence.csv and data/jurisdictions.csv from data/sources/.

    python3 data/build.py           # rewrite both files
    python3 data/build.py --check   # exit 1 if either file differs from what the sources give

Needs Python 3.11 and nothing else: every fact comes from a file in data/sources/ (the country
table of datasets/country-codes, the memberships of datenoio/internacia-db, and the lists
data/sources/README.md names), and every row written names the document it was read from.

Rules (see data/README.md):
- a `no` is written only from a list that is complete on its status date, with that date as
  `as_of`; a state absent from a partial list is left unknown;
- one value per jurisdiction, field and date; other sources for the same fact go in the note;
- `budapest_party` is the date the Convention entered into force for the state, derived by its
  articles 36(4) and 37(2) (first day of the month following three months after the deposit)
  where a source gives only the deposit;
- facts derived from EU membership carry the membership's dates (data/sources/eu_membership.csv).
"""

import csv
import datetime as dt
import io
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "sources")

# The data set's evaluation date (data/accord.toml declares it too).
DATA_DATE = "2025-12-25"

ETS185_TEXT = (
    "Convention on Cybercrime (ETS 185), arts. 36(4) and 37(2), text in "
    "statengeneraal/laws-markdown, verdrag/convention/on/cybercrime/BWBV0001839/README.md at commit 253444e2"
)


def read(name):
    with open(os.path.join(SRC, name), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if "source" in r and r["source"] in SOURCE_DATES:
            r["source"] += " (" + SOURCE_DATES[r["source"]] + ")"
    return rows


# The date of the document, for sources of the shared lists whose text does not state it (what the
# document itself shows: the dates it lists, or that it is undated).
SOURCE_DATES = {
    "UN Treaty Collection MTDSG XVIII-16 https://treaties.un.org/doc/Publication/MTDSG/Volume%20II/Chapter%20XVIII/XVIII-16.en.xml ('Signatories 72'; English alphabetical excerpt cut at Jamaica)":
        "status after the signatures of 25-26 October 2025",
    "Dutch treaty database https://verdragen.nl/nl/Verdrag/Details/013891_p.html (Dutch alphabetical excerpt cut at 'Turkije')":
        "status on or after 2025-11-19, the latest signature it lists",
    "CCDCOE Cyber Law Toolkit, page 'Applicability of international law' revision https://cyberlaw.ccdcoe.org/wiki/Applicability_of_international_law?diff=prev&oldid=3314 (list of national positions; excerpt cut after Israel)":
        "undated revision listing positions of 2019 to 2021",
    "Austrian BGBl via https://www.global-regulation.com/translation/austria/2997232/convention-on-cybercrime.html":
        "publication of the ratification deposited 2012-06-13",
    "Dutch treaty database change log https://verdragen.nl/en/Treaty/Details/009852_w?page=2":
        "entries of 2024-06-26 to 2024-08-07",
    "https://treatydatabase.overheid.nl/nl/Verdrag/Details/009852_w":
        "Dutch treaty database change log, entries of 2025-10-01 to 2026-01-14",
    "Sri Lanka ICTA statements via https://www.ft.lk/front-page/sri-lanka-becomes-first-south-asian-country-to-adopt-cybercrime-convention/44-465871 and https://srilankafoundation.org/?p=18976":
        "statements of 2015",
    "Council of Europe news https://www.coe.int/en/web/human-rights-rule-of-law/-/nigeria-acceded-to-the-council-of-europe-convention-on-cybercri-1":
        "news of 2022",
    "WIPO Lex remarks https://wipo.int/wipolex/es/treaties/parties/remarks/NG/952":
        "undated page",
    "MeriTalk (same)": "January 2026",
    "MeriTalk https://www.meritalk.com/articles/white-house-cuts-ties-with-gfce-cyber-group ; Infosecurity Magazine https://www.infosecurity-magazine.com/news/us-leave-global-forum-on-cyber":
        "January 2026",
    "Infosecurity Magazine (same); GFCE history https://www.thegfce.com/about/history":
        "January 2026; undated history page",
    "Council of Europe Octopus country wiki https://coe.int/en/web/octopus/country-wiki-ap/-/asset_publisher/CmDb7M4RGb4Z/content/senegal":
        "undated page",
    "Ecofin Agency, 'At Hanoi forum, 21 African nations sign on to UN cyber treaty', http://www.ecofinagency.com/news-digital/2710-49864-at-hanoi-forum-21-african-nations-sign-on-to-un-cyber-treaty":
        "report on the signing event of 25-26 October 2025",
}


def day(s):
    return dt.date.fromisoformat(s)


def entry_into_force(deposit):
    """ETS 185 arts. 36(4) and 37(2): the first day of the month following three months after the deposit."""
    y, m = deposit.year, deposit.month + 3
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    last = [31, 29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    end = dt.date(y, m, min(deposit.day, last))
    y, m = end.year, end.month + 1
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return dt.date(y, m, 1)


def month_end(s):
    """`YYYY-MM` or `YYYY` as the last day of that month or year (a fact true in it is true by then)."""
    if re.fullmatch(r"\d{4}", s):
        return f"{s}-12-31"
    y, m = map(int, s.split("-"))
    nxt = dt.date(y + m // 12, m % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).isoformat()


def short(source):
    """A source's name without its addresses, for notes that mention it beside the row's own source."""
    name = re.split(r" https?://|, copy at| \(", source)[0].rstrip(" ,;")
    return name if len(name) <= 90 else name[: name.rfind(" ", 0, 90)] + " ..."


def fold(s):
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


# ---------------------------------------------------------------------------------------------
# Jurisdictions


COUNTRY_CODES = ("datasets/country-codes commit caa72d1 (2026-05-15), data/country-codes.csv, copied as "
                 "sources/country_codes.csv")
INTERNACIA = "datenoio/internacia-db commit 6f69d84 (2025-12-20), data/intblocks/"


def country_table():
    """ISO 3166 codes, names and UN M49 regions, keyed by alpha-3 (sources/country_codes.csv)."""
    return {r["ISO3166-1-Alpha-3"]: r for r in read("country_codes.csv")}


def iso2_codes(countries):
    """ISO 3166 alpha-2 -> alpha-3."""
    return {r["ISO3166-1-Alpha-2"]: code for code, r in countries.items()}


def name_forms(row):
    """Every English name of a country the table gives: CLDR's display name, the official English
    short name and the UN terminology's short name (without its article and footnote marks)."""
    forms = {row["CLDR display name"], row["official_name_en"],
             re.sub(r" \(the\)| \*+$", "", row["UNTERM English Short"]).strip()}
    return sorted(f for f in forms if f)


def un_region(row):
    """The most detailed UN M49 region: the intermediate region where M49 has one, else the sub-region."""
    return row["Intermediate Region Name"] or row["Sub-region Name"]


def blocks(countries):
    """Members of each internacia-db block as alpha-3 codes (the EU's own entry as `EUU`); every
    entry read has the status `member` (the files list no observers)."""
    iso2 = iso2_codes(countries)
    out = {}
    for r in read("internacia_db_memberships.csv"):
        assert r["status"] == "member", r
        code = "EUU" if (r["iso2"], r["type"]) == ("EU", "organization") else iso2[r["iso2"]]
        out.setdefault(r["block"], set()).add(code)
    return out


def jurisdictions(countries):
    """UN members and observer states, the EU, and the other codes data/dyads.csv names."""
    observers = {r["iso3"]: r for r in read("un_observer_states.csv")}
    member_of = blocks(countries)
    members = member_of["UN"]
    assert len(members) == 193, len(members)
    assert not members & set(observers), members & set(observers)
    assert all(countries[c]["is_independent"] == "Yes" for c in members)
    # The EU's 27 as internacia-db lists them are the Member States of sources/eu_membership.csv on
    # the same date; the G20's 19 states and the EU are those of the 2015 list; the G7's 7 those of
    # the Charlevoix commitment.
    membership = {r["iso3"]: (r["member_from"], r["member_until"]) for r in read("eu_membership.csv")}
    eu = member_of["EU"]
    assert eu == eu_members_on(membership, "2025-12-20"), eu ^ eu_members_on(membership, "2025-12-20")
    g20 = member_of["G-20"]
    assert g20 - {"EUU"} == g20_members(), g20 ^ g20_members()
    g7 = member_of["G7"]
    assert g7 == {r["iso3"] for r in read("election_cooperation_ecne_g7rrm.csv") if r["source"].startswith("G7 Charlevoix")}
    # Council of Europe: internacia-db lists 47 members, one of which has ceased to be a member.
    ceased = {r["iso3"]: r for r in read("coe_membership_changes.csv")
              if r["value"] == "ceased to be a member" and r["date"] <= DATA_DATE}
    assert set(ceased) <= member_of["COE"]
    coe = member_of["COE"] - set(ceased)
    with open(os.path.join(HERE, "dyads.csv"), newline="", encoding="utf-8") as f:
        dyad_codes = {x for r in csv.DictReader(f) for x in (r["a"], r["b"])}
    others = sorted(dyad_codes - members - set(observers) - {"EUU"})
    read_what = (COUNTRY_CODES + " (code, name: official_name_en, UN M49 region); " + INTERNACIA
                 + "political/UN.yaml, economic/EU.yaml, political/COE.yaml, political/OECD.yaml, political/G7.yaml "
                 "and political/G-20.yaml (their `includes`, copied as sources/internacia_db_memberships.csv)")
    yn = lambda b: "yes" if b else "no"
    out = []
    for code in sorted(members | set(observers) | set(others)):
        r = countries[code]
        name = r["official_name_en"] or r["CLDR display name"]
        source = read_what
        if code in members:
            entity, note = "un_member", "UN member state (political/UN.yaml, status `member`)"
        elif code in observers:
            entity, name = "un_observer_state", observers[code]["name"]
            note = "UN non-member observer state: " + observers[code]["source"]
        else:
            entity = "other"
            note = "not a UN member or observer state; listed because data/dyads.csv names it"
        if code in ceased:
            c = ceased[code]
            source += f"; {c['source']} ({c['date']})"
            note += f"; not a Council of Europe member: it {c['value']} on {c['date']}"
        if code == "USA":
            source += "; US mutual legal assistance treaties complete per INCSR 2015 (dyads.csv)"
        out.append({
            "code": code, "name": name, "allow": "",
            "group:entity": entity,
            "group:un_region": un_region(r),
            "group:eu_member": yn(code in eu),
            "group:coe_member": yn(code in coe),
            "group:oecd_member": yn(code in member_of["OECD"]),
            "group:g7_member": yn(code in g7),
            "group:g20_member": yn(code in g20),
            "complete:mla_treaty": "yes" if code == "USA" else "",
            "source": source,
            "note": note,
        })
    out.append({
        "code": "EUU", "name": "European Union", "allow": "yes",
        "group:entity": "regional_organisation", "group:un_region": "", "group:eu_member": "",
        "group:coe_member": yn("EUU" in coe), "group:oecd_member": yn("EUU" in member_of["OECD"]),
        "group:g7_member": yn("EUU" in g7), "group:g20_member": yn("EUU" in g20),
        "complete:mla_treaty": "",
        "source": "not a state; its own supporter of the Paris Call; " + INTERNACIA + "political/G-20.yaml (the "
                  "European Union, type `organization`, status `member`), not in COE.yaml, OECD.yaml or G7.yaml",
        "note": "EUU is not in ISO 3166-1; allowed by the `allow` column",
    })
    out.sort(key=lambda r: r["code"])
    return out


def g20_members():
    return {r["iso3"] for r in read("ip_theft_commitment_g20_bilateral.csv")
            if r["value"] == "yes" and r["iso3"] != "EUU"}


# ---------------------------------------------------------------------------------------------
# Evidence


class Evidence:
    """Rows keyed by (jurisdiction, field, as_of): a second value for the same key is an error."""

    def __init__(self, codes):
        self.codes = set(codes)
        self.rows = {}

    def add(self, j, field, value, source, as_of="", note=""):
        assert j in self.codes, (j, field)
        assert source, (j, field)
        assert value != "no" or as_of, (j, field, "a no needs the status date of its complete list")
        key = (j, field, as_of)
        if key in self.rows:
            old = self.rows[key]
            assert old["value"] == value, (key, old["value"], value)
            return
        self.rows[key] = {"jurisdiction": j, "criterion": field, "value": value,
                          "source": source, "as_of": as_of, "note": note}

    def has(self, j, field):
        return any(k[0] == j and k[1] == field for k in self.rows)

    def sorted_rows(self):
        return [self.rows[k] for k in sorted(self.rows, key=lambda k: (k[0], k[1], k[2]))]


PARIS_SITE = ("Paris Call supporters list, site source ambanum/pariscall.international commit 916433b "
              "(2025-12-25), folder _supporters/")


def paris_call(ev, states):
    """A supporter is listed on the date its file first appears in the site's source history and on
    2025-12-25; the US and the EU joined on 2021-11-11 (the site's news block). The list of
    2025-12-25 is complete, so every other state is a `no` on that date."""
    first = {r["iso3"]: r for r in read("paris_call_first_listed.csv")}
    listed = set()
    for r in read("paris_call_state_supporters.csv"):
        code = r["iso3"] or "EUU"
        listed.add(code)
        # One row per list and date: the complete list of 2025-12-25 and, below, the first listing
        # (the earliest `yes` is the one that counts; a `yes` never grows stale).
        ev.add(code, "paris_call_supporter", "yes", PARIS_SITE, DATA_DATE,
               note="among the 81 states and the EU listed; the list is complete on 2025-12-25")
        if code in ("USA", "EUU"):
            ev.add(code, "paris_call_supporter", "2021-11-11",
                   PARIS_SITE + "; news block _includes/pages/texts/en/home/usa-eu-joigned.html",
                   note="joined on 2021-11-11 (date of joining)")
            continue
        f = first[code]
        ev.add(code, "paris_call_supporter", "yes",
               f"Paris Call site source ambanum/pariscall.international, commit {f['commit'][:7]} ({f['first_listed']}), {f['path']}",
               f["first_listed"],
               note=f"first commit of the site's source in which it is listed ('{f['name_in_source']}'); the "
                    "repository starts on 2019-09-16, so earlier support is not dated")
    for code in states - listed:
        ev.add(code, "paris_call_supporter", "no", PARIS_SITE, DATA_DATE,
               note="not among the 81 states and the EU listed; the list is complete on 2025-12-25")


COE_2011 = ("Council of Europe Treaty Office, notification JJ7249C Tr./185-67 of 2011-06-01, lists of Contracting "
            "and Signatory States (copy at doczz.fr/doc/5534207)")
COE_PARTIES_PAGE = ("Council of Europe Cybercrime page 'Who are the Parties' (coe.int/en/web/cybercrime/the-budapest-convention), "
                    "list of Parties read from 'Albania' to 'Kiribati', status on or after 2024-07-29")
INVIEW = ("Dutch treaty database via inview.nl 'Verdrag inzake de bestrijding van strafbare feiten verbonden met "
          "elektronische netwerken - Partijen en gegevens', list read from 'Albanie' to 'Moldavie', status on or after 2024-06-20")
# Names with English forms on both sides of 'Kiribati' that the country table does not give (The
# Gambia, The Bahamas, Swaziland, Plurinational State of Bolivia): their absence from a list cut
# there says nothing. (The table's own forms are checked too: Vatican City against Holy See.)
AMBIGUOUS_NAMES = {"GMB", "BHS", "SWZ", "BOL"}


def budapest(ev, states, countries):
    """ETS 185: the date of entry into force for each state, yes observations where only a status
    is known, and `no` from the complete lists of 2011-06-01 and 2024-07-29."""
    rows = read("budapest_ets185_parties_multi_source.csv")
    eif = {}  # code -> (date, source, kind)

    def put(code, date, source, kind):
        date = date if isinstance(date, str) else date.isoformat()
        if code in eif:
            assert eif[code][0] == date, (code, eif[code], date, source)
            eif[code] = (date, eif[code][1] + "; " + source, eif[code][2])
        else:
            eif[code] = (date, source, kind)

    contracting, signatory, page = set(), set(), set()
    deposits = {}
    also = {}  # code -> other rows on the same fact, for the note

    def other(code, text):
        also.setdefault(code, []).append(text)

    for r in rows:
        s, v, n = r["source"], r["value"], r["note"]
        if not s.startswith("inview.nl"):
            other(r["iso3"], f"{v} {r['date']}".strip() + f" ({short(s)})")
        if s.startswith("inview.nl"):
            put(r["iso3"], r["date"], "Dutch treaty database via inview.nl 'Partijen en gegevens' (status about Oct 2024)", "entry into force")
        elif "JJ7249C" in s and v in ("contracting state", "signatory, not party"):
            (contracting if v == "contracting state" else signatory).add(r["iso3"])
        elif "Status as of: 18/6/2004" in s and v == "ratified":
            put(r["iso3"], "2004-07-01", "Council of Europe chart, status 2004-06-18 (ratified " + r["date"] + ")", "entry into force")
        elif "Who are the Parties" in s:
            page.add(r["iso3"])
        elif "secondary" in v or v.startswith("committed") or v.startswith("parliamentary"):
            continue  # cross-checks only
        else:
            m = re.search(r"in force(?: for [A-Za-z ]+?)? (\d{4}-\d{2}-\d{2})", n) or \
                re.search(r"Entry into force: (\d{2})-(\d{2})-(\d{4})", n)
            if m and len(m.groups()) == 3:
                put(r["iso3"], f"{m[3]}-{m[2]}-{m[1]}", s, "entry into force")
            elif m:
                put(r["iso3"], m[1], s, "entry into force")
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"]) and v.startswith("acceded"):
                deposits[r["iso3"]] = (r["date"], s)
            elif re.fullmatch(r"\d{4}-\d{2}", r["date"]) and r["iso3"] == "SEN":
                # deposited in December 2016: whatever the day, art. 37(2) gives 2017-04-01
                put("SEN", entry_into_force(day(r["date"] + "-01")), s + "; " + ETS185_TEXT, "entry into force (derived)")
    for r in read("budapest_convention_ets185_coe_chart_2015-12-03_partial.csv"):
        other(r["iso3"], "CoE chart of 2015-12-03: signed " + r["signature_date"]
              + (", ratified " + r["ratification_date"] if r["ratification_date"] else ", not ratified"))
        if r["entry_into_force_date"]:
            put(r["iso3"], r["entry_into_force_date"], "Council of Europe chart of signatures and ratifications, status 2015-12-03", "entry into force")
    yes_obs = []
    for r in read("budapest_ets185_additions.csv"):
        if r["value"] == "other date":
            other(r["iso3"], f"{r['date']}: {r['note']} ({short(r['source'])})")
        elif r["value"] == "entry into force":
            put(r["iso3"], r["date"], r["source"], "entry into force")
        elif r["value"] == "deposit of ratification":
            deposits[r["iso3"]] = (r["date"], r["source"])
        else:
            yes_obs.append(r)
    for code, (d, s) in deposits.items():
        if code not in eif:
            put(code, entry_into_force(day(d)), s + f" (deposit {d}); " + ETS185_TEXT, "entry into force (derived)")
    # States contracting on 2011-06-01 whose date is not known: in force by 2011-10-01 at the latest.
    for code in sorted(contracting - set(eif)):
        yes_obs.append({"iso3": code, "date": "2011-10-01",
                        "source": COE_2011 + "; " + ETS185_TEXT,
                        "note": "listed as a Contracting State on 2011-06-01, so it had deposited by then and the "
                                "Convention was in force for it by 2011-10-01 at the latest; exact date not found"})
    for code, (d, s, kind) in sorted(eif.items()):
        rest = also.get(code, [])
        ev.add(code, "budapest_party", d, s,
               note=f"value = date the Convention entered into force for the state ({kind})"
                    + ("; other rows on this fact: " + "; ".join(rest) if rest else ""))
    # Where no date of entry into force is known, every observation "in force by" a date is kept,
    # one row per list and date: the engine reads the earliest, and a `yes` never grows stale
    # (Norway: in force by 2007-04-01, from a ratification of 2006, and again by the release of
    # 2025-07-09; Serbia and Slovenia: Contracting States in 2011, Parties in a list of 2012).
    # The Parties page of 2024-07-29 is one more such list for a state it names.
    for code in sorted(page - set(eif)):
        yes_obs.append({"iso3": code, "date": "2024-07-29", "source": COE_PARTIES_PAGE,
                        "note": "listed among the Parties"})
    for r in sorted(yes_obs, key=lambda r: (r["iso3"], r["date"])):
        assert r["iso3"] not in eif, r
        ev.add(r["iso3"], "budapest_party", "yes", r["source"], r["date"], note="in force by this date: " + r["note"])
    # `no` from the complete list of 2011-06-01: signatories and every state on neither list.
    for code in sorted(states):
        if code in contracting:
            continue
        d = eif.get(code)
        assert d is None or d[0] > "2011-06-01", (code, d)
        ev.add(code, "budapest_party", "no", COE_2011, "2011-06-01",
               note="Signatory State, not yet a Party" if code in signatory else "neither Contracting nor Signatory State on 2011-06-01")
    # `no` from the Parties page cut at 'Kiribati' (status on or after 2024-07-29).
    # Ecuador acceded after both lists, at a date not found: its absence is not carried forward.
    known_later = {"ECU"}
    covered = set()
    for code in sorted(states - known_later - page):
        if code in AMBIGUOUS_NAMES or any(fold(n) >= "kiribati" for n in name_forms(countries[code])):
            continue
        covered.add(code)
        d = eif.get(code)
        assert d is None or d[0] > "2024-07-29", (code, d, "listed elsewhere as in force but absent from the page")
        ev.add(code, "budapest_party", "no", COE_PARTIES_PAGE, "2024-07-29",
               note="not among the Parties listed before 'Kiribati' (its name sorts before the cut)")
    # `no` from the Dutch list cut after 'Moldavie' (status on or after 2024-06-20, when Benin, Fiji
    # and Kiribati, which it lists, acceded), for states whose Dutch name is attested in the Dutch
    # treaty database's own lists (sources/un_cybercrime_convention_signatories.csv).
    inview = {r["iso3"] for r in rows if r["source"].startswith("inview.nl")}
    dutch = {r["iso3"]: r["name_as_in_source"] for r in read("un_cybercrime_convention_signatories.csv")
             if r["source"].startswith("Dutch treaty database")}
    for code in sorted(states - known_later - covered - inview - page):
        if code in dutch and fold(dutch[code]) < "moldavie":
            d = eif.get(code)
            assert d is None or d[0] > "2024-06-20", (code, d)
            ev.add(code, "budapest_party", "no", INVIEW, "2024-06-20",
                   note=f"not among the Parties listed up to 'Moldavie' (Dutch name '{dutch[code]}', as the Dutch treaty "
                        "database writes it in sources/un_cybercrime_convention_signatories.csv, sorts before the cut)")
    return eif


CETS224 = ("Dutch treaty database, party table of CETS 224 (verdragen.nl/en/Treaty/Details/013833_p.html), complete, "
           "latest date in it 2025-11-14")


def protocol2(ev, states):
    signed = set()
    for r in read("budapest_cets224_signatures_complete.csv"):
        signed.add(r["iso3"])
        m = re.search(r"ratified (\d{4}-\d{2}-\d{2})", r["note"])
        ev.add(r["iso3"], "budapest_protocol2", r["date"], CETS224,
               note="value = date of signature" + (f"; ratified {m[1]}" if m else ""))
    for code in sorted(states - signed):
        ev.add(code, "budapest_protocol2", "no", CETS224, "2025-11-14",
               note="not among the signatories; the table is complete on 2025-11-14")


def wassenaar(ev, states, countries):
    """Participation observed in 2004 (BIS list of 33), at admissions, and on 2025-12-20 (42)."""
    now = blocks(countries)["WASSENAAR"]
    rows = read("wassenaar_participants.csv")
    site = {r["iso3"] for r in rows if r["value"] == "participating state"}
    assert now == site, now ^ site  # the 41 of wassenaar.org plus India
    src_now = ("datenoio/internacia-db WASSENAAR.yaml at commit 6f69d84 (2025-12-20), 42 participants, matching the "
               "41 of wassenaar.org/introduction plus India (admitted 2017-12-08)")
    in2004 = set()
    for r in rows:
        if r["value"] == "member":
            in2004.add(r["iso3"])
            ev.add(r["iso3"], "wassenaar_participant", "yes", r["source"] + " (captured 2004-10-15)", "2004-10-15",
                   note="one of the 33 members listed on the page captured on 2004-10-15")
        elif r["value"].startswith("admitted") or r["iso3"] == "IND" and r["date"]:
            ev.add(r["iso3"], "wassenaar_participant", "yes", r["source"], r["date"], note=r["note"])
    for code in sorted(now):
        ev.add(code, "wassenaar_participant", "yes", src_now, "2025-12-20", note="participating state")
    for code in sorted(states - now):
        ev.add(code, "wassenaar_participant", "no", src_now, "2025-12-20",
               note="not among the 42 participating states" + ("; Israel announced in 2006 it would abide by the Arrangement" if code == "ISR" else ""))
        if code not in in2004:
            ev.add(code, "wassenaar_participant", "no", next(r["source"] for r in rows if r["value"] == "member")
                   + " (captured 2004-10-15)", "2004-10-15", note="not among the 33 members listed on 2004-10-15")


def ip_theft(ev, states):
    rows = read("ip_theft_commitment_g20_bilateral.csv")
    g20 = [r for r in rows if r["value"] == "yes"]
    src = g20[0]["source"]
    commits = {}
    for r in g20:
        ev.add(r["iso3"], "g20_ip_theft_commitment", "2015-11-16", src,
               note="G20 member at Antalya: leaders' communique of 2015-11-16, para. 26 (value = date)")
        commits.setdefault(r["iso3"], []).append(("2015-11-16", "G20 Antalya communique para. 26", src))
    for r in rows:
        if r["value"].startswith("yes (bilateral"):
            src_b = r["source"] if not r["source"].startswith("same as") else \
                next(x["source"] for x in rows if x["iso3"] == r["source"].split()[2] and x["date"] == r["date"])
            commits.setdefault(r["iso3"], []).append((r["date"], r["value"][5:-1], src_b))
    for code in sorted(states - {r["iso3"] for r in g20}):
        ev.add(code, "g20_ip_theft_commitment", "no", src, "2015-11-16",
               note="not a G20 member in 2015; the G20 member list is complete")
    for code, cs in sorted(commits.items()):
        cs.sort()
        first = cs[0]
        ev.add(code, "ip_theft_commitment", "yes", first[2], first[0],
               note="; ".join(f"{c[1]} ({c[0]})" for c in cs))


G7_SRC = ("G7 Charlevoix Commitment on Defending Democracy from Foreign Threats (June 2018, dated 2018-06-30), quoted at "
          "cpcml.ca/Tmlw2019/Articles/W490033.HTM; G7 membership per carsonteuscher.com/G7")


def g7_rrm(ev, states):
    g7 = {r["iso3"] for r in read("election_cooperation_ecne_g7rrm.csv") if r["source"].startswith("G7 Charlevoix")}
    assert len(g7) == 7
    for code in sorted(g7):
        ev.add(code, "g7_rrm_commitment", "yes", G7_SRC, "2018-06-30",
               note="G7 leaders resolved at Charlevoix to establish the Rapid Response Mechanism; the summit's day is not "
                    "in the source, so dated to the end of June 2018")
        ev.add(code, "g7_rrm_commitment", "no", G7_SRC.replace("dated 2018-06-30", "not made by 2018-05-31"), "2018-05-31",
               note="the commitment was made in June 2018: no state had made it before")
    for code in sorted(states - g7):
        ev.add(code, "g7_rrm_commitment", "no", G7_SRC, "2018-06-30",
               note="not a G7 member; the commitment is the G7 leaders' (other participants in the Mechanism are not counted)")
    return g7


def eu_members_on(membership, date):
    return {c for c, (a, b) in membership.items() if a <= date and (not b or date <= b)}


def eu_law(ev, states):
    membership = {r["iso3"]: (r["member_from"], r["member_until"]) for r in read("eu_membership.csv")}
    law = {r["key"]: r for r in read("eu_law_dates.csv")}
    eea = {"ISL", "LIE", "NOR"}  # EEA states outside the EU: whether these acts apply to them is not recorded
    mem_src = ("EU membership with its dates: sources/eu_membership.csv (Eurostat glossary 'EU enlargements'; EUR-Lex: the UK "
               "a third country as of 2020-02-01)")
    now = eu_members_on(membership, "2025-12-20")
    g7 = set()

    def network(field, start_key, list_key, start_date):
        start, listed = dict(law[start_key]), dict(law[list_key])
        start["source"] += f" (dated {start['date']})"
        listed["source"] += f" (list of {listed['date']})"
        members = eu_members_on(membership, start_date)
        for code in sorted(states):
            if code in members:
                ev.add(code, field, "yes", start["source"] + "; " + mem_src, start_date,
                       note="EU Member State on this date: " + start["note"])
            else:
                ev.add(code, field, "no", start["source"] + "; " + mem_src, start_date,
                       note="not an EU Member State on this date")
        for code, (a, b) in membership.items():
            if b and b >= start_date:
                left = (day(b) + dt.timedelta(days=1)).isoformat()
                ev.add(code, field, "no", mem_src, left, note="no longer an EU Member State")
        for code in sorted(states):
            ev.add(code, field, "yes" if code in now else "no", listed["source"], listed["date"], note=listed["note"])

    network("eu_csirts_network", "eu_csirts_network_established", "eu_csirts_network_members_listed", law["eu_csirts_network_established"]["date"])
    network("eu_ecne_member", "eu_ecne_inaugurated", "eu_ecne_members_listed", law["eu_ecne_inaugurated"]["date"])
    listed = law["eu_members_listed"]
    for field, key in (("eu_nis2_applies", "eu_nis2_applies"), ("eu_cra_applies", "eu_cra_reporting_applies")):
        r = law[key]
        for code in sorted(states):
            if code in now:
                a = membership[code][0]
                assert a <= r["date"]
                ev.add(code, field, r["date"], r["source"] + "; " + mem_src,
                       note="EU Member State; value = date the act applies: " + r["note"])
            elif code not in eea:
                ev.add(code, field, "no", listed["source"] + "; " + mem_src, listed["date"],
                       note="not an EU Member State on the date of the complete member list")
    # The deep rubric's national_csirt: a member of a regional network.
    for code in sorted(now):
        ev.add(code, "national_csirt", "international", law["eu_csirts_network_members_listed"]["source"], "2025-09-30",
               note="national CSIRT(s) listed as EU CSIRTs Network members; FIRST membership not checked")
    return membership


def election_cooperation(ev, membership, g7):
    """The deep rubric's question: takes part in an international mechanism (G7 RRM, ECNE)."""
    ecne = eu_members_on(membership, "2019-01-21")
    for code in sorted(g7 | ecne):
        if code in g7:
            ev.add(code, "election_cooperation", "yes", G7_SRC, "2018-06-30", note="G7 Rapid Response Mechanism (Charlevoix, June 2018)"
                   + ("; also in the European Cooperation Network on Elections" if code in ecne else ""))
        else:
            ev.add(code, "election_cooperation", "yes", "European Commission, European Cooperation Network on Elections page "
                   "(network inaugurated 2019-01-21); sources/eu_membership.csv", "2019-01-21", note="EU Member State when the network was inaugurated (2019-01-21)")


def partial_lists(ev):
    """Lists that are partial: their rows say yes (or a level) where a source says so; no `no`."""
    for f in ("contact_point_24_7_declarations.csv", "contact_point_24_7_additions.csv"):
        for r in read(f):
            if not r["date"]:
                continue  # Senegal: the declaration's content is not shown
            ev.add(r["iso3"], "contact_point_24_7", "yes", r["source"], r["date"], note="Article 35 designation: " + r["note"])
    firsts = {}
    for r in read("international_law_position_partial.csv"):
        if not r["date"]:
            continue
        d = r["date"] if len(r["date"]) == 10 else month_end(r["date"])
        firsts.setdefault(r["iso3"], []).append((d, r["source"], r["name_as_in_source"]))
    for code, xs in sorted(firsts.items()):
        xs.sort()
        ev.add(code, "international_law_position", "yes", xs[0][1], xs[0][0],
               note="published a national position on international law in cyberspace by this date"
                    + ("; also " + "; ".join(f"{x[2]} ({x[0]})" for x in xs[1:]) if len(xs) > 1 else ""))
    latest = {}
    for r in read("nationals_extraditable_partial.csv"):
        if "inferred" in r["value"] or "secondary" in r["value"]:
            continue  # readings the source itself marks as inferred or secondary
        d = r["date"] if len(r["date"]) == 10 else month_end(r["date"])
        latest.setdefault(r["iso3"], []).append((d, r["value"], r["source"], r["note"]))
    for code, xs in sorted(latest.items()):
        xs.sort()
        d, v, s, n = xs[-1]
        ev.add(code, "nationals_extraditable", v, s, d,
               note=n + ("; earlier: " + "; ".join(f"{x[1]} ({x[0]})" for x in xs[:-1]) if len(xs) > 1 else ""))
    gfce = read("capacity_building_gfce_partial.csv")
    for r in gfce:
        if r["iso3"] == "USA":
            ev.add("USA", "capacity_building", "yes", r["source"], "2015-04-30",
                   note="founding member of the GFCE, launched in April 2015 (GCCS2015); a presidential memorandum of "
                        "2026-01-07 ordered withdrawal (not coded: ordered, not effective)")
        else:
            ev.add(r["iso3"], "capacity_building", "yes", r["source"], month_end(r["date"]), note="GFCE member: " + r["note"])
    for r in read("pall_mall_code_partial.csv"):
        if r["date"]:
            ev.add(r["iso3"], "pall_mall_code", "yes", r["source"], r["date"], note=r["note"])
    for r in read("product_security_law.csv"):
        if r["date"] > DATA_DATE:
            continue  # the EU's Cyber Resilience Act rows apply from 2027-12-11 (eu_cra_applies carries the EU act)
        ev.add(r["iso3"], "product_security_law", r["value"], r["source"], r["date"], note=r["note"])


UN_SRC = "UN Convention against Cybercrime (2024), signatures"


def un_convention(ev):
    """Signatures are carried as their dates; the list of signatories is not complete (no `no`)."""
    seen = {}
    for f in ("un_cybercrime_convention_signatories.csv", "un_cybercrime_convention_additions.csv"):
        for r in read(f):
            if r["value"] != "signed":
                continue
            seen.setdefault(r["iso3"], []).append(r)
    for code, rs in sorted(seen.items()):
        dates = sorted({r["date"] for r in rs})
        if any(r["source"].startswith(("UN Treaty", "Dutch treaty")) for r in rs):
            official = [r for r in rs if r["source"].startswith(("UN Treaty", "Dutch treaty"))]
            assert len({r["date"] for r in official}) == 1, (code, official)
            ev.add(code, "un_cybercrime_signature", official[0]["date"], official[0]["source"],
                   note="value = date of signature" + ("; also listed by " + "; ".join(short(r["source"]) for r in official[1:]) if len(official) > 1 else ""))
        else:
            ev.add(code, "un_cybercrime_signature", "yes", rs[0]["source"], dates[-1], note="signed by this date: " + rs[0]["note"])


def build():
    countries = country_table()
    juris = jurisdictions(countries)
    codes = [j["code"] for j in juris]
    states = {j["code"] for j in juris if j["group:entity"] in ("un_member", "un_observer_state")}
    ev = Evidence(codes)
    paris_call(ev, states)
    budapest(ev, states, countries)
    protocol2(ev, states)
    wassenaar(ev, states, countries)
    ip_theft(ev, states)
    g7 = g7_rrm(ev, states)
    membership = eu_law(ev, states)
    election_cooperation(ev, membership, g7)
    partial_lists(ev)
    un_convention(ev)
    return juris, ev.sorted_rows()


def to_csv(rows, header):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main():
    juris, evidence = build()
    outputs = {
        "jurisdictions.csv": to_csv(juris, list(juris[0].keys())),
        "evidence.csv": to_csv(evidence, ["jurisdiction", "criterion", "value", "source", "as_of", "note"]),
    }
    check = "--check" in sys.argv[1:]
    stale = []
    for name, text in outputs.items():
        path = os.path.join(HERE, name)
        if check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(name)
        else:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
    if stale:
        sys.exit("out of date (run python3 data/build.py): " + ", ".join(stale))
    print(f"{len(juris)} jurisdictions, {len(evidence)} evidence rows" + (" (up to date)" if check else ""))


if __name__ == "__main__":
    main()

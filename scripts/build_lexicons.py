"""Rebuild drugs.jsonl.gz and conditions.jsonl.gz from their sources (see docs/lexicons.md)."""

from __future__ import annotations

import argparse
import bz2
import collections
import gzip
import importlib.util
import json
import pickle
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wordfreq import zipf_frequency

from evidence_miner.extract.lexicons import fold_term, parse_stoplist

EXAMPLES = """needs: pip install -e '.[build-lexicons]'
example: python scripts/build_lexicons.py --limit 200 --out-dir /tmp/lex"""
REPO = Path(__file__).resolve().parents[1]
PACKAGE_DATA = REPO / "src/evidence_miner/extract/lexicon_data"
DNER_PICKLE = "drug_ner_dictionary.pkl.bz2"
BC5CDR_FILES = ("CDR_TrainingSet.PubTator.txt", "CDR_DevelopmentSet.PubTator.txt")

# A single word at or above this Zipf frequency (wordfreq, English) is ordinary English.
DRUG_WORD_ZIPF = 3.4
BARE_DRUG_WORD_ZIPF = 2.5  # no structure, MeSH tree or leaflet: foods, allergen extracts
SHORT_TERM_ZIPF = 2.5  # terms of 4 characters or fewer
PHRASE_WORD_ZIPF = 3.5  # a phrase all of whose words are at least this common is ordinary
CONDITION_WORD_ZIPF = 4.0
ACRONYM_WORD_ZIPF = 4.0  # an acronym that is also a common word ("CAN", "ALL") is dropped
SHORT_CONDITION_ZIPF = 3.0  # a lowercase condition word of 4 characters or fewer ("rage")
MAX_TERM_CHARS = 60
MAX_TERM_WORDS = 6
FORM_WORDS = r"buccal|patch|sublingual|injection|nasal|ophthalmic|otic|topical|transdermal|implant"
FORM_RE = re.compile(rf" \([^)]*\)$|-[a-z]{{4}}$| (?:{FORM_WORDS})(?: and buccal)?$")
PLURAL_HEADS = {
    "tumor": "tumors", "tumour": "tumours", "cancer": "cancers", "infection": "infections",
    "disorder": "disorders", "disease": "diseases", "syndrome": "syndromes", "allergy": "allergies",
    "migraine": "migraines", "ulcer": "ulcers", "cyst": "cysts", "fracture": "fractures",
    "seizure": "seizures", "carcinoma": "carcinomas", "lymphoma": "lymphomas", "stone": "stones",
    "neoplasm": "neoplasms", "sarcoma": "sarcomas", "aneurysm": "aneurysms", "polyp": "polyps",
}  # fmt: skip


@dataclass
class Draft:
    """An entry being built: name, ids and surface terms in first-seen order."""

    name: str
    ids: dict[str, str] = field(default_factory=dict)
    terms: dict[str, None] = field(default_factory=dict)
    bare: bool = False


@dataclass(frozen=True)
class Rules:
    """Curated word lists that decide which terms are kept."""

    drug_stop: frozenset[str]
    drug_allow: frozenset[str]
    condition_stop: frozenset[str]
    condition_stop_exact: frozenset[str]
    condition_allow: frozenset[str]


# --- shared term rules -------------------------------------------------------------------------


def zipf(word: str) -> float:
    return zipf_frequency(word, "en")


def is_abbreviation(surface: str) -> bool:
    """'IVIg', 'COPD', 'SSRIs', 'GvHD': two capitals or more and no run of three lowercase."""
    capitals = sum(c.isupper() for c in surface)
    return capitals >= 2 and not re.search(r"[a-z]{3}", surface)


def is_ordinary_phrase(term: str, word_zipf: float) -> bool:
    """Ordinary English: a common word, or a phrase of common words, letters and numbers."""
    words = [w for w in re.split(r"[\s\-/,.]+", term.lower()) if w]
    if len(words) == 1:
        return words[0].isalpha() and zipf(words[0]) >= word_zipf
    alpha = [w for w in words if w.isalpha() and len(w) > 1]
    others_trivial = all(w.isdigit() or len(w) == 1 for w in words if w not in alpha)
    return bool(alpha) and others_trivial and all(zipf(w) >= PHRASE_WORD_ZIPF for w in alpha)


def is_unusable(term: str) -> bool:
    """Too short, too long, no letters, or a MeSH inverted form ('water, heavy')."""
    inverted = ", " in term and " and " not in term
    too_long = len(term) > MAX_TERM_CHARS or term.count(" ") >= MAX_TERM_WORDS
    return len(term) < 3 or too_long or inverted or not re.search("[a-zA-Z]", term)


def short_forms(term: str, *, is_word: bool) -> list[str]:
    """Case-sensitive surfaces of a short term. A lowercase word ('gout') gives 'gout', 'Gout';
    a package term whose case was lost ('edta', 'ofev') gives 'EDTA', 'Edta' and 'OFEV', 'Ofev'."""
    if term != term.lower():
        return [term]
    title = term[0].upper() + term[1:]
    if is_word:
        return [term, title]
    return [term.upper()] if re.search(r"[\d\-]", term) else [term.upper(), title]


# --- drugs ---------------------------------------------------------------------------------------


def read_dner_data() -> dict:
    """The data dict shipped in drug-named-entity-recognition, read without importing it."""
    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            "drug-named-entity-recognition is not installed: pip install -e '.[build-lexicons]'"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / DNER_PICKLE
    with bz2.open(path, "rb") as f:
        return pickle.load(f)  # a data file of the pinned, installed package


def is_vaccine_heading(data: dict) -> bool:
    return any(tree.startswith("D20.215.894") for tree in data.get("mesh_tree", ()))


def is_bare(data: dict) -> bool:
    return not any(k in data for k in ("smiles", "mesh_tree", "medline_plus_id", "nhs_url"))


def to_drug_draft(canonical: str, data: dict) -> Draft | None:
    """A draft for a DrugBank, MedlinePlus or NHS drug, or a MeSH vaccine heading; else None."""
    clinical = any(k in data for k in ("drugbank_id", "medline_plus_id", "nhs_url"))
    if not clinical and not is_vaccine_heading(data):
        return None
    name = re.sub(r" vaccines$", " vaccine", canonical)
    draft = Draft(name, bare=is_bare(data))
    if "drugbank_id" in data:
        draft.ids["drugbank"] = data["drugbank_id"]
    if "medline_plus_id" in data:
        draft.ids["medlineplus"] = data["medline_plus_id"]
    draft.terms.update(dict.fromkeys([canonical, name, *data.get("synonyms", ())]))
    return draft


def read_package_drugs(data: dict, limit: int | None) -> dict[str, Draft]:
    canonicals = sorted(data["drug_canonical_to_data"])[:limit]
    drafts = {}
    for canonical in canonicals:
        draft = to_drug_draft(canonical, data["drug_canonical_to_data"][canonical])
        if draft:
            drafts[canonical] = draft
    for variant, targets in sorted(data["drug_variant_to_canonical"].items()):
        for target in targets:
            if target in drafts:
                drafts[target].terms[variant] = None
    return drafts


def merge_draft(into: Draft, other: Draft) -> None:
    into.terms.update(other.terms)
    into.ids = into.ids | {k: v for k, v in other.ids.items() if k not in into.ids}
    into.bare = into.bare and other.bare


def merge_by_name(drafts: Iterable[tuple[str, Draft]]) -> dict[str, Draft]:
    """Drafts keyed by their final name; drafts that share a name become one."""
    merged: dict[str, Draft] = {}
    for name, draft in drafts:
        if name in merged:
            merge_draft(merged[name], draft)
        else:
            draft.name = name
            merged[name] = draft
    return merged


def base_name(name: str, names: set[str]) -> str:
    """'alemtuzumab (multiple sclerosis)', 'burosumab-twza', 'capsaicin patch' -> the base drug."""
    base = FORM_RE.sub("", name)
    return base if base in names else name


def rename_by_extras(drafts: dict[str, Draft], extras: list[dict]) -> dict[str, Draft]:
    """Curated drugs take over package drugs with their DrugBank id or named in 'absorbs';
    the rest go under their base name ('burosumab-twza' -> 'burosumab') when that drug exists."""
    names = {draft.name for draft in drafts.values()}
    renames = {key: base_name(draft.name, names) for key, draft in drafts.items()}
    for extra in (e for e in extras if e.get("kind") == "drug"):
        for key, draft in drafts.items():
            if takes_over(extra, key, draft):
                renames[key] = extra["name"]
    ordered = sorted(drafts.items(), key=lambda item: (renames[item[0]] != item[1].name, item[0]))
    return merge_by_name((renames[key], draft) for key, draft in ordered)


def takes_over(extra: dict, key: str, draft: Draft) -> bool:
    drugbank = extra.get("ids", {}).get("drugbank")
    absorbed = key in extra.get("absorbs", ()) or draft.name in extra.get("absorbs", ())
    return absorbed or (drugbank is not None and draft.ids.get("drugbank") == drugbank)


def read_bc5cdr_mentions(data_dir: Path, kind: str) -> dict[str, collections.Counter]:
    """Mention text -> MeSH descriptor id counts, for one entity type of BC5CDR train + dev."""
    seen: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for name in BC5CDR_FILES:
        for line in (data_dir / "bc5cdr/pubtator" / name).read_text("utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) >= 6 and cols[4] == kind and re.fullmatch(r"D\d{6,9}", cols[5]):
                seen[" ".join(cols[3].split())][cols[5]] += 1
    return seen


def read_bc5cdr_mesh(data_dir: Path) -> dict[str, str]:
    """Folded chemical mention -> MeSH descriptor id, where train+dev annotators always agree."""
    folded: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for text, ids in read_bc5cdr_mentions(data_dir, "Chemical").items():
        folded[fold_term(text)].update(ids)
    return {text: ids.most_common(1)[0][0] for text, ids in folded.items() if len(ids) == 1}


def add_mesh_ids(drafts: dict[str, Draft], mesh: dict[str, str]) -> int:
    """Give a drug the MeSH id annotated for its name, or for its terms when they all agree."""
    added = 0
    for draft in drafts.values():
        own = mesh.get(fold_term(draft.name))
        found = {mesh[k] for k in map(fold_term, draft.terms) if k in mesh}
        mesh_id = own or (found.pop() if len(found) == 1 else None)
        if mesh_id and "mesh" not in draft.ids:
            draft.ids["mesh"] = mesh_id
            added += 1
    return added


def classify_drug_term(term: str, draft: Draft, rules: Rules) -> tuple[list[str], list[str]]:
    """(case-insensitive terms, case-sensitive surfaces) kept for one package surface."""
    term = " ".join(term.split())
    folded = fold_term(term)
    if is_unusable(term) or folded in rules.drug_stop:
        return [], []
    allowed = folded in rules.drug_allow
    if len(term) <= 4:
        ordinary = term.isalpha() and zipf(term) >= SHORT_TERM_ZIPF and not allowed
        return [], ([] if ordinary else short_forms(term, is_word=False))
    word_zipf = BARE_DRUG_WORD_ZIPF if draft.bare else DRUG_WORD_ZIPF
    if not allowed and is_ordinary_phrase(term, word_zipf):
        return [], []
    return [term], []


def to_drug_row(draft: Draft, rules: Rules) -> dict | None:
    terms, cs_terms = {}, {}
    for term in draft.terms:
        ci, cs = classify_drug_term(term, draft, rules)
        terms.update(dict.fromkeys(ci))
        cs_terms.update(dict.fromkeys(cs))
    if not terms and not cs_terms:
        return None
    row = {"name": draft.name, "kind": "drug", "ids": dict(sorted(draft.ids.items()))}
    return row | {
        "terms": sorted(terms, key=lambda t: (t != draft.name, t)),
        "cs_terms": sorted(cs_terms),
    }


def build_drug_rows(data_dir: Path, limit: int | None, rules: Rules) -> tuple[list[dict], dict]:
    extras = read_jsonl(PACKAGE_DATA / "drugs_extra.jsonl")
    drafts = rename_by_extras(read_package_drugs(read_dner_data(), limit), extras)
    mesh_added = add_mesh_ids(drafts, read_bc5cdr_mesh(data_dir))
    rows = [
        r for d in sorted(drafts.values(), key=lambda d: d.name) if (r := to_drug_row(d, rules))
    ]
    curated = extras + read_jsonl(PACKAGE_DATA / "drug_classes.jsonl")
    released = drop_claimed(rows, curated, key_field=lambda row: row["name"])
    rows = [row for row in rows if row["terms"] or row["cs_terms"]]
    return rows, {
        "drug entries": len(rows),
        "drug MeSH ids from BC5CDR": mesh_added,
        "drug terms left to curated entries": released,
    }


# --- conditions ----------------------------------------------------------------------------------


def read_obo_terms(path: Path, limit: int | None) -> Iterator[dict]:
    """Live [Term] stanzas of doid.obo: id, name, EXACT synonyms, MESH and UMLS_CUI xrefs."""
    stanza: dict | None = None
    count = 0
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if line.startswith("["):
                if stanza and not stanza.get("obsolete") and "id" in stanza:
                    count += 1
                    yield stanza
                if limit is not None and count >= limit:
                    return
                stanza = {"synonyms": [], "xrefs": []} if line == "[Term]" else None
            elif stanza is not None:
                read_obo_line(stanza, line)
    if stanza and not stanza.get("obsolete") and "id" in stanza:
        yield stanza


def read_obo_line(stanza: dict, line: str) -> None:
    tag, _, value = line.partition(": ")
    if tag in ("id", "name"):
        stanza[tag] = value
    elif tag == "synonym" and (found := re.match(r'"(.*)" EXACT', value)):
        stanza["synonyms"].append(found.group(1).replace('\\"', '"'))
    elif tag == "xref":
        stanza["xrefs"].append(value.split(" ", 1)[0])
    elif tag == "is_obsolete" and value == "true":
        stanza["obsolete"] = True


def read_tsv(path: Path) -> Iterator[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            yield [cell.strip('"') for cell in line.rstrip("\n").split("\t")]


def first_xrefs(xrefs: Iterable[str]) -> dict[str, str]:
    """The first MESH and UMLS_CUI xref, as {"mesh": ..., "umls": ...}."""
    ids: dict[str, str] = {}
    for xref in xrefs:
        prefix, _, value = xref.partition(":")
        vocabulary = {"MESH": "mesh", "UMLS_CUI": "umls"}.get(prefix)
        if vocabulary and value:
            ids.setdefault(vocabulary, value)
    return ids


def read_condition_drafts(data_dir: Path, limit: int | None) -> tuple[dict[str, Draft], dict]:
    """Live DOIDs of the 2026 labels, with 2024 OBO synonyms and 2026-then-2024 xrefs."""
    folder = data_dir / "disease-ontology"
    labels = {row[0]: row[1] for row in read_tsv(folder / "HumanDO-labels-v2026-07-31.tsv.gz")}
    xrefs: dict[str, list[str]] = collections.defaultdict(list)
    for doid, _, xref in read_tsv(folder / "allXREFinDO-v2026-07-31.tsv.gz"):
        xrefs[doid].append(xref.replace("MIM:", "OMIM:"))
    drafts, retired = {}, 0
    for stanza in read_obo_terms(folder / "doid.obo.gz", limit):
        doid = stanza["id"]
        if doid not in labels:
            retired += 1
            continue
        draft = Draft(labels[doid], ids={"doid": doid} | first_xrefs(xrefs[doid] + stanza["xrefs"]))
        draft.terms.update(dict.fromkeys([labels[doid], stanza["name"], *stanza["synonyms"]]))
        drafts[doid] = draft
    new = [doid for doid in labels if doid not in drafts] if limit is None else []
    for doid in new:
        drafts[doid] = Draft(
            labels[doid], {"doid": doid} | first_xrefs(xrefs[doid]), {labels[doid]: None}
        )
    return drafts, {
        "DO terms live in 2024 but gone in 2026": retired,
        "DO terms new in 2026": len(new),
    }


def classify_condition_term(
    term: str, rules: Rules, *, notable: bool
) -> tuple[list[str], list[str]]:
    """(case-insensitive terms, case-sensitive surfaces) kept for one Disease Ontology surface.
    Three-letter acronyms are kept only for notable conditions (with a MeSH descriptor)."""
    term = " ".join(term.split())
    folded = fold_term(term)
    if is_unusable(term) or folded in rules.condition_stop or term in rules.condition_stop_exact:
        return [], []
    allowed = folded in rules.condition_allow
    if is_abbreviation(term) and not (len(term) > 4 and re.search(r"\d", term)):
        letters = re.sub(r"[^A-Za-z0-9]", "", term)
        common = zipf(letters.lower()) >= ACRONYM_WORD_ZIPF
        obscure = len(letters) < 3 or (len(letters) == 3 and not notable)
        return [], ([] if (common or obscure) and not allowed else [term])
    if len(term) <= 4:
        common = zipf(term) >= SHORT_CONDITION_ZIPF and not allowed
        return [], ([] if common else short_forms(term, is_word=True))
    if " " not in term and zipf(term) >= CONDITION_WORD_ZIPF and not allowed:
        return [], []
    return [term, *plural_forms(term)], []


def plural_forms(term: str) -> list[str]:
    """'breast cancer' -> 'breast cancers': the plural of a known head noun at the end."""
    head = term.rsplit(" ", 1)[-1]
    plural = PLURAL_HEADS.get(head.lower())
    return [term[: len(term) - len(head)] + plural] if plural else []


def to_condition_row(draft: Draft, rules: Rules) -> dict:
    terms, cs_terms = {}, {}
    notable = draft.ids.get("mesh", "").startswith("D")
    for term in draft.terms:
        ci, cs = classify_condition_term(term, rules, notable=notable)
        terms.update(dict.fromkeys(ci))
        cs_terms.update(dict.fromkeys(cs))
    row = {"name": draft.name, "kind": "condition", "ids": draft.ids}
    return row | {"terms": list(terms), "cs_terms": list(cs_terms)}


def drop_ambiguous_acronyms(rows: list[dict]) -> int:
    """A case-sensitive surface naming two or more conditions names none of them."""
    owners = collections.Counter(s for row in rows for s in set(row["cs_terms"]))
    dropped = 0
    for row in rows:
        kept = [s for s in row["cs_terms"] if owners[s] == 1 or not is_abbreviation(s)]
        dropped += len(row["cs_terms"]) - len(kept)
        row["cs_terms"] = kept
    return dropped


def build_condition_rows(
    data_dir: Path, limit: int | None, rules: Rules
) -> tuple[list[dict], dict]:
    drafts, counts = read_condition_drafts(data_dir, limit)
    rows = [to_condition_row(drafts[doid], rules) for doid in sorted(drafts, key=doid_number)]
    curated = read_jsonl(PACKAGE_DATA / "conditions_extra.jsonl")
    counts["condition terms left to curated entries"] = drop_claimed(
        rows, curated, key_field=lambda row: row["ids"]["doid"]
    )  # generated rows always have a DOID
    counts["ambiguous acronyms dropped"] = drop_ambiguous_acronyms(rows)
    rows = [row for row in rows if row["terms"] or row["cs_terms"]]
    return rows, counts | {"condition entries": len(rows)}


def drop_claimed(rows: list[dict], curated: list[dict], *, key_field) -> int:
    """A term a curated entry lists belongs to that entry alone: other rows lose it."""
    claims = {}
    for entry in curated:
        doid = entry.get("ids", {}).get("doid") if entry["kind"] == "condition" else None
        key = entry.get("key") or doid or entry["name"]
        claims.update({fold_term(t): key for t in entry.get("terms", ())})
        claims.update({s: key for s in entry.get("cs_terms", ())})
    dropped = 0
    for row in rows:
        key = key_field(row)
        terms = [t for t in row["terms"] if claims.get(fold_term(t), key) == key]
        cs_terms = [s for s in row["cs_terms"] if claims.get(s, key) == key]
        dropped += len(row["terms"]) + len(row["cs_terms"]) - len(terms) - len(cs_terms)
        row["terms"], row["cs_terms"] = terms, cs_terms
    return dropped


def doid_number(doid: str) -> int:
    return int(doid.split(":")[1])


# --- files ---------------------------------------------------------------------------------------


def read_lines(path: Path) -> list[str]:
    lines = path.read_text("utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("//")]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in read_lines(path)]


def read_word_list(path: Path) -> frozenset[str]:
    return parse_stoplist(path.read_text("utf-8")).folded


def read_rules(folder: Path) -> Rules:
    condition_stop = parse_stoplist((folder / "condition_stoplist.txt").read_text("utf-8"))
    return Rules(
        drug_stop=read_word_list(folder / "drug_stoplist.txt"),
        drug_allow=read_word_list(folder / "drug_allowlist.txt"),
        condition_stop=condition_stop.folded,
        condition_stop_exact=condition_stop.exact,
        condition_allow=read_word_list(folder / "condition_allowlist.txt"),
    )


def write_jsonl_gz(path: Path, rows: list[dict]) -> int:
    """Deterministic output: one sorted-key JSON object a line, gzip with mtime 0."""
    text = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out,
    ):
        out.write(text.encode("utf-8"))
    return path.stat().st_size


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared/data")
    parser.add_argument("--out-dir", type=Path, default=PACKAGE_DATA)
    parser.add_argument("--limit", type=int, default=None, help="only the first N source entries")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    rules = read_rules(PACKAGE_DATA)
    drugs, drug_counts = build_drug_rows(args.data_dir, args.limit, rules)
    conditions, condition_counts = build_condition_rows(args.data_dir, args.limit, rules)
    sizes = {
        "drugs.jsonl.gz bytes": write_jsonl_gz(args.out_dir / "drugs.jsonl.gz", drugs),
        "conditions.jsonl.gz bytes": write_jsonl_gz(
            args.out_dir / "conditions.jsonl.gz", conditions
        ),
    }
    terms = {
        "drug terms": sum(len(r["terms"]) + len(r["cs_terms"]) for r in drugs),
        "condition terms": sum(len(r["terms"]) + len(r["cs_terms"]) for r in conditions),
    }
    for label, value in (drug_counts | condition_counts | terms | sizes).items():
        print(f"{label}: {value:,}")


if __name__ == "__main__":
    main()

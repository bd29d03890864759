"""Drug, drug-class and condition lexicons: load and validate them, fold terms, look up, match."""

from __future__ import annotations

import gzip
import json
import logging
import marshal
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType

from spacy.attrs import IDX, IS_SPACE, LENGTH, ORTH
from spacy.language import Language
from spacy.tokens import Doc

from evidence_miner import disk_cache
from evidence_miner.errors import ExtractionError
from evidence_miner.lang import load_pack

log = logging.getLogger(__name__)

DATA_DIR = "lexicon_data"
DRUG_FILES = ("drugs_extra.jsonl", "drug_classes.jsonl", "drugs.jsonl.gz")
DRUG_STOPLIST = "drug_stoplist.txt"
CONDITION_FILES = ("conditions_extra.jsonl", "conditions.jsonl.gz")
CONDITION_STOPLIST = "condition_stoplist.txt"
ENTRY_FIELDS = {"key", "name", "kind", "ids", "terms", "cs_terms", "members", "source", "absorbs"}
KINDS = {"drug", "drug_class", "placebo", "condition"}
ID_VOCABULARIES = {"drugbank", "mesh", "umls", "doid", "medlineplus", "rxnorm", "atc", "icd10cm"}
MAX_TERM_TOKENS = 16

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": "",
        "\u00ae": "",
        "\u2122": "",
        "\u00a9": "",
        "\u03b1": "alpha",
        "\u03b2": "beta",
        "\u03b3": "gamma",
        "\u03b4": "delta",
        "\u03ba": "kappa",
        "\u03bb": "lambda",
        "\u03bc": "mu",
        "\u00b5": "mu",
        "\u00f8": "o",
        "\u00e6": "ae",
        "\u0153": "oe",
        "\u00df": "ss",
        "\u0131": "i",
        "\u0142": "l",
    }
)
# British spellings folded to American ones (a table of the default language pack's words.toml;
# lexicons are built and matched with it, so it is part of the lexicon cache's key).
_BRITISH = load_pack().word_map("british_spellings")
_BRITISH_RE = re.compile("|".join(sorted(_BRITISH, key=len, reverse=True)))
_POSSESSIVE_RE = re.compile(r"(?<=[a-z0-9])'s\b")
_SPACES_RE = re.compile(r"\s+")
_HYPHEN_RE = re.compile(r" ?- ?")


def fold_term(text: str) -> str:
    """The matching key: lowercase, accents and British spellings folded, quotes straightened,
    possessive 's dropped, whitespace collapsed, no spaces around hyphens."""
    text = text.lower().translate(_CHAR_MAP)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = _BRITISH_RE.sub(lambda m: _BRITISH[m.group()], text)
    text = _POSSESSIVE_RE.sub("", text)
    text = _SPACES_RE.sub(" ", text).strip()
    return _HYPHEN_RE.sub("-", text)


def normalise_surface(text: str) -> str:
    """The case-sensitive matching form: quotes straightened, whitespace collapsed, case kept."""
    return " ".join(text.translate(_CHAR_MAP).split())


@dataclass(frozen=True)
class LexiconEntry:
    """One concept: a generic drug, a drug class, a placebo kind or a Disease Ontology condition."""

    key: str
    name: str
    kind: str  # "drug" | "drug_class" | "placebo" | "condition"
    ids: Mapping[str, str] = field(hash=False)
    is_class: bool
    members: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


class Lexicon:
    """Entries by key, plus folded terms and exact case-sensitive surfaces pointing at them."""

    def __init__(
        self,
        entries: Mapping[str, LexiconEntry],
        terms: dict[str, tuple[str, ...]],
        case_sensitive_terms: dict[str, tuple[str, ...]],
    ) -> None:
        self.entries = entries
        self.terms = terms
        self.case_sensitive_terms = case_sensitive_terms
        self._classes = index_members(entries.values())
        self._prefixes: tuple[frozenset[str], frozenset[str]] | None = None

    def prefixes(self) -> tuple[frozenset[str], frozenset[str]]:
        """The prefixes of the folded terms and of the exact surfaces (see index_prefixes), once."""
        if self._prefixes is None:
            self._prefixes = (index_prefixes(self.terms), index_prefixes(self.case_sensitive_terms))
        return self._prefixes

    def lookup(self, text: str) -> LexiconEntry | None:
        """The preferred entry for a surface: exact case-sensitive surface first, then folded."""
        keys = self.case_sensitive_terms.get(normalise_surface(text))
        keys = keys or self.terms.get(fold_term(text))
        return self.entries[keys[0]] if keys else None

    def class_of(self, generic_name: str) -> list[LexiconEntry]:
        """The drug classes that list this generic name among their members."""
        return [self.entries[k] for k in self._classes.get(fold_term(generic_name), ())]


def index_members(entries: Iterable[LexiconEntry]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for entry in entries:
        for member in entry.members:
            index.setdefault(fold_term(member), []).append(entry.key)
    return {member: tuple(keys) for member, keys in index.items()}


# --- reading and validating data files ---------------------------------------------------------


@dataclass
class RawEntry:
    """An entry being assembled from one or more data-file lines with the same key."""

    key: str
    name: str
    kind: str
    ids: dict[str, str]
    terms: list[str]
    cs_terms: list[str]
    members: list[str]


def read_rows(source: Path | Traversable, label: str) -> Iterator[tuple[int, dict]]:
    """Numbered JSON objects of a JSONL (or .jsonl.gz) file, skipping blank and // lines."""
    try:
        with source.open("rb") as raw:
            data = gzip.decompress(raw.read()) if label.endswith(".gz") else raw.read()
    except (OSError, EOFError) as exc:
        raise ExtractionError(
            f"[EM410] Cannot read lexicon file {label}: {exc}. Rebuild it with "
            "scripts/build_lexicons.py or reinstall evidence-miner."
        ) from exc
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("//"):
            yield number, parse_line(line, label, number)


def parse_line(line: str, label: str, number: int) -> dict:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ExtractionError(
            f"[EM411] Lexicon {label} line {number} is not valid JSON: {exc.msg}. Fix the line."
        ) from exc
    if not isinstance(row, dict):
        raise ExtractionError(f"[EM411] Lexicon {label} line {number} must be a JSON object.")
    return row


def to_raw_entry(row: dict, label: str, number: int) -> RawEntry:
    """Validate one data-file line: known fields, a known kind, string lists, known id types."""
    where = f"Lexicon {label} line {number}"
    unknown = set(row) - ENTRY_FIELDS
    if unknown:
        raise ExtractionError(
            f"[EM412] {where} has unknown keys {sorted(unknown)}; "
            f"allowed keys are {sorted(ENTRY_FIELDS)}."
        )
    name, kind = row.get("name"), row.get("kind")
    if not isinstance(name, str) or not name.strip():
        raise ExtractionError(f"[EM413] {where} needs a non-empty string 'name'.")
    if kind not in KINDS:
        raise ExtractionError(
            f"[EM414] {where} has kind {kind!r}; allowed kinds are {sorted(KINDS)}."
        )
    ids = check_ids(row.get("ids", {}), where)
    lists = {f: check_strings(row.get(f, []), f, where) for f in ("terms", "cs_terms", "members")}
    key = row.get("key") or (ids.get("doid") if kind == "condition" else None) or name
    return RawEntry(str(key), name, kind, ids, lists["terms"], lists["cs_terms"], lists["members"])


def check_strings(value: object, name: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ExtractionError(f"[EM413] {where}: '{name}' must be a list of non-empty strings.")
    return value


def check_ids(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ExtractionError(f"[EM413] {where}: 'ids' must map vocabulary names to strings.")
    unknown = set(value) - ID_VOCABULARIES
    if unknown:
        raise ExtractionError(
            f"[EM415] {where} has unknown id vocabularies {sorted(unknown)}; "
            f"allowed are {sorted(ID_VOCABULARIES)}."
        )
    return dict(value)


def merge_raw_entries(rows: Iterable[tuple[str, int, dict]]) -> dict[str, RawEntry]:
    """Lines with the same key become one entry: terms and members add up, the first id wins."""
    merged: dict[str, RawEntry] = {}
    for label, number, row in rows:
        raw = to_raw_entry(row, label, number)
        known = merged.setdefault(raw.key, raw)
        if known is raw:
            continue
        if known.kind != raw.kind:
            raise ExtractionError(
                f"[EM416] Lexicon {label} line {number}: key {raw.key!r} is a {raw.kind} here "
                f"but a {known.kind} in an earlier line. Give one of them another key."
            )
        known.terms += raw.terms
        known.cs_terms += raw.cs_terms
        known.members += raw.members
        known.ids = raw.ids | known.ids
    return merged


# --- building a lexicon --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stoplist:
    """Folded terms that never match case-insensitively, and exact surfaces that never match."""

    folded: frozenset[str] = frozenset()
    exact: frozenset[str] = frozenset()


def parse_stoplist(text: str) -> Stoplist:
    """One term a line, `#` comments; a line with a capital letter stops that exact surface."""
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    exact = frozenset(normalise_surface(line) for line in lines if line != line.lower())
    folded = frozenset(fold_term(line) for line in lines if line == line.lower())
    return Stoplist(folded, exact)


def to_entry(raw: RawEntry) -> LexiconEntry:
    aliases = [t for t in dict.fromkeys(raw.terms + raw.cs_terms) if t != raw.name]
    return LexiconEntry(
        key=raw.key,
        name=raw.name,
        kind=raw.kind,
        ids=MappingProxyType(raw.ids),
        is_class=raw.kind == "drug_class",
        members=tuple(dict.fromkeys(raw.members)),
        aliases=tuple(aliases),
    )


def index_terms(raws: Iterable[RawEntry], stoplist: Stoplist) -> tuple[dict, dict]:
    """Folded term -> entry keys and exact surface -> entry keys, stoplisted terms left out."""
    folded: dict[str, list[str]] = {}
    exact: dict[str, list[str]] = {}
    for raw in raws:
        for key in {fold_term(t) for t in raw.terms} - stoplist.folded:
            folded.setdefault(key, []).append(raw.key)
        for surface in {normalise_surface(t) for t in raw.cs_terms} - stoplist.exact:
            exact.setdefault(surface, []).append(raw.key)
    return folded, exact


def order_by_name(index: dict[str, list[str]], entries: dict[str, LexiconEntry]) -> dict:
    """Per term, the entry whose own name folds to the term comes first (the preferred reading)."""
    ordered = {}
    for term, keys in index.items():
        if len(keys) > 1:
            folded = fold_term(term)
            keys = sorted(keys, key=lambda k: fold_term(entries[k].name) != folded)
        ordered[term] = tuple(keys)
    return ordered


def build_lexicon(rows: Iterable[tuple[str, int, dict]], stoplist: Stoplist) -> Lexicon:
    """A Lexicon from labelled data-file lines (label, line number, object)."""
    raws = merge_raw_entries(rows)
    entries = {key: to_entry(raw) for key, raw in raws.items()}
    folded, exact = index_terms(raws.values(), stoplist)
    return Lexicon(entries, order_by_name(folded, entries), order_by_name(exact, entries))


def read_lexicon(path: Path, stoplist: Path | None = None) -> Lexicon:
    """A Lexicon from one data file (and optionally a stoplist file), e.g. one written by a test."""
    rows = ((path.name, number, row) for number, row in read_rows(path, path.name))
    stop = parse_stoplist(stoplist.read_text("utf-8")) if stoplist else Stoplist()
    return build_lexicon(rows, stop)


def build_packaged(files: tuple[str, ...], stoplist: str) -> Lexicon:
    folder = resources.files("evidence_miner.extract").joinpath(DATA_DIR)
    rows = ((name, n, row) for name in files for n, row in read_rows(folder / name, name))
    stop = parse_stoplist((folder / stoplist).read_text("utf-8"))
    return build_lexicon(rows, stop)


def to_plain(lexicon: Lexicon) -> tuple:
    """The lexicon, its member index and its term prefixes as tuples, dicts and strings; each
    entry marshalled on its own (PackedEntries)."""
    entries = {
        e.key: marshal.dumps((e.name, e.kind, dict(e.ids), e.is_class, e.members, e.aliases))
        for e in lexicon.entries.values()
    }
    return (
        entries,
        lexicon.terms,
        lexicon.case_sensitive_terms,
        lexicon._classes,
        lexicon.prefixes(),
    )


def from_plain(plain: tuple) -> Lexicon:
    """The Lexicon that to_plain took apart, equal to the one built from the data files."""
    entries, terms, case_sensitive_terms, classes, prefixes = plain
    lexicon = Lexicon.__new__(Lexicon)
    lexicon.entries, lexicon.terms, lexicon.case_sensitive_terms = (
        PackedEntries(entries),
        terms,
        case_sensitive_terms,
    )
    lexicon._classes, lexicon._prefixes = classes, prefixes
    return lexicon


class PackedEntries(Mapping[str, LexiconEntry]):
    """Lexicon entries by key, each kept marshalled until it is first read: a lexicon read from
    the cache makes the few entries an article names, not all of its 12,000 (60 ms a lexicon)."""

    def __init__(self, packed: dict[str, bytes]) -> None:
        self.packed = packed
        self.made: dict[str, LexiconEntry] = {}

    def __getitem__(self, key: str) -> LexiconEntry:
        entry = self.made.get(key)
        if entry is None:
            name, kind, ids, *rest = marshal.loads(self.packed[key])
            entry = LexiconEntry(key, name, kind, MappingProxyType(ids), *rest)
            self.made[key] = entry
        return entry

    def __contains__(self, key: object) -> bool:
        return key in self.packed

    def __iter__(self) -> Iterator[str]:
        return iter(self.packed)

    def __len__(self) -> int:
        return len(self.packed)


def cache_folder() -> Path | None:
    """Where built packaged lexicons are kept between runs (None: not kept)."""
    return disk_cache.default_cache_folder("lexicons")


def to_cache_parts(files: tuple[str, ...], stoplist: str) -> Iterator[bytes]:
    """What a built packaged lexicon depends on: this module's source, the spelling folds of the
    language pack (fold_term) and the data files."""
    yield Path(__file__).read_bytes()
    yield json.dumps(dict(_BRITISH)).encode()
    folder = resources.files("evidence_miner.extract").joinpath(DATA_DIR)
    for name in (*files, stoplist):
        yield name.encode()
        yield (folder / name).read_bytes()


def read_packaged(files: tuple[str, ...], stoplist: str) -> Lexicon:
    """A packaged lexicon, from the lexicon cache when it holds this version of it."""
    try:
        parts = list(to_cache_parts(files, stoplist))
    except OSError:  # build_packaged reports the unreadable file
        parts = None
    folder = cache_folder() if parts is not None else None
    name = files[-1].split(".")[0]
    plain = disk_cache.cached(
        folder, name, parts or (), lambda: to_plain(build_packaged(files, stoplist))
    )
    lexicon = from_plain(plain)  # type: ignore[arg-type]
    log.info(
        "lexicon %s: %d entries, %d terms", files[-1], len(lexicon.entries), len(lexicon.terms)
    )
    return lexicon


@cache
def load_drug_lexicon() -> Lexicon:
    """Drugs (DrugBank via drug-named-entity-recognition), curated extras, classes and placebos."""
    return read_packaged(DRUG_FILES, DRUG_STOPLIST)


@cache
def load_condition_lexicon() -> Lexicon:
    """Conditions from the Human Disease Ontology plus curated extra forms."""
    return read_packaged(CONDITION_FILES, CONDITION_STOPLIST)


# --- matching ------------------------------------------------------------------------------------

Match = tuple[str, int, int]
_CUT_RE = re.compile(r"(?<=[a-z])(?=[^a-z])|(?<=[0-9])(?=[^0-9])|(?<=[^a-z0-9])", re.IGNORECASE)


def index_prefixes(terms: Iterable[str]) -> frozenset[str]:
    """Every term cut where a token could end (between letters, digits and other characters):
    a span whose text is not one of these cannot grow into a term."""
    prefixes: set[str] = set()
    for term in terms:
        prefixes.update(term[: cut.start()].rstrip() for cut in _CUT_RE.finditer(term))
        prefixes.add(term)
    prefixes.discard("")
    return frozenset(prefixes)


class TermMatcher:
    """Finds lexicon terms in a Doc: spans whose folded text is a term, or whose exact text is a
    case-sensitive surface; returns (entry key, start token, end token), longest first, no overlaps.
    Spans never cross a whitespace token (a line break)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.folded_prefixes, self.exact_prefixes = lexicon.prefixes()
        self._starts: dict[int, tuple[bool, bool]] = {}

    def __call__(self, doc: Doc) -> list[Match]:
        return pick_longest(list(self.find_candidates(doc)))

    def find_candidates(self, doc: Doc) -> Iterator[tuple[int, int, int, str]]:
        """(start, end, 0 for an exact surface / 1 for a folded term, entry key) of every match."""
        table = to_token_table(doc)
        for i, orth in enumerate(table.orths):
            starts = self._starts.get(orth)
            folded_start, exact_start = starts or self.can_start(orth, doc[i].text)
            if folded_start:
                yield from self.grow(table, i, folded=True)
            if exact_start:
                yield from self.grow(table, i, folded=False)

    def can_start(self, orth: int, text: str) -> tuple[bool, bool]:
        """Whether a token's text begins some folded term and some exact surface (cached)."""
        starts = self._starts.get(orth)
        if starts is None:
            starts = (fold_term(text) in self.folded_prefixes, text in self.exact_prefixes)
            self._starts[orth] = starts
        return starts

    def grow(self, table: TokenTable, start: int, *, folded: bool) -> Iterator[tuple]:
        """Spans from `start`, one token longer each time, while their text begins some term."""
        index = self.lexicon.terms if folded else self.lexicon.case_sensitive_terms
        prefixes = self.folded_prefixes if folded else self.exact_prefixes
        to_key = fold_span_text if folded else normalise_surface
        begin = table.starts[start]
        for end in range(start + 1, min(len(table.orths), start + MAX_TERM_TOKENS) + 1):
            if table.is_space[end - 1]:
                return
            key = to_key(table.text[begin : table.ends[end - 1]])
            if key in index:
                yield start, end, int(folded), index[key][0]
            if key not in prefixes:
                return


@dataclass(frozen=True)
class TokenTable:
    """A doc's text and, by token index, its tokens' orth ids, start and end characters and
    whether they are whitespace: read once per doc rather than token by token."""

    text: str
    orths: list[int]
    starts: list[int]
    ends: list[int]
    is_space: list[int]


def to_token_table(doc: Doc) -> TokenTable:
    orths, starts, lengths, is_space = doc.to_array([ORTH, IDX, LENGTH, IS_SPACE]).T.tolist()
    ends = [start + length for start, length in zip(starts, lengths)]
    return TokenTable(doc.text, orths, starts, ends, is_space)


@lru_cache(maxsize=1 << 16)
def fold_span_text(text: str) -> str:
    """fold_term of a span's text, remembered: the matcher folds the same short spans ("the",
    "of the") in every article."""
    return fold_term(text)


def pick_longest(candidates: list[tuple[int, int, int, str]]) -> list[Match]:
    """Longest spans first (exact surfaces win ties), then no span overlapping a kept one."""
    taken: set[int] = set()
    kept = []
    for start, end, _, key in sorted(candidates, key=lambda c: (c[0] - c[1], c[0], c[2])):
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            kept.append((key, start, end))
    return sorted(kept, key=lambda m: m[1])


def make_term_matcher(nlp: Language, lexicon: Lexicon) -> TermMatcher:
    """A TermMatcher for docs made by `nlp`. Matching reads token offsets and the doc text, so the
    tokenizer only has to put token boundaries where terms start and end; no term docs are built."""
    log.debug("term matcher for %s: %d terms", nlp.meta.get("name"), len(lexicon.terms))
    return TermMatcher(lexicon)

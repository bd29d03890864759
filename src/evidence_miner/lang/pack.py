"""Read and check the data files of one language pack folder into a read-only LanguagePack."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from types import MappingProxyType

from evidence_miner.errors import ConfigError, ExtractionError

# Every file a pack folder holds. Read here: terms, words, sentence words, negation changes and
# frequency Matcher patterns; the stages read and check the rest with their own models
# (normalise: units, durations, frequencies, numbers; crawl: junk_lines, page_words).
TERMS_FILE = "terms.jsonl"
WORDS_FILE = "words.toml"
SENTENCES_FILE = "sentences.toml"
NEGATION_FILE = "negation.toml"
FREQUENCY_PATTERNS_FILE = "frequency_patterns.jsonl"
PACK_FILES = (
    TERMS_FILE,
    WORDS_FILE,
    SENTENCES_FILE,
    NEGATION_FILE,
    FREQUENCY_PATTERNS_FILE,
    "units.toml",
    "durations.toml",
    "frequencies.toml",
    "numbers.toml",
    "junk_lines.toml",
    "page_words.toml",
)

TERM_KEYS = {"kind", "terms", "value", "priority", "note"}
TERM_KINDS = {
    "dose_unit", "time_unit", "population_noun", "population_noun_singular", "aggregate_noun",
    "design", "study_word", "total_cue", "outcome", "discontinuation", "cause_cue",
    "adverse_event_word", "adverse_event", "serious_cue", "concomitant_cue", "comparator_cue",
    "prior_cue", "indication_cue", "assignment_cue", "follow_up", "age", "stat",
    "investigator_title", "investigator_suffix", "investigator_cue", "outside_expert_cue",
    "second_study_cue", "journal_cue", "route", "country", "effect_type", "percent_word",
    "future_cue", "threshold", "arm_verb", "ae_context", "drug_stem", "disease_head",
    "strong_arm_verb", "target_cue", "non_treatment_head", "group_noun", "total_after_cue",
    "contact_verb", "other_study_cue", "umbrella_class", "example_cue", "controlled_trial_cue",
    "weak_total_cue",
}  # fmt: skip
MATCHER_KEYS = {"label", "pattern", "value", "note"}
SENTENCE_LISTS = ("titles", "never_end", "may_end", "starters", "before_initials", "name_joiners")
NEGATION_LISTS = ("pseudo_negations", "preceding_negations", "following_negations", "termination")

Words = Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class TermSet:
    """One line of terms.jsonl: the phrases of one kind and value ("design", "rct")."""

    kind: str
    value: str
    priority: int
    terms: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # one object per pack folder: compared and hashed by identity
class LanguagePack:
    """Every word of one language the pipeline reads, checked; `name` says where it came from
    in messages ("lang/en" or a folder path)."""

    name: str
    folder: Traversable
    term_sets: tuple[TermSet, ...]
    kind_terms: Mapping[str, frozenset[str]]
    word_lists: Mapping[str, frozenset[str]]
    word_maps: Mapping[str, Mapping[str, str]]
    sentence_words: Words
    negation: Mapping[str, object]
    frequency_patterns: tuple[dict, ...]

    def terms(self, kind: str) -> frozenset[str]:
        """Every lowercase term of one kind of terms.jsonl, across values."""
        terms = self.kind_terms.get(kind)
        if terms is None:
            raise ExtractionError(
                f"[EM460] {self.name}/{TERMS_FILE} has no term kind {kind!r}; known kinds are "
                f"{sorted(self.kind_terms)}. Use one of them, or add the kind to TERM_KINDS in "
                "lang/pack.py and its terms to terms.jsonl."
            )
        return terms

    def words(self, name: str) -> frozenset[str]:
        """The words of one list of words.toml."""
        words = self.word_lists.get(name)
        if words is None:
            raise self.unknown_words(name, self.word_lists, "list")
        return words

    def word_map(self, name: str) -> Mapping[str, str]:
        """One table of words.toml, word to value (an enrolment verb to its total's kind)."""
        table = self.word_maps.get(name)
        if table is None:
            raise self.unknown_words(name, self.word_maps, "map")
        return table

    def unknown_words(self, name: str, known: Mapping[str, object], what: str) -> ExtractionError:
        return ExtractionError(
            f"[EM407] {self.name}/{WORDS_FILE} has no word {what} {name!r}; known {what}s are "
            f"{sorted(known)}. Use one of them, or add {name!r} to {self.name}/{WORDS_FILE}."
        )

    def read_text(self, file: str) -> str:
        """The text of one data file of the pack (the stages check their own tables)."""
        return read_file(self.folder, self.name, file)

    def where(self, file: str) -> str:
        """How messages name a file of this pack: "lang/en/units.toml"."""
        return f"{self.name}/{file}"


def read_pack(folder: Traversable, name: str) -> LanguagePack:
    """Read and check the pack in `folder`; errors name the file (and line) at fault."""
    term_sets = read_term_sets(folder, name)
    words = read_word_lists(folder, name)
    return LanguagePack(
        name=name,
        folder=folder,
        term_sets=term_sets,
        kind_terms=to_kind_terms(term_sets),
        word_lists=MappingProxyType({k: v for k, v in words.items() if isinstance(v, frozenset)}),
        word_maps=MappingProxyType(
            {k: v for k, v in words.items() if not isinstance(v, frozenset)}
        ),
        sentence_words=read_sentence_words(folder, name),
        negation=read_negation(folder, name),
        frequency_patterns=read_matcher_patterns(folder, name, FREQUENCY_PATTERNS_FILE),
    )


def read_file(folder: Traversable, name: str, file: str) -> str:
    try:
        return folder.joinpath(file).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(
            f"[EM462] Language pack {name} has no readable {file} ({exc}). A pack folder holds "
            f"{list(PACK_FILES)}; copy the missing file from src/evidence_miner/lang/en/."
        ) from exc


def read_toml(folder: Traversable, name: str, file: str, code: str) -> dict:
    """The table of one TOML file of the pack; ExtractionError `code` when it is no TOML."""
    text = read_file(folder, name, file)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExtractionError(
            f"[{code}] {name}/{file} cannot be read: {exc}. Fix or restore the file."
        ) from exc


def read_data_lines(folder: Traversable, name: str, file: str) -> list[tuple[int, dict]]:
    """Parse a JSONL file of the pack, with line numbers, skipping blanks and // lines."""
    rows = []
    for number, line in enumerate(read_file(folder, name, file).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ExtractionError(
                f"[EM401] {name}/{file} line {number} is not valid JSON: {exc.msg}. Fix the line."
            ) from exc
    return rows


def check_keys(where: str, number: int, row: dict, allowed: set[str]) -> None:
    unknown = set(row) - allowed
    if unknown:
        raise ExtractionError(
            f"[EM402] {where} line {number} has unknown keys {sorted(unknown)}; "
            f"allowed keys are {sorted(allowed)}."
        )


def to_term_set(where: str, number: int, row: dict) -> TermSet:
    check_keys(where, number, row, TERM_KEYS)
    kind = row.get("kind")
    if kind not in TERM_KINDS:
        raise ExtractionError(
            f"[EM403] {where} line {number} has unknown kind {kind!r}; "
            f"allowed kinds are {sorted(TERM_KINDS)}."
        )
    terms = row.get("terms")
    if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
        raise ExtractionError(
            f"[EM404] {where} line {number}: 'terms' must be a list of non-empty strings."
        )
    return TermSet(kind, str(row.get("value", kind)), int(row.get("priority", 0)), tuple(terms))


def read_term_sets(folder: Traversable, name: str) -> tuple[TermSet, ...]:
    where = f"{name}/{TERMS_FILE}"
    return tuple(to_term_set(where, n, row) for n, row in read_data_lines(folder, name, TERMS_FILE))


def to_kind_terms(term_sets: tuple[TermSet, ...]) -> Mapping[str, frozenset[str]]:
    """Kind -> its lowercase terms across values, for every kind (a kind without lines: none)."""
    kinds = {
        kind: frozenset(t.lower() for ts in term_sets if ts.kind == kind for t in ts.terms)
        for kind in sorted(TERM_KINDS)
    }
    return MappingProxyType(kinds)


def read_matcher_patterns(folder: Traversable, name: str, file: str) -> tuple[dict, ...]:
    """Token-Matcher patterns: {"label": ..., "pattern": [...], "value": ...} per line."""
    where = f"{name}/{file}"
    rows = []
    for number, row in read_data_lines(folder, name, file):
        check_keys(where, number, row, MATCHER_KEYS)
        if not isinstance(row.get("label"), str) or not isinstance(row.get("pattern"), list):
            raise ExtractionError(
                f"[EM405] {where} line {number} needs a string 'label' and a list 'pattern'."
            )
        rows.append(row)
    return tuple(rows)


def is_word(value: object) -> bool:
    return isinstance(value, str) and value != "" and value == value.lower()


def to_word_list(where: str, key: str, value: object) -> frozenset[str] | Mapping[str, str]:
    """A list of words as a frozenset, a table of words as a read-only mapping; else an error."""
    if isinstance(value, list) and all(is_word(w) for w in value) and len(set(value)) == len(value):
        return frozenset(value)
    if isinstance(value, dict) and all(is_word(k) and is_word(v) for k, v in value.items()):
        return MappingProxyType(dict(value))
    raise ExtractionError(
        f"[EM408] {where}: {key!r} must be a list of non-empty lowercase strings "
        "without repeats, or a table of such strings. Fix the entry."
    )


def read_word_lists(
    folder: Traversable, name: str
) -> dict[str, frozenset[str] | Mapping[str, str]]:
    """Every word list and word table of words.toml by name."""
    table = read_toml(folder, name, WORDS_FILE, "EM408")
    return {key: to_word_list(f"{name}/{WORDS_FILE}", key, v) for key, v in table.items()}


def read_sentence_words(folder: Traversable, name: str) -> Words:
    """The sentence splitter's word lists (sentences.toml) as sets."""
    table = read_toml(folder, name, SENTENCES_FILE, "EM440")
    where = f"{name}/{SENTENCES_FILE}"
    unknown = sorted(set(table) - set(SENTENCE_LISTS))
    if unknown:
        raise ExtractionError(
            f"[EM441] {where} has unknown lists {unknown}; the allowed lists are "
            f"{list(SENTENCE_LISTS)}. Rename or remove them."
        )
    lists = {key: to_sentence_word_set(where, key, table.get(key, [])) for key in SENTENCE_LISTS}
    return MappingProxyType(lists)


def to_sentence_word_set(where: str, key: str, value: object) -> frozenset[str]:
    words = value if isinstance(value, list) else []
    ok = isinstance(value, list) and all(isinstance(w, str) and w == w.lower() != "" for w in words)
    repeated = sorted({w for w in words if words.count(w) > 1}) if ok else []
    if not ok or repeated:
        raise ExtractionError(
            f"[EM442] {where}: {key!r} must be a list of non-empty lowercase strings "
            f"without repeats (repeated: {repeated}). Fix the entry."
        )
    return frozenset(words)


def read_negation(folder: Traversable, name: str) -> Mapping[str, object]:
    """negation.toml: negspacy's termset named by `base`, lists to [add] and to [remove]."""
    table = read_toml(folder, name, NEGATION_FILE, "EM406")
    unknown = (set(table.get("add", {})) | set(table.get("remove", {}))) - set(NEGATION_LISTS)
    unknown |= set(table) - {"base", "add", "remove"}
    if unknown:
        raise ExtractionError(
            f"[EM406] {name}/{NEGATION_FILE}: unknown keys {sorted(unknown)}; "
            f"the keys are base, [add] and [remove], which take {list(NEGATION_LISTS)}."
        )
    return MappingProxyType(table)

"""Load and validate the pattern and term data files shipped in extract/patterns/."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

from evidence_miner.errors import ExtractionError

TERM_KEYS = {"kind", "terms", "value", "priority", "note"}
TERM_KINDS = {
    "dose_unit", "time_unit", "population_noun", "population_noun_singular", "aggregate_noun",
    "design", "study_word", "total_cue", "outcome", "negation", "discontinuation", "cause_cue",
    "adverse_event_word", "adverse_event", "serious_cue", "concomitant_cue", "comparator_cue",
    "prior_cue", "indication_cue", "assignment_cue", "before_after", "follow_up", "age", "stat",
    "investigator_title", "investigator_suffix", "investigator_cue", "outside_expert_cue",
    "second_study_cue", "journal_cue", "quote_verb", "not_a_study_cue", "route", "country",
    "effect_type", "ci_word", "percent_word", "range_word", "future_cue", "quote_mark", "threshold",
    "arm_verb", "ae_context", "drug_stem", "disease_head", "strong_arm_verb", "target_cue", "non_treatment_head", "group_noun", "total_after_cue", "contact_verb", "other_study_cue", "umbrella_class", "example_cue", "controlled_trial_cue",
}  # fmt: skip
MATCHER_KEYS = {"label", "pattern", "value", "note"}


@dataclass(frozen=True)
class TermSet:
    kind: str
    value: str
    priority: int
    terms: tuple[str, ...]


def read_data_lines(name: str) -> list[tuple[int, dict]]:
    """Parse a JSONL data file in extract/patterns/, with line numbers, skipping blanks."""
    text = resources.files("evidence_miner.extract").joinpath("patterns", name).read_text("utf-8")
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ExtractionError(
                f"[EM401] patterns/{name} line {number} is not valid JSON: {exc.msg}. Fix the line."
            ) from exc
    return rows


def check_keys(name: str, number: int, row: dict, allowed: set[str]) -> None:
    unknown = set(row) - allowed
    if unknown:
        raise ExtractionError(
            f"[EM402] patterns/{name} line {number} has unknown keys {sorted(unknown)}; "
            f"allowed keys are {sorted(allowed)}."
        )


def to_term_set(name: str, number: int, row: dict) -> TermSet:
    check_keys(name, number, row, TERM_KEYS)
    kind = row.get("kind")
    if kind not in TERM_KINDS:
        raise ExtractionError(
            f"[EM403] patterns/{name} line {number} has unknown kind {kind!r}; "
            f"allowed kinds are {sorted(TERM_KINDS)}."
        )
    terms = row.get("terms")
    if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
        raise ExtractionError(
            f"[EM404] patterns/{name} line {number}: 'terms' must be a list of non-empty strings."
        )
    return TermSet(kind, str(row.get("value", kind)), int(row.get("priority", 0)), tuple(terms))


@cache
def load_term_sets(name: str = "terms.jsonl") -> tuple[TermSet, ...]:
    return tuple(to_term_set(name, number, row) for number, row in read_data_lines(name))


@cache
def load_matcher_patterns(name: str) -> tuple[dict, ...]:
    """Token-Matcher patterns: {"label": ..., "pattern": [...], "value": ...} per line."""
    rows = []
    for number, row in read_data_lines(name):
        check_keys(name, number, row, MATCHER_KEYS)
        if not isinstance(row.get("label"), str) or not isinstance(row.get("pattern"), list):
            raise ExtractionError(
                f"[EM405] patterns/{name} line {number} needs a string 'label' and a list 'pattern'."
            )
        rows.append(row)
    return tuple(rows)


@cache  # read for most tokens and spans; the term sets never change after loading
def terms_of(kind: str) -> frozenset[str]:
    """Every lowercase term of one kind, across values."""
    return frozenset(t.lower() for ts in load_term_sets() if ts.kind == kind for t in ts.terms)


NEGATION_LISTS = ("pseudo_negations", "preceding_negations", "following_negations", "termination")


@cache
def load_negation_termset(name: str = "negation.toml") -> dict[str, list[str]]:
    """negspacy's termset named by the file's `base`, with the file's [add] and [remove] applied."""
    from negspacy.termsets import termset  # imported here: only the negation component needs it

    try:
        text = resources.files("evidence_miner.extract").joinpath("patterns", name).read_text("utf-8")
        table = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ExtractionError(f"[EM406] patterns/{name} cannot be read: {exc}. Fix or restore the file.") from exc
    unknown = (set(table.get("add", {})) | set(table.get("remove", {}))) - set(NEGATION_LISTS)
    if unknown or set(table) - {"base", "add", "remove"}:
        raise ExtractionError(
            f"[EM406] patterns/{name}: unknown keys {sorted(unknown or set(table) - {'base', 'add', 'remove'})}; "
            f"[add] and [remove] take {list(NEGATION_LISTS)}."
        )
    try:
        base = termset(table.get("base", "en")).get_patterns()
    except KeyError as exc:
        raise ExtractionError(f"[EM406] patterns/{name}: negspacy has no termset {exc}; use 'en' or 'en_clinical'.") from exc
    removed = table.get("remove", {})
    added = table.get("add", {})
    return {
        key: [t for t in base[key] if t not in set(removed.get(key, []))] + list(added.get(key, []))
        for key in NEGATION_LISTS
    }


WORDS_FILE = "words.toml"


def is_word(value: object) -> bool:
    return isinstance(value, str) and value != "" and value == value.lower()


def to_word_list(key: str, value: object) -> frozenset[str] | Mapping[str, str]:
    """A list of words as a frozenset, a table of words as a read-only mapping; else an error."""
    if isinstance(value, list) and all(is_word(w) for w in value) and len(set(value)) == len(value):
        return frozenset(value)
    if isinstance(value, dict) and all(is_word(k) and is_word(v) for k, v in value.items()):
        return MappingProxyType(dict(value))
    raise ExtractionError(
        f"[EM408] patterns/{WORDS_FILE}: {key!r} must be a list of non-empty lowercase strings "
        "without repeats, or a table of such strings. Fix the entry."
    )


def read_pattern_toml(name: str, code: str) -> dict:
    """The TOML table of patterns/NAME; ExtractionError `code` when it cannot be read."""
    path = resources.files("evidence_miner.extract").joinpath("patterns", name)
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ExtractionError(f"[{code}] patterns/{name} cannot be read: {exc}. Fix or restore the file.") from exc


@cache
def load_word_lists() -> dict[str, frozenset[str] | Mapping[str, str]]:
    """Every word list of patterns/words.toml by name, read and checked once."""
    table = read_pattern_toml(WORDS_FILE, "EM408")
    return {key: to_word_list(key, value) for key, value in table.items()}


def unknown_word_list(name: str, kind: type) -> ExtractionError:
    known = sorted(key for key, value in load_word_lists().items() if isinstance(value, kind))
    what = "lists" if kind is frozenset else "maps"
    return ExtractionError(
        f"[EM407] patterns/{WORDS_FILE} has no word {what[:-1]} {name!r}; "
        f"known {what} are {known}. Use one of them, or add {name!r} to patterns/{WORDS_FILE}."
    )


@cache  # asked for per token; the lists never change after loading
def word_set(name: str) -> frozenset[str]:
    """The words of one list in patterns/words.toml."""
    words = load_word_lists().get(name)
    if not isinstance(words, frozenset):
        raise unknown_word_list(name, frozenset)
    return words


@cache
def word_map(name: str) -> Mapping[str, str]:
    """One table of patterns/words.toml, word to value (an enrolment verb to its total's kind)."""
    table = load_word_lists().get(name)
    if not isinstance(table, MappingProxyType):
        raise unknown_word_list(name, MappingProxyType)
    return table

"""The language pack the running component was built with, and its words for the extraction
steps: terms_of(kind), word_set(name), word_map(name).

Each em_* component gets its pack from its `language` setting (extract/default.cfg) and runs
under `using_pack(pack)`, so the steps it calls read that pack's words; outside a pipeline (a
test calling a find_* function directly) they read the default pack, lang/en/.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from evidence_miner.errors import ExtractionError
from evidence_miner.lang import DEFAULT_LANGUAGE, LanguagePack, load_pack
from evidence_miner.lang.pack import NEGATION_FILE, NEGATION_LISTS, TermSet

__all__ = ["TermSet", "pack_in_use", "terms_of", "using_pack", "word_map", "word_set"]

_PACK_IN_USE: ContextVar[LanguagePack | None] = ContextVar("em_language_pack", default=None)


def pack_in_use() -> LanguagePack:
    """The pack of the component now running; the default pack outside a pipeline."""
    return _PACK_IN_USE.get() or load_pack(DEFAULT_LANGUAGE)


@contextmanager
def using_pack(pack: LanguagePack) -> Iterator[LanguagePack]:
    """Make `pack` the one terms_of, word_set and word_map read, for the `with` block."""
    token = _PACK_IN_USE.set(pack)
    try:
        yield pack
    finally:
        _PACK_IN_USE.reset(token)


def terms_of(kind: str) -> frozenset[str]:
    """Every lowercase term of one kind (terms.jsonl of the pack in use), across values."""
    pack = _PACK_IN_USE.get() or load_pack(DEFAULT_LANGUAGE)
    terms = pack.kind_terms.get(kind)  # asked for most tokens: the plain look-up first
    return terms if terms is not None else pack.terms(kind)


def word_set(name: str) -> frozenset[str]:
    """The words of one list of words.toml of the pack in use."""
    pack = _PACK_IN_USE.get() or load_pack(DEFAULT_LANGUAGE)
    words = pack.word_lists.get(name)  # asked for most tokens: the plain look-up first
    return words if words is not None else pack.words(name)


def word_map(name: str) -> Mapping[str, str]:
    """One table of words.toml of the pack in use, word to value."""
    return pack_in_use().word_map(name)


@cache
def load_negation_termset(pack: LanguagePack) -> dict[str, list[str]]:
    """negspacy's termset named by the pack's negation.toml `base`, with its [add] and [remove]."""
    from negspacy.termsets import termset  # imported here: only the negation component needs it

    table = pack.negation
    try:
        base = termset(table.get("base", "en")).get_patterns()
    except KeyError as exc:
        raise ExtractionError(
            f"[EM406] {pack.where(NEGATION_FILE)}: negspacy has no termset {exc}; "
            "use 'en' or 'en_clinical'."
        ) from exc
    removed: dict = table.get("remove", {})  # type: ignore[assignment]
    added: dict = table.get("add", {})  # type: ignore[assignment]
    return {
        key: [t for t in base[key] if t not in set(removed.get(key, []))] + list(added.get(key, []))
        for key in NEGATION_LISTS
    }

"""scispacy's rule tokenizer, registered so that pipeline configs can name it."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from types import SimpleNamespace

from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import registry


# scispacy's prefix rules hold a regex that Python flags as a possible set union; the warning is
# about scispacy's own pattern and says nothing a user can act on.
warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)


@registry.tokenizers("evidence_miner.scispacy_tokenizer.v1")
def create_scispacy_tokenizer() -> Callable[[Language], Tokenizer]:
    """Config entry point: `[nlp.tokenizer] @tokenizers =
    "evidence_miner.scispacy_tokenizer.v1"`."""

    def make_tokenizer(nlp: Language) -> Tokenizer:
        if not hasattr(nlp, "tokenizer"):
            # scispacy copies token_match from the current tokenizer, which a pipeline being
            # built from a config does not have yet: give it a rule-less one with spaCy's
            # default token_match (what spacy.Tokenizer.v1 would set, without loading its
            # exceptions, which scispacy builds again anyway).
            nlp.tokenizer = Tokenizer(nlp.vocab, token_match=nlp.Defaults.token_match)
        return combined_rule_tokenizer(nlp)

    return make_tokenizer


# An en or em dash between digits is a range ("1.92–3.80", a confidence interval as HTML's
# &ndash; writes it); scispaCy's infixes split a hyphen there but keep these dashes inside the
# token, so neither number would be seen.
DIGIT_DASH_INFIX = r"(?<=[0-9])[\u2013\u2014](?=[0-9])"


@registry.tokenizers("evidence_miner.scispacy_tokenizer.v2")
def create_scispacy_tokenizer_v2() -> Callable[[Language], Tokenizer]:
    """v1 plus a split at en and em dashes between digits."""

    def make_tokenizer(nlp: Language) -> Tokenizer:
        return make_scispacy_tokenizer_v2(nlp)

    return make_tokenizer


def make_scispacy_tokenizer_v2(nlp: Language) -> Tokenizer:
    """scispaCy's tokenizer with DIGIT_DASH_INFIX, its special cases loaded once. spaCy loads
    every special case again whenever a pattern changes (about 1,400 of them, a tenth of a
    second), so scispaCy's patterns are taken from a tokenizer built without spaCy's exceptions
    and the tokenizer is built once, with the final patterns and all the exceptions."""
    patterns = make_scispacy_patterns(nlp)
    infix = re.compile(f"{DIGIT_DASH_INFIX}|{patterns.infix_finditer.__self__.pattern}")
    return Tokenizer(
        nlp.vocab,
        {**nlp.Defaults.tokenizer_exceptions, **patterns.rules},
        prefix_search=patterns.prefix_search,
        suffix_search=patterns.suffix_search,
        infix_finditer=infix.finditer,
        token_match=patterns.token_match,
    )


def make_scispacy_patterns(nlp: Language) -> Tokenizer:
    """combined_rule_tokenizer(nlp) without spaCy's tokenizer exceptions: its patterns, its
    token_match and, as rules, only its own exceptions (scispacy.consts.ABBREVIATIONS), which
    combined_rule_tokenizer adds over nlp.Defaults.tokenizer_exceptions."""
    if hasattr(nlp, "tokenizer"):
        token_match = nlp.tokenizer.token_match
    else:  # a pipeline being built from a config: what v1 gives it (see there)
        token_match = nlp.Defaults.token_match
    without_exceptions = SimpleNamespace(
        vocab=nlp.vocab,
        Defaults=SimpleNamespace(tokenizer_exceptions={}),
        tokenizer=SimpleNamespace(token_match=token_match),
    )
    return combined_rule_tokenizer(without_exceptions)


@registry.tokenizers("evidence_miner.bare_tokenizer.v1")
def create_bare_tokenizer() -> Callable[[Language], Tokenizer]:
    """A tokenizer without rules, built instantly: for loading a trained model only to take its
    components into another pipeline (that pipeline's own tokenizer is the one used)."""

    def make_tokenizer(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return make_tokenizer

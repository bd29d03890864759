"""scispacy's rule tokenizer, registered so that pipeline configs can name it."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

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
    make_v1 = create_scispacy_tokenizer()

    def make_tokenizer(nlp: Language) -> Tokenizer:
        tokenizer = make_v1(nlp)
        pattern = tokenizer.infix_finditer.__self__.pattern
        rules = tokenizer.rules
        # Setting a pattern reloads every special case; with the rules emptied first the
        # reload is trivial and the rules load once, against the final patterns.
        tokenizer.rules = {}
        tokenizer.infix_finditer = re.compile(f"{DIGIT_DASH_INFIX}|{pattern}").finditer
        tokenizer.rules = rules
        return tokenizer

    return make_tokenizer


@registry.tokenizers("evidence_miner.bare_tokenizer.v1")
def create_bare_tokenizer() -> Callable[[Language], Tokenizer]:
    """A tokenizer without rules, built instantly: for loading a trained model only to take its
    components into another pipeline (that pipeline's own tokenizer is the one used)."""

    def make_tokenizer(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return make_tokenizer

"""scispacy's rule tokenizer, registered so that pipeline configs can name it."""

from __future__ import annotations

from collections.abc import Callable

from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import registry


@registry.tokenizers("evidence_miner.scispacy_tokenizer.v1")
def create_scispacy_tokenizer() -> Callable[[Language], Tokenizer]:
    """Config entry point: `[nlp.tokenizer] @tokenizers = "evidence_miner.scispacy_tokenizer.v1"`."""

    def make_tokenizer(nlp: Language) -> Tokenizer:
        return combined_rule_tokenizer(nlp)

    return make_tokenizer

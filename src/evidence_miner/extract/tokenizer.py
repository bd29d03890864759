"""scispacy's rule tokenizer, registered so that pipeline configs can name it."""

from __future__ import annotations

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
    """Config entry point: `[nlp.tokenizer] @tokenizers = "evidence_miner.scispacy_tokenizer.v1"`."""

    def make_tokenizer(nlp: Language) -> Tokenizer:
        if not hasattr(nlp, "tokenizer"):
            # scispacy copies token_match from the current tokenizer, which a pipeline being
            # built from a config does not have yet: give it spaCy's default one first.
            nlp.tokenizer = registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        return combined_rule_tokenizer(nlp)

    return make_tokenizer

"""spaCy factories of evidence-miner's components (registered as em_<thing>)."""

from __future__ import annotations

from spacy.language import Language

from evidence_miner.extract.components.concepts import (
    ConceptFinder,
    is_condition_like,
    is_drug_like,
)
from evidence_miner.extract.components.counts import CountFinder
from evidence_miner.extract.components.findings import FindingsAssembler
from evidence_miner.extract.components.negation import NegationMarker
from evidence_miner.extract.components.ner_focus import FocusedNer
from evidence_miner.extract.components.numbers import NumberFinder
from evidence_miner.extract.components.quantities import QuantityFinder
from evidence_miner.extract.components.sentences import SentenceSplitter
from evidence_miner.extract.components.terms import TermFinder
from evidence_miner.extract.extensions import CONDITIONS, DRUGS, register_extensions
from evidence_miner.extract.lexicons import load_condition_lexicon, load_drug_lexicon
from evidence_miner.extract.patterns import load_negation_termset, using_pack
from evidence_miner.lang import DEFAULT_LANGUAGE, load_pack

register_extensions()

# `language` of every factory: the language pack whose words the component reads, a name
# registered in evidence_miner.lang.LANGUAGES ("en") or the path of a pack folder.


@Language.factory(
    "em_sentences",
    assigns=["token.is_sent_start"],
    default_config={"language": DEFAULT_LANGUAGE, "defer_to_pysbd": True},
)
def make_sentence_splitter(
    nlp: Language, name: str, language: str, defer_to_pysbd: bool
) -> SentenceSplitter:
    """`language`: the pack whose sentences.toml gives titles, abbreviations, sentence starters;
    `defer_to_pysbd`: let pysbd decide the periods the rules are unsure of ("Inc. Shares")."""
    return SentenceSplitter(load_pack(language).sentence_words, defer_to_pysbd=defer_to_pysbd)


@Language.factory(
    "em_numbers", assigns=["doc.spans"], default_config={"language": DEFAULT_LANGUAGE}
)
def make_number_finder(nlp: Language, name: str, language: str) -> NumberFinder:
    return NumberFinder(load_pack(language))


@Language.factory("em_terms", assigns=["doc.spans"], default_config={"language": DEFAULT_LANGUAGE})
def make_term_finder(nlp: Language, name: str, language: str) -> TermFinder:
    """The terms of the pack's terms.jsonl, each span labelled with its kind."""
    return TermFinder(nlp, load_pack(language))


@Language.factory(
    "em_ner_focus",
    assigns=["doc.ents"],
    requires=["token.is_sent_start"],
    default_config={"margin": 6, "language": DEFAULT_LANGUAGE},
)
def make_focused_ner(nlp: Language, name: str, margin: int, language: str) -> FocusedNer:
    """The pipeline's tok2vec and ner components (added disabled) run by FocusedNer."""
    with using_pack(load_pack(language)):  # its gate reads the drug stems and disease heads
        return FocusedNer(nlp, margin)


@Language.factory("em_drugs", assigns=["doc.spans"], default_config={"language": DEFAULT_LANGUAGE})
def make_drug_finder(nlp: Language, name: str, language: str) -> ConceptFinder:
    return ConceptFinder(
        nlp,
        load_drug_lexicon,
        DRUGS,
        "DRUG",
        ner_label="CHEMICAL",
        accept=is_drug_like,
        combinations=True,
        therapy_heads=True,
        pack=load_pack(language),
    )


@Language.factory(
    "em_conditions", assigns=["doc.spans"], default_config={"language": DEFAULT_LANGUAGE}
)
def make_condition_finder(nlp: Language, name: str, language: str) -> ConceptFinder:
    return ConceptFinder(
        nlp,
        load_condition_lexicon,
        CONDITIONS,
        "CONDITION",
        ner_label="DISEASE",
        accept=is_condition_like,
        yield_to=DRUGS,
        pack=load_pack(language),
    )


@Language.factory(
    "em_quantities",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={"language": DEFAULT_LANGUAGE},
)
def make_quantity_finder(nlp: Language, name: str, language: str) -> QuantityFinder:
    """Frequencies by the pack's frequency_patterns.jsonl (token Matcher patterns)."""
    return QuantityFinder(nlp, load_pack(language))


@Language.factory(
    "em_counts",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={"language": DEFAULT_LANGUAGE},
)
def make_count_finder(nlp: Language, name: str, language: str) -> CountFinder:
    return CountFinder(load_pack(language))


@Language.factory(
    "em_negation",
    assigns=["doc.spans"],
    requires=["doc.spans", "token.is_sent_start"],
    default_config={
        "language": DEFAULT_LANGUAGE,
        "targets": ["adverse_event", "adverse_event_word", "outcome", "condition", "design"],
        "max_distance": 4,
    },
)
def make_negation_marker(
    nlp: Language, name: str, language: str, targets: list[str], max_distance: int
) -> NegationMarker:
    """negspacy's cues, with the changes of the pack's negation.toml."""
    return NegationMarker(nlp, load_negation_termset(load_pack(language)), targets, max_distance)


@Language.factory(
    "em_findings",
    assigns=["doc._.em_findings", "doc._.em_no_study_reason"],
    requires=["doc.spans"],
    default_config={"study_label": "STUDY", "study_threshold": 0.5, "language": DEFAULT_LANGUAGE},
)
def make_findings_assembler(
    nlp: Language, name: str, study_label: str, study_threshold: float, language: str
) -> FindingsAssembler:
    """`study_label`/`study_threshold`: a text classifier earlier in the pipeline
    (models/em_textcat_study)
    that scores doc.cats[study_label] at or above the threshold makes an article a study report
    even where no design, effect size or stated cohort was found."""
    return FindingsAssembler(
        load_drug_lexicon(),
        load_condition_lexicon(),
        study_label=study_label,
        study_threshold=study_threshold,
        pack=load_pack(language),
    )
